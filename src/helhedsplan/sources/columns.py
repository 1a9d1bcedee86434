"""A source's columns and layouts, declared once: templates, ingest and report all read them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import pandas as pd

if TYPE_CHECKING:  # imported where a file is validated: the report kernel never needs pandera
    import pandera.pandas as pa  # types only: imported for real where a file is validated

from ..config import Config
from ..errors import Problem
from . import checks
from .problems import dk

Kind = Literal["int", "float", "share", "text", "date"]


NUMERIC = ("int", "float", "share")


EXPECTED = {"int": "et helt tal", "float": "et tal", "share": "en andel i procent (0-100)",
            "date": "en dato, skrevet dd-mm-åååå", "text": "tekst"}


UNITS = {"share": "pct."}


@dataclass(frozen=True)
class Column:
    key: str  # name in the tidy table
    header: str  # header as the analyst sees it in the spreadsheet
    kind: Kind
    description: str | Callable[[Config], str]  # a function where it names the delaftale's own
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
    share_part: bool = True  # a count a share is computed from (a percentage is the wrong input)

    def allowed(self, cfg: Config) -> list:
        return list(self.choices(cfg)) if self.choices else []

    def describe(self, cfg: Config) -> str:
        return self.description(cfg) if callable(self.description) else self.description

    def example_for(self, year: int, cfg: Config | None = None) -> object:
        """The example as written in that year's sheet: a date example is moved into the year,
        so next year's template does not show last year's date (issue 21.8); a function of the
        configuration gives the delaftale's own (the indikatorark's first indicator)."""
        example = self.example(cfg) if callable(self.example) else self.example
        if self.kind == "date" and isinstance(example, str) and example[-4:].isdigit():
            return f"{example[:-4]}{year}"
        return example

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
        import pandera.pandas as pa  # lazy: see validate

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
    # Rows that are read but must not count, each with the reason in Danish (activities dated
    # outside the helhedsplan's period): (cfg, year, typed rows) → [(mask, reason)]. They are
    # left out of the tidy table and stated wherever the file is named (inddata 'udeladt').
    excluded: Callable[[Config, int, pd.DataFrame], list[tuple[pd.Series, str]]] | None = None
    row_noun: tuple[str, str] = ("række", "rækker")  # what one row is, singular and plural

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
