"""The delaftale's activity targets, computed from the activity log."""

import datetime as dt

import openpyxl
import pandas as pd
import pytest

from helhedsplan import activities
from helhedsplan.errors import InputError
from helhedsplan.inputs import ingest
from helhedsplan.sources import SOURCES


def rows_of(cfg, log, year, threshold=3):
    """The activity targets' rows of the indicator table for the year (activities.py)."""
    ind = cfg.activity_targets
    return activities.indicator_rows(cfg, cfg.delmaal_of(ind.id), ind, log, year, threshold)


def _log(rows):
    base = {"tema": "Andet", "sted": "Nørager", "partnere": "", "deltagere": 10, "beboere": 8,
            "beboere_medarrangoer": False, "kilde_fil": "x", "eksempeldata": False}
    return pd.DataFrame([{**base, **r} for r in rows])


def _monthly(year, months, **extra):
    return [{"dato": f"{year}-{m:02d}-10", **extra} for m in months]


def _value(rows, period_prefix, indikator_id):
    r = [x for x in rows if x["enhed_navn"].startswith(period_prefix)
         and x["indikator_id"] == indikator_id]
    assert len(r) == 1, (period_prefix, indikator_id)
    return r[0]


def test_month_missing_is_named(cfg):
    log = _log(_monthly(2024, [m for m in range(1, 13) if m != 7]))
    rows = rows_of(cfg, log, 2024, 3)
    months = _value(rows, "kalenderår 2024", "maaneder_med_aktivitet")
    assert (months["vaerdi"], months["maal"]) == (11, 12)
    assert months["status"] == activities.NOT_MET
    assert months["note"] == "Ingen netværksaktivitet i juli 2024"


def test_project_year_spans_two_calendar_years(cfg):
    # Project year 3 = 1.9.2023–31.8.2024: themed events in autumn 2023 and spring 2024 count
    # together; the log of 2023 and 2024 both feed it.
    themes = activities.theme_labels(cfg.activity_targets)
    rows = (_monthly(2023, range(9, 13)) + _monthly(2024, range(1, 9))
            + [{"dato": "2023-10-20", "tema": themes[0]}, {"dato": "2023-11-20", "tema": themes[1]},
               {"dato": "2024-02-20", "tema": themes[2]}, {"dato": "2024-04-20", "tema": themes[0]},
               {"dato": "2024-06-20", "tema": themes[1], "sted": activities.OUTSIDE,
                "partnere": "Frivillighedens Hus"},
               {"dato": "2024-08-20", "tema": themes[2]},
               {"dato": "2024-09-20", "tema": themes[2]}])  # project year 4
    out = rows_of(cfg, _log(rows), 2024, 3)
    py3 = [r for r in out if r["enhed_navn"].startswith("projektår 3")]
    assert py3[0]["enhed_navn"] == "projektår 3 (2023/24)"
    themed = _value(out, "projektår 3", "temaarrangementer")
    assert (themed["vaerdi"], themed["maal"], themed["status"]) == (6, 6, activities.MET)
    assert _value(out, "projektår 3", "maaneder_med_aktivitet")["status"] == activities.MET
    outside = _value(out, "projektår 3", "uden_for_boligomraaderne")
    assert (outside["vaerdi"], outside["status"]) == (1, activities.MET)
    # Project year 4 has only begun: counted so far, never "not met" for months to come.
    py4 = _value(out, "projektår 4", "maaneder_med_aktivitet")
    assert py4["status"] == activities.ONGOING and py4["maal"] == 4
    # The calendar year 2024 has 5 themed events (Feb, Apr, Jun, Aug, Sep): target missed.
    assert _value(out, "kalenderår 2024", "temaarrangementer")["status"] == activities.NOT_MET


