"""The stage runner: raw → processed → indicators → report notebook → HTML + PDF.

Every run builds into a fresh staging folder (.byg/<år>-<tid>/) and only a run where every stage
succeeded is published into data/processed/<år>/ and reports/<år>/. A failed run leaves both
untouched and keeps its staging folder, with the failed notebook, for inspection.

Stages form a small dependency graph; stages whose dependencies are done run side by side in
threads (papermill from threads in one process works, DESIGN.md), each in its own kernel.
"""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
import yaml

from . import config, paths
from .errors import InputError, Problem


class StageError(Exception):
    """A stage failed; the message is Danish and says what to do."""


@dataclass
class Build:
    year: int
    root: Path
    staging: Path
    renderer: str = "auto"
    log: Callable[[str], None] = print

    @property
    def processed(self) -> Path:
        return self.staging / "processed"

    @property
    def notebooks(self) -> Path:
        return self.staging / "notebooks"

    @property
    def rendered(self) -> Path:
        return self.staging / "rapport"

    @property
    def raw_dir(self) -> Path:
        return self.root / "data" / "raw"

    @property
    def processed_target(self) -> Path:
        return self.root / "data" / "processed" / str(self.year)

    @property
    def report_target(self) -> Path:
        return self.root / "reports" / str(self.year)


@dataclass(frozen=True)
class Stage:
    id: str
    label: str  # Danish, shown in progress and errors
    run: Callable[[Build], None]
    after: tuple[str, ...] = field(default=())


def _papermill(notebook: Path, parameters: Callable[[Build], dict]) -> Callable[[Build], None]:
    def run(build: Build) -> None:
        import papermill as pm

        out = build.notebooks / notebook.name
        try:
            pm.execute_notebook(str(notebook), str(out), parameters=parameters(build),
                                kernel_name="python3", cwd=str(build.root), progress_bar=False,
                                log_output=False, kernel_manager_class=_kernel_manager())
        except pm.PapermillExecutionError as err:
            if err.ename == "InputError":  # the package's own Danish message: show it as it is
                raise InputError(_problems_from_text(_strip_ansi(err.evalue))) from None
            raise StageError(f"{err.ename}: {_strip_ansi(err.evalue)}\nSe den gemte notesbog "
                             f"med fejlen markeret: {out}") from None
        _relative_papermill_paths(out, build)

    return run


def _relative_papermill_paths(path: Path, build: Build) -> None:
    """papermill records the notebook's input and output paths: keep them relative to the root."""
    nb = nbformat.read(path, as_version=4)
    meta = nb.metadata.get("papermill", {})
    for key in ("input_path", "output_path"):
        if meta.get(key):
            meta[key] = _rel(build, Path(meta[key]))
    nbformat.write(nb, path)


def _kernel_manager():
    """Kernels that log only fatal errors: the analyst should not see ipykernel's transport warning."""
    from jupyter_client.manager import AsyncKernelManager

    class QuietKernelManager(AsyncKernelManager):
        def format_kernel_cmd(self, extra_arguments=None):
            return [*super().format_kernel_cmd(extra_arguments), "--IPKernelApp.log_level=CRITICAL"]

    return QuietKernelManager


def _strip_ansi(text: str) -> str:
    import re

    return re.sub(r"\x1b\[[0-9;]*m", "", text)


def _problems_from_text(text: str) -> list[Problem] | str:
    """An InputError's text from a kernel → its problems again (so it is not wrapped twice)."""
    import re

    lines = text.strip().splitlines()
    if not lines or not re.match(r"^Der er \d+ problem(er)? med inddata:$", lines[0]):
        return text
    problems: list[str] = []
    for line in lines[1:]:
        if line.startswith("  - "):
            problems.append(line[4:])
        elif problems:
            problems[-1] += "\n" + line
    return [Problem(p) for p in problems] or text


def _rel(build: Build, path: Path) -> str:
    """A path for a notebook parameter, relative to the project root (the kernels' working
    directory): the executed notebooks travel in the export and must not carry the analyst's
    own folder names."""
    return Path(os.path.relpath(path, build.root)).as_posix()


def _ingest_params(source_id: str):
    return lambda b: {"aar": b.year, "raw_dir": _rel(b, b.raw_dir),
                      "processed_dir": _rel(b, b.processed)}


def _fill_front_matter(build: Build) -> Path:
    """The executed report notebook gets the year's title block (cell 0 is the front matter)."""
    from . import report  # pandas: only when a report is rendered, never on a reused build

    path = build.notebooks / paths.REPORT_NOTEBOOK.name
    nb = nbformat.read(path, as_version=4)
    meta = report.front_matter(config.load(build.root / "config" / "delaftale.yaml"), build.year)
    nb.cells[0].source = "---\n" + yaml.safe_dump(meta, allow_unicode=True,
                                                  sort_keys=False) + "---"
    nbformat.write(nb, path)
    return path


def _render(build: Build) -> None:
    from . import render

    executed = _fill_front_matter(build)
    render.render(executed, build.rendered, renderer=build.renderer, quarto_project=build.root,
                  log=build.log)


