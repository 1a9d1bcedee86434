"""Every problem with a year's inputs, as one list: all sources, the year folders, the comments.

The sources and the comments each know their own files; this module, above both, asks them all,
so the analyst sees every problem of a run at once, grouped by file.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from . import comments
from .config import Config
from .errors import InputError, Problem
from .formatting import day
from .sources import all_filenames, folder, sources_for
from .sources.base import Ingested, collect
from .sources.columns import Source
from .sources.problems import collapse


def known_files(cfg: Config) -> list[str]:
    """The file names a year folder may hold besides ikke_maalt.txt (every delaftale's), in the
    order messages name them."""
    every = [cfg.unrevised(), *(c for c in cfg.siblings() if c.id != cfg.id)]
    return [*all_filenames(every), *dict.fromkeys(c.comments_file for c in every)]


def _all_sources(cfg: Config) -> list[Source]:
    """This delaftale's sources (of every revision), then the other delaftaler's (each file
    once)."""
    every = [cfg, cfg.unrevised(), *(c for c in cfg.siblings() if c.id != cfg.id)]
    return list({s.filename: s for c in every for s in sources_for(c).values()}.values())


def folder_problems(cfg: Config, raw_dir: Path, up_to_year: int) -> list[Problem]:
    """Problems with the year folders themselves: a year missing that a source needs, files the
    pipeline does not read (misnamed, wrong format, copies), a wrong ikke_maalt.txt and
    headings in bemaerkninger.md that are not the known ones."""
    raw_dir = Path(raw_dir)
    if not raw_dir.is_dir():
        return []
    problems: list[Problem] = []
    sources = list(sources_for(cfg).values())
    first_due = _first_due(sources, cfg, up_to_year)
    for year in range(first_due, up_to_year + 1):
        year_dir = raw_dir / str(year)
        if not year_dir.is_dir():
            due = [s.filename for s in sources
                   if s.required_from and (s.required_from(cfg) or up_to_year + 1) <= year]
            problems.append(Problem(
                f"mappen data/raw/{year} mangler. Rapporten for {up_to_year} viser udviklingen "
                f"fra baseline, så {year} skal have {', '.join(due)} (eller en "
                f"{folder.NOT_MEASURED_FILE}, der siger, hvilke der ikke er målt). Opret mappen "
                f"med: make skabeloner AAR={year}", file=f"{year}/"))
    for year_dir in sorted(p for p in raw_dir.iterdir()
                           if p.is_dir() and p.name.isdigit() and int(p.name) <= up_to_year):
        mine = {*(s.filename for s in sources), cfg.comments_file}
        problems += folder.stray_files(year_dir, known_files(cfg), mine)
        problems += folder.declared_not_measured(year_dir, _all_sources(cfg))[1]
        if int(year_dir.name) == up_to_year:
            problems += comments.check(year_dir, cfg)
    return problems


def _collect(src: Source, cfg: Config, raw_dir: Path, year: int) -> Ingested:
    got = collect(src, cfg, raw_dir, year)
    got.problems += dated_after_the_report(src, cfg, raw_dir, year, got.table)
    return got


def dated_after_the_report(src: Source, cfg: Config, raw_dir: Path, year: int,
                           table: pd.DataFrame) -> list[Problem]:
    """A report dated before the last date in the year's data (issue 21.2) would say it was
    written before what it reports on happened: an error naming both dates."""
    dates = [c for c in src.columns if c.kind == "date" and c.key in table]
    try:
        written = comments.report_date(Path(raw_dir) / str(year), cfg.comments_file)
    except InputError:  # a malformed rapportdato is the comments check's to report
        return []
    if not dates or written is None or table.empty:
        return []
    rows = table[table["aar"] == year]
    latest, where = None, None
    for col in dates:
        days = pd.to_datetime(rows[col.key], errors="coerce").dt.date.dropna()
        if len(days) and (latest is None or days.max() > latest):
            latest, where = days.max(), (col, days.idxmax())
    if latest is None or latest <= written:
        return []
    col, index = where
    excel_row = rows.loc[index, "excel_raekke"] if "excel_raekke" in rows else None
    return [Problem(
        f"rapportdato {day(written)} ligger før den seneste dato i {year}-tallene, "
        f"{day(latest)} ({year}/{src.filename}"
        + (f", række {int(excel_row)}" if excel_row is not None and pd.notna(excel_row) else "")
        + f", kolonne '{col.header}'). En rapport kan ikke være skrevet, før det, den handler om, "
        f"er sket: sæt rapportdato til den dag, rapporten afleveres.",
        file=f"{year}/{cfg.comments_file}")]


def problems_in_all_sources(cfg: Config, raw_dir: Path, up_to_year: int,
                            known: dict[str, list[Problem]] | None = None) -> list[Problem]:
    """Every problem in every source's files up to the year (cross-source checks included), in
    source order, then the year folders' own. `known` holds problems already found for a source,
    so it is not read again."""
    known = known or {}
    problems: list[Problem] = []
    for src in sources_for(cfg).values():
        problems += known[src.id] if src.id in known else _collect(src, cfg, raw_dir,
                                                                    up_to_year).problems
    return by_file(problems + folder_problems(cfg, raw_dir, up_to_year))


def by_file(problems: list[Problem]) -> list[Problem]:
    """Problems grouped by file (in the order the files first appear), so each file's list of
    things to fix is read in one place."""
    order: dict[str | None, int] = {}
    for p in problems:
        order.setdefault(p.file, len(order))
    return sorted(problems, key=lambda p: order[p.file])


def check_inputs(cfg: Config, raw_dir: Path, year: int) -> list[Problem]:
    """All problems in data/raw up to `year` for the delaftale as it stands that year, collapsed
    as the ingest shows them ([] if none)."""
    if cfg.year != year:
        cfg = cfg.for_report(year)
    return collapse(problems_in_all_sources(cfg, Path(raw_dir), year))


def ingest(src: Source, cfg: Config, raw_dir: Path, up_to_year: int, *,
           all_sources: bool = True) -> Ingested:
    """Read every year's file of a source up to the report year. Raises InputError with all problems.

    When this source has a problem, the other sources are checked too (only then: it costs a
    second reading), so the analyst gets every problem of the run in one list.
    """
    if cfg.year != up_to_year:
        cfg = cfg.for_report(up_to_year)
    got = _collect(src, cfg, raw_dir, up_to_year)
    if got.problems:
        problems = got.problems
        if all_sources and Path(raw_dir).is_dir():
            problems = problems_in_all_sources(cfg, raw_dir, up_to_year, known={src.id: problems})
        raise InputError(collapse(problems))
    return got


def declaration_inputs(cfg: Config, raw_dir: Path, up_to_year: int) -> list[dict]:
    """Every year's ikke_maalt.txt from the first year the delaftale reads, as an input record
    (sources.folder.declaration_inputs); one that declares only other delaftaler's sources not
    measured is not this report's input."""
    own, every = list(sources_for(cfg).values()), _all_sources(cfg)
    first = _first_due(own, cfg, up_to_year)

    def about_another(year: int) -> bool:  # declares sources, none of them this delaftale's
        year_dir = Path(raw_dir) / str(year)
        return bool(folder.declared_not_measured(year_dir, every)[0]
                    and not folder.declared_not_measured(year_dir, own)[0])

    return [r for r in folder.declaration_inputs(raw_dir, up_to_year, every)
            if r["aar"] >= first and not about_another(r["aar"])]


def _first_due(sources: list[Source], cfg: Config, up_to_year: int) -> int:
    """The first year any of the sources is due (the delaftale's first baseline year)."""
    return min((y for s in sources if s.required_from and (y := s.required_from(cfg))),
               default=up_to_year)
