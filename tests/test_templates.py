"""Templates: what `skabeloner` writes, that it never overwrites, and that templates filled with the
example figures give the same tables, indicators and report as the bundled example data."""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import shutil
import subprocess
import sys
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from openpyxl.utils import get_column_letter

from helhedsplan import comments, config, example_data, indicators, pipeline
from helhedsplan.errors import InputError
from helhedsplan.example_data import EXAMPLES
from helhedsplan.inputs import ingest
from helhedsplan.sources import SOURCES, sources_for, vive
from helhedsplan.sources.base import write
from helhedsplan.templates import write_templates
from helhedsplan.workbook import LISTS_SHEET

from .conftest import REPO, D, processed_dir, project_copy


def _validations(ws) -> dict[str, object]:
    """Data validations by the column letter they start in."""
    return {str(dv.sqref).split(":")[0].rstrip("0123456789"): dv
            for dv in ws.data_validations.dataValidation}


def _list_values(wb, formula: str) -> list:
    sheet, ref = formula.split("!")
    assert sheet.strip("'") == LISTS_SHEET
    cells = wb[LISTS_SHEET][ref.replace("$", "")]
    return [c[0].value for c in cells]


def test_templates_for_a_new_year(cfg, tmp_path):
    written = write_templates(2025, D, tmp_path)
    folder = tmp_path / "2025"
    own = sources_for(cfg)
    assert [w.path.name for w in written] == [*(s.filename for s in own.values()),
                                              comments.FILENAME, "ikke_maalt.txt"]
    assert all(w.written for w in written)
    assert (folder / comments.FILENAME).read_text(encoding="utf-8") == comments.template_text(
        cfg.for_report(2025), 2025)
    for src in own.values():
        wb = openpyxl.load_workbook(folder / src.filename)
        assert wb.sheetnames == [*(la.sheet for la in src.layouts), LISTS_SHEET, "Om filen"]
        assert wb[LISTS_SHEET].sheet_state == "hidden"
        for layout in src.layouts:
            ws = wb[layout.sheet]
            assert [c.value for c in ws[1]] == [c.header for c in layout.columns]  # exact names
            assert ws.max_row == 1  # nothing to clean away before filling in
            checks = _validations(ws)
            for j, col in enumerate(layout.columns):
                letter = get_column_letter(j + 1)
                if col.kind == "text" and not col.choices:
                    continue  # free text (an activity's title): nothing for Excel to check
                assert checks[letter].sqref  # every other column has its Excel-side check
                if col.choices:
                    assert checks[letter].type == "list"
                    assert _list_values(wb, checks[letter].formula1) == col.allowed(cfg)
                if col.kind in ("int", "float"):
                    assert ws.column_dimensions[letter].number_format in ("#,##0", "#,##0.0")
        about = {}
        for r in wb["Om filen"].iter_rows(values_only=True):
            if r and r[0]:
                about.setdefault(r[0], r[1:])  # first: the column table, then the example row
        assert about["År"][0] == 2025 and about["Eksempeldata"][0] == "nej"
        for col in src.columns:  # meaning, unit, source, required, allowed values, example
            meaning, unit, origin, required, allowed, example = about[col.header][:6]
            assert meaning == col.describe(cfg) and (unit or "") == col.unit
            assert origin and required in ("ja", "nej") and allowed
            assert example == col.example_for(2025)
            if col.kind == "date":  # next year's template shows a date in next year (21.8)
                assert str(example).endswith("2025"), (src.filename, col.header, example)


def test_closed_fields_offer_the_configurations_values(cfg, tmp_path):
    write_templates(2025, D, tmp_path)
    wb = openpyxl.load_workbook(tmp_path / "2025" / "vive_livskvalitet.xlsx")
    single = _validations(wb["Enkeltsvar"])
    assert _list_values(wb, single["B"].formula1) == list(vive.CATEGORIES)
    assert _list_values(wb, single["A"].formula1) == vive.groups(cfg)
    sab = openpyxl.load_workbook(tmp_path / "2025" / "sab_afdelingsmoeder.xlsx")
    checks = _validations(sab["Afdelingsmøder"])
    assert _list_values(sab, checks["A"].formula1) == [22, 30, 35, 24]
    assert checks["B"].type == "date"  # a meeting date must lie in the year
    assert (int(checks["B"].formula1), int(checks["B"].formula2)) == (
        (dt.date(2025, 1, 1) - dt.date(1899, 12, 30)).days,
        (dt.date(2025, 12, 31) - dt.date(1899, 12, 30)).days)
    assert checks["C"].errorStyle == "warning"  # 'intet møde' must stay possible


