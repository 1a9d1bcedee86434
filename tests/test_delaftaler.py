"""The delaftale is data: a revised delaftale, or another one, gets a correct report by changing
only the configuration and the data. Each revision is checked against a computation written
here, from the spreadsheets' own figures, not against the program's output."""

from __future__ import annotations

import datetime as dt
import math
import re
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
import yaml
from scipy import stats as sps

from helhedsplan import config, indicators, pipeline, report, workbook
from helhedsplan.inputs import check_inputs, ingest
from helhedsplan.pipeline.stages import build_info
from helhedsplan.sources import indikatorark, sources_for
from helhedsplan.sources.base import write

from .conftest import REPO, D, project_copy

Z = 1.959963984540054  # the normal distribution's 97,5 pct. point


def wilson(k: int, n: int) -> tuple[float, float]:
    p = k / n
    denom = 1 + Z * Z / n
    centre = (p + Z * Z / (2 * n)) / denom
    half = Z * math.sqrt(p * (1 - p) / n + Z * Z / (4 * n * n)) / denom
    return 100 * (centre - half), 100 * (centre + half)


def two_proportions(k1: int, n1: int, k0: int, n0: int) -> float:
    pooled = (k1 + k0) / (n1 + n0)
    se = math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n0))
    return 2 * sps.norm.sf(abs((k1 / n1 - k0 / n0) / se))


def status_of(p: float, change: float) -> str:
    if p >= 0.05 or change == 0:
        return "ingen sikker ændring"
    return "tydelig fremgang" if change > 0 else "tydelig tilbagegang"


def compute(root: Path, delaftale: str, year: int, tmp: Path) -> pd.DataFrame:
    """The indicator table as the pipeline makes it (ingest, then indicators), no kernels."""
    cfg = config.load(root, delaftale).for_report(year)
    out = tmp / f"processed-{delaftale}-{year}"
    for src in sources_for(cfg).values():
        write(ingest(src, cfg, root / "data" / "raw", year), src, out)
    table = indicators.compute(config.load(root, delaftale), out, year)
    indicators.write(table, out)
    return indicators.read(out)


def row(table: pd.DataFrame, indikator_id: str, unit: str, year: int) -> pd.Series:
    got = table[(table["indikator_id"] == indikator_id) & (table["enhed_navn"] == unit)
                & (table["aar"] == year)]
    assert len(got) == 1, (indikator_id, unit, year, len(got))
    return got.iloc[0]


def edit_yaml(path: Path, change) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


@pytest.fixture()
def project(tmp_path) -> Path:
    return project_copy(tmp_path / "projekt")


# --- the second delaftale: a different shape ------------------------------------------------------

def _sheet(root: Path, year: int, name: str = "indikatorark_beskaeftigelse.xlsx") -> dict:
    """The indikatorark's rows as the analyst typed them: {(indikator, enhed): row values}."""
    wb = openpyxl.load_workbook(root / "data" / "raw" / str(year) / name)
    rows = list(wb["Indikatorer"].iter_rows(values_only=True))
    head = rows[0]
    return {(r[0], r[1]): dict(zip(head, r, strict=False)) for r in rows[1:] if r[0]}


