"""One build from start to end: lock, plan, kernels, the input check beside the stages, publish."""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait
from pathlib import Path

from .. import config, freshness, paths, reproducible, runs
from ..errors import InputError
from ..runs import PublishError
from .kernels import Lane, start_lanes
from .model import Build, Stage, StageError
from .plan import make_plan, reuse
from .publish import publish_set
from .stages import check_key, source_info, stages


def _check_inputs(cfg, root: Path, year: int, log: Callable[[str], None]) -> None:
    # lazy: both read spreadsheets (pandas, 1-3 s to import); a run with nothing to do never does
    from ..comments import reminders
    from ..inputs import check_inputs

    problems = check_inputs(cfg, root / "data" / "raw", year)
    if problems:
        raise InputError(problems)
    for line in reminders(root / "data" / "raw" / str(year), cfg):
        log(line)


def _run_graph(build: Build, todo: list[Stage], total: int, lanes: dict[str, Lane],
               checked=None) -> None:
    """Run the stages as their dependencies allow: a notebook stage in the first of its lanes
    that is ready and idle, the others in a thread of this process. `checked` is the check of
    the inputs, running beside them: it must have passed before the last stage ends."""
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


def status(year: int, root: Path, renderer: str = "auto") -> list[str]:
    """Why the year's published set is not up to date, in Danish ('Danner HTML, PDF og Word: …');
    empty when every stage would be reused. Reads and hashes only; imports nothing heavy."""
    b = Build(year, Path(root), Path(root) / ".byg" / "status", renderer, print)
    recorded = freshness.read_record(b.processed_target)
    sources = source_info(b.root, recorded)
    all_stages = stages(b.root, sources)
    return [f"{p.stage.label}: {p.reason}" for p in make_plan(b, all_stages, recorded, False)
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
    sources = source_info(root, recorded)
    all_stages = stages(root, sources)
    plans = make_plan(b, all_stages, recorded, full)
    todo = [p for p in plans if p.reason]
    check = check_key(root, year)
    if not todo and recorded.get("kontrol") == check:
        log(f"Rapporten for {year} er opdateret: intet er ændret siden sidste bygning, så intet "
            f"trin er kørt ({len(plans)} trin genbrugt).")
        return b.report_target

    # The kernels start first and get ready while this process checks the inputs; the stages
    # start as soon as the check has passed.
    lanes = start_lanes(root, [p.stage for p in todo], jobs) if todo else {}
    try:
        cfg = config.load(root / "config" / "delaftale.yaml")  # a broken one stops the run here
        checked = None
        if full or recorded.get("kontrol") != check:
            # Every input file is checked (one list of all problems) while the stages run: a
            # problem found stops the run, and nothing is published before the check passed.
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
        from .. import comments  # lazy: see _check_inputs

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
                reuse(b, p, recorded)
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
            publish_set(b, all_stages, plans, recorded, sources, check)
        except PublishError:
            shutil.rmtree(b.staging, ignore_errors=True)
            raise
        shutil.rmtree(b.staging, ignore_errors=True)
        return b.report_target
    finally:
        for lane in lanes.values():
            lane.close(wait=False)  # a failed or finished run leaves no kernel behind
