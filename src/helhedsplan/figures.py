"""Charts of each indicator's development since baseline (matplotlib, colour-blind-safe).

Each chart comes in two sizes from the same data: the print figure (A4 PDF, Word, a desktop
browser) and a phone figure for screens up to 960 px wide (phones upright and on their side,
tablets held upright): narrower, with larger text,
small multiples two to a row and legends below the plot, so that at 360–390 px its text is
at least as large as the report's smallest body text (about 15 px). :func:`show` puts both in
one notebook output, with an alt text computed from the same data (``*_alt``).
"""

from __future__ import annotations

import base64
import html
import textwrap
from dataclasses import dataclass

import matplotlib
import matplotlib.pyplot as plt
import pandas as pd
from IPython.core.pylabtools import print_figure
from IPython.display import display
from matplotlib.patches import Rectangle
from matplotlib.ticker import FuncFormatter, MaxNLocator
from matplotlib.transforms import offset_copy
from matplotlib_inline.backend_inline import set_matplotlib_formats

from . import formatting
from .activities import MONTHS, month_label

# Okabe–Ito: distinguishable with the common colour-vision deficiencies.
OKABE_ITO = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"]
BASELINE_COLOUR = "#555555"
MAX_PANELS = 6  # small multiples up to this many; more afdelinger get one chart (no line each)

# The phone figure: about 3 inches wide, no text under 10,5 pt. Shown 331–361 px wide at
# 360–390 px (the report's side padding), 10,5 pt becomes 15–17 px; the smallest body text
# there is the figure caption, 0.92 × 16 px = 14.7 px. (What counts is the ratio of text
# size to figure width: the SVG is scaled to the column.)
PHONE_WIDTH = 3.0
# Phones upright (360–430 px) and on their side (640–932 px), and tablets held upright
# (744–834 px): the print figure there would have 7,5–10,7 px text. Printing from a browser
# keeps the print figure ("screen"). statusrapport.css sizes the picture by the same query.
PHONE_MEDIA = "screen and (max-width: 960px)"


@dataclass(frozen=True)
class _Style:
    """Font sizes (pt) and layout for one size of a figure."""

    phone: bool
    text: float      # tick labels, panel titles, legends
    small: float     # notes in the plot ("vises ikke", the calendar's words)
    note: float      # the explanation under a figure

    def wrap(self, text: str, width: int) -> str:
        return "\n".join(textwrap.wrap(text, width)) if self.phone else text


PRINT = _Style(phone=False, text=9.5, small=7, note=8)
PHONE = _Style(phone=True, text=10.5, small=10.5, note=10.5)


def _style(phone: bool) -> _Style:
    return PHONE if phone else PRINT


def setup() -> None:
    """Vector figures (SVG) in the notebook; sharp when printed, small in the HTML."""
    set_matplotlib_formats("svg", metadata={"Date": None})  # no clock time in the SVG
    plt.rcParams.update({
        "figure.figsize": (7.0, 3.4), "font.size": PRINT.text, "axes.spines.top": False,
        "axes.spines.right": False, "axes.grid": True, "grid.alpha": 0.3,
        "axes.prop_cycle": matplotlib.cycler(color=OKABE_ITO), "svg.hashsalt": "helhedsplan",
        "svg.fonttype": "path",
    })


# --------------------------------------------------------------------------------------
# One figure, two sizes, one output
# --------------------------------------------------------------------------------------


def svg(fig) -> str:
    """The figure as SVG text, as the notebook's inline backend writes it (tight box, no
    clock time)."""
    return print_figure(fig, "svg", bbox_inches="tight", base64=False, metadata={"Date": None})


def picture_html(print_svg: str, phone_svg: str, alt: str) -> str:
    """The HTML of a figure in both sizes: the browser shows the phone figure at
    :data:`PHONE_MEDIA` and the print figure otherwise. One <img>, so one alt text that every
    reader gets, whichever size is shown."""
    def uri(text: str) -> str:
        return "data:image/svg+xml;base64," + base64.b64encode(text.encode("utf-8")).decode()

    return (f'<picture class="sr-figur"><source media="{PHONE_MEDIA}" srcset="{uri(phone_svg)}" '
            f'type="image/svg+xml"><img src="{uri(print_svg)}" alt="{html.escape(alt)}">'
            "</picture>")


