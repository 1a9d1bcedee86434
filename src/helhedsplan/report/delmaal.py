"""A delmål's section: its text, the development year by year and the latest measurement against baseline."""

from __future__ import annotations

from dataclasses import replace

import pandas as pd

from ..config import Config
from ..formatting import MISSING, interval, number, pct
from .data import (
    HIDDEN,
    LEVELS,
    MARKERS,
    MAX_UNITS,
    PLURAL,
    ReportData,
    fmt_baseline,
    fmt_change,
    fmt_value,
    is_hidden,
    unit_rows,
)
from .markdown import md_table, notes_naming, sentence, table_notes
from .notes import absence_notes, merge_year_notes, parts_and_whole, rounding_note, suppression_note


def delmaal_text(data: ReportData, delmaal_id: str) -> str:
    d = data.cfg.delmaal_by_id(delmaal_id)
    direction = "flere/højere er bedre" if d.god_retning == "op" else "færre/lavere er bedre"
    return (f"**Delmål:** {sentence(d.delmaal)}\n\n**Indikator:** {sentence(d.indikator)} "
            f"{sentence(d.definition)}\n\n"
            f"**Baseline i delaftalen:** {baseline_text(data.cfg, delmaal_id)}\n\n"
            f"**Datakilde:** {sentence(d.datakilde)} **Retning:** {direction}.\n")


def baseline_text(cfg: Config, delmaal_id: str) -> str:
    """The delaftale's baseline in its own terms, from the configuration."""
    d = cfg.delmaal_by_id(delmaal_id)
    b = d.baseline
    if delmaal_id == "afdelingsmoeder" and len(b.afdelinger) > MAX_UNITS:
        k = sum(a.taeller for a in b.afdelinger)
        n = sum({cfg.area_of_afdeling(a.afdeling): a.naevner for a in b.afdelinger}.values())
        return (f"en baseline for hver af de {number(len(b.afdelinger))} afdelinger (se "
                f"bilaget); i alt {number(k)} fremmødte af {number(n)} beboere 18+ "
                f"({pct(100 * k / n, d.decimaler)}) ({b.aar}).")
    if delmaal_id == "afdelingsmoeder":
        parts = [f"afd. {a.afdeling}: {number(a.taeller)} af {number(a.naevner)} beboere 18+ "
                 f"({pct(100 * a.taeller / a.naevner, d.decimaler)})" for a in b.afdelinger]
        # The delaftale states a baseline per afdeling only; the plan's is their sum.
        k = sum(a.taeller for a in b.afdelinger)
        n = sum({cfg.area_of_afdeling(a.afdeling): a.naevner for a in b.afdelinger}.values())
        return ("; ".join(parts) + f" ({b.aar}). Hele helhedsplanen: {number(k)} af "
                f"{number(n)} beboere 18+ ({pct(100 * k / n, d.decimaler)}), regnet af "
                "afdelingernes tal.")
    if delmaal_id == "livskvalitet":
        text = (f"{number(b.taeller)} af {number(b.naevner)} beboere "
                f"({pct(100 * b.taeller / b.naevner, d.decimaler)}) i {b.aar}")
        c = d.sammenligning
        if c and c.taeller is not None:
            text += (f"; {c.navn}: {number(c.taeller)} af {number(c.naevner)} beboere "
                     f"({pct(100 * c.taeller / c.naevner, d.decimaler)})")
        return text + "."
    return (f"{number(b.antal)} anmeldelser = {pct(100 * b.antal / b.kommune_antal, d.decimaler)}"
            f" af alle {number(b.kommune_antal)} anmeldelser i kommunen ({b.aar}).")


APPENDIX_TITLE = "Bilag: tal pr. afdeling og boligområde"


def crowded_levels(data: ReportData, indikator_id: str) -> list[str]:
    """The indicator's levels with more units than a chapter's table shows readably."""
    rows = data.table[data.table["indikator_id"] == indikator_id]
    return [n for n in PLURAL if rows.loc[rows["niveau"] == n, "enhed_navn"].nunique() > MAX_UNITS]


