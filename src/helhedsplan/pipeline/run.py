"""One run from start to end: lock, plan, kernels, the input checks beside the stages, publish.

A run builds the year's report of every delaftale (or the one asked for). Each delaftale is a
build of its own (its staging folder, its record, its all-or-nothing publish): one delaftale's
failing file never stops another's report. They share the run's kernels, so two delaftaler
cost little more than one. The board overview follows when every delaftale is up to date.
"""

from __future__ import annotations

import os
import shutil
import threading
import time
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path

from .. import config, freshness, paths, reproducible, runs
from ..errors import InputError, Problem, RenderError
from ..runs import PublishError
from . import overview
from .kernels import Lane, start_lanes
from .model import Build, Plan, Stage, StageError
from .plan import make_plan, reuse
from .publish import publish_set
from .stages import build_info, check_key, stages


def _check_inputs(cfg, root: Path, year: int) -> None:
    # lazy: it reads spreadsheets (pandas, 1-3 s to import); a run with nothing to do never does
    from ..inputs import check_inputs

    problems = check_inputs(cfg, root / "data" / "raw", year)
    if problems:
        raise InputError(problems)


class _HeldLog:
    """The plan and progress lines, held back until the input check has answered (it runs
    alongside the first stages): when every check fails the analyst reads FEJL right after
    'Kontrollerer inddata', not a list of steps that were never going to finish (issue 21.8)."""

    def __init__(self, log: Callable[[str], None]):
        self._log, self._held, self._lock = log, [], threading.Lock()
        self.holding, self.dropped = True, False

    def __call__(self, line: str) -> None:
        with self._lock:
            if self.dropped:
                return
            if self.holding:
                self._held.append(line)
                return
        self._log(line)

    def answer(self, all_failed: bool) -> None:
        with self._lock:
            held, self._held, self.holding = self._held, [], False
            self.dropped = all_failed
        for line in [] if all_failed else held:
            self._log(line)


@dataclass
class _Job:
    """One delaftale's build in this run."""

    cfg: config.Config
    build: Build
    recorded: dict
    info: dict
    stages: list[Stage]
    plans: list[Plan]
    check: str
    checked: Future | None = None
    failed: tuple[Stage, BaseException] | None = None
    done: set[str] = field(default_factory=set)

    @property
    def todo(self) -> list[Stage]:
        return [p.stage for p in self.plans if p.reason]


class _StageFailed(Exception):
    def __init__(self, stage: Stage, cause: BaseException):
        self.stage, self.cause = stage, cause


_KERNEL_START = Stage("kerne", "Starter en Python-kerne", lambda build: None)


_CHECK = Stage("kontrol", "Kontrollerer inddata", lambda build: None)


# The render and comments stages run in this process; each delaftale's outputs are dated by its
# own report date (SOURCE_DATE_EPOCH), so they take turns with the environment set for them.
_ENV_LOCK = threading.Lock()


def _in_process(stage: Stage, build: Build) -> None:
    with _ENV_LOCK:
        saved = {k: os.environ.get(k) for k in ("HELHEDSPLAN_ROOT", reproducible.ENV)}
        os.environ["HELHEDSPLAN_ROOT"] = str(build.root)
        os.environ[reproducible.ENV] = build.epoch
        try:
            stage.run(build)
        finally:
            for key, value in saved.items():
                if value is None:
                    os.environ.pop(key, None)
                else:
                    os.environ[key] = value