def show(make, table: pd.DataFrame, year: int, *, alt: str) -> None:
    """Show ``make(table, year)`` in the notebook as one output that holds both sizes: SVG of
    the print figure (the PDF and Word take this), HTML with the phone figure as well (the
    HTML report takes this; both renderers prefer text/html there) and the alt text, which
    is also in the output's metadata as ``fig-alt`` (the renderer gives it to the PDF).
    Nothing is shown when there is nothing to draw."""
    fig = make(table, year)
    if fig is None:
        return
    try:
        print_svg = svg(fig)
    finally:
        plt.close(fig)
    with plt.rc_context({"font.size": PHONE.text}):
        phone = make(table, year, phone=True)
        try:
            phone_svg = svg(phone)
        finally:
            plt.close(phone)
    display({"image/svg+xml": print_svg, "text/html": picture_html(print_svg, phone_svg, alt),
             "text/plain": alt}, raw=True, metadata={"fig-alt": alt})


# --------------------------------------------------------------------------------------
# Shared pieces
# --------------------------------------------------------------------------------------


def _pct_axis(ax, st: _Style = PRINT, label: bool = True):
    # Whole-number ticks, so a rounded label never claims a value the tick is not at.
    ax.yaxis.set_major_locator(MaxNLocator(integer=True, nbins=4 if st.phone else 6))
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: formatting.number(v, 0)))
    if label:
        ax.set_ylabel("Procent", fontsize=st.text)


def _layout(fig, st: _Style, phone: dict, **tight):
    """Print: tight_layout. Phone: fixed margins (``phone``, subplots_adjust's), since the
    SVG is cut to its contents anyway (bbox_inches="tight") and tight_layout would cost a
    third of the phone figure's time; the margins leave room for the 10,5 pt labels."""
    if st.phone:
        fig.subplots_adjust(**phone)
    else:
        fig.tight_layout(**tight)


def _ticks(ax, st: _Style):
    if st.phone:
        ax.tick_params(labelsize=st.text)


def _share_series(ax, rows: pd.DataFrame, colour: str, label: str, line: str = "-"):
    """Measured years only (never zero for a year without data), with 95 pct. whiskers."""
    measured = rows[rows["maalt"] & rows["vaerdi"].notna()]
    err = [measured["vaerdi"] - measured["ci_lav"], measured["ci_hoej"] - measured["vaerdi"]]
    ax.errorbar(measured["aar"], measured["vaerdi"], yerr=err, fmt="o" + line, color=colour,
                capsize=3, label=label, lw=1.6, ms=5)


def _mark_hidden(ax, rows: pd.DataFrame, colour: str = BASELINE_COLOUR, st: _Style = PRINT):
    """A hidden measurement (discretion) is not drawn; the year says "vises ikke" instead, so
    a gap is not read as "not measured" or as zero."""
    for year in rows.loc[rows["undertrykt"].fillna(False).astype(bool), "aar"]:
        ax.annotate("vises\nikke", (int(year), 0), xycoords=("data", "axes fraction"),
                    xytext=(0, 3), textcoords="offset points", ha="center", va="bottom",
                    fontsize=st.small, color=colour)


def _baseline(ax, value: float, year: int, text: str):
    """The baseline as a dashed line, named in the legend (a label on the line can hide
    behind bars and points)."""
    ax.axhline(value, color=BASELINE_COLOUR, ls="--", lw=1, label=f"Baseline {year}: {text}")


def _years(ax, first: int, last: int, st: _Style = PRINT):
    """A tick each year; on a phone more than four years are labelled every other year,
    counted back from the report year (so it always has its label)."""
    ax.set_xlim(first - 0.4, last + 0.4)
    years = list(range(first, last + 1))
    ax.set_xticks(years)
    if st.phone and len(years) > 4:
        ax.set_xticklabels([str(y) if (last - y) % 2 == 0 else "" for y in years])


