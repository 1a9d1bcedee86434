"""Reading the analyst's spreadsheets: calamine for speed, forgiving only what is safe.

Safe to forgive: header spelling (case, spaces, æ/ae), numbers typed as Danish text ("6,3",
"1.234"), blank rows, empty trailing columns and title rows above the header. Everything else
becomes a Problem that names file, sheet, Excel row and column.

The workbook is opened once with python-calamine and its cells are taken as they come (numbers,
text, dates); pandas' own Excel reader would parse every cell again in Python, which costs more
than the reading itself for a large sheet.

Reading is bounded. calamine makes a dense grid from A1 to the farthest cell holding a value, so
one value in XFD1048576 would ask for hundreds of GB. A file is opened only when it is a regular
file (a FIFO would hang the run, a device never ends) no larger than MAX_FILE_BYTES; its kind is
told from its bytes (an .xls, .ods, .xlsb, web page or Word file named .xlsx gets its own
message); then one streaming pass with a real XML parser reads every part calamine would read,
under limits on rows, columns, cells, texts, unpacked size and compression ratio, and calamine
opens a copy of exactly those parts (see _Pass). A sheet reaching beyond the limits is refused
with a message naming the far cell.
"""

from __future__ import annotations

import array
import datetime as dt
import errno
import hashlib
import io
import os
import posixpath
import pyexpat
import re
import stat
import unicodedata
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from .errors import InputError, Problem

EXAMPLE_SHEET = "Om filen"
EXAMPLE_KEY = "eksempeldata"
YEAR_KEY = "aar"  # normalised 'År'
HEADER_SEARCH_ROWS = 20  # a header may sit below a few title rows

# Limits far above any real input (the largest, an activity log, has a few hundred rows of 8
# columns; 100.000 rows x 8 columns is a 3 MB file), low enough that no file can take more
# than a few hundred MB of memory or more than seconds.
MAX_FILE_BYTES = 50 * 1024 * 1024
MAX_UNPACKED_BYTES = 200 * 1024 * 1024  # the XML read (workbook, styles, texts, sheets), unpacked
MAX_COMPRESSION_RATIO = 100  # a part over 10 MB unpacking to more than 100x its size: a zip bomb
MAX_ROWS = 200_000
MAX_COLUMNS = 200  # column GR
MAX_CELLS = 2_000_000  # rows x columns from A1 to the farthest value: what calamine allocates
MAX_SHARED_STRINGS = MAX_CELLS  # more distinct texts than a sheet within the limits can show
MAX_CELL_CHARS = 32_767  # Excel's own limit for the text of one cell
MAX_SHARED_TEXT = 50_000_000  # characters the cells of a sheet show from the shared texts
MAX_XML_ELEMENTS = 10_000_000  # all parts read; 2M cells of 2M distinct shared texts have 8.2M
MAX_PENDING_BYTES = 4 * 1024 * 1024  # one tag, comment or text without an element after it
MAX_PARTS = 10_000  # files inside the .xlsx zip; Excel writes a few dozen
MAX_TEXT_BYTES = 1024 * 1024  # a text input such as bemaerkninger.md


def normalise_header(text: object) -> str:
    """'  Fremmødte  Beboere ' and 'fremmoedte beboere' compare equal."""
    s = str(text).casefold().strip()
    for a, b in (("æ", "ae"), ("ø", "oe"), ("å", "aa")):
        s = s.replace(a, b)
    s = unicodedata.normalize("NFKD", s)
    s = "".join(c for c in s if not unicodedata.combining(c))
    return re.sub(r"[^0-9a-z+]+", " ", s).strip()


_THOUSANDS = re.compile(r"^-?\d{1,3}(\.\d{3})+(,\d+)?$")
_DECIMAL_COMMA = re.compile(r"^-?\d+(,\d+)?$")
_DECIMAL_POINT = re.compile(r"^-?\d+\.\d+$")


def parse_number(value: object) -> float | None:
    """A number from a cell; Danish text forms accepted. None for blank, ValueError if not a number."""
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return None
    if isinstance(value, bool | np.bool_):
        raise ValueError(value)
    if isinstance(value, int | float | np.integer | np.floating):
        return float(value)
    s = str(value).strip().replace("\u00a0", "").replace(" ", "")
    if s == "":
        return None
    if _THOUSANDS.match(s):
        return float(s.replace(".", "").replace(",", "."))
    if _DECIMAL_COMMA.match(s):
        return float(s.replace(",", "."))
    if _DECIMAL_POINT.match(s):
        return float(s)
    raise ValueError(value)


