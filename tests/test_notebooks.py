"""Committed notebooks are clean: no outputs, one parameters cell, a generic kernel."""

import json

import pytest

from .conftest import REPO

NOTEBOOKS = sorted(REPO.glob("notebooks/*.ipynb")) + [REPO / "reports" / "statusrapport.ipynb"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_is_clean(path):
    nb = json.loads(path.read_text(encoding="utf-8"))
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    assert all(not c.get("outputs") and c.get("execution_count") is None for c in code)
    tags = [t for c in nb["cells"] for t in c.get("metadata", {}).get("tags", [])]
    assert tags.count("parameters") == 1
    assert "injected-parameters" not in tags
    assert nb["metadata"]["kernelspec"]["name"] == "python3"
    assert "/" not in json.dumps(nb["metadata"]["kernelspec"])  # no absolute kernel path


def test_there_is_one_ingest_notebook_per_source():
    from helhedsplan.sources import SOURCES
    names = {p.stem.split("_indlaes_")[-1] for p in REPO.glob("notebooks/*_indlaes_*.ipynb")}
    assert names == set(SOURCES)


def test_report_notebook_starts_with_front_matter():
    nb = json.loads((REPO / "reports" / "statusrapport.ipynb").read_text(encoding="utf-8"))
    first = nb["cells"][0]
    assert first["cell_type"] == "raw"
    assert "".join(first["source"]).startswith("---")
