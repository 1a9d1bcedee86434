"""Blank templates for a year: one workbook per source in data/raw/<år>/, plus the comment file.

`python -m helhedsplan skabeloner --aar 2025` (or `make skabeloner AAR=2025`). A file that
exists already is never overwritten: the analyst's figures are safe from a second run.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from . import comments, config, paths
from .config import Config
from .sources import SOURCES
from .sources.folder import NOT_MEASURED_FILE, not_measured_text
from .workbook import write_source_workbook


@dataclass(frozen=True)
class Written:
    path: Path
    written: bool  # False: the file was there already and is left as it was


def write_templates(year: int, raw_dir: Path | None = None, cfg: Config | None = None
                    ) -> list[Written]:
    cfg = cfg or config.default()
    folder = Path(raw_dir or paths.RAW_DIR) / str(year)
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for src in SOURCES.values():
        path = folder / src.filename
        try:
            write_source_workbook(src, path, year, [], example=False, cfg=cfg,
                                  layouts=src.layouts, overwrite=False)
            out.append(Written(path, True))
        except FileExistsError:
            out.append(Written(path, False))
    for name, text in ((comments.FILENAME, comments.template_text(cfg, year)),
                       (NOT_MEASURED_FILE, not_measured_text(year))):
        path = folder / name
        try:
            with open(path, "x", encoding="utf-8") as f:
                f.write(text)
            out.append(Written(path, True))
        except FileExistsError:
            out.append(Written(path, False))
    return out


def main(year: int) -> int:
    """CLI: write the templates and say, in Danish, what was written and what was left alone."""
    root = paths.ROOT
    results = write_templates(year)
    for r in results:
        shown = r.path.relative_to(root) if r.path.is_relative_to(root) else r.path
        print(f"  {'skrevet  ' if r.written else 'findes   '} {shown}"
              + ("" if r.written else " (ikke ændret)"))
    print(f"\nUdfyld regnearkene i data/raw/{year}/ (arket 'Om filen' forklarer hver kolonne), "
          f"og skriv bemærkningerne i {comments.FILENAME}.\nEr en kilde ikke målt i {year} (fx VIVE), "
          f"så slet dens fil, og skriv filnavnet i {NOT_MEASURED_FILE}.\n"
          f"Byg derefter rapporten: make report AAR={year}")
    return 0
