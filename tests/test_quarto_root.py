"""`quarto render` / `quarto preview` at the root (issue 20), the parts that need no Quarto: the
post-render step and the guard that keeps the pipeline's own Quarto renders from starting the
pipeline again. The renders themselves are in test_quarto.py."""

from __future__ import annotations

import re
from pathlib import Path

from helhedsplan.render import quarto

from .conftest import REPO, project_copy, run_cli


def test_quarto_afslut_makes_index_html_the_overview_with_working_links(tmp_path, monkeypatch):
    root = project_copy(tmp_path / "p", delaftaler=("sammenhaengskraft", "beskaeftigelse"))
    year = root / "reports" / "2024"
    (year / "sammenhaengskraft").mkdir(parents=True)
    (year / "samlet-status.html").write_text(
        '<a href="sammenhaengskraft/statusrapport.html#delmaal">x</a><a href="#top">y</a>',
        encoding="utf-8")
    monkeypatch.setenv("HELHEDSPLAN_AAR", "2024")
    monkeypatch.delenv("HELHEDSPLAN_DELAFTALE", raising=False)
    proc = run_cli(root, "quarto-afslut")
    assert proc.returncode == 0, proc.stderr
    index = (root / "index.html").read_text(encoding="utf-8")
    assert 'href="reports/2024/sammenhaengskraft/statusrapport.html#delmaal"' in index
    assert 'href="#top"' in index
    # one delaftale chosen: its report, byte for byte
    (year / "sammenhaengskraft" / "statusrapport.html").write_bytes(b"<p>rapport</p>")
    monkeypatch.setenv("HELHEDSPLAN_DELAFTALE", "sammenhaengskraft")
    assert run_cli(root, "quarto-afslut").returncode == 0
    assert (root / "index.html").read_bytes() == b"<p>rapport</p>"


def test_quarto_afslut_without_a_report_says_so_in_danish(tmp_path, monkeypatch):
    root = project_copy(tmp_path / "p")
    monkeypatch.setenv("HELHEDSPLAN_AAR", "2024")
    proc = run_cli(root, "quarto-afslut")
    assert proc.returncode == 1
    assert "FEJL: Rapporten reports/2024/sammenhaengskraft/statusrapport.html findes ikke" \
        in proc.stderr
    assert "Traceback" not in proc.stderr and not (root / "index.html").exists()


def test_the_pipelines_quarto_renders_use_their_own_profile(tmp_path, monkeypatch):
    """The project's default profile runs the pipeline before a render; the pipeline's own
    renders must not get it (they would start the pipeline from inside itself)."""
    seen = []

    def fake_jobs(jobs, *, cwd, log=None, env=None):
        seen.append(env.get("QUARTO_PROFILE"))
        for _, _, produced in jobs:
            produced.write_bytes(b"x")

    monkeypatch.setattr(quarto, "_run_quarto_jobs", fake_jobs)
    monkeypatch.setattr(quarto, "finish_docx", lambda data, stamp: data)  # b"x" is no docx
    monkeypatch.setattr(quarto, "quarto_version", lambda _: (1, 10, 18))
    monkeypatch.setattr(quarto.shutil, "which", lambda name: "/usr/bin/quarto")
    monkeypatch.setenv("QUARTO_PROFILE", "rapport")
    nb = REPO / "reports" / "statusrapport.ipynb"
    project = tmp_path / "p"
    project.mkdir()
    (project / "_quarto.yml").write_text((REPO / "_quarto.yml").read_text(encoding="utf-8"),
                                         encoding="utf-8")
    quarto.render_quarto(nb, project / "reports" / "ud", project_dir=project)
    assert seen and set(seen) == {quarto.PIPELINE_PROFILE}
    assert not Path(project / f"_quarto-{quarto.PIPELINE_PROFILE}.yml").exists()
    # and the default profile is the one with the pre-render step
    config = (REPO / "_quarto.yml").read_text(encoding="utf-8")
    assert re.search(r"profile:\s*\n\s*default: rapport", config)
    assert "pre-render: _quarto.py forbered" in (REPO / "_quarto-rapport.yml").read_text(
        encoding="utf-8")
