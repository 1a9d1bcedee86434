"""Charts of each indicator's development since baseline (matplotlib, colour-blind-safe)."""

from __future__ import annotations

import matplotlib
import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.ticker import FuncFormatter, MaxNLocator

from . import formatting

# Okabe–Ito: distinguishable with the common colour-vision deficiencies.
OKABE_ITO = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"]
BASELINE_COLOUR = "#555555"
MAX_PANELS = 6  # small multiples up to this many; more afdelinger get one chart (no line each)


def setup() -> None:
    """Vector figures (SVG) in the notebook; sharp when printed, small in the HTML."""
    from matplotlib_inline.backend_inline import set_matplotlib_formats

    set_matplotlib_formats("svg", metadata={"Date": None})  # no clock time in the SVG
    plt.rcParams.update({
        "figure.figsize": (7.0, 3.4), "font.size": 9.5, "axes.spines.top": False,
        "axes.spines.right": False, "axes.grid": True, "grid.alpha": 0.3,
        "axes.prop_cycle": matplotlib.cycler(color=OKABE_ITO), "svg.hashsalt": "helhedsplan",
        "svg.fonttype": "path",
    })


def _pct_axis(ax, decimals=0):
    # Whole-number ticks, so a rounded label never claims a value the tick is not at.
    ax.yaxis.set_major_locator(MaxNLocator(integer=True, nbins=6))
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: formatting.number(v, decimals)))
    ax.set_ylabel("Procent")


def _share_series(ax, rows: pd.DataFrame, colour: str, label: str, line: str = "-"):
    """Measured years only (never zero for a year without data), with 95 pct. whiskers."""
    measured = rows[rows["maalt"] & rows["vaerdi"].notna()]
    err = [measured["vaerdi"] - measured["ci_lav"], measured["ci_hoej"] - measured["vaerdi"]]
    ax.errorbar(measured["aar"], measured["vaerdi"], yerr=err, fmt="o" + line, color=colour,
                capsize=3, label=label, lw=1.6, ms=5)


def _mark_hidden(ax, rows: pd.DataFrame, colour: str = BASELINE_COLOUR):
    """A hidden measurement (discretion) is not drawn; the year says "vises ikke" instead, so
    a gap is not read as "not measured" or as zero."""
    for year in rows.loc[rows["undertrykt"].fillna(False).astype(bool), "aar"]:
        ax.annotate("vises\nikke", (int(year), 0), xycoords=("data", "axes fraction"),
                    xytext=(0, 3), textcoords="offset points", ha="center", va="bottom",
                    fontsize=7, color=colour)


def _baseline(ax, value: float, year: int, text: str):
    """The baseline as a dashed line, named in the legend (a label on the line can hide
    behind bars and points)."""
    ax.axhline(value, color=BASELINE_COLOUR, ls="--", lw=1, label=f"Baseline {year}: {text}")


def _years(ax, first: int, last: int):
    ax.set_xlim(first - 0.4, last + 0.4)
    ax.set_xticks(range(first, last + 1))


def attendance(table: pd.DataFrame, year: int):
    """Small multiples: one panel per afdeling and one for the whole helhedsplan."""
    rows = table[(table["indikator_id"] == "deltagelse") & (table["aar"] <= year)]
    if not rows["maalt"].any():
        return None
    units = list(dict.fromkeys(rows["enhed_navn"]))  # afdelinger first, then the helhedsplan
    if len(units) > MAX_PANELS:
        return _attendance_many(rows, year)
    fig, axes = plt.subplots(1, len(units), figsize=(7.2, 2.7), sharey=True)
    top = rows["ci_hoej"].max()
    for i, (ax, unit) in enumerate(zip(axes, units, strict=True)):
        r = rows[rows["enhed_navn"] == unit]
        _share_series(ax, r, OKABE_ITO[i], unit)
        _mark_hidden(ax, r)
        b = r.iloc[0]
        ax.axhline(b["baseline_vaerdi"], color=BASELINE_COLOUR, ls="--", lw=1)
        ax.set_title("Hele planen" if b["niveau"] == "helhedsplan" else unit, fontsize=9)
        ax.set_xticks([int(r["aar"].min()), int(r["aar"].max())])
        ax.set_ylim(0, top * 1.1 if pd.notna(top) else None)
    _pct_axis(axes[0], 0)
    fig.text(0.5, -0.02, f"Stiplet linje: baseline {int(rows['baseline_aar'].min())}. Lodrette "
             "streger: 95 pct. usikkerhed.", ha="center", fontsize=8, color=BASELINE_COLOUR)
    fig.tight_layout()
    return fig


def _attendance_many(rows: pd.DataFrame, year: int):
    """Too many afdelinger for a panel each: the whole plan as a series, every afdeling as a
    small grey dot per year (never a line each); the numbers per afdeling are in the appendix."""
    fig, ax = plt.subplots(figsize=(7.0, 3.0))
    afd = rows[(rows["niveau"] == "afdeling") & rows["maalt"] & rows["vaerdi"].notna()]
    spread = (afd["afdeling"].astype(float) % 7 - 3) * 0.05  # a little jitter, the same each run
    ax.scatter(afd["aar"] + spread, afd["vaerdi"], s=6, color="#AAAAAA", lw=0,
               label=f"Hver afdeling ({afd['enhed_navn'].nunique()})")
    plan = rows[rows["niveau"] == "helhedsplan"]
    _share_series(ax, plan, OKABE_ITO[0], "Hele planen")
    _mark_hidden(ax, plan)
    if len(plan):
        b = plan.iloc[0]
        _baseline(ax, b["baseline_vaerdi"], int(b["baseline_aar"]),
                  formatting.pct(b["baseline_vaerdi"], 1))
    _pct_axis(ax, 0)
    ax.set_ylim(0, None)
    _years(ax, int(rows["aar"].min()), year)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.1), ncols=3, frameon=False, fontsize=8)
    fig.tight_layout()
    return fig


