"""The report's text and tables as Markdown, built from the indicator table only.

The report notebook calls these and displays the result; both renderers take Markdown.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass, replace
from pathlib import Path

import pandas as pd

from . import activities, discretion, indicators, stats
from . import config as config_mod
from .config import Config
from .formatting import MISSING, interval, number, pct, pp, rounded, signed

MARKERS = {
    stats.STATUS_UP: "▲ Tydelig fremgang",
    stats.STATUS_NONE: "● Ingen sikker ændring",
    stats.STATUS_DOWN: "▼ Tydelig tilbagegang",
}
# The one indicator row per delmål that page 1 reports on.
HEADLINE = {
    "afdelingsmoeder": ("deltagelse", "helhedsplan"),
    "livskvalitet": ("livskvalitet", "helhedsplan"),
    "anmeldelser": ("anmeldelser", "helhedsplan"),
}
# Page 1 mixes shares and counts in one column, so a count says what it counts.
COUNT_NOUN = {"anmeldelser": "anmeldelser"}


@dataclass
class ReportData:
    cfg: Config
    year: int
    table: pd.DataFrame
    inputs: list[dict]

    @property
    def example(self) -> bool:
        return bool(self.table["eksempeldata"].any()) or any(i["eksempeldata"]
                                                              for i in self.inputs)


COMMENTS_SOURCE = "bemaerkninger"  # kilde_id of the comments file among the inputs


def load(year: int, processed_dir: Path) -> ReportData:
    """What the report notebook computes from: the indicators and the data files read. The
    analyst's comments are not among them: the render step puts them in (see `slot`)."""
    from .sources.base import read_inputs

    processed_dir = Path(processed_dir)
    inputs = [i for i in read_inputs(processed_dir) if i.get("kilde_id") != COMMENTS_SOURCE]
    return ReportData(config_mod.default(), year, indicators.read(processed_dir), inputs)


# --- slots: text the render step fills in -----------------------------------------------------
# The analyst's comments change more often than anything else, and they are text, not
# computation: the report notebook leaves a slot for them (and for the list of input files,
# which names the comments file and its checksum), and the render step fills each slot from
# data/processed/<år>/. A changed comment then costs a render, not a kernel.

SLOT = "helhedsplan_felt"  # the display metadata key that marks a slot
SLOT_PLACEHOLDER = "*(Udfyldes, når rapporten dannes.)*"


def slot(name: str) -> None:
    """Show a slot in the report notebook: 'bemaerkning:<delmål id>' or 'inddata'."""
    from IPython.display import Markdown, display

    display(Markdown(SLOT_PLACEHOLDER), metadata={SLOT: name})


def slot_text(name: str, processed_dir: Path) -> str:
    """The Markdown a slot is filled with, from the year's processed folder."""
    from .sources.base import read_inputs

    kind, _, key = name.partition(":")
    if kind == "bemaerkning":
        notes_file = Path(processed_dir) / "bemaerkninger.json"
        notes = json.loads(notes_file.read_text(encoding="utf-8")) if notes_file.exists() else {}
        from .comments import as_safe_markdown

        return as_safe_markdown(notes.get(key, ""))
    if kind == "inddata":
        return inputs_appendix(read_inputs(Path(processed_dir)))
    raise ValueError(f"ukendt felt i rapportnotesbogen: {name!r}")


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


HIDDEN = discretion.STATUS_SUPPRESSED  # every figure of a hidden cell reads "vises ikke"


def _hidden(row) -> bool:
    return bool(row["undertrykt"]) if not pd.isna(row["undertrykt"]) else False


def _fmt_value(row: pd.Series) -> str:
    if _hidden(row):
        return HIDDEN
    if pd.isna(row["vaerdi"]):
        return MISSING
    if row["enhed"] == "pct.":
        return pct(row["vaerdi"], int(row["decimaler"]))
    return number(row["vaerdi"], 0)


def _fmt_change(row: pd.Series, unit: bool = True) -> str:
    """'+2,2 procentpoint' (or '+2,2' where the column header names the unit); '+23'."""
    if _hidden(row):
        return HIDDEN
    if pd.isna(row["aendring"]) or row["status"] == stats.STATUS_BASELINE:
        return MISSING
    if row["aendring_enhed"] == "procentpoint":
        decimals = int(row["decimaler"])
        return pp(row["aendring"], decimals) if unit else signed(row["aendring"], decimals)
    return signed(row["aendring"], 0)


