"""What every input source shares: column definitions, reading, typing and validation.

Each source module declares its columns once (a `Source` with one or more `Layout`s); the
templates, the ingest and the report's description of the inputs all take them from there, so
they cannot disagree.

Reading a file, in order: open it (not a spreadsheet, empty, encrypted, corrupt → one message),
check that 'Om filen' does not say another year, pick the layout whose sheet is filled in, match
the headers, turn cells into typed columns, validate with pandera (lazy: every failure at once),
look for duplicate keys and the source's own checks, then turn the rows into the source's tidy
table. Every problem names file, sheet, Excel row and column; nothing stops at the first one.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import difflib
import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import numpy as np
import pandas as pd

if TYPE_CHECKING:  # imported where a file is validated: the report kernel never needs pandera
    import pandera.pandas as pa  # types only: imported for real where a file is validated

from .. import excel
from ..config import Config
from ..errors import InputError, Problem
from ..formatting import number
from ..processed import write_inputs, write_not_measured
from . import checks, folder

Kind = Literal["int", "float", "share", "text", "date"]
NUMERIC = ("int", "float", "share")
EXPECTED = {"int": "et helt tal", "float": "et tal", "share": "en andel i procent (0-100)",
            "date": "en dato, skrevet dd-mm-åååå", "text": "tekst"}
UNITS = {"share": "pct."}
COLLAPSE_AFTER = 8  # more problems of one kind in one column are listed as one, with the row numbers


@dataclass(frozen=True)
class Column:
    key: str  # name in the tidy table
    header: str  # header as the analyst sees it in the spreadsheet
    kind: Kind
    description: str
    unit: str = ""
    required: bool = True  # a value is needed in every row
    example: object = None
    # A closed field: the values allowed (from the delaftale configuration). The template's
    # dropdown and the check both come from here.
    choices: Callable[[Config], list] | None = None
    choice_label: str = ""  # what a value is, for the message: 'en afdeling i delaftalen'
    aliases: tuple[tuple[str, str], ...] = ()  # other spellings of a choice → the choice
    header_aliases: tuple[str, ...] = ()  # other headers that mean this column
    none_words: tuple[str, ...] = ()  # text that says "no value, on purpose" ('intet møde')
    optional_header: bool = False  # the column may be left out of the sheet
    origin: str = ""  # where the figure comes from, if more precise than the source's origin
    maximum: float | None = None  # above this a figure is absurd for this plan (a typo)

    def allowed(self, cfg: Config) -> list:
        return list(self.choices(cfg)) if self.choices else []

    @property
    def expected(self) -> str:
        return EXPECTED[self.kind]


def _no_checks(cfg: Config, year: int) -> list:
    return []


def _no_column_checks(cfg: Config, year: int) -> dict:
    return {}


@dataclass(frozen=True)
class Layout:
    """One way of writing a source's figures: a sheet and its columns."""

    id: str  # short machine name ('antal', 'kategorier', 'enkeltsvar')
    title: str  # Danish: how the figures are given ('antal svar og antal tilfredse')
    sheet: str
    columns: tuple[Column, ...]
    key: tuple[str, ...] = ()  # at most one row per key and year
    instructions: str = ""  # Danish: how to fill in this sheet (templates)
    checks: Callable[[Config, int], list[pa.Check]] = _no_checks  # across the columns of a row
    column_checks: Callable[[Config, int], dict[str, list[pa.Check]]] = _no_column_checks
    # Checks that need the whole table (e.g. 'every afdeling has a row'): Problems without file.
    table_checks: Callable[[pd.DataFrame, Config, int], list[Problem]] | None = None
    # The typed rows → the source's tidy table (None: the rows are the table).
    to_table: Callable[[pd.DataFrame, Config, int], pd.DataFrame] | None = None
    template_rows: int = 500  # rows of a template that get dropdowns and checks

    def column(self, key: str) -> Column:
        return next(c for c in self.columns if c.key == key)

    def schema(self, cfg: Config, year: int) -> pa.DataFrameSchema:
        import pandera.pandas as pa  # lazy: see _validate

        extra = self.column_checks(cfg, year)
        cols = {}
        for c in self.columns:
            col_checks = []
            if c.kind in NUMERIC:
                col_checks.append(checks.non_negative())
            if c.kind == "share":
                col_checks.append(checks.share())
            if c.maximum is not None:
                col_checks.append(checks.at_most_value(c.maximum, dk(c.maximum)))
            if c.choices:
                col_checks.append(checks.one_of(c.allowed(cfg), c.choice_label or "en kendt værdi"))
            if c.kind == "date":
                col_checks.append(checks.within_year(year))
            col_checks += extra.get(c.key, [])
            cols[c.key] = pa.Column("float64" if c.kind in NUMERIC else object, col_checks,
                                    nullable=True)
        return pa.DataFrameSchema(cols, checks=self.checks(cfg, year), strict=False)


