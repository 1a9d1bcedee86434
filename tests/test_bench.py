"""The build benchmark's own measuring (benchmarks/bench_build.py is run by hand, not here)."""

import importlib.util
import sys

from helhedsplan import paths


def _bench():
    spec = importlib.util.spec_from_file_location("bench_build",
                                                  paths.ROOT / "benchmarks" / "bench_build.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def test_memory_of_the_whole_process_tree(tmp_path):
    """A parent holding 60 MB starts a child holding 60 MB: the tree's peak counts both, the
    largest single process only one."""
    bench = _bench()
    child = "import time; b = b'x' * 60_000_000; time.sleep(1.5)"
    parent = (f"import subprocess, sys; b = b'x' * 60_000_000; "
              f"subprocess.run([sys.executable, '-c', {child!r}], check=True)")
    run = bench.measure([sys.executable, "-c", parent], tmp_path)
    assert run.seconds >= 1.5
    assert 57 <= run.largest_mib < 100
    assert run.tree_mib >= 2 * 57


def test_floor_notebook_imports_pandas_and_matplotlib(tmp_path):
    import nbformat

    nb = nbformat.read(_bench().floor_notebook(tmp_path), as_version=4)
    assert [c.source for c in nb.cells] == ["import pandas\nimport matplotlib.pyplot"]
