"""End to end: the whole chain in a scratch copy of the project, and a failing run that changes
nothing."""

import datetime as dt
import hashlib
import io
import zipfile

import openpyxl
import pytest
from pypdf import PdfReader

from helhedsplan import pipeline
from helhedsplan.errors import InputError

from .conftest import D, processed_dir, project_copy, report_dir, run_cli


def _digest(folder):
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def built(built_project):
    root, messages = built_project
    return root, report_dir(root), messages


@pytest.mark.slow
def test_build_writes_html_pdf_and_notebooks(built):
    root, out, messages = built
    assert out == report_dir(root)
    assert (out / "statusrapport.html").stat().st_size > 10_000
    assert (out / "statusrapport.pdf").stat().st_size > 10_000
    names = {p.name for p in (out / "notesbøger").iterdir()}
    assert "statusrapport.ipynb" in names and "20_indikatorer.ipynb" in names
    assert (processed_dir(root, 2024) / "indikatorer.csv").exists()
    assert [p.name for p in (root / ".byg").iterdir()] == ["koersel.laas"]  # staging cleaned up
    n = len(pipeline.stages(root, delaftale=D))
    assert any(m.startswith(f"[{n}/{n}]") for m in messages)


@pytest.mark.slow
def test_pdf_carries_the_figures(built):
    _, out, _ = built
    reader = PdfReader(out / "statusrapport.pdf")
    text = "\n".join(page.extract_text() for page in reader.pages)
    flat = " ".join(text.split())
    for figure in ["6,3 pct.", "7,2 pct.", "6,5 pct.", "4,5 pct.", "78 pct.", "77 pct.",
                   "4,40 pct.", "2.453", "8.064 af 10.473", "41 af 648", "Eksempeldata",
                   "procentpoint", "Aktiv i fællesskabet"]:
        assert figure in flat, figure
    page = reader.pages[0]
    assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == (595, 842)
    first = " ".join(reader.pages[0].extract_text().split())
    assert "Statusrapport 2024" in first


@pytest.mark.slow
def test_html_is_self_contained_and_danish(built):
    _, out, _ = built
    html = (out / "statusrapport.html").read_text(encoding="utf-8")
    assert 'lang="da"' in html
    for figure in ["6,3 pct.", "4,40 pct.", "2.453",
                   '<span aria-hidden="true">▲</span> Tydelig']:
        assert figure in html, figure
    assert 'src="http' not in html and "<script src=" not in html
    assert "aar = 2024" not in html  # papermill's injected parameters never show


@pytest.mark.slow
def test_failed_run_changes_nothing(built):
    root, out, _ = built
    before_reports = _digest(root / "reports")
    before_processed = _digest(root / "data" / "processed")
    path = root / "data" / "raw" / "2024" / "sab_afdelingsmoeder.xlsx"
    original = path.read_bytes()
    wb = openpyxl.load_workbook(path)
    wb.worksheets[0]["C3"] = "ukendt"
    wb.save(path)
    try:
        with pytest.raises(InputError) as err:
            pipeline.build(2024, root=root, renderer="indbygget", log=lambda m: None)
        assert "2024/sab_afdelingsmoeder.xlsx" in str(err.value)
        assert "række 3, kolonne 'Fremmødte beboere'" in str(err.value)
        assert _digest(root / "reports") == before_reports
        assert _digest(root / "data" / "processed") == before_processed
    finally:
        path.write_bytes(original)


def test_cli_unknown_year_is_a_danish_message(tmp_path):
    root = project_copy(tmp_path)
    run = run_cli(root, "byg", "--aar", "2031")
    assert run.returncode == 1
    assert "Der er ingen inddata for 2031" in run.stderr
    assert "Traceback" not in run.stderr
    assert not (root / "reports" / "2031").exists()