def parse_date(value: object) -> dt.date | None:
    if value is None or (isinstance(value, float) and pd.isna(value)) or str(value).strip() == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, pd.Timestamp):
        return value.date()
    s = str(value).strip()
    for fmt in ("%d-%m-%Y", "%d.%m.%Y", "%d/%m/%Y", "%Y-%m-%d"):
        try:
            return dt.datetime.strptime(s, fmt).date()
        except ValueError:
            pass
    raise ValueError(value)


def shown(value: object) -> object:
    """A cell value as the analyst would recognise it in a message: 22 not 22.0, dates dd-mm-åååå."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating):
        return shown(float(value))
    if isinstance(value, dt.datetime | pd.Timestamp):
        value = value.date()
    if isinstance(value, dt.date):
        return value.strftime("%d-%m-%Y")
    return value


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
            f"filen er for stor ({_mb(max(size, len(data)))}); der læses højst {_mb(max_bytes)}. "
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


def _mb(n: int) -> str:
    """A size as the analyst reads it: 50,0 MB, or 293 KB under a megabyte."""
    from .formatting import number

    if n < 1024 * 1024:
        return f"{number(-(-n // 1024))} KB"
    return f"{number(n / (1024 * 1024), 1)} MB"


@dataclass
class Sheet:
    """The cells of one sheet below its header, with Excel row numbers kept as the index.

    Blank cells are NaN; rows and columns that are blank throughout are gone.
    """

    path: Path
    sheet: str
    headers: list[str]
    frame: pd.DataFrame  # columns = headers as written, index = Excel row number
    header_row: int
    file_label: str = ""  # how messages name the file (e.g. '2024/beboerdata.xlsx')
    column_numbers: list[int] = field(default_factory=list)  # each header's column (A = 1)
    percent: set[tuple[int, int]] = field(default_factory=set)  # (row, column) shown as a percent

    @property
    def label(self) -> str:
        return self.file_label or self.path.name

    def percent_rows(self, j: int) -> set[int]:
        """The Excel rows where the j-th header's column holds a percent-formatted number."""
        if not self.percent or j >= len(self.column_numbers):
            return set()
        col = self.column_numbers[j]
        return {row for row, c in self.percent if c == col}

    @property
    def has_data(self) -> bool:
        return not self.frame.empty


