"""Every external program a build runs is the pinned one, found by absolute path in the project's
environment, whatever PATH or JUPYTER_PATH hold; and a changed pandoc is noticed (issue 23 #2)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from helhedsplan import freshness, pipeline, programs

from .test_runs import _published

IMPOSTORS = ("pandoc", "typst", "python", "python3", "fc-list", "rsvg-convert", "pdflatex")


def _impostors(folder: Path, log: Path) -> Path:
    """A folder of programs that note every call and claim to be the newest pandoc there is (so
    pypandoc's own search, which takes the highest version, would pick ours)."""
    folder.mkdir()
    for name in IMPOSTORS:
        script = folder / name
        script.write_text(f'#!/bin/sh\necho "{name} $*" >> "{log}"\n'
                          'if [ "$1" = "--version" ]; then echo "pandoc 99.0"; fi\n', "utf-8")
        script.chmod(0o755)
    return folder


def test_the_pinned_pandoc_is_the_one_in_the_environment_whatever_path_says(tmp_path, monkeypatch):
    fake = _impostors(tmp_path / "bin", tmp_path / "kald.log")
    monkeypatch.setenv("PATH", f"{fake}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setenv("PYPANDOC_PANDOC", str(fake / "pandoc"))
    programs.pandoc.cache_clear()
    programs.pandoc_identity.cache_clear()
    try:
        exe = Path(programs.pandoc())
        assert exe.is_absolute() and exe.parent.name == "files"
        assert exe.parent.parent.name == "pypandoc" and Path(sys.prefix) in exe.parents
        assert programs.pandoc_version() == "3.9"
        assert programs.convert_text("*a*", "html", "markdown").strip() == "<p><em>a</em></p>"
    finally:
        programs.pandoc.cache_clear()
        programs.pandoc_identity.cache_clear()
    assert not (tmp_path / "kald.log").exists()


@pytest.fixture()
def built(built_project, tmp_path):
    root, _ = built_project
    return Path(shutil.copytree(root, tmp_path / "p", ignore=shutil.ignore_patterns(".byg")))


def test_a_changed_pandoc_reruns_every_stage_and_says_so(built, monkeypatch):
    assert pipeline.status(2024, built, "indbygget") == []
    monkeypatch.setattr(programs, "pandoc_identity", lambda: "pandoc 3.10 (123 bytes)")
    reasons = pipeline.status(2024, built, "indbygget")
    assert reasons and all(r.endswith(f"{freshness.PANDOC} er ændret") for r in reasons), reasons
    assert len(reasons) == len(pipeline.stages(built))


FAKE_KERNEL = {"argv": [], "display_name": "Python 3 (ipykernel)", "language": "python"}


@pytest.mark.slow
def test_programs_on_path_and_kernels_on_jupyter_path_are_never_run(built, tmp_path):
    """Impostors first on PATH (pandoc, typst, python …) and a python3 kernel on JUPYTER_PATH
    that names one of them: a build that runs the comments, the report notebook in a kernel and
    every renderer's pandoc calls none of them, and gives byte for byte what a build without
    them gives."""
    log = tmp_path / "kald.log"
    fake = _impostors(tmp_path / "bin", log)
    kernels = tmp_path / "jupyter" / "kernels" / "python3"
    kernels.mkdir(parents=True)
    (kernels / "kernel.json").write_text(json.dumps(
        FAKE_KERNEL | {"argv": [str(fake / "python3"), "-m", "ipykernel_launcher", "-f",
                                "{connection_file}"]}), encoding="utf-8")
    twin = Path(shutil.copytree(built, tmp_path / "tvilling"))
    for root in (built, twin):
        comments = root / "data" / "raw" / "2024" / "bemaerkninger.md"
        comments.write_text(comments.read_text(encoding="utf-8") + "\n*Ny* sætning.\n", "utf-8")
        nb = root / "reports" / "statusrapport.ipynb"
        nb.write_bytes(nb.read_bytes() + b"\n")  # the report notebook runs in a kernel
    env = dict(os.environ, HELHEDSPLAN_ROOT=str(built), PATH=f"{fake}{os.pathsep}{os.environ['PATH']}",
               JUPYTER_PATH=str(tmp_path / "jupyter"), PYPANDOC_PANDOC=str(fake / "pandoc"))
    run = subprocess.run([sys.executable, "-m", "helhedsplan", "byg", "--aar", "2024",
                          "--renderer", "indbygget"], env=env, capture_output=True, text=True,
                         timeout=600)
    assert run.returncode == 0, run.stderr
    assert "kører:     Kører rapportnotesbogen" in run.stdout
    assert not log.exists(), log.read_text(encoding="utf-8")
    plain = subprocess.run([sys.executable, "-m", "helhedsplan", "byg", "--aar", "2024",
                            "--renderer", "indbygget"], env=dict(os.environ, HELHEDSPLAN_ROOT=str(twin)),
                           capture_output=True, text=True, timeout=600)
    assert plain.returncode == 0, plain.stderr
    assert _published(built) == _published(twin)
    # The next run, with the impostors still there, has nothing to do.
    again = subprocess.run([sys.executable, "-m", "helhedsplan", "byg", "--aar", "2024",
                            "--renderer", "indbygget"], env=env, capture_output=True, text=True,
                           timeout=600)
    assert "intet trin er kørt" in again.stdout, again.stdout
    assert not log.exists()
