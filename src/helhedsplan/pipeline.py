"""The stage runner: raw → processed → indicators → report notebook → HTML + PDF.

A run holds the project's lock (runs.lock: one run at a time). It first computes, for every
stage, the digest of everything the stage reads (freshness.py) and compares it with the record
of the last published build (data/processed/<år>/bygning.json). A stage whose inputs and
upstream stages are unchanged, and whose published outputs are intact, is reused: its outputs
are copied into the staging folder and no kernel starts. When every stage is reused, the run
stops there: nothing is written. Otherwise the stages that must run build into a fresh staging
folder (.byg/<år>-<tid>-<pid>/), and only a run where every stage succeeded is published, as
one unit (runs.publish), into data/processed/<år>/ and reports/<år>/. A failed run leaves
both untouched and keeps its staging folder, with the failed notebook, for inspection.

Stages form a small dependency graph; stages whose dependencies are done run side by side in
threads (papermill from threads in one process works, DESIGN.md). Notebook stages run in a few
long-lived kernels ("lanes", _Lane): starting a kernel and importing pandas, matplotlib and the
package is most of what a notebook stage costs, so a lane pays it once and runs its notebooks
in turn, with the namespace reset between them. The report's lane starts at the beginning of
the run and imports what the report needs while the data stages work.
"""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from . import freshness, paths, runs
from .errors import InputError, Problem
from .runs import PublishError, RunLocked  # noqa: F401  (the CLI catches them from here)

NOTEBOOK_FOLDER = "notesbøger"
# Files an ingest stage reads besides its own source's files, for each year up to the report
# year: the cross-checks (sources/sab.py compares attendance with Beboerdata's 18+).
CROSS_READS = {"afdelingsmoeder": ("beboerdata.xlsx",)}
DATA_LANE, REPORT_LANE = "data", "rapport"  # the kernels a run starts (_Lane)
# What the stages import, loaded while the kernel waits for its first notebook.
_INGEST_WARMUP = "import helhedsplan.stages, helhedsplan.sources"
_REPORT_WARMUP = ("import helhedsplan.report, helhedsplan.figures, helhedsplan.stages\n"
                  "import matplotlib.pyplot, seaborn, IPython.display")
NOT_MEASURED = "ikke_maalt.txt"  # sources.folder.NOT_MEASURED_FILE (a test keeps them equal)
COMMENTS = "bemaerkninger"  # the stage, and data/raw/<år>/bemaerkninger.md


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
    # What the stage reads besides its upstream stages' outputs: {name: SHA-256}.
    reads: Callable[[Build], dict[str, str]] = field(default=lambda b: {})
    # Which staged files (relative to the staging folder, e.g. 'processed/x.csv') it writes.
    owns: Callable[[str], bool] = field(default=lambda rel: False)
    # The kernel lanes a notebook stage may run in, preferred first (none: runs in this
    # process), and what its lane may import before the stage's turn comes.
    lanes: tuple[str, ...] = ()
    warmup: str = ""


def _papermill(notebook: Path, parameters: Callable[[Build], dict]):
    def run(build: Build, km) -> None:
        import papermill as pm

        out = build.notebooks / notebook.name
        try:
            pm.execute_notebook(str(notebook), str(out), parameters=parameters(build),
                                kernel_name="python3", cwd=str(build.root), progress_bar=False,
                                log_output=False, km=km,
                                # saving after every cell costs a third of a short notebook
                                request_save_on_cell_execute=False)
        except pm.PapermillExecutionError as err:
            if err.ename == "InputError":  # the package's own Danish message: show it as it is
                raise InputError(_problems_from_text(_strip_ansi(err.evalue))) from None
            raise StageError(f"{err.ename}: {_strip_ansi(err.evalue)}\nSe den gemte notesbog "
                             f"med fejlen markeret: {out}") from None
        _normalise(build, notebook, out)

    return run


def _normalise(build: Build, notebook: Path, out: Path) -> None:
    """No timings and no build-folder paths in a published notebook (byte-identical rebuilds):
    each path (absolute, or relative as the parameters are) becomes the project-relative one it
    stands for once published; papermill's input and output paths become relative too."""
    from . import reproducible

    published = f"reports/{build.year}/notesbøger"
    stands_for = {build.processed: f"data/processed/{build.year}",
                  build.notebooks / out.name: f"{published}/{out.name}",
                  build.notebooks: published,
                  notebook: _rel(build, notebook),
                  build.raw_dir: "data/raw",
                  build.staging: ".byg"}
    paths = {str(build.root): "."}
    for path, relative in stands_for.items():
        paths[str(path)] = relative
        paths[_rel(build, path)] = relative
    reproducible.normalise_notebook(out, paths)