def test_the_beskaeftigelse_delaftale_is_computed_from_its_indikatorark(tmp_path):
    table = compute(REPO, "beskaeftigelse", 2024, tmp_path)
    areas = ["Kløver-/Hvedemarken", "Stenbjergparken", "Nørager", "Søstjernevej m.fl."]
    now = _sheet(REPO, 2024)
    base = _sheet(REPO, 2019)
    name = "Andel 18-64-årige i beskæftigelse"
    for area in areas:
        k, n = now[(name, area)]["Tæller"], now[(name, area)]["Nævner"]
        bk, bn = base[(name, area)]["Tæller"], base[(name, area)]["Nævner"]
        r = row(table, "beskaeftigede", area, 2024)
        assert (r["taeller"], r["naevner"]) == (k, n)
        assert r["vaerdi"] == pytest.approx(100 * k / n)
        assert (r["ci_lav"], r["ci_hoej"]) == pytest.approx(wilson(k, n))
        assert (r["baseline_aar"], r["baseline_taeller"], r["baseline_naevner"]) == (2019, bk, bn)
        p = two_proportions(k, n, bk, bn)
        assert r["p_vaerdi"] == pytest.approx(p)
        assert r["status"] == status_of(p, k / n - bk / bn)
    # The whole plan is the areas summed (each area's denominator once), not an average.
    k = sum(now[(name, a)]["Tæller"] for a in areas)
    n = sum(now[(name, a)]["Nævner"] for a in areas)
    bk = sum(base[(name, a)]["Tæller"] for a in areas)
    bn = sum(base[(name, a)]["Nævner"] for a in areas)
    plan = row(table, "beskaeftigede", "Hele helhedsplanen", 2024)
    assert (plan["taeller"], plan["naevner"]) == (k, n)
    assert (plan["baseline_taeller"], plan["baseline_naevner"]) == (bk, bn)
    p = two_proportions(k, n, bk, bn)
    assert plan["status"] == status_of(p, k / n - bk / bn) == "tydelig fremgang"
    # The target, 33 pct. in 2025: reached in 2024 (33,9 pct.).
    assert 100 * k / n >= 33 and plan["maal_status"] == "målet er nået"
    # 2023 (32,6 pct.) on the straight path from 2019's 29,2 to 33 in 2025? The path in 2023:
    old = _sheet(REPO, 2023)
    k23 = sum(old[(name, a)]["Tæller"] for a in areas)
    n23 = sum(old[(name, a)]["Nævner"] for a in areas)
    path = 100 * bk / bn + (33 - 100 * bk / bn) * (2023 - 2019) / (2025 - 2019)
    expected = "på vej mod målet" if 100 * k23 / n23 >= path else "ikke på vej mod målet"
    assert row(table, "beskaeftigede", "Hele helhedsplanen", 2023)["maal_status"] == expected


def test_a_baseline_value_from_a_year_of_its_own(tmp_path):
    """One area's baseline from 2020, the others' from 2019: each is measured against its own,
    the text gives each value its year, and the plan gets no sum across two years."""
    root = project_copy(tmp_path / "p", delaftaler=("beskaeftigelse",))
    name, area = "Andel 18-64-årige i beskæftigelse", "Stenbjergparken"
    own = _sheet(root, 2020)[(name, area)]
    k20, n20 = own["Tæller"], own["Nævner"]

    def move(d):
        values = d["delmaal"][0]["indikatorer"][0]["baseline"]["vaerdier"]
        v = next(v for v in values if v["enhed"] == area)
        v.update(aar=2020, taeller=k20, naevner=n20, procent=round(100 * k20 / n20, 1))

    edit_yaml(root / "config" / "delaftaler" / "beskaeftigelse.yaml", move)
    table = compute(root, "beskaeftigelse", 2024, tmp_path)
    r = row(table, "beskaeftigede", area, 2024)
    assert (r["baseline_aar"], r["baseline_taeller"], r["baseline_naevner"]) == (2020, k20, n20)
    assert row(table, "beskaeftigede", "Nørager", 2024)["baseline_aar"] == 2019
    plan = row(table, "beskaeftigede", "Hele helhedsplanen", 2024)
    assert pd.isna(plan["baseline_aar"]) and plan["status"] == "ingen baseline"
    assert "forskellige år (2019 og 2020)" in plan["note"]
    cfg = config.load(root, "beskaeftigelse")
    text = report.baseline_text(cfg, cfg.indicator("beskaeftigede"))
    assert f"Stenbjergparken: {k20} af {n20}" in text and "(2020)" in text
    assert text.count("(2019)") == 3


def test_a_plan_only_share_and_a_yearly_count_target(tmp_path):
    table = compute(REPO, "beskaeftigelse", 2024, tmp_path)
    young = "Andel 15-17-årige i uddannelse"
    k, n = _sheet(REPO, 2024)[(young, "Hele helhedsplanen")]["Tæller"], \
        _sheet(REPO, 2024)[(young, "Hele helhedsplanen")]["Nævner"]
    r = row(table, "unge_i_uddannelse", "Hele helhedsplanen", 2024)
    assert r["vaerdi"] == pytest.approx(100 * k / n) and r["baseline_aar"] == 2020
    assert set(table.loc[table["indikator_id"] == "unge_i_uddannelse", "niveau"]) == {"helhedsplan"}
    # 2021 says 'ikke målt' in the sheet: not measured, and the note says where it was said.
    r21 = row(table, "unge_i_uddannelse", "Hele helhedsplanen", 2021)
    assert not r21["maalt"] and "ikke målt" in r21["note"]
    advice = "Borgere i Åben Rådgivning"
    for year, met in ((2023, "mål ikke nået"), (2024, "mål nået")):
        count = _sheet(REPO, year)[(advice, "Hele helhedsplanen")]["Antal"]
        r = row(table, "borgere_i_raadgivning", "Hele helhedsplanen", year)
        assert r["vaerdi"] == count and r["maal"] == 150
        assert r["maal_status"] == (met if (count >= 150) == (met == "mål nået") else "?")
        lo = sps.chi2.ppf(0.025, 2 * count) / 2
        assert r["ci_lav"] == pytest.approx(lo)
        assert r["p_vaerdi"] == pytest.approx(sps.binomtest(int(count), int(count + 128),
                                                            0.5).pvalue)


