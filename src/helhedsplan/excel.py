"""Reading the analyst's spreadsheets: calamine for speed, forgiving only what is safe.

Safe to forgive: header spelling (case, spaces, æ/ae), numbers typed as Danish text ("6,3",
"1.234"), blank rows, empty trailing columns and title rows above the header. Everything else
becomes a Problem that names file, sheet, Excel row and column.

The workbook is opened once with python-calamine and its cells are taken as they come (numbers,
text, dates); pandas' own Excel reader would parse every cell again in Python, which costs more
than the reading itself for a large sheet.

Reading is bounded. calamine makes a dense grid from A1 to the farthest cell holding a value, so
one value in XFD1048576 would ask for hundreds of GB. Before calamine sees a sheet, its XML is
scanned as a stream for the cells that hold values; a sheet reaching beyond MAX_ROWS, MAX_COLUMNS
or MAX_CELLS is refused with a message naming the far cell. A file is opened only when it is a
regular file (a FIFO would hang the run, a device never ends) no larger than MAX_FILE_BYTES, and
a workbook whose XML unpacks to more than MAX_UNPACKED_BYTES (a zip bomb) is refused.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import os
import re
import stat
import unicodedata
import zipfile
import zlib
from dataclasses import dataclass
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
MAX_UNPACKED_BYTES = 500 * 1024 * 1024  # all XML in the .xlsx, unpacked
MAX_ROWS = 200_000
MAX_COLUMNS = 200  # column GR
MAX_CELLS = 2_000_000  # rows x columns from A1 to the farthest value: what calamine allocates
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
    would block). The readers report such a file in Danish."""
    if _not_regular(Path(path)):
        return ""
    h = hashlib.sha256()
    with _open_regular(Path(path)) as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
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
        raise InputError(Problem(f"filen kan ikke læses ({exc.strerror or type(exc).__name__}). "
                                 "Er den åben i et andet program?", file=label)) from None
    if size > max_bytes or len(data) > max_bytes:
        raise InputError(Problem(
            f"filen er for stor ({_mb(max(size, len(data)))}); der læses højst {_mb(max_bytes)}. "
            "Er det den rigtige fil?", file=label))
    return data


def _mb(n: int) -> str:
    from .formatting import number

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

    @property
    def label(self) -> str:
        return self.file_label or self.path.name

    @property
    def has_data(self) -> bool:
        return not self.frame.empty


class Book:
    """An .xlsx workbook opened once. Raises InputError (in Danish) if it cannot be opened."""

    def __init__(self, path: Path, label: str = ""):
        from python_calamine import CalamineWorkbook

        self.path = Path(path)
        self.label = label or self.path.name
        data = read_regular_file(self.path, self.label)
        problem = self._unusable(data)
        if problem:
            raise InputError(problem)
        try:
            self._zip = zipfile.ZipFile(io.BytesIO(data))
            unpacked = sum(i.file_size for i in self._zip.infolist())
        except (zipfile.BadZipFile, OSError, ValueError):
            raise InputError(self._broken("ZIP")) from None
        if unpacked > MAX_UNPACKED_BYTES:
            raise InputError(Problem(
                f"filen fylder {_mb(unpacked)} udpakket; der læses højst "
                f"{_mb(MAX_UNPACKED_BYTES)}. Gem regnearket igen fra Excel uden tomme, "
                "formaterede områder.", file=self.label))
        try:
            self._wb = CalamineWorkbook.from_filelike(io.BytesIO(data))
            self.sheet_names: list[str] = list(self._wb.sheet_names)
        except Exception as exc:  # calamine raises several types for broken files
            raise InputError(self._broken(type(exc).__name__)) from None
        self._parts: dict[str, str] | None = None
        self._about: dict[str, tuple[object, int]] | None = None
        for name in self.sheet_names:  # the whole file is refused before anything is read
            self._check_extent(name)

    def _broken(self, why: str) -> Problem:
        return Problem(f"filen er beskadiget og kan ikke åbnes ({why}). Åbn den i Excel, og gem "
                       "den igen.", file=self.label)

    def _unusable(self, data: bytes) -> Problem | None:
        name = self.label
        if len(data) == 0:
            return Problem("filen er tom (0 byte). Gem regnearket igen fra Excel.", file=name)
        magic = data[:8]
        if magic.startswith(b"\xd0\xcf\x11\xe0"):
            return Problem("filen er krypteret (adgangskode) eller i det gamle .xls-format. Fjern "
                           "adgangskoden, og gem som Excel-projektmappe (.xlsx).", file=name)
        is_zip = zipfile.is_zipfile(io.BytesIO(data))
        if magic.startswith(b"PK") and not is_zip:
            return Problem("filen er beskadiget (afkortet eller ufuldstændigt gemt). Åbn den i "
                           "Excel, og gem den igen.", file=name)
        if not is_zip:
            return Problem("filen er ikke et Excel-regneark (.xlsx). Gem den som "
                           "Excel-projektmappe (.xlsx).", file=name)
        return None

    def _rows(self, sheet: str) -> list[list]:
        """The sheet's cells from A1 as calamine gives them (bounds checked when opened)."""
        return self._wb.get_sheet_by_name(sheet).to_python(skip_empty_area=False)

    def _check_extent(self, sheet: str) -> None:
        """Refuse a sheet whose values reach beyond the limits, before calamine allocates."""
        part = self._sheet_parts().get(sheet)
        if part is None:
            return  # not an ordinary worksheet (chart sheet): calamine finds nothing in it
        try:
            rows, cols, far = _value_extent(self._zip, part)
        except (zipfile.BadZipFile, zlib.error, OSError, EOFError, ValueError) as exc:
            raise InputError(Problem(f"arket kan ikke læses ({type(exc).__name__}). Åbn filen i "
                                     "Excel, og gem den igen.", file=self.label,
                                     sheet=sheet)) from None
        if rows > MAX_ROWS or cols > MAX_COLUMNS or rows * cols > MAX_CELLS:
            from .formatting import number

            raise InputError(Problem(
                f"arket har en værdi i celle {far}, langt fra tabellen (der læses højst "
                f"{number(MAX_ROWS)} rækker, {MAX_COLUMNS} kolonner og {number(MAX_CELLS)} celler "
                f"fra A1). Slet indholdet af celle {far} og andre celler uden for tabellen, og gem "
                "filen igen.", file=self.label, sheet=sheet))

    def _sheet_parts(self) -> dict[str, str]:
        """Sheet name → its XML part in the zip (xl/workbook.xml and its relationships)."""
        if self._parts is None:
            self._parts = {}
            try:
                book = _small_part(self._zip, "xl/workbook.xml")
                rels = _small_part(self._zip, "xl/_rels/workbook.xml.rels")
            except (KeyError, ValueError, zipfile.BadZipFile, zlib.error, OSError):
                return self._parts
            targets = {}
            for tag in re.findall(rb"<(?:\w+:)?Relationship\b[^>]*>", rels):
                rid, target = _attr(tag, b"Id"), _attr(tag, b"Target")
                if rid and target:
                    targets[rid] = target
            for tag in re.findall(rb"<(?:\w+:)?sheet\b[^>]*>", book):
                name, rid = _attr(tag, b"name"), _attr(tag, b"r:id") or _attr(tag, b"id")
                target = targets.get(rid or "")
                if name is None or not target:
                    continue
                target = target.lstrip("/") if target.startswith("/") else "xl/" + target
                self._parts[_xml_unescape(name)] = os.path.normpath(target).replace(os.sep, "/")
        return self._parts

    def find_sheet(self, wanted: str) -> str | None:
        """The sheet's name as written in the file, matched as leniently as headers are."""
        key = normalise_header(wanted)
        return next((n for n in self.sheet_names if normalise_header(n) == key), None)

    def cells(self, sheet: str) -> pd.DataFrame:
        """Every cell of a sheet from A1, index = Excel row number, blank cells NaN."""
        try:
            rows = self._rows(sheet)
        except Exception as exc:
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
        body.columns = headers
        return Sheet(self.path, name, headers, body, header_row, self.label)