def _kernel_manager():
    """Kernels that log only fatal errors: the analyst should not see ipykernel's transport warning."""
    from jupyter_client.manager import AsyncKernelManager

    class QuietKernelManager(AsyncKernelManager):
        def format_kernel_cmd(self, extra_arguments=None):
            return [*super().format_kernel_cmd(extra_arguments), "--IPKernelApp.log_level=CRITICAL"]

    return QuietKernelManager


# Before each notebook in a lane: the run's SOURCE_DATE_EPOCH, and after the first one an empty
# namespace, no open figures and the execution count back at 1, so an executed notebook is byte
# for byte what a fresh kernel would give. Imported modules stay: that is the point of a lane.
_RESET = ("import matplotlib.pyplot as _plt\n_plt.close('all')\n"
          "get_ipython().reset(new_session=True)")


class _Lane:
    """One kernel that runs notebook stages in turn. Everything the kernel's client does
    happens in the lane's one thread: its asyncio loop owns the kernel's sockets."""

    def __init__(self, name: str, root: Path, env: dict[str, str], warmup: str):
        from concurrent.futures import ThreadPoolExecutor

        self.name, self.root, self.env = name, root, env
        self.pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"kerne-{name}")
        self.km = None
        self.used = False
        self.closed = False
        self.epoch: str | None = None  # set by the run before the first notebook is submitted
        self.started = self.pool.submit(self._start, warmup)

    def submit(self, run: Callable, build: Build):
        return self.pool.submit(self._run, run, build)

    def close(self, wait: bool = True) -> None:
        """Shut the kernel down once its last notebook is done (again: no-op but the wait)."""
        if not self.closed:
            self.closed = True
            self.pool.submit(self._stop)
        self.pool.shutdown(wait=wait)

    def _start(self, warmup: str) -> None:
        """Start the kernel and wait until it answers. A kernel that dies on the way (another
        program took the port it was given between the choice and the bind) is started
        once more before the run gives up."""
        from jupyter_core.utils import run_sync

        for attempt in (1, 2):
            km = _kernel_manager()(kernel_name="python3")
            run_sync(km.start_kernel)(cwd=str(self.root), env=self.env)
            kc = km.client()
            kc.start_channels()
            try:
                run_sync(kc.wait_for_ready)(timeout=120)
                break
            except RuntimeError as exc:
                run_sync(km.shutdown_kernel)(now=True)
                if attempt == 2:
                    raise StageError(f"Python-kernen kunne ikke starte: {exc}") from None
            finally:
                kc.stop_channels()
        self.km = km
        if warmup:
            self._execute(warmup)

    def _execute(self, code: str) -> None:
        from jupyter_core.utils import run_sync

        kc = self.km.client()
        kc.start_channels()
        try:
            reply = run_sync(kc.execute_interactive)(code, silent=True, store_history=False,
                                                     timeout=300, output_hook=lambda msg: None)
        finally:
            kc.stop_channels()
        content = reply["content"]
        if content.get("status") != "ok":
            raise StageError(f"Python-kernen kunne ikke gøres klar: {content.get('ename')}: "
                             f"{_strip_ansi(str(content.get('evalue')))}")

    def _run(self, run: Callable, build: Build) -> None:
        from . import reproducible

        setup = f"import os\nos.environ[{reproducible.ENV!r}] = {self.epoch!r}"
        self._execute(f"{_RESET}\n{setup}" if self.used else setup)
        self.used = True
        run(build, self.km)

    def _stop(self) -> None:
        if self.km is not None:
            from jupyter_core.utils import run_sync

            try:
                run_sync(self.km.shutdown_kernel)(now=True)
            except Exception:  # noqa: BLE001  (a kernel that is already gone is fine)
                pass
            self.km = None


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


def _fill_in(build: Build) -> Path:
    """The executed report notebook gets the year's title block (cell 0 is the front matter)
    and its slots filled: the comments and the list of input files (report.slot)."""
    import nbformat
    import yaml

    from . import comments, config, report

    path = build.notebooks / paths.REPORT_NOTEBOOK.name
    nb = nbformat.read(path, as_version=4)
    meta = report.front_matter(config.load(build.root / "config" / "delaftale.yaml"), build.year,
                               comments.report_date(build.raw_dir / str(build.year)))
    nb.cells[0].source = "---\n" + yaml.safe_dump(meta, allow_unicode=True,
                                                  sort_keys=False) + "---"
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            name = out.get("metadata", {}).get(report.SLOT)
            if name:
                out["data"]["text/markdown"] = report.slot_text(name, build.processed)
    nbformat.write(nb, path)
    return path


