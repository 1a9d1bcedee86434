"""The delaftale's dataoversigt: who lives in the areas, per area and in total, from Beboerdata.

Context for the board, not a goal: no baseline, no status. Discretion is decided for the whole
table afterwards (discretion.py).
"""

from __future__ import annotations

import pandas as pd

from .. import stats
from ..config import Config
from .rows import NAN, Rows

DELMAAL_ID = "maalgruppe"
DATAKILDE = "Landsbyggefondens Beboerdata (Danmarks Statistik)"
DECIMAL_MEASURES = {"foertidspensionister"}  # full-time persons: decimals


def compute(rows: Rows, cfg: Config, residents: pd.DataFrame, year_to: int) -> None:
    if cfg.dataoversigt is None:
        return
    names = {m.id: m.navn for m in cfg.dataoversigt.maal}
    for measure, label in names.items():
        if measure not in residents:
            continue
        data = residents[(residents["aar"] <= year_to)].dropna(subset=[measure])
        for year, this in data.groupby("aar"):
            by_area = this.set_index("boligomraade")[measure]
            entries = [(a, "boligområde", by_area.get(a)) for a in cfg.area_names]
            complete = all(v is not None and not pd.isna(v) for _, _, v in entries)
            if complete:
                entries.append(("I alt", "helhedsplan", float(by_area.sum())))
            for unit, niveau, value in entries:
                if value is None or pd.isna(value):
                    continue
                rows.add(delmaal_id=DELMAAL_ID, indikator_id=measure, indikator=label,
                         niveau=niveau, enhed_navn=unit,
                         boligomraade=unit if niveau == "boligområde" else NAN,
                         enhed="antal", decimaler=1 if measure in DECIMAL_MEASURES else 0,
                         aar=int(year), vaerdi=float(value), taeller=float(value),
                         status=stats.STATUS_CONTEXT, datakilde=DATAKILDE,
                         kilde_fil=f"{int(year)}/beboerdata.xlsx",
                         eksempeldata=bool(this["eksempeldata"].any()))
