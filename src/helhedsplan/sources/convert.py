"""One sheet's cells to a typed, validated table: headers matched, cells typed, pandera, duplicates."""

from __future__ import annotations

import difflib
import re

import numpy as np
import pandas as pd

from .. import excel
from ..config import Config
from ..errors import Problem
from . import checks
from .columns import NUMERIC, Column, Layout
from .problems import dk, fill_in, found_value


def match_headers(layout: Layout, sheet: excel.Sheet) -> tuple[dict[str, int], list[Problem]]:
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


def typed(layout: Layout, sheet: excel.Sheet, found: dict[str, int], cfg: Config):
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


NOT_A_PERCENT = ": skriv antallet (fx 31), ikke en procent"
_SHARE_PART = ". Andelen regner programmet selv ud"  # for a column with share_part


def _shown_as_percent(col: Column, sheet: excel.Sheet, j: int, cells: pd.Series) -> np.ndarray:
    """Cells of a count or amount column that Excel shows as a percentage (the cell's number
    format, read from the file's styles): a share typed where the count belongs."""
    rows = sheet.percent_rows(j) if col.kind in NUMERIC and col.kind != "share" else set()
    return cells.index.isin(rows) if rows else np.zeros(len(cells), dtype=bool)


def _what_to_write(col: Column, value: object, percent: bool = False) -> str:
    """A typical slip gets a message that says what to write instead."""
    if percent:
        return NOT_A_PERCENT + (_SHARE_PART if col.share_part else "")
    if not isinstance(value, str) or col.kind not in NUMERIC:
        return ""
    text = value.strip()
    if col.kind != "share" and re.search(r"%|pct|procent", text, re.I):
        return NOT_A_PERCENT + (_SHARE_PART if col.share_part else "")
    digits = re.fullmatch(r"[^\d]*?(\d+)[^\d]*", text)
    if col.choices and digits:
        return f": skriv kun nummeret, fx {digits.group(1)}"
    number = re.fullmatch(r"(\d+)\s*[a-zæøå. ]+", text, re.I)
    if col.kind == "int" and number:
        return f": skriv kun tallet, fx {number.group(1)}"
    return ""


def validate(layout: Layout, cfg: Config, year: int, df: pd.DataFrame,
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
    columns = {c.key: c for c in layout.columns}
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
        value, hint = None, ""
        if key and row is not None and key in found and "{" not in message:
            raw = sheet.frame.iloc[:, found[key]].get(row)
            value = found_value(raw)
            hint = _close_choice(columns.get(key), raw, cfg)
        text = fill_in(message, df.loc[row] if row in df.index else None)
        if hint:
            text += (" " if text.endswith(".") else ". ") + hint
        problems.append(Problem(text,
                                file=sheet.label, sheet=sheet.sheet, row=row,
                                column=header.get(key) if key else None, value=value))
    return _dates_of_another_year(problems, df, layout, year)


def _close_choice(col: Column | None, raw: object, cfg: Config) -> str:
    """A misspelt choice ('Stenbjergparkn'): the allowed value it is closest to."""
    if col is None or not col.choices or not isinstance(raw, str):
        return ""
    allowed = [str(a) for a in (col.allowed(cfg) or [])]
    close = difflib.get_close_matches(raw.strip(), allowed, n=1, cutoff=0.75)
    return f"Mente du '{close[0]}'?" if close and close[0] != raw.strip() else ""


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


def duplicates(layout: Layout, df: pd.DataFrame, sheet: excel.Sheet) -> list[Problem]:
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


PERSONAL_DATA_WORDS = ("navn", "cpr", "personnummer", "telefon", "tlf", "mobil", "mail",
                       "adresse", "foedselsdato", "foedt", "alder", "initialer")


def unknown_headers(layout: Layout, sheet: excel.Sheet, found: dict[str, int],
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