def _collect_comments(build: Build) -> None:
    from . import comments, config

    cfg = config.load(build.root / "config" / "delaftale.yaml")
    comments.collect(build.raw_dir, build.year, cfg, build.processed)


def _render(build: Build) -> None:
    from . import render

    executed = _fill_in(build)
    render.render(executed, build.rendered, renderer=build.renderer, quarto_project=build.root,
                  log=build.log)


# --- what each stage reads ------------------------------------------------------------------

def _files(root: Path, rels: list[str]) -> dict[str, str]:
    return {rel: freshness.digest_file(root / rel) for rel in rels}


def _common(build: Build, notebook: Path | None, modules: list[str]) -> dict[str, str]:
    """What every stage reads: the configuration, its notebook, the package code it imports,
    the pipeline that runs it, the installed versions and the year."""
    root = build.root
    out = _files(root, ["config/delaftale.yaml"])
    if notebook is not None:
        out |= _files(root, [notebook.relative_to(root).as_posix()])
        modules = [*modules, *freshness.notebook_modules(notebook)]
    out |= freshness.package_files(modules)
    out["programfil helhedsplan/pipeline.py"] = freshness.digest_file(Path(__file__))
    out["pakkeversioner"] = freshness.installed_versions()
    out["parameter aar"] = str(build.year)
    return out


def _front_matter_digest(build: Build) -> str:
    """The digest of the front matter (rapportdato) of the year's bemaerkninger.md alone: the
    comments below it do not reach the report notebook."""
    path = build.raw_dir / str(build.year) / f"{COMMENTS}.md"
    state = freshness.digest_file(path)
    if state == freshness.NOT_A_FILE:
        return state
    # No file and a file without front matter both mean: no report date given.
    data = b"" if state == freshness.MISSING else path.read_bytes()
    return freshness.digest_bytes(freshness.front_matter(data).encode())


def _year_files(build: Build, names: tuple[str, ...]) -> dict[str, str]:
    """The named files in every year folder up to the report year, found as the sources find
    them (a differently cased name is the same file on Windows and macOS); absent ones too."""
    wanted = {n.casefold(): n for n in names}
    out = {}
    for y in paths.raw_years(build.raw_dir):
        if y > build.year:
            continue
        folder = build.raw_dir / str(y)
        found = {p.name.casefold(): p for p in folder.iterdir() if p.name.casefold() in wanted}
        for key, name in wanted.items():
            p = found.get(key)
            out[f"data/raw/{y}/{p.name if p else name}"] = (
                freshness.digest_file(p) if p else freshness.MISSING)
    return out


def _ingest_reads(sid: str, notebook: Path, filenames: tuple[str, ...]):
    return lambda build: _common(build, notebook, []) | _year_files(build, filenames)


def _check_key(root: Path, year: int) -> str:
    """What the check of every input before the kernels (sources.check_inputs) looks at: every
    file in the year folders up to the report year (stray and misnamed ones too), the
    configuration and the sources' code. When it is unchanged, the check need not run again."""
    files = {}
    for y in paths.raw_years(root / "data" / "raw"):
        if y <= year:
            for p in sorted((root / "data" / "raw" / str(y)).iterdir()):
                files[f"data/raw/{y}/{p.name}"] = freshness.digest_file(p)
    files |= _files(root, ["config/delaftale.yaml"])
    files |= freshness.package_files(["helhedsplan.sources"])
    return freshness.key(files, [str(year)])


def _resolved_renderer(renderer: str) -> str:
    if renderer == "auto":
        return "quarto" if shutil.which("quarto") else "indbygget"
    return renderer