def test_outside_event_needs_frivillighedens_hus(cfg):
    theme = activities.theme_labels(cfg.activity_targets)[0]
    rows = _monthly(2023, range(1, 13)) + [
        {"dato": "2023-05-20", "tema": theme, "sted": activities.OUTSIDE, "partnere": "Foreninger"}]
    out = rows_of(cfg, _log(rows), 2023, 3)
    outside = _value(out, "kalenderår 2023", "uden_for_boligomraaderne")
    assert (outside["vaerdi"], outside["status"]) == (0, activities.NOT_MET)


def test_first_plan_year_counts_from_the_start(cfg):
    out = rows_of(cfg, _log(_monthly(2021, [9, 10, 11, 12])), 2021, 3)
    months = _value(out, "kalenderår 2021", "maaneder_med_aktivitet")
    assert (months["vaerdi"], months["maal"], months["status"]) == (4, 4, activities.MET)
    themed = _value(out, "kalenderår 2021", "temaarrangementer")
    assert "målet er 6 pr. år, her forholdsmæssigt 2" in themed["note"]
    assert rows_of(cfg, _log([]), 2020, 3) == []  # before the plan


def test_participants_below_threshold_are_suppressed_and_partners_are_not_free_text(cfg):
    rows = [{"dato": "2024-03-10", "deltagere": 2, "beboere": 1,
             "partnere": "Frivillighedens Hus; Jens Hansen"}]
    out = rows_of(cfg, _log(rows), 2024, 3)
    people = _value(out, "kalenderår 2024", "deltagere")
    assert people["undertrykt"] and pd.isna(people["vaerdi"])
    names = {r["indikator_id"] for r in out}
    assert "partner: Frivillighedens Hus" in names
    assert "partner: andre samarbejdspartnere" in names
    assert not any("Jens" in r["indikator_id"] or "Jens" in r["indikator"] for r in out)


def test_example_log_shows_both_outcomes(cfg, raw_copy):
    log = ingest(SOURCES["aktiviteter"], cfg, raw_copy, 2024).table
    by_year = {y: rows_of(cfg, log, y, 3) for y in (2022, 2023, 2024)}
    assert _value(by_year[2022], "kalenderår", "uden_for_boligomraaderne")["status"] == "mål nået"
    assert _value(by_year[2023], "kalenderår", "uden_for_boligomraaderne")["status"] == \
        "mål ikke nået"
    assert "juli 2024" in _value(by_year[2024], "kalenderår", "maaneder_med_aktivitet")["note"]


def _break(raw, edit):
    path = raw / "2024" / "aktivitetslog.xlsx"
    wb = openpyxl.load_workbook(path)
    edit(wb["Aktiviteter"])
    wb.save(path)


@pytest.mark.parametrize(("edit", "expected"), [
    (lambda ws: ws.cell(row=1, column=9, value="Kontaktperson navn"),
     "kolonne 'Kontaktperson navn': kolonnen 'Kontaktperson navn' ligner personoplysninger"),
    (lambda ws: ws.cell(row=1, column=9, value="Telefon"), "ligner personoplysninger"),
    (lambda ws: ws.cell(row=3, column=7, value=500), "række 3, kolonne 'Heraf beboere': flere "
                                                      "beboere end deltagere"),
    (lambda ws: ws.cell(row=4, column=3, value="Madlavning"), "række 4, kolonne 'Tema'"),
    (lambda ws: ws.cell(row=5, column=4, value="Aarhus"), "række 5, kolonne 'Sted'"),
    (lambda ws: ws.cell(row=2, column=1, value=dt.datetime(2023, 5, 1)),
     "række 2, kolonne 'Dato': datoen ligger ikke i 2024"),
    (lambda ws: ws.cell(row=6, column=8, value="måske"), "række 6, kolonne 'Beboere med til at "
                                                          "arrangere'"),
])
def test_bad_activity_logs(cfg, raw_copy, edit, expected):
    _break(raw_copy, edit)
    with pytest.raises(InputError) as err:
        ingest(SOURCES["aktiviteter"], cfg, raw_copy, 2024)
    message = str(err.value)
    assert "2024/aktivitetslog.xlsx" in message and expected in message, message