def test_existing_files_are_never_overwritten(cfg, tmp_path):
    folder = tmp_path / "2025"
    folder.mkdir()
    (folder / "politi_anmeldelser.xlsx").write_bytes(b"analytikerens egne tal")
    (folder / comments.FILENAME).write_text("## Mine noter\n", encoding="utf-8")
    written = {w.path.name: w.written for w in write_templates(2025, D, tmp_path)}
    assert written["politi_anmeldelser.xlsx"] is False and written[comments.FILENAME] is False
    assert written["beboerdata.xlsx"] is True
    assert (folder / "politi_anmeldelser.xlsx").read_bytes() == b"analytikerens egne tal"
    assert (folder / comments.FILENAME).read_text(encoding="utf-8") == "## Mine noter\n"
    before = (folder / "beboerdata.xlsx").read_bytes()
    assert not any(w.written for w in write_templates(2025, D, tmp_path))
    assert (folder / "beboerdata.xlsx").read_bytes() == before


def test_a_blank_template_asks_to_be_filled_in(cfg, tmp_path):
    write_templates(2025, D, tmp_path)
    with pytest.raises(InputError) as err:
        ingest(SOURCES["afdelingsmoeder"], cfg, tmp_path, 2025)
    assert ("fil 2025/sab_afdelingsmoeder.xlsx: filen har ingen tal: arket 'Afdelingsmøder' har "
            "kun overskrifter. Skriv tallene for 2025 ind.") in str(err.value)
    assert ("fil 2025/vive_livskvalitet.xlsx: filen har ingen tal: arket 'Livskvalitet' eller "
            "'Svarkategorier' eller 'Enkeltsvar' har kun overskrifter. Skriv tallene for 2025 "
            "ind. Er VIVE trivselsmåling ikke målt i 2025, så slet filen, og skriv linjen "
            "'vive_livskvalitet.xlsx' i data/raw/2025/ikke_maalt.txt.") in str(err.value)


def fill(path: Path, layout, rows: list[dict]) -> None:
    """Type rows into a template's sheet, as the analyst would."""
    wb = openpyxl.load_workbook(path)
    ws = wb[layout.sheet]
    for i, row in enumerate(rows, start=2):
        for j, col in enumerate(layout.columns, start=1):
            value = row.get(col.key)
            if col.kind == "date" and isinstance(value, str):
                value = dt.datetime.strptime(value, "%d-%m-%Y")
            ws.cell(row=i, column=j, value=value)
    wb.save(path)


def filled_templates(raw: Path, cfg) -> Path:
    """data/raw as the analyst would make it with the templates and the example figures."""
    years = sorted({y for by_year in EXAMPLES.values() for y in by_year})
    for year in years:
        write_templates(year, D, raw)
        for source_id, by_year in EXAMPLES.items():
            path = raw / str(year) / SOURCES[source_id].filename
            if year in by_year:
                fill(path, SOURCES[source_id].layout, by_year[year])
            else:
                path.unlink()  # not measured that year: declared, as the analyst must
        declared = example_data.not_measured(cfg).get(year, [])
        with open(raw / str(year) / "ikke_maalt.txt", "a", encoding="utf-8") as f:
            f.write("".join(f"{name}\n" for name in declared))
    return raw


def _processed(raw: Path, out: Path, cfg) -> Path:
    for src in SOURCES.values():
        write(ingest(src, cfg, raw, 2024), src, out)
    indicators.write(indicators.compute(cfg, out, 2024), out)
    return out


def test_filled_templates_give_the_same_tables_and_indicators(cfg, tmp_path):
    raw = filled_templates(tmp_path / "raw", cfg)
    bundled = _processed(REPO / "data" / "raw", tmp_path / "bundled", cfg)
    templated = _processed(raw, tmp_path / "templated", cfg)
    for src in SOURCES.values():
        a = pd.read_csv(bundled / f"{src.id}.csv")
        b = pd.read_csv(templated / f"{src.id}.csv")
        assert a["eksempeldata"].all() and not b["eksempeldata"].any()  # the template says 'nej'
        pd.testing.assert_frame_equal(a.drop(columns="eksempeldata"),
                                      b.drop(columns="eksempeldata"))
    a, b = indicators.read(bundled), indicators.read(templated)
    pd.testing.assert_frame_equal(a.drop(columns="eksempeldata"), b.drop(columns="eksempeldata"))


def test_only_the_filled_vive_sheet_counts(cfg, tmp_path):
    write_templates(2018, D, tmp_path)
    path = tmp_path / "2018" / "vive_livskvalitet.xlsx"
    fill(path, vive.CATEGORIES_LAYOUT, [
        {"gruppe": "Hele helhedsplanen", "meget_tilfreds": 60, "tilfreds": 55, "hverken_eller": 20,
         "utilfreds": 9, "meget_utilfreds": 4, "ved_ikke_antal": 7}])
    t = ingest(SOURCES["livskvalitet"], cfg, tmp_path, 2018).table
    assert t[["gruppe", "svar", "tilfredse"]].values.tolist() == [["Hele helhedsplanen", 148, 115]]


