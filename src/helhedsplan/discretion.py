"""Discretion: which figures of the indicator table are not shown, decided once, here.

Danmarks Statistik's rule is that a figure about fewer than `limit` persons (config:
diskretion.mindste_antal) is not published. Hiding such a figure is not enough where it is
published beside its total and the other parts of that total: the hidden part is then the total
minus the shown parts. So the decision is made on *cells* (one count of persons for one unit and
one year) and on the sums they belong to:

- **Primary suppression.** A cell with a count below the limit is hidden (0 included: "0 of 5
  attended" is a statement about all five).
- **Secondary suppression.** In every sum (the afdelinger and the whole plan; the boligområder
  and the plan; one year, one measure), a sum with a hidden cell must hold at least two hidden
  cells, and among them one *partner*: a cell above the limit and below its own maximum (a
  numerator below its denominator). The smallest shown part that qualifies is hidden as the
  partner; when no part qualifies, the total is hidden. A sum whose total itself is below the
  limit needs nothing more (then every part is below the limit and hidden).

Why this is enough: every published sum is one linear equation over its cells. With a partner s
(limit < s < its maximum) hidden beside a primary cell p (0 <= p < limit), p - 1 with s + 1, or
p + 1 with s - 1, fits every shown figure, non-negativity, the denominators and even the
knowledge of which cell is primary (< limit) and which secondary (>= limit). So no hidden cell
has only one possible value. When no cell qualifies as a partner (a last resort hides the total
or the smallest part), the primary cells still keep two or more possible values in the cases
tests/test_discretion.py generates, though the last-resort cell itself may be pinned (3
attendees of 3 adults); it is not a figure below the limit.

The sums do not share cells except through links this module follows (an afdeling's denominator
is its boligområde's residents 18+, and the plan's is "I alt", or "I alt" less the areas whose
afdeling held no meeting, which is then a sum of its own; the police share's numerator is the
areas' total). No indicator is summed over years, so
year-to-year differences reveal nothing that a single year does not; the activity log's
periods, which do span a new year, are handled by `period_hidden`.

A hidden row shows none of its derived figures: value, interval, change, p-value and status
("vises ikke"); a hidden denominator is blanked too. The report, the figures and the export read
`undertrykt` and `undertrykt_grund`; none of them sums parts again.
"""

from __future__ import annotations

import math
from collections.abc import Hashable
from dataclasses import dataclass

import pandas as pd

STATUS_SUPPRESSED = "vises ikke"
PRIMARY, SECONDARY = "primær", "sekundær"


@dataclass(frozen=True)
class Family:
    """An indicator whose rows count persons (the indicators package builds these from the
    configuration). `denominator`: 'own' when the denominator counts persons in its own right
    (a survey's answers, an indikatorark's nævner); 'link' when it is a cell of another table
    (`link`: an afdeling's attendance over its area's residents 18+); 'none' for a count. A
    share of a named total (`share_of`: the areas' reports of the kommune's) takes its numerator
    from that family's plan count and its denominator from the family's total."""

    name: str
    denominator: str = "none"
    link: str | None = None
    share_of: str | None = None


PART_LEVELS = ("afdeling", "boligområde")
TOTAL_LEVEL = "helhedsplan"
DERIVED = ("vaerdi", "taeller", "ci_lav", "ci_hoej", "aendring", "p_vaerdi")

Key = tuple[Hashable, ...]


def note(reason: str, limit: int) -> str:
    if reason == PRIMARY:
        return f"Færre end {limit} personer: vises ikke (diskretion)"
    return ("Vises ikke, så et skjult tal ikke kan regnes ud af de viste tal "
            "(sekundær diskretion)")


def period_hidden(total: float, pieces: list[float], limit: int) -> str:
    """The activity log's person counts (participants, residents) for a calendar year or a
    project year: hidden when the period has 1 to limit-1 persons (primary), or when one of its
    pieces (Jan–Aug, Sep–Dec) has (secondary). The reports of consecutive years publish both
    kinds of period, so a piece is otherwise the difference of two published periods; with
    every period that holds a small piece hidden, no published figure contains it. 0 is shown:
    it is about no one."""
    if 0 < total < limit:
        return PRIMARY
    if any(0 < p < limit for p in pieces):
        return SECONDARY
    return ""


def _unit(row) -> str:
    return row.enhed_navn if row.niveau in PART_LEVELS else row.niveau


