"""The analyst's comments: one Markdown file per delaftale and year, a heading per delmål.

data/raw/<år>/bemaerkninger_<delaftale>.md (or the file the delaftale's YAML names under
`bemaerkninger`) holds plain text under '## <delmålets korte navn>'. file.py reads the file and
its report date; safe.py decides what of a comment may be shown. The text is
shown in the report as formatted text only: raw HTML, raw Typst/LaTeX and code are never passed
through, so a comment can neither run nor break the layout.
"""

from __future__ import annotations

from .file import (  # noqa: F401
    FILENAME,
    REPORT_DATE,
    check,
    collect,
    content_problems,
    read,
    reminders,
    report_date,
    sections,
    template_text,
)
from .safe import (  # noqa: F401
    LINK_SCHEMES,
    LONG_WORD,
    MAX_BYTES,
    MAX_DEPTH,
    MAX_WORD,
    NO_COMMENT,
    as_safe_markdown,
    clean_text,
    safe_link,
    shape_problems,
)