class Book:
    """An .xlsx workbook opened once. Raises InputError (in Danish) if it cannot be opened.

    The file's kind is told from its bytes, not its name; then one bounded pass reads the parts
    calamine needs (see _Pass), and calamine opens the copy of them that the pass made."""

    def __init__(self, path: Path, label: str = ""):
        from python_calamine import CalamineWorkbook

        self.path = Path(path)
        self.label = label or self.path.name
        data = read_regular_file(self.path, self.label)
        problem = _not_a_workbook(data)
        if problem:
            raise InputError(Problem(problem, file=self.label))
        checked = _Pass(data, self.label)
        del data
        try:
            self._wb = CalamineWorkbook.from_filelike(checked.copy)
            self.sheet_names: list[str] = list(self._wb.sheet_names)
        except BaseException as exc:  # calamine raises several types; a Rust panic is a BaseException
            if isinstance(exc, KeyboardInterrupt | SystemExit):
                raise
            raise InputError(_broken(self.label, type(exc).__name__)) from None
        self._percent = checked.percent
        self._about: dict[str, tuple[object, int]] | None = None

    def _rows(self, sheet: str) -> list[list]:
        """The sheet's cells from A1 as calamine gives them (bounds checked when opened)."""
        return self._wb.get_sheet_by_name(sheet).to_python(skip_empty_area=False)

    def percent_cells(self, sheet: str) -> set[tuple[int, int]]:
        """(Excel row, column number) of the sheet's numbers shown as a percentage (6,3 % is
        stored as 0.063 with a percent format)."""
        return self._percent.get(sheet, set())

    def find_sheet(self, wanted: str) -> str | None:
        """The sheet's name as written in the file, matched as leniently as headers are."""
        key = normalise_header(wanted)
        return next((n for n in self.sheet_names if normalise_header(n) == key), None)

    def cells(self, sheet: str) -> pd.DataFrame:
        """Every cell of a sheet from A1, index = Excel row number, blank cells NaN."""
        try:
            rows = self._rows(sheet)
        except BaseException as exc:  # calamine raises several types; a Rust panic is a BaseException
            if isinstance(exc, KeyboardInterrupt | SystemExit):
                raise
            raise InputError(Problem(f"arket kan ikke læses ({type(exc).__name__}). Åbn filen i "
                                     "Excel, og gem den igen.", file=self.label, sheet=sheet)) from None
        if not rows:
            return pd.DataFrame()
        frame = pd.DataFrame(rows, dtype=object)
        frame.index = pd.RangeIndex(1, len(frame) + 1)
        blank = pd.DataFrame({c: _blank_mask(frame[c]) for c in frame.columns}, index=frame.index)
        if blank.to_numpy().any():
            frame = frame.mask(blank)
        keep_rows = ~blank.all(axis=1)
        keep_cols = ~blank.all(axis=0)
        return frame.loc[keep_rows.to_numpy(), keep_cols.to_numpy()]

    def about(self) -> dict[str, tuple[object, int]]:
        """The 'Om filen' sheet as {normalised key: (value, Excel row)}; empty if there is none."""
        if self._about is None:
            self._about = {}
            name = self.find_sheet(EXAMPLE_SHEET)
            if name:  # a small sheet: plain Python is quicker than a DataFrame here
                try:
                    rows = self._rows(name)
                except Exception:  # an unreadable 'Om filen' says nothing; the data sheet decides
                    rows = []
                for i, values in enumerate(rows, start=1):
                    filled = [v for v in values if not (_is_na(v) or v == "")]
                    if len(filled) >= 2 and isinstance(filled[0], str):
                        self._about.setdefault(normalise_header(filled[0]), (filled[1], i))
        return self._about

    @property
    def example(self) -> bool:
        value = self.about().get(EXAMPLE_KEY, ("", 0))[0]
        return str(value).strip().casefold() in {"ja", "yes", "true", "1"}

    def stated_year(self) -> tuple[int | None, int]:
        """The year 'Om filen' says the figures are for, and its row; (None, 0) if not stated."""
        value, row = self.about().get(YEAR_KEY, (None, 0))
        try:
            number = parse_number(value)
        except ValueError:
            return None, row
        return (int(number), row) if number is not None and number.is_integer() else (None, row)

    def sheet(self, wanted: str, expected_headers: list[str] = ()) -> Sheet | None:
        """A sheet's data below its header row; None if the workbook has no such sheet.

        The header row is the first non-blank row, unless one of the first rows below it holds
        more of the expected headers (a title above the table is forgiven).
        """
        name = self.find_sheet(wanted)
        if name is None:
            return None
        raw = self.cells(name)
        if raw.empty:
            return Sheet(self.path, name, [], pd.DataFrame(), 1, self.label)
        header_at = 0
        if expected_headers:
            wanted_keys = {normalise_header(h) for h in expected_headers}
            best = -1
            for i in range(min(HEADER_SEARCH_ROWS, len(raw))):
                hits = sum(normalise_header(v) in wanted_keys for v in raw.iloc[i] if not _is_na(v))
                if hits > best:
                    best, header_at = hits, i
        header_row = int(raw.index[header_at])
        headers = ["" if _is_na(h) else str(shown(h)).strip() for h in raw.iloc[header_at]]
        body = raw.iloc[header_at + 1:].copy()
        numbers = [int(c) + 1 for c in raw.columns]  # cells() keeps calamine's 0-based columns
        body.columns = headers
        return Sheet(self.path, name, headers, body, header_row, self.label, numbers,
                     self.percent_cells(name))


# --- What the file is, from its bytes ------------------------------------------------------

_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # Excel 97-2003 (.xls), and Office's encrypted files
SAVE_AS_XLSX = "Åbn den, og gem den som Excel-projektmappe (.xlsx)."


def _ole_name(name: str) -> bytes:
    return name.encode("utf-16-le")


def _not_a_workbook(data: bytes) -> str | None:
    """Why the bytes are not an .xlsx workbook (Danish), or None when they are a zip (what the
    zip holds is judged by _Pass). The name of the file is never trusted."""
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


def _zip_kind(names: dict[str, zipfile.ZipInfo], zf: zipfile.ZipFile) -> str:
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


def _broken(label: str, why: str) -> Problem:
    return Problem(f"filen er beskadiget og kan ikke åbnes ({why}). Åbn den i Excel, og gem den "
                   "igen.", file=label)