def test_the_beskaeftigelse_report_text_follows_its_configuration(tmp_path):
    table = compute(REPO, "beskaeftigelse", 2024, tmp_path)
    cfg = config.load(REPO, "beskaeftigelse").for_report(2024)
    data = report.ReportData(cfg, 2024, table, [])
    page1 = report.summary(data)
    for d in cfg.delmaal:
        assert d.kort_navn in page1
    assert "målet er nået (mål: 33,0\u00a0pct. i 2025)" in page1.replace(" pct.", "\u00a0pct.")
    assert "mål nået (mål: 150 om året)" in page1
    text = report.delmaal_text(data, cfg.delmaal[0])
    assert "Kløver-/Hvedemarken: 212 af 720 18-64-årige (29,4 pct.)" in text
    assert "**Mål:** mindst 33,0 pct. i 2025 for hele helhedsplanen." in text
    assert "tydelig fremgang" in report.status_table(data, "beskaeftigede").lower()


# --- revisions: only the configuration and the data change ----------------------------------------

def _add_afdeling_rows(root: Path, afdeling: int, counts: dict[int, int]) -> None:
    for year, k in counts.items():
        path = root / "data" / "raw" / str(year) / "sab_afdelingsmoeder.xlsx"
        wb = openpyxl.load_workbook(path)
        wb["Afdelingsmøder"].append([afdeling, dt.datetime(year, 9, 20), k])
        wb.save(path)


def test_an_afdeling_added_to_a_boligomraade(project, tmp_path):
    """Afdeling 23 joins Kløver-/Hvedemarken (afdelinger: [22, 23]) with its rows in every SAB
    sheet. It shares the area's residents 18+; the delaftale gives no baseline for it, so its
    baseline is its 2020 figure (said in a note), and the whole plan counts the area's 18+
    once."""
    edit_yaml(project / "config" / "helhedsplan.yaml", lambda d: d["boligomraader"][0].update(
        {"afdelinger": [22, 23], "afdeling": None}) or d["boligomraader"][0].pop("afdeling"))
    k23 = {2020: 12, 2021: 14, 2022: 15, 2023: 17, 2024: 19}
    _add_afdeling_rows(project, 23, k23)
    assert check_inputs(config.load(project, "sammenhaengskraft").for_report(2024),
                        project / "data" / "raw", 2024) == []
    table = compute(project, "sammenhaengskraft", 2024, tmp_path)
    r18 = {2020: 648, 2024: 658}  # Kløver-/Hvedemarken's residents 18+ in Beboerdata
    r = row(table, "deltagelse", "Afd. 23", 2024)
    assert (r["taeller"], r["naevner"]) == (19, r18[2024])
    assert (r["baseline_taeller"], r["baseline_naevner"]) == (12, r18[2020])
    assert "Delaftalen angiver ingen baseline for Afd. 23" in r["note"]
    p = two_proportions(19, 658, 12, 648)
    assert r["status"] == status_of(p, 19 / 658 - 12 / 648)
    # The plan: all five afdelinger's attendance over the four areas' residents.
    k = 58 + 39 + 34 + 33 + 19
    n = 658 + 395 + 418 + 517
    bk, bn = 41 + 28 + 27 + 23 + 12, 648 + 388 + 416 + 511
    plan = row(table, "deltagelse", "Hele helhedsplanen", 2024)
    assert (plan["taeller"], plan["naevner"]) == (k, n)
    assert (plan["baseline_taeller"], plan["baseline_naevner"]) == (bk, bn)
    assert plan["p_vaerdi"] == pytest.approx(two_proportions(k, n, bk, bn))


