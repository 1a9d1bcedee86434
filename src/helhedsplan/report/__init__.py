"""The report's text and tables as Markdown, built from the indicator table and the delaftale.

The report notebook shows them through `report.sections` (one section per delmål); both
renderers take Markdown. The render step imports this package too (slots, front matter), so
nothing here imports matplotlib or IPython at module level: `sections` does, and the notebook
imports it itself.
"""

from __future__ import annotations

from .activities import (  # noqa: F401
    ACTIVITY_MARKERS,
    activity_log_summary,
    activity_status,
    activity_table,
    activity_targets_text,
    activity_value,
)
from .appendix import (  # noqa: F401
    SLOT,
    SLOT_PLACEHOLDER,
    data_years_table,
    inputs_appendix,
    method_text,
    slot,
    slot_text,
    software_versions,
    sources,
    target_group_table,
)
from .data import (  # noqa: F401
    COMMENTS_SOURCE,
    HIDDEN,
    LEVELS,
    MARKERS,
    MAX_UNITS,
    ReportData,
    headlines,
    latest,
    load,
)
from .delmaal import (  # noqa: F401
    APPENDIX_TITLE,
    INTERVAL_HEADER,
    baseline_text,
    crowded_levels,
    delmaal_text,
    development_table,
    status_table,
    target_text,
    units_appendix,
)
from .markdown import capitalised, md_table, notes_naming, sentence, table_notes  # noqa: F401
from .notes import (  # noqa: F401
    absence_notes,
    board_reason,
    report_year_absences,
    rounding_note,
    suppression_note,
)
from .summary import (  # noqa: F401
    banner,
    direction_sentence,
    front_matter,
    intro,
    project_years_text,
    summary,
)