def _render_reads(build: Build) -> dict[str, str]:
    root = build.root
    out = _common(build, None, ["helhedsplan.render", "helhedsplan.report", "helhedsplan.config"])
    out |= _files(root, ["_quarto.yml"])
    assets = freshness.PACKAGE_DIR / "assets"
    out |= {f"skabelon {p.relative_to(freshness.PACKAGE_DIR.parent).as_posix()}":
            freshness.digest_file(p) for p in sorted(assets.rglob("*")) if p.is_file()}
    renderer = _resolved_renderer(build.renderer)
    out["parameter renderer"] = renderer
    if renderer == "quarto":  # which Quarto: its launcher and version file (no process started)
        exe = Path(shutil.which("quarto") or "quarto").resolve()
        # One entry, so the console says "Quarto er kommet til" or "Quarto er ændret".
        parts = [str(exe), *(freshness.digest_file(p)
                             for p in (exe, exe.parent.parent / "share" / "version"))]
        out["Quarto"] = freshness.digest_bytes("\n".join(parts).encode())
    return out


def _source_info(root: Path, recorded: dict) -> dict[str, tuple[str, tuple[str, ...]]]:
    """{source id: (Danish title, files its ingest reads per year)}. Taken from the record when
    the sources' code is unchanged (importing the sources costs a second: pandas, pandera),
    else from the sources themselves."""
    info = recorded.get("kilder")
    code = freshness.package_files(["helhedsplan.sources"])
    if isinstance(info, dict) and recorded.get("kildekode") == code:
        return {sid: (title, tuple(files)) for sid, (title, files) in info.items()}
    from .sources import SOURCES

    return {sid: (src.title, (src.filename, *CROSS_READS.get(sid, ()), NOT_MEASURED))
            for sid, src in SOURCES.items()}


def stages(root: Path, sources: dict | None = None) -> list[Stage]:
    """The stages in order; `sources` as _source_info gives it (default: from the sources)."""
    nb = root / "notebooks"
    info = sources if sources is not None else _source_info(root, {})
    # One ingest notebook per source (notebooks/1x_indlaes_<kilde>.ipynb), run side by side.
    found = {p.stem.split("_indlaes_")[-1]: p for p in nb.glob("1*_indlaes_*.ipynb")}
    out = []
    for sid, (title, filenames) in info.items():
        notebook = found[sid]
        out.append(Stage(f"indlaes_{sid}", f"Indlæser {title}",
                         _papermill(notebook, _ingest_params(sid)),
                         lanes=(DATA_LANE, REPORT_LANE), warmup=_INGEST_WARMUP,
                         reads=_ingest_reads(sid, notebook, filenames),
                         owns=lambda rel, sid=sid, name=notebook.name: (
                             rel.startswith(f"processed/{sid}.") or rel == f"notebooks/{name}")))
    indicators_nb = nb / "20_indikatorer.ipynb"
    out.append(Stage("indikatorer", "Beregner indikatorer",
                     _papermill(indicators_nb,
                                lambda b: {"aar": b.year, "processed_dir": _rel(b, b.processed),
                                           "raw_dir": _rel(b, b.raw_dir)}),
                     after=tuple(s.id for s in out), lanes=(REPORT_LANE,),
                     warmup="import helhedsplan.indicators, helhedsplan.comments, scipy.stats",
                     reads=lambda b: _common(b, indicators_nb, []) | _year_files(b, (NOT_MEASURED,)),
                     owns=lambda rel: ((rel.startswith("processed/")
                                        and not rel.startswith(f"processed/{COMMENTS}."))
                                       or rel == f"notebooks/{indicators_nb.name}")))
    # The comments are text: read and checked in this process, no kernel (report.slot).
    out.append(Stage(COMMENTS, "Læser bemærkningerne", _collect_comments,
                     reads=lambda b: _common(b, None, ["helhedsplan.comments"])
                     | _files(b.root, [f"data/raw/{b.year}/{COMMENTS}.md"]),
                     owns=lambda rel: rel.startswith(f"processed/{COMMENTS}.")))
    report_nb = root / "reports" / "statusrapport.ipynb"
    out.append(Stage("rapport", "Kører rapportnotesbogen",
                     _papermill(report_nb,
                                lambda b: {"aar": b.year, "processed_dir": _rel(b, b.processed)}),
                     after=("indikatorer",),
                     # The report date sets every timestamp in its figures (SOURCE_DATE_EPOCH).
                     reads=lambda b: _common(b, report_nb, []) | {
                         "rapportdato i bemaerkninger.md": _front_matter_digest(b)},
                     lanes=(REPORT_LANE,), warmup=_REPORT_WARMUP,
                     owns=lambda rel: rel == f"notebooks/{report_nb.name}"))
    out.append(Stage("render", "Danner HTML, PDF og Word", _render, after=("rapport", COMMENTS),
                     reads=_render_reads, owns=lambda rel: rel.startswith("rapport/")))
    return out