def _fmt_baseline(row: pd.Series, year: bool = True, noun: str = "") -> str:
    if pd.isna(row["baseline_vaerdi"]):
        return MISSING
    value = (pct(row["baseline_vaerdi"], int(row["decimaler"])) if row["enhed"] == "pct."
             else number(row["baseline_vaerdi"]) + noun)
    return f"{value} ({int(row['baseline_aar'])})" if year else value


def _unbroken_units(text: str) -> str:
    """'6,1 pct. (2020)' → '6,1\u00a0pct. (2020)': no line break between a number and its unit."""
    return re.sub(r"(\d) (pct\.|procentpoint)", "\\1\u00a0\\2", text)


def rounding_note(rows) -> str:
    """A note when a change shown beside rounded shares is not their difference: the change is
    worked out from the unrounded shares (8,25 − 6,06 = 2,19 shows as +2,2 beside 8,2 and 6,1).
    '' when every shown change is the difference of the shown figures."""
    for row in rows:
        if (row["enhed"] != "pct." or _hidden(row) or pd.isna(row["aendring"])
                or pd.isna(row["baseline_vaerdi"]) or row["status"] == stats.STATUS_BASELINE):
            continue
        d = int(row["decimaler"])
        shown = rounded(row["vaerdi"], d) - rounded(row["baseline_vaerdi"], d)
        if rounded(row["aendring"], d) != shown:
            return ("Ændringen er regnet af de uafrundede andele, så den kan afvige en smule fra "
                    "forskellen mellem de afrundede tal i tabellen.")
    return ""


def latest(data: ReportData, indikator_id: str, niveau: str) -> pd.Series | None:
    rows = data.table[(data.table["indikator_id"] == indikator_id)
                      & (data.table["niveau"] == niveau) & data.table["maalt"]
                      & (data.table["aar"] <= data.year)]
    return rows.sort_values("aar").iloc[-1] if len(rows) else None


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
        change = _fmt_change(row)
        cells = [_fmt_baseline(row, noun=noun),
                 f"{_fmt_value(row)}{noun if not _hidden(row) else ''} ({int(row['aar'])})",
                 change + (noun if change not in (MISSING, HIDDEN) else "")]
        # A figure stays whole with its unit; a narrow column breaks before the year only
        # (statusrapport.css lets this table's cells wrap).
        body.append([d.kort_navn, d.indikator, *[_unbroken_units(c) for c in cells], status])
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


def sentence(text: str) -> str:
    """Text that ends a sentence: a full stop is added unless it already ends with one."""
    text = str(text).strip()
    return text if not text or text[-1] in ".!?:" else text + "."


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


def md_table(headers: list[str], rows: list[list[str]], widths: list[int],
             right: set[int] = frozenset()) -> str:
    """A pipe table whose separator dashes set the relative column widths (pandoc and Quarto
    both use them when a row is wider than the page), so numbers do not wrap mid-word."""
    def cell(text: str) -> str:
        return str(text).replace("|", "\\|")

    sep = [("-" * (w - 1) + ":") if i in right else (":" + "-" * (w - 1))
           for i, w in enumerate(widths)]
    lines = ["| " + " | ".join(map(cell, headers)) + " |", "|" + "|".join(sep) + "|"]
    lines += ["| " + " | ".join(map(cell, r)) + " |" for r in rows]
    return "\n".join(lines) + "\n"


def _units(data: ReportData, indikator_id: str, niveauer: tuple[str, ...]) -> pd.DataFrame:
    """The indicator's rows up to the report year, ordered by level then as the config lists."""
    rows = data.table[(data.table["indikator_id"] == indikator_id)
                      & data.table["niveau"].isin(niveauer) & (data.table["aar"] <= data.year)]
    order = {n: i for i, n in enumerate(niveauer)}
    first_seen = {u: i for i, u in enumerate(dict.fromkeys(rows["enhed_navn"]))}
    rows = rows.assign(_o=rows["niveau"].map(order), _u=rows["enhed_navn"].map(first_seen))
    return rows.sort_values(["_o", "_u", "aar"], kind="stable")


