"""Invariants of the statistics and the indicator table, checked on generated data."""

import datetime as dt
import math
import shutil
import tempfile
from pathlib import Path

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from helhedsplan import activities, indicators, processed, stats
from helhedsplan.sources import SOURCES
from helhedsplan.sources.base import collect
from helhedsplan.workbook import write_source_workbook

from .conftest import REPO

counts = st.integers(min_value=1, max_value=20_000).flatmap(
    lambda n: st.tuples(st.integers(min_value=0, max_value=n), st.just(n)))


@given(counts)
def test_wilson_interval_contains_the_estimate(kn):
    k, n = kn
    lo, hi = stats.wilson(k, n)
    assert 0.0 <= lo <= k / n <= hi <= 1.0


@given(counts, counts)
def test_p_values_are_probabilities(a, b):
    p = stats.compare_proportions(*a, *b)
    assert 0.0 <= p <= 1.0 + 1e-12


@given(st.floats(0, 1), st.floats(-50, 50, allow_nan=False), st.sampled_from(["op", "ned"]))
def test_status_follows_the_good_direction(p, change, direction):
    word = stats.status(p, change, direction)
    if p >= stats.ALPHA or change == 0:
        assert word == stats.STATUS_NONE
    elif (change > 0) == (direction == "op"):
        assert word == stats.STATUS_UP
    else:
        assert word == stats.STATUS_DOWN


@given(st.integers(0, 8))
def test_poisson_interval_contains_the_count(c):
    lo, hi = stats.poisson_interval(c)
    assert lo <= c <= hi


PERSON_INDICATORS = {"deltagelse", "livskvalitet", "beboere_18_plus", "beboere_65_plus",
                     "foertidspensionister", "uden_for_arbejdsstyrken"}


@settings(max_examples=25, deadline=None)
@given(attendance=st.lists(st.integers(0, 6), min_size=4, max_size=4),
       satisfied=st.integers(0, 5), answers=st.integers(5, 9))
def test_suppression_never_leaks_and_shares_stay_in_range(processed_2024, cfg, attendance,
                                                          satisfied, answers):
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        for f in processed_2024.iterdir():
            shutil.copy(f, tmp / f.name)
        meetings = pd.read_csv(tmp / "afdelingsmoeder.csv")
        this_year = meetings["aar"] == 2024
        meetings.loc[this_year, "fremmoedte"] = attendance
        meetings.to_csv(tmp / "afdelingsmoeder.csv", index=False)
        survey = pd.read_csv(tmp / "livskvalitet.csv")
        area = (survey["aar"] == 2023) & (survey["gruppe"] == "Stenbjergparken")
        survey.loc[area, ["svar", "tilfredse"]] = [answers, satisfied]
        survey.to_csv(tmp / "livskvalitet.csv", index=False)
        table = indicators.compute(cfg, tmp, 2024)

    threshold = cfg.diskretion.mindste_antal
    persons = table[table["indikator_id"].isin(PERSON_INDICATORS)]
    shown = persons[~persons["undertrykt"]]
    assert (shown["taeller"].dropna() >= threshold).all()
    hidden = persons[persons["undertrykt"]]
    for col in ("vaerdi", "taeller", "ci_lav", "ci_hoej", "aendring"):
        assert hidden[col].isna().all(), col
    shares = table[(table["enhed"] == "pct.") & table["vaerdi"].notna()]
    assert shares["vaerdi"].between(0, 100).all()
    with_ci = shares.dropna(subset=["ci_lav"])
    assert (with_ci["ci_lav"] <= with_ci["vaerdi"]).all()
    assert (with_ci["vaerdi"] <= with_ci["ci_hoej"]).all()
    for afd, n in zip(cfg.afdelinger, attendance, strict=True):
        row = table[(table["enhed_navn"] == f"Afd. {afd}") & (table["aar"] == 2024)].iloc[0]
        if n < threshold:
            assert row["undertrykt"] and row["undertrykt_grund"] == "primær"
        else:  # shown, or hidden so that a hidden one cannot be subtracted (tests/test_discretion)
            assert not row["undertrykt"] or row["undertrykt_grund"] == "sekundær"
        if not row["undertrykt"]:
            assert math.isclose(row["taeller"], n)


