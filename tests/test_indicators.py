"""The indicator table against the delaftale and against an independent recomputation."""

import math

import openpyxl
import pandas as pd
import pytest

from helhedsplan import indicators, stats
from helhedsplan.formatting import pct

from .conftest import REPO


@pytest.fixture(scope="module")
def table(processed_2024, cfg):
    return indicators.compute(cfg, processed_2024, 2024)


def _row(table, indikator_id, enhed_navn, year):
    rows = table[(table["indikator_id"] == indikator_id) & (table["enhed_navn"] == enhed_navn)
                 & (table["aar"] == year)]
    assert len(rows) == 1, (indikator_id, enhed_navn, year)
    return rows.iloc[0]


@pytest.mark.parametrize(("afd", "k", "n", "shown"), [
    (22, 41, 648, "6,3 pct."), (30, 28, 388, "7,2 pct."), (35, 27, 416, "6,5 pct."),
    (24, 23, 511, "4,5 pct."),
])
def test_attendance_baseline_2020_is_the_delaftale(table, afd, k, n, shown):
    r = _row(table, "deltagelse", f"Afd. {afd}", 2020)
    assert (r["taeller"], r["naevner"]) == (k, n)
    assert pct(r["vaerdi"], int(r["decimaler"])) == shown
    assert r["status"] == stats.STATUS_BASELINE and r["note"] == ""


def test_livskvalitet_baseline_2018_is_the_delaftale(table):
    r = _row(table, "livskvalitet", "Hele helhedsplanen", 2018)
    assert (r["taeller"], r["naevner"]) == (115, 148)
    assert pct(r["vaerdi"], int(r["decimaler"])) == "78 pct."
    c = _row(table, "livskvalitet", "Alle helhedsplaner", 2018)
    assert (c["taeller"], c["naevner"]) == (8064, 10473)
    assert pct(c["vaerdi"], int(c["decimaler"])) == "77 pct."


def test_police_baseline_2020_is_the_delaftale(table):
    r = _row(table, "anmeldelser", "Boligområderne i alt", 2020)
    assert r["vaerdi"] == 108
    share = _row(table, "anmeldelser_andel", "Boligområdernes andel af kommunens anmeldelser", 2020)
    assert (share["taeller"], share["naevner"]) == (108, 2453)
    assert pct(share["vaerdi"], int(share["decimaler"])) == "4,40 pct."


def test_every_year_since_baseline_is_present(table):
    for indikator_id, unit, first in [("deltagelse", "Afd. 22", 2020),
                                      ("livskvalitet", "Hele helhedsplanen", 2018),
                                      ("anmeldelser", "Boligområderne i alt", 2020)]:
        years = table[(table["indikator_id"] == indikator_id) & (table["enhed_navn"] == unit)]
        assert years["aar"].tolist() == list(range(first, 2025))
    unmeasured = _row(table, "livskvalitet", "Hele helhedsplanen", 2022)
    assert not unmeasured["maalt"] and math.isnan(unmeasured["vaerdi"])  # not zero
    assert unmeasured["status"] == stats.STATUS_NOT_MEASURED


def test_helhedsplan_attendance_sums_counts(table):
    r = _row(table, "deltagelse", "Hele helhedsplanen", 2024)
    afd = table[(table["indikator_id"] == "deltagelse") & (table["niveau"] == "afdeling")
                & (table["aar"] == 2024)]
    assert r["taeller"] == afd["taeller"].sum() and r["naevner"] == afd["naevner"].sum()
    assert r["vaerdi"] != pytest.approx(afd["vaerdi"].mean())  # not an average of shares


def _sheet_rows(path):
    ws = openpyxl.load_workbook(path, read_only=True).worksheets[0]
    rows = list(ws.iter_rows(values_only=True))
    return [dict(zip(rows[0], r, strict=False)) for r in rows[1:] if any(v is not None for v in r)]


def test_independent_recomputation_from_raw(table):
    """Recompute every measured share and count straight from the spreadsheets with openpyxl."""
    raw = REPO / "data" / "raw"
    area_of = {22: "Kløver-/Hvedemarken", 30: "Stenbjergparken", 35: "Nørager",
               24: "Søstjernevej m.fl."}
    checked = 0
    for year in range(2020, 2025):
        residents = {r["Boligområde"]: r["Beboere 18+"]
                     for r in _sheet_rows(raw / str(year) / "beboerdata.xlsx")}
        for r in _sheet_rows(raw / str(year) / "sab_afdelingsmoeder.xlsx"):
            k, n = r["Fremmødte beboere"], residents[area_of[r["Afdeling"]]]
            row = _row(table, "deltagelse", f"Afd. {r['Afdeling']}", year)
            assert row["vaerdi"] == pytest.approx(100 * k / n)
            checked += 1
        police = {r["Område"]: r["Anmeldelser"]
                  for r in _sheet_rows(raw / str(year) / "politi_anmeldelser.xlsx")}
        assert _row(table, "anmeldelser", "Boligområderne i alt", year)["vaerdi"] == police[
            "Boligområderne i alt"]
        share = _row(table, "anmeldelser_andel", "Boligområdernes andel af kommunens anmeldelser", year)
        assert share["vaerdi"] == pytest.approx(
            100 * police["Boligområderne i alt"] / police["Sønderborg Kommune i alt"])
        checked += 2
    for year in (2018, 2021, 2023):
        for r in _sheet_rows(raw / str(year) / "vive_livskvalitet.xlsx"):
            label = r["Gruppe"]
            row = _row(table, "livskvalitet", label, year)
            assert row["vaerdi"] == pytest.approx(
                100 * r["Meget tilfreds eller tilfreds"] / r["Antal svar"])
            checked += 1
    measured = table[table["maalt"] & table["vaerdi"].notna()
                     & table["indikator_id"].isin(["deltagelse", "livskvalitet",
                                                   "anmeldelser_andel"])
                     & (table["niveau"] != "helhedsplan")]
    assert checked >= len(measured)