def _write_indikatorark(root: Path, delaftale: str, rows_by_year: dict[int, list[dict]]):
    cfg0 = config.load(root, delaftale)
    for year, rows in rows_by_year.items():
        cfg = cfg0.for_report(year)
        src = indikatorark.for_delaftale(cfg)
        workbook.write_source_workbook(src, root / "data" / "raw" / str(year) / src.filename,
                                       year, rows, example=False, cfg=cfg)


def test_a_new_indicator_added_to_a_delmaal(project, tmp_path):
    """Valgdeltagelse (from the indikatorark) added to the attendance delmål, baseline 2021."""
    def add(d):
        d["delmaal"][0]["indikatorer"].append({
            "id": "valgdeltagelse", "navn": "Valgdeltagelse ved kommunalvalget", "type": "andel",
            "kilde": "indikatorark", "definition": "Andel af de stemmeberettigede, der stemte.",
            "enheder": ["helhedsplan"], "decimaler": 1, "datakilde": "Danmarks Statistik",
            "baseline": {"aar": 2021, "vaerdier": [
                {"enhed": "helhedsplan", "taeller": 702, "naevner": 1874, "procent": 37.5}]}})
    edit_yaml(project / "config" / "delaftaler" / "sammenhaengskraft.yaml", add)
    name = "Valgdeltagelse ved kommunalvalget"
    votes = {2021: (702, 1874), 2022: (715, 1880), 2023: (731, 1869), 2024: (781, 1890)}
    _write_indikatorark(project, "sammenhaengskraft", {
        y: [{"indikator": name, "enhed": "Hele helhedsplanen", "taeller": k, "naevner": n}]
        for y, (k, n) in votes.items()})
    table = compute(project, "sammenhaengskraft", 2024, tmp_path)
    r = row(table, "valgdeltagelse", "Hele helhedsplanen", 2024)
    assert r["delmaal_id"] == "afdelingsmoeder"
    assert r["vaerdi"] == pytest.approx(100 * 781 / 1890)
    p = two_proportions(781, 1890, 702, 1874)
    assert r["p_vaerdi"] == pytest.approx(p)
    assert r["status"] == status_of(p, 781 / 1890 - 702 / 1874)
    # The old indicators are untouched by it.
    assert row(table, "deltagelse", "Hele helhedsplanen", 2024)["taeller"] == 164
    cfg = config.load(project, "sammenhaengskraft").for_report(2024)
    assert "Valgdeltagelse ved kommunalvalget" in report.summary(
        report.ReportData(cfg, 2024, table, []))


def test_a_baseline_year_moved_keeps_earlier_reports_as_they_were(project, tmp_path):
    """The board moves the attendance baseline from 2020 to 2022 from the 2024 report on: the
    2024 report measures against 2022; the 2023 report, rebuilt, still against 2020."""
    def move(d):
        ind = d["delmaal"][0]["indikatorer"][0]
        ind["baseline"] = [ind["baseline"], {
            "aar": 2022, "gaelder_fra": 2024, "revision": "flyttet til 2022",
            "vaerdier": [{"enhed": "afd. 22", "taeller": 47, "naevner": 655},
                         {"enhed": "afd. 30", "taeller": 33, "naevner": 386},
                         {"enhed": "afd. 35", "taeller": 31, "naevner": 419},
                         {"enhed": "afd. 24", "taeller": 27, "naevner": 515}]}]
    edit_yaml(project / "config" / "delaftaler" / "sammenhaengskraft.yaml", move)
    t24 = compute(project, "sammenhaengskraft", 2024, tmp_path)
    plan = row(t24, "deltagelse", "Hele helhedsplanen", 2024)
    bk, bn = 47 + 33 + 31 + 27, 655 + 386 + 419 + 515
    assert (plan["baseline_aar"], plan["baseline_taeller"], plan["baseline_naevner"]) == \
        (2022, bk, bn)
    assert plan["aendring"] == pytest.approx(100 * 164 / 1988 - 100 * bk / bn)
    assert plan["status"] == status_of(two_proportions(164, 1988, bk, bn), 164 / 1988 - bk / bn)
    assert set(t24.loc[t24["indikator_id"] == "deltagelse", "aar"]) == {2022, 2023, 2024}
    t23 = compute(project, "sammenhaengskraft", 2023, tmp_path)
    assert row(t23, "deltagelse", "Hele helhedsplanen", 2023)["baseline_aar"] == 2020
    cfg = config.load(project, "sammenhaengskraft").for_report(2024)
    text = report.baseline_text(cfg, cfg.indicator("deltagelse"))
    assert "(2022)" in text and "fra rapporten for 2024 måles mod 2022" in text
    assert "rapporterne før målte mod 2020" in text


