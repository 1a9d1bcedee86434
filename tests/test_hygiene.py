"""Hygiene (issue 12, item 7): values from files are shown escaped; AAR is checked before any
shell sees it; year 0 and years before the first baseline are errors."""

import shutil
import subprocess
import unicodedata

import pytest
from openpyxl import load_workbook

from helhedsplan.errors import InputError, Problem, printable
from tests.conftest import REPO, project_copy, run_cli


def _unsafe(text: str) -> list[str]:
    return [c for c in text if c != "\n" and unicodedata.category(c) in {"Cc", "Cf"}]


def test_printable_escapes_control_and_bidi_characters():
    assert printable("a\x1b[31mb\u202ec\x00d\ne") == "a\\x1b[31mb\\u202ec\\x00d\ne"
    assert printable("æøå – 6,3 pct.") == "æøå – 6,3 pct."
    p = Problem("kolonnen 'x\x1b]0;t\x07' findes ikke", file="2024/a\u202eb.xlsx",
                sheet="Ark\u2066", column="K\x1b", value="v\x9b")
    assert not _unsafe(str(p)) and not _unsafe(InputError([p]).danish())


def test_headers_and_sheet_names_from_a_file_are_escaped_in_cli_messages(tmp_path):
    """Excel stores a control character in a cell as _x001B_; calamine gives it back as ESC."""
    root = project_copy(tmp_path / "projekt")
    path = root / "data" / "raw" / "2024" / "politi_anmeldelser.xlsx"
    wb = load_workbook(path)
    ws = wb.worksheets[0]
    header = next(c for row in ws.iter_rows(max_row=5) for c in row
                  if isinstance(c.value, str) and c.value.strip())  # a title row may come first
    header.value = "_x001B_[2J_x001B_]0;hacked_x0007_Område\u202e"
    extra = wb.create_sheet("Ark\u202eslx.exe")
    extra["A1"] = "x"
    wb.save(path)
    out = run_cli(root, "byg", "--aar", "2024", "--renderer", "indbygget")
    assert out.returncode == 1, out.stderr
    assert "FEJL" in out.stderr
    assert not _unsafe(out.stderr), [hex(ord(c)) for c in _unsafe(out.stderr)]
    assert "\\x1b" in out.stderr  # the value is shown, escaped, so the analyst can find it


@pytest.mark.parametrize("year", ["0", "-1", "12345", "2017"])
def test_cli_refuses_year_0_and_years_before_the_first_baseline(tmp_path, year):
    root = project_copy(tmp_path / "projekt")
    out = run_cli(root, "byg", "--aar", year)
    assert out.returncode == 2
    assert "FEJL" in out.stderr and ("fire cifre" in out.stderr or "baselineår (2018)" in out.stderr)
    # Nothing ran: at most the run lock, which a run takes first thing (issue 23), is there.
    assert [p.name for p in (root / ".byg").glob("*")] in ([], ["koersel.laas"])
    assert not (root / "data" / "processed").exists()


MAKE = shutil.which("make")


@pytest.mark.skipif(MAKE is None, reason="make er ikke installeret")
@pytest.mark.parametrize("aar", ["1999; echo X > f; true", "$(shell touch f)", "2024$(shell touch f)",
                                 "`touch f`", "0", "20 24", "202", "20245", "2024\ntouch f"])
def test_makefile_refuses_a_bad_aar_before_any_shell_sees_it(tmp_path, aar):
    out = subprocess.run([MAKE, "-f", str(REPO / "Makefile"), "report", f"AAR={aar}"],
                         cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert out.returncode != 0
    assert "AAR skal være et årstal med fire cifre" in out.stderr
    assert not (tmp_path / "f").exists()
    assert list(tmp_path.iterdir()) == []  # nothing ran: not even the .venv was started


@pytest.mark.skipif(MAKE is None, reason="make er ikke installeret")
def test_makefile_passes_a_good_aar_and_refuses_a_bad_renderer(tmp_path):
    ok = subprocess.run([MAKE, "-n", "report", "AAR=2024", "RENDERER=indbygget"], cwd=REPO,
                        capture_output=True, text=True, timeout=60)  # -n: only prints
    assert ok.returncode == 0 and "byg --aar 2024 --renderer indbygget" in ok.stdout
    bad = subprocess.run([MAKE, "-f", str(REPO / "Makefile"), "report",
                          "RENDERER=auto; touch f"], cwd=tmp_path, capture_output=True, text=True,
                         timeout=60)
    assert bad.returncode != 0 and "RENDERER skal være" in bad.stderr
    assert not (tmp_path / "f").exists()


@pytest.mark.skipif(MAKE is None, reason="make er ikke installeret")
@pytest.mark.parametrize("gentag", ["5; touch f", "$(shell touch f)", "1 2"])
def test_makefile_refuses_a_bad_gentag(tmp_path, gentag):
    out = subprocess.run([MAKE, "-f", str(REPO / "Makefile"), "bench", f"GENTAG={gentag}"],
                         cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert out.returncode != 0 and "GENTAG skal være et helt tal" in out.stderr
    assert not (tmp_path / "f").exists()
