"""One module per input source; SOURCES lists them in the order the pipeline ingests them."""

from __future__ import annotations

from pathlib import Path

from ..config import Config
from ..errors import Problem
from . import aktiviteter, beboerdata, politi, sab, vive

SOURCES = {s.id: s for s in (beboerdata.SOURCE, sab.SOURCE, vive.SOURCE, politi.SOURCE,
                             aktiviteter.SOURCE)}


def problems_in_all_sources(cfg: Config, raw_dir: Path, up_to_year: int,
                            known: dict[str, list[Problem]] | None = None) -> list[Problem]:
    """Every problem in every source's files up to the year (cross-source checks included), in
    source order. `known` holds problems already found for a source, so it is not read again."""
    from .base import collect

    known = known or {}
    problems: list[Problem] = []
    for src in SOURCES.values():
        problems += known[src.id] if src.id in known else collect(src, cfg, raw_dir,
                                                                   up_to_year).problems
    return problems


def check_inputs(cfg: Config, raw_dir: Path, year: int) -> list[Problem]:
    """All problems in data/raw up to `year`, collapsed as the ingest shows them ([] if none)."""
    from .base import collapse

    return collapse(problems_in_all_sources(cfg, Path(raw_dir), year))
