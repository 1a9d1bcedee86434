import os
import shutil
from contextlib import contextmanager
from pathlib import Path

import pytest
from hypothesis import settings

from helhedsplan import config, paths
from helhedsplan.inputs import ingest
from helhedsplan.sources import sources_for
from helhedsplan.sources.base import write

REPO = paths.ROOT
# No per-example deadline: these machines are noisy, and speed is the benchmark's job, not a test's.
settings.register_profile("helhedsplan", deadline=None)
settings.load_profile("helhedsplan")
# The delaftale most tests use (the real one, config/delaftaler/sammenhaengskraft.yaml); the
# example delaftale "beskaeftigelse" has tests of its own (test_delaftaler.py).
D = "sammenhaengskraft"


def report_dir(root: Path, year: int = 2024) -> Path:
    return Path(root) / "reports" / str(year) / D


def processed_dir(root: Path, year: int = 2024) -> Path:
    return Path(root) / "data" / "processed" / str(year) / D


@pytest.fixture(scope="session")
def cfg():
    return config.default(D)


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
    now = cfg.for_report(2024)
    for src in sources_for(now).values():
        write(ingest(src, now, REPO / "data" / "raw", 2024), src, out)
    return out


def project_copy(dest: Path, delaftaler: tuple[str, ...] = (D,)) -> Path:
    """Everything a build needs, copied so a test can build (and break) it in isolation. Only
    the delaftaler named (default: the one most tests use) come along, with their own files."""
    for name in ("config", "notebooks", "data/raw"):
        shutil.copytree(REPO / name, dest / name)
    for path in sorted((dest / "config" / "delaftaler").glob("*.yaml")):
        if path.stem not in delaftaler:
            path.unlink()
            for own in (dest / "data" / "raw").glob(f"*/*_{path.stem}.*"):
                own.unlink()
    (dest / "reports").mkdir()
    shutil.copy(REPO / "reports" / "statusrapport.ipynb", dest / "reports")
    shutil.copy(REPO / "_quarto.yml", dest)
    return dest


# --- Quarto: a real one on PATH, else the kit's launcher (tests only: the project never uses
# the kit) --------------------------------------------------------------------------------------

KIT_VERSION = "1.10.18"
NO_QUARTO = ("Quarto findes ikke (hverken på PATH eller som kit i ~/.cache/quarto-kit): "
             "Quarto-testene springes over. Kør ../shared/quarto/install.sh for at køre dem.")


def find_quarto() -> str | None:
    found = shutil.which("quarto")
    if found:
        return found
    home = Path(os.environ.get("QUARTO_KIT_HOME", Path.home() / ".cache" / "quarto-kit"))
    launcher = home / KIT_VERSION / "bin" / "quarto"
    return str(launcher) if launcher.is_file() and os.access(launcher, os.X_OK) else None


QUARTO = find_quarto()


@pytest.fixture(scope="session")
def quarto_version():
    """The Quarto the tests use, as a version tuple; skips when there is none or it is too
    old for the project."""
    from helhedsplan.render import quarto

    if QUARTO is None:
        pytest.skip(NO_QUARTO)
    version = quarto.quarto_version(QUARTO)
    if version is None or version < quarto.MIN_QUARTO:
        pytest.skip(f"Quarto {version} er ældre end {quarto.MIN_QUARTO}")
    return version


@contextmanager
def quarto_on_path():
    """PATH with the tests' Quarto first, for one call (other tests' `auto` stays as it was)."""
    old = os.environ.get("PATH", "")
    os.environ["PATH"] = f"{Path(QUARTO).parent}{os.pathsep}{old}"
    try:
        yield
    finally:
        os.environ["PATH"] = old


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
        pipeline.build(year, root=root, renderer="indbygget", log=messages.append, delaftale=D)
    return root, messages


def run_cli(root: Path, *args: str, timeout: int = 300):
    """`python -m helhedsplan ARGS` against a scratch project, as the analyst would run it."""
    import os
    import subprocess
    import sys

    env = dict(os.environ, HELHEDSPLAN_ROOT=str(root))
    return subprocess.run([sys.executable, "-m", "helhedsplan", *args], capture_output=True,
                          text=True, env=env, timeout=timeout)


@pytest.fixture(scope="session")
def quarto_report(built_project, quarto_version, tmp_path_factory):
    """The 2024 example report rendered by Quarto from the built project's executed notebook,
    in a Quarto project as the repository has it (_quarto.yml with the assets it names):
    {"folder": the outputs, "warnings": what the render said, "left_behind": files it left in
    the project}."""
    from helhedsplan import render as rnd

    root, _ = built_project
    executed = report_dir(root) / "notesbøger" / "statusrapport.ipynb"
    project = tmp_path_factory.mktemp("quarto-projekt")
    shutil.copy(REPO / "_quarto.yml", project)
    shutil.copytree(REPO / "src" / "helhedsplan" / "assets",
                    project / "src" / "helhedsplan" / "assets")
    before = sorted(p.relative_to(project) for p in project.rglob("*"))
    out = tmp_path_factory.mktemp("quarto-ud")
    warnings: list[str] = []
    with quarto_on_path():
        rnd.render(executed, out, renderer="auto", quarto_project=project, log=warnings.append)
    after = sorted(p.relative_to(project) for p in project.rglob("*"))
    return {"folder": out, "warnings": warnings,
            "left_behind": sorted(set(after) - set(before))}
