"""The board overview: every delmål's status across the helhedsplan's delaftaler, on one page.

Built from each delaftale's published indicator table, as page 1 of its report is: the same
headline figure and status word per indicator, with a link into the delaftale's HTML report and
the page of its section in the PDF.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from .. import indicators
from ..config import Config
from ..formatting import MISSING
from ..processed import read_inputs
from .activities import activity_status
from .data import (
    COMMENTS_SOURCE,
    HIDDEN,
    MARKERS,
    ReportData,
    count_noun,
    fmt_value,
    headlines,
    is_hidden,
    latest,
    target_suffix,
)
from .markdown import md_table

OVERVIEW = "samlet-status"  # reports/<år>/samlet-status.html and .pdf


def section_id(delmaal) -> str:
    """The HTML id of a delmål's section in its report (report.sections gives it)."""
    return f"delmaal-{delmaal.id}"


def published_data(root: Path, cfg: Config, year: int) -> ReportData:
    folder = Path(root) / "data" / "processed" / str(year) / cfg.id
    inputs = [i for i in read_inputs(folder) if i.get("kilde_id") != COMMENTS_SOURCE]
    return ReportData(cfg.for_report(year), year, indicators.read(folder), inputs)


def front_matter(cfgs: list[Config], year: int, report_date: dt.date | None) -> dict:
    hp = cfgs[0].helhedsplan
    meta = {"title": f"Samlet status {year}: {hp.navn}",
            "subtitle": f"Alle delaftaler i den boligsociale helhedsplan, {hp.kommune}",
            "lang": "da", "running-header": f"{hp.navn} · Samlet status {year}"}
    if report_date:
        meta["date"] = report_date.isoformat()
    return meta


def intro(cfgs: list[Config], year: int, example: bool) -> str:
    names = [c.navn for c in cfgs]
    text = (f"Status for hvert delmål i helhedsplanens {len(cfgs)} "
            f"{'delaftale' if len(cfgs) == 1 else 'delaftaler'} for **{year}**: den seneste "
            "måling og om ændringen fra baseline er større, end tilfældigheder kan forklare. "
            "Hver delaftales rapport har tallene pr. afdeling og boligområde, usikkerheden og "
            "årets bemærkninger; linket fører til afsnittet i HTML-rapporten, og siden er "
            "afsnittets side i PDF-rapporten. Delaftalerne: " + ", ".join(names) + ".\n")
    if example:
        text = ("::: {.callout-warning}\n**Eksempeldata.** Oversigten er bygget på opdigtede "
                "eksempeltal. Den må ikke bruges som status for helhedsplanen.\n:::\n\n" + text)
    return text


def delaftale_table(data: ReportData, pages: dict[str, int]) -> str:
    """One delaftale's delmål: latest measurement and status, with the way into the report."""
    body = []
    for h in headlines(data.cfg):
        link = (f"[{h.delmaal.overskrift or h.delmaal.kort_navn}]"
                f"({data.cfg.id}/statusrapport.html#{section_id(h.delmaal)})")
        page = pages.get(h.delmaal.id)
        where = link + (f" (PDF: side\u00a0{page})" if page else "")
        if h.ind.type == "aktivitetsmaal":
            got = activity_status(data, h.ind)
            body.append([h.delmaal.kort_navn, h.name,
                         f"kalenderår {data.year}" if got else "ikke målt",
                         got[1] if got else "", where])
            continue
        row = latest(data, h.indikator_id, h.niveau) if h.niveau else None
        if row is None:
            body.append([h.delmaal.kort_navn, h.name, "se rapporten" if h.niveau is None
                         else "ikke målt", MISSING, where])
            continue
        noun = count_noun(h.ind) if row["enhed"] != "pct." else ""
        value = f"{fmt_value(row)}{noun if not is_hidden(row) else ''} ({int(row['aar'])})"
        status = (HIDDEN if is_hidden(row) else MARKERS.get(row["status"],
                                                             row["status"].capitalize())
                  + target_suffix(row))
        body.append([h.delmaal.kort_navn, h.name, value.replace(" (", "\u00a0(", 1), status,
                     where])
    return md_table(["Delmål", "Indikator", "Seneste måling", "Status", "I rapporten"], body,
                    [20, 20, 18, 22, 20], right={2})
