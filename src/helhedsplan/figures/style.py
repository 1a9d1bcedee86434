"""What every figure shares: two sizes (print and phone), the palette, axes and legends, and
showing a figure in the notebook."""

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
from matplotlib.ticker import FuncFormatter, MaxNLocator
from matplotlib.transforms import offset_copy
from matplotlib_inline.backend_inline import set_matplotlib_formats

from .. import formatting
from ..cells import FLOAT

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
class Style:
    """Font sizes (pt) and layout for one size of a figure."""

    phone: bool
    text: float      # tick labels, panel titles, legends
    small: float     # notes in the plot ("vises ikke", the calendar's words)
    note: float      # the explanation under a figure

    def wrap(self, text: str, width: int) -> str:
        return "\n".join(textwrap.wrap(text, width)) if self.phone else text


PRINT = Style(phone=False, text=9.5, small=7, note=8)


PHONE = Style(phone=True, text=10.5, small=10.5, note=10.5)


def style_for(phone: bool) -> Style:
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


def show(make, table: pd.DataFrame, year: int, *, alt: str, options: dict | None = None) -> None:
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
    # `options`: the cell options the figure is rendered with (label, fig-cap), when the report
    # notebook shows several figures from one cell (render/notebook.py gives each its cell)
    meta = {"fig-alt": alt, **({FLOAT: options} if options else {})}
    display({"image/svg+xml": print_svg, "text/html": picture_html(print_svg, phone_svg, alt),
             "text/plain": alt}, raw=True, metadata=meta)


def pct_axis(ax, st: Style = PRINT, label: bool = True):
    # Whole-number ticks, so a rounded label never claims a value the tick is not at.
    ax.yaxis.set_major_locator(MaxNLocator(integer=True, nbins=4 if st.phone else 6))
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: formatting.number(v, 0)))
    if label:
        ax.set_ylabel("Procent", fontsize=st.text)


def value_axis(ax, st: Style, share: bool, label: bool = True):
    """Per cent for a share; a count's axis says 'Antal' with Danish thousands."""
    if share:
        pct_axis(ax, st, label)
        return
    ax.yaxis.set_major_locator(MaxNLocator(integer=True, nbins=4 if st.phone else 6))
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: formatting.number(v, 0)))
    if label:
        ax.set_ylabel("Antal", fontsize=st.text)


def layout(fig, st: Style, phone: dict, **tight):
    """Print: tight_layout. Phone: fixed margins (``phone``, subplots_adjust's), since the
    SVG is cut to its contents anyway (bbox_inches="tight") and tight_layout would cost a
    third of the phone figure's time; the margins leave room for the 10,5 pt labels."""
    if st.phone:
        fig.subplots_adjust(**phone)
    else:
        fig.tight_layout(**tight)


def ticks(ax, st: Style):
    if st.phone:
        ax.tick_params(labelsize=st.text)


def share_series(ax, rows: pd.DataFrame, colour: str, label: str, line: str = "-"):
    """Measured years only (never zero for a year without data), with 95 pct. whiskers."""
    measured = rows[rows["maalt"] & rows["vaerdi"].notna()]
    err = [measured["vaerdi"] - measured["ci_lav"], measured["ci_hoej"] - measured["vaerdi"]]
    ax.errorbar(measured["aar"], measured["vaerdi"], yerr=err, fmt="o" + line, color=colour,
                capsize=3, label=label, lw=1.6, ms=5)


def mark_hidden(ax, rows: pd.DataFrame, colour: str = BASELINE_COLOUR, st: Style = PRINT):
    """A hidden measurement (discretion) is not drawn; the year says "vises ikke" instead, so
    a gap is not read as "not measured" or as zero."""
    for year in rows.loc[rows["undertrykt"].fillna(False).astype(bool), "aar"]:
        ax.annotate("vises\nikke", (int(year), 0), xycoords=("data", "axes fraction"),
                    xytext=(0, 3), textcoords="offset points", ha="center", va="bottom",
                    fontsize=st.small, color=colour)


def baseline_line(ax, value: float, year: int, text: str):
    """The baseline as a dashed line, named in the legend (a label on the line can hide
    behind bars and points)."""
    ax.axhline(value, color=BASELINE_COLOUR, ls="--", lw=1, label=f"Baseline {year}: {text}")


def year_axis(ax, first: int, last: int, st: Style = PRINT):
    """A tick each year; on a phone more than four years are labelled every other year,
    counted back from the report year, and the first year always has its label too (its
    neighbour gives way), so the axis says where the series starts (issue 21.7)."""
    ax.set_xlim(first - 0.4, last + 0.4)
    years = list(range(first, last + 1))
    ax.set_xticks(years)
    if st.phone and len(years) > 4:
        shown = {y for y in years if (last - y) % 2 == 0} | {first}
        if (last - first) % 2:  # the first year's neighbour would crowd it
            shown.discard(first + 1)
        ax.set_xticklabels([str(y) if y in shown else "" for y in years])


PHONE_SINGLE = {"left": 0.22, "right": 0.96, "bottom": 0.14, "top": 0.96}


def legend_below(ax, st: Style, ncols: int = 1):
    """A phone figure's legend: under the year labels, one entry a line, never over the data
    (placed in points from the plot's corner, so it clears the labels at any plot height)."""
    ax.legend(loc="upper left", bbox_to_anchor=(0, 0), ncols=ncols, frameon=False,
              bbox_transform=offset_copy(ax.transAxes, fig=ax.figure, x=-40, y=-24,
                                         units="points"),
              fontsize=st.text, borderaxespad=0, handlelength=1.6)


_NUMBER_WORDS = {1: "ét", 2: "to", 3: "tre", 4: "fire", 5: "fem", 6: "seks", 7: "syv",
                 8: "otte", 9: "ni", 10: "ti", 11: "elleve", 12: "tolv"}


def count_word(n: int) -> str:
    return _NUMBER_WORDS.get(n, formatting.number(n))


def and_list(items: list[str]) -> str:
    items = [str(i) for i in items]
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " og " + items[-1]


def hidden_years_text(rows: pd.DataFrame) -> str:
    hidden = rows.loc[rows["undertrykt"].fillna(False).astype(bool), "aar"]
    if hidden.empty:
        return ""
    years = and_list(sorted({str(int(y)) for y in hidden}))
    return (f" Tal, der ikke vises af hensyn til diskretion ({years}), er markeret med "
            "'vises ikke'.")


def rows_of(table: pd.DataFrame, indikator_id: str, year: int) -> pd.DataFrame:
    return table[(table["indikator_id"] == indikator_id) & (table["aar"] <= year)]
