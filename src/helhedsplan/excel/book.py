"""A workbook opened once with calamine, bounded first (scan.py): its sheets, headers and cells."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from python_calamine import CalamineWorkbook

from ..errors import InputError, Problem
from .cells import blank_mask, is_na, normalise_header, parse_number, shown
from .files import broken, not_a_workbook, read_regular_file
from .scan import Pass

EXAMPLE_SHEET = "Om filen"

EXAMPLE_KEY = "eksempeldata"

YEAR_KEY = "aar"  # normalised 'År'

HEADER_SEARCH_ROWS = 20  # a header may sit below a few title rows


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
    calamine needs (see Pass), and calamine opens the copy of them that the pass made."""

    def __init__(self, path: Path, label: str = ""):
        self.path = Path(path)
        self.label = label or self.path.name
        data = read_regular_file(self.path, self.label)
        problem = not_a_workbook(data)
        if problem:
            raise InputError(Problem(problem, file=self.label))
        checked = Pass(data, self.label)
        del data
        try:
            self._wb = CalamineWorkbook.from_filelike(checked.copy)
            self.sheet_names: list[str] = list(self._wb.sheet_names)
        except BaseException as exc:  # calamine raises several types; a Rust panic is a BaseException
            if isinstance(exc, KeyboardInterrupt | SystemExit):
                raise
            raise InputError(broken(self.label, type(exc).__name__)) from None
        self.percent_format = checked.percent
        self._about: dict[str, tuple[object, int]] | None = None

    def _rows(self, sheet: str) -> list[list]:
        """The sheet's cells from A1 as calamine gives them (bounds checked when opened)."""
        return self._wb.get_sheet_by_name(sheet).to_python(skip_empty_area=False)

    def percent_cells(self, sheet: str) -> set[tuple[int, int]]:
        """(Excel row, column number) of the sheet's numbers shown as a percentage (6,3 % is
        stored as 0.063 with a percent format)."""
        return self.percent_format.get(sheet, set())

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
        blank = pd.DataFrame({c: blank_mask(frame[c]) for c in frame.columns}, index=frame.index)
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
                    filled = [v for v in values if not (is_na(v) or v == "")]
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
                hits = sum(normalise_header(v) in wanted_keys for v in raw.iloc[i] if not is_na(v))
                if hits > best:
                    best, header_at = hits, i
        header_row = int(raw.index[header_at])
        headers = ["" if is_na(h) else str(shown(h)).strip() for h in raw.iloc[header_at]]
        body = raw.iloc[header_at + 1:].copy()
        numbers = [int(c) + 1 for c in raw.columns]  # cells() keeps calamine's 0-based columns
        body.columns = headers
        return Sheet(self.path, name, headers, body, header_row, self.label, numbers,
                     self.percent_cells(name))