def _run_graph(jobs: list[_Job], lanes: dict[str, Lane], log: _HeldLog) -> None:
    """Run every job's stages as their dependencies allow: a notebook stage in the first of its
    lanes that is ready and idle, the others in a thread of this process. A job whose stage or
    input check fails stops there (the others go on); a kernel that cannot start stops all."""
    pending = [(job, s) for job in jobs for s in job.todo]
    total = len(pending)
    ran = 0
    started = time.perf_counter()
    running: dict[Future, tuple] = {lane.started: (None, None, lane.name, started)
                                    for lane in lanes.values()}
    for job in jobs:
        if job.checked is not None:
            running[job.checked] = (job, _CHECK, None, started)
    several = len([j for j in jobs if j.todo]) > 1
    try:
        with ThreadPoolExecutor(max_workers=2) as pool:
            while pending or running:
                busy = {lane for _, _, lane, _ in running.values() if lane}
                for job, stage in [(j, s) for j, s in pending
                                   if set(s.after) & {t.id for t in j.todo} <= j.done]:
                    if job.failed:
                        pending.remove((job, stage))
                        continue
                    if not stage.lanes:
                        fut, lane = pool.submit(_in_process, stage, job.build), None
                    else:
                        free = [n for n in stage.lanes if n in lanes and n not in busy]
                        if not free and not any(n in lanes for n in stage.lanes):
                            free = [next(iter(lanes))]  # jobs = 1: the one kernel
                        if not free or free[0] in busy:
                            continue  # its kernel is busy: it waits, in plan order
                        lane = free[0]
                        busy.add(lane)
                        fut = lanes[lane].submit(stage.run, job.build)
                    pending.remove((job, stage))
                    running[fut] = (job, stage, lane, time.perf_counter())
                finished, _ = wait(running, return_when=FIRST_COMPLETED)
                for fut in finished:
                    job, stage, lane, t0 = running.pop(fut)
                    try:
                        fut.result()
                    except Exception as exc:
                        if job is None:  # a kernel did not start: no job can run
                            for other in running:
                                other.cancel()
                            raise _StageFailed(_KERNEL_START, exc) from exc
                        if not job.failed:
                            job.failed = (stage, exc)
                        pending = [(j, s) for j, s in pending if j is not job]
                        if stage is _CHECK:
                            _answer_when_checked(jobs, log)
                        continue
                    if stage is _CHECK:
                        _answer_when_checked(jobs, log)
                        continue
                    if stage is None:
                        continue
                    job.done.add(stage.id)
                    ran += 1
                    name = f" ({job.build.title})" if several else ""
                    log(f"[{ran}/{total}] {stage.label}{name} … ok "
                        f"({time.perf_counter() - t0:.1f} s)".replace(".", ",", 1))
                    runs.testpoint(f"trin:{stage.id}")
                    if lane and not any(lane in s.lanes for _, s in pending):
                        lanes[lane].close(wait=False)  # no more work for it: free its memory
    finally:
        for lane in lanes.values():
            lane.close()
        if log.holding:  # no check ran, or a kernel failed first: show what was done
            log.answer(all_failed=False)
    log(f"{ran} af {sum(len(j.plans) for j in jobs)} trin kørt på "
        f"{time.perf_counter() - started:.0f} s.")


def _answer_when_checked(jobs: list[_Job], log: _HeldLog) -> None:
    checks = [j.checked for j in jobs if j.checked is not None]
    if log.holding and all(c.done() for c in checks):
        log.answer(all_failed=all(c.exception() is not None for c in checks))


def status(year: int, root: Path, renderer: str = "auto", delaftale: str | None = None
           ) -> list[str]:
    """Why the year's published set is not up to date, in Danish ('Danner HTML, PDF og Word: …');
    empty when every stage would be reused. Reads and hashes only; imports nothing heavy."""
    root = Path(root)
    out = []
    ids = config.ids(root)
    for did in ([delaftale] if delaftale else ids):
        b = Build(year, root, root / ".byg" / "status", renderer, print, delaftale=did)
        recorded = freshness.read_record(b.processed_target)
        info = build_info(root, did, recorded, year)
        prefix = f"{did}: " if len(ids) > 1 and not delaftale else ""
        out += [f"{prefix}{p.stage.label}: {p.reason}"
                for p in make_plan(b, stages(root, info), recorded, False) if p.reason]
    return out


def latest_year(root: Path) -> int:
    years = paths.raw_years(root / "data" / "raw")
    if not years:
        raise InputError(f"Der er ingen årsmapper (fx data/raw/2024) i {root / 'data' / 'raw'}.")
    return years[-1]


