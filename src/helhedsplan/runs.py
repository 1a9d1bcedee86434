"""One run at a time, and publishing a year's results as one unit.

The lock: `.byg/koersel.laas` is locked with the operating system's file lock (filelock:
fcntl on Linux/macOS, msvcrt on Windows) for as long as a run lives. The system drops the lock
when the process ends in any way, so a killed run never leaves a lock that blocks the next
one. `.byg/koersel.json` says who holds it (pid, start time), for the message to a second run.

Publishing (`publish`): the run's new set lies complete in its staging folder. Then, under
the lock:

1. a journal (`<staging>/journal.json`, state "forbereder") lists every old file that goes and
   every new file that comes;
2. every old file is moved (renamed) into `<staging>/gammel/`. If one cannot be moved (open in
   another program on Windows, write-protected), the ones already moved are moved back and the
   run fails naming that file: the old set is whole again;
3. the journal is rewritten, atomically (os.replace), with state "fastlagt": the commit point;
4. every new file is moved into place; the journal and the old files are deleted.

Renames only, within one file system, no symlinks, so it works the same on Windows. A reader
never sees old and new files side by side: first old files disappear, then new ones appear.
A run killed at any instant leaves a journal; the next run of any year (`recover`) rolls it
back (state "forbereder": the old files go back) or forward ("fastlagt": the rest of the new
files go in), and deletes what killed runs left behind.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import signal
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from filelock import FileLock, Timeout

JOURNAL = "journal.json"
OLD = "gammel"
LOCK = "koersel.laas"
HOLDER = "koersel.json"
FAILED_MARK = "FEJLET.txt"


class RunLocked(Exception):
    """Another run holds the project's lock; the message is Danish."""


class PublishError(Exception):
    """The new set could not be put in place; the old set is whole. Danish message."""


# --- test points: a named point where a test makes the run stop dead or wait ------------------

def testpoint(name: str) -> None:
    """HELHEDSPLAN_STOP=<name> kills the process here (SIGKILL: no clean-up runs), so tests can
    check what a kill at exactly this instant leaves. HELHEDSPLAN_PAUSE=<name>:<file> writes
    <file>.venter and waits until <file> exists. Unset (always, outside tests): nothing."""
    if os.environ.get("HELHEDSPLAN_STOP") == name:
        os.kill(os.getpid(), getattr(signal, "SIGKILL", signal.SIGTERM))
        os._exit(137)  # pragma: no cover (Windows)
    pause = os.environ.get("HELHEDSPLAN_PAUSE", "")
    if pause.startswith(name + ":"):
        gate = Path(pause[len(name) + 1:])
        Path(str(gate) + ".venter").write_text(str(os.getpid()), encoding="utf-8")
        while not gate.exists():
            time.sleep(0.05)


# --- the lock ------------------------------------------------------------------------------

_held: dict[Path, int] = {}  # lock file → depth: the lock is re-entrant within a process


def _holder_text(staging_root: Path) -> str:
    try:
        info = json.loads((staging_root / HOLDER).read_text(encoding="utf-8"))
        start = dt.datetime.fromisoformat(info["start"])
        return f"proces {info['pid']}, startet {start:%d.%m.%Y kl. %H:%M:%S}"
    except (OSError, ValueError, KeyError, TypeError):
        return "ukendt proces"


@contextmanager
def lock(root: Path, *, wait: bool = False, log: Callable[[str], None] = print) -> Iterator[None]:
    """Hold the project's run lock. A second run stops with RunLocked, or waits (wait=True)."""
    staging_root = Path(root) / ".byg"
    staging_root.mkdir(exist_ok=True)
    path = (staging_root / LOCK).resolve()
    if _held.get(path):
        _held[path] += 1
        try:
            yield
        finally:
            _held[path] -= 1
        return
    flock = FileLock(str(path), thread_local=False)
    try:
        flock.acquire(timeout=0)
    except Timeout:
        who = _holder_text(staging_root)
        if not wait:
            raise RunLocked(f"En anden kørsel er i gang i dette projekt ({who}). Vent, til den "
                            "er færdig, og kør så kommandoen igen, eller brug --vent for at "
                            "vente automatisk.") from None
        log(f"En anden kørsel er i gang ({who}). Venter, til den er færdig …")
        flock.acquire()
    try:
        if (staging_root / HOLDER).exists():  # its holder never removed it: killed
            log(f"Låsen fra en afbrudt kørsel ({_holder_text(staging_root)}) er overtaget.")
        info = {"pid": os.getpid(), "start": dt.datetime.now().astimezone().isoformat(timespec="seconds")}
        tmp = staging_root / f"{HOLDER}.{os.getpid()}.tmp"
        tmp.write_text(json.dumps(info), encoding="utf-8")
        os.replace(tmp, staging_root / HOLDER)
        _held[path] = 1
        recover(root, log=log)
        yield
    finally:
        _held.pop(path, None)
        (staging_root / HOLDER).unlink(missing_ok=True)
        flock.release()


# --- the journal -----------------------------------------------------------------------------