# --- The bounded pass ------------------------------------------------------------------------
#
# calamine makes a dense grid from A1 to the farthest cell holding a value, and keeps every
# shared string and cell text in memory. So before calamine sees a workbook, the parts it reads
# (the package and workbook relationships, the workbook, styles, shared strings and every sheet)
# are parsed as a stream by expat, the standard library's XML parser (the one iterparse runs on),
# and copied as they are into a new zip, which is what calamine opens. calamine never reads a
# byte the limits have not seen, whatever else the original zip holds (an ODS or .xlsb inside
# it, two parts of one name, a central directory another reader would see differently).
#
# A DTD is refused, so there are no entities to expand (no "billion laughs", no external
# entity); the parser never holds more than MAX_PENDING_BYTES of one unfinished tag, comment or
# text; every element counts against MAX_XML_ELEMENTS. So time and memory are bounded by the
# limits, not by what the file declares.
#
# Cells are placed as calamine places them, and where its rule could be read two ways, the
# farther place counts: elements are matched by their local name (any prefix, any namespace),
# attributes by their name as written; a cell is at its own reference, else in the next column
# of its row; a row is at its own r, else after the row before; a cell holds a value if it has
# any child element. What Excel never writes and calamine would read its own way (a cell inside
# a cell, a name with two colons, a reference calamine cannot read) is refused.

_CHUNK = 1 << 20
RATIO_FROM_BYTES = 10 * 1024 * 1024
_ASCII_LOWER = {c: c + 32 for c in range(ord("A"), ord("Z") + 1)}
_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
_COLUMN_NUMBERS: dict[str, int] = {}
_FAR_REFERENCE = re.compile(r"[A-Za-z]{0,8}[0-9]{1,30}")
_PERCENT_FORMATS = {"9", "10"}  # Excel's built-in '0%' and '0.00%'
# The parts calamine reads when it opens a workbook, each with what this pass takes from it.
_PACKAGE_RELS, _RELS, _WORKBOOK, _STYLES, _STRINGS = (
    "_rels/.rels", "xl/_rels/workbook.xml.rels", "xl/workbook.xml", "xl/styles.xml",
    "xl/sharedStrings.xml")


class _Refused(Exception):
    """A part broke a limit (the Danish message)."""


class _Unreadable(Exception):
    """A part is not XML as Excel writes it (the Danish detail)."""


def _ascii_lower(name: str) -> str:
    """calamine finds a part by its name, ignoring the case of ASCII letters only."""
    return name.translate(_ASCII_LOWER)


def _reference(text: str) -> tuple[int, int | None] | None:
    """'XFD5000' → (5000, 16384), '12' → (12, None); None when calamine could not read it or it
    lies beyond any sheet (over 3 letters or 7 digits). Called for every cell: no regex."""
    digits = text.lstrip(_LETTERS)
    letters = text[:len(text) - len(digits)]
    if len(letters) > 3 or not 0 < len(digits) <= 7 or not (digits.isascii() and digits.isdigit()):
        return None
    row = int(digits)
    if row == 0:
        return None
    if not letters:
        return row, None
    col = _COLUMN_NUMBERS.get(letters)
    if col is None:  # at most 52³ spellings, each remembered once
        col = _COLUMN_NUMBERS[letters] = sum(
            (ord(ch) - 64) * 26 ** i for i, ch in enumerate(reversed(letters.upper())))
    return row, col


def _percent(fmt_id: str, custom: dict[str, str]) -> bool:
    """Whether a number format shows a percentage: the file's own format first (as calamine
    looks it up), else Excel's built-in '0%' and '0.00%'. A '%' in quotes or brackets or after
    an escape is text, not the percent sign."""
    code = custom.get(fmt_id)
    if code is None:
        return fmt_id.strip() in _PERCENT_FORMATS
    return "%" in re.sub(r'"[^"]*"|\[[^\]]*\]|\\.|_.|\*.', "", code)


@dataclass(frozen=True)
class _Limits:
    """The limits, read when a file is opened (a test may lower them)."""

    rows: int
    columns: int
    cells: int
    unpacked: int
    elements: int
    strings: int
    cell_chars: int
    shared_chars: int
    pending: int
    ratio: int

    @classmethod
    def now(cls) -> _Limits:
        return cls(MAX_ROWS, MAX_COLUMNS, MAX_CELLS, MAX_UNPACKED_BYTES, MAX_XML_ELEMENTS,
                   MAX_SHARED_STRINGS, MAX_CELL_CHARS, MAX_SHARED_TEXT, MAX_PENDING_BYTES,
                   MAX_COMPRESSION_RATIO)


