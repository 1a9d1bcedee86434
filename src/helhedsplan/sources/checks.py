"""Reusable pandera checks with Danish messages (the message is what the analyst reads).

A message may name values of the failing row as {key} placeholders (e.g. '{tilfredse}'); the
ingest fills them in, so the analyst sees the numbers that disagree. A check that concerns one
column more than the others says so with `column=`, so the message can point at that cell.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import pandas as pd

if TYPE_CHECKING:  # the checks are made only when a file is validated (see _check)
    import pandera.pandas as pa  # types only

# error message → the column a row-level check points at (filled in by row_check)
COLUMN_OF: dict[str, str] = {}
DATE_OUTSIDE_YEAR = "datoen ligger ikke i {year}, som mappen hedder"


def _check(fn, error: str) -> pa.Check:
    import pandera.pandas as pa  # lazy: its import costs 1-3 s (checks are made only to validate)

    return pa.Check(fn, error=error)


def non_negative() -> pa.Check:
    return _check(lambda s: s.isna() | (s >= 0), error="må ikke være negativ")


def at_most_value(maximum: float, shown: str) -> pa.Check:
    return _check(lambda s: s.isna() | (s <= maximum),
                  error=f"er urimeligt stort (over {shown}). Tjek, at tallet er skrevet rigtigt")


def share() -> pa.Check:
    return _check(lambda s: s.isna() | ((s >= 0) & (s <= 100)),
                    error="skal være en andel mellem 0 og 100 pct.")


def one_of(allowed: list, what: str) -> pa.Check:
    shown = ", ".join(str(a) for a in allowed)
    return _check(lambda s: s.isna() | s.isin(allowed), error=f"er ikke {what}: brug {shown}")


def within_year(year: int) -> pa.Check:
    first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
    return _check(lambda s: s.isna() | s.map(lambda d: pd.isna(d) or first <= d <= last),
                    error=DATE_OUTSIDE_YEAR.format(year=year))


def row_check(fn, message: str, column: str | None = None) -> pa.Check:
    """A check across the columns of each row; `fn(df)` gives True where the row is fine."""
    if column:
        COLUMN_OF[message] = column
    return _check(fn, error=message)


def at_most(part: str, whole: str, message: str) -> pa.Check:
    return row_check(lambda df: df[part].isna() | df[whole].isna() | (df[part] <= df[whole]),
                     message, column=part)


def at_least_one(key: str, message: str) -> pa.Check:
    return row_check(lambda df: df[key].isna() | (df[key] >= 1), message, column=key)