@dataclass(frozen=True)
class Source:
    id: str
    title: str  # Danish name of the source
    origin: str  # where the figures come from
    filename: str
    layouts: tuple[Layout, ...]  # the first is the usual one; the others are accepted too
    # Checks against another source's file for the same year: (cfg, raw_dir, year, table,
    # file label) → Problems.
    cross_checks: Callable[[Config, Path, int, pd.DataFrame, str], list[Problem]] | None = None
    # e.g. VIVE: measured some years only; the others are declared in ikke_maalt.txt
    not_every_year: bool = False
    not_stored: tuple[str, ...] = ()  # read and checked, but not written to data/processed
    # The first year a file is needed (the earliest baseline of the indicators that read it; the
    # plan's start for the activity log), None when the delaftale does not read the source. A
    # report for an earlier year does without it.
    required_from: Callable[[Config], int | None] | None = None
    kilde: str = ""  # the name the configuration uses (`kilde: sab_afdelingsmoeder`)

    @property
    def layout(self) -> Layout:
        return self.layouts[0]

    @property
    def sheet(self) -> str:
        return self.layout.sheet

    @property
    def columns(self) -> tuple[Column, ...]:
        return self.layout.columns

    @property
    def key(self) -> tuple[str, ...]:
        return self.layout.key

    def column(self, key: str) -> Column:
        return self.layout.column(key)

    def schema(self, cfg: Config, year: int) -> pa.DataFrameSchema:
        return self.layout.schema(cfg, year)


# ---------------------------------------------------------------------------------------------
# Messages


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


def _fill(message: str, row: pd.Series | None) -> str:
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


# ---------------------------------------------------------------------------------------------
# Reading one file


def _match_headers(layout: Layout, sheet: excel.Sheet) -> tuple[dict[str, int], list[Problem]]:
    """Map each declared column to the position of the spreadsheet header that means it."""
    wanted = {}
    for c in layout.columns:
        for h in (c.header, *c.header_aliases):
            wanted.setdefault(excel.normalise_header(h), c)
    found: dict[str, int] = {}
    problems = []
    for j, h in enumerate(sheet.headers):
        col = wanted.get(excel.normalise_header(h))
        if col and col.key not in found:
            found[col.key] = j
    written = [h for h in sheet.headers if h]
    for c in layout.columns:
        if c.key in found or c.optional_header:
            continue
        unused = [h for j, h in enumerate(sheet.headers) if h and j not in found.values()]
        close = difflib.get_close_matches(c.header, unused, n=1, cutoff=0.5)
        hint = f" Mente du '{close[0]}'? Så ret overskriften til '{c.header}'." if close else ""
        problems.append(Problem(
            f"kolonnen '{c.header}' mangler. Overskrifterne i række {sheet.header_row} er: "
            + ", ".join(f"'{h}'" for h in written) + "." + hint,
            file=sheet.label, sheet=sheet.sheet, column=c.header))
    return found, problems


