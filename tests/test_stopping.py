"""Ctrl-C and SIGTERM end a run with one Danish line, the signal's exit status, no traceback, no
kernel left and the lock free; and a command takes the run lock first thing.

Every instant is reached by construction: the run pauses at a named point (runs.testpoint,
HELHEDSPLAN_PAUSE) or a notebook cell waits for a file, the test sends the signal there and,
where the run defers it (publishing), waits until the run has seen it before letting it go on.
Timeouts are only a safety net.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from helhedsplan import pipeline, runs

from .conftest import D
from .test_runs import _published

pytestmark = pytest.mark.skipif(os.name == "nt", reason="POSIX signals")
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)  # SIGHUP: the terminal closed
SAFETY = 600  # seconds: a safety net only, never what a test waits for


def _env(root: Path, **extra: str) -> dict[str, str]:
    env = dict(os.environ, HELHEDSPLAN_ROOT=str(root), PYTHONUNBUFFERED="1")
    for name in ("HELHEDSPLAN_STOP", "HELHEDSPLAN_PAUSE"):
        env.pop(name, None)
    return env | extra


def _as_in_a_terminal() -> None:
    """The child gets the stop signals as a program started in a terminal does, even when the
    tests themselves run with one ignored (nohup, a background job)."""
    for signum in STOP_SIGNALS:
        signal.signal(signum, signal.SIG_DFL)


def _start(root: Path, *args: str, python: list[str] | None = None, **extra: str):
    cmd = python or [sys.executable, "-m", "helhedsplan"]
    return subprocess.Popen([*cmd, *args], env=_env(root, **extra), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, preexec_fn=_as_in_a_terminal)


def _wait_for(path: Path, proc: subprocess.Popen) -> None:
    """Until `path` exists; the run must still be going (else its output says why)."""
    deadline = time.monotonic() + SAFETY
    while not path.exists():
        if proc.poll() is not None:
            out, err = proc.communicate()
            pytest.fail(f"the run ended before {path.name}:\n{out}\n{err}")
        assert time.monotonic() < deadline, f"no {path} within the safety net"
        time.sleep(0.02)


def _kernels(root: Path) -> list[int]:
    """Live Python kernels started for this project (their environment names its root)."""
    found = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            cmd = (proc / "cmdline").read_bytes()
            env = (proc / "environ").read_bytes()
            state = (proc / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if b"ipykernel_launcher" in cmd and f"HELHEDSPLAN_ROOT={root}".encode() in env \
                and state != "Z":
            found.append(int(proc.name))
    return found


def _ended_by(proc: subprocess.Popen, signum: int) -> tuple[str, str]:
    out, err = proc.communicate(timeout=SAFETY)
    # Ended as the signal ends a program: the shell reports 128 + signum (130, 143).
    assert proc.returncode == -signum, (proc.returncode, out, err)
    assert "Traceback" not in err and "KeyboardInterrupt" not in err, err
    return out, err


def _lock_is_free(root: Path) -> None:
    with runs.lock(root, log=lambda m: None):
        pass


@pytest.fixture()
def built(built_project, tmp_path):
    root, _ = built_project
    return Path(shutil.copytree(root, tmp_path / "p", ignore=shutil.ignore_patterns(".byg")))


def _change_comments(root: Path) -> None:
    comments = root / "data" / "raw" / "2024" / "bemaerkninger.md"
    comments.write_text(comments.read_text(encoding="utf-8") + "\nEn ny sætning.\n", "utf-8")


def _byg(root: Path, **extra: str) -> subprocess.Popen:
    return _start(root, "byg", "--aar", "2024", "--renderer", "indbygget", **extra)


def _only_the_lock_is_left(root: Path) -> None:
    assert sorted(p.name for p in (root / ".byg").iterdir()) == [runs.LOCK]


# --- while the kernels start and the inputs are checked ----------------------------------------

PAUSED_CHECK = """
import sys
from helhedsplan import inputs, runs
check = inputs.check_inputs

