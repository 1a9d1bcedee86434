"""Read workbooks the way the pipeline does, each in its own process with an address-space limit,
and report what happened, the memory it took and the time.

A reader that asks for gigabytes (calamine's dense grid) must end the child, never the test run,
so a test can show the old behaviour failing. One server process imports the package once; for
each file it forks a child that sets RLIMIT_AS and reads the file: excel.Book and every sheet's
cells. The server answers with one JSON line per file:

    {"outcome": "read", "sheets": {name: [rows, columns]}}   (or "error" with the Danish text,
    "crash" with the exception, "killed" with the signal, "timeout"), "peak_mib": the child's
    peak resident memory above what it inherited, "seconds".

Used as `with Reader() as read: read(path)`.
"""

from __future__ import annotations

import json
import os
import resource
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
ADDRESS_SPACE_MIB = 1536  # above what the child inherits: the old reader asked for 5 GB and 549 GB


def _resident_mib() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * resource.getpagesize() / 2**20


def _virtual_bytes() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[0]) * resource.getpagesize()


def _read(path: str) -> dict:
    from helhedsplan import excel
    from helhedsplan.errors import InputError

    try:
        book = excel.Book(Path(path))
        sheets = {name: list(book.cells(name).shape) for name in book.sheet_names}
    except InputError as err:
        return {"outcome": "error", "text": err.danish()}
    return {"outcome": "read", "sheets": sheets}


def _child(path: str, out: int) -> None:
    limit = _virtual_bytes() + ADDRESS_SPACE_MIB * 2**20
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    try:
        result = _read(path)
    except BaseException as exc:  # MemoryError, a Rust panic …: reported, never raised
        result = {"outcome": "crash", "text": f"{type(exc).__name__}: {exc}"[:2000]}
    os.write(out, json.dumps(result).encode())
    os._exit(0)


def _one(path: str, timeout: float) -> dict:
    r, w = os.pipe()
    base = _resident_mib()
    start = time.monotonic()
    pid = os.fork()
    if pid == 0:
        os.close(r)
        _child(path, w)
    os.close(w)
    chunks, timed_out = [], False
    while True:
        left = timeout - (time.monotonic() - start)
        if left <= 0 or not select.select([r], [], [], left)[0]:
            os.kill(pid, signal.SIGKILL)
            timed_out = True
            break
        chunk = os.read(r, 1 << 16)
        if not chunk:
            break
        chunks.append(chunk)
    os.close(r)
    _, status, usage = os.wait4(pid, 0)
    seconds = time.monotonic() - start
    if timed_out:
        result = {"outcome": "timeout"}
    elif os.WIFSIGNALED(status):
        result = {"outcome": "killed", "text": signal.Signals(os.WTERMSIG(status)).name}
    else:
        result = json.loads(b"".join(chunks) or b'{"outcome": "crash", "text": "no answer"}')
    result["peak_mib"] = round(max(usage.ru_maxrss / 1024 - base, 0), 1)
    result["seconds"] = round(seconds, 2)
    return result


def serve() -> None:
    """Answer one JSON line per path read from stdin."""
    from helhedsplan import excel  # noqa: F401  (imported once, before any fork)

    for line in sys.stdin:
        path, _, timeout = line.rstrip("\n").rpartition("\t")
        print(json.dumps(_one(path, float(timeout))), flush=True)


class Reader:
    """A server process; calling it reads one file in a fresh child."""

    def __init__(self, timeout: float = 120):
        self.timeout = timeout

    def __enter__(self):
        env = dict(os.environ, OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1", MKL_NUM_THREADS="1")
        self.proc = subprocess.Popen([sys.executable, "-c", "from tests.reading_child import serve; serve()"],
                                     cwd=REPO, env=env, stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, text=True)
        return self

    def __call__(self, path: Path) -> dict:
        self.proc.stdin.write(f"{path}\t{self.timeout}\n")
        self.proc.stdin.flush()
        line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError("the reading server stopped")
        return json.loads(line)

    def __exit__(self, *exc):
        self.proc.stdin.close()
        self.proc.wait(timeout=30)
