"""Reading a source's files: every year's file read, typed and checked, then one tidy table.

Each source module declares its columns once (a `Source` with one or more `Layout`s, columns.py);
the templates, the ingest and the report's description of the inputs all take them from there, so
they cannot disagree.

Reading a file, in order: open it (not a spreadsheet, empty, encrypted, corrupt → one message),
check that 'Om filen' does not say another year, pick the layout whose sheet is filled in, match
the headers, turn cells into typed columns, validate with pandera (lazy: every failure at once),
look for duplicate keys and the source's own checks (convert.py), then turn the rows into the
source's tidy table. Every problem names file, sheet, Excel row and column (problems.py words
them); nothing stops at the first one.
"""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from .. import excel
from ..config import Config
from ..errors import InputError, Problem
from ..processed import write_inputs, write_not_measured
from . import folder
from .columns import Layout, Source
from .convert import duplicates, match_headers, on_purpose_key, typed, unknown_headers, validate


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
    found, header_problems = match_headers(layout, sheet)
    suggested = {h for h in sheet.headers if h and any(f"Mente du '{h}'?" in p.message
                                                       for p in header_problems)}
    header_problems += unknown_headers(layout, sheet, found, suggested)
    if header_problems:
        return FileRead(pd.DataFrame(), problems + header_problems, layout, book.example)
    df, cell_problems = typed(layout, sheet, found, cfg)
    problems += cell_problems
    problems += validate(layout, cfg, year, df, sheet, found,
                          {p.row for p in cell_problems if p.row is not None})
    problems += duplicates(layout, df, sheet)
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
        table, left_out = _leave_out(src, cfg, year, got.table)
        if not table.empty:
            table = table.assign(kilde_fil=label, eksempeldata=got.example)
            frames.append(table)
        inputs.append({"fil": f"data/raw/{year}/{src.filename}", "kilde": src.title,
                       "kilde_id": src.id, "aar": year, "raekker": got.rows_read,
                       "sha256": digest, "eksempeldata": got.example,
                       "skema": got.layout.id if got.layout else None,
                       "skema_navn": got.layout.title if got.layout else None,
                       **({"udeladt": left_out} if left_out else {})})
    empty = pd.DataFrame(columns=["aar", *(c.key for c in src.columns), "kilde_fil",
                                  "eksempeldata"])
    table = pd.concat(frames, ignore_index=True) if frames else empty
    return Ingested(table, inputs, problems, not_measured)


def _leave_out(src: Source, cfg: Config, year: int, table: pd.DataFrame
               ) -> tuple[pd.DataFrame, list[dict]]:
    """The rows that count, and those read but left out: [{antal, raekker, grund, navn}] with
    their Excel rows and the reason, for the console, the report and the export."""
    if src.excluded is None or table.empty:
        return table, []
    out = []
    keep = pd.Series(True, index=table.index)
    for mask, reason in src.excluded(cfg, year, table):
        mask = mask.fillna(False).astype(bool) & keep
        if mask.any():
            rows = sorted(int(r) for r in table.loc[mask, "excel_raekke"])
            out.append({"antal": len(rows), "raekker": rows, "grund": reason,
                        "navn": src.row_noun[0] if len(rows) == 1 else src.row_noun[1]})
            keep &= ~mask
    return table[keep], out


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