def stages(root: Path) -> list[Stage]:
    nb = root / "notebooks"
    from .sources import SOURCES

    # One ingest notebook per source (notebooks/1x_indlaes_<kilde>.ipynb), run side by side.
    found = {p.stem.split("_indlaes_")[-1]: p for p in nb.glob("1*_indlaes_*.ipynb")}
    out = [Stage(f"indlaes_{sid}", f"Indlæser {src.title}", _papermill(found[sid],
                                                                      _ingest_params(sid)))
           for sid, src in SOURCES.items()]
    out.append(Stage("indikatorer", "Beregner indikatorer",
                     _papermill(nb / "20_indikatorer.ipynb",
                                lambda b: {"aar": b.year, "processed_dir": _rel(b, b.processed),
                                           "raw_dir": _rel(b, b.raw_dir)}),
                     after=tuple(s.id for s in out)))
    out.append(Stage("rapport", "Kører rapportnotesbogen",
                     _papermill(root / "reports" / "statusrapport.ipynb",
                                lambda b: {"aar": b.year, "processed_dir": _rel(b, b.processed)}),
                     after=("indikatorer",)))
    out.append(Stage("render", "Danner HTML, PDF og Word", _render, after=("rapport",)))
    return out


def _run_graph(build: Build, todo: list[Stage], jobs: int) -> None:
    done: set[str] = set()
    pending = list(todo)
    n = len(todo)
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        running = {}
        while pending or running:
            for stage in [s for s in pending if set(s.after) <= done][: max(1, jobs) - len(running)]:
                pending.remove(stage)
                running[pool.submit(stage.run, build)] = (stage, time.perf_counter())
            finished, _ = wait(running, return_when=FIRST_COMPLETED)
            for fut in finished:
                stage, t0 = running.pop(fut)
                try:
                    fut.result()
                except Exception as exc:
                    for other in running:
                        other.cancel()
                    raise _StageFailed(stage, exc) from exc
                done.add(stage.id)
                build.log(f"[{len(done)}/{n}] {stage.label} … ok "
                          f"({time.perf_counter() - t0:.1f} s)".replace(".", ",", 1))
    build.log(f"Alle trin færdige på {time.perf_counter() - started:.0f} s.")


class _StageFailed(Exception):
    def __init__(self, stage: Stage, cause: Exception):
        self.stage, self.cause = stage, cause


def _publish(build: Build) -> None:
    """Swap the staged results in: first data/processed/<år>, then each report file."""
    target = build.processed_target
    target.parent.mkdir(parents=True, exist_ok=True)
    old = target.with_name(f".{target.name}.gammel")
    shutil.rmtree(old, ignore_errors=True)
    if target.exists():
        target.rename(old)
    build.processed.rename(target)
    shutil.rmtree(old, ignore_errors=True)

    out = build.report_target
    (out / "notesbøger").mkdir(parents=True, exist_ok=True)
    for f in build.notebooks.glob("*.ipynb"):
        os.replace(f, out / "notesbøger" / f.name)
    for f in build.rendered.iterdir():
        os.replace(f, out / f.name)


def latest_year(root: Path) -> int:
    years = paths.raw_years(root / "data" / "raw")
    if not years:
        raise InputError(f"Der er ingen årsmapper (fx data/raw/2024) i {root / 'data' / 'raw'}.")
    return years[-1]


def build(year: int | None = None, *, root: Path | None = None, renderer: str = "auto",
          jobs: int = 2, log: Callable[[str], None] = print) -> Path:
    """Run every stage for a year and publish the result. Returns the report folder.

    Raises InputError (bad or missing inputs) or StageError (a stage failed), both in Danish.
    """
    root = Path(root or paths.ROOT)
    cfg = config.load(root / "config" / "delaftale.yaml")  # a broken one stops the run here
    year = year or latest_year(root)
    if not (root / "data" / "raw" / str(year)).is_dir():
        raise InputError(f"Der er ingen inddata for {year}: mappen data/raw/{year} findes ikke. "
                         f"Årene med data er: {', '.join(map(str, paths.raw_years(root / 'data' / 'raw')))}. "
                         f"Er {year} et nyt år, så skriv skabelonerne med: make skabeloner "
                         f"AAR={year}")
    # Check every input file before any kernel starts: one list of all problems, in a second.
    from .sources import check_inputs

    log(f"Kontrollerer inddata for {year} og årene før …")
    problems = check_inputs(cfg, root / "data" / "raw", year)
    if problems:
        raise InputError(problems)
    from .comments import reminders

    for line in reminders(root / "data" / "raw" / str(year), cfg):
        log(line)
    staging_root = root / ".byg"
    for old in staging_root.glob(f"{year}-*"):  # an earlier failed run's leftovers
        shutil.rmtree(old, ignore_errors=True)
    staging = staging_root / f"{year}-{time.strftime('%Y%m%d-%H%M%S')}-{os.getpid()}"
    b = Build(year, root, staging, renderer, log)
    for d in (b.processed, b.notebooks, b.rendered):
        d.mkdir(parents=True)
    log(f"Bygger statusrapporten for {year} (mellemresultater i {staging.relative_to(root)})")
    # Kernels inherit the environment: they must read this project's configuration and data.
    previous_root = os.environ.get("HELHEDSPLAN_ROOT")
    os.environ["HELHEDSPLAN_ROOT"] = str(root)
    try:
        _run_graph(b, stages(root), jobs)
    except _StageFailed as failed:
        log(f"Trinnet '{failed.stage.label}' fejlede. Intet i data/processed/{year} eller "
            f"reports/{year} er ændret.")
        if isinstance(failed.cause, InputError | StageError):
            raise failed.cause from None
        raise StageError(f"Uventet fejl i trinnet '{failed.stage.label}': "
                         f"{type(failed.cause).__name__}: {failed.cause}\nMellemresultaterne "
                         f"ligger i {staging}") from failed.cause
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    finally:
        if previous_root is None:
            os.environ.pop("HELHEDSPLAN_ROOT", None)
        else:
            os.environ["HELHEDSPLAN_ROOT"] = previous_root
    _publish(b)
    shutil.rmtree(staging, ignore_errors=True)
    if staging_root.exists() and not any(staging_root.iterdir()):
        staging_root.rmdir()
    return b.report_target