_PHONE_SINGLE = {"left": 0.22, "right": 0.96, "bottom": 0.14, "top": 0.96}


def _legend_below(ax, st: _Style, ncols: int = 1):
    """A phone figure's legend: under the year labels, one entry a line, never over the data
    (placed in points from the plot's corner, so it clears the labels at any plot height)."""
    ax.legend(loc="upper left", bbox_to_anchor=(0, 0), ncols=ncols, frameon=False,
              bbox_transform=offset_copy(ax.transAxes, fig=ax.figure, x=-40, y=-24,
                                         units="points"),
              fontsize=st.text, borderaxespad=0, handlelength=1.6)


_NUMBER_WORDS = {1: "ét", 2: "to", 3: "tre", 4: "fire", 5: "fem", 6: "seks", 7: "syv",
                 8: "otte", 9: "ni", 10: "ti", 11: "elleve", 12: "tolv"}


def _count(n: int) -> str:
    return _NUMBER_WORDS.get(n, formatting.number(n))


def _and(items: list[str]) -> str:
    items = [str(i) for i in items]
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " og " + items[-1]


def _hidden_years_text(rows: pd.DataFrame) -> str:
    hidden = rows.loc[rows["undertrykt"].fillna(False).astype(bool), "aar"]
    if hidden.empty:
        return ""
    years = _and(sorted({str(int(y)) for y in hidden}))
    return (f" Tal, der ikke vises af hensyn til diskretion ({years}), er markeret med "
            "'vises ikke'.")


# --------------------------------------------------------------------------------------
# The figures
# --------------------------------------------------------------------------------------


def _attendance_rows(table: pd.DataFrame, year: int) -> pd.DataFrame:
    return table[(table["indikator_id"] == "deltagelse") & (table["aar"] <= year)]


