"""The notebooks as a Jupyter user runs them: opened from notebooks/ or reports/ and "Run all"
with their default parameters (no processed_dir, no skriv). They show the pipeline's tables and
figures for the year and write nothing into data/processed/ or reports/. And `make jupyter`
checks its variables before any shell sees them."""

import contextlib
import hashlib
import json
import subprocess

import nbformat
import pytest

from helhedsplan import config
from helhedsplan.pipeline.kernels import _kernel_manager
from helhedsplan.sources import sources_for

from .conftest import REPO, D, processed_dir, report_dir

INGEST = sorted(p.name for p in REPO.glob("notebooks/1*_indlaes_*.ipynb"))
NOTEBOOKS = [f"notebooks/{n}" for n in [*INGEST, "20_indikatorer.ipynb"]] + [
    "reports/statusrapport.ipynb"]
# The notebooks a build of delaftale D runs (the built project has D alone); the other ingest
# notebooks (a source D does not use, e.g. indikatorark) say so.
USED = [n for n in NOTEBOOKS if "_indlaes_" not in n
        or n.split("_indlaes_")[-1][:-6] in sources_for(config.default(D))]
NOT_USED = sorted(set(NOTEBOOKS) - set(USED))


def _digest(root):
    """Every file of the project, by content."""
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


def _run_as_jupyter(root, rel, monkeypatch, year=None):
    """Run a notebook as JupyterLab's "Run all" does: a fresh kernel in the notebook's folder,
    the defaults as committed (the parameters cell unchanged unless `year` is given)."""
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    nb = nbformat.read(root / rel, as_version=4)
    if year is not None:
        params = next(c for c in nb.cells if "parameters" in c.metadata.get("tags", []))
        params.source = params.source.replace("aar = 2024", f"aar = {year}")
    monkeypatch.setenv("HELHEDSPLAN_ROOT", str(root))
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    client = NotebookClient(nb, km=_kernel_manager()(kernel_name="python3"), timeout=300,
                            resources={"metadata": {"path": str((root / rel).parent)}})
    with contextlib.suppress(CellExecutionError):  # Run all stops at the first error, as here
        client.execute()
    return nb


@pytest.fixture(scope="module")
def run_by_hand(built_project):
    """Each notebook run once by hand in the built project, and the project's files before and
    after all of them."""
    root, _ = built_project
    before = _digest(root)
    with pytest.MonkeyPatch.context() as mp:
        executed = {rel: _run_as_jupyter(root, rel, mp) for rel in NOTEBOOKS}
    return root, executed, before, _digest(root)


def _errors(nb):
    return [o for c in nb.cells for o in c.get("outputs", []) if o["output_type"] == "error"]


def _outputs(nb, kind):
    return [o["data"][kind] for c in nb.cells if c.cell_type == "code"
            for o in c.get("outputs", []) if kind in o.get("data", {})]


def _published(root, rel):
    return nbformat.read(report_dir(root) / "notesbøger" / rel.split("/")[-1], as_version=4)


@pytest.mark.slow
def test_run_all_writes_nothing(run_by_hand):
    root, executed, before, after = run_by_hand
    assert after == before
    for rel in USED:
        assert not _errors(executed[rel]), rel


@pytest.mark.slow
@pytest.mark.parametrize("rel", NOT_USED, ids=lambda r: r.split("/")[-1])
def test_a_source_the_delaftale_does_not_use_says_so(run_by_hand, rel):
    _, executed, _, _ = run_by_hand
    errors = _errors(executed[rel])
    assert [e["ename"] for e in errors] == ["NotebookStop"]
    assert errors[0]["traceback"] == [f"Delaftalen {D} bruger ikke kilden indikatorark (se "
                                      f"config/delaftaler/{D}.yaml), så make report kører ikke "
                                      "denne notesbog for den. Ingen af delaftalerne bruger den."]


@pytest.mark.slow
@pytest.mark.parametrize("rel", USED[:-1], ids=lambda r: r.split("/")[-1])
def test_run_all_shows_the_pipelines_table(run_by_hand, rel):
    root, executed, _, _ = run_by_hand
    shown = _outputs(executed[rel], "text/plain")
    assert shown and shown == _outputs(_published(root, rel), "text/plain")
    assert _outputs(executed[rel], "text/html") == _outputs(_published(root, rel), "text/html")


@pytest.mark.slow
def test_indicator_notebook_shows_every_published_row(run_by_hand):
    import pandas as pd

    root, executed, _, _ = run_by_hand
    table = pd.read_csv(processed_dir(root) / "indikatorer.csv")
    html = _outputs(executed["notebooks/20_indikatorer.ipynb"], "text/html")[-1]
    # pandas shows the first and last rows of a long table, as in the pipeline's notebook
    assert f"<p>{len(table)} rows × {len(table.columns)} columns</p>" in html
    for indicator in (table["indikator_id"].iloc[0], table["indikator_id"].iloc[-1]):
        assert f"<td>{indicator}</td>" in html


@pytest.mark.slow
def test_report_notebook_shows_the_published_report(run_by_hand):
    """The same text, tables and figures as the executed notebook the build published, the
    comments and the list of inputs filled in from the year's published folder."""
    root, executed, _, _ = run_by_hand
    nb = executed["reports/statusrapport.ipynb"]
    published = _published(root, "reports/statusrapport.ipynb")
    shown = _outputs(nb, "text/markdown")
    assert shown == _outputs(published, "text/markdown")
    assert "opsøgende besøg" in "\n".join(shown)  # the comment of bemaerkninger.md
    assert "beboerdata.xlsx" in "\n".join(shown)  # the inputs appendix
    figures = [k for k in ("image/png", "image/svg+xml") if _outputs(published, k)]
    assert figures
    for kind in figures:
        assert len(_outputs(nb, kind)) == len(_outputs(published, kind)) > 0