def build(year: int | None = None, *, root: Path | None = None, renderer: str = "auto",
          jobs: int = 2, log: Callable[[str], None] = print, full: bool = False,
          wait_for_lock: bool = False, delaftale: str | None = None) -> Path:
    """Bring a year's published reports up to date (every delaftale's, or `delaftale`'s) and
    return the report folder (reports/<år>/<delaftale>/ for one, reports/<år>/ for several).
    Stages whose inputs did not change are reused (no kernel starts); `full` rebuilds every
    stage.

    Raises InputError (bad or missing inputs, a bad configuration), StageError (a stage
    failed), RunLocked (another run is going) or PublishError (a file could not be replaced),
    all in Danish. With several delaftaler, those that succeed are published first.
    """
    root = Path(root or paths.ROOT)
    with runs.lock(root, wait=wait_for_lock, log=log):
        return _build_locked(year, root, renderer, jobs, log, full, delaftale)


def _plan_job(cfg, year: int, root: Path, renderer: str, log, full: bool, several: bool) -> _Job:
    staging = root / ".byg" / f"{year}-{cfg.id}-{time.strftime('%Y%m%d-%H%M%S')}-{os.getpid()}"
    b = Build(year, root, staging, renderer, log, delaftale=cfg.id, title=cfg.navn)
    recorded = freshness.read_record(b.processed_target)
    info = build_info(root, cfg.id, recorded, year)
    all_stages = stages(root, info)
    return _Job(cfg, b, recorded, info, all_stages, make_plan(b, all_stages, recorded, full),
                check_key(root, year, cfg.id, {c.comments_file for c in cfg.siblings()}))


def _in_force_text(cfg) -> str:
    """When a delaftale's delmål apply: 'delmålene gælder fra 2025' / 'til 2023'."""
    whole = cfg.unrevised().delmaal
    starts = [d.gaelder_fra for d in whole if d.gaelder_fra is not None]
    ends = [d.gaelder_til for d in whole if d.gaelder_til is not None]
    parts = ([f"fra {min(starts)}"] if starts else []) + ([f"til {max(ends)}"] if ends else [])
    return "delmålene gælder " + " og ".join(parts) if parts else "se gaelder_fra og gaelder_til"


