"""Reusable pandera checks with Danish messages (the message is what the analyst reads)."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pandera.pandas as pa


def non_negative() -> pa.Check:
    return pa.Check(lambda s: s.isna() | (s >= 0), element_wise=False,
                    error="må ikke være negativ")


def one_of(allowed: list, what: str) -> pa.Check:
    shown = ", ".join(str(a) for a in allowed)
    return pa.Check(lambda s: s.isna() | s.isin(allowed), error=f"er ikke {what}: brug {shown}")


def within_year(year: int) -> pa.Check:
    first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
    return pa.Check(lambda s: s.isna() | s.map(lambda d: pd.isna(d) or first <= d <= last),
                    error=f"datoen ligger ikke i {year}, som mappen hedder")


def at_most(part: str, whole: str, message: str) -> pa.Check:
    return pa.Check(lambda df: df[part].isna() | df[whole].isna() | (df[part] <= df[whole]),
                    error=message)
