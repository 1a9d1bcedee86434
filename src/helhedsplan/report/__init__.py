"""The report's text and tables as Markdown, built from the indicator table only.

The report notebook calls these and displays the result; both renderers take Markdown.
"""

from __future__ import annotations

from .activities import (  # noqa: F401
    ACTIVITY_MARKERS,
    ACTIVITY_TARGETS,
    activity_log_summary,
    activity_summary_line,
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
    COUNT_NOUN,
    HEADLINE,
    HIDDEN,
    LEVELS,
    MARKERS,
    MAX_UNITS,
    ReportData,
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
    units_appendix,
)
from .markdown import capitalised, md_table, notes_naming, sentence, table_notes  # noqa: F401
from .notes import absence_notes, board_reason, report_year_absences, rounding_note, suppression_note  # noqa: F401
from .summary import banner, front_matter, intro, project_years_text, summary  # noqa: F401