def paused(*args, **kwargs):  # the input check runs beside the kernels as they start
    runs.testpoint("kontrol")
    return check(*args, **kwargs)

inputs.check_inputs = paused
from helhedsplan.cli import main
main(sys.argv[1:])
"""


@pytest.mark.slow
@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_a_signal_while_the_kernels_start(built, signum):
    (built / "notebooks" / "20_indikatorer.ipynb").write_bytes(
        (built / "notebooks" / "20_indikatorer.ipynb").read_bytes() + b"\n")  # kernels must start
    _change_comments(built)
    # A comment alone is checked by its own stage; a changed year folder file runs the check.
    declared = built / "data" / "raw" / "2024" / "ikke_maalt.txt"
    declared.write_text(declared.read_text(encoding="utf-8") + "# rettet\n", encoding="utf-8")
    before = _published(built)
    gate = built.parent / "gate"
    run = _start(built, "byg", "--aar", "2024", "--renderer", "indbygget",
                 python=[sys.executable, "-c", PAUSED_CHECK], HELHEDSPLAN_PAUSE=f"kontrol:{gate}")
    _wait_for(Path(f"{gate}.venter"), run)
    run.send_signal(signum)
    _, err = _ended_by(run, signum)
    assert err.strip() == "Afbrudt: intet er ændret.", err
    assert _kernels(built) == []
    assert _published(built) == before
    _lock_is_free(built)
    _only_the_lock_is_left(built)


# --- while a notebook runs in a kernel -----------------------------------------------------------

WAITING_CELL = ("import os, time\n"
                "open(os.environ['TEST_PORT_VENTER'], 'w').write(str(os.getpid()))\n"
                "while not os.path.exists(os.environ['TEST_PORT']):\n"
                "    time.sleep(0.05)\n")


@pytest.mark.slow
def test_ctrl_c_while_a_notebook_runs_interrupts_it_and_stops_its_kernel(built):
    notebook = built / "notebooks" / "20_indikatorer.ipynb"
    nb = json.loads(notebook.read_text(encoding="utf-8"))
    nb["cells"].insert(1, {"cell_type": "code", "execution_count": None, "id": "venter",
                           "metadata": {}, "outputs": [], "source": WAITING_CELL})
    notebook.write_text(json.dumps(nb), encoding="utf-8")
    before = _published(built)
    gate = built.parent / "port"
    run = _byg(built, TEST_PORT=str(gate), TEST_PORT_VENTER=f"{gate}.venter")
    _wait_for(Path(f"{gate}.venter"), run)
    kernel = int(Path(f"{gate}.venter").read_text())
    assert kernel in _kernels(built)
    run.send_signal(signal.SIGINT)
    _, err = _ended_by(run, signal.SIGINT)
    assert err.strip() == "Afbrudt: intet er ændret.", err
    assert _kernels(built) == []  # the cell was interrupted and the kernel shut down
    assert _published(built) == before
    _lock_is_free(built)
    _only_the_lock_is_left(built)


# --- between stages, and while the set is published -------------------------------------------------

@pytest.mark.slow
def test_ctrl_c_between_stages_changes_nothing(built):
    _change_comments(built)
    before = _published(built)
    gate = built.parent / "gate"
    run = _byg(built, HELHEDSPLAN_PAUSE=f"trin:bemaerkninger:{gate}")
    _wait_for(Path(f"{gate}.venter"), run)
    run.send_signal(signal.SIGINT)
    out, err = _ended_by(run, signal.SIGINT)
    assert err.strip() == "Afbrudt: intet er ændret.", err
    assert _published(built) == before
    _lock_is_free(built)
    _only_the_lock_is_left(built)


@pytest.mark.slow
@pytest.mark.parametrize(("point", "signum", "published"), [
    ("udgiv:klar", signal.SIGINT, False),  # the new folders are ready: before the commit point
    ("udgiv:fastlagt", signal.SIGTERM, True),  # after it: the publish is finished first
])
def test_a_signal_while_publishing_waits_for_a_whole_set(built, point, signum, published):
    _change_comments(built)
    before = _published(built)
    gate = built.parent / "gate"
    run = _byg(built, HELHEDSPLAN_PAUSE=f"{point}:{gate}")
    _wait_for(Path(f"{gate}.venter"), run)
    run.send_signal(signum)
    _wait_for(Path(f"{gate}.signal"), run)  # the run has seen it: now let it go on
    gate.touch()
    _, err = _ended_by(run, signum)
    if published:
        assert err.strip() == (f"Afbrudt: data/processed/2024/{D}/ og reports/2024/{D}/ nåede at "
                               "blive udgivet, før kørslen stoppede; intet andet er ændret."), err
        assert pipeline.status(2024, built, "indbygget", delaftale=D) == []  # the whole new set
        assert _published(built) != before
    else:
        assert err.strip() == "Afbrudt: intet er ændret.", err
        assert _published(built) == before
    _lock_is_free(built)
    _only_the_lock_is_left(built)


# --- while waiting for another run's lock ----------------------------------------------------------

HOLD = """
import sys
from pathlib import Path
from helhedsplan import runs
with runs.lock(Path(sys.argv[1])):
    runs.testpoint("holder")
