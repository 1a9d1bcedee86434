import shutil
from pathlib import Path

import pytest

from helhedsplan import config, paths
from helhedsplan.sources import SOURCES
from helhedsplan.sources.base import ingest, write

REPO = paths.ROOT


@pytest.fixture(scope="session")
def cfg():
    return config.default()


@pytest.fixture()
def raw_copy(tmp_path) -> Path:
    """A scratch copy of the bundled example data that a test may break."""
    dest = tmp_path / "raw"
    shutil.copytree(REPO / "data" / "raw", dest)
    return dest


@pytest.fixture(scope="session")
def processed_2024(tmp_path_factory, cfg) -> Path:
    """The example data ingested for 2024, as the ingest notebooks write it."""
    out = tmp_path_factory.mktemp("processed") / "2024"
    for src in SOURCES.values():
        write(ingest(src, cfg, REPO / "data" / "raw", 2024), src, out)
    return out


def project_copy(dest: Path) -> Path:
    """Everything a build needs, copied so a test can build (and break) it in isolation."""
    for name in ("config", "notebooks", "data/raw"):
        shutil.copytree(REPO / name, dest / name)
    (dest / "reports").mkdir()
    shutil.copy(REPO / "reports" / "statusrapport.ipynb", dest / "reports")
    shutil.copy(REPO / "_quarto.yml", dest)
    return dest


COMMENT_2024 = """---
rapportdato: 2025-03-01
---
# Bemærkninger til statusrapporten 2024

## Flere deltager i afdelingsmøderne

Flere kom til møderne efter **opsøgende besøg** i opgangene. <script>alert("x")</script>

## Tryghed ved at anmelde til politiet

<!-- Skriv bemærkningen her. -->
"""


@pytest.fixture(scope="session")
def built_project(tmp_path_factory):
    """One scratch project built for 2024 (with a comments file), 2021 and 2018, shared by the
    end-to-end tests: each build starts seven kernels, so it is done once per session."""
    from helhedsplan import pipeline

    root = project_copy(tmp_path_factory.mktemp("projekt"))
    (root / "data" / "raw" / "2024" / "bemaerkninger.md").write_text(COMMENT_2024,
                                                                      encoding="utf-8")
    messages: list[str] = []
    for year in (2018, 2021, 2024):
        pipeline.build(year, root=root, renderer="indbygget", log=messages.append)
    return root, messages


def run_cli(root: Path, *args: str, timeout: int = 300):
    """`python -m helhedsplan ARGS` against a scratch project, as the analyst would run it."""
    import os
    import subprocess
    import sys

    env = dict(os.environ, HELHEDSPLAN_ROOT=str(root))
    return subprocess.run([sys.executable, "-m", "helhedsplan", *args], capture_output=True,
                          text=True, env=env, timeout=timeout)