LEVELS = ("afdeling", "helhedsplan", "boligområde", "sammenligning")
# More afdelinger or boligområder than this, and their rows leave the chapter's tables for the
# appendix (units_appendix), one table per boligområde: the chapter shows the whole plan.
MAX_UNITS = 8
_PLURAL = {"afdeling": "afdelinger", "boligområde": "boligområder"}
APPENDIX_TITLE = "Bilag: tal pr. afdeling og boligområde"


def crowded_levels(data: ReportData, indikator_id: str) -> list[str]:
    """The indicator's levels with more units than a chapter's table shows readably."""
    rows = data.table[data.table["indikator_id"] == indikator_id]
    return [n for n in _PLURAL if rows.loc[rows["niveau"] == n, "enhed_navn"].nunique() > MAX_UNITS]


def _body_levels(data: ReportData, indikator_id: str,
                 niveauer: tuple[str, ...]) -> tuple[tuple[str, ...], str]:
    """The levels a chapter's table shows, and a note pointing at the appendix for the rest."""
    if niveauer != LEVELS:
        return niveauer, ""
    moved = crowded_levels(data, indikator_id)
    if not moved:
        return niveauer, ""
    rows = data.table[data.table["indikator_id"] == indikator_id]
    counts = [f"de {number(rows.loc[rows['niveau'] == n, 'enhed_navn'].nunique())} {_PLURAL[n]}"
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
    rows = _units(data, indikator_id, niveauer)
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
    rows = _units(data, indikator_id, niveauer)
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
            amount = (HIDDEN if _hidden(x) else number(x["taeller"])) + \
                ("" if pd.isna(x["naevner"]) else f" af {number(x['naevner'])}")
        ci = HIDDEN if _hidden(x) else interval(
            x["ci_lav"], x["ci_hoej"], int(x["decimaler"]) if share else 0,
            "pct." if share else "")
        status = MARKERS.get(x["status"], x["status"].capitalize())
        cells = [x["enhed_navn"], _fmt_baseline(x, year=False),
                 f"{_fmt_value(x)} ({int(x['aar'])})", amount, ci,
                 _fmt_change(x, unit=False), status]
        body.append(cells if share else cells[:3] + cells[4:])
        unit_notes = {n for n, hidden in zip(r["note"], r["undertrykt"], strict=True)
                      if n and not n.startswith("Ikke målt") and not hidden}
        # Each note names the unit it is about: "Hele helhedsplanen (2018, 2021): …".
        for n in _merge_year_notes(unit_notes):
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
    out += table_notes(notes + [n for n in (rounding, _parts_and_whole(shown)) if n])
    hidden_note = suppression_note(data, pd.DataFrame(shown))
    if hidden_note:
        out += "\n" + hidden_note
    if moved:
        out += "\n" + moved
    return out


def _parts_and_whole(shown: list) -> str:
    """Why the whole plan can show a clear change when none of its parts does: a board member
    otherwise reads the statuses as contradicting each other."""
    plan = [x for x in shown if x["niveau"] == "helhedsplan"]
    parts = [x for x in shown if x["niveau"] in ("afdeling", "boligområde")]
    if (len(plan) != 1 or not parts or plan[0]["status"] not in (stats.STATUS_UP, stats.STATUS_DOWN)
            or any(x["status"] != stats.STATUS_NONE for x in parts)):
        return ""
    level = _PLURAL[parts[0]["niveau"]]
    return (f"Hele helhedsplanen har *{plan[0]['status']}*, "
            f"selv om ingen af {level}ne har det: hver for sig bygger {level}ne på for få "
            "personer til, at ændringen kan skelnes fra tilfældigheder, men under ét er den "
            "tydelig")


def notes_naming(about: list[tuple[str, str]], names=lambda s: s) -> list[str]:
    """A note shared by several units (or periods) is read once, naming them all:
    [(note, unit), …] → ['Unit A og unit B: note', …], in the order first seen."""
    units: dict[str, list[str]] = {}
    for note, unit in about:
        if unit not in units.setdefault(note, []):
            units[note].append(unit)
    return [f"{names(_and(us))}: {note}" for note, us in units.items()]


def _and(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " og " + items[-1]


def table_notes(notes: list[str]) -> str:
    """Notes under a table as plain paragraphs (not a bulleted list), each a sentence."""
    return "".join(f"\n{sentence(n)}\n" for n in notes)


def _names(rows: pd.DataFrame) -> str:
    names = [f"{r.enhed_navn} ({int(r.aar)})" for r in rows.itertuples()]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " og " + names[-1]


def suppression_note(data: ReportData, rows: pd.DataFrame) -> str:
    """Which of the rows' cells are hidden, and why, in a sentence (never a list item)."""
    if rows.empty or "undertrykt" not in rows:
        return ""
    hidden = rows[rows["undertrykt"].fillna(False).astype(bool)]
    if hidden.empty:
        return ""
    limit = data.cfg.diskretion.mindste_antal
    primary = hidden[hidden["undertrykt_grund"] != discretion.SECONDARY]
    secondary = hidden[hidden["undertrykt_grund"] == discretion.SECONDARY]
    parts = []
    if len(primary):
        parts.append(f"{_names(primary)} handler om færre end {limit} personer")
    if len(secondary):
        verb = "er" if len(secondary) == 1 else "er også"
        parts.append(f"{_names(secondary)} {verb} skjult, så et skjult tal ikke kan regnes ud "
                     "som forskellen mellem en total og de viste tal")
    return "Vises ikke (diskretion): " + "; ".join(parts) + ".\n"


_ABSENCE = re.compile(r"^Ikke målt i (\d{4}): (.+)$", re.S)


def board_reason(reason: str) -> str:
    """Why a year has no figure, without where the analyst declared it."""
    return reason.removesuffix(indicators.DECLARED)


def absence_notes(rows: pd.DataFrame, raw: bool = False) -> list[str] | set[str]:
    """Why a year has no figure, from the indicator table's notes: '2024: ikke målt, fordi …'
    (years with the same reason merged). Never only a dash."""
    found = set()
    for n in rows.loc[~rows["maalt"].astype(bool), "note"]:
        m = _ABSENCE.match(str(n))
        if m:
            found.add(f"{m.group(1)}: ikke målt – {board_reason(m.group(2))}")
    return found if raw else _merge_year_notes(found)


def report_year_absences(data: ReportData) -> list[str]:
    """Per delmål whose headline figure is not measured in the report year: which and why."""
    out = []
    for d in data.cfg.delmaal:
        indikator_id, niveau = HEADLINE[d.id]
        t = data.table
        this = t[(t["indikator_id"] == indikator_id) & (t["aar"] == data.year)]
        units = this[~this["maalt"].astype(bool) & this["note"].str.match(_ABSENCE)]
        # One note per reason: the plan and its comparison group without figures for the same
        # reason are said once ("…, heller ikke for Alle helhedsplaner: <reason>").
        by_reason: dict[str, list] = {}
        for _, r in units.iterrows():
            by_reason.setdefault(board_reason(_ABSENCE.match(r["note"]).group(2)), []).append(r)
        for reason, rs in by_reason.items():
            others = [str(r["enhed_navn"]) for r in rs if r["niveau"] != niveau]
            why = sentence(reason[0].upper() + reason[1:])
            if len(others) == len(rs):
                out.append(f"**{d.kort_navn}, {_and(others)}:** ikke målt i {data.year}. {why}")
            elif others:
                out.append(f"**{d.kort_navn}:** ikke målt i {data.year} (heller ikke for "
                           f"{_and(others)}). {why}")
            else:
                out.append(f"**{d.kort_navn}:** ikke målt i {data.year}. {why}")
        headline = this[this["niveau"] == niveau]
        if len(headline) and not headline["maalt"].astype(bool).all() and units.empty:
            out.append(f"**{d.kort_navn}:** ikke målt i {data.year}.")
    return out


def _merge_year_notes(notes: set[str]) -> list[str]:
    """'2018: x', '2021: x' → '2018, 2021: x', so a note repeated per year is read once."""
    by_text: dict[str, list[str]] = {}
    plain = []
    for n in sorted(notes):
        year, sep, text = n.partition(": ")
        if sep and year.isdigit():
            by_text.setdefault(text, []).append(year)
        else:
            plain.append(n)
    return plain + [f"{', '.join(years)}: {text}" for text, years in by_text.items()]


def sources(data: ReportData) -> str:
    """Where every figure came from: the files read, their source, year and checksum."""
    lines = ["| Fil | Kilde | Dataår | Rækker | SHA-256 (første 12 tegn) |",
             "|:---|:---|---:|---:|:---|"]
    for i in sorted(data.inputs, key=lambda i: (i["kilde"], i["aar"])):
        flag = " (eksempeldata)" if i["eksempeldata"] else ""
        lines.append(f"| {i['fil']}{flag} | {i['kilde']} | {i['aar']} | {i['raekker']} | "
                     f"`{i['sha256'][:12]}` |")
    return "\n".join(lines) + "\n"


def target_group_table(data: ReportData) -> str:
    """The dataoversigt per area and in total, each measure from its latest year with data."""
    table = data.table
    rows = table[(table["delmaal_id"] == "maalgruppe") & (table["aar"] <= data.year)]
    if rows.empty:
        return "*Der er ingen beboerdata til og med dette år.*\n"
    measures = [m for m in data.cfg.dataoversigt.maal if m.id in set(rows["indikator_id"])]
    latest_year = {m.id: int(rows[rows["indikator_id"] == m.id]["aar"].max()) for m in measures}
    units = [*data.cfg.area_names, "I alt"]
    body, hidden = [], []
    for unit in units:
        cells = [f"**{unit}**" if unit == "I alt" else unit]
        for m in measures:
            r = rows[(rows["indikator_id"] == m.id) & (rows["enhed_navn"] == unit)
                     & (rows["aar"] == latest_year[m.id])]
            if r.empty:
                cells.append(MISSING)
            elif r.iloc[0]["undertrykt"]:
                cells.append(HIDDEN)
                hidden.append(r.iloc[0].copy())
                hidden[-1]["enhed_navn"] = f"{unit}, {m.navn.removeprefix('Antal ')}"
            else:
                cells.append(number(r.iloc[0]["vaerdi"], int(r.iloc[0]["decimaler"])))
        body.append(cells)
    # Short headers: four numeric columns must fit an A4 page without running together.
    short = {"beboere_18_plus": "Beboere 18+", "beboere_65_plus": "Beboere 65+",
             "foertidspensionister": "Førtids\u00adpensionister¹",
             "uden_for_arbejdsstyrken": "18-64-årige uden for arbejds\u00adstyrken"}
    headers = ["Boligområde", *[f"{short.get(m.id, m.navn)} ({latest_year[m.id]})"
                                 for m in measures]]
    out = md_table(headers, body, [24, *[19] * len(measures)], right=set(range(1, len(headers))))
    d = data.cfg.dataoversigt
    stated = "; ".join(
        f"{m.navn.removeprefix('Antal ').lower()} "
        f"{number(d.total[m.id], 1 if m.id == 'foertidspensionister' else 0)} ({m.aar})"
        for m in d.maal)
    out += "\n" + suppression_note(data, pd.DataFrame(hidden)) if hidden else ""
    return out + (f"\n¹ Førtidspensionister er opgjort i fuldtidspersoner og kan have decimaler. "
                  f"Delaftalens egen dataoversigt angiver i alt: {stated}.\n")


def method_text(data: ReportData) -> str:
    """Data og metode: what the intervals, tests and status words mean, in plain Danish."""
    threshold = data.cfg.diskretion.mindste_antal
    mapping = data.cfg.afdeling_kobling.begrundelse.split(": ", 1)[-1]
    shown = data.table[data.table["aar"] <= data.year]
    any_hidden = bool(shown["undertrykt"].fillna(False).astype(bool).any())
    hidden_here = ("Noten under hver tabel siger, hvilke tal der er skjult og hvorfor."
                   if any_hidden else f"I denne rapport (til og med {data.year}) er intet tal "
                   "skjult.")
    return f"""Tallene er beregnet automatisk direkte fra regnearkene i *Bilag: inddata og
programmer*; intet er tastet ind i rapporten.

**Usikkerhed.** En andel, der bygger på få personer, kunne let have været lidt anderledes. Hvert
procenttal har derfor et *95 pct. usikkerhedsinterval* (Wilson-metoden): det spænd, som den
"sande" andel med stor sandsynlighed ligger i. Med 148 svar er usikkerheden omkring ±7
procentpoint; med 400 beboere i en afdeling flytter én deltager mere andelen 0,25 procentpoint.
For antal anmeldelser bruges et tilsvarende interval for tællinger (Poisson).

**Status.** Ændringen fra baseline testes statistisk (to-andels-test eller Fishers eksakte test
ved små tal; for antal en eksakt test for tællinger). Er ændringen større, end tilfældigheder
med 95 pct. sikkerhed kan forklare, og går den i delmålets retning, står der *▲ Tydelig
fremgang*; går den den forkerte vej, *▼ Tydelig tilbagegang*. Ellers står der *● Ingen sikker
ændring*, også når tallet er steget eller faldet lidt. Alle tre delmål har retningen *op*; for
anmeldelser til politiet er flere anmeldelser målet, fordi de viser mindre underrapportering.
*Ingen baseline* står ved en enhed, som delaftalen ikke har en baseline for, og *Til
sammenligning* ved en sammenligningsgruppe (alle helhedsplaner, kommunen): den vurderes ikke,
den viser blot udviklingen omkring helhedsplanen. Aktivitetsmålene er tællinger uden
usikkerhed: *■ Mål nået* eller *□ Mål ikke nået*, og *◐ I gang* for en periode, der ikke er
slut.

**Diskretion.** Tal om færre end {threshold} personer vises ikke (Danmarks Statistiks
diskretionsregel), og der står “vises ikke” i stedet for tallet og for alt, der er regnet ud af
det: andel, usikkerhed, ændring og status. Det kaldes *primær diskretion*. Men et skjult tal kan
ofte regnes ud alligevel: står hele helhedsplanen og tre af fire afdelinger i samme tabel, er den
fjerde afdeling forskellen. Derfor skjules der også andre tal (*sekundær diskretion*) efter en
fast regel: Er et tal i en sum skjult (afdelingerne og hele helhedsplanen, eller boligområderne
og helhedsplanen, samme år), skjules også den mindste af de andre dele, der er større end
{threshold} og ikke hele sin nævner; er der ingen sådan, skjules totalen. Så er der altid
mindst to skjulte tal i en sum, og det ene kan flytte sig, når det andet gør. Derfor kan intet
skjult tal regnes ud af de viste, heller ikke når man ved, hvilket tal der er under
{threshold}. Det gælder også antallet af svar i trivselsmålingen og beboertallene, som er tal om
personer. Delmålenes tal lægger ikke flere år sammen, så forskelle mellem årene afslører
heller ikke noget. Aktivitetslogens deltagere og beboere tælles både for kalenderåret og for
projektår, der går over nytår; her skjules en periode, hvis den selv eller et af dens stykker
(januar–august, september–december) har færre end {threshold} personer (men mindst én), for
ellers ville forskellen mellem to viste perioder, også fra to års rapporter, give tallet.
{hidden_here}

**Afdelinger og boligområder.** Delaftalen siger ikke, hvilken afdeling der ligger i hvilket
boligområde. Koblingen er udledt af baselinetallene: {mapping}

**Dataår.** Hvert tal vises med det år, det stammer fra. En kilde, der ikke er målt i
rapportåret (fx VIVEs trivselsmåling), vises med sin seneste måling og dens årstal.
"""


def data_years_table(data: ReportData) -> str:
    """Per source: the years with data, and the latest used in this report."""
    by_source: dict[str, list[int]] = {}
    for i in data.inputs:
        # The list of sources not measured is an input (appendix), but holds no data.
        if i.get("kilde_id") != "ikke_maalt":
            by_source.setdefault(i["kilde"], []).append(int(i["aar"]))
    body = [[src, ", ".join(map(str, sorted(years))), str(max(years))]
            for src, years in sorted(by_source.items())]
    return md_table(["Kilde", "År med data", "Seneste dataår"], body, [30, 40, 16], right={2})


def inputs_appendix(inputs: list[dict]) -> str:
    """Every file read, with its full SHA-256, so anyone can check the report used these files."""
    body = []
    for i in sorted(inputs, key=lambda i: (i["kilde"], i["aar"])):
        flag = " (eksempeldata)" if i["eksempeldata"] else ""
        # The whole checksum as one piece of code, so a copied checksum compares equal; the
        # HTML wraps it visually (overflow-wrap: anywhere); the PDF, which cannot wrap a
        # word, sets it on two lines (render.py).
        body.append([f"`{i['fil']}`{flag}", i["kilde"], str(i["aar"]), str(i["raekker"]),
                     f"`{i['sha256']}`"])
    return md_table(["Fil", "Kilde", "Dataår", "Rækker", "SHA-256"], body, [26, 16, 8, 8, 42],
                    right={2, 3})


def software_versions() -> str:
    """The software that made the report's numbers, for reproducibility. The renderer adds
    the programs that made the files (helhedsplan.render.with_tool_versions)."""
    import platform
    from importlib.metadata import PackageNotFoundError, version

    rows = [["Python", platform.python_version()]]
    for pkg in ("helhedsplan", "pandas", "pandera", "python-calamine", "openpyxl", "papermill",
                "matplotlib", "seaborn", "scipy", "babel"):
        try:
            rows.append([pkg, version(pkg)])
        except PackageNotFoundError:
            continue
    return md_table(["Program", "Version"], rows, [30, 20])


ACTIVITY_MARKERS = {
    activities.MET: "■ Mål nået",
    activities.NOT_MET: "□ Mål ikke nået",
    activities.ONGOING: "◐ I gang",
}
ACTIVITY_TARGETS = ["maaneder_med_aktivitet", "temaarrangementer", "uden_for_boligomraaderne",
                    "medarrangeret"]


def _activity_rows(data: ReportData) -> pd.DataFrame:
    t = data.table
    return t[(t["delmaal_id"] == "aktiviteter") & (t["niveau"] == "helhedsplan")
             & (t["aar"] == data.year)]


def activity_targets_text(data: ReportData) -> str:
    a = data.cfg.aktivitetsmaal
    themes = "; ".join(t.lower() for t in a.temaer)
    return (f"Delaftalens aktivitetsmål: {a.netvaerksaktiviteter.lower().rstrip('.')}; "
            f"{a.temaarrangementer_pr_aar} aktiviteter/arrangementer årligt med særligt fokus på "
            f"temaerne ({themes}); mindst {a.uden_for_boligomraaderne_pr_aar} af dem uden for "
            f"boligområderne i samarbejde med {a.uden_for_boligomraaderne_partner}. "
            + " ".join(f"Projektår {'–'.join(map(str, (f.projektaar[0], f.projektaar[-1])))}: "
                       f"{f.navn.lower()} ({f.beskrivelse[0].lower()}"
                       f"{f.beskrivelse[1:].rstrip('.')})." for f in data.cfg.helhedsplan.faser)
            + "\n")


def activity_table(data: ReportData) -> str:
    """Targets down, periods across (the calendar year and the project years in it)."""
    rows = _activity_rows(data)
    if rows.empty:
        return (f"*Der er ingen aktivitetslog for {data.year}. Helhedsplanen startede "
                f"{data.cfg.helhedsplan.periode_fra.strftime('%d.%m.%Y')}.*\n")
    periods = list(dict.fromkeys(rows["enhed_navn"]))
    body = []
    for indikator_id in ACTIVITY_TARGETS:
        r = rows[rows["indikator_id"] == indikator_id]
        if r.empty:
            continue
        cells = [r.iloc[0]["indikator"]]
        for p in periods:
            x = r[r["enhed_navn"] == p].iloc[0]
            of = rows[(rows["enhed_navn"] == p) & (rows["indikator_id"] == "aktiviteter")]
            cells.append(activity_value(x, of.iloc[0] if len(of) else None))
        body.append(cells)
    headers = ["Mål", *[capitalised(p) + (f", til og med december {data.year}" if any(
        rows[(rows["enhed_navn"] == p)]["status"] == activities.ONGOING) else "")
        for p in periods]]
    out = md_table(headers, body, [30, *[22] * len(periods)], right=set())
    # A note that holds for several periods (the same month without activity) is read once.
    notes = notes_naming([(x.note[0].lower() + x.note[1:], x.enhed_navn)
                          for x in rows.itertuples()
                          if x.note and x.indikator_id in ACTIVITY_TARGETS], capitalised)
    return out + table_notes(notes)


def capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


def activity_value(x, events=None) -> str:
    """One activity target's cell: '11 af 12' where the figure is a part of the target (months
    with activity), '7 (mål: 6)' where it is a count against a target, '11 af 18' for the
    activities residents helped arrange (of all activities); then the target's status."""
    value = number(x["vaerdi"])
    if not pd.isna(x["maal"]):
        value += (f" af {number(x['maal'])}" if x["indikator_id"] == "maaneder_med_aktivitet"
                  else f" (mål: {number(x['maal'])})")
    elif events is not None and not _hidden(events):
        value += f" af {number(events['vaerdi'])}"
    marker = ACTIVITY_MARKERS.get(x["status"], "")
    return f"{value} {marker}".strip()


def activity_log_summary(data: ReportData) -> str:
    """The log summarised for the calendar year: themes, participants, partners."""
    rows = _activity_rows(data)
    rows = rows[rows["enhed_navn"] == f"kalenderår {data.year}"]
    if rows.empty:
        return ""
    get = {r.indikator_id: r for r in rows.itertuples()}

    def n(key):
        r = get.get(key)
        if r is None:
            return MISSING
        return HIDDEN if r.undertrykt else number(r.vaerdi)

    themes = ", ".join(f"{r.indikator_id.removeprefix('tema: ').lower()} {number(r.vaerdi)}"
                       for r in rows.itertuples() if r.indikator_id.startswith("tema: "))
    partners = ", ".join(f"{r.indikator_id.removeprefix('partner: ')} ({number(r.vaerdi)})"
                         for r in rows.itertuples() if r.indikator_id.startswith("partner: "))
    people = [k for k in ("deltagere", "heraf_beboere") if k in get and get[k].undertrykt]
    if people:  # discretion: the sentence says so instead of printing "vises ikke deltagere"
        who = " og ".join({"deltagere": "deltagere", "heraf_beboere": "beboere"}[k]
                          for k in people)
        attended = (f"med et antal {who}, der ikke vises (diskretion: færre end "
                    f"{data.cfg.diskretion.mindste_antal} personer i perioden eller en del af "
                    "den)")
        if len(people) == 1:
            attended += (f", og {n('deltagere')} deltagere" if people == ["heraf_beboere"]
                         else f", heraf {n('heraf_beboere')} beboere")
    else:
        attended = (f"med i alt {n('deltagere')} deltagere, heraf {n('heraf_beboere')} "
                    "beboere (samme person kan tælle med ved flere aktiviteter)")
    return (f"I {data.year} blev der holdt {n('aktiviteter')} aktiviteter {attended}. "
            f"Temaarrangementer: {themes}. Beboere var med til at arrangere "
            f"{n('medarrangeret')} af aktiviteterne."
            + (f" Samarbejdspartnere (antal aktiviteter): {partners}." if partners else "")
            + "\n")


def activity_summary_line(data: ReportData) -> str | None:
    """Page 1's line for the activity targets in the calendar year."""
    rows = _activity_rows(data)
    rows = rows[rows["enhed_navn"] == f"kalenderår {data.year}"]
    if rows.empty:
        return None
    parts, statuses = [], []
    labels = {"maaneder_med_aktivitet": "måneder med netværksaktivitet",
              "temaarrangementer": "temaarrangementer",
              "uden_for_boligomraaderne": "uden for boligområderne med "
                                          + data.cfg.aktivitetsmaal.uden_for_boligomraaderne_partner}
    for key, label in labels.items():
        r = rows[rows["indikator_id"] == key]
        if len(r):
            x = r.iloc[0]
            if key == "maaneder_med_aktivitet":
                parts.append(f"{number(x['vaerdi'])} af {number(x['maal'])} {label}")
            else:
                parts.append(f"{number(x['vaerdi'])} {label} (mål: {number(x['maal'])})")
            statuses.append(x["status"])
    met = sum(s == activities.MET for s in statuses)
    marker = ACTIVITY_MARKERS[activities.MET if met == len(statuses) else activities.NOT_MET]
    status = f"{marker.split()[0]} {met} af {len(statuses)} mål nået"
    return f"**Aktivitetsmålene {data.year}:** " + "; ".join(parts) + f". {status}."