# --- deciding what runs -----------------------------------------------------------------------

@dataclass
class Plan:
    stage: Stage
    inputs: dict[str, str]
    key: str
    reason: str | None  # Danish: why it runs; None: reused


def _published(build: Build, staged_rel: str) -> Path:
    """Where a staged file ends up: processed/x → data/processed/<år>/x, notebooks/x →
    reports/<år>/notesbøger/x, rapport/x → reports/<år>/x."""
    area, _, rest = staged_rel.partition("/")
    base = {"processed": build.processed_target,
            "notebooks": build.report_target / NOTEBOOK_FOLDER,
            "rapport": build.report_target}[area]
    return base / rest


def _plan(build: Build, all_stages: list[Stage], recorded: dict, full: bool) -> list[Plan]:
    plans: dict[str, Plan] = {}
    trin = recorded.get("trin", {})
    labels = {s.id: s.label for s in all_stages}
    for stage in all_stages:
        inputs = stage.reads(build)
        key = freshness.key(inputs, [plans[u].key for u in stage.after])
        before = trin.get(stage.id) or {}
        reason = None
        upstream = [u for u in stage.after if plans[u].reason]
        if full:
            reason = "--alt: alt bygges forfra"
        elif not before:
            reason = "der er ingen tidligere bygning at genbruge"
        elif before.get("noegle") != key:
            changed = freshness.what_changed(before.get("inddata", {}), inputs)
            if changed:
                # at most four named; "og 1 andre ting" would be wrong Danish and say less
                shown = changed if len(changed) <= 4 else \
                    [*changed[:3], f"{len(changed) - 3} andre ting"]
                reason = (", ".join(shown[:-1]) + " og " + shown[-1]) if len(shown) > 1 \
                    else shown[0]
            elif upstream:
                reason = f"trinnet '{labels[upstream[0]]}' kører igen"
            else:
                reason = "det, trinnet læser, er ændret"
        elif upstream:
            reason = f"trinnet '{labels[upstream[0]]}' kører igen"
        else:
            for rel, digest in (before.get("uddata") or {}).items():
                target = _published(build, rel)
                if freshness.digest_file(target) != digest:
                    reason = (f"{target.relative_to(build.root).as_posix()} mangler eller er "
                              "ændret siden sidste bygning")
                    break
            if not before.get("uddata"):
                reason = "trinnet har ingen gemte resultater"
        plans[stage.id] = Plan(stage, inputs, key, reason)
    return list(plans.values())


def _reuse(build: Build, plan: Plan, recorded: dict) -> None:
    """Copy a reused stage's published outputs into the staging folder."""
    for rel in recorded["trin"][plan.stage.id]["uddata"]:
        dest = build.staging / rel
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(_published(build, rel), dest)


def _start_lanes(root: Path, todo: list[Stage], jobs: int) -> dict[str, _Lane]:
    """The kernels the notebook stages that will run need, started now in the background, each
    importing what its stages use while this process checks the inputs. With jobs = 1 one
    kernel runs every notebook."""
    wanted: dict[str, list[str]] = {}
    # A kernel of its own pays off for several ingests (a cold build), not for one changed
    # spreadsheet: its start would only compete for the processor with the report's kernel.
    data_stages = sum(1 for s in todo if s.lanes[:1] == (DATA_LANE,))
    for stage in todo:
        if stage.lanes:
            lane = stage.lanes[0] if jobs > 1 and data_stages > 1 else stage.lanes[-1]
            wanted.setdefault(lane, []).append(stage.warmup)
    # The kernels read this project's configuration and data; the run's SOURCE_DATE_EPOCH is
    # set before each notebook (_Lane._run), when the report date has been read.
    env = dict(os.environ, HELHEDSPLAN_ROOT=str(root))
    env.pop("SOURCE_DATE_EPOCH", None)
    return {name: _Lane(name, root, env, "\n".join(dict.fromkeys(w for w in warm if w)))
            for name, warm in wanted.items()}


def _check_inputs(cfg, root: Path, year: int, log: Callable[[str], None]) -> None:
    from .comments import reminders
    from .inputs import check_inputs

    problems = check_inputs(cfg, root / "data" / "raw", year)
    if problems:
        raise InputError(problems)
    for line in reminders(root / "data" / "raw" / str(year), cfg):
        log(line)


