"""Opening an input file safely: only a regular file within the size limits, its kind told from its bytes."""

from __future__ import annotations

import errno
import hashlib
import io
import os
import stat
import zipfile
from pathlib import Path

from ..errors import InputError, Problem
from ..formatting import number

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

    if n < 1024 * 1024:
        return f"{number(-(-n // 1024))} KB"
    return f"{number(n / (1024 * 1024), 1)} MB"


_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # Excel 97-2003 (.xls), and Office's encrypted files

SAVE_AS_XLSX = "Åbn den, og gem den som Excel-projektmappe (.xlsx)."


def _ole_name(name: str) -> bytes:
    return name.encode("utf-16-le")


def not_a_workbook(data: bytes) -> str | None:
    """Why the bytes are not an .xlsx workbook (Danish), or None when they are a zip (what the
    zip holds is judged by Pass). The name of the file is never trusted."""
    if len(data) == 0:
        return "filen er tom (0 byte). Gem regnearket igen fra Excel."
    if data.startswith(_OLE2[:4]):
        if _ole_name("EncryptedPackage") in data:
            return ("filen er krypteret (adgangskode). Fjern adgangskoden i Excel (Filer → Oplysninger "
                    "→ Beskyt projektmappe → Krypter med adgangskode: slet den), og gem filen igen.")
        if _ole_name("Workbook") in data or _ole_name("Book") in data:
            return ("filen er i det gamle Excel 97-2003-format (.xls), selv om den hedder .xlsx. "
                    + SAVE_AS_XLSX)
        return ("filen er krypteret (adgangskode) eller i det gamle .xls-format. Fjern "
                "adgangskoden, og gem som Excel-projektmappe (.xlsx).")
    if data.startswith(b"PK"):
        if zipfile.is_zipfile(io.BytesIO(data)):
            return None
        return "filen er beskadiget (afkortet eller ufuldstændigt gemt). Åbn den i Excel, og gem den igen."
    return f"filen er ikke et Excel-regneark (.xlsx).{_looks_like(data)} {SAVE_AS_XLSX}"


def _looks_like(data: bytes) -> str:
    head = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith(b"%pdf"):
        return " Den er en PDF-fil."
    if head.startswith((b"<!doctype html", b"<html")) or b"<html" in head or b"<table" in head:
        return " Den er en webside (HTML), fx hentet fra et system, der kalder det 'Excel'."
    if b"urn:schemas-microsoft-com:office:spreadsheet" in head:
        return " Den er gemt som 'XML-regneark 2003'."
    if head.startswith(b"<"):
        return " Den er en XML-fil."
    if b"\0" not in head:
        return " Den er tekst (fx CSV)."
    return ""


def zip_kind(names: dict[str, zipfile.ZipInfo], zf: zipfile.ZipFile) -> str:
    """What a zip without xl/workbook.xml is, as the sentence that says so (Danish)."""
    mimetype = names.get("mimetype")
    kind = b""
    if mimetype is not None and mimetype.file_size < 200:
        try:
            kind = zf.read(mimetype)
        except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError, EOFError):
            kind = b""
    if kind.startswith(b"application/vnd.oasis.opendocument.spreadsheet") or "content.xml" in names:
        return ("filen er et OpenDocument-regneark (.ods, fx fra LibreOffice), selv om den hedder "
                ".xlsx. Programmet læser kun Excel-projektmapper: åbn filen i LibreOffice eller "
                "Excel, og gem den som Excel-projektmappe (.xlsx) (i LibreOffice: Gem som → "
                "Filtype: Excel 2007-365).")
    if "xl/workbook.bin" in names:
        return ("filen er gemt som binær Excel-projektmappe (.xlsb). " + SAVE_AS_XLSX)
    if "word/document.xml" in names:
        return "filen er et Word-dokument, ikke et regneark. Læg det rigtige regneark her."
    if "ppt/presentation.xml" in names:
        return "filen er en PowerPoint-præsentation, ikke et regneark. Læg det rigtige regneark her."
    return ("filen er en zip-fil, men ikke et Excel-regneark (.xlsx). Læg det rigtige regneark "
            "her, gemt som Excel-projektmappe (.xlsx).")


def broken(label: str, why: str) -> Problem:
    return Problem(f"filen er beskadiget og kan ikke åbnes ({why}). Åbn den i Excel, og gem den "
                   "igen.", file=label)