def test_small_counts_are_suppressed(cfg, processed_2024, tmp_path):
    # Two people at afd. 24's meeting in 2024: below the discretion threshold of 3.
    for f in processed_2024.iterdir():
        (tmp_path / f.name).write_bytes(f.read_bytes())
    meetings = pd.read_csv(tmp_path / "afdelingsmoeder.csv")
    meetings.loc[(meetings["aar"] == 2024) & (meetings["afdeling"] == 24), "fremmoedte"] = 2
    meetings.to_csv(tmp_path / "afdelingsmoeder.csv", index=False)
    t = indicators.compute(cfg, tmp_path, 2024)
    r = _row(t, "deltagelse", "Afd. 24", 2024)
    assert r["undertrykt"] and "diskretion" in r["note"]
    assert math.isnan(r["vaerdi"]) and math.isnan(r["taeller"]) and math.isnan(r["aendring"])
    assert cfg.diskretion.mindste_antal == 3


def test_attendance_without_residents_is_an_error(cfg, processed_2024, tmp_path):
    from helhedsplan.errors import InputError
    for f in processed_2024.iterdir():
        (tmp_path / f.name).write_bytes(f.read_bytes())
    res = pd.read_csv(tmp_path / "beboerdata.csv")
    res = res[~((res["aar"] == 2023) & (res["boligomraade"] == "Nørager"))]
    res.to_csv(tmp_path / "beboerdata.csv", index=False)
    with pytest.raises(InputError, match="afd. 35 har fremmøde for 2023"):
        indicators.compute(cfg, tmp_path, 2024)


def _wilson_by_hand(k, n, z=1.959963984540054):
    """Wilson (1927) score interval, written out here independently of the package."""
    p = k / n
    centre = (2 * k + z * z) / (2 * (n + z * z))
    half = z * (z * z + 4 * k * (1 - p)) ** 0.5 / (2 * (n + z * z))
    return 100 * (centre - half), 100 * (centre + half)


def test_independent_recomputation_of_totals_context_and_intervals(table):
    """The rows the first recomputation does not cover: helhedsplan totals, police per area and
    the kommune, the target group, and every Wilson interval."""
    raw = REPO / "data" / "raw"
    area_of = {22: "Kløver-/Hvedemarken", 30: "Stenbjergparken", 35: "Nørager",
               24: "Søstjernevej m.fl."}
    for year in range(2020, 2025):
        residents = {r["Boligområde"]: r for r in _sheet_rows(raw / str(year) / "beboerdata.xlsx")}
        meetings = _sheet_rows(raw / str(year) / "sab_afdelingsmoeder.xlsx")
        k = sum(r["Fremmødte beboere"] for r in meetings)
        n = sum(residents[area_of[r["Afdeling"]]]["Beboere 18+"] for r in meetings)
        row = _row(table, "deltagelse", "Hele helhedsplanen", year)
        assert (row["taeller"], row["naevner"]) == (k, n)
        police = {r["Område"]: r["Anmeldelser"]
                  for r in _sheet_rows(raw / str(year) / "politi_anmeldelser.xlsx")}
        for place, count in police.items():
            if place != "Boligområderne i alt":
                assert _row(table, "anmeldelser", place, year)["vaerdi"] == count
    for year in range(2018, 2025):
        rows = _sheet_rows(raw / str(year) / "beboerdata.xlsx")
        for header, measure in [("Beboere 18+", "beboere_18_plus"),
                                ("Førtidspensionister (fuldtidspersoner)", "foertidspensionister")]:
            values = {r["Boligområde"]: r[header] for r in rows if r.get(header) is not None}
            for area, value in values.items():
                assert _row(table, measure, area, year)["vaerdi"] == pytest.approx(value)
            if len(values) == 4:
                assert _row(table, measure, "I alt", year)["vaerdi"] == pytest.approx(
                    sum(values.values()))
    shares = table[(table["enhed"] == "pct.") & table["ci_lav"].notna()]
    assert len(shares) > 30
    for r in shares.itertuples():
        lo, hi = _wilson_by_hand(r.taeller, r.naevner)
        assert (r.ci_lav, r.ci_hoej) == (pytest.approx(lo), pytest.approx(hi))


def test_independent_recomputation_of_activity_targets(table):
    raw = REPO / "data" / "raw"
    rows = _sheet_rows(raw / "2024" / "aktivitetslog.xlsx")
    themes = {"Frivillige sociale indsatser", "Demokrati og valgdeltagelse",
              "Trivsel i boligafdelingerne"}
    months = {r["Dato"].month for r in rows if r["Sted"] != "Uden for boligområderne"}
    themed = [r for r in rows if r["Tema"] in themes]
    outside = [r for r in themed if r["Sted"] == "Uden for boligområderne"
               and "Frivillighedens Hus" in (r["Samarbejdspartnere"] or "")]

    def value(indikator_id):
        return _row(table, indikator_id, "kalenderår 2024", 2024)["vaerdi"]

    assert value("maaneder_med_aktivitet") == len(months)
    assert value("temaarrangementer") == len(themed)
    assert value("uden_for_boligomraaderne") == len(outside)
    assert value("deltagere") == sum(r["Deltagere"] for r in rows)
    assert value("heraf_beboere") == sum(r["Heraf beboere"] for r in rows)
    assert value("medarrangeret") == sum(r["Beboere med til at arrangere"] == "ja" for r in rows)