def test_a_delmaal_removed(project, tmp_path):
    edit_yaml(project / "config" / "delaftaler" / "sammenhaengskraft.yaml",
              lambda d: d.update(delmaal=[x for x in d["delmaal"] if x["id"] != "livskvalitet"]))
    for year in (2018, 2021, 2023):  # VIVE's files are not read any more
        (project / "data" / "raw" / str(year) / "vive_livskvalitet.xlsx").unlink()
    comments = project / "data" / "raw" / "2024" / "bemaerkninger.md"
    text = comments.read_text(encoding="utf-8")
    comments.write_text(re.sub(r"## Livskvalitet i hverdagen\n.*?(?=## )", "", text, flags=re.S),
                        encoding="utf-8")
    cfg = config.load(project, "sammenhaengskraft").for_report(2024)
    assert "vive_livskvalitet" not in cfg.kilder()
    table = compute(project, "sammenhaengskraft", 2024, tmp_path)
    assert "livskvalitet" not in set(table["delmaal_id"])
    page1 = report.summary(report.ReportData(cfg, 2024, table, []))
    assert "Livskvalitet" not in page1 and "Flere deltager i afdelingsmøderne" in page1


def test_attendance_shown_per_boligomraade_only_is_the_sum_of_its_afdelinger(project, tmp_path):
    """SAB counts per afdeling; an indicator shown per boligområde and for the plan (no afdeling
    level) sums the afdelinger it does not show, year for year, baseline included."""
    before = compute(project_copy(tmp_path / "foer"), D, 2024, tmp_path / "foer")
    edit_yaml(project / "config" / "delaftaler" / f"{D}.yaml", lambda d: d["delmaal"][0][
        "indikatorer"][0].update(enheder=["boligomraade", "helhedsplan"], baseline={"aar": 2021}))
    table = compute(project, D, 2024, tmp_path)
    ind = "deltagelse"
    assert set(table.loc[table["indikator_id"] == ind, "niveau"]) == {"boligområde",
                                                                         "helhedsplan"}
    cfg = config.load(project, D)
    for year in range(2021, 2025):
        for area in cfg.area_names:
            parts = [row(before, ind, f"Afd. {a}", year) for a in cfg.plan.boligomraader[
                cfg.area_names.index(area)].numre]
            got = row(table, ind, area, year)
            assert got["maalt"] and got["taeller"] == sum(p["taeller"] for p in parts), (area, year)
            assert got["naevner"] == parts[0]["naevner"]  # the area's residents 18+, once
        plan = row(table, ind, "Hele helhedsplanen", year)
        if year > 2021:  # measured against the parts' 2021 figures, and said so
            assert (plan["baseline_taeller"], plan["baseline_naevner"]) == (
                row(table, ind, "Hele helhedsplanen", 2021)["taeller"],
                row(table, ind, "Hele helhedsplanen", 2021)["naevner"])
            assert "baseline er summen af delenes tal for 2021 i data" in plan["note"]
        assert (plan["taeller"], plan["naevner"]) == (
            row(before, ind, "Hele helhedsplanen", year)["taeller"],
            row(before, ind, "Hele helhedsplanen", year)["naevner"])


