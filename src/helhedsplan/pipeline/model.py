"""What a build is: the year, its folders and renderer; a stage, and the plan that says whether it runs."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

# StageError lives with the other Danish errors, so the command line catches it without
# importing the pipeline.
from ..errors import StageError  # noqa: F401

NOTEBOOK_FOLDER = "notesbøger"


NOT_MEASURED = "ikke_maalt.txt"  # sources.folder.NOT_MEASURED_FILE (a test keeps them equal)


COMMENTS = "bemaerkninger"  # the stage that reads the delaftale's comments file


@dataclass
class Build:
    """One delaftale's report for one year: built in its staging folder, published as a unit
    into data/processed/<år>/<delaftale>/ and reports/<år>/<delaftale>/."""

    year: int
    root: Path
    staging: Path
    renderer: str = "auto"
    log: Callable[[str], None] = print
    delaftale: str = ""
    title: str = ""  # the delaftale's name, for the console when several are built
    epoch: str = ""  # SOURCE_DATE_EPOCH of its outputs (from its report date)

    @property
    def processed(self) -> Path:
        return self.staging / "processed"

    @property
    def notebooks(self) -> Path:
        return self.staging / "notebooks"

    @property
    def rendered(self) -> Path:
        return self.staging / "rapport"

    @property
    def raw_dir(self) -> Path:
        return self.root / "data" / "raw"

    @property
    def processed_target(self) -> Path:
        return self.root / "data" / "processed" / str(self.year) / self.delaftale

    @property
    def report_target(self) -> Path:
        return self.root / "reports" / str(self.year) / self.delaftale


@dataclass(frozen=True)
class Stage:
    id: str
    label: str  # Danish, shown in progress and errors
    run: Callable[[Build], None]
    after: tuple[str, ...] = field(default=())
    # What the stage reads besides its upstream stages' outputs: {name: SHA-256}.
    reads: Callable[[Build], dict[str, str]] = field(default=lambda b: {})
    # Which staged files (relative to the staging folder, e.g. 'processed/x.csv') it writes.
    owns: Callable[[str], bool] = field(default=lambda rel: False)
    # The kernel lanes a notebook stage may run in, preferred first (none: runs in this
    # process), and what its lane may import before the stage's turn comes.
    lanes: tuple[str, ...] = ()
    warmup: str = ""


@dataclass
class Plan:
    stage: Stage
    inputs: dict[str, str]
    key: str
    reason: str | None  # Danish: why it runs; None: reused
