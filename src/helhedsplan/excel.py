"""Reading the analyst's spreadsheets: calamine for speed, forgiving only what is safe.

Safe to forgive: header spelling (case, spaces, æ/ae), numbers typed as Danish text ("6,3",
"1.234"), blank rows and empty trailing columns. Everything else becomes a Problem that names
file, sheet, Excel row and column.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from .errors import InputError, Problem

EXAMPLE_SHEET = "Om filen"
EXAMPLE_KEY = "eksempeldata"


def normalise_header(text: object) -> str:
    """'  Fremmødte  Beboere ' and 'fremmoedte beboere' compare equal."""
    s = str(text).casefold().strip()
    for a, b in (("æ", "ae"), ("ø", "oe"), ("å", "aa"), ("aa", "aa")):
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
    if isinstance(value, bool):
        raise ValueError(value)
    if isinstance(value, int | float):
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
    s = str(value).strip()
    for fmt in ("%d-%m-%Y", "%d.%m.%Y", "%d/%m/%Y", "%Y-%m-%d"):
        try:
            return dt.datetime.strptime(s, fmt).date()
        except ValueError:
            pass
    raise ValueError(value)


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


@dataclass
class Sheet:
    """The cells of one sheet below its header, with Excel row numbers kept as the index."""

    path: Path
    sheet: str
    headers: list[str]
    frame: pd.DataFrame  # columns = headers as written, index = Excel row number
    header_row: int


def sheet_names(path: Path) -> list[str]:
    from python_calamine import CalamineWorkbook

    return CalamineWorkbook.from_path(str(path)).sheet_names


def open_workbook_problem(path: Path) -> Problem | None:
    """Why a file cannot be opened as an .xlsx workbook, in words the analyst understands."""
    name = path.name
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
    try:
        sheet_names(path)
    except Exception as exc:  # calamine raises several types for broken files
        return Problem(f"filen er beskadiget og kan ikke åbnes ({type(exc).__name__}). "
                       "Åbn den i Excel og gem den igen.", file=name)
    return None


def read_sheet(path: Path, sheet: str) -> Sheet:
    """Read a sheet whose first non-blank row is the header. Raises InputError."""
    problem = open_workbook_problem(path)
    if problem:
        raise InputError(problem)
    names = sheet_names(path)
    match = [n for n in names if normalise_header(n) == normalise_header(sheet)]
    if not match:
        raise InputError(Problem(f"arket '{sheet}' mangler. Filen har arkene: "
                                 f"{', '.join(names)}", file=path.name))
    raw = pd.read_excel(path, sheet_name=match[0], header=None, engine="calamine", dtype=object)
    raw.index = raw.index + 1  # Excel numbering
    raw = raw.dropna(how="all")  # blank rows
    raw = raw.dropna(axis=1, how="all")  # empty trailing columns
    if raw.empty:
        raise InputError(Problem("arket er tomt", file=path.name, sheet=match[0]))
    header_row = int(raw.index[0])
    headers = [("" if pd.isna(h) else str(h).strip()) for h in raw.iloc[0]]
    body = raw.iloc[1:].copy()
    body.columns = headers
    return Sheet(path=path, sheet=match[0], headers=headers, frame=body, header_row=header_row)


def is_example(path: Path) -> bool:
    """Example workbooks say so themselves in a sheet 'Om filen' (row 'Eksempeldata' | 'ja')."""
    try:
        names = sheet_names(path)
    except Exception:
        return False
    if EXAMPLE_SHEET not in names:
        return False
    about = pd.read_excel(path, sheet_name=EXAMPLE_SHEET, header=None, engine="calamine",
                          dtype=object)
    for _, row in about.iterrows():
        cells = [str(c).strip().casefold() for c in row if not pd.isna(c)]
        if len(cells) >= 2 and cells[0] == EXAMPLE_KEY:
            return cells[1] in {"ja", "yes", "true", "1"}
    return False