def test_command_writes_templates_and_leaves_existing_files(tmp_path):
    root = tmp_path / "projekt"
    shutil.copytree(REPO / "config", root / "config")
    env = dict(os.environ, HELHEDSPLAN_ROOT=str(root))
    cmd = [sys.executable, "-m", "helhedsplan", "skabeloner", "--aar", "2025"]
    first = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=120)
    assert first.returncode == 0, first.stderr
    assert "skrevet   data/raw/2025/beboerdata.xlsx" in first.stdout
    assert (root / "data" / "raw" / "2025" / comments.FILENAME).is_file()
    again = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=120)
    assert again.returncode == 0
    assert "findes    data/raw/2025/beboerdata.xlsx (ikke ændret)" in again.stdout


@pytest.mark.slow
def test_filled_templates_build_the_same_report(cfg, tmp_path):
    """The whole pipeline on templates filled with the example figures: the report's indicator
    table is the bundled data's, and the report is built."""
    root = project_copy(tmp_path / "projekt")
    shutil.rmtree(root / "data" / "raw")
    filled_templates(root / "data" / "raw", cfg)
    out = pipeline.build(2024, root=root, renderer="indbygget", log=lambda m: None)
    assert (out / "statusrapport.html").is_file() and (out / "statusrapport.pdf").is_file()
    built = indicators.read(processed_dir(root))
    expected = indicators.read(_processed(REPO / "data" / "raw", tmp_path / "bundled", cfg))
    pd.testing.assert_frame_equal(built.drop(columns="eksempeldata"),
                                  expected.drop(columns="eksempeldata"))
    assert not built["eksempeldata"].any()


def test_example_data_writer_gives_the_bundled_tables(cfg, tmp_path):
    """`make eksempeldata` writes with the same workbook code as the templates: its files must
    read exactly as the bundled ones."""
    from helhedsplan import example_data
    from helhedsplan.inputs import check_inputs

    example_data.write_all(tmp_path)
    assert check_inputs(cfg, tmp_path, 2024) == []
    for src in SOURCES.values():
        pd.testing.assert_frame_equal(ingest(src, cfg, REPO / "data" / "raw", 2024).table,
                                      ingest(src, cfg, tmp_path, 2024).table)


def test_benchmark_script_runs(capsys):
    """benchmarks/bench_read.py is run by hand with 100.000 rows; here only that it still works."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("bench_read",
                                                  REPO / "benchmarks" / "bench_read.py")
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    bench.REPEAT = 1
    assert bench.main(500) > 0
    assert "forhold:" in capsys.readouterr().out


def test_only_the_bundled_examples_declaration_is_example_data(tmp_path):
    """Issue 21.3: the ikke_maalt.txt that `skabeloner` writes is the analyst's own file, even
    left as written or declaring the same sources as an example year: never 'eksempeldata'.
    The bundled example's files are."""
    from helhedsplan.inputs import declaration_inputs
    from helhedsplan.sources.folder import not_measured_text

    write_templates(2025, D, tmp_path)
    (tmp_path / "2026").mkdir()
    (tmp_path / "2026" / "ikke_maalt.txt").write_text(
        not_measured_text(2026, ["vive_livskvalitet.xlsx"]), encoding="utf-8")
    cfg = config.default(D)
    inputs = {i["aar"]: i for i in declaration_inputs(cfg, tmp_path, 2026)}
    assert not inputs[2025]["eksempeldata"] and not inputs[2026]["eksempeldata"]
    bundled = declaration_inputs(cfg, REPO / "data" / "raw", 2024)
    assert bundled and all(i["eksempeldata"] for i in bundled)


def _example_row(path: Path) -> list:
    about = openpyxl.load_workbook(path)["Om filen"]
    rows = [[c.value for c in r] for r in about.iter_rows()]
    at = next(i for i, r in enumerate(rows) if r[0] == "Eksempelrække:")
    return rows[at + 2][:5]


def test_the_indikatorarks_example_is_the_delaftales_own(tmp_path):
    """A new delaftale's template showed the example delaftale's indicator as its example."""
    every = config.load_every(REPO)
    own = next(c for c in every if c.id == "beskaeftigelse")
    write_templates(2025, "beskaeftigelse", tmp_path / "a", cfgs=every)
    assert _example_row(tmp_path / "a" / "2025" / own.indikatorark_file) == [
        "Andel 18-64-årige i beskæftigelse", "Kløver-/Hvedemarken", 231, 648, None]
    # the same delaftale with the count (Åben Rådgivning) first: its own example, an Antal
    d = own.delaftale
    counted = d.model_copy(update={"delmaal": [d.delmaal[2], *d.delmaal[:2]]})
    first = dataclasses.replace(own, delaftale=counted)
    write_templates(2025, "beskaeftigelse", tmp_path / "b", cfgs=[first])
    assert _example_row(tmp_path / "b" / "2025" / own.indikatorark_file) == [
        "Borgere i Åben Rådgivning", "Hele helhedsplanen", None, None, 150]