class _Pass:
    """One bounded pass over the parts calamine reads. `copy` holds them for calamine,
    `percent` the percent-formatted numbers of each sheet. Raises InputError in Danish."""

    def __init__(self, data: bytes, label: str):
        self.label = label
        self.limits = _Limits.now()
        self.unpacked = self.elements = self.strings = self.shared_chars = 0
        self.string_chars = array.array("I")  # the length of each shared string
        self.percent: dict[str, set[tuple[int, int]]] = {}
        self.formats: dict[str, str] = {}  # numFmtId → format code (styles.xml)
        self.xfs: list[str] = []  # numFmtId of each cell style, in order (styles.xml)
        self.percent_styles: set[int] = set()
        self.targets: dict[str, str] = {}  # relationship id → target (workbook's relationships)
        self.sheets: list[tuple[str, list[str]]] = []  # (name, relationship ids) (workbook.xml)
        if data.count(b"PK\x01\x02") > MAX_PARTS:  # zipfile lists them all: 400.000 took 230 MB
            from .formatting import number

            raise InputError(Problem(
                f"filen består af over {number(MAX_PARTS)} dele; et regneark fra Excel har nogle "
                "få. Åbn den i Excel, og gem den igen.", file=label))
        try:
            self.zip = zipfile.ZipFile(io.BytesIO(data))
            infos = self.zip.infolist()
        except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError):
            raise InputError(_broken(label, "ZIP")) from None
        self.names: dict[str, zipfile.ZipInfo] = {}
        for info in infos:
            key = _ascii_lower(info.filename)
            if key in self.names:  # calamine might read one, this pass the other
                raise InputError(_broken(label, f"to dele hedder {info.filename!r}"))
            self.names[key] = info
        if _WORKBOOK not in self.names:
            raise InputError(Problem(_zip_kind(self.names, self.zip), file=label))
        self.copy = io.BytesIO()  # deflated quickly: the copy costs a tenth of the XML in memory
        self.done: dict[str, set[tuple[int, int]]] = {}  # part read → its percent-formatted numbers
        with zipfile.ZipFile(self.copy, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as out:
            self.out = out
            for part in (_PACKAGE_RELS, _RELS, _WORKBOOK, _STYLES, _STRINGS):
                self._read(part, part, None)
            self.percent_styles = {i for i, fmt in enumerate(self.xfs) if _percent(fmt, self.formats)}
            for sheet, rids in self.sheets:
                for part in self._sheet_parts(rids):
                    cells = self._read(part, "sheet", sheet)
                    if cells:
                        self.percent.setdefault(sheet, set()).update(cells)
        self.copy.seek(0)
        self.zip.close()
        del self.zip  # the original bytes are not needed any more

    def _sheet_parts(self, rids: list[str]) -> list[str]:
        """The parts a sheet's relationship may name: read as calamine reads it, and as the
        standard reads it (relative to xl/). Each one that exists is read and copied."""
        parts = []
        for rid in rids:
            target = self.targets.get(rid)
            if not target:
                continue
            bare = target.lstrip("/")
            calamine = bare if target.startswith(("/xl/", "xl/")) else "xl/" + target
            standard = posixpath.normpath(bare if target.startswith("/") else "xl/" + target)
            for name in (calamine, standard, bare):
                if _ascii_lower(name) in self.names and _ascii_lower(name) not in parts:
                    parts.append(_ascii_lower(name))
        return parts

    def _read(self, name: str, role: str, sheet: str | None) -> set[tuple[int, int]]:
        """Parse one part as a stream and copy it for calamine; returns its percent-formatted
        numbers. A part that is not there is skipped: calamine then misses it too."""
        info = self.names.get(_ascii_lower(name))
        if info is None:
            return set()
        if info.filename in self.done:  # two sheets, or a sheet and a part read before, share it
            return self.done[info.filename]
        lim = self.limits
        if info.file_size > RATIO_FROM_BYTES and info.file_size > lim.ratio * max(info.compress_size, 1):
            raise self._refuse(
                f"filen pakkes ud til {_mb(info.file_size)} fra {_mb(info.compress_size)}, over "
                f"{lim.ratio} gange så meget. Det gør et regneark fra Excel ikke; filen kan være "
                "lavet for at lægge programmet ned (en 'zip-bombe'). Brug det oprindelige "
                "regneark, eller gem det igen fra Excel.", None)
        if self.unpacked + info.file_size > lim.unpacked:
            raise self._too_big(self.unpacked + info.file_size)
        scanner = _Scanner(self, role)
        parser = scanner.parser
        try:
            with self.zip.open(info) as src, self.out.open(info.filename, "w") as dst:
                fed = 0
                while chunk := src.read(_CHUNK):
                    fed += len(chunk)
                    self.unpacked += len(chunk)
                    if self.unpacked > lim.unpacked:
                        raise self._too_big(self.unpacked)
                    parser.Parse(chunk, False)
                    if scanner.count > scanner.budget:  # a chunk holds at most 256k elements
                        raise _Refused(_too_many_elements(lim.elements))
                    if fed - max(parser.CurrentByteIndex, 0) > lim.pending:
                        raise _Unreadable(f"over {_mb(lim.pending)} uden et nyt element")
                    dst.write(chunk)
                parser.Parse(b"", True)
            self.elements += scanner.count
            self.done[info.filename] = scanner.percent
        except _Refused as exc:
            raise self._refuse(str(exc), sheet) from None
        except _Unreadable as exc:
            raise self._refuse(_not_excel_xml(f"{exc}; i {info.filename}"), sheet) from None
        except pyexpat.ExpatError as exc:
            detail = f"ugyldig XML i {info.filename}, linje {exc.lineno}, tegn {exc.offset + 1}"
            raise self._refuse(_not_excel_xml(detail), sheet) from None
        except (zipfile.BadZipFile, zlib.error, OSError, EOFError, ValueError, RuntimeError,
                NotImplementedError) as exc:  # RuntimeError: a part with a password
            raise InputError(_broken(self.label, type(exc).__name__)) from None
        return scanner.percent

    def _refuse(self, message: str, sheet: str | None) -> InputError:
        return InputError(Problem(message, file=self.label, sheet=sheet))

    def _too_big(self, size: int) -> InputError:
        return self._refuse(
            f"filen fylder over {_mb(size)} udpakket; der læses højst {_mb(self.limits.unpacked)}. "
            "Gem regnearket igen fra Excel uden tomme, formaterede områder.", None)


def _not_excel_xml(detail: str) -> str:
    return (f"filen er ikke gemt, som Excel gemmer et regneark ({detail}). Åbn filen i Excel, og "
            "gem den igen.")


# Element kinds the scanner acts on; every other element only counts.
_C, _ROW, _DATA, _SI, _RPH, _TAKE = 1, 2, 3, 4, 5, 6
_ELEMENT_KINDS = {"c": _C, "row": _ROW, "sheetData": _DATA, "si": _SI, "rPh": _RPH, "f": _RPH,
                  "numFmt": _TAKE, "cellXfs": _TAKE, "xf": _TAKE, "Relationship": _TAKE,
                  "sheet": _TAKE}


class _Kinds(dict):
    """Element name → what the scanner does with it (0: only count it), by its local name as
    calamine matches it; each name is looked at once."""

    def __missing__(self, name: str) -> int:
        prefix, colon, local = name.partition(":")
        if ":" in local:
            raise _Unreadable(f"elementnavnet {name[:40]!r}")
        kind = self[name] = _ELEMENT_KINDS.get(local if colon else prefix, 0)
        return kind


class _Scanner:
    """The expat handlers for one part. The rules that bound calamine hold in every part (a
    sheetData is a sheet's cells wherever it stands, an si a shared text); what the pass takes
    from a part (relationships, sheets, number formats) only from the part calamine takes it
    from. The handlers are called for every element, so they do as little as they can."""

    def __init__(self, owner: _Pass, role: str):
        self.owner = owner
        self.role = role
        lim = self.lim = owner.limits
        self.budget = lim.elements - owner.elements  # elements this part may still have
        self.count = 0
        self.kinds = _Kinds()
        self.in_data = self.in_cell = self.in_row = self.in_string = self.in_xfs = False
        self.no_text = False  # inside a phonetic guide (rPh) or a formula: not shown as text
        self.row = 0  # calamine's row index (0-based): a row's r, else one after the row before
        self.cell_row = 0  # the row of the last cell with a reference (the other reading)
        self.col = 0  # calamine's column index (0-based)
        self.pos = (1, 1)  # the open cell, as (Excel row, column number)
        self.cell_at = self.cell_count = 0
        self.numeric = self.shared = self.text = False
        self.style = -1
        self.index = ""  # the text of a shared-string cell: which shared string it shows
        self.chars = 0
        self.max_row = self.max_col = 0
        self.percent: set[tuple[int, int]] = set()
        self.cell_bytes = 8 * lim.cell_chars  # any cell's XML: its text, escaped, its formula
        p = self.parser = pyexpat.ParserCreate()
        p.ordered_attributes = True
        p.buffer_text = True
        p.StartDoctypeDeclHandler = self.no_dtd
        p.EntityDeclHandler = self.no_dtd
        p.StartElementHandler = self.start
        p.EndElementHandler = self.end
        if role == _STRINGS:
            p.CharacterDataHandler = self.string_text

    def no_dtd(self, *args) -> None:
        raise _Unreadable("en DTD (<!DOCTYPE>), som et regneark aldrig har")

    def start(self, name: str, attrs: list[str]) -> None:
        self.count += 1  # checked against the budget after each chunk (_Pass._read)
        kind = self.kinds[name]
        if not kind:
            return
        if kind == _C:
            if self.in_data:
                if self.in_cell:
                    raise _Unreadable("en celle inde i en celle")
                self.cell(attrs)
        elif kind == _ROW:
            if self.in_data:
                if self.in_row or self.in_cell:
                    raise _Unreadable("en række inde i en række")
                self.in_row = True
                r = _attr(attrs, "r")
                if r is not None:
                    ref = _reference(r)
                    if ref is None:
                        raise self.far_away(r)
                    self.row = ref[0] - 1
        elif kind == _DATA:
            if self.in_data:
                raise _Unreadable("et <sheetData> inde i et andet")
            self.in_data = True
        elif kind == _SI:
            self.shared_text()
        elif kind == _RPH:
            self.no_text = self.in_string or self.in_cell
        elif self.role != "sheet":
            self.take(name.rpartition(":")[2], attrs)

    def take(self, local: str, attrs: list[str]) -> None:
        """What the pass needs from the workbook, its relationships and its styles."""
        owner, role = self.owner, self.role
        if role == _STYLES:
            if local == "numFmt":
                fmt_id, code = _attr(attrs, "numFmtId"), _attr(attrs, "formatCode")
                if fmt_id and code:
                    owner.formats[fmt_id] = code
            elif local == "cellXfs":
                self.in_xfs = True
            elif local == "xf" and self.in_xfs:
                owner.xfs.append(_attr(attrs, "numFmtId") or "")
        elif role == _RELS and local == "Relationship":
            rid, target = _attr(attrs, "Id"), _attr(attrs, "Target")
            if rid is not None and target is not None:
                owner.targets[rid] = target
        elif role == _WORKBOOK and local == "sheet":
            rids = [attrs[i + 1] for i in range(0, len(attrs), 2) if attrs[i].endswith(":id")]
            owner.sheets.append((_attr(attrs, "name") or "", rids))

    def shared_text(self) -> None:
        if self.in_string:
            raise _Unreadable("en tekst inde i en tekst")
        self.in_string = True
        self.chars = 0
        self.owner.strings += 1
        if self.owner.strings > self.lim.strings:
            raise _Refused(_too_many_strings(self.lim.strings))

    def string_text(self, data: str) -> None:
        """The characters of a shared text or a text cell, as calamine gives them."""
        if not self.no_text:
            self.chars += len(data)

    def cell(self, attrs: list[str]) -> None:
        self.in_cell = True
        self.cell_at, self.cell_count = self.parser.CurrentByteIndex, self.count
        r = s = t = None
        for i in range(0, len(attrs), 2):
            key = attrs[i]
            if key == "r":
                r = attrs[i + 1]
            elif key == "s":
                s = attrs[i + 1]
            elif key == "t":
                t = attrs[i + 1]
        if r is not None:
            ref = _reference(r)
            if ref is None or ref[1] is None:
                raise self.far_away(r)
            self.col = ref[1] - 1
            self.cell_row = ref[0] - 1
            self.pos = ref
        else:
            self.pos = (max(self.row, self.cell_row) + 1, self.col + 1)
        self.numeric = t is None or t == "n"
        self.style = int(s) if s is not None and s.isdigit() and len(s) < 10 else -1
        self.shared = t == "s"
        self.text = t == "inlineStr" or t == "str"
        if self.shared:  # the cell's text says which shared string it shows
            self.index = ""
            self.parser.CharacterDataHandler = self.index_text
        elif self.text:
            self.chars = 0
            self.parser.CharacterDataHandler = self.string_text

    def index_text(self, data: str) -> None:
        if len(self.index) < 20:
            self.index += data

    def end(self, name: str) -> None:
        kind = self.kinds[name]
        if not kind:
            return
        if kind == _C:
            if self.in_cell:
                self.cell_end()
        elif kind == _ROW:
            if self.in_data:
                self.in_row = False
                self.row += 1
                self.col = 0
        elif kind == _DATA:
            self.in_data = False
        elif kind == _SI:
            if self.in_string:
                self.string_end()
        elif kind == _RPH:
            self.no_text = False
        elif name.rpartition(":")[2] == "cellXfs":
            self.in_xfs = False

    def cell_end(self) -> None:
        self.in_cell = False
        self.col += 1
        if self.shared or self.text:
            self.parser.CharacterDataHandler = None
        if self.count == self.cell_count:
            return  # no child element: no value (a formatted, empty cell)
        lim = self.lim
        row, col = self.pos
        if row > self.max_row:
            self.max_row = row
        if col > self.max_col:
            self.max_col = col
        if row > lim.rows or col > lim.columns or self.max_row * self.max_col > lim.cells:
            raise _Refused(_far_cell(f"{_column_letters(col)}{row}", lim))
        owner = self.owner
        if self.shared:
            index = self.index.strip()
            length = owner.string_chars[int(index)] if index.isdigit() and int(index) < len(
                owner.string_chars) else 0
            owner.shared_chars += length
            if owner.shared_chars > lim.shared_chars:
                raise _Refused(_too_much_text(lim.shared_chars))
        elif ((self.text and self.chars > lim.cell_chars)
              or self.parser.CurrentByteIndex - self.cell_at > self.cell_bytes):
            raise _Refused(_long_text(self.pos, lim.cell_chars))
        if self.numeric and self.style in owner.percent_styles:
            self.percent.add((row, col))

    def string_end(self) -> None:
        self.in_string = False
        if self.chars > self.lim.cell_chars:
            raise _Refused(_long_text(None, self.lim.cell_chars))
        self.owner.string_chars.append(self.chars)

    def far_away(self, reference: str) -> Exception:
        """A reference beyond any sheet is a far cell; one calamine cannot read is refused."""
        shown = reference[:20] + ("…" if len(reference) > 20 else "")
        if _FAR_REFERENCE.fullmatch(reference):
            return _Refused(_far_cell(shown, self.lim))
        return _Unreadable(f"cellereferencen {shown!r}")


def _attr(attrs: list[str], key: str) -> str | None:
    """An attribute by its name as written (calamine matches r, s, t, Id … without a prefix)."""
    for i in range(0, len(attrs), 2):
        if attrs[i] == key:
            return attrs[i + 1]
    return None


def _far_cell(far: str, lim: _Limits) -> str:
    from .formatting import number

    return (f"arket har en værdi i celle {far}, langt fra tabellen (der læses højst "
            f"{number(lim.rows)} rækker, {lim.columns} kolonner og {number(lim.cells)} celler "
            f"fra A1). Slet indholdet af celle {far} og andre celler uden for tabellen, og gem "
            "filen igen.")


def _too_many_elements(limit: int) -> str:
    from .formatting import number

    return (f"arket er for stort til at blive læst: det har over {number(limit)} dele (celler, "
            "rækker og formatering, også tomme celler). Slet tomme, formaterede områder uden for "
            "tabellen (marker rækkerne eller kolonnerne, og vælg Slet), og gem filen igen.")


def _too_many_strings(limit: int) -> str:
    from .formatting import number

    return (f"filen har over {number(limit)} forskellige tekster, flere end et ark inden for "
            "grænserne kan vise. Åbn filen i Excel, og gem den igen.")


def _too_much_text(limit: int) -> str:
    from .formatting import number

    return (f"arket viser over {number(limit)} tegn tekst i alt (fx den samme lange tekst i "
            "mange celler), mere end der kan læses. Slet tekst uden for tabellen, og gem filen "
            "igen.")


def _long_text(pos: tuple[int, int] | None, limit: int) -> str:
    from .formatting import number

    cell = f"celle {_column_letters(pos[1])}{pos[0]}" if pos else ""
    return (f"{cell or 'en tekst i filen'} har over {number(limit)} tegn, mere end Excel selv "
            f"tillader i én celle. {'Slet indholdet af ' + cell if cell else 'Ret teksten'}, og gem "
            "filen igen.")


def _column_letters(n: int) -> str:
    out = ""
    while n > 0:
        n, r = divmod(n - 1, 26)
        out = chr(65 + r) + out
    return out or "A"


def _is_na(value: object) -> bool:
    return value is None or (isinstance(value, float) and np.isnan(value))


def _blank_mask(column: pd.Series) -> np.ndarray:
    """Empty cells: None, NaN, '' and text of spaces only."""
    blank = column.isna().to_numpy().copy()
    kind = pd.api.types.infer_dtype(column, skipna=True)
    if kind in ("string", "mixed", "mixed-integer", "empty"):
        if kind == "string":  # each distinct text once: a long column repeats few values
            empty = [u for u in pd.unique(column.dropna()) if u.strip() == ""]
            stripped = column.isin(empty) if empty else pd.Series(False, index=column.index)
        else:
            stripped = column.map(lambda v: isinstance(v, str) and v.strip() == "",
                                  na_action="ignore")
        blank |= stripped.fillna(False).to_numpy(dtype=bool)
    return blank


def strip_text(column: pd.Series) -> pd.Series:
    """Text cells without surrounding spaces; each distinct value is stripped once."""
    mapping = {u: u.strip() for u in pd.unique(column.dropna())}
    if all(k == v for k, v in mapping.items()):
        return column
    return column.map(mapping, na_action="ignore")