def attendance(table: pd.DataFrame, year: int, phone: bool = False):
    """Small multiples: one panel per afdeling and one for the whole helhedsplan; in a row
    in print, two to a row on a phone."""
    st = _style(phone)
    rows = _attendance_rows(table, year)
    if not rows["maalt"].any():
        return None
    units = list(dict.fromkeys(rows["enhed_navn"]))  # afdelinger first, then the helhedsplan
    if len(units) > MAX_PANELS:
        return _attendance_many(rows, year, st)
    if phone:
        ncols = min(2, len(units))
        nrows = -(-len(units) // ncols)
        fig, grid = plt.subplots(nrows, ncols, figsize=(PHONE_WIDTH, 1.5 * nrows + 0.2),
                                 sharey=True, squeeze=False)
    else:
        fig, grid = plt.subplots(1, len(units), figsize=(7.2, 2.7), sharey=True, squeeze=False)
    axes = list(grid.flat)
    for ax in axes[len(units):]:
        fig.delaxes(ax)
    top = rows["ci_hoej"].max()
    for i, (ax, unit) in enumerate(zip(axes, units, strict=False)):
        r = rows[rows["enhed_navn"] == unit]
        _share_series(ax, r, OKABE_ITO[i], unit)
        _mark_hidden(ax, r, st=st)
        b = r.iloc[0]
        ax.axhline(b["baseline_vaerdi"], color=BASELINE_COLOUR, ls="--", lw=1)
        ax.set_title("Hele helhedsplanen" if b["niveau"] == "helhedsplan" else unit,
                     fontsize=st.text if phone else 9)
        ax.set_xticks([int(r["aar"].min()), int(r["aar"].max())])
        ax.set_ylim(0, top * 1.1 if pd.notna(top) else None)
        _ticks(ax, st)
        if phone:
            ax.set_xlim(int(r["aar"].min()) - 0.6, int(r["aar"].max()) + 0.6)
    _pct_axis(axes[0], st, label=not phone)
    note = (f"Stiplet linje: baseline {int(rows['baseline_aar'].min())}. Lodrette streger: "
            "95 pct. usikkerhed.")
    if phone:
        fig.supylabel("Procent", fontsize=st.text, x=0.01)
        _layout(fig, st, {"left": 0.2, "right": 0.93, "bottom": 0.07, "top": 0.95,
                          "wspace": 0.3, "hspace": 0.65})
        fig.text(0.02, 0, st.wrap(note, 32), ha="left", va="top", fontsize=st.note,
                 color=BASELINE_COLOUR)
    else:
        fig.text(0.5, -0.02, note, ha="center", fontsize=st.note, color=BASELINE_COLOUR)
        fig.tight_layout()
    return fig


def attendance_alt(table: pd.DataFrame, year: int) -> str:
    """The attendance figure in words, from the data it is drawn from."""
    rows = _attendance_rows(table, year)
    if not rows["maalt"].any():
        return ""
    units = list(dict.fromkeys(rows["enhed_navn"]))
    afd = rows[rows["niveau"] == "afdeling"]
    numbers = [str(a).removeprefix("Afd. ") for a in dict.fromkeys(afd["enhed_navn"])]
    first, base = int(rows["aar"].min()), int(rows["baseline_aar"].min())
    what = ("andelen af beboere over 18 år, som deltog i afdelingsmødet, hvert år fra "
            f"{first} til {year}")
    if len(units) > MAX_PANELS:
        return (f"Punktdiagram over {what}: hele helhedsplanen som punkter med 95 pct. "
                f"usikkerhed som lodrette streger, og hver af de {formatting.number(len(numbers))} "
                f"afdelinger som en lille grå prik pr. år. Baseline {base} er en stiplet vandret "
                "linje." + _hidden_years_text(rows))
    panels = "Ét lille punktdiagram" if len(units) == 1 else \
        f"{_count(len(units)).capitalize()} små punktdiagrammer"
    parts = []
    if numbers:
        parts.append(f"ét pr. afdeling (afd. {_and(numbers)})" if len(numbers) > 1
                     else f"ét for afd. {numbers[0]}")
    if (rows["niveau"] == "helhedsplan").any():
        parts.append("ét for hele helhedsplanen")
    return (f"{panels}, {' og '.join(parts)}, der viser {what}, med 95 pct. usikkerhed som "
            f"lodrette streger og baseline {base} som stiplet vandret linje."
            + _hidden_years_text(rows))


def _attendance_many(rows: pd.DataFrame, year: int, st: _Style = PRINT):
    """Too many afdelinger for a panel each: the whole plan as a series, every afdeling as a
    small grey dot per year (never a line each); the numbers per afdeling are in the appendix."""
    fig, ax = plt.subplots(figsize=(PHONE_WIDTH, 2.6) if st.phone else (7.0, 3.0))
    afd = rows[(rows["niveau"] == "afdeling") & rows["maalt"] & rows["vaerdi"].notna()]
    spread = (afd["afdeling"].astype(float) % 7 - 3) * 0.05  # a little jitter, the same each run
    ax.scatter(afd["aar"] + spread, afd["vaerdi"], s=6, color="#AAAAAA", lw=0,
               label=f"Hver afdeling ({afd['enhed_navn'].nunique()})")
    plan = rows[rows["niveau"] == "helhedsplan"]
    _share_series(ax, plan, OKABE_ITO[0], "Hele helhedsplanen")
    _mark_hidden(ax, plan, st=st)
    if len(plan):
        b = plan.iloc[0]
        _baseline(ax, b["baseline_vaerdi"], int(b["baseline_aar"]),
                  formatting.pct(b["baseline_vaerdi"], 1))
    _pct_axis(ax, st)
    ax.set_ylim(0, None)
    _years(ax, int(rows["aar"].min()), year, st)
    _ticks(ax, st)
    if st.phone:
        _legend_below(ax, st)
    else:
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.1), ncols=3, frameon=False,
                  fontsize=8)
    _layout(fig, st, _PHONE_SINGLE)
    return fig


