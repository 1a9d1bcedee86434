"""One module per input source; SOURCES lists them in the order the pipeline ingests them."""

from __future__ import annotations

from ..config import Config
from . import aktiviteter, beboerdata, indikatorark, politi, sab, vive
from .columns import Source

SOURCES = {s.id: s for s in (beboerdata.SOURCE, sab.SOURCE, vive.SOURCE, politi.SOURCE,
                             aktiviteter.SOURCE, indikatorark.SOURCE)}


def sources_for(cfg: Config) -> dict[str, Source]:
    """The sources a delaftale reads (its own indikatorark file name included), in order."""
    used = set(cfg.kilder())
    return {s.id: (indikatorark.for_delaftale(cfg) if s.id == indikatorark.SOURCE.id else s)
            for s in SOURCES.values() if s.kilde in used}


def all_filenames(cfgs: list[Config]) -> list[str]:
    """Every source file name any delaftale of the helhedsplan reads, in order."""
    names = [s.filename for c in cfgs for s in sources_for(c).values()]
    return list(dict.fromkeys(names))