def _body_levels(data: ReportData, indikator_id: str,
                 niveauer: tuple[str, ...]) -> tuple[tuple[str, ...], str]:
    """The levels a chapter's table shows, and a note pointing at the appendix for the rest."""
    if niveauer != LEVELS:
        return niveauer, ""
    moved = crowded_levels(data, indikator_id)
    if not moved:
        return niveauer, ""
    rows = data.table[data.table["indikator_id"] == indikator_id]
    counts = [f"de {number(rows.loc[rows['niveau'] == n, 'enhed_navn'].nunique())} {PLURAL[n]}"
              for n in moved]
    return (tuple(n for n in niveauer if n not in moved),
            f"Tallene for hver af {' og '.join(counts)} står i bilaget *{APPENDIX_TITLE}*.\n")


def units_appendix(data: ReportData) -> str:
    """Every crowded level's status per unit, afdelinger split by boligområde ('' if none)."""
    parts = []
    # A note per unit and year (how 'ved ikke' was counted, ...) would be hundreds of lines
    # here: the appendix says where they are instead (the indicator table and the LBF export).
    quiet = replace(data, table=data.table.assign(note=""))
    delmaal = data.table[data.table["delmaal_id"].isin([d.id for d in data.cfg.delmaal])]
    for indikator_id in dict.fromkeys(delmaal["indikator_id"]):
        for level in crowded_levels(data, indikator_id):
            rows = data.table[data.table["indikator_id"] == indikator_id]
            name = rows["indikator"].iloc[0]
            parts.append(f"## {name} pr. {level} {{.unnumbered}}\n")
            if level != "afdeling":
                parts.append(status_table(quiet, indikator_id, (level,)))
                continue
            for area in data.cfg.area_names:
                keep = (quiet.table["indikator_id"] != indikator_id) | (
                    quiet.table["boligomraade"] == area)
                parts.append(f"### {area} {{.unnumbered .unlisted}}\n")
                parts.append(status_table(replace(quiet, table=quiet.table[keep]),
                                          indikator_id, (level,)))
    if not parts:
        return ""
    return (f"# {APPENDIX_TITLE}\n\nSeneste måling mod baseline for hver enhed, der er for mange "
            "af til kapitlernes tabeller. Noterne til hver enkelt måling (fx hvordan 'ved ikke' er "
            f"talt) står i kolonnen *note* i data/processed/{data.year}/indikatorer.csv og i "
            "eksporten til Landsbyggefonden.\n\n" + "\n".join(parts))


def development_table(data: ReportData, indikator_id: str,
                      niveauer: tuple[str, ...] = LEVELS) -> str:
    """Units down, years across: the development since baseline at a glance."""
    niveauer, moved = _body_levels(data, indikator_id, niveauer)
    rows = unit_rows(data, indikator_id, niveauer)
    if not rows["maalt"].any():
        return f"*Ingen målinger til og med {data.year}.*\n"
    years = list(range(int(rows["aar"].min()), data.year + 1))
    body, marks = [], set()
    for _, r in rows.groupby(["_o", "_u"], sort=True):
        by_year = {int(y): x for y, x in zip(r["aar"], r.itertuples(), strict=True)}
        cells = [r["enhed_navn"].iloc[0]]
        for y in years:
            x = by_year.get(y)
            if x is None or not x.maalt:
                cells.append(MISSING)
                marks.add("missing")
            elif x.undertrykt:
                cells.append(HIDDEN)
            else:
                cells.append(number(x.vaerdi, int(x.decimaler) if x.enhed == "pct." else 0))
        body.append(cells)
    unit = "pct." if rows["enhed"].iloc[0] == "pct." else "antal"
    out = md_table([f"Enhed ({unit})", *map(str, years)], body,
                   [24, *[8] * len(years)], right=set(range(1, len(years) + 1)))
    notes = []
    if "missing" in marks:
        notes.append(f"{MISSING} = ingen tal for det år.")
        notes += [f"{n}." for n in absence_notes(rows)]
    hidden_note = suppression_note(data, rows[rows["maalt"]])
    if hidden_note:
        notes.append(hidden_note.strip())
    if moved:
        notes.append(moved.strip())
    return out + ("\n" + " ".join(notes) + "\n" if notes else "")


