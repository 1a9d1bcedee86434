"""The notes under the report's tables: what is hidden and why, what was not measured, rounding."""

from __future__ import annotations

import re

import pandas as pd

from .. import discretion, indicators, stats
from ..formatting import rounded
from .data import PLURAL, ReportData, headlines, is_hidden
from .markdown import and_list, capitalised, sentence


def rounding_note(rows) -> str:
    """A note when a change shown beside rounded shares is not their difference: the change is
    worked out from the unrounded shares (8,25 − 6,06 = 2,19 shows as +2,2 beside 8,2 and 6,1).
    '' when every shown change is the difference of the shown figures."""
    for row in rows:
        if (row["enhed"] != "pct." or is_hidden(row) or pd.isna(row["aendring"])
                or pd.isna(row["baseline_vaerdi"]) or row["status"] == stats.STATUS_BASELINE):
            continue
        d = int(row["decimaler"])
        shown = rounded(row["vaerdi"], d) - rounded(row["baseline_vaerdi"], d)
        if rounded(row["aendring"], d) != shown:
            return ("Ændringen er regnet af de uafrundede andele, så den kan afvige en smule fra "
                    "forskellen mellem de afrundede tal i tabellen.")
    return ""


def parts_and_whole(shown: list) -> str:
    """Why the whole plan can show a clear change when none of its parts does: a board member
    otherwise reads the statuses as contradicting each other."""
    plan = [x for x in shown if x["niveau"] == "helhedsplan"]
    parts = [x for x in shown if x["niveau"] in ("afdeling", "boligområde")]
    if (len(plan) != 1 or not parts or plan[0]["status"] not in (stats.STATUS_UP, stats.STATUS_DOWN)
            or any(x["status"] != stats.STATUS_NONE for x in parts)):
        return ""
    level = PLURAL[parts[0]["niveau"]]
    return (f"Hele helhedsplanen har *{plan[0]['status']}*, "
            f"selv om ingen af {level}ne har det: hver for sig bygger {level}ne på for få "
            "personer til, at ændringen kan skelnes fra tilfældigheder, men under ét er den "
            "tydelig")


def _names(rows: pd.DataFrame) -> str:
    names = [f"{r.enhed_navn} ({int(r.aar)})" for r in rows.itertuples()]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " og " + names[-1]


def suppression_note(data: ReportData, rows: pd.DataFrame) -> str:
    """Which of the rows' cells are hidden, and why, in a sentence (never a list item)."""
    if rows.empty or "undertrykt" not in rows:
        return ""
    hidden = rows[rows["undertrykt"].fillna(False).astype(bool)]
    if hidden.empty:
        return ""
    limit = data.cfg.diskretion.mindste_antal
    primary = hidden[hidden["undertrykt_grund"] != discretion.SECONDARY]
    secondary = hidden[hidden["undertrykt_grund"] == discretion.SECONDARY]
    parts = []
    if len(primary):
        parts.append(f"{_names(primary)} handler om færre end {limit} personer")
    if len(secondary):
        verb = "er" if len(secondary) == 1 else "er også"
        parts.append(f"{_names(secondary)} {verb} skjult, så et skjult tal ikke kan regnes ud "
                     "som forskellen mellem en total og de viste tal")
    return "Vises ikke (diskretion): " + "; ".join(parts) + ".\n"


_ABSENCE = re.compile(r"^Ikke målt i (\d{4}): (.+)$", re.S)


def board_reason(reason: str) -> str:
    """Why a year has no figure, without where the analyst declared it."""
    return reason.removesuffix(indicators.DECLARED)


def absence_notes(rows: pd.DataFrame, raw: bool = False) -> list[str] | set[str]:
    """Why a year has no figure, from the indicator table's notes: '2024: ikke målt, fordi …'
    (years with the same reason merged). Never only a dash."""
    found = set()
    for n in rows.loc[~rows["maalt"].astype(bool), "note"]:
        m = _ABSENCE.match(str(n))
        if m:
            found.add(f"{m.group(1)}: ikke målt – {board_reason(m.group(2))}")
    return found if raw else merge_year_notes(found)


def report_year_absences(data: ReportData) -> list[str]:
    """Per page-1 indicator not measured in the report year: which and why."""
    out = []
    for h in headlines(data.cfg):
        if h.ind.type == "aktivitetsmaal" or h.indikator_id != h.ind.id:
            continue
        d, indikator_id = h.delmaal, h.indikator_id
        # page 1's own units: its level, or (no figure for the plan) the units it counts up
        own = [h.niveau] if h.niveau else ["afdeling", "boligområde"]
        t = data.table
        this = t[(t["indikator_id"] == indikator_id) & (t["aar"] == data.year)]
        units = this[~this["maalt"].astype(bool) & this["note"].str.match(_ABSENCE)]
        # One note per reason: the plan and its comparison group without figures for the same
        # reason are said once ("…, heller ikke for Alle helhedsplaner: <reason>").
        by_reason: dict[str, list] = {}
        for _, r in units.iterrows():
            by_reason.setdefault(board_reason(_ABSENCE.match(r["note"]).group(2)), []).append(r)
        for reason, rs in by_reason.items():
            others = [str(r["enhed_navn"]) for r in rs if r["niveau"] not in own]
            why = sentence(capitalised(reason))
            if len(others) == len(rs):
                out.append(f"**{d.kort_navn}, {and_list(others)}:** ikke målt i {data.year}. {why}")
            elif others:
                out.append(f"**{d.kort_navn}:** ikke målt i {data.year} (heller ikke for "
                           f"{and_list(others)}). {why}")
            else:
                out.append(f"**{d.kort_navn}:** ikke målt i {data.year}. {why}")
        headline = this[this["niveau"].isin(own)]
        if len(headline) and not headline["maalt"].astype(bool).all() and units.empty:
            out.append(f"**{d.kort_navn}:** ikke målt i {data.year}.")
    return out


def merge_year_notes(notes: set[str]) -> list[str]:
    """'2018: x', '2021: x' → '2018, 2021: x', so a note repeated per year is read once."""
    by_text: dict[str, list[str]] = {}
    plain = []
    for n in sorted(notes):
        year, sep, text = n.partition(": ")
        if sep and year.isdigit():
            by_text.setdefault(text, []).append(year)
        else:
            plain.append(n)
    return plain + [f"{', '.join(years)}: {text}" for text, years in by_text.items()]
