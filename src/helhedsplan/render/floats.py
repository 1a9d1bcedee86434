"""Each table and figure that the report notebook shows from one cell gets a cell of its own.

A delmål's section is made in a loop (report.sections), so one code cell shows many outputs:
headings, text, tables and figures. Both renderers number and caption a table or figure from
its cell's `#|` options (label, tbl-cap, fig-cap), one float per cell. An output that carries its
options in its metadata (cells.FLOAT) is therefore moved into a cell of its own with those
options as `#|` lines, and the outputs between them into plain cells, in order, before either
renderer reads the notebook. For Quarto, a heading shown by a cell also becomes a markdown
cell (with_headings_as_markdown): Quarto's contents list only the document's own headings.
"""

from __future__ import annotations

import json
import re

import nbformat

from ..cells import FLOAT


def _cell(outputs: list, options: dict | None, base) -> nbformat.NotebookNode:
    # Each value as JSON (which is YAML), so the option lines are valid whatever the text holds.
    source = "\n".join(f"#| {key}: {json.dumps(value, ensure_ascii=False)}"
                       for key, value in (options or {}).items())
    cell = nbformat.v4.new_code_cell(source=source)
    cell.metadata = {k: v for k, v in base.metadata.items() if k != "tags"}
    cell.outputs = outputs
    return cell


def with_float_cells(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """A copy of ``nb`` with every output that carries cell options in a cell of its own."""
    out_cells = []
    for cell in nb.cells:
        outputs = cell.get("outputs", []) if cell.cell_type == "code" else []
        if not any((o.get("metadata") or {}).get(FLOAT) for o in outputs):
            out_cells.append(cell)
            continue
        plain: list = []
        for o in outputs:
            options = (o.get("metadata") or {}).get(FLOAT)
            if not options:
                plain.append(o)
                continue
            if plain:
                out_cells.append(_cell(plain, None, cell))
                plain = []
            o = nbformat.from_dict(dict(o))
            o.metadata = {k: v for k, v in o.metadata.items() if k != FLOAT}
            out_cells.append(_cell([o], options, cell))
        if plain:
            out_cells.append(_cell(plain, None, cell))
    return _with_cells(nb, out_cells)


def _with_cells(nb: nbformat.NotebookNode, cells: list) -> nbformat.NotebookNode:
    copy = nbformat.from_dict(dict(nb))
    copy.cells = cells
    for i, cell in enumerate(copy.cells):  # unique ids again, in order
        cell["id"] = f"sr{i:03d}"
    return copy


_HEADING = re.compile(r"#{1,6} [^\n]+")


def _heading(output) -> str | None:
    """The Markdown of an output that is one heading line ('# Delmål {#delmaal-x}'), else None."""
    text = (output.get("data") or {}).get("text/markdown")
    text = "".join(text) if isinstance(text, list) else text
    if output.get("output_type") != "display_data" or not isinstance(text, str):
        return None
    return text.strip() if _HEADING.fullmatch(text.strip()) else None


def with_headings_as_markdown(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """A copy of ``nb`` where each heading a code cell shows is a markdown cell of its own, in
    order: Quarto puts a cell's outputs in a div, and its contents list no heading in a div (a
    delmål's chapter was missing from the HTML's contents)."""
    out_cells = []
    for cell in nb.cells:
        outputs = cell.get("outputs", []) if cell.cell_type == "code" else []
        if not any(_heading(o) for o in outputs):
            out_cells.append(cell)
            continue
        plain: list = []
        for o in outputs:
            text = _heading(o)
            if text is None:
                plain.append(o)
                continue
            if plain:
                out_cells.append(_cell(plain, None, cell))
                plain = []
            out_cells.append(nbformat.v4.new_markdown_cell(text))
        if plain:
            out_cells.append(_cell(plain, None, cell))
    return _with_cells(nb, out_cells)