def _convert(col: Column, cells: pd.Series, cfg: Config) -> tuple[pd.Series, np.ndarray, np.ndarray]:
    """Cells → typed values. Returns (values, bad, none_on_purpose) with bad marking cells that are
    not what the column needs. Columns calamine already gives as numbers or text take the
    vectorised path; only columns mixing in text are parsed cell by cell (each distinct value once)."""
    n = len(cells)
    bad = np.zeros(n, dtype=bool)
    on_purpose = np.zeros(n, dtype=bool)
    if col.none_words and n:
        words = {excel.normalise_header(w) for w in col.none_words}
        on_purpose = cells.map(lambda v: isinstance(v, str) and excel.normalise_header(v) in words
                               ).to_numpy(dtype=bool)
        if on_purpose.any():
            cells = cells.mask(on_purpose)
    inferred = pd.api.types.infer_dtype(cells, skipna=True) if n else "empty"
    if col.kind in NUMERIC:
        if inferred in ("floating", "integer", "mixed-integer-float", "empty"):
            values = cells.astype("float64")
        else:
            values, bad = _per_cell(cells, _number_parser(col.kind))
            values = values.astype("float64")
        if col.kind == "int":
            frac = values.notna().to_numpy() & (values.fillna(0) % 1 != 0).to_numpy()
            bad |= frac
            values = values.mask(frac)
    elif col.kind == "date":
        values, bad = _per_cell(cells, excel.parse_date)
    else:
        if inferred == "string":
            values = excel.strip_text(cells)
        elif inferred == "empty":
            values = cells
        else:
            values, _ = _per_cell(cells, lambda v: str(excel.shown(v)).strip() or None)
        if col.choices:
            values = _canonical(values, col, cfg)
    return values.astype(object) if col.kind not in NUMERIC else values, bad, on_purpose


def _number_parser(kind: str):
    def parse(v):
        if kind == "share" and isinstance(v, str):
            v = v.strip().removesuffix("%").removesuffix("pct.").strip()
        return excel.parse_number(v)

    return parse


def _per_cell(cells: pd.Series, parse) -> tuple[pd.Series, np.ndarray]:
    """Parse cell by cell, each distinct (type, value) once. Bad cells become None + True."""
    cache: dict = {}
    out = np.empty(len(cells), dtype=object)
    bad = np.zeros(len(cells), dtype=bool)
    for i, v in enumerate(cells.to_numpy()):
        if v is None or (isinstance(v, float) and np.isnan(v)):
            out[i] = None
            continue
        k = (type(v), v)
        if k not in cache:
            try:
                cache[k] = (parse(v), False)
            except (ValueError, TypeError):
                cache[k] = (None, True)
        out[i], bad[i] = cache[k]
    return pd.Series(out, index=cells.index, dtype=object), bad


def _canonical(values: pd.Series, col: Column, cfg: Config) -> pd.Series:
    """Closed fields forgive case, spaces and æ/ae: 'stenbjergparken' is 'Stenbjergparken'."""
    lookup = {excel.normalise_header(a): a for a in col.allowed(cfg)}
    lookup.update({excel.normalise_header(a): c for a, c in col.aliases})
    present = values.dropna()
    if present.empty:
        return values
    mapping = {}
    for v in pd.unique(present):
        mapping[v] = lookup.get(excel.normalise_header(v), v)
    if all(k == v for k, v in mapping.items()):
        return values
    return values.map(mapping, na_action="ignore")


def _typed(layout: Layout, sheet: excel.Sheet, found: dict[str, int], cfg: Config):
    """Typed columns; every cell that is not what its column needs becomes a Problem."""
    problems = []
    data = {}
    for c in layout.columns:
        if c.key not in found:  # an optional column left out
            data[c.key] = pd.Series(np.nan if c.kind in NUMERIC else None, index=sheet.frame.index,
                                    dtype="float64" if c.kind in NUMERIC else object)
            continue
        cells = sheet.frame.iloc[:, found[c.key]]
        values, bad, on_purpose = _convert(c, cells, cfg)
        percent = _shown_as_percent(c, sheet, found[c.key], cells)
        if percent.any():  # 6,3 % typed into Excel is 0.063: never a count, even 100 % (1)
            bad, values = bad | percent, values.mask(percent)
        for row, pct in zip(cells.index[bad], percent[bad], strict=True):
            problems.append(Problem(f"skal være {c.expected}{_what_to_write(c, cells.at[row], pct)}",
                                    file=sheet.label, sheet=sheet.sheet, row=int(row),
                                    column=c.header, value=found_value(cells.at[row], pct)))
        if c.required:
            missing = values.isna().to_numpy() & ~bad & ~on_purpose
            for row in cells.index[missing]:
                problems.append(Problem("mangler en værdi", file=sheet.label, sheet=sheet.sheet,
                                        row=int(row), column=c.header))
        data[c.key] = values
        if c.none_words:  # which cells said "no value, on purpose" ('ikke målt', 'intet møde')
            data[on_purpose_key(c.key)] = pd.Series(on_purpose, index=sheet.frame.index)
    return pd.DataFrame(data, index=sheet.frame.index), problems