# The method text's name for it; the soft hyphen lets the header break in a narrow column.
INTERVAL_HEADER = "95 pct. usikkerheds\u00adinterval"


def status_table(data: ReportData, indikator_id: str,
                 niveauer: tuple[str, ...] = LEVELS) -> str:
    """Per unit: baseline, the latest measurement with its interval, change and status."""
    niveauer, moved = _body_levels(data, indikator_id, niveauer)
    rows = unit_rows(data, indikator_id, niveauer)
    if not rows["maalt"].any():
        return f"*Ingen målinger til og med {data.year}.*\n"
    share = rows["enhed"].iloc[0] == "pct."
    body, notes, shown = [], [], []
    about: list[tuple[str, str]] = []  # (note text, the unit (and years) it is about)
    for _, r in rows.groupby(["_o", "_u"], sort=True):
        measured = r[r["maalt"]]
        if measured.empty:
            continue
        x = measured.iloc[-1]
        shown.append(x)
        amount = ""
        if share:
            amount = (HIDDEN if is_hidden(x) else number(x["taeller"])) + \
                ("" if pd.isna(x["naevner"]) else f" af {number(x['naevner'])}")
        ci = HIDDEN if is_hidden(x) else interval(
            x["ci_lav"], x["ci_hoej"], int(x["decimaler"]) if share else 0,
            "pct." if share else "")
        status = MARKERS.get(x["status"], x["status"].capitalize())
        cells = [x["enhed_navn"], fmt_baseline(x, year=False),
                 f"{fmt_value(x)} ({int(x['aar'])})", amount, ci,
                 fmt_change(x, unit=False), status]
        body.append(cells if share else cells[:3] + cells[4:])
        unit_notes = {n for n, hidden in zip(r["note"], r["undertrykt"], strict=True)
                      if n and not n.startswith("Ikke målt") and not hidden}
        # Each note names the unit it is about: "Hele helhedsplanen (2018, 2021): …".
        for n in merge_year_notes(unit_notes):
            years, sep, text = n.partition(": ")
            if sep and years[:4].isdigit():
                about.append((text, f"{x['enhed_navn']} ({years})"))
            else:
                about.append((n[0].lower() + n[1:], x["enhed_navn"]))
    notes += notes_naming(about)
    # Why a year has no figure is about the source, not one group: said once for the table.
    notes += absence_notes(rows)
    change = "Ændring, procentpoint" if share else "Ændring, antal"
    base_years = rows["baseline_aar"].dropna().unique()
    baseline = f"Baseline {int(base_years[0])}" if len(base_years) == 1 else "Baseline"
    if share:
        out = md_table(["Enhed", baseline, "Seneste måling", "Antal", INTERVAL_HEADER,
                        change, "Status"], body, [19, 12, 18, 15, 17, 15, 19],
                       right={1, 2, 3, 4, 5})
    else:
        out = md_table(["Enhed", baseline, "Seneste måling", INTERVAL_HEADER, change,
                        "Status"], body, [22, 13, 20, 19, 17, 21], right={1, 2, 3, 4})
    rounding = rounding_note(shown)
    out += table_notes(notes + [n for n in (rounding, parts_and_whole(shown)) if n])
    hidden_note = suppression_note(data, pd.DataFrame(shown))
    if hidden_note:
        out += "\n" + hidden_note
    if moved:
        out += "\n" + moved
    return out
