"""The indicator table: every indicator of the delaftale per unit and year, against its baseline.

One tidy table (one row per indicator × unit × year) is the only thing the report and the
export read, so every number they show can be traced to a row here and from there to a file.
What the table holds follows the configuration: each indicator's kind (kinds.py, or the activity
log's targets in activities.py) computes its rows from what its source says (sources/observations.py).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from .. import activities, discretion
from ..config import Config
from ..errors import InputError, Problem
from ..sources import aktiviteter, beboerdata
from ..sources.observations import Sources
from . import kinds, maalgruppe
from .rows import COLUMNS, DECLARED, Rows, declared_note

__all__ = ["COLUMNS", "DECLARED", "compute", "declared_note", "families", "read", "write"]


def compute(cfg: Config, processed_dir: Path, year: int) -> pd.DataFrame:
    """Build the indicator table for the report year from data/processed/<år>/<delaftale>/."""
    cfg = cfg.for_report(year)
    threshold = cfg.diskretion.mindste_antal
    rows = Rows()
    src = Sources(processed_dir)
    problems: list[Problem] = []
    for delmaal, ind in cfg.indicators():
        if ind.type == "aktivitetsmaal":
            if src.has(aktiviteter.SOURCE.id):  # the log starts with the helhedsplan
                rows.rows += activities.indicator_rows(
                    cfg, delmaal, ind, src.table(aktiviteter.SOURCE.id), year, threshold)
            continue
        kinds.compute(rows, cfg, delmaal, ind, src, year, problems)
    if problems:
        raise InputError(problems)
    if src.has(beboerdata.SOURCE.id):
        maalgruppe.compute(rows, cfg, src.table(beboerdata.SOURCE.id), year)
    table = discretion.apply(pd.DataFrame(rows.rows, columns=COLUMNS), threshold,
                             families(cfg))
    for col in ("afdeling", "baseline_aar", "aar", "maal_aar"):
        table[col] = table[col].astype("Int64")
    return table


def families(cfg: Config) -> dict[str, discretion.Family]:
    """Which rows count persons, for discretion: per indicator id, its family and how its
    denominator is linked (an afdeling's attendance is a share of its area's residents 18+)."""
    out: dict[str, discretion.Family] = {}
    for _, ind in cfg.indicators():
        if ind.type in ("andel", "svarfordeling"):
            link = "beboere_18_plus" if ind.kilde == "sab_afdelingsmoeder" else None
            out[ind.id] = discretion.Family(ind.id, denominator="link" if link else "own",
                                            link=link)
        elif ind.type == "antal" and ind.personer:
            out[ind.id] = discretion.Family(ind.id, denominator="none")
            if ind.andel_af is not None:
                out[kinds.share_id(ind)] = discretion.Family(ind.id, share_of=ind.id)
    if cfg.dataoversigt is not None:
        for m in cfg.dataoversigt.maal:
            out[m.id] = discretion.Family(m.id, denominator="none")
    return out


def write(table: pd.DataFrame, processed_dir: Path) -> Path:
    path = Path(processed_dir) / "indikatorer.csv"
    table.to_csv(path, index=False)
    return path


def read(processed_dir: Path) -> pd.DataFrame:
    return pd.read_csv(Path(processed_dir) / "indikatorer.csv",
                       dtype={"afdeling": "Int64", "baseline_aar": "Int64", "aar": "Int64",
                              "maal_aar": "Int64", "note": "object", "kilde_fil": "object",
                              "maal_status": "object"},
                       keep_default_na=True).fillna({"note": "", "kilde_fil": "",
                                                     "maal_status": ""})

