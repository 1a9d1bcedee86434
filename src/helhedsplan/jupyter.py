"""JupyterLab as `make jupyter` starts it (see the Makefile): the committed notebooks stay clean.

JupyterLab saves a notebook with its outputs, by hand and every two minutes on its own. For the
project's own notebooks (notebooks/*.ipynb and reports/statusrapport.ipynb) that would put
thousands of lines of output into git; this hook keeps the analyst's edits and leaves out the
outputs, execution counts and the kernel details JupyterLab adds. The executed notebooks in
reports/<år>/<delaftale>/notesbøger/ are saved as they are."""

from __future__ import annotations

from pathlib import PurePosixPath

KERNELSPEC = {"display_name": "Python 3", "language": "python", "name": "python3"}


def is_committed_notebook(path: str) -> bool:
    """A notebook of the project's own (its path as JupyterLab gives it, from the root)."""
    p = PurePosixPath(path.strip("/"))
    return p.suffix == ".ipynb" and (p.parent == PurePosixPath("notebooks")
                                     or p == PurePosixPath("reports/statusrapport.ipynb"))


def pre_save(model: dict, path: str, **kwargs) -> None:
    """jupyter_server's ContentsManager.pre_save_hook: a committed notebook without outputs."""
    if model.get("type") != "notebook" or not is_committed_notebook(path):
        return
    nb = model.get("content") or {}
    for cell in nb.get("cells", []):
        if cell.get("cell_type") == "code":
            cell["outputs"] = []
            cell["execution_count"] = None
        cell.get("metadata", {}).pop("execution", None)
    meta = nb.setdefault("metadata", {})
    meta["kernelspec"] = dict(KERNELSPEC)
    meta["language_info"] = {"name": "python"}
