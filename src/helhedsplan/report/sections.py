"""What the report notebook shows: one section per delmål of the delaftale, from its configuration.

Each table and figure is shown as an output that carries its own cell options (a label and a
caption, in the output's metadata under FLOAT); the renderers give each such output a cell of
its own before rendering (render/notebook.py), so a section made in a loop gets numbered,
captioned tables and figures exactly as a hand-written cell would.
"""

from __future__ import annotations

import re

from .. import figures
from ..cells import FLOAT
from .activities import activity_log_summary, activity_table, activity_targets_text
from .appendix import slot, target_group_table
from .data import ReportData
from .delmaal import delmaal_text, development_table, status_table
from .overview import section_id


def show(markdown: str, options: dict | None = None) -> None:
    """Markdown as a notebook output; with `options` (label, tbl-cap) it is its own float."""
    # lazy: only a kernel shows output; the build process reads the report package without it
    from IPython.display import Markdown, display

    if markdown.strip():
        display(Markdown(markdown), metadata={FLOAT: options} if options else {})


def label(*parts: str) -> str:
    """A cell label from ids: 'tbl', 'beskaeftigede', 'udvikling' → 'tbl-beskaeftigede-udvikling'."""
    return "-".join(re.sub(r"[^a-z0-9]+", "-", p.lower()).strip("-") for p in parts if p)


def show_delmaal(data: ReportData) -> None:
    """Every delmål of the delaftale in turn, as the configuration lists them."""
    for delmaal in data.cfg.delmaal:
        show_section(data, delmaal)


def show_section(data: ReportData, delmaal) -> None:
    """One delmål: heading, its words, each indicator's tables and figure, the comment."""
    show(f"# {delmaal.overskrift or delmaal.kort_navn} {{#{section_id(delmaal)}}}")
    show(delmaal_text(data, delmaal))
    several = len(delmaal.indikatorer) > 1
    for ind in delmaal.indikatorer:
        if several:
            show(f"## {ind.navn}")
        if ind.type == "aktivitetsmaal":
            _activities(data, ind)
            continue
        _tables(data, ind.id, ind.navn)
        caption = (ind.figur.tekst if ind.figur and ind.figur.tekst
                   else f"{ind.navn} pr. år")
        figures.show_indicator(data, ind, label=label("fig", ind.id), caption=caption)
        share = getattr(ind, "andel_af", None)
        if share is not None:
            _tables(data, f"{ind.id}_andel", share.overskrift or share.indikator)
    show("## Bemærkning {.unnumbered .unlisted}")
    slot(f"bemaerkning:{delmaal.id}", data)


def _tables(data: ReportData, indikator_id: str, name: str) -> None:
    show(development_table(data, indikator_id),
         {"label": label("tbl", indikator_id, "udvikling"),
          "tbl-cap": f"{name}: udviklingen år for år"})
    show(status_table(data, indikator_id),
         {"label": label("tbl", indikator_id, "status"),
          "tbl-cap": f"{name}: seneste måling mod baseline"})


def _activities(data: ReportData, ind) -> None:
    show(activity_targets_text(data, ind))
    show(activity_table(data, ind), {"label": label("tbl", ind.id),
                                     "tbl-cap": f"{ind.navn} i kalenderåret og projektårene"})
    caption = (ind.figur.tekst if ind.figur and ind.figur.tekst
               else "Aktiviteter måned for måned")
    figures.show_indicator(data, ind, label=label("fig", ind.id), caption=caption)
    show(activity_log_summary(data, ind))


def show_target_group(data: ReportData) -> None:
    """The delaftale's dataoversigt, when it has one: who lives in the areas."""
    overview = data.cfg.dataoversigt
    if overview is None:
        return
    show("# Målgruppe")
    show((overview.tekst or "Tabellen viser beboerne i boligområderne efter "
          "Landsbyggefondens Beboerdata.") + "\n")
    show(target_group_table(data), {"label": "tbl-maalgruppe",
                                    "tbl-cap": "Beboere i boligområderne (seneste år med data)"})