def _run_graph(build: Build, todo: list[Stage], total: int, lanes: dict[str, _Lane],
               checked=None) -> None:
    """Run the stages as their dependencies allow: a notebook stage in the first of its lanes
    that is ready and idle, the others in a thread of this process. `checked` is the check of
    the inputs, running beside them: it must have passed before the last stage ends."""
    from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait

    done: set[str] = set()
    ran = 0
    pending = list(todo)
    todo_ids = {s.id for s in todo}
    started = time.perf_counter()
    running = {lane.started: (None, lane.name, started) for lane in lanes.values()}
    if checked is not None:
        running[checked] = (_CHECK, None, started)
    try:
        with ThreadPoolExecutor(max_workers=2) as pool:
            while pending or running:
                busy = {name for _, name, _ in running.values()}
                for stage in [s for s in pending if set(s.after) & todo_ids <= done]:
                    if not stage.lanes:
                        fut, lane = pool.submit(stage.run, build), None
                    else:
                        free = [n for n in stage.lanes if n in lanes and n not in busy]
                        if not free and not any(n in lanes for n in stage.lanes):
                            free = [next(iter(lanes))]  # jobs = 1: the one kernel
                        if not free or free[0] in busy:
                            continue  # its kernel is busy: it waits, in plan order
                        lane = free[0]
                        busy.add(lane)
                        fut = lanes[lane].submit(stage.run, build)
                    pending.remove(stage)
                    running[fut] = (stage, lane, time.perf_counter())
                finished, _ = wait(running, return_when=FIRST_COMPLETED)
                for fut in finished:
                    stage, lane, t0 = running.pop(fut)
                    try:
                        fut.result()
                    except Exception as exc:
                        for other in running:
                            other.cancel()
                        raise _StageFailed(stage or _KERNEL_START, exc) from exc
                    if stage is None or stage is _CHECK:
                        continue
                    done.add(stage.id)
                    ran += 1
                    build.log(f"[{ran}/{len(todo)}] {stage.label} … ok "
                              f"({time.perf_counter() - t0:.1f} s)".replace(".", ",", 1))
                    runs.testpoint(f"trin:{stage.id}")
                    if lane and not any(lane in s.lanes for s in pending):
                        lanes[lane].close(wait=False)  # no more work for it: free its memory
    finally:
        for lane in lanes.values():
            lane.close()
    build.log(f"{len(todo)} af {total} trin kørt på "
              f"{time.perf_counter() - started:.0f} s.")


class _StageFailed(Exception):
    def __init__(self, stage: Stage, cause: Exception):
        self.stage, self.cause = stage, cause


_KERNEL_START = Stage("kerne", "Starter en Python-kerne", lambda build: None)
_CHECK = Stage("kontrol", "Kontrollerer inddata", lambda build: None)


def _owner(all_stages: list[Stage], rel: str) -> Stage | None:
    return next((s for s in all_stages if s.owns(rel)), None)


def _publish(build: Build, all_stages: list[Stage], plans: list[Plan], recorded: dict,
             sources: dict, check: str) -> None:
    """Write the record of the new set, then swap the whole set in as one unit (runs.publish):
    files whose content is unchanged stay where they are; files of the old set that the new
    one lacks go; an export zip made from the old set goes too (it no longer matches)."""
    staged = sorted(p for p in build.staging.rglob("*")
                    if p.is_file() and p.parts[len(build.staging.parts)] in
                    ("processed", "notebooks", "rapport"))
    outputs: dict[str, dict[str, str]] = {p.stage.id: {} for p in plans}
    new: list[tuple[Path, Path]] = []
    keep: set[Path] = set()
    for path in staged:
        rel = path.relative_to(build.staging).as_posix()
        owner = _owner(all_stages, rel)
        digest = freshness.digest_file(path)
        if owner is not None:
            outputs[owner.id][rel] = digest
        target = _published(build, rel)
        keep.add(target)
        if freshness.digest_file(target) != digest:
            new.append((path, target))
    record = {"aar": build.year, "kontrol": check,
              "kilder": {sid: [t, list(f)] for sid, (t, f) in sources.items()},
              "kildekode": freshness.package_files(["helhedsplan.sources"]),
              "trin": {p.stage.id: {"noegle": p.key, "inddata": p.inputs,
                                    "uddata": outputs[p.stage.id]} for p in plans}}
    freshness.write_record(build.processed, record)
    record_file = build.processed / freshness.RECORD
    keep.add(build.processed_target / freshness.RECORD)
    remove = [p for p in _old_set(build, recorded) if p not in keep]
    # The export zip holds the PDF, the notebooks and what data/processed/<år>/ says: a change
    # to any of them (not to the HTML alone) makes it stale, and it goes with the old set.
    changed = [d for _, d in new] + remove
    stale = [] if not any(_in_export(build, d) for d in changed) else sorted(
        p for p in build.report_target.glob("*.zip") if p.is_file())
    record_target = build.processed_target / freshness.RECORD
    if freshness.digest_file(record_target) != freshness.digest_file(record_file):
        new.append((record_file, record_target))
    if new or remove:
        runs.publish(build.root, build.staging, new, remove + stale, log=build.log)
        for z in stale:
            build.log(f"Den gamle eksport {z.relative_to(build.root).as_posix()} passede ikke "
                      "længere til rapporten og er fjernet. Lav en ny med 'make eksport'.")