def _livskvalitet_rows(table: pd.DataFrame, year: int) -> pd.DataFrame:
    return table[(table["indikator_id"] == "livskvalitet") & (table["aar"] <= year)]


def livskvalitet(table: pd.DataFrame, year: int, phone: bool = False):
    st = _style(phone)
    rows = _livskvalitet_rows(table, year)
    if not rows["maalt"].any():
        return None
    fig, ax = plt.subplots(figsize=(PHONE_WIDTH, 2.6) if phone else None)
    levels = [("helhedsplan", OKABE_ITO[0]), ("sammenligning", OKABE_ITO[1])]
    for niveau, colour in levels:
        r = rows[rows["niveau"] == niveau]
        if len(r):
            # Dotted: the survey is not run every year, so the line only joins measurements.
            _share_series(ax, r, colour, r["enhed_navn"].iloc[0], line=":")
            _mark_hidden(ax, r, colour, st)
    main = rows[rows["niveau"] == "helhedsplan"].iloc[0]
    _baseline(ax, main["baseline_vaerdi"], int(main["baseline_aar"]),
              formatting.pct(main["baseline_vaerdi"], 0))
    _pct_axis(ax, st)
    ax.set_ylim(50, 100)
    _years(ax, int(rows["aar"].min()), year, st)
    _ticks(ax, st)
    if phone:
        _legend_below(ax, st)
    else:
        ax.legend(loc="lower left", frameon=False)
    _layout(fig, st, _PHONE_SINGLE)
    return fig


def livskvalitet_alt(table: pd.DataFrame, year: int) -> str:
    rows = _livskvalitet_rows(table, year)
    if not rows["maalt"].any():
        return ""
    shown = rows[rows["niveau"].isin(["helhedsplan", "sammenligning"])]
    groups = [("helhedsplanen" if n == "helhedsplan" else str(name))
              for n, name in dict.fromkeys(zip(shown["niveau"], shown["enhed_navn"],
                                                strict=True))]
    measured = sorted({int(y) for y in shown.loc[shown["maalt"].astype(bool), "aar"]})
    main = rows[rows["niveau"] == "helhedsplan"].iloc[0]
    return ("Punktdiagram over andelen af beboere, der er meget tilfredse eller tilfredse med "
            f"deres livskvalitet, i {_and(groups)} i de år, hvor der er målt "
            f"({_and([str(y) for y in measured])}), med 95 pct. usikkerhed som lodrette "
            f"streger og baseline {int(main['baseline_aar'])} "
            f"({formatting.pct(main['baseline_vaerdi'], 0)}) som stiplet vandret linje."
            + _hidden_years_text(shown))


def _anmeldelser_rows(table: pd.DataFrame, year: int) -> pd.DataFrame:
    return table[(table["indikator_id"] == "anmeldelser") & (table["niveau"] == "helhedsplan")
                 & (table["aar"] <= year)]


def anmeldelser(table: pd.DataFrame, year: int, phone: bool = False):
    st = _style(phone)
    rows = _anmeldelser_rows(table, year)
    if not rows["maalt"].any():
        return None
    fig, ax = plt.subplots(figsize=(PHONE_WIDTH, 2.6) if phone else None)
    measured = rows[rows["maalt"]]
    err = [measured["vaerdi"] - measured["ci_lav"], measured["ci_hoej"] - measured["vaerdi"]]
    ax.bar(measured["aar"], measured["vaerdi"], color=OKABE_ITO[0], width=0.6,
           label="Anmeldelser fra boligområderne")
    ax.errorbar(measured["aar"], measured["vaerdi"], yerr=err, fmt="none", ecolor="#333333",
                capsize=3)
    _mark_hidden(ax, measured, st=st)
    b = rows.iloc[0]
    _baseline(ax, b["baseline_vaerdi"], int(b["baseline_aar"]),
              formatting.number(b["baseline_vaerdi"]))
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: formatting.number(v)))
    if phone:
        ax.yaxis.set_major_locator(MaxNLocator(nbins=4))
    ax.set_ylabel("Antal anmeldelser", fontsize=st.text)
    ax.set_ylim(0, float(measured["ci_hoej"].max()) * (1.1 if phone else 1.25))
    _years(ax, int(rows["aar"].min()), year, st)
    _ticks(ax, st)
    if phone:
        _legend_below(ax, st)
    else:
        ax.legend(loc="upper left", frameon=False, ncols=2)
    _layout(fig, st, _PHONE_SINGLE)
    return fig


