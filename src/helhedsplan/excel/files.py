"""A spreadsheet file's kind told from its bytes; opening it safely within the limits is rawfile.py's."""

from __future__ import annotations

import io
import zipfile

from ..errors import Problem

# The file helpers live in rawfile.py (no pandas: the comments use them); the spreadsheets use
# them by these names.
from ..rawfile import (  # noqa: F401
    MAX_FILE_BYTES,
    MAX_TEXT_BYTES,
    mb,
    read_regular_file,
    sha256,
)

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
