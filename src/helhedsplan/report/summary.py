"""Page 1: the title block, the example-data banner, the introduction and every delmål's status."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from ..config import Config
from ..formatting import MISSING, day, mid_sentence
from ..slots import front_matter  # noqa: F401
from .activities import activity_status
from .data import (
    HIDDEN,
    MARKERS,
    PLURAL,
    ReportData,
    count_noun,
    fmt_baseline,
    fmt_change,
    fmt_value,
    headlines,
    is_hidden,
    latest,
    target_suffix,
)
from .markdown import and_list, md_table, unbroken_units
from .notes import report_year_absences, rounding_note, suppression_note


def project_years_text(cfg: Config, year: int) -> str:
    hp = cfg.helhedsplan
    start, end = hp.periode_fra, hp.periode_til
    if year < start.year:
        return (f"{year} ligger før helhedsplanens start ({day(start)})"
                " og er et baseline- eller før-år.")
    years = sorted({n for d in (dt.date(year, 1, 1), dt.date(year, 12, 31))
                    if (n := cfg.project_year(d)) is not None})
    if not years:
        return f"{year} ligger efter helhedsplanens afslutning ({day(end)})."
    # A project year runs 1 September–31 August, so a calendar year holds the last months of
    # one and the first months of the next, never a whole one.
    labels = " og ".join(
        ("begyndelsen af " if start.year + n - 1 == year else "slutningen af ")
        + cfg.project_year_label(n) for n in years)
    started = (f" Helhedsplanen startede {day(start)}."
               if year == start.year else "")
    return f"Kalenderåret {year} omfatter {labels}.{started}"


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
    return (f"Rapporten følger op på delaftalen **{data.cfg.navn}** i den boligsociale "
            f"helhedsplan **{hp.navn}** ({hp.kommune}, {day(hp.periode_fra)}–{day(hp.periode_til)}) "
            f"for **{data.year}**. {project_years_text(data.cfg, data.year)}"
            "\n")


def _units_summary(data: ReportData, h) -> list[str]:
    """Page 1's cells for an indicator without a whole-plan figure: how many units moved how."""
    t = data.table
    rows = t[(t["indikator_id"] == h.indikator_id) & t["maalt"].astype(bool)
             & (t["aar"] <= data.year) & t["niveau"].isin(["afdeling", "boligområde"])]
    if rows.empty:
        return [MISSING, "ikke målt", MISSING, ""]
    latest_rows = rows.sort_values("aar").groupby("enhed_navn").tail(1)
    year = int(latest_rows["aar"].max())
    level = PLURAL[latest_rows["niveau"].iloc[0]]
    n = len(latest_rows)
    counts = latest_rows["status"].value_counts()
    parts = [f"{MARKERS[s].split(' ', 1)[0]} {MARKERS[s].split(' ', 1)[1].lower()} i "
             f"{counts[s]} af {n}" for s in MARKERS if s in counts]
    # a status without a marker (the baseline year itself, no baseline) is said in words
    parts += [f"{str(s).capitalize()} i {counts[s]} af {n}" if len(counts) > 1 else
              str(s).capitalize() for s in counts.index if s not in MARKERS]
    based = latest_rows["baseline_vaerdi"].notna().any()
    return ["se tabellen" if based else MISSING, f"{n} {level} ({year})", "se tabellen",
            "; ".join(parts).replace(" i ", "\u00a0i ", 1)]


def summary(data: ReportData) -> str:
    """Page 1: one line per indicator of every delmål, baseline → latest value, change and
    status word (and the status against a target, where the delaftale sets one)."""
    body, shown = [], []
    for h in headlines(data.cfg):
        if h.ind.type == "aktivitetsmaal":
            got = activity_status(data, h.ind)
            body.append([h.delmaal.kort_navn, h.name, MISSING,
                         f"kalenderår {data.year}" if got else "ikke målt", MISSING,
                         got[1] if got else ""])
            continue
        if h.niveau is None:
            body.append([h.delmaal.kort_navn, h.name, *_units_summary(data, h)])
            continue
        row = latest(data, h.indikator_id, h.niveau)
        if row is None:
            body.append([h.delmaal.kort_navn, h.name, MISSING, "ikke målt", MISSING, ""])
            continue
        shown.append(row)
        status = MARKERS.get(row["status"], row["status"].capitalize()) + target_suffix(row)
        noun = count_noun(h.ind) if row["enhed"] != "pct." else ""
        change = fmt_change(row)
        cells = [fmt_baseline(row, noun=noun),
                 f"{fmt_value(row)}{noun if not is_hidden(row) else ''} ({int(row['aar'])})",
                 change + (noun if change not in (MISSING, HIDDEN) else "")]
        # A figure stays whole with its unit; a narrow column breaks before the year only
        # (statusrapport.css lets this table's cells wrap).
        body.append([h.delmaal.kort_navn, h.name, *[unbroken_units(c) for c in cells], status])
    lines = [md_table(["Delmål", "Indikator", "Baseline", "Seneste måling", "Ændring",
                       "Status"], body, [19, 18, 15, 16, 19, 17], right={2, 3, 4})]
    for h in headlines(data.cfg):  # what the activity row's status counts, right below it
        if h.ind.type == "aktivitetsmaal":
            got = activity_status(data, h.ind)
            if got:
                lines += ["", f"**{h.name} {data.year}:** {got[0]}."]
    rounding = rounding_note(shown)
    if rounding:
        lines += ["", rounding]
    baseline_notes = _headline_baseline_notes(data, shown)
    if baseline_notes:
        lines += [line for n in baseline_notes for line in ("", n)]
    hidden_note = suppression_note(data, pd.DataFrame(shown))
    if hidden_note:
        lines += ["", hidden_note.rstrip("\n")]
    absent = report_year_absences(data)
    if absent:
        lines += [line for a in absent for line in ("", a)]  # plain notes, not bullets
    lines.append("")
    lines.append("*Status* siger, om ændringen fra baseline er større, end tilfældigheder kan "
                 "forklare (95\u00a0pct. sikkerhed), og om den går i delmålets retning."
                 + direction_sentence(data))
    return "\n".join(lines) + "\n"


def direction_sentence(data: ReportData) -> str:
    """Where fewer is better, or where more of something usually unwelcome is the goal (more
    reports to the police), page 1 says so."""
    down = [ind.navn for _, ind in data.cfg.indicators()
            if getattr(ind, "god_retning", "op") == "ned"]
    counts = [ind for _, ind in data.cfg.indicators()
              if ind.type == "antal" and getattr(ind, "ord", None) and ind.god_retning == "op"]
    out = ""
    if down:
        out += f" For {and_list([mid_sentence(n) for n in down])} er *lavere* bedre."
    if counts:
        out += (" For " + and_list([mid_sentence(i.navn) for i in counts]) + " er *flere* "
                + and_list([i.ord for i in counts]) + " målet.")
    return out


def _headline_baseline_notes(data: ReportData, shown: list) -> list[str]:
    """Where page 1's baseline is not the one the delaftale states for the whole plan (a part
    not measured this year: the plan is compared with the same parts' baseline), say so here,
    not only beside the chapter's table."""
    out = []
    for row in shown:
        note = str(row.get("note", "") or "")
        if row["niveau"] == "helhedsplan" and "sammenlignet med baseline for de samme" in note:
            reason = note.split(": ", 1)[-1].split("; sammenlignet")[0]
            out.append(f"**{row['indikator']}:** baseline {fmt_baseline(row)} gælder de samme "
                       f"enheder som målingen: {reason}.")
    return out