def anmeldelser_alt(table: pd.DataFrame, year: int) -> str:
    rows = _anmeldelser_rows(table, year)
    if not rows["maalt"].any():
        return ""
    areas = table.loc[(table["indikator_id"] == "anmeldelser")
                      & (table["niveau"] == "boligområde"), "enhed_navn"].nunique()
    where = f"de {_count(areas)} boligområder tilsammen" if areas > 1 else "boligområderne"
    b = rows.iloc[0]
    return (f"Søjlediagram over antallet af anmeldelser til politiet fra {where} pr. år fra "
            f"{int(rows['aar'].min())} til {year}, med 95 pct. usikkerhed som lodrette streger "
            f"og baseline {int(b['baseline_aar'])} ({formatting.number(b['baseline_vaerdi'])} "
            "anmeldelser) som stiplet vandret linje." + _hidden_years_text(rows[rows["maalt"]]))


def _month_values(table: pd.DataFrame, year: int) -> dict | None:
    months = table[(table["delmaal_id"] == "aktiviteter") & (table["niveau"] == "måned")
                   & (table["aar"] == year)]
    if months.empty:
        return None
    return {(r.indikator_id, int(r.enhed_navn[-2:])): (r.maalt, r.vaerdi)
            for r in months.itertuples()}


_CALENDAR_KEY = ("Blåt felt: netværksaktivitet i boligområderne (“tema”: antal "
                 "temaarrangementer). Rødorange kant og “ingen”: ingen aktivitet. Skraveret: "
                 "uden for helhedsplanens periode. Sort ring: temaarrangement uden for "
                 "boligområderne.")


def activity_calendar(table: pd.DataFrame, year: int, phone: bool = False):
    """A month strip for the report year: network activity in the areas (filled), themed
    events (counted), events outside the areas (ring); months outside the plan are hatched.
    In print one row of twelve months, on a phone three rows of four."""
    st = _style(phone)
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
    # Every mark is told apart by more than its colour (a word, hatching, a ring), and the
    # legend names the colours as they look: blue, vermilion ("rødorange"), black.
    if phone:
        _layout(fig, st, {"left": 0.02, "right": 0.98, "bottom": 0.02, "top": 0.98})
        fig.text(0.02, 0, st.wrap(_CALENDAR_KEY, 32), ha="left", va="top", fontsize=st.note,
                 color=BASELINE_COLOUR)
    else:
        fig.text(0.5, 0.02, _CALENDAR_KEY, ha="center", fontsize=st.small,
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
    outside = sum(1 for m in plan if value.get(("maaned_udenfor", m), (False, 0))[1])
    text = (f"Kalenderstribe med årets tolv måneder i {year}. Blå felter er måneder med "
            "netværksaktivitet i boligområderne, felter med rødorange kant og teksten ingen er "
            "måneder uden, skraverede felter ligger uden for helhedsplanens periode; tallet i "
            "feltet er antal temaarrangementer, og en sort ring over feltet markerer et "
            "temaarrangement uden for boligområderne. "
            f"Netværksaktivitet i {formatting.number(len(active))} af "
            f"{formatting.number(len(plan))} måneder i helhedsplanens periode")
    text += f" (ingen i {_and(without)})" if without else ""
    return (text + f"; {formatting.number(themed)} temaarrangementer i alt; "
            f"{formatting.number(outside)} "
            f"{'måned' if outside == 1 else 'måneder'} med temaarrangement uden for "
            "boligområderne.")