def test_no_log_before_the_plan_starts(cfg, raw_copy):
    got = ingest(SOURCES["aktiviteter"], cfg, raw_copy, 2020)
    assert got.table.empty and got.inputs == []


def test_a_small_piece_of_a_year_is_in_no_published_period(cfg):
    """2 participants in Sep–Dec 2023. The 2023 report publishes calendar 2023 and project
    year 3 so far (Sep–Dec 2023); the 2024 report publishes project year 3 whole (Sep 2023 –
    Aug 2024) and calendar 2024. Shown together, differences would give the 2 back: every
    period holding Sep–Dec 2023 is hidden, in both reports."""
    log = _log([{"dato": "2023-03-10", "deltagere": 20, "beboere": 15},
                {"dato": "2023-10-10", "deltagere": 2, "beboere": 2},
                {"dato": "2024-03-10", "deltagere": 30, "beboere": 20},
                {"dato": "2024-10-10", "deltagere": 25, "beboere": 20}])
    small = dt.date(2023, 10, 10)
    published = []
    for year in (2023, 2024):
        spans = {label: (first, last) for label, first, last, _ in activities.periods(cfg, year)}
        for r in rows_of(cfg, log, year, 3):
            if r["indikator_id"] in ("deltagere", "heraf_beboere"):
                first, last = spans[r["enhed_navn"]]
                published.append((year, r["enhed_navn"], first <= small <= last, r))
    holding = [p for p in published if p[2]]
    assert len(holding) == 6  # 2023: calendar year, project year 3 so far; 2024: project year 3
    assert all(p[3]["undertrykt"] and pd.isna(p[3]["vaerdi"]) for p in holding)
    assert {p[3]["undertrykt_grund"] for p in holding} == {"primær", "sekundær"}
    assert not any(p[3]["undertrykt"] for p in published if not p[2])


def test_the_summary_says_a_hidden_count_in_words(cfg):
    from helhedsplan import indicators, report

    log = _log([{"dato": "2023-03-10", "deltagere": 20, "beboere": 15},
                {"dato": "2023-10-10", "deltagere": 2, "beboere": 2}])
    table = pd.DataFrame(rows_of(cfg, log, 2023, 3),
                         columns=indicators.COLUMNS)
    text = report.activity_log_summary(report.ReportData(cfg, 2023, table, []),
                                       cfg.activity_targets)
    assert "med et antal deltagere og beboere, der ikke vises (diskretion" in text
    assert "22" not in text and "17" not in text  # calendar 2023: 20 + 2 and 15 + 2


def test_the_calendar_fills_the_months_the_month_rule_counts(cfg):
    """A month rule for activities outside the boligområder: the strip fills the months with
    such an activity (as the target's text counts them), and its words say so."""
    from helhedsplan.figures.calendar import _month_values, activity_calendar_alt

    ind = cfg.activity_targets
    rule = next(t for t in ind.maal if t.regel == "maaneder")
    moved = rule.model_copy(update={"navn": "Måneder med aktivitet uden for boligområderne",
                                    "sted": "uden_for"})
    ind = ind.model_copy(update={"maal": [moved if t is rule else t for t in ind.maal]})
    inside = _monthly(2024, range(1, 13))  # every month in the areas
    outside = _monthly(2024, [3, 5], sted=activities.OUTSIDE)
    rows = activities.indicator_rows(cfg, cfg.delmaal_of(ind.id), ind, _log(inside + outside),
                                     2024, 3)
    table = pd.DataFrame(rows)
    value = _month_values(table, 2024)
    filled = [m for m in range(1, 13) if value[("maaned_netvaerk", m)][1]]
    assert filled == [3, 5]
    months = _value(rows, "kalenderår 2024", rule.id)
    assert months["vaerdi"] == 2
    alt = activity_calendar_alt(table, 2024)
    assert "Blå felter er måneder med aktivitet uden for boligområderne" in alt
    assert "Aktivitet uden for boligområderne i 2 af 12 måneder" in alt
    assert "netværk" not in alt
