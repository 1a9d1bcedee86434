"""Danish number formatting with babel: 6,3 pct.; 2.453; +1,2 procentpoint.

Rounding is half-up (as people round by hand and as the delaftale did), not babel's default
half-even: 6,25 → 6,3.
"""

from __future__ import annotations

import math
import sys
from decimal import ROUND_HALF_UP, Decimal

from babel.numbers import format_decimal

LOCALE = "da_DK"
MISSING = "–"


def _is_missing(x) -> bool:
    """None, NaN, and pandas' NA and NaT. Without importing pandas (1-2 s; the comments are read
    without it): a pandas value can only exist when pandas has been imported."""
    if x is None or isinstance(x, str):
        return x is None
    pd = sys.modules.get("pandas")
    if pd is not None:
        return bool(pd.isna(x))
    return isinstance(x, float) and math.isnan(x)


MINUS = "\u2212"


def rounded(x, decimals: int) -> Decimal:
    return Decimal(str(x)).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)


def number(x, decimals: int = 0) -> str:
    """2453 → '2.453'; 97.7 with 1 decimal → '97,7'."""
    if _is_missing(x):
        return MISSING
    pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
    return format_decimal(rounded(x, decimals), format=pattern, locale=LOCALE)


def pct(x, decimals: int = 1) -> str:
    """A percentage (already × 100): 6.327 → '6,3 pct.'."""
    if _is_missing(x):
        return MISSING
    return f"{number(x, decimals)} pct."


def signed(x, decimals: int = 0) -> str:
    """+1,2 / −0,4 / ±0: changes always carry their sign. The minus is the typographic one
    (U+2212), as Typst sets it in the PDF, so HTML, Word and PDF read alike (issue 21.7)."""
    if _is_missing(x):
        return MISSING
    r = rounded(x, decimals)
    if r == 0:
        return "±" + number(0, decimals)
    return ("+" if r > 0 else MINUS) + number(abs(r), decimals)


def pp(x, decimals: int = 1) -> str:
    """A change in percentage points: '+1,2 procentpoint'."""
    if _is_missing(x):
        return MISSING
    return f"{signed(x, decimals)} procentpoint"


def interval(lo, hi, decimals: int = 1, unit: str = "pct.") -> str:
    """'5,0–7,9 pct.' for a 95 pct. interval."""
    if _is_missing(lo) or _is_missing(hi):
        return MISSING
    return f"{number(lo, decimals)}–{number(hi, decimals)}{' ' + unit if unit else ''}"


def day(d) -> str:
    """A date as the delaftale writes it: 1.9.2021."""
    return f"{d.day}.{d.month}.{d.year}"


def mid_sentence(text: str) -> str:
    """A name as it reads inside a sentence: 'Andel i job' → 'andel i job', but an abbreviation
    keeps its capitals ('SAB-møder', 'VIVE', 'E5-tallet')."""
    text = str(text)
    if len(text) > 1 and not text[1].islower():
        return text
    return text[:1].lower() + text[1:]


def capitalised(text: str) -> str:
    """A sentence's first word: 'netværksaktivitet i …' → 'Netværksaktivitet i …'."""
    return text[:1].upper() + text[1:]
