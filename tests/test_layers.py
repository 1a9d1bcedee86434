"""The house's rules (issue 22), read from the code with `ast`: imports go down the layers and
never in a circle, an import inside a function is there for a measured speed reason and says so,
and every module says its one job in its first line and stays short."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "helhedsplan"

# The layers, lowest first. A module may import from its own layer or a lower one, never from a
# higher one. Written once, here; the README's architecture section describes the same order.
LAYERS = [
    # ground floor: used by everything, importing nothing of the package above it
    ("grundlag", ["paths", "errors", "formatting", "reproducible", "stats", "config", "cells",
                  "freshness", "programs"]),
    # raw reading (the spreadsheets) and the file formats of data/processed
    ("raadata", ["rawfile", "excel", "processed"]),
    # one module per input source, the comments, and the check of all inputs together
    ("kilder", ["sources", "comments", "inputs"]),
    ("indikatorer", ["activities", "discretion", "indicators"]),
    ("rapport", ["slots", "figures", "report"]),
    ("rendering", ["render"]),
    ("koersel", ["stopping", "publishing", "runs", "stages", "pipeline"]),
    ("kommandoer", ["workbook", "sheets", "templates", "example_data", "synthetic", "export", "cli",
                    "jupyter", "__main__", "__init__"]),
]
LAYER_OF = {top: i for i, (_, tops) in enumerate(LAYERS) for top in tops}
MAX_LINES = 500


def _modules() -> dict[str, Path]:
    """'helhedsplan.report.data' → its file, for every module of the package."""
    out = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = list(path.relative_to(PACKAGE).with_suffix("").parts)
        if parts[-1] == "__init__" and len(parts) > 1:
            parts = parts[:-1]
        out[".".join(["helhedsplan", *parts])] = path
    return out


MODULES = _modules()


def _is_package(name: str) -> bool:
    return MODULES[name].name == "__init__.py" and name != "helhedsplan.__init__"


def _resolve(name: str, node: ast.ImportFrom) -> list[str]:
    """The package modules an import statement imports (submodules named in it included)."""
    if node.level:
        here = name.split(".") if _is_package(name) else name.split(".")[:-1]
        base = here[: len(here) - (node.level - 1)]
        target = ".".join(base + ([node.module] if node.module else []))
    else:
        target = node.module or ""
    if not target.startswith("helhedsplan"):
        return []
    # `from . import folder` imports the submodule, not the package's own namespace; a name that
    # is not a submodule (`from .base import Column`) comes from the module `target` itself.
    subs = [f"{target}.{a.name}" for a in node.names if f"{target}.{a.name}" in MODULES]
    rest = len(subs) < len(node.names)
    return [*([target] if rest and target in MODULES else []), *subs]


def _imports(name: str) -> list[tuple[str, int, bool]]:
    """(module imported, line, inside a function) for every import of the package's modules."""
    tree = ast.parse(MODULES[name].read_text(encoding="utf-8"))
    out = []

    def visit(node, nested: bool):
        for child in ast.iter_child_nodes(node):
            inner = nested or isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef)
            if isinstance(child, ast.ImportFrom):
                out.extend((m, child.lineno, nested) for m in _resolve(name, child))
            elif isinstance(child, ast.Import):
                out.extend((a.name, child.lineno, nested) for a in child.names
                           if a.name in MODULES)
            visit(child, inner)

    visit(tree, False)
    return out


def _layer(module: str) -> int:
    parts = module.split(".")
    top = parts[1] if len(parts) > 1 else "__init__"
    assert top in LAYER_OF, f"{module} står ikke i nogen lag i LAYERS: skriv det ind"
    return LAYER_OF[top]


GRAPH = {name: _imports(name) for name in MODULES}


def test_every_module_has_a_layer():
    for name in MODULES:
        _layer(name)


def test_imports_go_down_the_layers():
    wrong = [f"{name} (lag {LAYERS[_layer(name)][0]}) importerer {target} "
             f"(lag {LAYERS[_layer(target)][0]}), linje {line}"
             for name, imports in GRAPH.items() for target, line, _ in imports
             if _layer(target) > _layer(name)]
    assert not wrong, "\n".join(wrong)


def test_no_import_circle():
    """Depth-first search over every import, those inside functions included."""
    edges = {name: sorted({t for t, _, _ in imports if t != name})
             for name, imports in GRAPH.items()}
    state: dict[str, int] = {}
    stack: list[str] = []
    circles = []

    def visit(node: str):
        state[node] = 1
        stack.append(node)
        for nxt in edges[node]:
            if state.get(nxt) == 1:
                circles.append(" → ".join([*stack[stack.index(nxt):], nxt]))
            elif nxt not in state:
                visit(nxt)
        stack.pop()
        state[node] = 2

    for name in edges:
        if name not in state:
            visit(name)
    assert not circles, "\n".join(circles)


def test_an_import_inside_a_function_says_why():
    """Only a lazy import for speed (a measured cost, said in a comment on its line or the line
    above) may sit inside a function; one that dodges a circle would not say so."""
    silent = []
    for path in MODULES.values():
        lines = path.read_text(encoding="utf-8").splitlines()
        tree = ast.parse("\n".join(lines))
        for func in (n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)):
            for node in ast.walk(func):
                if not isinstance(node, ast.Import | ast.ImportFrom):
                    continue
                # the line itself, or the comments above the group of imports it belongs to
                said, above = [lines[node.lineno - 1]], node.lineno - 2
                while above >= 0 and (not lines[above].strip()
                                      or lines[above].strip().startswith(("#", "import ", "from "))):
                    said.append(lines[above])
                    above -= 1
                if "lazy" not in " ".join(said).lower():
                    silent.append(f"{path.relative_to(PACKAGE)}:{node.lineno}: "
                                  f"{lines[node.lineno - 1].strip()}")
    assert not silent, "\n".join(silent)


@pytest.mark.parametrize("name", sorted(MODULES))
def test_a_module_says_its_job_and_stays_short(name):
    path = MODULES[name]
    text = path.read_text(encoding="utf-8")
    doc = ast.get_docstring(ast.parse(text)) or ""
    assert doc.strip() and doc.splitlines()[0].strip(), f"{path}: første linje skal sige modulets opgave"
    n = len(text.splitlines())
    assert n <= MAX_LINES or "one file" in doc, (
        f"{path} har {n} linjer: del det op, eller sig i docstringen, hvorfor det må være one file")


def test_the_layer_test_sees_a_circle_and_an_upward_import(monkeypatch):
    """The tests above can fail: a made-up upward import and circle are caught."""
    fake = dict(GRAPH)
    fake["helhedsplan.config"] = [*GRAPH["helhedsplan.config"], ("helhedsplan.report", 1, True)]
    monkeypatch.setitem(globals(), "GRAPH", fake)
    with pytest.raises(AssertionError, match="importerer helhedsplan.report"):
        test_imports_go_down_the_layers()
    with pytest.raises(AssertionError, match="helhedsplan.config →"):
        test_no_import_circle()
