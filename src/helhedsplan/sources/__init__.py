"""One module per input source; SOURCES lists them in the order the pipeline ingests them."""

from __future__ import annotations

from pathlib import Path

from ..config import Config
from ..errors import Problem
from . import aktiviteter, beboerdata, politi, sab, vive

SOURCES = {s.id: s for s in (beboerdata.SOURCE, sab.SOURCE, vive.SOURCE, politi.SOURCE,
                             aktiviteter.SOURCE)}


def folder_problems(cfg: Config, raw_dir: Path, up_to_year: int) -> list[Problem]:
    """Problems with the year folders themselves: a year missing that a source needs, files the
    pipeline does not read (misnamed, wrong format, copies), a wrong ikke_maalt.txt and
    headings in bemaerkninger.md that are not the known ones."""
    from .. import comments
    from . import folder

    raw_dir = Path(raw_dir)
    if not raw_dir.is_dir():
        return []
    problems: list[Problem] = []
    first_due = min((s.required_from(cfg) for s in SOURCES.values() if s.required_from),
                    default=up_to_year)
    for year in range(first_due, up_to_year + 1):
        year_dir = raw_dir / str(year)
        if not year_dir.is_dir():
            due = [s.filename for s in SOURCES.values()
                   if s.required_from and s.required_from(cfg) <= year]
            problems.append(Problem(
                f"mappen data/raw/{year} mangler. Rapporten for {up_to_year} viser udviklingen "
                f"fra baseline, så {year} skal have {', '.join(due)} (eller en "
                f"{folder.NOT_MEASURED_FILE}, der siger, hvilke der ikke er målt). Opret mappen "
                f"med: make skabeloner AAR={year}", file=f"{year}/"))
    for year_dir in sorted(p for p in raw_dir.iterdir()
                           if p.is_dir() and p.name.isdigit() and int(p.name) <= up_to_year):
        problems += folder.stray_files(year_dir)
        problems += folder.declared_not_measured(year_dir)[1]
        if int(year_dir.name) == up_to_year:
            problems += comments.check(year_dir, cfg)
    return problems


def problems_in_all_sources(cfg: Config, raw_dir: Path, up_to_year: int,
                            known: dict[str, list[Problem]] | None = None) -> list[Problem]:
    """Every problem in every source's files up to the year (cross-source checks included), in
    source order, then the year folders' own. `known` holds problems already found for a source,
    so it is not read again."""
    from .base import collect

    known = known or {}
    problems: list[Problem] = []
    for src in SOURCES.values():
        problems += known[src.id] if src.id in known else collect(src, cfg, raw_dir,
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
    """All problems in data/raw up to `year`, collapsed as the ingest shows them ([] if none)."""
    from .base import collapse

    return collapse(problems_in_all_sources(cfg, Path(raw_dir), year))
