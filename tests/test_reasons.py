"""Why a stage runs again, as the console says it: what really changed is named."""

from __future__ import annotations

import os

from helhedsplan import freshness
from helhedsplan.pipeline.run import status

from .test_render import _fake_quarto


def test_a_changed_renderer_is_named_not_the_quarto_it_brings(built_project, tmp_path,
                                                             monkeypatch):
    """With Quarto on PATH, `make report RENDERER=indbygget` after a Quarto build said 'fordi
    Quarto er fjernet': the renderer parameter is what changed, and the console says so."""
    root, _ = built_project  # built with the built-in renderer
    _fake_quarto(tmp_path / "bin", tmp_path / "kald.jsonl")
    monkeypatch.setenv("PATH", f"{tmp_path / 'bin'}{os.pathsep}{os.environ.get('PATH', '')}")
    assert status(2024, root, "quarto") == [
        "Danner HTML, PDF og Word: parameter renderer er ændret fra indbygget til quarto"]
    assert status(2024, root, "indbygget") == []

    # the other way, as the record of a Quarto build has it
    quarto = {"parameter renderer": "quarto", "Quarto": "abc", "skabelon x": "1"}
    builtin = {"parameter renderer": "indbygget", "skabelon x": "1"}
    assert freshness.what_changed(quarto, builtin) == [
        "parameter renderer er ændret fra quarto til indbygget"]
    # what else changed is still named; a Quarto update with the same renderer is one
    assert freshness.what_changed(quarto, builtin | {"skabelon x": "2"}) == [
        "parameter renderer er ændret fra quarto til indbygget", "skabelon x er ændret"]
    assert freshness.what_changed(quarto, quarto | {"Quarto": "def"}) == ["Quarto er ændret"]
    assert freshness.what_changed(builtin, quarto) == [
        "parameter renderer er ændret fra indbygget til quarto"]