def _in_export(build: Build, path: Path) -> bool:
    if path.is_relative_to(build.processed_target):
        return path.name != freshness.RECORD
    return (path == build.report_target / "statusrapport.pdf"
            or path.is_relative_to(build.report_target / NOTEBOOK_FOLDER))


def _old_set(build: Build, recorded: dict) -> list[Path]:
    """The files of the published set now: all of data/processed/<år>/ and the notebooks
    folder, the report files, and whatever the record lists."""
    out = {p for p in build.processed_target.rglob("*") if p.is_file()}
    out |= {p for p in (build.report_target / NOTEBOOK_FOLDER).rglob("*") if p.is_file()}
    out |= {p for p in build.report_target.glob("statusrapport.*") if p.is_file()}
    for stage in (recorded.get("trin") or {}).values():
        out |= {_published(build, rel) for rel in stage.get("uddata") or {}}
    return sorted(out)


def status(year: int, root: Path, renderer: str = "auto") -> list[str]:
    """Why the year's published set is not up to date, in Danish ('Danner HTML, PDF og Word: …');
    empty when every stage would be reused. Reads and hashes only; imports nothing heavy."""
    b = Build(year, Path(root), Path(root) / ".byg" / "status", renderer, print)
    recorded = freshness.read_record(b.processed_target)
    sources = _source_info(b.root, recorded)
    all_stages = stages(b.root, sources)
    return [f"{p.stage.label}: {p.reason}" for p in _plan(b, all_stages, recorded, False)
            if p.reason]


def latest_year(root: Path) -> int:
    years = paths.raw_years(root / "data" / "raw")
    if not years:
        raise InputError(f"Der er ingen årsmapper (fx data/raw/2024) i {root / 'data' / 'raw'}.")
    return years[-1]


def build(year: int | None = None, *, root: Path | None = None, renderer: str = "auto",
          jobs: int = 2, log: Callable[[str], None] = print, full: bool = False,
          wait_for_lock: bool = False) -> Path:
    """Bring a year's published set up to date and return the report folder. Stages whose
    inputs did not change are reused (no kernel starts); `full` rebuilds every stage.

    Raises InputError (bad or missing inputs), StageError (a stage failed), RunLocked (another
    run is going) or PublishError (a file could not be replaced), all in Danish.
    """
    root = Path(root or paths.ROOT)
    with runs.lock(root, wait=wait_for_lock, log=log):
        return _build_locked(year, root, renderer, jobs, log, full)


