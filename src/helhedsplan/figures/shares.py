"""Shares over the years: small multiples per afdeling or boligområde, or the whole plan beside
its comparison groups."""

from __future__ import annotations

import re

import matplotlib.pyplot as plt
import pandas as pd

from .. import formatting
from .style import (
    BASELINE_COLOUR,
    MAX_PANELS,
    OKABE_ITO,
    PHONE_SINGLE,
    PHONE_WIDTH,
    PRINT,
    Style,
    and_list,
    baseline_line,
    count_word,
    hidden_years_text,
    layout,
    legend_below,
    mark_hidden,
    pct_axis,
    rows_of,
    share_series,
    style_for,
    ticks,
    value_axis,
    year_axis,
)

PHONE_TITLE_CHARS = 13  # a panel's title on a phone: half the width, at the body text's size


def _title(name: str, st: Style) -> str:
    """A panel's title; on a phone wrapped at spaces and hyphens, never inside a word."""
    if not st.phone:
        return name
    # pieces ending at a space, a hyphen or a slash ('Kløver-/', 'Hvedemarken'), joined greedily
    lines: list[str] = []
    for piece in re.findall(r"[^ /-]+[/-]*/?\s*|[/-]+\s*", name):
        if lines and len(lines[-1] + piece.rstrip()) <= PHONE_TITLE_CHARS:
            lines[-1] += piece
        else:
            lines.append(piece)
    return "\n".join(line.strip() for line in lines)


