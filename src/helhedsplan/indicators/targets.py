"""Status against a target ('mindst 8 pct. i 2025'): on track, reached, or not.

A target set for a year is judged against a straight path from the baseline to the target: a
measurement is *på vej mod målet* when it is at least as far along as that path in its year
(for a good direction down: at most). Reached is reached, whatever the year; after the target
year a target not reached is *ikke nået*. A yearly target (hvert_aar) is met or not each year.
The report's method section says this in words (report/appendix.py).
"""

from __future__ import annotations

import math

REACHED = "målet er nået"
MISSED = "målet er ikke nået"
ON_TRACK = "på vej mod målet"
OFF_TRACK = "ikke på vej mod målet"
NOT_YET = "målet er endnu ikke nået"
MET_YEAR, NOT_MET_YEAR = "mål nået", "mål ikke nået"


def judge(value: float, target: float, year: int, target_year: int | None, direction: str,
          base_value: float = math.nan, base_year: float = math.nan) -> str:
    """The status of one measurement against the target."""
    def at_least(a: float, b: float) -> bool:
        return a >= b if direction == "op" else a <= b

    if target_year is None:  # a yearly target
        return MET_YEAR if at_least(value, target) else NOT_MET_YEAR
    if at_least(value, target):
        return REACHED
    if year >= target_year:
        return MISSED
    if math.isnan(base_value) or math.isnan(base_year) or base_year >= target_year:
        return NOT_YET
    path = base_value + (target - base_value) * (year - base_year) / (target_year - base_year)
    return ON_TRACK if at_least(value, path) else OFF_TRACK


def apply(rows, cfg, ind) -> None:
    """Write the target, its year and the status into the indicator's rows for the target's
    unit (the whole plan unless the target names another)."""
    target = getattr(ind, "maal", None)
    if target is None or isinstance(target, list):
        return
    unit = cfg.unit(target.enhed, ind)
    for row in rows.rows:
        if row["indikator_id"] != ind.id or not _is_unit(row, unit):
            continue
        row.update(maal=target.vaerdi, maal_aar=target.aar if target.aar else math.nan)
        if not row["maalt"] or row.get("undertrykt") or _nan(row["vaerdi"]):
            continue
        row["maal_status"] = judge(float(row["vaerdi"]), target.vaerdi, int(row["aar"]),
                                   target.aar, ind.god_retning,
                                   float(row["baseline_vaerdi"]), float(row["baseline_aar"]))


def _nan(value) -> bool:
    try:
        return math.isnan(float(value))
    except (TypeError, ValueError):
        return True


def _is_unit(row: dict, unit) -> bool:
    if unit is None:
        return False
    level, key = unit
    if level == "helhedsplan":
        return row["niveau"] == "helhedsplan"
    if level == "afdeling":
        return row["niveau"] == "afdeling" and not _nan(row["afdeling"]) \
            and int(row["afdeling"]) == key
    if level == "boligomraade":
        return row["niveau"] == "boligområde" and row["enhed_navn"] == key
    return False
