"""Page 1: the title block, the example-data banner, the introduction and every delmål's status."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from ..config import Config
from ..formatting import MISSING
from .activities import activity_summary_line
from .data import (
    COUNT_NOUN,
    HEADLINE,
    HIDDEN,
    MARKERS,
    ReportData,
    fmt_baseline,
    fmt_change,
    fmt_value,
    is_hidden,
    latest,
)
from .markdown import md_table, unbroken_units
from .notes import report_year_absences, rounding_note, suppression_note


def project_years_text(cfg: Config, year: int) -> str:
    hp = cfg.helhedsplan
    start, end = hp.periode_fra, hp.periode_til
    if year < start.year:
        return (f"{year} ligger før helhedsplanens start ({start.day}.{start.month}.{start.year})"
                " og er et baseline- eller før-år.")
    years = sorted({n for d in (dt.date(year, 1, 1), dt.date(year, 12, 31))
                    if (n := cfg.project_year(d)) is not None})
    if not years:
        return f"{year} ligger efter helhedsplanens afslutning ({end.day}.{end.month}.{end.year})."
    # A project year runs 1 September–31 August, so a calendar year holds the last months of
    # one and the first months of the next, never a whole one.
    labels = " og ".join(
        ("begyndelsen af " if start.year + n - 1 == year else "slutningen af ")
        + cfg.project_year_label(n) for n in years)
    started = (f" Helhedsplanen startede {start.day}.{start.month}.{start.year}."
               if year == start.year else "")
    return f"Kalenderåret {year} omfatter {labels}.{started}"


def front_matter(cfg: Config, year: int, report_date: dt.date | None = None) -> dict:
    """The title block. The date is the analyst's report date (rapportdato in the year's
    bemaerkninger.md), never the day of the build: the same inputs give the same report."""
    hp = cfg.helhedsplan
    meta = {
        "title": f"Statusrapport {year}: {cfg.delaftale.navn}",
        "subtitle": f"Den boligsociale helhedsplan {hp.navn}, {hp.kommune}",
        "lang": "da",
        "running-header": f"{hp.navn} · Statusrapport {year}",
    }
    if report_date:
        meta["date"] = report_date.isoformat()  # ISO, as Quarto wants; each renderer formats it
    return meta


def banner(data: ReportData) -> str:
    if data.cfg.syntetisk:
        return ("::: {.callout-warning}\n**Syntetiske data.** Rapporten er bygget på et "
                "tilfældigt skalatilfælde (helhedsplan.synthetic): konfigurationen, "
                "boligområderne, afdelingerne og alle tal er opdigtede. Den må aldrig bruges som "
                "status for en helhedsplan.\n:::\n")
    if not data.example:
        return ""
    return ("::: {.callout-warning}\n**Eksempeldata.** Rapporten er bygget på opdigtede "
            "eksempeltal (kun baselineårenes tal er delaftalens egne). Den må ikke bruges som "
            "status for helhedsplanen.\n:::\n")


def intro(data: ReportData) -> str:
    hp = data.cfg.helhedsplan
    return (f"Rapporten følger op på delaftalen **{data.cfg.delaftale.navn}** i den boligsociale "
            f"helhedsplan **{hp.navn}** ({hp.kommune}, {hp.periode_fra.day}.{hp.periode_fra.month}."
            f"{hp.periode_fra.year}–{hp.periode_til.day}.{hp.periode_til.month}."
            f"{hp.periode_til.year}) for **{data.year}**. {project_years_text(data.cfg, data.year)}"
            "\n")


def summary(data: ReportData) -> str:
    """Page 1: one line per delmål, baseline → latest value, change and status word."""
    body = []
    for d in data.cfg.delmaal:
        indikator_id, niveau = HEADLINE[d.id]
        row = latest(data, indikator_id, niveau)
        if row is None:
            body.append([d.kort_navn, d.indikator, MISSING, "ikke målt", MISSING, ""])
            continue
        status = MARKERS.get(row["status"], row["status"].capitalize())
        noun = f"\u00a0{COUNT_NOUN[d.id]}" if row["enhed"] != "pct." and d.id in COUNT_NOUN else ""
        change = fmt_change(row)
        cells = [fmt_baseline(row, noun=noun),
                 f"{fmt_value(row)}{noun if not is_hidden(row) else ''} ({int(row['aar'])})",
                 change + (noun if change not in (MISSING, HIDDEN) else "")]
        # A figure stays whole with its unit; a narrow column breaks before the year only
        # (statusrapport.css lets this table's cells wrap).
        body.append([d.kort_navn, d.indikator, *[unbroken_units(c) for c in cells], status])
    lines = [md_table(["Delmål", "Indikator", "Baseline", "Seneste måling", "Ændring",
                       "Status"], body, [18, 17, 16, 17, 20, 18], right={2, 3, 4})]
    headline = [latest(data, *HEADLINE[d.id]) for d in data.cfg.delmaal]
    rounding = rounding_note([r for r in headline if r is not None])
    if rounding:
        lines += ["", rounding]
    hidden_note = suppression_note(data, pd.DataFrame([r for r in headline if r is not None]))
    if hidden_note:
        lines += ["", hidden_note.rstrip("\n")]
    absent = report_year_absences(data)
    if absent:
        lines += [line for a in absent for line in ("", a)]  # plain notes, not bullets
    activity_line = activity_summary_line(data)
    if activity_line:
        lines += ["", activity_line]
    lines.append("")
    lines.append("*Status* siger, om ændringen fra baseline er større, end tilfældigheder kan "
                 "forklare (95\u00a0pct. sikkerhed), og om den går i delmålets retning. For "
                 "anmeldelser til politiet er *flere* anmeldelser målet.")
    return "\n".join(lines) + "\n"