# Issue 21.1: no figure is computed from fewer rows than were read without saying so.

def _activity_row(day: dt.date, i: int) -> dict:
    return {"dato": day.strftime("%d-%m-%Y"), "titel": f"Aktivitet {i}", "tema": "Andet",
            "sted": "Nørager", "partnere": "", "deltagere": 12, "beboere": 10,
            "beboere_medarrangoer": "nej"}


@settings(max_examples=12, deadline=None)
@given(days=st.lists(st.integers(0, 364), min_size=1, max_size=25))
def test_every_activity_read_is_counted_or_stated(cfg, days):
    src = SOURCES["aktiviteter"]
    end = cfg.helhedsplan.periode_til  # 31.8.2025: the last plan year ends inside the year
    dates = [dt.date(end.year, 1, 1) + dt.timedelta(d) for d in days]
    with tempfile.TemporaryDirectory() as tmp:
        raw = Path(tmp)
        for year_dir in (REPO / "data" / "raw").iterdir():
            if (year_dir / src.filename).exists():
                (raw / year_dir.name).mkdir()
                shutil.copy(year_dir / src.filename, raw / year_dir.name / src.filename)
        write_source_workbook(src, raw / str(end.year) / src.filename, end.year,
                              [_activity_row(d, i) for i, d in enumerate(dates)],
                              example=False, cfg=cfg)
        got = collect(src, cfg, raw, end.year)
    assert got.problems == []
    record = next(i for i in got.inputs if i["aar"] == end.year)
    counted = got.table[got.table["aar"] == end.year]
    after = sum(d > end for d in dates)
    assert record["raekker"] == len(dates) == len(counted) + processed.left_out_count(record)
    assert processed.left_out_count(record) == after
    lines = processed.left_out_lines([record])
    if after:
        assert lines == [f"{after} {'aktivitet' if after == 1 else 'aktiviteter'} dateret efter "
                         f"helhedsplanens slutdato {end.day}.{end.month}.{end.year} er ikke talt "
                         f"med (data/raw/{end.year}/{src.filename}, "
                         f"{'række' if after == 1 else 'rækkerne'} "
                         + ", ".join(str(r) for r in sorted(record["udeladt"][0]["raekker"])[:10])
                         + (f" og {after - 10} flere" if after > 10 else "") + ")."]
    else:
        assert lines == [] and "udeladt" not in record
    # The calendar year's total is the rows counted: nothing else disappears on the way.
    rows = activities.indicator_rows(cfg, cfg.delmaal_of(cfg.activity_targets.id),
                                     cfg.activity_targets, got.table, end.year, 3)
    total = next(r for r in rows if r["indikator_id"] == activities.EVENTS
                 and r["enhed_navn"].startswith(f"kalenderår {end.year}"))
    assert total["vaerdi"] == len(dates) - after


@settings(max_examples=12, deadline=None)
@given(attendance=st.lists(st.one_of(st.integers(3, 40), st.just("intet møde")),
                           min_size=4, max_size=4))
def test_every_attendance_row_is_counted_or_said_to_have_no_meeting(cfg, attendance):
    src = SOURCES["afdelingsmoeder"]
    year = 2024
    rows = [{"afdeling": a, "moededato": f"14-09-{year}", "fremmoedte": n}
            for a, n in zip(cfg.afdelinger, attendance, strict=True)]
    with tempfile.TemporaryDirectory() as tmp:
        raw = Path(tmp)
        shutil.copytree(REPO / "data" / "raw", raw, dirs_exist_ok=True)
        write_source_workbook(src, raw / str(year) / src.filename, year, rows, example=False,
                              cfg=cfg)
        got = collect(src, cfg, raw, year)
    assert got.problems == []
    record = next(i for i in got.inputs if i["aar"] == year)
    this_year = got.table[got.table["aar"] == year].set_index("afdeling")
    assert record["raekker"] == len(rows) == len(this_year) and "udeladt" not in record
    for afd, n in zip(cfg.afdelinger, attendance, strict=True):
        assert bool(this_year.loc[afd, "moede_holdt"]) == (n != "intet møde")
        if n != "intet møde":
            assert this_year.loc[afd, "fremmoedte"] == n
