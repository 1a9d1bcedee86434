"""A table written to a worksheet: typed values, number formats, text kept text, widths that fit.

Notes go below the table, and the sheet is set up for A4 (workbook.print_setup). Used by the
export's workbook (export.py).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from .workbook import fit_row_heights, print_setup

# A text cell starting with one of these is run as a formula by Excel, LibreOffice or Google
# Sheets once the text leaves the .xlsx (CSV export, copy-paste) or is edited (OWASP "CSV
# injection"); tab and carriage return are listed by OWASP too.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")

YES, NO = "ja", "nej"

HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="DDE6F0")
NOTE_FONT = Font(italic=True)
WRAP = Alignment(wrap_text=True, vertical="top")
TOP = Alignment(vertical="top")


def safe_text(value: object) -> str:
    """Text as it may go into a cell: characters XML cannot hold removed, and a leading formula
    character neutralised with a space in front (' =HYPERLINK(…)'), so the text stays text in the
    workbook, in a CSV made from it, and when somebody edits the cell."""
    text = ILLEGAL_CHARACTERS_RE.sub("", str(value))
    return " " + text if text.startswith(FORMULA_TRIGGERS) else text


def missing(x: object) -> bool:
    if x is None:
        return True
    if isinstance(x, str):
        return False
    try:
        return bool(pd.isna(x))
    except (TypeError, ValueError):
        return False


def number(x: object) -> int | float | None:
    """A plain Python number for a cell (integers stay integers), None for a missing value."""
    if missing(x):
        return None
    if isinstance(x, bool | np.bool_):
        raise TypeError(f"not a number: {x!r}")
    return int(x) if isinstance(x, int | np.integer) else float(x)


def number_format(decimals: int) -> str:
    return "#,##0" + ("." + "0" * decimals if decimals > 0 else "")


def signed_format(decimals: int) -> str:
    f = number_format(decimals)
    return f"+{f};-{f};{f}"


# Column widths (characters) that print at a readable size across landscape A4.
READABLE_WIDTH = 180
YEAR_FMT = "0"
COUNT_FMT = number_format(0)
P_FMT = "0.000"


@dataclass
class Col:
    header: str
    fmt: str | None = None  # number format for numbers in this column (a cell may override)
    wrap: bool = False  # long text: wraps within a capped width
    width: int | None = None  # a fixed width, for text that must not be cut (a checksum)


@dataclass
class Cell:
    value: object
    fmt: str | None = None


def _display_len(value: object, fmt: str | None) -> int:
    if value is None:
        return 0
    if isinstance(value, int | float):
        decimals = len(fmt.split(";")[0].split(".")[1]) if fmt and "." in fmt else 0
        return len(f"{value:+,.{decimals}f}")
    return max((len(line) for line in str(value).splitlines()), default=0)


def write_table(ws, cols: list[Col], rows: Iterable[list[object]],
                notes: Iterable[str] = (), *, one_page: bool = False, key_columns: int = 0
                ) -> None:
    """Header row (bold, frozen, filters on), typed values with number formats, widths that fit.
    `notes` go below the table, after a blank row, outside the filter range, each across the
    table's width. Rows are as high as their wrapped text; printed on A4, fit to the page
    width, header row repeated (`one_page`: the whole sheet on one page). A table too wide to
    read on one page width prints over several, its first `key_columns` (what a row is about)
    repeated on each."""
    # A header wraps at its words rather than widening its column.
    widths = [max(len(w) for w in c.header.split()) for c in cols]
    for j, col in enumerate(cols, start=1):
        cell = ws.cell(row=1, column=j, value=col.header)
        cell.font, cell.fill = HEADER_FONT, HEADER_FILL
        cell.alignment = WRAP
    n = 1
    for n, row in enumerate(rows, start=2):
        for j, (col, raw) in enumerate(zip(cols, row, strict=True), start=1):
            value, fmt = (raw.value, raw.fmt) if isinstance(raw, Cell) else (raw, None)
            fmt = fmt or col.fmt
            cell = ws.cell(row=n, column=j)
            if missing(value):
                continue
            if isinstance(value, bool):
                value = YES if value else NO
            if isinstance(value, int | float):
                cell.value = value
                if fmt:
                    cell.number_format = fmt
            else:
                text = safe_text(value)
                cell.value = text
                cell.data_type = "s"  # text, never a formula, whatever it looks like
                if text != str(value):
                    cell.quotePrefix = True  # Excel's own "this is text" mark (a typed ')
            # Top-aligned like the wrapped texts, so a row reads across on one line.
            cell.alignment = WRAP if col.wrap else TOP
            widths[j - 1] = max(widths[j - 1], _display_len(cell.value, fmt))
    last = get_column_letter(len(cols))
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:{last}{max(n, 2)}"
    for j, (col, width) in enumerate(zip(cols, widths, strict=True), start=1):
        ws.column_dimensions[get_column_letter(j)].width = col.width or min(
            max(width + 2, 8), 40 if col.wrap else 45)
    for i, text in enumerate(notes, start=n + 2):
        cell = ws.cell(row=i, column=1, value=safe_text(text))
        cell.data_type = "s"
        cell.font = NOTE_FONT
        cell.alignment = WRAP
        ws.merge_cells(start_row=i, start_column=1, end_row=i, end_column=len(cols))
    fit_row_heights(ws)
    total = sum(ws.column_dimensions[get_column_letter(j)].width for j in range(1, len(cols) + 1))
    print_setup(ws, landscape=total > 90, one_page=one_page)
    if key_columns and total > READABLE_WIDTH:
        # Squeezed onto one page width, 30-odd columns print too small to read (issue 21.6):
        # several pages across instead, each starting with the columns that say what a row is.
        ws.page_setup.fitToWidth = math.ceil(total / READABLE_WIDTH)
        ws.print_title_cols = f"A:{get_column_letter(key_columns)}"