def on_purpose_key(key: str) -> str:
    """The typed table's column that marks a column's cells left empty on purpose."""
    return f"{key}__bevidst_tom"


NOT_A_PERCENT = ": skriv antallet (fx 31), ikke en procent. Andelen regner programmet selv ud"


def _shown_as_percent(col: Column, sheet: excel.Sheet, j: int, cells: pd.Series) -> np.ndarray:
    """Cells of a count or amount column that Excel shows as a percentage (the cell's number
    format, read from the file's styles): a share typed where the count belongs."""
    rows = sheet.percent_rows(j) if col.kind in NUMERIC and col.kind != "share" else set()
    return cells.index.isin(rows) if rows else np.zeros(len(cells), dtype=bool)


def _what_to_write(col: Column, value: object, percent: bool = False) -> str:
    """A typical slip gets a message that says what to write instead."""
    if percent:
        return NOT_A_PERCENT
    if not isinstance(value, str) or col.kind not in NUMERIC:
        return ""
    text = value.strip()
    if col.kind != "share" and re.search(r"%|pct|procent", text, re.I):
        return NOT_A_PERCENT
    digits = re.fullmatch(r"[^\d]*?(\d+)[^\d]*", text)
    if col.choices and digits:
        return f": skriv kun nummeret, fx {digits.group(1)}"
    number = re.fullmatch(r"(\d+)\s*[a-zæøå. ]+", text, re.I)
    if col.kind == "int" and number:
        return f": skriv kun tallet, fx {number.group(1)}"
    return ""


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


def _validate(layout: Layout, cfg: Config, year: int, df: pd.DataFrame,
              sheet: excel.Sheet, found: dict[str, int],
              known_rows: set[int] = frozenset()) -> list[Problem]:
    """pandera, lazily: every failure at once. A check across the columns of a row is not
    reported for a row that already has a problem (a negative 18+ count is one problem, not
    also 'more aged 65+ than 18+')."""
    import pandera.pandas as pa  # lazy: its import costs 1-3 s, and only validation needs it

    try:
        layout.schema(cfg, year).validate(df, lazy=True)
        return []
    except pa.errors.SchemaErrors as err:
        cases = err.failure_cases
    header = {c.key: c.header for c in layout.columns}
    row_checks = {str(c.error) for c in layout.checks(cfg, year)}
    records = cases.to_dict("records")
    bad_rows = set(known_rows) | {int(c["index"]) for c in records
                                  if str(c["check"]) not in row_checks
                                  and c.get("index") is not None and not pd.isna(c["index"])}
    problems = []
    seen = set()
    for case in records:
        message = str(case["check"])
        key = case.get("column")
        if message in row_checks:  # pandera names every column the check read: name the one meant
            key = checks.COLUMN_OF.get(message)
        elif not isinstance(key, str) or key not in header:
            key = None
        idx = case.get("index")
        row = int(idx) if idx is not None and not pd.isna(idx) else None
        if (row, key, message) in seen or (message in row_checks and row in bad_rows):
            continue
        seen.add((row, key, message))
        value = None
        if key and row is not None and key in found and "{" not in message:
            value = found_value(sheet.frame.iloc[:, found[key]].get(row))
        problems.append(Problem(_fill(message, df.loc[row] if row in df.index else None),
                                file=sheet.label, sheet=sheet.sheet, row=row,
                                column=header.get(key) if key else None, value=value))
    return _dates_of_another_year(problems, df, layout, year)


def _dates_of_another_year(problems: list[Problem], df: pd.DataFrame, layout: Layout,
                           year: int) -> list[Problem]:
    """All dates in another year is last year's file: say that once, not once per row."""
    message = checks.DATE_OUTSIDE_YEAR.format(year=year)
    for c in (c for c in layout.columns if c.kind == "date"):
        wrong = [p for p in problems if p.message == message and p.column == c.header]
        dates = df[c.key].dropna()
        if len(wrong) < 2 or len(wrong) != len(dates):
            continue
        years = sorted({d.year for d in dates})
        said = " og ".join(str(y) for y in years)
        problems = [p for p in problems if p not in wrong]
        problems.append(Problem(
            f"alle datoer i kolonnen ligger i {said}, ikke i {year}, som mappen hedder. Er det "
            f"sidste års fil? Læg filen med {year}-tallene i mappen {year}.",
            file=wrong[0].file, sheet=wrong[0].sheet, column=c.header))
    return problems