def _build_locked(year: int | None, root: Path, renderer: str, jobs: int,
                  log: Callable[[str], None], full: bool, delaftale: str | None) -> Path:
    year = year or latest_year(root)
    if not (root / "data" / "raw" / str(year)).is_dir():
        raise InputError(f"Der er ingen inddata for {year}: mappen data/raw/{year} findes ikke. "
                         f"Årene med data er: {', '.join(map(str, paths.raw_years(root / 'data' / 'raw')))}. "
                         f"Er {year} et nyt år, så skriv skabelonerne med: make skabeloner "
                         f"AAR={year}")
    if renderer == "quarto" and not shutil.which("quarto"):  # chosen by name: said at once
        raise StageError("Quarto er ikke installeret (kommandoen 'quarto' findes ikke på PATH). "
                         "Installer Quarto fra https://quarto.org, eller byg med den indbyggede "
                         "renderer: make report RENDERER=indbygget.")
    # Every configuration file is checked before anything runs: all problems at once.
    every = config.load_every(root)
    chosen = [config.load(root, delaftale)] if delaftale else every
    # A delaftale whose delmål all start later (or ended earlier) has no report for the year:
    # asked for by name it is an error, among all it is left out and said so.
    empty = [c for c in chosen if not c.for_report(year).delmaal]
    if delaftale and empty:
        raise InputError(Problem(
            f"delaftalen {empty[0].navn} har ingen delmål, der gælder i {year} "
            f"({_in_force_text(empty[0])}), så der er ingen rapport for året. Byg et andet år, "
            "eller ret gaelder_fra/gaelder_til", file=f"config/delaftaler/{empty[0].id}.yaml"))
    for c in empty:
        log(f"Bemærk: delaftalen {c.navn} har ingen delmål, der gælder i {year} "
            f"({_in_force_text(c)}), og får ingen rapport for året.")
    gone = {c.id for c in empty}
    every = [c for c in every if c.id not in gone]
    chosen = [c for c in chosen if c.id not in gone]
    if not chosen:
        raise InputError(f"Ingen delaftale har delmål, der gælder i {year}: der er intet at "
                         "bygge. Byg et andet år, eller ret gaelder_fra/gaelder_til.")
    several = len(chosen) > 1
    work = [_plan_job(c, year, root, renderer, log, full, several) for c in chosen]
    target = work[0].build.report_target if not several else root / "reports" / str(year)
    pending = [j for j in work if j.todo or full or j.recorded.get("kontrol") != j.check]
    for job in work:
        if job not in pending:
            log(_up_to_date(job, several))
    if not pending:
        overview.update(root, year, every, renderer, log, built=[])
        return target

    # The kernels start first and get ready while this process checks the inputs; the stages
    # start as soon as the checks have passed.
    lanes = start_lanes(root, [s for j in pending for s in j.todo], jobs)
    checker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="kontrol")
    try:
        for job in pending:
            if full or job.recorded.get("kontrol") != job.check:
                # Every input file is checked (one list of all problems) while the stages run:
                # a problem found stops that delaftale's build before anything is published.
                log(f"Kontrollerer inddata for {year} og årene før"
                    + (f" ({job.cfg.navn})" if several else "") + " …")
                job.checked = checker.submit(_check_inputs, job.cfg.for_report(year), root, year)
        checker.shutdown(wait=False)
        runnable = [j for j in pending if j.todo]
        for job in pending:
            if not job.todo:
                _record_check_only(job, root, year, log, several)
        if runnable:
            runs.discard_failed(root, year)
        held = _HeldLog(log)
        for job in runnable:
            _prepare(job, root, year, held, several)
        try:
            _run_graph(runnable, lanes, held)
        except _StageFailed as failed:  # no kernel: nothing was built
            for job in runnable:
                shutil.rmtree(job.build.staging, ignore_errors=True)
            raise StageError(f"{failed.stage.label} mislykkedes: {failed.cause}") from None
        except BaseException:
            for job in runnable:
                shutil.rmtree(job.build.staging, ignore_errors=True)
            raise
        errors: list[tuple[_Job, BaseException]] = []
        built = []
        for job in runnable:
            error = _finish(job, year, log, several)
            if error is None:
                built.append(job.cfg.id)
            else:
                errors.append((job, error))
        overview.update(root, year, every, renderer, log, built=built,
                        failed=[j.cfg.id for j, _ in errors])
        if errors:
            if len(errors) == 1 and not several:
                raise errors[0][1]
            raise _combined(errors, built, work, log)
        return target
    finally:
        for lane in lanes.values():
            lane.close(wait=False)  # a failed or finished run leaves no kernel behind


def _up_to_date(job: _Job, several: bool) -> str:
    who = f" ({job.cfg.navn})" if several else ""
    return (f"Rapporten for {job.build.year}{who} er opdateret: intet er ændret siden sidste "
            f"bygning, så intet trin er kørt ({len(job.plans)} trin genbrugt).")


def _record_check_only(job: _Job, root: Path, year: int, log, several: bool) -> None:
    """The folders changed, but nothing a stage reads: when the check passes, note it."""
    b = job.build
    if job.checked is not None:
        job.checked.result()
    who = f" ({job.cfg.navn})" if several else ""
    log(f"Rapporten for {year}{who} er opdateret: ingen af de ændrede filer i data/raw bruges "
        f"af rapporten for {year}, så intet trin er kørt.")
    b.processed.mkdir(parents=True)
    freshness.write_record(b.processed, job.recorded | {"kontrol": job.check})
    runs.publish(root, b.staging, [(b.processed / freshness.RECORD,
                                    b.processed_target / freshness.RECORD)], log=log)
    shutil.rmtree(b.staging, ignore_errors=True)