def test_a_survey_per_boligomraade_only_with_a_baseline_year(project, tmp_path):
    """VIVE shown per boligområde only, the delaftale naming the baseline year but no figures:
    each area's 2023 figure is its baseline, and page 1, the chapter and the notes agree."""
    def per_area(d):
        ind = next(x for x in d["delmaal"] if x["id"] == "livskvalitet")["indikatorer"][0]
        ind.update(enheder=["boligomraade"], baseline={"aar": 2023})

    edit_yaml(project / "config" / "delaftaler" / f"{D}.yaml", per_area)
    table = compute(project, D, 2024, tmp_path)
    cfg = config.load(project, D).for_report(2024)
    ind = next(i for _, i in cfg.indicators() if i.type == "svarfordeling")
    rows = table[(table["indikator_id"] == ind.id) & (table["aar"] == 2023)
                 & (table["niveau"] == "boligområde")]
    assert len(rows) == len(cfg.area_names) and rows["baseline_aar"].eq(2023).all()
    assert (rows["baseline_vaerdi"] == rows["vaerdi"]).all() and rows["status"].eq("baseline").all()
    earlier = table[(table["indikator_id"] == ind.id) & (table["aar"] == 2021)
                    & (table["niveau"] == "boligområde")]
    assert all(note == f"Ikke målt i 2021: VIVEs tal for året har ingen række for {unit}"
               for note, unit in zip(earlier["note"], earlier["enhed_navn"], strict=True))
    data = report.ReportData(cfg, 2024, table, [])
    line = next(x for x in report.summary(data).splitlines() if ind.navn in x)
    assert "se tabellen" in line.split("|")[3] and line.split("|")[6].strip() == "Baseline", line
    assert "4\u00a0boligområder (2023)" in line or "4 boligområder (2023)" in line, line
    absent = " ".join(report.report_year_absences(data))
    assert "**Livskvalitet i hverdagen:** ikke målt i 2024 (heller ikke for Alle " \
           "helhedsplaner)" in absent, absent
    assert report.baseline_text(cfg, ind).startswith(
        "Delaftalen angiver baselineåret 2023, men ingen tal")


def test_a_target_added(project, tmp_path):
    edit_yaml(project / "config" / "delaftaler" / "sammenhaengskraft.yaml",
              lambda d: d["delmaal"][0]["indikatorer"][0].update(maal={"vaerdi": 8, "aar": 2025}))
    table = compute(project, "sammenhaengskraft", 2024, tmp_path)
    base = 100 * 119 / 1963
    for year, (k, n) in {2021: (119, 1965), 2022: (138, 1975), 2023: (148, 1986),
                         2024: (164, 1988)}.items():
        value = 100 * k / n
        path = base + (8 - base) * (year - 2020) / (2025 - 2020)
        expected = ("målet er nået" if value >= 8 else
                    "på vej mod målet" if value >= path else "ikke på vej mod målet")
        r = row(table, "deltagelse", "Hele helhedsplanen", year)
        assert (r["maal"], r["maal_aar"], r["maal_status"]) == (8, 2025, expected), year
    assert row(table, "deltagelse", "Afd. 22", 2024)["maal_status"] == ""  # the plan's target


def test_no_code_knows_this_delaftales_ids():
    """Outside the source modules and the configuration, no indicator, figure or report code,
    and no report notebook, names this delaftale's delmål or indicators."""
    src = REPO / "src" / "helhedsplan"
    cfg = config.default(D)
    ids = {d.id for d in cfg.delmaal} | {i.id for d in cfg.delmaal for i in d.indikatorer}
    ids -= {i.type for d in cfg.delmaal for i in d.indikatorer}  # a kind's name is the schema's
    assert {"afdelingsmoeder", "deltagelse", "livskvalitet", "anmeldelser"} <= ids
    files = [*sorted((src / "indicators").glob("*.py")), *sorted((src / "figures").glob("*.py")),
             *sorted((src / "report").glob("*.py")), *sorted((REPO / "reports").glob("*.ipynb"))]
    for path in files:
        text = path.read_text(encoding="utf-8")
        for word in ids:
            assert f'"{word}"' not in text and f"'{word}'" not in text, (path.name, word)