def _duplicates(layout: Layout, df: pd.DataFrame, sheet: excel.Sheet) -> list[Problem]:
    if not layout.key or df.empty:
        return []
    keys = list(layout.key)
    complete = df[keys].notna().all(axis=1)
    dup = df.duplicated(subset=keys, keep="first") & complete
    if not dup.any():
        return []
    first_row = {}
    for row, values in df.loc[complete, keys].iterrows():
        first_row.setdefault(tuple(values), row)
    problems = []
    for row in df.index[dup]:
        values = tuple(df.loc[row, keys])
        said = ", ".join(f"{layout.column(k).header} = {dk(v)}" for k, v in zip(keys, values,
                                                                                 strict=True))
        problems.append(Problem(f"rækken gentager {said}, som allerede står i række "
                                f"{first_row[values]}. Slet den ene af rækkerne.",
                                file=sheet.label, sheet=sheet.sheet, row=int(row)))
    return problems


@dataclass
class FileRead:
    """One source file for one year, read and checked."""

    table: pd.DataFrame
    problems: list[Problem]
    layout: Layout | None = None
    example: bool = False
    rows_read: int = 0  # data rows in the sheet (blank rows not counted)


def _pick_layout(src: Source, book: excel.Book, year: int
                 ) -> tuple[Layout | None, excel.Sheet | None, list[Problem]]:
    filled, empty = [], []
    for layout in src.layouts:
        expected = [h for c in layout.columns for h in (c.header, *c.header_aliases)]
        sheet = book.sheet(layout.sheet, expected)
        if sheet is not None:
            (filled if sheet.has_data else empty).append((layout, sheet))
    names = [f"'{layout.sheet}'" for layout in src.layouts]
    if len(filled) == 1:
        return (*filled[0], [])
    if len(filled) > 1:
        return None, None, [Problem(
            "flere ark er udfyldt: " + " og ".join(f"'{s.sheet}'" for _, s in filled)
            + ". Udfyld kun ét af dem (de er forskellige måder at skrive de samme tal på), og "
            "slet tallene i de andre.", file=book.label)]
    if empty:
        sheets = " eller ".join(f"'{s.sheet}'" for _, s in empty)
        return None, None, [Problem(
            f"filen har ingen tal: arket {sheets} har kun overskrifter. Skriv tallene for {year} "
            f"ind. Er {src.title} ikke målt i {year}, så slet filen, og skriv linjen "
            f"'{src.filename}' i data/raw/{year}/ikke_maalt.txt.", file=book.label)]
    return None, None, [Problem(
        f"arket {' eller '.join(names)} mangler. Filen har arkene: "
        f"{', '.join(book.sheet_names)}. Brug skabelonen (python -m helhedsplan skabeloner), "
        "eller omdøb arket.", file=book.label)]


PERSONAL_DATA_WORDS = ("navn", "cpr", "personnummer", "telefon", "tlf", "mobil", "mail",
                       "adresse", "foedselsdato", "foedt", "alder", "initialer")


