"""What each pipeline notebook does, as one call each; notebooks stay thin and show results.

The pipeline always names the build's folder (processed_dir) and writes there. A notebook opened
by hand in Jupyter has processed_dir empty and, unless the analyst sets skriv = True, writes
nothing: it shows the same table from the spreadsheets (ingest) or from the year's published
folder (indicators), so a "Run all" never changes data/processed/ outside a build's publish.
An executed copy from reports/<år>/<delaftale>/notesbøger/ names the published folder as its
processed_dir (and skriv = True, as the build ran it): run again by hand it writes nothing
either, since writing there would pass by the run lock and the all-or-nothing publish."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from . import config, indicators, paths
from .errors import NotebookStop
from .inputs import declaration_inputs, ingest
from .processed import published, write_inputs
from .sources import sources_for
from .sources.base import write

# No kernel loads more than it uses: scipy (the indicators' tests, stats.py) and pandera (the
# validation, sources/base.py) are imported only where they are called.


def _under_root(path: str | Path) -> Path:
    """The pipeline passes paths relative to the project root (executed notebooks travel in the
    export and must not carry the analyst's folder names); the root, not the kernel's working
    directory, is what they are relative to."""
    path = Path(path)
    return path if path.is_absolute() else paths.ROOT / path


def _writes(processed_dir: str | Path, skriv: bool) -> bool:
    """Whether a stage writes: the pipeline's build folder always, the published folder only by
    the analyst's own skriv = True with processed_dir empty (never a published copy re-run)."""
    if processed_dir:
        return not _under_root(processed_dir).resolve().is_relative_to(paths.PROCESSED_DIR.resolve())
    return skriv


def processed_dir_for(year: int, delaftale: str = "", processed_dir: str | Path = "") -> Path:
    """data/processed/<år>/<delaftale>/, unless the pipeline gives the build's own folder."""
    if processed_dir:
        return _under_root(processed_dir)
    return paths.PROCESSED_DIR / str(year) / config.default(delaftale or None).id


def _raw(raw_dir: str | Path) -> Path:
    return _under_root(raw_dir) if raw_dir else paths.RAW_DIR


def ingest_source(source_id: str, year: int, delaftale: str = "", raw_dir: str | Path = "",
                  processed_dir: str | Path = "", skriv: bool = True) -> pd.DataFrame:
    """Read one source's files for every year up to `year`, validate, write the tidy table
    (to processed_dir when given; else to data/processed/<år>/<delaftale>/ only when `skriv`).

    Returns what was read per file, not the rows: executed notebooks travel in the LBF export,
    which must never carry row-level data."""
    cfg = config.default(delaftale or None).for_report(year)
    sources = sources_for(cfg)
    if source_id not in sources and not delaftale:
        # Opened by hand with delaftale = "": the first delaftale that reads this source, so
        # "Run all" shows its table whichever delaftale's file name sorts first.
        cfg = next((c.for_report(year) for c in config.load_every(paths.ROOT)
                    if source_id in sources_for(c.for_report(year))), cfg)
        sources = sources_for(cfg)
        delaftale = cfg.id
    if source_id not in sources:  # the pipeline runs only the delaftale's own sources
        raise NotebookStop(_not_a_source(source_id, cfg.id))
    src = sources[source_id]
    data = ingest(src, cfg, _raw(raw_dir), year)
    if _writes(processed_dir, skriv):
        write(data, src, processed_dir_for(year, delaftale, processed_dir))
    return pd.DataFrame(data.inputs, columns=["fil", "aar", "raekker", "eksempeldata", "sha256"])


def _not_a_source(source_id: str, delaftale_id: str) -> str:
    users = [c.id for c in config.load_every(paths.ROOT) if source_id in sources_for(c)]
    return (f"Delaftalen {delaftale_id} bruger ikke kilden {source_id} (se config/delaftaler/"
            f"{delaftale_id}.yaml), så make report kører ikke denne notesbog for den. "
            + (f"Sæt delaftale = \"{users[0]}\" i den første kodecelle for at se den."
               if users else "Ingen af delaftalerne bruger den."))


def compute_indicators(year: int, delaftale: str = "", processed_dir: str | Path = "",
                       raw_dir: str | Path = "", skriv: bool = True) -> pd.DataFrame:
    """The indicator table, and the declarations of what was not measured as inputs. (The
    year's comments are a stage of their own, without a kernel: pipeline/stages.py.) Without
    processed_dir and `skriv`, computed from the year's published tables and not written."""
    cfg = config.default(delaftale or None)
    out = processed_dir_for(year, delaftale, processed_dir)
    if not _writes(processed_dir, skriv):
        return indicators.compute(cfg, published(out, year, cfg.id), year)
    table = indicators.compute(cfg, out, year)
    indicators.write(table, out)
    write_inputs(declaration_inputs(cfg, _raw(raw_dir), year), out, "ikke_maalt")
    return table