def units(table: pd.DataFrame, year: int, phone: bool = False, *, indikator_id: str):
    """A share per unit. Small multiples: one panel per afdeling (or boligområde) and one for
    the whole helhedsplan; in a row in print, two to a row on a phone."""
    st = style_for(phone)
    rows = rows_of(table, indikator_id, year)
    rows = rows[rows["niveau"] != "sammenligning"]
    if not rows["maalt"].any():
        return None
    units = list(dict.fromkeys(rows["enhed_navn"]))  # afdelinger first, then the helhedsplan
    if len(units) > MAX_PANELS:
        return _units_many(rows, year, st)
    # A long name over a phone's half-width panel runs into its neighbour's: it wraps
    # ('Kløver-/' 'Hvedemarken'), and the rows get room for a two-line title.
    titles = {u: _title(u, st) for u in units}
    two_lines = any("\n" in t for t in titles.values())
    if phone:
        ncols = min(2, len(units))
        nrows = -(-len(units) // ncols)
        fig, grid = plt.subplots(nrows, ncols, figsize=(
            PHONE_WIDTH, (1.8 if two_lines else 1.5) * nrows + 0.2), sharey=True, squeeze=False)
    else:
        fig, grid = plt.subplots(1, len(units), figsize=(7.2, 2.7), sharey=True, squeeze=False)
    axes = list(grid.flat)
    for ax in axes[len(units):]:
        fig.delaxes(ax)
    top = rows["ci_hoej"].max()
    for i, (ax, unit) in enumerate(zip(axes, units, strict=False)):
        r = rows[rows["enhed_navn"] == unit]
        share_series(ax, r, OKABE_ITO[i], unit)
        mark_hidden(ax, r, st=st)
        b = r.iloc[0]
        if not pd.isna(b["baseline_vaerdi"]):
            ax.axhline(b["baseline_vaerdi"], color=BASELINE_COLOUR, ls="--", lw=1)
        ax.set_title(_title("Hele helhedsplanen", st) if b["niveau"] == "helhedsplan"
                     else titles[unit], fontsize=st.text if phone else 9)
        ax.set_xticks([int(r["aar"].min()), int(r["aar"].max())])
        ax.set_ylim(0, top * 1.1 if pd.notna(top) else None)
        ticks(ax, st)
        if phone:
            ax.set_xlim(int(r["aar"].min()) - 0.6, int(r["aar"].max()) + 0.6)
    share = rows["enhed"].iloc[0] == "pct."
    value_axis(axes[0], st, share, label=not phone)
    base_years = rows["baseline_aar"].dropna()
    note = ((f"Stiplet linje: baseline {int(base_years.min())}. " if len(base_years) else "")
            + "Lodrette streger: 95 pct. usikkerhed.")
    if phone:
        fig.supylabel("Procent" if share else "Antal", fontsize=st.text, x=0.01)
        layout(fig, st, {"left": 0.2, "right": 0.93, "bottom": 0.07, "top": 0.93,
                          "wspace": 0.3, "hspace": 0.9 if two_lines else 0.65})
        fig.text(0.02, 0, st.wrap(note, 32), ha="left", va="top", fontsize=st.note,
                 color=BASELINE_COLOUR)
    else:
        fig.text(0.5, -0.02, note, ha="center", fontsize=st.note, color=BASELINE_COLOUR)
        fig.tight_layout()
    return fig


def units_alt(table: pd.DataFrame, year: int, *, indikator_id: str, what: str) -> str:
    """The units figure in words, from the data it is drawn from."""
    rows = rows_of(table, indikator_id, year)
    rows = rows[rows["niveau"] != "sammenligning"]
    if not rows["maalt"].any():
        return ""
    names = list(dict.fromkeys(rows["enhed_navn"]))
    afd = rows[rows["niveau"] == "afdeling"]
    areas = list(dict.fromkeys(rows.loc[rows["niveau"] == "boligområde", "enhed_navn"]))
    numbers = [str(a).removeprefix("Afd. ") for a in dict.fromkeys(afd["enhed_navn"])]
    first = int(rows["aar"].min())
    base_years = rows["baseline_aar"].dropna()
    base = (f" og baseline {int(base_years.min())} som stiplet vandret linje"
            if len(base_years) else "")
    what = f"{what}, hvert år fra {first} til {year}"
    if len(names) > MAX_PANELS:
        many = numbers or areas
        level = "afdelinger" if numbers else "boligområder"
        return (f"Punktdiagram over {what}: hele helhedsplanen som punkter med 95 pct. "
                f"usikkerhed som lodrette streger, og hver af de {formatting.number(len(many))} "
                f"{level} som en lille grå prik pr. år.{base.replace(' og b', ' B', 1)}"
                + ("." if base else "") + hidden_years_text(rows))
    panels = "Ét lille punktdiagram" if len(names) == 1 else \
        f"{count_word(len(names)).capitalize()} små punktdiagrammer"
    parts = []
    if numbers:
        parts.append(f"ét pr. afdeling (afd. {and_list(numbers)})" if len(numbers) > 1
                     else f"ét for afd. {numbers[0]}")
    if areas:
        parts.append(f"ét pr. boligområde ({and_list(areas)})" if len(areas) > 1
                     else f"ét for {areas[0]}")
    if (rows["niveau"] == "helhedsplan").any():
        parts.append("ét for hele helhedsplanen")
    return (f"{panels}, {' og '.join(parts)}, der viser {what}, med 95 pct. usikkerhed som "
            f"lodrette streger{base}." + hidden_years_text(rows))


def _units_many(rows: pd.DataFrame, year: int, st: Style = PRINT):
    """Too many afdelinger for a panel each: the whole plan as a series, every afdeling as a
    small grey dot per year (never a line each); the numbers per afdeling are in the appendix."""
    fig, ax = plt.subplots(figsize=(PHONE_WIDTH, 2.6) if st.phone else (7.0, 3.0))
    level = "afdeling" if (rows["niveau"] == "afdeling").any() else "boligområde"
    afd = rows[(rows["niveau"] == level) & rows["maalt"] & rows["vaerdi"].notna()]
    order = {u: i for i, u in enumerate(dict.fromkeys(afd["enhed_navn"]))}
    spread = (afd["enhed_navn"].map(order).astype(float) % 7 - 3) * 0.05  # jitter, the same each run
    ax.scatter(afd["aar"] + spread, afd["vaerdi"], s=6, color="#AAAAAA", lw=0,
               label=f"Hver {level} ({afd['enhed_navn'].nunique()})")
    plan = rows[rows["niveau"] == "helhedsplan"]
    share_series(ax, plan, OKABE_ITO[0], "Hele helhedsplanen")
    mark_hidden(ax, plan, st=st)
    if len(plan) and not pd.isna(plan.iloc[0]["baseline_vaerdi"]):
        b = plan.iloc[0]
        baseline_line(ax, b["baseline_vaerdi"], int(b["baseline_aar"]),
                  formatting.pct(b["baseline_vaerdi"], int(b["decimaler"])))
    pct_axis(ax, st)
    ax.set_ylim(0, None)
    year_axis(ax, int(rows["aar"].min()), year, st)
    ticks(ax, st)
    if st.phone:
        legend_below(ax, st)
    else:
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.1), ncols=3, frameon=False,
                  fontsize=8)
    layout(fig, st, PHONE_SINGLE)
    return fig