def _prepare(job: _Job, root: Path, year: int, log, several: bool) -> None:
    # lazy: comments imports babel and the pandoc check (30 ms, measured; no pandas); a run with
    # nothing to do never does
    from .. import comments

    b = job.build
    # Every timestamp in the outputs comes from the report date, never from the clock.
    b.epoch = str(reproducible.epoch_for(comments.report_date(
        root / "data" / "raw" / str(year), job.cfg.comments_file), year))
    for d in (b.processed, b.notebooks, b.rendered):
        d.mkdir(parents=True)
    who = f" ({job.cfg.navn})" if several else ""
    log(f"Bygger statusrapporten for {year}{who} (mellemresultater i "
        f"{b.staging.relative_to(root)})")
    plans = job.plans
    todo = job.todo
    if len(todo) == len(plans) and len({p.reason for p in plans}) == 1:
        log(f"Alle {len(plans)} trin køres, fordi {plans[0].reason}.")
    else:
        for p in plans:
            if p.reason:
                log(f"  kører:     {p.stage.label}, fordi {p.reason}")
            else:
                log(f"  genbruger: {p.stage.label} (intet, trinnet læser, er ændret)")
    for p in plans:
        if not p.reason:
            reuse(b, p, job.recorded)


def _finish(job: _Job, year: int, log, several: bool) -> BaseException | None:
    """Publish a job that succeeded; for one that failed, say why and keep its staging folder
    (the failed notebook) for inspection. Returns the job's error, or None."""
    b = job.build
    checked_error = job.checked.exception() if job.checked is not None else None
    where = f"data/processed/{year}/{b.delaftale} eller reports/{year}/{b.delaftale}"
    if checked_error is not None:
        shutil.rmtree(b.staging, ignore_errors=True)  # the inputs' problems, all of them
        return checked_error
    if job.failed:
        stage, cause = job.failed
        (b.staging / runs.FAILED_MARK).write_text(f"Trinnet '{stage.label}' fejlede.\n",
                                                  encoding="utf-8")
        log(f"Trinnet '{stage.label}' fejlede. Intet i {where} er ændret.")
        if isinstance(cause, InputError | StageError):
            return cause
        if isinstance(cause, RenderError):  # its message is Danish and meant for the analyst
            return StageError(f"Trinnet '{stage.label}' fejlede: {cause}\nMellemresultaterne "
                              f"ligger i {b.staging}")
        return StageError(f"Uventet fejl i trinnet '{stage.label}': {type(cause).__name__}: "
                          f"{cause}\nMellemresultaterne ligger i {b.staging}")
    runs.testpoint("udgiv:start")
    try:
        publish_set(b, job.stages, job.plans, job.recorded, job.info, job.check)
    except PublishError as err:
        shutil.rmtree(b.staging, ignore_errors=True)
        return err
    shutil.rmtree(b.staging, ignore_errors=True)
    # lazy: processed imports babel (25 ms, measured); a run that reuses everything never does
    from ..processed import left_out_lines, read_inputs

    for line in left_out_lines(read_inputs(b.processed_target)):
        log(f"Bemærk: {line}")
    return None


def _combined(errors: list[tuple[_Job, BaseException]], built: list[str],
              work: list[_Job], log) -> BaseException:
    """Several delaftaler, some failed: one Danish message that says which, and why."""
    parts = []
    for job, err in errors:
        text = err.danish() if isinstance(err, InputError) else str(err)
        parts.append(f"Rapporten for {job.cfg.navn} er ikke bygget:\n{text}")
    if built:
        names = ", ".join(j.cfg.navn for j in work if j.cfg.id in built)
        parts.append(f"Rapporterne for {names} er bygget og lagt på plads.")
    if all(isinstance(e, InputError) for _, e in errors):
        if built:
            log(parts[-1])
        log("Ikke bygget: " + ", ".join(j.cfg.navn for j, _ in errors) + ".")
        return InputError([p for _, e in errors for p in e.problems])
    return StageError("\n\n".join(parts))
