"""What every input source shares: column definitions, reading, typing and validation.

Each source module declares its columns once (a `Source`); templates, ingest and the report's
description of the inputs all take them from there.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import pandas as pd
import pandera.pandas as pa

from .. import excel
from ..config import Config
from ..errors import InputError, Problem

Kind = Literal["int", "float", "text", "date"]


@dataclass(frozen=True)
class Column:
    key: str  # name in the tidy table
    header: str  # header as the analyst sees it in the spreadsheet
    kind: Kind
    description: str
    unit: str = ""
    required: bool = True  # a value is needed in every row
    example: object = None


@dataclass(frozen=True)
class Source:
    id: str
    title: str  # Danish name of the source
    origin: str  # where the figures come from
    filename: str
    sheet: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]  # at most one row per key and year
    # Built per config and year: known afdelinger/areas come from the delaftale, dates from the year.
    checks: Callable[[Config, int], list[pa.Check]] = field(default=lambda cfg, year: [])
    column_checks: Callable[[Config, int], dict[str, list[pa.Check]]] = field(
        default=lambda cfg, year: {})

    def column(self, key: str) -> Column:
        return next(c for c in self.columns if c.key == key)

    def schema(self, cfg: Config, year: int) -> pa.DataFrameSchema:
        col_checks = self.column_checks(cfg, year)
        dtypes = {"int": "float64", "float": "float64", "text": object, "date": object}
        cols = {
            c.key: pa.Column(dtypes[c.kind], col_checks.get(c.key, []), nullable=True)
            for c in self.columns
        }
        return pa.DataFrameSchema(cols, checks=self.checks(cfg, year), strict=False)


def _match_headers(src: Source, sheet: excel.Sheet) -> tuple[dict[str, str], list[Problem]]:
    """Map each declared column to the spreadsheet header that means it."""
    wanted = {excel.normalise_header(c.header): c for c in src.columns}
    found: dict[str, str] = {}
    problems = []
    for h in sheet.headers:
        col = wanted.get(excel.normalise_header(h))
        if col and col.key not in found:
            found[col.key] = h
    for c in src.columns:
        if c.key not in found:
            problems.append(Problem(
                f"kolonnen '{c.header}' mangler. Overskrifterne i række {sheet.header_row} er: "
                + ", ".join(f"'{h}'" for h in sheet.headers if h),
                file=sheet.path.name, sheet=sheet.sheet, column=c.header))
    return found, problems


def _typed(src: Source, sheet: excel.Sheet, found: dict[str, str]):
    """Cells → typed columns; every cell that is not what its column needs becomes a Problem."""
    problems = []
    data = {}
    expected = {"int": "et helt tal", "float": "et tal", "date": "en dato (dd-mm-åååå)"}
    for c in src.columns:
        values = sheet.frame[found[c.key]]
        out = []
        for row, v in values.items():
            try:
                if c.kind in ("int", "float"):
                    x = excel.parse_number(v)
                    if c.kind == "int" and x is not None and x != int(x):
                        raise ValueError(v)
                elif c.kind == "date":
                    x = excel.parse_date(v)
                else:
                    x = None if pd.isna(v) or str(v).strip() == "" else str(v).strip()
            except (ValueError, TypeError):
                problems.append(Problem(f"skal være {expected[c.kind]}", file=sheet.path.name,
                                        sheet=sheet.sheet, row=int(row), column=c.header,
                                        value=v))
                x = None
                out.append(x)
                continue
            if x is None and c.required:
                problems.append(Problem("mangler en værdi", file=sheet.path.name,
                                        sheet=sheet.sheet, row=int(row), column=c.header))
            out.append(x)
        data[c.key] = pd.Series(out, index=values.index,
                                dtype="float64" if c.kind in ("int", "float") else object)
    return pd.DataFrame(data, index=sheet.frame.index), problems


def _validate(src: Source, cfg: Config, year: int, df: pd.DataFrame,
              sheet: excel.Sheet) -> list[Problem]:
    try:
        src.schema(cfg, year).validate(df, lazy=True)
        return []
    except pa.errors.SchemaErrors as err:
        problems = []
        header = {c.key: c.header for c in src.columns}
        for case in err.failure_cases.to_dict("records"):
            col = case.get("column")
            col = header.get(col) if isinstance(col, str) else None
            idx = case.get("index")
            value = case.get("failure_case") if col else None
            row = int(idx) if idx is not None and not pd.isna(idx) else None
            if col is None and row is not None:
                value = None
            problems.append(Problem(str(case["check"]), file=sheet.path.name, sheet=sheet.sheet,
                                    row=row, column=col, value=value))
        return problems


@dataclass
class Ingested:
    table: pd.DataFrame  # tidy: one row per record, with 'aar', 'kilde_fil', 'eksempeldata'
    inputs: list[dict]  # every file read: name, source, year, rows, sha256, example


def read_year(src: Source, cfg: Config, path: Path, year: int) -> tuple[pd.DataFrame, list[Problem]]:
    """Read, type and validate one source file for one year."""
    try:
        sheet = excel.read_sheet(path, src.sheet)
    except InputError as err:
        return pd.DataFrame(), err.problems
    found, problems = _match_headers(src, sheet)
    if problems:
        return pd.DataFrame(), problems
    df, problems = _typed(src, sheet, found)
    problems += _validate(src, cfg, year, df, sheet)
    dup = df.duplicated(subset=list(src.key), keep="first") & df[list(src.key)].notna().all(axis=1)
    for row in df.index[dup]:
        keys = ", ".join(f"{src.column(k).header} = {df.at[row, k]}" for k in src.key)
        problems.append(Problem(f"rækken gentager {keys}, som allerede står længere oppe",
                                file=path.name, sheet=sheet.sheet, row=int(row)))
    for c in src.columns:
        if c.kind == "int":
            df[c.key] = df[c.key].astype("Int64")
    df.insert(0, "aar", year)
    df["excel_raekke"] = df.index.astype(int)
    return df.reset_index(drop=True), problems


def ingest(src: Source, cfg: Config, raw_dir: Path, up_to_year: int) -> Ingested:
    """Read every year's file of a source up to the report year. Raises InputError with all problems."""
    raw_dir = Path(raw_dir)
    if not raw_dir.is_dir():
        raise InputError(f"Mappen med inddata findes ikke: {raw_dir}")
    frames, inputs, problems = [], [], []
    for year_dir in sorted(p for p in raw_dir.iterdir() if p.is_dir() and p.name.isdigit()):
        year = int(year_dir.name)
        path = year_dir / src.filename
        if year > up_to_year or not path.exists():
            continue
        df, found = read_year(src, cfg, path, year)
        problems += [Problem(p.message, file=f"{year}/{p.file}" if p.file else None, sheet=p.sheet,
                             row=p.row, column=p.column, value=p.value) for p in found]
        example = excel.is_example(path)
        if not df.empty:
            df["kilde_fil"] = f"{year}/{src.filename}"
            df["eksempeldata"] = example
            frames.append(df)
        inputs.append({"fil": f"data/raw/{year}/{src.filename}", "kilde": src.title,
                       "kilde_id": src.id, "aar": year, "raekker": len(df),
                       "sha256": excel.sha256(path), "eksempeldata": example})
    if problems:
        raise InputError(problems)
    if not frames:
        raise InputError(f"Der er ingen {src.title}-fil ({src.filename}) i {raw_dir} for "
                         f"{up_to_year} eller årene før.")
    return Ingested(pd.concat(frames, ignore_index=True), inputs)


def write(ing: Ingested, src: Source, out_dir: Path) -> Path:
    """Write the tidy table and the list of files read to data/processed/<år>/."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / f"{src.id}.csv"
    ing.table.to_csv(path, index=False)
    (out_dir / f"{src.id}.inddata.json").write_text(
        json.dumps(ing.inputs, ensure_ascii=False, indent=1), encoding="utf-8")
    return path


def read_processed(src_id: str, processed_dir: Path) -> pd.DataFrame:
    return pd.read_csv(Path(processed_dir) / f"{src_id}.csv")