"""


@pytest.mark.parametrize("signum", STOP_SIGNALS)
def test_a_signal_while_waiting_for_the_lock(tmp_path, signum):
    """Ctrl-C, SIGTERM, and SIGHUP (the terminal or SSH session closed) all end the same way."""
    from .conftest import project_copy

    root = project_copy(tmp_path / "p")
    gate = tmp_path / "gate"
    holder = _start(root, str(root), python=[sys.executable, "-c", HOLD],
                    HELHEDSPLAN_PAUSE=f"holder:{gate}")
    try:
        _wait_for(Path(f"{gate}.venter"), holder)
        waiting = _start(root, "byg", "--aar", "2024", "--vent")
        assert "Venter" in waiting.stdout.readline()
        waiting.send_signal(signum)
        _, err = _ended_by(waiting, signum)
        assert err.strip() == "Afbrudt: intet er ændret.", err
        assert holder.poll() is None  # the holder goes on, undisturbed
    finally:
        gate.touch()
        holder.communicate(timeout=SAFETY)
    _lock_is_free(root)


# --- the lock is the first thing a command takes --------------------------------------------------

def _loaded(pid: int, library: str) -> bool:
    return library in Path(f"/proc/{pid}/maps").read_text(errors="replace")


@pytest.mark.parametrize("command", ["eksport", "byg"])
def test_a_command_holds_the_lock_before_its_heavy_imports(tmp_path, command):
    """Issue 23 #9: `eksport` took the lock 4–11 s after it started, after importing pandas, so a
    `make report` started just after could take it first. Now the lock comes first: while it is
    held, pandas is not even loaded, and a second run is refused naming the first."""
    from .conftest import project_copy

    root = project_copy(tmp_path / "p")
    gate = tmp_path / "gate"
    first = _start(root, command, "--aar", "2024", "--renderer", "indbygget",
                   HELHEDSPLAN_PAUSE=f"laas:{gate}")
    try:
        _wait_for(Path(f"{gate}.venter"), first)
        assert not _loaded(first.pid, "pandas/_libs"), "pandas was imported before the lock"
        second = subprocess.run([sys.executable, "-m", "helhedsplan", "byg", "--aar", "2024"],
                                env=_env(root), capture_output=True, text=True, timeout=SAFETY)
        assert second.returncode == 1
        assert f"En anden kørsel er i gang i dette projekt (proces {first.pid}" in second.stderr
    finally:
        first.kill()
        first.communicate()
