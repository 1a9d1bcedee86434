"""Every path of the project, derived from the project root so nothing depends on the cwd."""

from __future__ import annotations

import os
from pathlib import Path


def _find_root() -> Path:
    # HELHEDSPLAN_ROOT lets tests point the whole pipeline at a temporary copy of the project.
    env = os.environ.get("HELHEDSPLAN_ROOT")
    if env:
        return Path(env).resolve()
    here = Path(__file__).resolve()
    for parent in here.parents:
        if (parent / "config" / "helhedsplan.yaml").is_file():
            return parent
    return Path.cwd()


ROOT = _find_root()
CONFIG_DIR = ROOT / "config"
RAW_DIR = ROOT / "data" / "raw"
PROCESSED_DIR = ROOT / "data" / "processed"
NOTEBOOK_DIR = ROOT / "notebooks"
REPORTS_DIR = ROOT / "reports"
REPORT_NOTEBOOK = REPORTS_DIR / "statusrapport.ipynb"
QUARTO_PROJECT = ROOT / "_quarto.yml"
ASSETS_DIR = Path(__file__).resolve().parent / "assets"


def raw_years(raw_dir: Path = RAW_DIR) -> list[int]:
    """The years that have an input folder, oldest first."""
    if not raw_dir.is_dir():
        return []
    return sorted(int(p.name) for p in raw_dir.iterdir() if p.is_dir() and p.name.isdigit())
