"""Reading the analyst's spreadsheets: calamine for speed, forgiving only what is safe.

Safe to forgive: header spelling (case, spaces, æ/ae), numbers typed as Danish text ("6,3",
"1.234"), blank rows, empty trailing columns and title rows above the header. Everything else
becomes a Problem that names file, sheet, Excel row and column.

The workbook is opened once with python-calamine and its cells are taken as they come (numbers,
text, dates); pandas' own Excel reader would parse every cell again in Python, which costs more
than the reading itself for a large sheet.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from .errors import InputError, Problem

EXAMPLE_SHEET = "Om filen"
EXAMPLE_KEY = "eksempeldata"
YEAR_KEY = "aar"  # normalised 'År'
HEADER_SEARCH_ROWS = 20  # a header may sit below a few title rows


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
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


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
        problem = self._unusable()
        if problem:
            raise InputError(problem)
        try:
            self._wb = CalamineWorkbook.from_path(str(self.path))
            self.sheet_names: list[str] = list(self._wb.sheet_names)
        except Exception as exc:  # calamine raises several types for broken files
            raise InputError(Problem(
                f"filen er beskadiget og kan ikke åbnes ({type(exc).__name__}). Åbn den i Excel, "
                "og gem den igen.", file=self.label)) from None
        self._about: dict[str, tuple[object, int]] | None = None

    def _unusable(self) -> Problem | None:
        name, path = self.label, self.path
        if not path.is_file():
            return Problem("filen findes ikke", file=name)
        if path.stat().st_size == 0:
            return Problem("filen er tom (0 byte). Gem regnearket igen fra Excel.", file=name)
        with open(path, "rb") as f:
            magic = f.read(8)
        if magic.startswith(b"\xd0\xcf\x11\xe0"):
            return Problem("filen er krypteret (adgangskode) eller i det gamle .xls-format. Fjern "
                           "adgangskoden, og gem som Excel-projektmappe (.xlsx).", file=name)
        if magic.startswith(b"PK") and not zipfile.is_zipfile(path):
            return Problem("filen er beskadiget (afkortet eller ufuldstændigt gemt). Åbn den i "
                           "Excel, og gem den igen.", file=name)
        if not zipfile.is_zipfile(path):
            return Problem("filen er ikke et Excel-regneark (.xlsx). Gem den som "
                           "Excel-projektmappe (.xlsx).", file=name)
        return None

    def find_sheet(self, wanted: str) -> str | None:
        """The sheet's name as written in the file, matched as leniently as headers are."""
        key = normalise_header(wanted)
        return next((n for n in self.sheet_names if normalise_header(n) == key), None)

    def cells(self, sheet: str) -> pd.DataFrame:
        """Every cell of a sheet from A1, index = Excel row number, blank cells NaN."""
        try:
            rows = self._wb.get_sheet_by_name(sheet).to_python(skip_empty_area=False)
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
                    rows = self._wb.get_sheet_by_name(name).to_python(skip_empty_area=False)
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