@pytest.mark.slow
def test_a_row_left_out_is_stated_on_the_console_in_the_report_and_the_export(tmp_path):
    # Issue 21.1: an activity dated before the plan began is read but does not count toward the
    # plan's targets; the console, the method section and the export's Datakilder each say so.
    root = project_copy(tmp_path)
    path = root / "data" / "raw" / "2021" / "aktivitetslog.xlsx"
    wb = openpyxl.load_workbook(path)
    ws = wb.worksheets[0]
    ws.append([ws.cell(2, c).value for c in range(1, ws.max_column + 1)])
    ws.cell(ws.max_row, 1).value = dt.datetime(2021, 5, 3)
    row = ws.max_row
    wb.save(path)
    said = (f"1 aktivitet dateret før helhedsplanens start 1.9.2021 er ikke talt med "
            f"(data/raw/2021/aktivitetslog.xlsx, række {row}).")
    run = run_cli(root, "eksport", "--aar", "2024", "--renderer", "indbygget", timeout=600)
    assert run.returncode == 0, run.stderr
    assert said in run.stdout + run.stderr
    html = (report_dir(root) / "statusrapport.html").read_text(encoding="utf-8")
    assert said in " ".join(html.split())
    [package] = report_dir(root).glob("*.zip")
    with zipfile.ZipFile(package) as zf:
        name = next(n for n in zf.namelist() if n.endswith(".xlsx"))
        book = openpyxl.load_workbook(io.BytesIO(zf.read(name)))
    sources = book["Datakilder"]
    header = [c.value for c in sources[1]]
    stated = {r[header.index("Fil")]: r[header.index("Ikke talt med")]
              for r in sources.iter_rows(min_row=2, values_only=True)}
    assert stated["data/raw/2021/aktivitetslog.xlsx"] == said
    assert stated["data/raw/2024/aktivitetslog.xlsx"] is None


@pytest.mark.slow
def test_a_report_of_a_delaftale_no_longer_configured_is_named_not_listed_as_ready(
        built_project, tmp_path):
    import shutil

    root = shutil.copytree(built_project[0], tmp_path / "p")
    old = root / "reports" / "2024" / "tryghed"
    old.mkdir()
    (old / "statusrapport.html").write_text("<p>fra sidste år</p>", encoding="utf-8")
    run = run_cli(root, "byg", "--aar", "2024", "--renderer", "indbygget")
    assert run.returncode == 0, run.stderr
    ready = run.stdout.split("Rapporten er klar:")[1]
    assert "tryghed/statusrapport" not in ready
    assert ("Bemærk: reports/2024/tryghed/ er fra delaftalen tryghed, som ikke længere står i "
            "config/delaftaler/, og er ikke bygget igen.") in run.stdout
    assert f"{D}/statusrapport.pdf" in ready


LATER = """navn: Fremtid
delmaal:
  - id: senere
    kort_navn: Kommer senere
    delmaal: Et delmål, bestyrelsen har besluttet fra 2025.
    gaelder_fra: 2025
    indikatorer:
      - id: moeder_igen
        navn: Deltagelse igen
        type: andel
        kilde: sab_afdelingsmoeder
        datakilde: SAB
"""


@pytest.mark.slow
def test_a_delaftale_without_delmaal_in_the_year_gets_no_empty_report(built_project, tmp_path):
    """Its delmål start in 2025: asked for by name in 2024 it is an error naming the file;
    among all delaftaler it is left out and said so, and no empty report is published."""
    import shutil

    root = shutil.copytree(built_project[0], tmp_path / "p")
    (root / "config" / "delaftaler" / "fremtid.yaml").write_text(LATER, encoding="utf-8")
    alone = run_cli(root, "byg", "--aar", "2024", "--delaftale", "fremtid",
                    "--renderer", "indbygget")
    assert alone.returncode == 1
    assert ("fil config/delaftaler/fremtid.yaml: delaftalen Fremtid har ingen delmål, der "
            "gælder i 2024 (delmålene gælder fra 2025)") in alone.stderr
    assert "Traceback" not in alone.stderr
    every = run_cli(root, "byg", "--aar", "2024", "--renderer", "indbygget")
    assert every.returncode == 0, every.stderr
    assert ("Bemærk: delaftalen Fremtid har ingen delmål, der gælder i 2024 (delmålene gælder "
            "fra 2025), og får ingen rapport for året.") in every.stdout
    assert not (root / "reports" / "2024" / "fremtid").exists()
    assert (report_dir(root) / "statusrapport.pdf").is_file()


def test_quarto_chosen_but_not_installed_is_said_before_anything_runs(tmp_path):
    import os
    import subprocess
    import sys

    root = project_copy(tmp_path / "p")
    bare = tmp_path / "bin"  # a PATH with only this Python: no quarto
    bare.mkdir()
    env = dict(os.environ, HELHEDSPLAN_ROOT=str(root), PATH=str(bare))
    run = subprocess.run([sys.executable, "-m", "helhedsplan", "byg", "--aar", "2024",
                          "--renderer", "quarto"], capture_output=True, text=True, env=env,
                         timeout=300)
    assert run.returncode == 1
    assert "FEJL: Quarto er ikke installeret" in run.stderr
    assert "Uventet" not in run.stderr and "[1/" not in run.stdout  # no step ran
    assert not (root / "reports" / "2024").exists()