def _series(rows: pd.DataFrame) -> list[pd.DataFrame]:
    """The lines of a measurements figure: the whole plan (or, for an indicator shown only per
    boligområde or afdeling, each of them), then the comparison groups."""
    own = rows[rows["niveau"] == "helhedsplan"]
    if not len(own):
        own = rows[rows["niveau"].isin(["boligområde", "afdeling"])]
    return [g for level in (own, rows[rows["niveau"] == "sammenligning"])
            for _, g in level.groupby("enhed_navn", sort=False) if len(g)]


def measurements(table: pd.DataFrame, year: int, phone: bool = False, *, indikator_id: str):
    """A share for the whole plan and its comparison groups, in the years measured (a survey
    is not run every year: the dotted line only joins measurements)."""
    st = style_for(phone)
    rows = rows_of(table, indikator_id, year)
    if not rows["maalt"].any():
        return None
    fig, ax = plt.subplots(figsize=(PHONE_WIDTH, 2.6) if phone else None)
    for i, r in enumerate(_series(rows)):
        colour = OKABE_ITO[i % len(OKABE_ITO)]
        # Dotted: the survey is not run every year, so the line only joins measurements.
        share_series(ax, r, colour, r["enhed_navn"].iloc[0], line=":")
        mark_hidden(ax, r, colour, st)
    main = rows[rows["niveau"] == "helhedsplan"]
    if len(main) and not pd.isna(main.iloc[0]["baseline_vaerdi"]):
        m = main.iloc[0]
        baseline_line(ax, m["baseline_vaerdi"], int(m["baseline_aar"]),
                  formatting.pct(m["baseline_vaerdi"], int(m["decimaler"])))
    pct_axis(ax, st)
    low = pd.concat([rows["ci_lav"], rows["baseline_vaerdi"]]).min()
    high = pd.concat([rows["ci_hoej"], rows["baseline_vaerdi"]]).max()
    ax.set_ylim(max(0, (low // 10) * 10 - 10) if pd.notna(low) else 0,
                min(100, (high // 10) * 10 + 10) if pd.notna(high) else 100)
    year_axis(ax, int(rows["aar"].min()), year, st)
    ticks(ax, st)
    if phone:
        legend_below(ax, st)
    else:
        ax.legend(loc="lower left", frameon=False)
    layout(fig, st, PHONE_SINGLE)
    return fig


def measurements_alt(table: pd.DataFrame, year: int, *, indikator_id: str, what: str) -> str:
    rows = rows_of(table, indikator_id, year)
    if not rows["maalt"].any():
        return ""
    series = _series(rows)
    if not series:
        return ""
    shown = pd.concat(series)
    groups = [("helhedsplanen" if g["niveau"].iloc[0] == "helhedsplan" else
               str(g["enhed_navn"].iloc[0])) for g in series]
    measured = sorted({int(y) for y in shown.loc[shown["maalt"].astype(bool), "aar"]})
    main = rows[rows["niveau"] == "helhedsplan"]
    base = ""
    if len(main) and not pd.isna(main.iloc[0]["baseline_vaerdi"]):
        m = main.iloc[0]
        base = (f" og baseline {int(m['baseline_aar'])} "
                f"({formatting.pct(m['baseline_vaerdi'], int(m['decimaler']))}) som stiplet "
                "vandret linje")
    return (f"Punktdiagram over {what} i {and_list(groups)} i de år, hvor der er målt "
            f"({and_list([str(y) for y in measured])}), med 95 pct. usikkerhed som lodrette "
            f"streger{base}." + hidden_years_text(shown))
