"""A count for the whole plan per year, as bars with their 95 pct. interval."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.ticker import FuncFormatter, MaxNLocator

from .. import formatting
from .style import (
    OKABE_ITO,
    PHONE_SINGLE,
    PHONE_WIDTH,
    baseline_line,
    hidden_years_text,
    layout,
    legend_below,
    mark_hidden,
    rows_of,
    style_for,
    ticks,
    year_axis,
)


def _plan_rows(table: pd.DataFrame, indikator_id: str, year: int) -> pd.DataFrame:
    rows = rows_of(table, indikator_id, year)
    return rows[rows["niveau"] == "helhedsplan"]


def counts(table: pd.DataFrame, year: int, phone: bool = False, *, indikator_id: str,
           label: str, noun: str = ""):
    """A count for the whole plan per year, as bars with their 95 pct. interval."""
    st = style_for(phone)
    rows = _plan_rows(table, indikator_id, year)
    if not rows["maalt"].any():
        return None
    fig, ax = plt.subplots(figsize=(PHONE_WIDTH, 2.6) if phone else None)
    measured = rows[rows["maalt"]]
    err = [measured["vaerdi"] - measured["ci_lav"], measured["ci_hoej"] - measured["vaerdi"]]
    ax.bar(measured["aar"], measured["vaerdi"], color=OKABE_ITO[0], width=0.6, label=label)
    if measured["ci_hoej"].notna().any():
        ax.errorbar(measured["aar"], measured["vaerdi"], yerr=err, fmt="none",
                    ecolor="#333333", capsize=3)
    mark_hidden(ax, measured, st=st)
    b = rows.iloc[0]
    if not pd.isna(b["baseline_vaerdi"]):
        baseline_line(ax, b["baseline_vaerdi"], int(b["baseline_aar"]),
                  formatting.number(b["baseline_vaerdi"]))
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: formatting.number(v)))
    if phone:
        ax.yaxis.set_major_locator(MaxNLocator(nbins=4))
    ax.set_ylabel(f"Antal {noun}".strip(), fontsize=st.text)
    top = measured["ci_hoej"].max() if measured["ci_hoej"].notna().any() else \
        measured["vaerdi"].max()
    ax.set_ylim(0, float(top) * (1.1 if phone else 1.25))
    year_axis(ax, int(rows["aar"].min()), year, st)
    ticks(ax, st)
    if phone:
        legend_below(ax, st)
    else:
        ax.legend(loc="upper left", frameon=False, ncols=2)
    layout(fig, st, PHONE_SINGLE)
    return fig


def counts_alt(table: pd.DataFrame, year: int, *, indikator_id: str, what: str,
               noun: str = "") -> str:
    rows = _plan_rows(table, indikator_id, year)
    if not rows["maalt"].any():
        return ""
    b = rows.iloc[0]
    base = (f" og baseline {int(b['baseline_aar'])} ({formatting.number(b['baseline_vaerdi'])}"
            f"{' ' + noun if noun else ''}) som stiplet vandret linje"
            if not pd.isna(b["baseline_vaerdi"]) else "")
    whiskers = ", med 95 pct. usikkerhed som lodrette streger" if rows["ci_hoej"].notna().any() \
        else ""
    return (f"Søjlediagram over {what} pr. år fra {int(rows['aar'].min())} til {year}"
            f"{whiskers}{base}." + hidden_years_text(rows[rows["maalt"]]))