def _cells(table: pd.DataFrame, families: dict[str, Family]):
    """Each person-count row's numerator and denominator cell, the cells' values and maxima,
    and the sums (parts, total) they form."""
    values: dict[Key, float] = {}
    maximum: dict[Key, float] = {}
    row_cells: dict[int, tuple[Key, Key | None]] = {}
    sums: dict[Key, tuple[list[Key], list[Key]]] = {}

    def cell(key: Key, value: float) -> Key:
        values.setdefault(key, float(value))
        return key

    for row in table.itertuples():
        meta = families.get(row.indikator_id)
        if meta is None or not row.maalt or pd.isna(row.taeller):
            continue
        family = meta.name
        year = int(row.aar)
        if meta.share_of:  # the areas' total over the kommune's
            k = cell((family, "k", TOTAL_LEVEL, year), row.taeller)
            n = cell((family, "k", "sammenligning", year), row.naevner)
        else:
            k = cell((family, "k", _unit(row), year), row.taeller)
            n = None
            if not pd.isna(row.naevner):
                if meta.denominator == "link" and row.niveau in PART_LEVELS:
                    area = row.boligomraade if row.niveau == "afdeling" else row.enhed_navn
                    n = cell((meta.link, "k", area, year), row.naevner)
                elif meta.denominator in ("link", "own"):
                    n = cell((family, "n", _unit(row), year), row.naevner)
            if n is not None:
                maximum[k] = float(row.naevner)
            if row.niveau in (*PART_LEVELS, TOTAL_LEVEL):
                for quantity, key in (("k", k), ("n", n)):
                    if key is None:
                        continue
                    parts, total = sums.setdefault((family, quantity, year), ([], []))
                    (total if row.niveau == TOTAL_LEVEL else parts).append(key)
        row_cells[row.Index] = (k, n)
    # The plan's attendance denominator is the residents 18+ "I alt" when every area has an
    # afdeling with a meeting: one cell, so hiding one of the two hides both.
    # When an afdeling held no meeting, the plan's denominator is "I alt" minus that area's
    # residents: a sum of its own (I alt = plan's denominator + the areas left out), or the
    # difference of the two totals would give a hidden residents figure away.
    alias = {}
    linked = {m.name: m.link for m in families.values() if m.denominator == "link"}
    for (family, quantity, year), (parts, total) in list(sums.items()):
        if quantity != "n" or family not in linked:
            continue
        residents = sums.get((linked[family], "k", year))
        if not residents or not residents[1] or not total:
            continue
        if set(parts) == set(residents[0]):
            alias[total[0]] = residents[1][0]
        elif set(parts) < set(residents[0]):
            left_out = [c for c in residents[0] if c not in parts]
            sums[(family, "n uden", year)] = ([total[0], *left_out], residents[1])
    if alias:
        a = lambda key: alias.get(key, key)  # noqa: E731
        row_cells = {i: (a(k), None if n is None else a(n)) for i, (k, n) in row_cells.items()}
        sums = {g: ([a(c) for c in parts], [a(c) for c in total])
                for g, (parts, total) in sums.items()}
        for key in alias:
            values.pop(key)
    return values, maximum, row_cells, sums


def decide(table: pd.DataFrame, limit: int, families: dict[str, Family]) -> dict[Key, str]:
    """The hidden cells and why (PRIMARY or SECONDARY), by the rule in the module docstring."""
    values, maximum, row_cells, sums = _cells(table, families)
    hidden = {key: PRIMARY for key, v in values.items() if v < limit}

    def partner(key: Key) -> bool:
        return limit < values[key] < maximum.get(key, math.inf)

    changed = True
    while changed:
        changed = False
        # A row whose denominator is hidden hides its numerator: value × denominator = numerator.
        for k, n in row_cells.values():
            if n is not None and n in hidden and k not in hidden:
                hidden[k] = SECONDARY
                changed = True
        for parts, total in sums.values():
            cells = parts + total
            secret = [c for c in cells if c in hidden]
            if not secret or any(hidden.get(t) == PRIMARY for t in total):
                continue
            if len(secret) >= 2 and any(partner(c) for c in secret):
                continue
            shown = [c for c in parts if c not in hidden]
            candidates = sorted((c for c in shown if partner(c)), key=lambda c: values[c])
            fallback = ([t for t in total if t not in hidden]
                        or sorted(shown, key=lambda c: values[c]))
            pick = (candidates or fallback)[:1]
            for c in pick:
                hidden[c] = SECONDARY
                changed = True
    return hidden


def apply(table: pd.DataFrame, limit: int, families: dict[str, Family]) -> pd.DataFrame:
    """The indicator table with the decision written into it: `undertrykt`, `undertrykt_grund`
    and a note on each hidden row, and every figure of a hidden row blanked (its status against
    a target too)."""
    table = table.copy()
    hidden = decide(table, limit, families)
    _, _, row_cells, _ = _cells(table, families)
    reason_of, blank_denominator = {}, []
    for i, (k, n) in row_cells.items():
        reasons = {hidden[c] for c in (k, n) if c is not None and c in hidden}
        if reasons:
            reason_of[i] = PRIMARY if PRIMARY in reasons else SECONDARY
            if n is not None and n in hidden:
                blank_denominator.append(i)
    if reason_of:
        rows = pd.Series(reason_of)
        table.loc[rows.index, list(DERIVED)] = math.nan
        table.loc[blank_denominator, "naevner"] = math.nan
        table.loc[rows.index, "undertrykt"] = True
        table.loc[rows.index, "undertrykt_grund"] = rows
        table.loc[rows.index, "status"] = STATUS_SUPPRESSED
        if "maal_status" in table:
            table.loc[rows.index, "maal_status"] = ""
        table.loc[rows.index, "note"] = rows.map(lambda r: note(r, limit))
    # Rows hidden before this module ran (the activity log's person counts) are primary.
    earlier = table["undertrykt"].astype(bool) & (table["undertrykt_grund"].fillna("") == "")
    table.loc[earlier, "undertrykt_grund"] = PRIMARY
    return table