def _unknown_headers(layout: Layout, sheet: excel.Sheet, found: dict[str, int],
                     suggested: set[str]) -> list[Problem]:
    """Columns are a whitelist: any other filled-in header stops the run and is named, so
    nothing (a contact person, a note with a name) is silently carried along or dropped."""
    problems = []
    known = [c.header for c in layout.columns]
    by_key = {excel.normalise_header(h): c.header for c in layout.columns
              for h in (c.header, *c.header_aliases)}
    for j, h in enumerate(sheet.headers):
        if not h or j in found.values() or h in suggested:
            continue
        words = excel.normalise_header(h).split()
        personal = any(x.startswith(w) or x.endswith(w) for w in PERSONAL_DATA_WORDS
                       for x in words)
        twice = by_key.get(excel.normalise_header(h))
        if twice:
            text = (f"kolonnen '{twice}' står mere end én gang. Slet den ekstra kolonne "
                    f"'{h}', så tallene kun står ét sted.")
        elif personal:
            text = (f"kolonnen '{h}' ligner personoplysninger. Filen må ikke indeholde navne, "
                    "CPR-numre eller kontaktoplysninger: slet kolonnen, og gem filen igen.")
        else:
            close = difflib.get_close_matches(h, known, n=1, cutoff=0.6)
            hint = f" Mente du '{close[0]}'?" if close else ""
            text = (f"kolonnen '{h}' kendes ikke.{hint} Arket må kun have kolonnerne "
                    + ", ".join(f"'{k}'" for k in known) + ": slet eller omdøb kolonnen (noter "
                    "hører hjemme i bemaerkninger.md).")
        problems.append(Problem(text, file=sheet.label, sheet=sheet.sheet, column=h))
    return problems


_READ_CACHE: dict[tuple, FileRead] = {}
_READ_CACHE_SIZE = 64


def read_file(src: Source, cfg: Config, path: Path, year: int, label: str = "") -> FileRead:
    """Read, type and validate one source file for one year. Never raises for bad input.

    Results are kept by file content (SHA-256), year, label and configuration, so a file that
    two checks need (Beboerdata for the attendance cross-check) is read once."""
    try:
        digest = excel.sha256(path)
    except OSError:
        return _read_file(src, cfg, path, year, label)
    key = (src.id, digest, year, label or Path(path).name, hash(repr(cfg)))
    if key not in _READ_CACHE:
        if len(_READ_CACHE) >= _READ_CACHE_SIZE:
            _READ_CACHE.pop(next(iter(_READ_CACHE)))
        _READ_CACHE[key] = _read_file(src, cfg, path, year, label)
    got = _READ_CACHE[key]
    return dataclasses.replace(got, table=got.table.copy(), problems=list(got.problems))


def _read_file(src: Source, cfg: Config, path: Path, year: int, label: str = "") -> FileRead:
    try:
        book = excel.Book(path, label or Path(path).name)
    except InputError as err:
        return FileRead(pd.DataFrame(), err.problems)
    problems = []
    stated, stated_row = book.stated_year()
    if stated is not None and stated != year:
        problems.append(Problem(
            f"filen siger, at tallene er for {stated} (År = {stated}), men den ligger i mappen "
            f"{year}. Er det sidste års fil? Læg filen med {year}-tallene her; er tallene for "
            f"{year}, så ret År til {year}.", file=book.label, sheet=excel.EXAMPLE_SHEET,
            row=stated_row or None))
    layout, sheet, found_problems = _pick_layout(src, book, year)
    problems += found_problems
    if layout is None:
        return FileRead(pd.DataFrame(), problems, example=book.example)
    found, header_problems = _match_headers(layout, sheet)
    suggested = {h for h in sheet.headers if h and any(f"Mente du '{h}'?" in p.message
                                                       for p in header_problems)}
    header_problems += _unknown_headers(layout, sheet, found, suggested)
    if header_problems:
        return FileRead(pd.DataFrame(), problems + header_problems, layout, book.example)
    df, cell_problems = _typed(layout, sheet, found, cfg)
    problems += cell_problems
    problems += _validate(layout, cfg, year, df, sheet, found,
                          {p.row for p in cell_problems if p.row is not None})
    problems += _duplicates(layout, df, sheet)
    if layout.table_checks:  # on whatever could be read; not about a column already faulted
        bad_columns = {p.column for p in problems if p.row is not None}
        problems += [dataclasses.replace(p, file=p.file or book.label, sheet=p.sheet or sheet.sheet)
                     for p in layout.table_checks(df, cfg, year)
                     if p.column is None or p.column not in bad_columns]
    for c in layout.columns:
        if c.kind == "int":
            df[c.key] = df[c.key].astype("Int64")
    df["excel_raekke"] = pd.array(df.index.astype(int), dtype="Int64")
    if layout.to_table and not problems:
        df = layout.to_table(df.reset_index(drop=True), cfg, year)
    df = df.drop(columns=[c for c in df.columns if str(c).endswith(on_purpose_key(""))])
    df = df.reset_index(drop=True)
    df.insert(0, "aar", year)
    return FileRead(df, problems, layout, book.example, len(sheet.frame))