def livskvalitet(table: pd.DataFrame, year: int):
    rows = table[(table["indikator_id"] == "livskvalitet") & (table["aar"] <= year)]
    if not rows["maalt"].any():
        return None
    fig, ax = plt.subplots()
    levels = [("helhedsplan", OKABE_ITO[0]), ("sammenligning", OKABE_ITO[1])]
    for niveau, colour in levels:
        r = rows[rows["niveau"] == niveau]
        if len(r):
            # Dotted: the survey is not run every year, so the line only joins measurements.
            _share_series(ax, r, colour, r["enhed_navn"].iloc[0], line=":")
            _mark_hidden(ax, r, colour)
    main = rows[rows["niveau"] == "helhedsplan"].iloc[0]
    _baseline(ax, main["baseline_vaerdi"], int(main["baseline_aar"]),
              formatting.pct(main["baseline_vaerdi"], 0))
    _pct_axis(ax)
    ax.set_ylim(50, 100)
    _years(ax, int(rows["aar"].min()), year)
    ax.legend(loc="lower left", frameon=False)
    fig.tight_layout()
    return fig


def anmeldelser(table: pd.DataFrame, year: int):
    rows = table[(table["indikator_id"] == "anmeldelser") & (table["niveau"] == "helhedsplan")
                 & (table["aar"] <= year)]
    if not rows["maalt"].any():
        return None
    fig, ax = plt.subplots()
    measured = rows[rows["maalt"]]
    err = [measured["vaerdi"] - measured["ci_lav"], measured["ci_hoej"] - measured["vaerdi"]]
    ax.bar(measured["aar"], measured["vaerdi"], color=OKABE_ITO[0], width=0.6,
           label="Anmeldelser fra boligområderne")
    ax.errorbar(measured["aar"], measured["vaerdi"], yerr=err, fmt="none", ecolor="#333333",
                capsize=3)
    _mark_hidden(ax, measured)
    b = rows.iloc[0]
    _baseline(ax, b["baseline_vaerdi"], int(b["baseline_aar"]),
              formatting.number(b["baseline_vaerdi"]))
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: formatting.number(v)))
    ax.set_ylabel("Antal anmeldelser")
    ax.set_ylim(0, float(measured["ci_hoej"].max()) * 1.25)
    ax.legend(loc="upper left", frameon=False, ncols=2)
    _years(ax, int(rows["aar"].min()), year)
    fig.tight_layout()
    return fig


def activity_calendar(table: pd.DataFrame, year: int):
    """A month strip for the report year: network activity in the areas (filled), themed
    events (counted), events outside the areas (ring); months outside the plan are hatched."""
    from matplotlib.patches import Rectangle

    from .activities import MONTHS

    months = table[(table["delmaal_id"] == "aktiviteter") & (table["niveau"] == "måned")
                   & (table["aar"] == year)]
    if months.empty:
        return None
    value = {(r.indikator_id, int(r.enhed_navn[-2:])): (r.maalt, r.vaerdi)
             for r in months.itertuples()}
    fig, ax = plt.subplots(figsize=(7.2, 1.6))
    for i, m in enumerate(range(1, 13)):
        in_plan, network = value.get(("maaned_netvaerk", m), (False, 0))
        x = i + 0.46
        if not in_plan:
            ax.add_patch(Rectangle((i, 0), 0.92, 1, facecolor="white", edgecolor="#BBBBBB",
                                   hatch="///", lw=0.8))
        elif network > 0:
            ax.add_patch(Rectangle((i, 0), 0.92, 1, facecolor=OKABE_ITO[0], edgecolor="none"))
        else:
            ax.add_patch(Rectangle((i, 0), 0.92, 1, facecolor="white", edgecolor=OKABE_ITO[5],
                                   lw=1.6))
            ax.text(x, 0.5, "ingen", ha="center", va="center", fontsize=7.5, color=OKABE_ITO[5])
        themed = value.get(("maaned_tema", m), (False, 0))[1]
        if in_plan and themed:
            ax.text(x, 0.5, f"{int(themed)} tema", ha="center", va="center", fontsize=7.5,
                    color="white" if network > 0 else OKABE_ITO[5], fontweight="bold")
        if in_plan and value.get(("maaned_udenfor", m), (False, 0))[1]:
            ax.plot(x, 1.28, marker="o", ms=7, mfc="white", mec=OKABE_ITO[7], mew=2)
        ax.text(x, -0.25, MONTHS[m - 1], ha="center", va="center", fontsize=8)
    ax.set_xlim(-0.1, 12)
    ax.set_ylim(-0.5, 1.5)
    ax.axis("off")
    # Every mark is told apart by more than its colour (a word, hatching, a ring), and the
    # legend names the colours as they look: blue, vermilion ("rødorange"), black.
    fig.text(0.5, 0.02, "Blåt felt: netværksaktivitet i boligområderne (\"tema\": antal "
             "temaarrangementer). Rødorange kant og \"ingen\": ingen aktivitet. Skraveret: uden "
             "for helhedsplanens periode. Sort ring: temaarrangement uden for boligområderne.",
             ha="center", fontsize=7, color=BASELINE_COLOUR, wrap=True)
    fig.tight_layout(rect=(0, 0.12, 1, 1))
    return fig
