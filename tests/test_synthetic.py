"""The synthetic scale case: a valid, clearly marked project; a report that stays readable with
many afdelinger (chapters show the whole plan, the appendix each afdeling by boligområde)."""

import hashlib

import openpyxl
import pandas as pd
import pytest

from helhedsplan import config, figures, indicators, paths, report, synthetic
from helhedsplan.excel import EXAMPLE_SHEET
from helhedsplan.inputs import check_inputs, ingest
from helhedsplan.sources import SOURCES
from helhedsplan.sources.base import write

SPEC = synthetic.Spec(afdelinger=18, omraader=3, aar=4, svar=400)


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    real_config = hashlib.sha256(paths.CONFIG_FILE.read_bytes()).hexdigest()
    root = synthetic.write_project(tmp_path_factory.mktemp("syntetisk") / "projekt", SPEC)
    assert hashlib.sha256(paths.CONFIG_FILE.read_bytes()).hexdigest() == real_config
    cfg = config.load(root / "config" / "delaftale.yaml")
    out = root / "data" / "processed" / str(SPEC.sidste_aar)
    for src in SOURCES.values():
        write(ingest(src, cfg, root / "data" / "raw", SPEC.sidste_aar), src, out)
    table = indicators.compute(cfg, out, SPEC.sidste_aar)
    return root, cfg, report.ReportData(cfg, SPEC.sidste_aar, table, [])


def test_the_generated_project_passes_every_check_and_says_it_is_synthetic(project):
    root, cfg, _ = project
    assert cfg.syntetisk
    assert len(cfg.afdelinger) == 18 and len(cfg.area_names) == 3
    assert [len(a.numre) for a in cfg.boligomraader] == [6, 6, 6]
    assert check_inputs(cfg, root / "data" / "raw", SPEC.sidste_aar) == []
    files = sorted((root / "data" / "raw").rglob("*.xlsx"))
    assert len(files) == 4 * 3 + 2 + 4  # 3 sources every year, VIVE every other year, the log from
    for f in files:                      # the plan's start (4 project years)
        about = openpyxl.load_workbook(f, read_only=True)[EXAMPLE_SHEET]
        text = " ".join(str(c) for row in about.iter_rows(values_only=True) for c in row if c)
        assert "SYNTETISKE DATA" in text, f
    assert "SYNTETISK" in (root / "config" / "delaftale.yaml").read_text(encoding="utf-8")


def test_the_plan_total_counts_each_areas_residents_once(project):
    root, cfg, data = project
    year = SPEC.sidste_aar
    t = data.table
    plan = t[(t["indikator_id"] == "deltagelse") & (t["niveau"] == "helhedsplan")
             & (t["aar"] == year)].iloc[0]
    residents = pd.read_excel(root / "data" / "raw" / str(year) / "beboerdata.xlsx",
                              engine="calamine")
    meetings = pd.read_excel(root / "data" / "raw" / str(year) / "sab_afdelingsmoeder.xlsx",
                             engine="calamine")
    assert plan["naevner"] == residents["Beboere 18+"].sum()  # 3 areas, not 18 afdelinger
    assert plan["taeller"] == meetings["Fremmødte beboere"].sum()


def test_many_afdelinger_leave_the_chapter_for_the_appendix_by_area(project):
    _, cfg, data = project
    for table in (report.status_table(data, "deltagelse"),
                  report.development_table(data, "deltagelse")):
        assert "| Afd. " not in table
        assert "Hele helhedsplanen" in table
        assert "de 18 afdelinger står i bilaget" in table
    appendix = report.units_appendix(data)
    assert appendix.startswith(f"# {report.APPENDIX_TITLE}")
    assert appendix.count("| Afd. ") == 18
    assert "\n- " not in appendix  # no note per unit and year: the appendix says where they are
    assert "indikatorer.csv" in appendix
    sections = appendix.split("### ")[1:]
    assert [s.split(" {")[0] for s in sections] == cfg.area_names
    for area, section in zip(cfg.boligomraader, sections, strict=True):
        assert sorted(int(x.split(" |")[0]) for x in section.split("| Afd. ")[1:]) == area.numre
    assert "afdelinger (se bilaget)" in report.baseline_text(cfg, "afdelingsmoeder")
    assert report.banner(data).count("Syntetiske data") == 1


def test_many_afdelinger_make_one_chart_not_a_panel_each(project):
    _, _, data = project
    fig = figures.attendance(data.table, SPEC.sidste_aar)
    assert len(fig.axes) == 1
    dots = fig.axes[0].collections[0]
    assert len(dots.get_offsets()) == 18 * SPEC.aar  # every afdeling every year, as a dot


def test_few_units_stay_in_the_chapter(processed_2024, cfg):
    data = report.ReportData(cfg, 2024, indicators.compute(cfg, processed_2024, 2024), [])
    assert report.units_appendix(data) == ""
    assert "| Afd. 22" in report.status_table(data, "deltagelse")
    assert "bilaget" not in report.development_table(data, "deltagelse")
    assert len(figures.attendance(data.table, 2024).axes) == 5
