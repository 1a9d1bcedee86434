"""Stopping a run cleanly: SIGINT, SIGTERM and SIGHUP as Interrupted, critical sections, test points.

SIGINT (Ctrl-C), SIGTERM and SIGHUP (the terminal closed) become `Interrupted` in the main thread
(`signals`), so a run unwinds through its clean-up (kernels stopped, build folder removed, lock
released) and the command line ends with one Danish line and the signal's exit status
(`die_by`). Publishing and recovery are critical sections (`critical`): a signal waits there for a
point where every published folder is whole. Test points (`testpoint`) are named instants where a
test kills or pauses a run.
"""

from __future__ import annotations

import _thread
import concurrent.futures
import os
import signal
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def and_list(items: list[str]) -> str:
    """'a', 'a og b', 'a, b og c'."""
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " og " + items[-1]


# --- signals --------------------------------------------------------------------------------------

# The signals that stop a run cleanly; SIGHUP (a closed terminal or SSH session) exists only on POSIX.
STOP_SIGNALS = tuple(getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP")
                     if hasattr(signal, name))


class Interrupted(KeyboardInterrupt):
    """A stop signal (STOP_SIGNALS) arrived. Its text is the one Danish line the command line ends with."""

    def __init__(self, signum: int):
        super().__init__(signum)
        self.signum = signum

    def __str__(self) -> str:
        if not _signals.published:
            return "Afbrudt: intet er ændret."
        done = and_list(_signals.published)
        return f"Afbrudt: {done} nåede at blive udgivet, før kørslen stoppede; intet andet er ændret."


class _State:
    received: int | None = None  # the first signal; later ones change nothing
    raised = False
    deferring = 0  # depth of critical sections
    published: list[str] = []  # what this process has put in place (for Interrupted's text)


_signals = _State()


# Where an exception raised by the handler could leave a lock held that the clean-up's threads
# then wait for forever: between a lock's acquire and its try in the import system (a lane
# thread importing next would hang) and in concurrent.futures' bookkeeping of its futures.
_UNSAFE = ("<frozen importlib", str(Path(concurrent.futures.__file__).parent / "_base.py"))
RETRY = 0.05  # seconds until a signal that arrived at an unsafe instant is raised again


def _on_signal(signum, frame) -> None:
    if _signals.raised:
        return  # already stopping: a second Ctrl-C must not break the clean-up
    if _signals.received is None:
        _signals.received = signum
    if _signals.deferring:
        return  # raised at the critical section's checkpoint or end
    if frame is not None and frame.f_code.co_filename.startswith(_UNSAFE):
        retry = threading.Timer(RETRY, _again, (signum,))
        retry.daemon = True
        retry.start()
        return
    _signals.raised = True
    raise Interrupted(_signals.received)


def _again(signum: int) -> None:
    """The signal once more, to the main thread (a real signal wakes it from a wait)."""
    if os.name == "nt":
        _thread.interrupt_main(signum)
    else:
        os.kill(os.getpid(), signum)


@contextmanager
def signals() -> Iterator[None]:
    """The stop signals raise Interrupted in the main thread while the block runs (outside
    the main thread, where Python allows no handler: nothing changes)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    _signals.received, _signals.raised, _signals.published = None, False, []
    wanted = STOP_SIGNALS
    # A signal that is ignored (nohup, a background job of a shell) stays ignored.
    before = {s: signal.signal(s, _on_signal) for s in wanted
              if signal.getsignal(s) is not signal.SIG_IGN}
    try:
        yield
    finally:
        for s, handler in before.items():
            signal.signal(s, handler)


def interrupted() -> bool:
    """True once a stop signal has arrived (the run is stopping)."""
    return _signals.received is not None


def checkpoint() -> None:
    """Raise Interrupted now if a signal arrived during a critical section: call it only where
    stopping leaves every published folder whole."""
    if _signals.received is not None and not _signals.raised:
        _signals.raised = True
        raise Interrupted(_signals.received)


@contextmanager
def critical() -> Iterator[None]:
    """A signal arriving in the block waits for a checkpoint() in it or for its end."""
    _signals.deferring += 1
    try:
        yield
    finally:
        _signals.deferring -= 1
    if not _signals.deferring:
        checkpoint()  # reached only when the block ended normally


def note_published(what: str) -> None:
    """Record that this process put `what` (a project-relative name) in place: an interrupted
    run names it."""
    _signals.published.append(what)


def die_by(signum: int) -> None:
    """End the process as killed by `signum` (the shell reports 128 + signum, e.g. 130 for
    Ctrl-C, and make and the shell stop too), after the clean-up has run. Windows: exit code
    128 + signum."""
    sys.stdout.flush()
    sys.stderr.flush()
    if os.name != "nt":
        signal.signal(signum, signal.SIG_DFL)
        os.kill(os.getpid(), signum)
    os._exit(128 + signum)


# --- test points: a named point where a test makes the run stop dead or wait ------------------

def testpoint(name: str) -> None:
    """HELHEDSPLAN_STOP=<name> kills the process here (SIGKILL: no clean-up runs), so tests can
    check what a kill at exactly this instant leaves. HELHEDSPLAN_PAUSE=<name>:<file> writes
    <file>.venter and waits until <file> exists; a signal that arrives meanwhile is announced
    by <file>.signal. Unset (always, outside tests): nothing."""
    if os.environ.get("HELHEDSPLAN_STOP") == name:
        os.kill(os.getpid(), getattr(signal, "SIGKILL", signal.SIGTERM))
        os._exit(137)  # pragma: no cover (Windows)
    pause = os.environ.get("HELHEDSPLAN_PAUSE", "")
    if pause.startswith(name + ":"):
        gate = Path(pause[len(name) + 1:])
        Path(str(gate) + ".venter").write_text(str(os.getpid()), encoding="utf-8")
        while not gate.exists():
            time.sleep(0.05)
            if interrupted():
                Path(str(gate) + ".signal").touch()
