"""The wording of a problem in a spreadsheet: Danish values, what to write instead, many alike as one."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from .. import excel
from ..errors import Problem
from ..formatting import number

COLLAPSE_AFTER = 8  # more problems of one kind in one column are listed as one, with the row numbers


def dk(value: object) -> str:
    """A value for a message, Danish style: 2.453, 97,7, 15-09-2024, text as it is."""
    value = excel.shown(value)
    if isinstance(value, int):
        return number(value)
    if isinstance(value, float):
        return number(value, 1 if round(value, 1) == value else 2)
    return str(value)


class _RowValues(dict):
    def __missing__(self, key):
        return "{" + key + "}"


def fill_in(message: str, row: pd.Series | None) -> str:
    if row is None or "{" not in message:
        return message
    values = _RowValues({k: dk(v) for k, v in row.items() if not _missing(v)})
    try:
        return message.format_map(values)
    except (ValueError, IndexError):
        return message


def _missing(v: object) -> bool:
    return v is None or (not isinstance(v, str) and bool(pd.isna(v)))


def _rows_text(rows: list[int]) -> str:
    rows = sorted(rows)
    head = ", ".join(str(r) for r in rows[:5])
    return f"række {head}" + (f" og {dk(len(rows) - 5)} andre" if len(rows) > 5 else "")


def collapse(problems: list[Problem], limit: int = COLLAPSE_AFTER) -> list[Problem]:
    """Many problems of one kind in one column (a 100.000-row sheet with a wrong category) become
    one line that says how many rows, which ones first, and a few of the values found."""
    groups: dict[tuple, list[Problem]] = {}
    for p in problems:
        groups.setdefault((p.file, p.sheet, p.column, p.message, p.row is None), []).append(p)
    out = []
    done: set[tuple] = set()
    for p in problems:
        k = (p.file, p.sheet, p.column, p.message, p.row is None)
        group = groups[k]
        if len(group) <= limit or p.row is None:
            out.append(p)
            continue
        if k in done:
            continue
        done.add(k)
        values = list(dict.fromkeys(repr(q.value) for q in group if q.value is not None))[:3]
        found = f" (fundet fx {', '.join(values)})" if values else ""
        out.append(Problem(f"{p.message}{found}. Det gælder {dk(len(group))} rækker: "
                           f"{_rows_text([q.row for q in group])}",
                           file=p.file, sheet=p.sheet, column=p.column))
    return out


class Shown(str):
    """A number or date as the analyst writes it, shown without quotes: (fundet: 5.000)."""

    def __repr__(self) -> str:
        return str(self)


def found_value(value: object, percent: bool = False) -> object:
    """A cell's value for a message: numbers and dates Danish style, text quoted as it is, a
    number shown as a percentage as Excel shows it (0.063 → 6,3 %)."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    if percent and isinstance(value, int | float | np.integer | np.floating):
        return Shown(f"{dk(round(float(value) * 100, 10))} %")
    if isinstance(value, bool | np.bool_):
        return Shown("SAND" if value else "FALSK")
    if isinstance(value, str):
        return value
    if isinstance(value, dt.date | pd.Timestamp):
        return Shown(excel.shown(value))
    return Shown(dk(value))
