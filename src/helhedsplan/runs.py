"""One run at a time: the project's run lock, which also finishes what interrupted runs left.

The lock: `.byg/koersel.laas` is locked with the operating system's file lock (filelock:
fcntl on Linux/macOS, msvcrt on Windows) for as long as a run lives. The system drops the lock
when the process ends in any way, so a killed run never leaves a lock that blocks the next
one. `.byg/koersel.json` says who holds it (pid, start time), for the message to a second run.
Taking it finishes any interrupted publish (publishing.py) and clears what killed runs left.
Publishing and stopping live in publishing.py and stopping.py; their names are available here.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from filelock import FileLock, Timeout

from .publishing import JOURNAL, OLD, PublishError, finish, publish, rmtree  # noqa: F401
from .stopping import (  # noqa: F401
    Interrupted,
    checkpoint,
    critical,
    die_by,
    interrupted,
    note_published,
    signals,
    testpoint,
)

LOCK = "koersel.laas"
HOLDER = "koersel.json"
FAILED_MARK = "FEJLET.txt"


class RunLocked(Exception):
    """Another run holds the project's lock; the message is Danish."""


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
        testpoint("laas")
        yield
    finally:
        _held.pop(path, None)
        (staging_root / HOLDER).unlink(missing_ok=True)
        flock.release()


def recover(root: Path, *, log: Callable[[str], None] = print) -> None:
    """Finish every interrupted publish, then delete what earlier runs left behind: staging
    folders of killed runs and temporary files. A failed run's folder (marked FEJLET.txt) is
    kept for inspection until the next run of the same year. Call only under the lock.
    Raises PublishError if an interrupted publish cannot be finished (it stays for the next run)."""
    root = Path(root)
    staging_root = root / ".byg"
    with critical():
        for journal in sorted(staging_root.glob(f"*/{JOURNAL}")):
            finish(root, journal, log)
    for stray in staging_root.glob(f"*/{JOURNAL}.tmp"):
        stray.unlink()
    cleaned = 0
    for p in staging_root.iterdir() if staging_root.is_dir() else ():
        if p.name in (LOCK, HOLDER):
            continue
        if p.is_dir() and not p.is_symlink():
            if (p / FAILED_MARK).exists():
                continue
            cleaned += rmtree(p)
        else:
            p.unlink(missing_ok=True)
            cleaned += 1
    for p in (root / "data" / "processed").glob(".*.gammel"):  # from before the journal
        cleaned += rmtree(p)
    if cleaned:
        log(f"Rester fra {cleaned} afbrudt(e) kørsel(er) er ryddet op i .byg/.")


def discard_failed(root: Path, year: int) -> None:
    """A new run of a year replaces the kept folder of that year's failed run."""
    for p in (Path(root) / ".byg").glob(f"{year}-*"):
        if p.is_dir() and (p / FAILED_MARK).exists():
            rmtree(p)
