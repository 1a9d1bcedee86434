"""Nothing the analyst owns is overwritten or deleted by surprise; the command line speaks Danish;
the report explains every absence; the exported notebooks carry no absolute paths."""

from __future__ import annotations

import errno
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from helhedsplan import cli, example_data, indicators, report
from helhedsplan.errors import ReadFailed, WriteFailed
from helhedsplan.inputs import ingest
from helhedsplan.sources import SOURCES
from helhedsplan.sources.base import write

from .conftest import REPO, D, report_dir, run_cli

# --- make eksempeldata / make clean ------------------------------------------------------------


def test_example_data_refuses_a_folder_with_the_analysts_files(raw_copy, capsys):
    own = raw_copy / "2024" / "sab_afdelingsmoeder.xlsx"
    shutil.copy(REPO / "tests" / "fixtures" / "libreoffice_sab_afdelingsmoeder_2024.xlsx", own)
    (raw_copy / "2023" / "bemaerkninger.md").write_text("## Aktiviteter\n\nMine ord.\n",
                                                        encoding="utf-8")
    before = {p: p.read_bytes() for p in raw_copy.rglob("*") if p.is_file()}
    assert example_data.main(raw_dir=raw_copy) == 1
    err = capsys.readouterr().err
    assert "FEJL: Eksempeldata er ikke skrevet." in err
    assert "2024/sab_afdelingsmoeder.xlsx  (ville blive erstattet)" in err
    assert "2023/bemaerkninger.md" in err
    assert "make eksempeldata OVERSKRIV=ja" in err
    assert {p: p.read_bytes() for p in raw_copy.rglob("*") if p.is_file()} == before

    assert example_data.main(overwrite=True, raw_dir=raw_copy) == 0
    out = capsys.readouterr().out
    assert "2024/sab_afdelingsmoeder.xlsx  (din fil er erstattet)" in out
    assert (raw_copy / "2023" / "bemaerkninger.md").read_text(encoding="utf-8").endswith("ord.\n")


def test_example_data_rewrites_example_files_without_asking(raw_copy, capsys):
    assert example_data.not_example_files(raw_copy) == []
    assert example_data.main(raw_dir=raw_copy) == 0