def test_a_delmaal_ended_by_a_revision_keeps_its_files_and_earlier_reports(project, tmp_path):
    # gaelder_til: the board ended the delmål after 2023. Its files of earlier years stay where
    # they are (they are the 2023 report's inputs), and ikke_maalt.txt may still name VIVE.
    edit_yaml(project / "config" / "delaftaler" / "sammenhaengskraft.yaml",
              lambda d: next(x for x in d["delmaal"] if x["id"] == "livskvalitet").update(
                  gaelder_til=2023))
    comments = project / "data" / "raw" / "2024" / "bemaerkninger.md"
    text = comments.read_text(encoding="utf-8")
    comments.write_text(re.sub(r"## Livskvalitet i hverdagen\n.*?(?=## )", "", text, flags=re.S),
                        encoding="utf-8")
    cfg = config.load(project, "sammenhaengskraft")
    assert check_inputs(cfg, project / "data" / "raw", 2024) == []
    assert check_inputs(cfg, project / "data" / "raw", 2023) == []
    assert "livskvalitet" not in set(compute(project, "sammenhaengskraft", 2024, tmp_path)
                                     ["delmaal_id"])
    # The 2023 report is as it was before the revision, figure for figure.
    earlier = compute(project, "sammenhaengskraft", 2023, tmp_path)
    before = compute(project_copy(tmp_path / "foer"), "sammenhaengskraft", 2023,
                     tmp_path / "foer")
    assert "livskvalitet" in set(earlier["delmaal_id"])
    pd.testing.assert_frame_equal(earlier, before)
    # The build of 2024 does not run VIVE's ingest (no indicator of 2024 reads it); 2023's does.
    ingests = {year: [s.id for s in pipeline.stages(project, build_info(
        project, "sammenhaengskraft", {}, year)) if s.id.startswith("indlaes_")]
        for year in (2023, 2024)}
    assert set(ingests[2023]) - set(ingests[2024]) == {"indlaes_livskvalitet"}


def test_a_delaftale_lists_only_the_declarations_about_its_own_sources(tmp_path):
    from helhedsplan.inputs import declaration_inputs

    raw = REPO / "data" / "raw"
    every = [r["fil"] for r in declaration_inputs(config.default(D).for_report(2024), raw, 2024)]
    assert every == [f"data/raw/{y}/ikke_maalt.txt" for y in (2019, 2020, 2022, 2024)]  # VIVE
    # beskaeftigelse reads no VIVE: the example's declarations are not its inputs, so its
    # report does not list them (nor their example-data mark).
    assert declaration_inputs(config.default("beskaeftigelse").for_report(2024), raw, 2024) == []


def test_indikatorark_counts_are_whole_numbers(tmp_path):
    """10,5 borgere or a count typed as a percentage: each a Danish problem at its cell (a
    fractional count made the report's rounded figures disagree with their sum)."""
    root = project_copy(tmp_path / "p", delaftaler=("beskaeftigelse",))
    path = root / "data" / "raw" / "2024" / "indikatorark_beskaeftigelse.xlsx"
    wb = openpyxl.load_workbook(path)
    ws = wb["Indikatorer"]
    head = [c.value for c in ws[1]]
    rows = {r[0].value: r for r in ws.iter_rows(min_row=2) if r[0].value}
    rows["Borgere i Åben Rådgivning"][head.index("Antal")].value = 140.5
    cell = rows["Andel 15-17-årige i uddannelse"][head.index("Tæller")]
    cell.value, cell.number_format = 0.9, "0%"
    counted = rows["Borgere i Åben Rådgivning"][head.index("Antal")]
    wb.save(path)
    problems = [str(p) for p in check_inputs(config.load(root, "beskaeftigelse"),
                                              root / "data" / "raw", 2024)
                if str(p).startswith("fil 2024/indikatorark_")]
    assert (f"række {counted.row}, kolonne 'Antal': skal være et helt tal (fundet: 140,5)"
            in "\n".join(problems)), problems
    assert any(f"række {cell.row}, kolonne 'Tæller': skal være et helt tal: skriv antallet "
               "(fx 31), ikke en procent. Andelen regner programmet selv ud" in p
               for p in problems), problems
    assert len(problems) == 2, problems


def test_a_misspelt_unit_gets_the_closest_one(tmp_path):
    root = project_copy(tmp_path / "p", delaftaler=("beskaeftigelse",))
    path = root / "data" / "raw" / "2024" / "indikatorark_beskaeftigelse.xlsx"
    wb = openpyxl.load_workbook(path)
    ws = wb["Indikatorer"]
    cell = next(r[1] for r in ws.iter_rows(min_row=2) if r[1].value == "Stenbjergparken")
    cell.value = "Stenbjergparkn"
    wb.save(path)
    problems = [str(p) for p in check_inputs(config.load(root, "beskaeftigelse"),
                                              root / "data" / "raw", 2024)
                if f"række {cell.row}, kolonne 'Enhed'" in str(p)]
    assert len(problems) == 1 and "Mente du 'Stenbjergparken'?" in problems[0], problems
