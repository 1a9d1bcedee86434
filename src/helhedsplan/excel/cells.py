"""A cell's value as the analyst meant it: Danish numbers and dates, headers compared forgivingly."""

from __future__ import annotations

import datetime as dt
import re

import numpy as np
import pandas as pd

from ..rawfile import normalise_header  # noqa: F401  (the sources use it by this name)

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


def is_na(value: object) -> bool:
    return value is None or (isinstance(value, float) and np.isnan(value))


def blank_mask(column: pd.Series) -> np.ndarray:
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
