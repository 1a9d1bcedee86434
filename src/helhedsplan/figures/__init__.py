"""Charts of each indicator's development since baseline (matplotlib, colour-blind-safe).

Each chart comes in two sizes from the same data: the print figure (A4 PDF, Word, a desktop
browser) and a phone figure for screens up to 960 px wide, with larger text. The chart follows
the indicator's kind (kinds.py); style.py has what they share.
"""

from __future__ import annotations

from .calendar import activity_calendar, activity_calendar_alt  # noqa: F401
from .counts import counts, counts_alt  # noqa: F401
from .kinds import for_indicator, show_indicator  # noqa: F401
from .shares import measurements, measurements_alt, units, units_alt  # noqa: F401
from .style import (  # noqa: F401
    BASELINE_COLOUR,
    MAX_PANELS,
    OKABE_ITO,
    PHONE,
    PHONE_MEDIA,
    PHONE_WIDTH,
    PRINT,
    picture_html,
    setup,
    show,
    svg,
)