@pytest.mark.slow
def test_an_executed_copy_run_again_by_hand_writes_nothing(built_project, monkeypatch):
    """A published copy carries the parameters the build ran it with (processed_dir = the
    published folder, skriv = True). Run again in Jupyter it shows its table, but does not
    write past the run lock and the all-or-nothing publish, not even the same bytes."""
    root, _ = built_project
    copies = report_dir(root) / "notesbøger"
    touched = {p: p.stat().st_mtime_ns for p in root.rglob("*") if p.is_file()}
    for name in ("12_indlaes_afdelingsmoeder.ipynb", "20_indikatorer.ipynb"):
        nb = _run_as_jupyter(root, (copies / name).relative_to(root), monkeypatch)
        assert not _errors(nb), name
        assert _outputs(nb, "text/plain"), name
    assert {p: p.stat().st_mtime_ns for p in root.rglob("*") if p.is_file()} == touched


@pytest.mark.slow
@pytest.mark.parametrize("rel", ["notebooks/20_indikatorer.ipynb", "reports/statusrapport.ipynb"],
                         ids=lambda r: r.split("/")[-1])
def test_a_year_not_built_stops_with_a_danish_message(built_project, monkeypatch, rel):
    root, _ = built_project
    assert not processed_dir(root, 2023).exists()
    before = _digest(root)
    nb = _run_as_jupyter(root, rel, monkeypatch, year=2023)
    errors = _errors(nb)
    assert len(errors) == 1
    assert errors[0]["ename"] == "NotBuilt"
    text = "\n".join(errors[0]["traceback"])
    assert "Traceback" not in text and "File " not in text
    assert "make report AAR=2023 DELAFTALE=sammenhaengskraft" in text
    assert _digest(root) == before


@pytest.mark.slow
def test_executed_notebooks_open_with_their_outputs(built_project):
    root, _ = built_project
    for path in sorted((report_dir(root) / "notesbøger").glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        nbformat.validate(nb)
        assert any(c.get("outputs") for c in nb.cells if c.cell_type == "code"), path.name


# --- make jupyter ------------------------------------------------------------------------------

def _make_n(*args):
    return subprocess.run(["make", "-n", "jupyter", *args], cwd=REPO, capture_output=True,
                          text=True, timeout=60)


def test_make_jupyter_starts_jupyterlab_in_the_project():
    done = _make_n("PORT=8890")
    assert done.returncode == 0, done.stderr
    assert "jupyterlab" in done.stdout and "--port 8890" in done.stdout
    assert "requirements-jupyter.txt" in (REPO / "Makefile").read_text(encoding="utf-8")
    pins = (REPO / "requirements-jupyter.txt").read_text(encoding="utf-8")
    assert "jupyterlab==" in pins
    assert "jupyterlab" not in (REPO / "requirements.txt").read_text(encoding="utf-8")


@pytest.mark.parametrize("value", ["88a", "8888; touch f", "$(shell touch f)", "1 2", "`touch f`"])
def test_make_jupyter_refuses_a_bad_port_before_any_shell_sees_it(tmp_path, value):
    done = subprocess.run(["make", "-f", str(REPO / "Makefile"), "jupyter", f"PORT={value}"],
                          cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert done.returncode != 0
    assert "PORT skal være et portnummer" in done.stderr
    assert list(tmp_path.iterdir()) == []  # nothing ran: not even the .venv was started


def test_committed_notebooks_default_to_writing_nothing():
    for rel in NOTEBOOKS[:-1]:
        nb = json.loads((REPO / rel).read_text(encoding="utf-8"))
        params = next(c for c in nb["cells"] if "parameters" in c["metadata"].get("tags", []))
        assert "skriv = False" in "".join(params["source"]), rel


def test_saving_a_committed_notebook_in_jupyterlab_keeps_it_clean():
    from helhedsplan import jupyter

    def model():
        nb = nbformat.read(REPO / "notebooks" / "20_indikatorer.ipynb", as_version=4)
        code = nb.cells[-1]
        code.source += "\nindikatorer.head()"  # the analyst's edit
        code.outputs = [nbformat.v4.new_output("execute_result", {"text/plain": "x"})]
        code.execution_count = 3
        code.metadata["execution"] = {"iopub.status.idle": "2025-01-01T00:00:00Z"}
        nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3 (helhedsplan)",
                                     "language": "python"}
        nb.metadata["language_info"] = {"name": "python", "version": "3.11.7"}
        return {"type": "notebook", "content": nb}

    for path in ("notebooks/20_indikatorer.ipynb", "/reports/statusrapport.ipynb"):
        saved = model()
        jupyter.pre_save(saved, path, contents_manager=None)
        clean = saved["content"]
        assert clean.cells[-1].source.endswith("indikatorer.head()")
        assert clean.cells[-1].outputs == [] and clean.cells[-1].execution_count is None
        assert "execution" not in clean.cells[-1].metadata
        assert clean.metadata["kernelspec"] == {"display_name": "Python 3", "language": "python",
                                                "name": "python3"}
        assert clean.metadata["language_info"] == {"name": "python"}
    executed = model()
    jupyter.pre_save(executed, "reports/2024/sammenhaengskraft/notesbøger/20_indikatorer.ipynb")
    assert executed["content"].cells[-1].outputs  # an executed copy keeps its outputs
