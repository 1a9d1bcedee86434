"""Blank templates for a year: one workbook per source in data/raw/<år>/, plus the comment file.

`python -m helhedsplan skabeloner --aar 2025` (or `make skabeloner AAR=2025`). A file that
exists already is never overwritten: the analyst's figures are safe from a second run.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

from . import comments, config, paths
from .config import Config
from .errors import InputError
from .sources import indikatorark, sources_for
from .sources.folder import NOT_MEASURED_FILE, not_measured_text
from .workbook import write_source_workbook


@dataclass(frozen=True)
class Written:
    path: Path
    written: bool  # False: the file was there already and is left as it was


def write_templates(year: int, delaftale: str | None = None, raw_dir: Path | None = None,
                    cfgs: list[Config] | None = None) -> list[Written]:
    """Every source file each delaftale reads (a shared one once), each delaftale's comments
    file and the year's ikke_maalt.txt; `delaftale`: only that one's files."""
    every = cfgs if cfgs is not None else config.load_every(paths.ROOT)
    chosen = [c for c in every if delaftale is None or c.id == delaftale]
    if delaftale is not None and not chosen:
        chosen = [config.load(paths.ROOT, delaftale)]  # its Danish message: no such delaftale
    folder = Path(raw_dir or paths.RAW_DIR) / str(year)
    folder.mkdir(parents=True, exist_ok=True)
    out: list[Written] = []
    done: set[str] = set()
    for cfg in chosen:
        cfg = cfg.for_report(year)
        for src in sources_for(cfg).values():
            if src.filename in done:
                continue
            done.add(src.filename)
            path = folder / src.filename
            rows = indikatorark.due_rows(cfg, year) if src.id == indikatorark.SOURCE.id else []
            try:
                write_source_workbook(src, path, year, rows, example=False, cfg=cfg,
                                      layouts=src.layouts, overwrite=False)
                out.append(Written(path, True))
            except FileExistsError:
                out.append(Written(path, False))
    texts = [(c.comments_file, comments.template_text(c.for_report(year), year)) for c in chosen]
    for name, text in (*texts, (NOT_MEASURED_FILE, not_measured_text(year))):
        path = folder / name
        try:
            with open(path, "x", encoding="utf-8") as f:
                f.write(text)
            out.append(Written(path, True))
        except FileExistsError:
            out.append(Written(path, False))
    return out


def main(year: int, delaftale: str | None = None) -> int:
    """CLI: write the templates and say, in Danish, what was written and what was left alone."""
    root = paths.ROOT
    try:
        results = write_templates(year, delaftale)
    except InputError as err:
        print(f"FEJL: {err}", file=sys.stderr)
        return 1
    for r in results:
        shown = r.path.relative_to(root) if r.path.is_relative_to(root) else r.path
        print(f"  {'skrevet  ' if r.written else 'findes   '} {shown}"
              + ("" if r.written else " (ikke ændret)"))
    notes = [r.path.name for r in results if r.path.suffix == ".md"]
    print(f"\nUdfyld regnearkene i data/raw/{year}/ (arket 'Om filen' forklarer hver kolonne), "
          f"og skriv bemærkningerne i {' og '.join(notes)}.\nEr en kilde ikke målt i {year} "
          f"(fx VIVE), så slet dens fil, og skriv filnavnet i {NOT_MEASURED_FILE}.\n"
          f"Byg derefter rapporterne: make report AAR={year}")
    return 0
