"""Opening one of the analyst's input files safely, and comparing headers forgivingly.

A file is opened only when it is a regular file (a FIFO would hang the run, a device never
ends) no larger than a limit; its SHA-256 is taken the same way; a file that cannot be read is
named with what to do. Headers compare equal in spite of case, spaces and æ/ae. The standard
library only: the comments (bemaerkninger.md) are read with these and no pandas, so a changed
comment only costs a rendering (excel/ reads the spreadsheets with them too).
"""

from __future__ import annotations

import errno
import hashlib
import os
import re
import stat
import unicodedata
from pathlib import Path

from .errors import InputError, Problem


def normalise_header(text: object) -> str:
    """'  Fremmødte  Beboere ' and 'fremmoedte beboere' compare equal."""
    s = str(text).casefold().strip()
    for a, b in (("æ", "ae"), ("ø", "oe"), ("å", "aa")):
        s = s.replace(a, b)
    s = unicodedata.normalize("NFKD", s)
    s = "".join(c for c in s if not unicodedata.combining(c))
    return re.sub(r"[^0-9a-z+]+", " ", s).strip()


# Limits far above any real input (the largest, an activity log, has a few hundred rows of 8
# columns; 100.000 rows x 8 columns is a 3 MB file), low enough that no file can take more
# than a few hundred MB of memory or more than seconds.
MAX_FILE_BYTES = 50 * 1024 * 1024

MAX_TEXT_BYTES = 1024 * 1024  # a text input such as bemaerkninger.md


def sha256(path: Path) -> str:
    """The file's SHA-256; '' for anything that is not a regular file (never opened: a FIFO
    would block) or cannot be read. The readers report such a file in Danish."""
    if _not_regular(Path(path)):
        return ""
    h = hashlib.sha256()
    try:
        with _open_regular(Path(path)) as f:
            for block in iter(lambda: f.read(1 << 20), b""):
                h.update(block)
    except OSError:
        return ""
    return h.hexdigest()


_KINDS = ((stat.S_ISDIR, "en mappe"), (stat.S_ISFIFO, "et navngivet rør (FIFO)"),
          (stat.S_ISCHR, "en enhed"), (stat.S_ISBLK, "en enhed"), (stat.S_ISSOCK, "en socket"))


def _not_regular(path: Path) -> str | None:
    """What the path is, in Danish, when it exists but is not a regular file; else None."""
    try:
        mode = os.stat(path).st_mode  # stat, not open: opening a FIFO blocks
    except OSError:
        return None
    if stat.S_ISREG(mode):
        return None
    return next((kind for test, kind in _KINDS if test(mode)), "ikke en almindelig fil")


def _open_regular(path: Path):
    """Open for reading without blocking, and check again on the open file (it may have been
    swapped since the stat)."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise IsADirectoryError(f"{path} er ikke en almindelig fil")
        if hasattr(os, "set_blocking"):
            os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def read_regular_file(path: Path, label: str, max_bytes: int = MAX_FILE_BYTES) -> bytes:
    """The bytes of an input file, or InputError in Danish: missing, not a regular file
    (folder, FIFO, device), unreadable, or larger than `max_bytes`."""
    path = Path(path)
    kind = _not_regular(path)
    if kind:
        raise InputError(Problem(f"det er {kind}, ikke en almindelig fil. Læg filen her som en "
                                 "almindelig fil.", file=label))
    try:
        with _open_regular(path) as f:
            size = os.fstat(f.fileno()).st_size
            data = f.read(max_bytes + 1) if size <= max_bytes else b""
    except FileNotFoundError:
        raise InputError(Problem("filen findes ikke", file=label)) from None
    except OSError as exc:
        raise InputError(Problem(f"filen kan ikke læses: {_why_unreadable(exc)}",
                                 file=label)) from None
    if size > max_bytes or len(data) > max_bytes:
        raise InputError(Problem(
            f"filen er for stor ({mb(max(size, len(data)))}); der læses højst {mb(max_bytes)}. "
            "Er det den rigtige fil?", file=label))
    return data


_UNREADABLE = {
    errno.ELOOP: "den er en genvej (et symbolsk link), der peger i ring. Læg selve filen her i "
                 "stedet for genvejen.",
    errno.EACCES: "der er ikke adgang til at læse den. Er den åben i et andet program (fx Excel), "
                  "så luk den; ellers giv adgang til filen, eller kopier den hertil igen.",
    errno.EIO: "læsefejl (filen eller disken kan ikke læses, eller navnet peger på noget, der "
               "ikke er en fil). Læg en kopi af den rigtige fil her.",
    errno.ENAMETOOLONG: "navnet (eller en genvej, det peger på) er for langt. Læg selve filen her.",
}


_UNREADABLE[errno.EPERM] = _UNREADABLE[errno.EACCES]


def _why_unreadable(exc: OSError) -> str:
    """Why a file could not be read, in Danish, with what to do (never the system's English)."""
    return _UNREADABLE.get(exc.errno, f"systemet siger fejl nr. {exc.errno}. Luk andre "
                           "programmer, der bruger filen, eller læg en kopi af den her.")


def mb(n: int) -> str:
    """A size as the analyst reads it: 50,0 MB, or 293 KB under a megabyte."""
    # lazy: formatting imports babel (measured 60-90 ms); only a file that is too large needs it
    from .formatting import number

    if n < 1024 * 1024:
        return f"{number(-(-n // 1024))} KB"
    return f"{number(n / (1024 * 1024), 1)} MB"
