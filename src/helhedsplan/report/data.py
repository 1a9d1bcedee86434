"""What the report is computed from (the indicator table and the files read), and each row's
figures as the board reads them."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from .. import config as config_mod
from .. import discretion, indicators, stats
from ..config import Config
from ..formatting import MISSING, number, pct, pp, signed
from ..processed import read_inputs

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
    processed_dir = Path(processed_dir)
    inputs = [i for i in read_inputs(processed_dir) if i.get("kilde_id") != COMMENTS_SOURCE]
    return ReportData(config_mod.default(), year, indicators.read(processed_dir), inputs)


HIDDEN = discretion.STATUS_SUPPRESSED  # every figure of a hidden cell reads "vises ikke"


def is_hidden(row) -> bool:
    return bool(row["undertrykt"]) if not pd.isna(row["undertrykt"]) else False


def fmt_value(row: pd.Series) -> str:
    if is_hidden(row):
        return HIDDEN
    if pd.isna(row["vaerdi"]):
        return MISSING
    if row["enhed"] == "pct.":
        return pct(row["vaerdi"], int(row["decimaler"]))
    return number(row["vaerdi"], 0)


def fmt_change(row: pd.Series, unit: bool = True) -> str:
    """'+2,2 procentpoint' (or '+2,2' where the column header names the unit); '+23'."""
    if is_hidden(row):
        return HIDDEN
    if pd.isna(row["aendring"]) or row["status"] == stats.STATUS_BASELINE:
        return MISSING
    if row["aendring_enhed"] == "procentpoint":
        decimals = int(row["decimaler"])
        return pp(row["aendring"], decimals) if unit else signed(row["aendring"], decimals)
    return signed(row["aendring"], 0)


def fmt_baseline(row: pd.Series, year: bool = True, noun: str = "") -> str:
    if pd.isna(row["baseline_vaerdi"]):
        return MISSING
    value = (pct(row["baseline_vaerdi"], int(row["decimaler"])) if row["enhed"] == "pct."
             else number(row["baseline_vaerdi"]) + noun)
    return f"{value} ({int(row['baseline_aar'])})" if year else value


def latest(data: ReportData, indikator_id: str, niveau: str) -> pd.Series | None:
    rows = data.table[(data.table["indikator_id"] == indikator_id)
                      & (data.table["niveau"] == niveau) & data.table["maalt"]
                      & (data.table["aar"] <= data.year)]
    return rows.sort_values("aar").iloc[-1] if len(rows) else None


def unit_rows(data: ReportData, indikator_id: str, niveauer: tuple[str, ...]) -> pd.DataFrame:
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


PLURAL = {"afdeling": "afdelinger", "boligområde": "boligområder"}