def _write_journal(staging: Path, state: str, old: list[tuple[str, str]],
                   new: list[tuple[str, str]]) -> None:
    tmp = staging / (JOURNAL + ".tmp")
    tmp.write_text(json.dumps({"tilstand": state, "gamle": old, "nye": new}, ensure_ascii=False,
                              indent=1), encoding="utf-8")
    with open(tmp, "rb+") as f:
        os.fsync(f.fileno())
    os.replace(tmp, staging / JOURNAL)


def _move(src: Path, dest: Path) -> None:
    dest.parent.mkdir(parents=True, exist_ok=True)
    os.replace(src, dest)


def _rel(root: Path, p: Path) -> str:
    return p.relative_to(root).as_posix()


def publish(root: Path, staging: Path, new: Iterable[tuple[Path, Path]],
            remove: Iterable[Path] = (), log: Callable[[str], None] = print) -> None:
    """Replace the published set in one unit. `new`: (staged file, its final place); `remove`:
    files of the old set that the new set does not have. Must be called under `lock`.

    Raises PublishError (old set kept whole, the file that could not be moved named)."""
    root = Path(root)
    new = [(Path(s), Path(d)) for s, d in new]
    targets = {d for _, d in new} | {Path(p) for p in remove}
    going = sorted(p for p in targets if p.is_file())
    old = [(_rel(root, p), _rel(root, staging / OLD / _rel(root, p))) for p in going]
    new_rel = [(_rel(root, s), _rel(root, d)) for s, d in new]
    _write_journal(staging, "forbereder", old, new_rel)
    testpoint("udgiv:journal")
    moved: list[tuple[Path, Path]] = []
    for i, (dest, backup) in enumerate(old):
        try:
            _move(root / dest, root / backup)
        except OSError as err:
            for d, b in reversed(moved):
                os.replace(b, d)
            (staging / JOURNAL).unlink(missing_ok=True)
            raise PublishError(
                f"Filen {dest} kunne ikke erstattes ({err.strerror or err}). Er den åben i et "
                f"andet program, eller er den skrivebeskyttet? Luk den, og kør kommandoen igen. "
                f"Intet er ændret: de gamle resultater ligger der stadig.") from None
        moved.append((root / dest, root / backup))
        testpoint(f"udgiv:gammel:{i + 1}")
    _write_journal(staging, "fastlagt", old, new_rel)
    testpoint("udgiv:fastlagt")
    for i, (src, dest) in enumerate(new_rel):
        _move(root / src, root / dest)
        testpoint(f"udgiv:ny:{i + 1}")
    (staging / JOURNAL).unlink()
    testpoint("udgiv:slut")


def _finish(root: Path, journal: Path, log: Callable[[str], None]) -> None:
    """Roll an interrupted publish back or forward, as its journal says."""
    staging = journal.parent
    j = json.loads(journal.read_text(encoding="utf-8"))
    if j["tilstand"] == "fastlagt":
        for src, dest in j["nye"]:
            if (root / src).exists():
                _move(root / src, root / dest)
        log(f"En afbrudt kørsel ({staging.name}) var ved at udgive sine resultater: "
            "udgivelsen er gjort færdig.")
    else:
        for dest, backup in j["gamle"]:
            if (root / backup).exists():
                _move(root / backup, root / dest)
        log(f"En afbrudt kørsel ({staging.name}) var ved at udgive sine resultater: de gamle "
            "resultater er lagt tilbage.")
    journal.unlink()


def recover(root: Path, *, log: Callable[[str], None] = print) -> None:
    """Finish every interrupted publish, then delete what earlier runs left behind: staging
    folders of killed runs and temporary files. A failed run's folder (marked FEJLET.txt) is
    kept for inspection until the next run of the same year. Call only under the lock."""
    root = Path(root)
    staging_root = root / ".byg"
    for journal in sorted(staging_root.glob(f"*/{JOURNAL}")):
        _finish(root, journal, log)
    for stray in staging_root.glob(f"*/{JOURNAL}.tmp"):
        stray.unlink()
    cleaned = 0
    for p in staging_root.iterdir() if staging_root.is_dir() else ():
        if p.name in (LOCK, HOLDER):
            continue
        if p.is_dir():
            if (p / FAILED_MARK).exists():
                continue
            shutil.rmtree(p, ignore_errors=True)
        else:
            p.unlink(missing_ok=True)
        cleaned += 1
    for p in (root / "data" / "processed").glob(".*.gammel"):  # from before the journal
        shutil.rmtree(p, ignore_errors=True)
        cleaned += 1
    if cleaned:
        log(f"Rester fra {cleaned} afbrudt(e) kørsel(er) er ryddet op i .byg/.")


def discard_failed(root: Path, year: int) -> None:
    """A new run of a year replaces the kept folder of that year's failed run."""
    for p in (Path(root) / ".byg").glob(f"{year}-*"):
        if p.is_dir() and (p / FAILED_MARK).exists():
            shutil.rmtree(p, ignore_errors=True)