_TAG = re.compile(rb"<(?:\w+:)?(row|c)\b([^>]*?)(/?)>(\s*<(?:\w+:)?(?:v|is|f)\b)?")
_REF = re.compile(rb'\br="\$?([A-Z]{1,3})\$?([0-9]{1,7})"')
_ROW_R = re.compile(rb'\br="([0-9]{1,7})"')
_CHUNK = 1 << 20
_MAX_PENDING = 16 << 20  # one cell's XML longer than this is not a spreadsheet cell


def _value_extent(zf: zipfile.ZipFile, part: str) -> tuple[int, int, str]:
    """(last row, last column, a far cell such as 'XFD5000') of the cells holding a value, read
    as a stream: memory stays at a few MB whatever the sheet declares. Stops at the first cell
    beyond MAX_ROWS/MAX_COLUMNS."""
    max_row = max_col = row = col = read = 0
    pending = b""
    with zf.open(part) as f:
        while True:
            chunk = f.read(_CHUNK)
            read += len(chunk)
            if read > MAX_UNPACKED_BYTES:
                raise ValueError("unpacks beyond the limit")
            buf = pending + chunk
            if chunk:  # keep an unfinished tag (or a cell whose value follows) for the next round
                ends = [i + len(t) for t in (b"</c>", b"/>", b"</row>") if (i := buf.rfind(t)) >= 0]
                cut = max(ends, default=0)
                pending, buf = buf[cut:], buf[:cut]
                if len(pending) > _MAX_PENDING:
                    raise ValueError("a cell beyond any limit")
            for kind, attrs, closed, value in _TAG.findall(buf):
                if kind == b"row":
                    m = _ROW_R.search(attrs)
                    row, col = (int(m.group(1)) if m else row + 1), 0
                    continue
                m = _REF.search(attrs)
                if m:
                    col, row = _column_number(m.group(1)), int(m.group(2))
                else:
                    col += 1
                if value and not closed:
                    if row > MAX_ROWS or col > MAX_COLUMNS:
                        return row, col, f"{_column_letters(col)}{row}"
                    max_row, max_col = max(max_row, row), max(max_col, col)
            if not chunk:
                return max_row, max_col, f"{_column_letters(max_col)}{max_row}"


def _column_number(letters: bytes) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + (ch - 64)
    return n


def _column_letters(n: int) -> str:
    out = ""
    while n > 0:
        n, r = divmod(n - 1, 26)
        out = chr(65 + r) + out
    return out or "A"


def _small_part(zf: zipfile.ZipFile, name: str, limit: int = 8 << 20) -> bytes:
    with zf.open(name) as f:
        data = f.read(limit + 1)
    if len(data) > limit:
        raise ValueError(f"{name} is too large")
    return data


def _attr(tag: bytes, name: bytes) -> str | None:
    m = re.search(rb"(?:^|\s)" + re.escape(name) + rb'\s*=\s*"([^"]*)"', tag)
    return m.group(1).decode("utf-8", "replace") if m else None


def _xml_unescape(text: str) -> str:
    import html

    return html.unescape(text)


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
