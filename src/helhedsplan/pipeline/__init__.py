"""The build of a year's report, stage by stage: raw → processed → indicators → report → HTML, PDF, Word.
"""

from __future__ import annotations

from .model import NOT_MEASURED, NOTEBOOK_FOLDER, Build, Stage, StageError  # noqa: F401
from .run import build, latest_year, status  # noqa: F401
from .stages import stages  # noqa: F401