def test_make_clean_keeps_the_export_zip(tmp_path):
    if shutil.which("make") is None:
        pytest.skip("make er ikke installeret")
    shutil.copy(REPO / "Makefile", tmp_path)
    out = report_dir(tmp_path)
    (out / "notesbøger").mkdir(parents=True)
    (out / "statusrapport.html").write_text("x")
    (out / "notesbøger" / "a.ipynb").write_text("{}")
    (out / "statusrapport_2024_lbf.zip").write_bytes(b"sendt")
    report_dir(tmp_path, 2023).mkdir(parents=True)
    (report_dir(tmp_path, 2023) / "statusrapport.pdf").write_text("x")
    (tmp_path / "reports" / "2024" / "samlet-status.html").write_text("x")
    (tmp_path / "data" / "processed" / "2024").mkdir(parents=True)
    run = subprocess.run(["make", "-s", "clean"], cwd=tmp_path, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert [p.name for p in out.iterdir()] == ["statusrapport_2024_lbf.zip"]
    assert not (tmp_path / "reports" / "2023").exists()
    assert not (tmp_path / "data" / "processed" / "2024").exists()
    assert f"Beholdt: reports/2024/{D}/statusrapport_2024_lbf.zip" in run.stdout
    assert not (tmp_path / "reports" / "2024" / "samlet-status.html").exists()


# --- The command line in Danish ------------------------------------------------------------------


@pytest.mark.parametrize("args,expected", [
    (["--help"], "brug: helhedsplan [-h] KOMMANDO ..."),
    (["byg", "--help"], "Kontrollér årets inddata, og byg"),
    (["eksport", "--help"], "Pak rapporten, tallene og deres kilder"),
    (["eksempeldata", "--help"], "--overskriv"),
    (["skabeloner", "--help"], "vis denne hjælp, og stop"),
])
def test_help_is_danish(args, expected, capsys):
    with pytest.raises(SystemExit) as done:
        cli.main(args)
    assert done.value.code == 0
    out = capsys.readouterr().out
    assert expected in out
    for english in ("usage:", "show this help", "options:", "positional arguments"):
        assert english not in out


@pytest.mark.parametrize("args,expected", [
    (["byg", "--aar", "20x"], "helhedsplan byg: fejl: argumentet --aar: ugyldig værdi: '20x' "
                              "(skriv et tal)"),
    (["skabeloner"], "helhedsplan skabeloner: fejl: disse argumenter mangler: --aar"),
    (["bygg"], "helhedsplan: fejl: argumentet KOMMANDO: ugyldigt valg: 'bygg'"),
    (["byg", "--renderer", "pdf"], "ugyldigt valg: 'pdf' (vælg mellem 'auto', 'quarto', "
                                   "'indbygget')"),
    (["byg", "--hurtig"], "helhedsplan: fejl: ukendte argumenter: --hurtig"),
])
def test_argument_errors_are_danish(args, expected, capsys):
    with pytest.raises(SystemExit) as done:
        cli.main(args)
    assert done.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("brug: ") and expected in err, err


@pytest.mark.parametrize(("error", "expected"), [
    # the kind of failure says read or write only where it knows
    (ReadFailed(errno.EIO, "Input/output error", "reports/2024/statusrapport.pdf"),
     "Filen reports/2024/statusrapport.pdf kunne ikke læses: filen eller drevet svarer med en fejl"),
    (WriteFailed(errno.ENOSPC, "No space left on device", ".byg/x.zip.tmp"),
     "Filen .byg/x.zip.tmp kunne ikke skrives: der er ikke mere plads på drevet"),
    (OSError(errno.ENOSPC, "No space left on device", "data/processed/2024/a.csv"),
     "Filen data/processed/2024/a.csv kunne ikke skrives: der er ikke mere plads"),
    (OSError(errno.ELOOP, "Too many levels of symbolic links", "data/raw/2024/x.xlsx"),
     "Filen data/raw/2024/x.xlsx kunne ikke læses eller skrives: det er en genvej (symlink), der "
     "peger i ring"),
    (OSError(errno.EACCES, "Permission denied", "reports/2024/statusrapport.pdf"),
     "Filen reports/2024/statusrapport.pdf kunne ikke læses eller skrives: adgang nægtet. Er "
     "filen åben i et andet program"),
    (OSError(errno.ENOENT, "No such file or directory", "config"),
     "Filen config kunne ikke læses: den findes ikke"),
    (OSError(errno.EIO, "Input/output error"), "Filen (filen er ikke kendt) kunne ikke læses "
                                               "eller skrives"),
])
def test_an_io_failure_names_the_file_and_says_read_or_write_only_when_known(error, expected,
                                                                           monkeypatch, tmp_path):
    """Issue 23 #8: 'En fil kunne ikke skrives' was said for read errors, without a name."""
    monkeypatch.chdir(REPO)
    assert cli.io_problem(error).startswith(expected), cli.io_problem(error)


@pytest.mark.slow
def test_a_published_file_that_cannot_be_read_is_replaced_not_read(built_project, tmp_path):
    """The attack from issue 23 #8: the PDF replaced by a link to /proc/self/mem (a file that
    answers every read with EIO). It is not the file the last build wrote, so the build makes
    the report again and puts a real PDF in its place, saying why; the link's target is never
    read and nothing else is touched."""
    if not Path("/proc/self/mem").exists():
        pytest.skip("no /proc")
    root = Path(shutil.copytree(built_project[0], tmp_path / "p",
                                ignore=shutil.ignore_patterns(".byg")))
    pdf = report_dir(root) / "statusrapport.pdf"
    before = pdf.read_bytes()
    pdf.unlink()
    pdf.symlink_to("/proc/self/mem")
    run = run_cli(root, "byg", "--aar", "2024", "--renderer", "indbygget")
    assert run.returncode == 0, run.stderr
    assert f"{pdf.relative_to(root).as_posix()} mangler eller er ændret" in run.stdout, run.stdout
    assert not pdf.is_symlink() and pdf.read_bytes() == before
    assert "Traceback" not in run.stderr


def test_a_new_year_without_folder_suggests_the_templates(tmp_path):
    from .conftest import project_copy

    root = project_copy(tmp_path)
    run = run_cli(root, "byg", "--aar", "2030")
    assert run.returncode == 1
    assert "make skabeloner AAR=2030" in run.stderr


def test_make_report_failure_ends_with_a_danish_hint(tmp_path):
    if shutil.which("make") is None:
        pytest.skip("make er ikke installeret")
    from .conftest import project_copy

    root = project_copy(tmp_path)
    for name in ("Makefile", "requirements.txt", "pyproject.toml"):
        shutil.copy2(REPO / name, root)  # keeps the times: make must not reinstall
    venv = root / ".venv"
    os.symlink(REPO / ".venv", venv)
    run = subprocess.run(["make", "report", "AAR=2030"], cwd=root, capture_output=True, text=True,
                         env=dict(os.environ, HELHEDSPLAN_ROOT=str(root)), timeout=300)
    assert run.returncode != 0
    assert "Rapporten er ikke bygget: ret det, der står under FEJL ovenfor" in run.stdout
    assert "make skabeloner AAR=2030" in run.stderr


def test_make_delaftale_is_passed_as_text_never_run(tmp_path):
    if shutil.which("make") is None:
        pytest.skip("make er ikke installeret")
    from .conftest import project_copy

    root = project_copy(tmp_path / "p")
    for name in ("Makefile", "requirements.txt", "pyproject.toml"):
        shutil.copy2(REPO / name, root)
    os.symlink(REPO / ".venv", root / ".venv")
    marker = tmp_path / "ran"
    run = subprocess.run(["make", "report", f"DELAFTALE=x; touch {marker}", "AAR=2024"],
                         cwd=root, capture_output=True, text=True,
                         env=dict(os.environ, HELHEDSPLAN_ROOT=str(root)), timeout=300)
    assert run.returncode != 0 and not marker.exists()
    assert f"delaftalen 'x; touch {marker}' findes ikke" in run.stderr
    helped = subprocess.run(["make", "help"], cwd=root, capture_output=True, text=True)
    assert "(HTML, PDF og Word)" in helped.stdout and "DELAFTALE=" in helped.stdout


# --- Absences explained in the report ----------------------------------------------------------


@pytest.fixture()
def processed_without_meeting(raw_copy, cfg, tmp_path):
    """2024 with afd. 30's meeting cancelled and VIVE declared not measured (as in the example)."""
    import openpyxl

    path = raw_copy / "2024" / "sab_afdelingsmoeder.xlsx"
    wb = openpyxl.load_workbook(path)
    ws = wb.worksheets[0]
    row = next(r for r in range(2, ws.max_row + 1) if ws.cell(r, 1).value == 30)
    ws.cell(row, 3).value = "aflyst"
    wb.save(path)
    out = tmp_path / "processed"
    for src in SOURCES.values():
        write(ingest(src, cfg, raw_copy, 2024), src, out)
    table = indicators.compute(cfg, out, 2024)
    indicators.write(table, out)
    return out, table


def test_a_cancelled_meeting_is_named_and_the_plan_total_is_the_rest(processed_without_meeting,
                                                                      cfg):
    _, table = processed_without_meeting
    rows = table[(table["indikator_id"] == "deltagelse") & (table["aar"] == 2024)]
    afd30 = rows[rows["afdeling"] == 30].iloc[0]
    assert not afd30["maalt"]
    assert afd30["note"] == "Ikke målt i 2024: afd. 30 holdt ikke afdelingsmøde det år (SAB)"
    total = rows[rows["niveau"] == "helhedsplan"].iloc[0]
    assert total["maalt"]
    assert (total["taeller"], total["naevner"]) == (58 + 34 + 33, 658 + 418 + 517)
    assert (total["baseline_taeller"], total["baseline_naevner"]) == (41 + 27 + 23, 648 + 416 + 511)
    assert total["note"].startswith("2024: kun afd. 22, 35 og 24, fordi afd. 30 ikke holdt "
                                    "afdelingsmøde; sammenlignet med baseline for de samme "
                                    "afdelinger.")


def test_the_report_says_which_and_why(processed_without_meeting, cfg):
    out, _ = processed_without_meeting
    data = report.load(2024, D, out)
    dev = report.development_table(data, "deltagelse")
    assert "2024: ikke målt – afd. 30 holdt ikke afdelingsmøde det år (SAB)." in dev
    status = report.status_table(data, "deltagelse")
    assert ("Hele helhedsplanen (2024): kun afd. 22, 35 og 24, fordi afd. 30 ikke holdt "
            "afdelingsmøde") in status
    vive = report.development_table(data, "livskvalitet")
    assert "ikke målt – VIVEs trygheds- og trivselsmåling har ingen tal for året." in vive
    assert "2019, 2020, 2022, 2024: ikke målt" in vive
    summary = report.summary(data)
    # The plan and its comparison group miss the year for the same reason: said once.
    assert ("**Livskvalitet i hverdagen:** ikke målt i 2024 (heller ikke for Alle "
            "helhedsplaner). VIVEs trygheds- og trivselsmåling har ingen tal for året.") in summary
    assert summary.count("VIVEs trygheds- og trivselsmåling har ingen tal") == 1
    assert "Flere deltager i afdelingsmøderne, Afd. 30:** ikke målt i 2024. Afd. 30 holdt " \
           "ikke afdelingsmøde" in summary


# --- No absolute paths in the executed notebooks -------------------------------------------------


@pytest.mark.slow
def test_executed_notebooks_carry_no_absolute_paths(built_project):
    root, _ = built_project
    for nb in (report_dir(root, 2024) / "notesbøger").glob("*.ipynb"):
        text = nb.read_text(encoding="utf-8")
        assert str(root) not in text, nb.name
        meta = json.loads(text)["metadata"].get("papermill", {})
        for key in ("input_path", "output_path"):
            assert not os.path.isabs(meta.get(key) or ""), (nb.name, key, meta.get(key))
        for value in meta.get("parameters", {}).values():
            assert not (isinstance(value, str) and os.path.isabs(value)), (nb.name, value)
