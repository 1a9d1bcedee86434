"""Render the executed report notebook to a self-contained HTML file, an A4 PDF and Word.

Two engines take the same executed notebook, so their content cannot drift apart:

* **Quarto** (:mod:`.quarto`, when Quarto :data:`~.quarto.MIN_QUARTO` or newer is on PATH):
  ``quarto render <nb>.ipynb --to html``, ``--to typst`` and ``--to docx``, with the
  project's ``_quarto.yml``.
* **The built-in engine** (:mod:`.builtin`, ``indbygget``): notebook → one Markdown document
  plus figure files → pandoc (``pypandoc-binary``) → HTML5 with every resource embedded, →
  Word, and → Typst with ``assets/statusrapport.typ`` → PDF with ``typst`` (typst-py).

The package, by concern: :mod:`.notebook` reads the notebook (both engines), :mod:`.builtin`
and :mod:`.quarto` are the engines, :mod:`.word` makes the Word file's reference document and
PNG figures and :mod:`.word_layout` (with :mod:`.word_tables`) finishes the Word file pandoc
wrote (both engines), :mod:`.provenance` adds the programs that made the files to the report's
"Programmer og versioner" table, and :mod:`.tools` holds what they share (the error, pandoc,
writing the outputs all at once). Lua, Typst and XML are files in ``assets/``.
Imports go one way: this module → the engines → word, word_layout → word_tables, provenance →
notebook → tools.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from .builtin import render_builtin
from .notebook import front_matter
from .provenance import version_text
from .quarto import MIN_QUARTO, quarto_version, render_quarto
from .tools import RenderError

__all__ = ["RENDERERS", "RenderError", "choose_renderer", "front_matter", "render"]

RENDERERS = ("auto", "quarto", "indbygget")


def render(
    executed_notebook: Path,
    out_dir: Path,
    *,
    basename: str = "statusrapport",
    renderer: str = "auto",
    quarto_project: Path | None = None,
    log=None,
) -> list[Path]:
    """Render ``executed_notebook`` to ``out_dir/<basename>.html``, ``.pdf`` and ``.docx``.

    ``renderer``: ``"auto"`` (Quarto if a supported version, :data:`MIN_QUARTO` or newer,
    is on PATH, otherwise built-in), ``"quarto"`` or ``"indbygget"``. ``log`` (a callable
    taking a Danish line) gets Quarto's warnings and why ``auto`` passed over Quarto.
    ``quarto_project`` is the folder holding ``_quarto.yml`` (default: the project root).
    Returns ``[html, pdf, docx]``.
    Raises :class:`RenderError` with a Danish message when anything fails.
    """
    executed_notebook = Path(executed_notebook)
    out_dir = Path(out_dir)
    if renderer not in RENDERERS:
        raise RenderError(
            f"Ukendt renderer {renderer!r}. Vælg en af: " + ", ".join(RENDERERS) + "."
        )
    if not basename or Path(basename).name != basename or basename.startswith("."):
        raise RenderError(f"Ugyldigt filnavn til rapporten: {basename!r}.")
    if not executed_notebook.is_file():
        raise RenderError(f"Den udførte notesbog findes ikke: {executed_notebook}")

    renderer = choose_renderer(renderer, log)
    out_dir.mkdir(parents=True, exist_ok=True)
    if renderer == "quarto":
        return render_quarto(executed_notebook, out_dir, basename=basename,
                             project_dir=quarto_project, log=log)
    return render_builtin(executed_notebook, out_dir, basename=basename)


def choose_renderer(renderer: str, log=None) -> str:
    """Resolve ``auto``: Quarto when a supported version is on PATH, else the built-in one."""
    if renderer != "auto":
        return renderer
    quarto = shutil.which("quarto")
    if not quarto:
        return "indbygget"
    version = quarto_version(quarto)
    if version is not None and version >= MIN_QUARTO:
        return "quarto"
    if log:
        log(f"Quarto på PATH ({quarto}, {version_text(version)}) er ældre end "
            f"{version_text(MIN_QUARTO)}, som rapporten kræver; bruger den indbyggede "
            "renderer. Opdater Quarto for at bruge den.")
    return "indbygget"
