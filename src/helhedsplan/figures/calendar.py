"""The activity targets' month strip for the report year."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.patches import Rectangle

from .. import formatting
from ..activities import MONTHS, month_label
from .style import BASELINE_COLOUR, OKABE_ITO, PHONE_WIDTH, and_list, layout, style_for


def _month_values(table: pd.DataFrame, year: int) -> dict | None:
    months = table[(table["niveau"] == "måned") & (table["aar"] == year)]
    if months.empty:
        return None
    return {(r.indikator_id, int(r.enhed_navn[-2:])): (r.maalt, r.vaerdi)
            for r in months.itertuples()}


def _filled(table: pd.DataFrame, year: int) -> str:
    """What a filled month means (the month rule's words, activities.month_rule_phrase)."""
    rows = table[(table["niveau"] == "måned") & (table["aar"] == year)
                 & (table["indikator_id"] == "maaned_netvaerk")]
    if not len(rows):
        return "aktivitet"
    return formatting.mid_sentence(str(rows["indikator"].iloc[0]).removesuffix(" i måneden"))


def _calendar_key(value: dict, filled: str) -> str:
    """The legend names only the marks the year's strip has (issue 21.7: no "ingen" explained
    in a year where every month had activity)."""
    plan = [m for m in range(1, 13) if value.get(("maaned_netvaerk", m), (False, 0))[0]]
    active = [m for m in plan if value[("maaned_netvaerk", m)][1] > 0]
    parts = [f"Blåt felt: {filled} (“tema”: antal temaarrangementer)."]
    if len(active) < len(plan):
        parts.append("Rødorange kant og “ingen”: ingen aktivitet.")
    if len(plan) < 12:
        parts.append("Skraveret: uden for helhedsplanens periode.")
    if any(value.get(("maaned_udenfor", m), (False, 0))[1] for m in plan):
        parts.append("Sort ring: temaarrangement uden for boligområderne.")
    return " ".join(parts)


def activity_calendar(table: pd.DataFrame, year: int, phone: bool = False):
    """A month strip for the report year: network activity in the areas (filled), themed
    events (counted), events outside the areas (ring); months outside the plan are hatched.
    In print one row of twelve months, on a phone three rows of four."""
    st = style_for(phone)
    value = _month_values(table, year)
    if value is None:
        return None
    per_row, step = (4, 2.1) if phone else (12, 0)
    rows = 12 // per_row
    fig, ax = plt.subplots(figsize=(PHONE_WIDTH, 0.62 * rows * step) if phone else (7.2, 1.6))
    for i, m in enumerate(range(1, 13)):
        x0, y0 = i % per_row, -(i // per_row) * step
        in_plan, network = value.get(("maaned_netvaerk", m), (False, 0))
        x, y = x0 + 0.46, y0 + 0.5
        if not in_plan:
            ax.add_patch(Rectangle((x0, y0), 0.92, 1, facecolor="white", edgecolor="#BBBBBB",
                                   hatch="///", lw=0.8))
        elif network > 0:
            ax.add_patch(Rectangle((x0, y0), 0.92, 1, facecolor=OKABE_ITO[0],
                                   edgecolor="none"))
        else:
            ax.add_patch(Rectangle((x0, y0), 0.92, 1, facecolor="white", edgecolor=OKABE_ITO[5],
                                   lw=1.6))
            ax.text(x, y, "ingen", ha="center", va="center", fontsize=max(st.small, 7.5),
                    color=OKABE_ITO[5])
        themed = value.get(("maaned_tema", m), (False, 0))[1]
        if in_plan and themed:
            ax.text(x, y, f"{int(themed)} tema", ha="center", va="center",
                    fontsize=max(st.small, 7.5),
                    color="white" if network > 0 else OKABE_ITO[5], fontweight="bold")
        if in_plan and value.get(("maaned_udenfor", m), (False, 0))[1]:
            ax.plot(x, y0 + 1.28, marker="o", ms=7, mfc="white", mec=OKABE_ITO[7], mew=2)
        ax.text(x, y0 - 0.25, MONTHS[m - 1], ha="center", va="center",
                fontsize=st.text if phone else 8)
    ax.set_xlim(-0.1, per_row)
    ax.set_ylim(-0.5 - (rows - 1) * step, 1.5)
    ax.axis("off")
    key = _calendar_key(value, _filled(table, year))
    # Every mark is told apart by more than its colour (a word, hatching, a ring), and the
    # legend names the colours as they look: blue, vermilion ("rødorange"), black.
    if phone:
        layout(fig, st, {"left": 0.02, "right": 0.98, "bottom": 0.02, "top": 0.98})
        fig.text(0.02, 0, st.wrap(key, 32), ha="left", va="top", fontsize=st.note,
                 color=BASELINE_COLOUR)
    else:
        fig.text(0.5, 0.02, key, ha="center", fontsize=st.small,
                 color=BASELINE_COLOUR, wrap=True)
        fig.tight_layout(rect=(0, 0.12, 1, 1))
    return fig


def activity_calendar_alt(table: pd.DataFrame, year: int) -> str:
    value = _month_values(table, year)
    if value is None:
        return ""
    plan = [m for m in range(1, 13) if value.get(("maaned_netvaerk", m), (False, 0))[0]]
    active = [m for m in plan if value[("maaned_netvaerk", m)][1] > 0]
    without = [month_label((year, m)).split()[0] for m in plan if m not in active]
    themed = sum(int(value.get(("maaned_tema", m), (False, 0))[1] or 0) for m in plan)
    filled = _filled(table, year)
    outside = sum(1 for m in plan if value.get(("maaned_udenfor", m), (False, 0))[1])
    text = (f"Kalenderstribe med årets tolv måneder i {year}. Blå felter er måneder med "
            f"{filled}, felter med rødorange kant og teksten ingen er "
            "måneder uden, skraverede felter ligger uden for helhedsplanens periode; tallet i "
            "feltet er antal temaarrangementer, og en sort ring over feltet markerer et "
            "temaarrangement uden for boligområderne. "
            f"{formatting.capitalised(filled)} i {formatting.number(len(active))} af "
            f"{formatting.number(len(plan))} måneder i helhedsplanens periode")
    text += f" (ingen i {and_list(without)})" if without else ""
    return (text + f"; {formatting.number(themed)} temaarrangementer i alt; "
            f"{formatting.number(outside)} "
            f"{'måned' if outside == 1 else 'måneder'} med temaarrangement uden for "
            "boligområderne.")