# ---------------------------------------------------------------------------------------------
# Every year of a source


@dataclass
class Ingested:
    table: pd.DataFrame  # tidy: one row per record, with 'aar', 'kilde_fil', 'eksempeldata'
    inputs: list[dict]  # every file read: name, source, year, rows, sha256, example
    problems: list[Problem] = field(default_factory=list)
    not_measured: list[int] = field(default_factory=list)  # years declared in ikke_maalt.txt


def _year_dirs(raw_dir: Path, up_to_year: int) -> list[tuple[int, Path]]:
    return sorted((int(p.name), p) for p in raw_dir.iterdir()
                  if p.is_dir() and p.name.isdigit() and int(p.name) <= up_to_year)


def collect(src: Source, cfg: Config, raw_dir: Path, up_to_year: int) -> Ingested:
    """Read every year's file of a source up to the report year; problems are returned, not raised."""
    raw_dir = Path(raw_dir)
    if not raw_dir.is_dir():
        return Ingested(pd.DataFrame(), [], [Problem(f"Mappen med inddata findes ikke: {raw_dir}")])
    frames, inputs, problems = [], [], []
    not_measured: list[int] = []
    digests: dict[str, str] = {}
    first_due = src.required_from(cfg) if src.required_from else None
    if first_due is None and src.required_from is not None:
        first_due = 10_000  # the delaftale does not read it: never due
    for year, year_dir in _year_dirs(raw_dir, up_to_year):
        path = year_dir / src.filename
        declared = folder.declares(year_dir, src)
        if declared and os.path.lexists(path):  # a link in a loop is there, not missing
            problems.append(Problem(
                f"{folder.NOT_MEASURED_FILE} siger, at {src.title} ikke er målt i {year}, men "
                f"filen {src.filename} ligger i mappen. Slet linjen '{src.filename}' i "
                f"{folder.NOT_MEASURED_FILE}, hvis tallene er målt; ellers slet filen.",
                file=f"{year}/{folder.NOT_MEASURED_FILE}"))
            continue
        if declared:
            not_measured.append(year)
            continue
        if not os.path.lexists(path):
            if first_due is not None and year >= first_due:
                problems.append(folder.missing_file(src, year, raw_dir))
            continue
        label = f"{year}/{src.filename}"
        got = read_file(src, cfg, path, year, label)
        problems += sorted(got.problems, key=lambda p: (p.row is not None, p.row or 0))
        digest = excel.sha256(path)
        if digest and digest in digests:  # '' = not a regular file, reported by read_file
            problems.append(Problem(
                f"filen er helt magen til {digests[digest]}. Er det sidste års fil, der er kopieret "
                f"uden at blive rettet? Læg filen med {year}-tallene her.", file=label))
        digests.setdefault(digest, label)
        if src.cross_checks and not got.table.empty:  # on whatever could be read
            problems += src.cross_checks(cfg, raw_dir, year, got.table, label)
        table = got.table
        if not table.empty:
            table = table.assign(kilde_fil=label, eksempeldata=got.example)
            frames.append(table)
        inputs.append({"fil": f"data/raw/{year}/{src.filename}", "kilde": src.title,
                       "kilde_id": src.id, "aar": year, "raekker": got.rows_read,
                       "sha256": digest, "eksempeldata": got.example,
                       "skema": got.layout.id if got.layout else None,
                       "skema_navn": got.layout.title if got.layout else None})
    empty = pd.DataFrame(columns=["aar", *(c.key for c in src.columns), "kilde_fil",
                                  "eksempeldata"])
    table = pd.concat(frames, ignore_index=True) if frames else empty
    return Ingested(table, inputs, problems, not_measured)


def write(ing: Ingested, src: Source, out_dir: Path) -> Path:
    """Write the tidy table and the list of files read to data/processed/<år>/."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / f"{src.id}.csv"
    # Only what the report and the export use: not the Excel row numbers, not unused columns.
    unused = [c for c in ("excel_raekke", *src.not_stored) if c in ing.table]
    ing.table.drop(columns=unused).to_csv(path, index=False)
    write_inputs(ing.inputs, out_dir, src.id)
    write_not_measured(ing.not_measured, out_dir, src.id)
    return path
