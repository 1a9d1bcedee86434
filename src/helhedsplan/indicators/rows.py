"""The indicator table's rows: a share against its baseline, a count, a year without a figure.

Every kind of indicator writes its rows through these, so the table has one set of columns and
one way of saying 'ikke målt', whatever the delaftale.
"""

from __future__ import annotations

import math

from .. import stats
from ..sources.observations import DECLARED, declared_note  # noqa: F401

COLUMNS = [
    "delmaal_id", "indikator_id", "indikator", "niveau", "enhed_navn", "afdeling",
    "boligomraade", "enhed", "decimaler", "aar", "maalt", "vaerdi", "taeller", "naevner",
    "ci_lav", "ci_hoej", "baseline_aar", "baseline_vaerdi", "baseline_taeller",
    "baseline_naevner", "maal", "maal_aar", "maal_status", "aendring", "aendring_enhed",
    "p_vaerdi", "god_retning", "status", "undertrykt", "undertrykt_grund", "note", "datakilde",
    "kilde_fil", "eksempeldata",
]
NAN = math.nan



def and_list(items) -> str:
    """[22, 35, 24] → '22, 35 og 24'."""
    items = [str(i) for i in items]
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " og " + items[-1]


class Rows:
    """Collects rows, each with the fields every row of one indicator shares."""

    def __init__(self):
        self.rows: list[dict] = []

    def add(self, **row):
        full = dict.fromkeys(COLUMNS, NAN)
        full.update(undertrykt=False, undertrykt_grund="", note="", kilde_fil="",
                    eksempeldata=False, maalt=True, maal_status="")
        full.update(row)
        self.rows.append(full)


def share_row(rows: Rows, common: dict, *, year: int, k: float, n: float, base=None,
              god_retning: str = "op", context: bool = False, **extra) -> None:
    """A share k/n with its Wilson interval, compared with the baseline share `base` (k, n,
    year) when there is one. Whether it may be shown is decided for the whole table afterwards
    (discretion.py)."""
    value = 100 * k / n
    lo, hi = stats.wilson(k, n)
    row = dict(common, enhed="pct.", aar=year, vaerdi=value, taeller=k, naevner=n,
               ci_lav=100 * lo, ci_hoej=100 * hi, god_retning=god_retning)
    if base is not None:
        base_k, base_n, base_year = base
        row.update(baseline_aar=base_year, baseline_vaerdi=100 * base_k / base_n,
                   baseline_taeller=base_k, baseline_naevner=base_n)
        if year == base_year:
            row.update(aendring=0.0, aendring_enhed="procentpoint", status=stats.STATUS_BASELINE)
        else:
            p = stats.compare_proportions(k, n, base_k, base_n)
            change = value - row["baseline_vaerdi"]
            row.update(aendring=change, aendring_enhed="procentpoint", p_vaerdi=p,
                       status=stats.status(p, change, god_retning))
    else:
        row.update(status=stats.STATUS_NO_BASELINE)
    if context:
        # A comparison group (all helhedsplaner) is context for the board, not a goal of
        # this helhedsplan: its change is shown, but never judged.
        row.update(status=stats.STATUS_CONTEXT, p_vaerdi=NAN)
    row.update(extra)
    rows.add(**row)


def not_measured_row(rows: Rows, common: dict, *, year: int, enhed: str, base_year=None,
                     base_value=NAN, note: str = "", **extra) -> None:
    """A year without a figure. The note says why (it starts 'Ikke målt i <år>')."""
    rows.add(**dict(common, enhed=enhed, aar=year, maalt=False, baseline_aar=base_year,
                    baseline_vaerdi=base_value, status=stats.STATUS_NOT_MEASURED,
                    note=note or f"Ikke målt i {year}", **extra))
