"""A changed comment, where the analyst waits, costs a rendering and nothing else: no kernel, no
check of the spreadsheets, and neither pandas nor pandera imported (each 1-2 s)."""

from __future__ import annotations

import shutil
import subprocess
import sys

import pytest

from .conftest import D, report_dir

REBUILD = """
import sys
from pathlib import Path
from helhedsplan import pipeline
messages = []
pipeline.build(2024, root=Path(sys.argv[1]), renderer="indbygget", log=messages.append,
               delaftale=sys.argv[2])
print("\\n".join(messages))
heavy = {"pandas", "pandera", "numpy", "papermill", "jupyter_client", "matplotlib"}
print("TUNGE:", sorted(heavy & set(sys.modules)))
"""


@pytest.mark.slow
@pytest.mark.parametrize("change", ["ændret", "ny fil"])
def test_a_changed_comment_only_renders(built_project, tmp_path, change):
    root, _ = built_project
    copy = tmp_path / "projekt"
    shutil.copytree(root, copy, ignore=shutil.ignore_patterns(".byg"))
    comments = copy / "data" / "raw" / "2024" / "bemaerkninger.md"
    if change == "ny fil":  # the file appears: no report date before or after
        comments.write_text("## Aktiviteter\n\nFørste bemærkning.\n", encoding="utf-8")
        subprocess.run([sys.executable, "-c", REBUILD, str(copy), D], check=True,
                       capture_output=True, text=True, timeout=600)
        comments.unlink()
        (copy / "data" / "raw" / "2024" / "bemaerkninger.md").write_text(
            "## Aktiviteter\n\nEn anden bemærkning.\n", encoding="utf-8")
    else:
        comments.write_text(comments.read_text(encoding="utf-8").replace(
            "opsøgende besøg", "opsøgende besøg og kaffe"), encoding="utf-8")
    run = subprocess.run([sys.executable, "-c", REBUILD, str(copy), D], capture_output=True,
                         text=True, timeout=600)
    assert run.returncode == 0, run.stderr
    ran = [line for line in run.stdout.splitlines() if line.startswith("  kører:")]
    assert [line.split(", fordi")[0].split(":", 1)[1].strip() for line in ran] == [
        "Læser bemærkningerne", "Danner HTML, PDF og Word"], run.stdout
    assert "Kontrollerer inddata" not in run.stdout  # the spreadsheets are as last checked
    assert "TUNGE: []" in run.stdout
    html = (report_dir(copy) / "statusrapport.html").read_text(encoding="utf-8")
    assert ("og kaffe" if change == "ændret" else "En anden bemærkning") in html
