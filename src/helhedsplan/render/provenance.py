"""The programs that made the files, added to the report's "Programmer og versioner" table.

Each engine knows its own tools: Quarto with the pandoc and Typst it runs
(:func:`quarto_tool_versions`), or pandoc from ``pypandoc-binary`` and the Typst compiler in
typst-py (:func:`builtin_tool_versions`); :func:`with_tool_versions` adds them to the table's
rows.
"""

from __future__ import annotations

import copy
import json
import re
import subprocess
from importlib import metadata

import nbformat

from .. import programs
from .notebook import cell_options, cell_source, output_text


def version_text(version: tuple[int, ...] | None) -> str:
    """(1, 10, 18) as '1.10.18'; 'ukendt version' when there is none."""
    return ".".join(map(str, version)) if version else "ukendt version"


def quarto_tool_versions(quarto: str, version: tuple[int, ...]) -> list[list[str]]:
    """What made the files on the Quarto path: Quarto with the pandoc and Typst it runs."""
    rows = [["Quarto", version_text(version)]]
    procs = []
    for tool in ("pandoc", "typst"):
        try:
            procs.append((tool, subprocess.Popen(
                [quarto, tool, "--version"], stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT, text=True, encoding="utf-8", errors="replace")))
        except OSError:
            continue
    for tool, proc in procs:
        try:
            out, _ = proc.communicate(timeout=120)
        except subprocess.TimeoutExpired:
            proc.kill()
            out = ""
        match = re.search(r"\b(\d+\.\d+(?:\.\d+)*)", out or "")
        name = {"pandoc": "pandoc", "typst": "Typst"}[tool]
        rows.append([f"{name} (i Quarto)", match.group(1) if match else "ukendt"])
    return rows


def builtin_tool_versions() -> list[list[str]]:
    """What made the files on the built-in path: pandoc (pypandoc-binary) and the Typst compiler
    inside typst-py (the version the PDF names as its creator, not the Python package's)."""
    rows = []
    pandoc = programs.pandoc_version()
    try:
        rows.append(["pandoc", f"{pandoc} (pypandoc-binary {metadata.version('pypandoc-binary')})"])
    except metadata.PackageNotFoundError:
        rows.append(["pandoc", pandoc])
    try:
        package = metadata.version("typst")
    except metadata.PackageNotFoundError:
        return rows
    rows.append(["Typst", f"{typst_version()} (typst-py {package})"])
    return rows


def typst_version() -> str:
    """The version of the Typst compiler in typst-py, as Typst itself says it (sys.version)."""
    try:
        # lazy: typst loads a native library (10–45 ms measured); the Quarto path does without
        import typst

        return str(json.loads(typst.eval(b"", "str(sys.version)", ignore_system_fonts=True)))
    except Exception:  # ImportError, typst.TypstError, an answer that is not JSON
        return "ukendt version"



# The report's "Programmer og versioner" table (a cell labelled so): the renderer adds the
# programs that made the files, which only it knows.
PROVENANCE_LABEL = "tbl-programmer"


def with_tool_versions(nb: nbformat.NotebookNode, rows: list[list[str]]) -> nbformat.NotebookNode:
    """A copy of ``nb`` whose provenance table also lists ``rows`` (the rendering tools)."""
    nb = copy.deepcopy(nb)
    for number, cell in enumerate(nb.cells, start=1):
        if cell.cell_type != "code":
            continue
        opts, _ = cell_options(cell_source(cell), where=f"celle {number}")
        if opts.get("label") != PROVENANCE_LABEL:
            continue
        for out in cell.get("outputs", []):
            data = out.get("data", {})
            if "text/markdown" in data:
                table = output_text(data["text/markdown"]).rstrip("\n")
                extra = "".join(f"\n| {name} | {ver} |" for name, ver in rows)
                data["text/markdown"] = table + extra + "\n"
                return nb
    return nb