def _build_locked(year: int | None, root: Path, renderer: str, jobs: int,
                  log: Callable[[str], None], full: bool) -> Path:
    year = year or latest_year(root)
    if not (root / "data" / "raw" / str(year)).is_dir():
        raise InputError(f"Der er ingen inddata for {year}: mappen data/raw/{year} findes ikke. "
                         f"Årene med data er: {', '.join(map(str, paths.raw_years(root / 'data' / 'raw')))}. "
                         f"Er {year} et nyt år, så skriv skabelonerne med: make skabeloner "
                         f"AAR={year}")
    b = Build(year, root, root / ".byg" / f"{year}-{time.strftime('%Y%m%d-%H%M%S')}-{os.getpid()}",
              renderer, log)
    recorded = freshness.read_record(b.processed_target)
    sources = _source_info(root, recorded)
    all_stages = stages(root, sources)
    plans = _plan(b, all_stages, recorded, full)
    todo = [p for p in plans if p.reason]
    check = _check_key(root, year)
    if not todo and recorded.get("kontrol") == check:
        log(f"Rapporten for {year} er opdateret: intet er ændret siden sidste bygning, så intet "
            f"trin er kørt ({len(plans)} trin genbrugt).")
        return b.report_target

    # The kernels start first and get ready while this process checks the inputs; the stages
    # start as soon as the check has passed.
    lanes = _start_lanes(root, [p.stage for p in todo], jobs) if todo else {}
    try:
        from . import config

        cfg = config.load(root / "config" / "delaftale.yaml")  # a broken one stops the run here
        checked = None
        if full or recorded.get("kontrol") != check:
            # Every input file is checked (one list of all problems) while the stages run: a
            # problem found stops the run, and nothing is published before the check passed.
            from concurrent.futures import ThreadPoolExecutor

            log(f"Kontrollerer inddata for {year} og årene før …")
            pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="kontrol")
            checked = pool.submit(_check_inputs, cfg, root, year, log)
            pool.shutdown(wait=False)
        if not todo:
            if checked is not None:
                checked.result()  # the folders changed, but nothing a stage reads: note that the check passed
            log(f"Rapporten for {year} er opdateret: ingen af de ændrede filer i data/raw bruges "
                f"af rapporten for {year}, så intet trin er kørt.")
            b.processed.mkdir(parents=True)
            freshness.write_record(b.processed, recorded | {"kontrol": check})
            runs.publish(root, b.staging, [(b.processed / freshness.RECORD,
                                            b.processed_target / freshness.RECORD)], log=log)
            shutil.rmtree(b.staging, ignore_errors=True)
            return b.report_target
        runs.discard_failed(root, year)
        from . import comments, reproducible

        # Every timestamp in the outputs comes from the report date, never from the clock.
        source_date = reproducible.epoch_for(
            comments.report_date(root / "data" / "raw" / str(year)), year)
        for lane in lanes.values():
            lane.epoch = str(source_date)
        for d in (b.processed, b.notebooks, b.rendered):
            d.mkdir(parents=True)
        log(f"Bygger statusrapporten for {year} (mellemresultater i {b.staging.relative_to(root)})")
        if len(todo) == len(plans) and len({p.reason for p in plans}) == 1:
            log(f"Alle {len(plans)} trin køres, fordi {todo[0].reason}.")
        else:
            for p in plans:
                if p.reason:
                    log(f"  kører:     {p.stage.label}, fordi {p.reason}")
                else:
                    log(f"  genbruger: {p.stage.label} (intet, trinnet læser, er ændret)")
        for p in plans:
            if not p.reason:
                _reuse(b, p, recorded)
        # The render stage runs in this process and reads both (the kernels have their own).
        previous_root = os.environ.get("HELHEDSPLAN_ROOT")
        previous_epoch = os.environ.get(reproducible.ENV)
        os.environ["HELHEDSPLAN_ROOT"] = str(root)
        os.environ[reproducible.ENV] = str(source_date)
        try:
            _run_graph(b, [p.stage for p in todo], len(plans), lanes, checked)
        except _StageFailed as failed:
            if failed.stage is _CHECK or (checked is not None and checked.exception()):
                shutil.rmtree(b.staging, ignore_errors=True)  # the inputs' problems, all of them
                raise (checked.exception() if checked is not None else failed.cause) from None
            (b.staging / runs.FAILED_MARK).write_text(
                f"Trinnet '{failed.stage.label}' fejlede.\n", encoding="utf-8")
            log(f"Trinnet '{failed.stage.label}' fejlede. Intet i data/processed/{year} eller "
                f"reports/{year} er ændret.")
            if isinstance(failed.cause, InputError | StageError):
                raise failed.cause from None
            raise StageError(f"Uventet fejl i trinnet '{failed.stage.label}': "
                             f"{type(failed.cause).__name__}: {failed.cause}\nMellemresultaterne "
                             f"ligger i {b.staging}") from failed.cause
        except BaseException:
            shutil.rmtree(b.staging, ignore_errors=True)
            raise
        finally:
            for key, previous in (("HELHEDSPLAN_ROOT", previous_root),
                                  (reproducible.ENV, previous_epoch)):
                if previous is None:
                    os.environ.pop(key, None)
                else:
                    os.environ[key] = previous
        runs.testpoint("udgiv:start")
        try:
            _publish(b, all_stages, plans, recorded, sources, check)
        except PublishError:
            shutil.rmtree(b.staging, ignore_errors=True)
            raise
        shutil.rmtree(b.staging, ignore_errors=True)
        return b.report_target
    finally:
        for lane in lanes.values():
            lane.close(wait=False)  # a failed or finished run leaves no kernel behind
