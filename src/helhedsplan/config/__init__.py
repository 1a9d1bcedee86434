"""The delaftaler as data: config/helhedsplan.yaml and config/delaftaler/<id>.yaml, checked once.

`load(root, delaftale)` gives one delaftale's `Config`; every problem in any configuration file
is an InputError that lists them all, with file and line, before anything runs.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from .. import paths
from ..errors import InputError, Problem
from .checks import rounded_pct
from .loading import DELAFTALER_DIR, HELHEDSPLAN_FILE, load_all
from .model import HELHEDSPLAN_UNIT, KILDER, Delaftale, Plan
from .view import PLAN_NAME, Config

__all__ = ["Config", "Delaftale", "Plan", "PLAN_NAME", "HELHEDSPLAN_UNIT", "KILDER",
           "DELAFTALER_DIR", "HELHEDSPLAN_FILE", "rounded_pct", "load", "load_every",
           "default", "ids"]


def _dir(root: Path | None) -> Path:
    return Path(root or paths.ROOT) / "config"


def load_every(root: Path | None = None) -> list[Config]:
    """Every delaftale of the helhedsplan, in file-name order."""
    plan, delaftaler = load_all(_dir(root))
    everything = tuple(delaftaler.items())
    return [Config(plan, d, did, everything) for did, d in delaftaler.items()]


def ids(root: Path | None = None) -> list[str]:
    """The delaftaler's ids (their file names), without reading the files."""
    folder = _dir(root) / DELAFTALER_DIR
    return sorted(p.stem for p in folder.glob("*.y*ml")) if folder.is_dir() else []


def load(root: Path | None = None, delaftale: str | None = None) -> Config:
    """One delaftale's configuration (default: the first). InputError, in Danish, when any
    configuration file has a problem or the delaftale does not exist."""
    every = load_every(root)
    if delaftale is None:
        return every[0]
    for cfg in every:
        if cfg.id == delaftale:
            return cfg
    raise InputError(Problem(
        f"delaftalen '{delaftale}' findes ikke. Delaftalerne er: "
        + ", ".join(c.id for c in every) + f" (filerne i config/{DELAFTALER_DIR}/).",
        file=f"config/{DELAFTALER_DIR}/"))


@lru_cache(maxsize=8)
def default(delaftale: str | None = None) -> Config:
    """The project's configuration of a delaftale, loaded once per process."""
    return load(paths.ROOT, delaftale)
