"""What the report is computed from (the indicator table and the files read), and each row's
figures as the board reads them."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from .. import config as config_mod
from .. import discretion, indicators, paths, stats
from ..config import Config
from ..formatting import MISSING, number, pct, pp, signed
from ..processed import published, read_inputs

MARKERS = {
    stats.STATUS_UP: "▲ Tydelig fremgang",
    stats.STATUS_NONE: "● Ingen sikker ændring",
    stats.STATUS_DOWN: "▼ Tydelig tilbagegang",
}


@dataclass
class ReportData:
    cfg: Config
    year: int
    table: pd.DataFrame
    inputs: list[dict]
    # The published folder a notebook opened by hand fills its slots from (comments, inputs);
    # None in a build, where the render step fills them (report.slot).
    slots_from: Path | None = None

    @property
    def example(self) -> bool:
        return bool(self.table["eksempeldata"].any()) or any(i["eksempeldata"]
                                                              for i in self.inputs)


COMMENTS_SOURCE = "bemaerkninger"  # kilde_id of the comments file among the inputs


def processed_dir_for(cfg: Config, year: int, processed_dir: str | Path = "") -> Path:
    """data/processed/<år>/<delaftale>/, unless given (the pipeline's build folder, relative
    to the project root)."""
    if processed_dir:
        path = Path(processed_dir)
        return path if path.is_absolute() else paths.ROOT / path
    return paths.PROCESSED_DIR / str(year) / cfg.id


def load(year: int, delaftale: str = "", processed_dir: str | Path = "") -> ReportData:
    """What the report notebook computes from: the delaftale as it stands for the year, the
    indicators and the data files read. The analyst's comments are not among them: the render
    step puts them in (see `slot`). Without processed_dir (the notebook opened by hand): the
    year's published folder, which fills the slots too; a Danish stop if there is none."""
    cfg = config_mod.default(delaftale or None).for_report(year)
    folder = processed_dir_for(cfg, year, processed_dir)
    by_hand = None if processed_dir else published(folder, year, cfg.id)
    inputs = [i for i in read_inputs(folder) if i.get("kilde_id") != COMMENTS_SOURCE]
    return ReportData(cfg, year, indicators.read(folder), inputs, by_hand)


@dataclass(frozen=True)
class Headline:
    """One line of page 1: an indicator (or an antal's share) at its headline level."""

    delmaal: object
    ind: object
    indikator_id: str
    name: str
    niveau: str | None  # None: no whole-plan figure; page 1 summarises the units


def headlines(cfg: Config) -> list[Headline]:
    """Page 1's lines: every indicator of every delmål (with forside), an antal's share of its
    total as a line of its own, in the configuration's order."""
    out = []
    for d in cfg.delmaal:
        for ind in d.indikatorer:
            if not ind.forside:
                continue
            level = "helhedsplan" if "helhedsplan" in cfg.levels(ind) else None
            out.append(Headline(d, ind, ind.id, ind.navn, level))
            if getattr(ind, "andel_af", None) is not None:
                out.append(Headline(d, ind, f"{ind.id}_andel", ind.andel_af.indikator,
                                    "helhedsplan"))
    return out


FITS_WITH_A_NUMBER = 11  # characters of a count's word


def count_noun(ind) -> str:
    """Page 1 mixes shares and counts in one column, so a count says what it counts."""
    word = getattr(ind, "ord", None)
    if not word:
        return ""
    # A figure keeps its word on its line while both fit page 1's narrowest column (15 % of the
    # page: '108 anmeldelser'); a longer word may go to the next line ('40 / hærværkssager'),
    # or it would run into the next column in the PDF.
    return f"\u00a0{word}" if len(word) <= FITS_WITH_A_NUMBER else f" {word}"


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


def target_suffix(row) -> str:
    """'; på vej mod målet (8,0 pct. i 2025)' after a status, where the row has a target."""
    status = row["maal_status"] if "maal_status" in row.index else ""
    if not isinstance(status, str) or not status or pd.isna(row["maal"]):
        return ""
    value = (pct(row["maal"], int(row["decimaler"])) if row["enhed"] == "pct."
             else number(row["maal"]))
    when = f" i {int(row['maal_aar'])}" if not pd.isna(row["maal_aar"]) else " om året"
    return f"; {status} (mål: {value}{when})"
