"""The report's text and tables as Markdown, built from the indicator table only.

The report notebook calls these and displays the result; both renderers take Markdown.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from . import config as config_mod
from . import indicators, stats
from .config import Config
from .formatting import MISSING, interval, number, pct, pp, signed

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


def load(year: int, processed_dir: Path) -> ReportData:
    processed_dir = Path(processed_dir)
    inputs = []
    for path in sorted(processed_dir.glob("*.inddata.json")):
        inputs += json.loads(path.read_text(encoding="utf-8"))
    return ReportData(config_mod.default(), year, indicators.read(processed_dir), inputs)


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
    labels = " og ".join(cfg.project_year_label(n) for n in years)
    return f"Kalenderåret {year} dækker {labels}."


def front_matter(cfg: Config, year: int) -> dict:
    hp = cfg.helhedsplan
    return {
        "title": f"Statusrapport {year}: {cfg.delaftale.navn}",
        "subtitle": f"Den boligsociale helhedsplan {hp.navn}, {hp.kommune}",
        "date": dt.date.today().strftime("%d.%m.%Y"),
        "lang": "da",
        "running-header": f"{hp.navn} · Statusrapport {year}",
    }


def banner(data: ReportData) -> str:
    if not data.example:
        return ""
    return ("::: {.callout-warning}\n**Eksempeldata.** Rapporten er bygget på opdigtede "
            "eksempeltal (kun baselineårenes tal er delaftalens egne). Den må ikke bruges som "
            "status for helhedsplanen.\n:::\n")


def _fmt_value(row: pd.Series) -> str:
    if row.get("undertrykt"):
        return "vises ikke (færre end 3)"
    if pd.isna(row["vaerdi"]):
        return MISSING
    if row["enhed"] == "pct.":
        return pct(row["vaerdi"], int(row["decimaler"]))
    return number(row["vaerdi"], 0)


def _fmt_change(row: pd.Series) -> str:
    if pd.isna(row["aendring"]) or row["status"] == stats.STATUS_BASELINE:
        return MISSING
    if row["aendring_enhed"] == "procentpoint":
        return pp(row["aendring"], int(row["decimaler"]))
    return signed(row["aendring"], 0)


def _fmt_baseline(row: pd.Series) -> str:
    if pd.isna(row["baseline_vaerdi"]):
        return MISSING
    value = (pct(row["baseline_vaerdi"], int(row["decimaler"])) if row["enhed"] == "pct."
             else number(row["baseline_vaerdi"]))
    return f"{value} ({int(row['baseline_aar'])})"


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
    lines = ["| Delmål | Indikator | Baseline | Seneste måling | Ændring | Status |",
             "|:---|:---|---:|---:|---:|:---|"]
    for d in data.cfg.delmaal:
        indikator_id, niveau = HEADLINE[d.id]
        row = latest(data, indikator_id, niveau)
        if row is None:
            lines.append(f"| {d.delmaal} | {d.indikator} | {MISSING} | ikke målt | {MISSING} | |")
            continue
        status = MARKERS.get(row["status"], row["status"].capitalize())
        lines.append(f"| {d.delmaal} | {d.indikator} | {_fmt_baseline(row)} | "
                     f"{_fmt_value(row)} ({int(row['aar'])}) | {_fmt_change(row)} | {status} |")
    lines.append("")
    lines.append("*Status* siger, om ændringen fra baseline er større, end tilfældigheder kan "
                 "forklare (95 pct. sikkerhed), og om den går i delmålets retning. For "
                 "anmeldelser til politiet er *flere* anmeldelser målet.")
    return "\n".join(lines) + "\n"


def delmaal_text(data: ReportData, delmaal_id: str) -> str:
    d = data.cfg.delmaal_by_id(delmaal_id)
    direction = "flere/højere er bedre" if d.god_retning == "op" else "færre/lavere er bedre"
    return (f"**Delmål:** {d.delmaal}\n\n**Indikator:** {d.indikator}. {d.definition}\n\n"
            f"**Datakilde:** {d.datakilde} **Retning:** {direction}.\n")


def year_table(data: ReportData, indikator_id: str, niveauer: tuple[str, ...] = (
        "afdeling", "helhedsplan", "boligområde", "sammenligning")) -> str:
    """One row per unit and year: value, interval, change from baseline, status."""
    rows = data.table[(data.table["indikator_id"] == indikator_id)
                      & data.table["niveau"].isin(niveauer) & (data.table["aar"] <= data.year)]
    lines = ["| Enhed | År | Værdi | Antal | 95 pct. usikkerhed | Ændring fra baseline | Status |",
             "|:---|---:|---:|---:|---:|---:|:---|"]
    # Group by level, then by unit in the order the delaftale lists them, then by year.
    order = {n: i for i, n in enumerate(niveauer)}
    first_seen = {u: i for i, u in enumerate(dict.fromkeys(rows["enhed_navn"]))}
    rows = rows.assign(_o=rows["niveau"].map(order), _u=rows["enhed_navn"].map(first_seen))
    rows = rows.sort_values(["_o", "_u", "aar"], kind="stable")
    for _, r in rows.iterrows():
        if not r["maalt"]:
            lines.append(f"| {r['enhed_navn']} | {r['aar']} | ikke målt | | | | |")
            continue
        amount = ""  # for counts the value is the amount
        if not pd.isna(r["naevner"]):
            amount = MISSING if pd.isna(r["taeller"]) else number(r["taeller"])
            amount += f" af {number(r['naevner'])}"
        unit = "pct." if r["enhed"] == "pct." else ""
        ci = interval(r["ci_lav"], r["ci_hoej"], int(r["decimaler"]) if unit else 0, unit)
        status = MARKERS.get(r["status"], r["status"].capitalize())
        lines.append(f"| {r['enhed_navn']} | {r['aar']} | {_fmt_value(r)} | {amount} | {ci} | "
                     f"{_fmt_change(r)} | {status} |")
    notes = sorted({n for n in rows["note"] if n and not n.startswith("Ikke målt")})
    out = "\n".join(lines) + "\n"
    if notes:
        out += "\n" + "\n".join(f"- {n}" for n in notes) + "\n"
    return out


def sources(data: ReportData) -> str:
    """Where every figure came from: the files read, their source, year and checksum."""
    lines = ["| Fil | Kilde | Dataår | Rækker | SHA-256 (første 12 tegn) |",
             "|:---|:---|---:|---:|:---|"]
    for i in sorted(data.inputs, key=lambda i: (i["kilde"], i["aar"])):
        flag = " (eksempeldata)" if i["eksempeldata"] else ""
        lines.append(f"| {i['fil']}{flag} | {i['kilde']} | {i['aar']} | {i['raekker']} | "
                     f"`{i['sha256'][:12]}` |")
    return "\n".join(lines) + "\n"
