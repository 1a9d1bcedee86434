"""Syd- og Sønderjyllands Politi: reports to the police from the areas and the whole kommune."""

from __future__ import annotations

import pandas as pd

from ..errors import Problem
from .checks import row_check
from .columns import Column, Layout, Source
from .problems import dk

AREAS_TOTAL = "Boligområderne i alt"


def kommune_labels(cfg) -> list[str]:
    """The named totals the areas' reports are a share of (the kommune), of every delaftale
    that reads the police's file."""
    return list(dict.fromkeys(ind.andel_af.navn for c in cfg.readers("politi_anmeldelser")
                              for ind in c.indicators_from("politi_anmeldelser")
                              if ind.andel_af is not None))


def places(cfg) -> list[str]:
    return [*cfg.area_names, AREAS_TOTAL, *kommune_labels(cfg)]


def _areas_within_kommune(cfg, kommune_label: str):
    def check(df):
        kommune = df.loc[df["omraade"] == kommune_label, "anmeldelser"].dropna()
        if kommune.empty:
            return pd.Series(True, index=df.index)
        return (df["omraade"] == kommune_label) | df["anmeldelser"].isna() | (
            df["anmeldelser"] <= kommune.iloc[0])

    return row_check(check, f"er flere anmeldelser end i hele kommunen ('{kommune_label}')",
                     column="anmeldelser")


def _total_is_sum(df: pd.DataFrame, cfg, year: int) -> list[Problem]:
    """'Boligområderne i alt' is the four areas together, when all four are given."""
    by_place = df.dropna(subset=["omraade", "anmeldelser"]).drop_duplicates("omraade").set_index(
        "omraade")
    areas = [a for a in cfg.area_names if a in by_place.index]
    if AREAS_TOTAL not in by_place.index or len(areas) != len(cfg.area_names):
        return []
    total = by_place.at[AREAS_TOTAL, "anmeldelser"]
    parts = by_place.loc[areas, "anmeldelser"].sum()
    if total == parts:
        return []
    return [Problem(f"'{AREAS_TOTAL}' ({dk(total)}) er ikke summen af de fire boligområder "
                    f"({dk(parts)}). Ret det tal, der er forkert.",
                    row=int(by_place.at[AREAS_TOTAL, "excel_raekke"])
                    if "excel_raekke" in by_place else None, column="Anmeldelser",
                    )]


def _with_rows(check):
    def run(df, cfg, year):
        return check(df.assign(excel_raekke=df.index), cfg, year)

    return run


SOURCE = Source(
    id="anmeldelser",
    title="Politiets anmeldelser",
    origin="Syd- og Sønderjyllands Politi, anmeldelser fordelt på område",
    filename="politi_anmeldelser.xlsx",
    kilde="politi_anmeldelser",
    required_from=lambda cfg: cfg.first_year_of("politi_anmeldelser"),
    layouts=(Layout(
        id="anmeldelser",
        title="anmeldelser pr. område",
        sheet="Anmeldelser",
        instructions=f"Én række pr. område: '{AREAS_TOTAL}' og kommunen i alt skal altid med; "
                     "boligområderne hver for sig, hvis politiet har opgjort dem.",
        columns=(
            Column("omraade", "Område", "text",
                   f"Et boligområde, '{AREAS_TOTAL}' eller kommunen i alt", example=AREAS_TOTAL,
                   choices=places, choice_label="et kendt område"),
            Column("anmeldelser", "Anmeldelser", "int", "Antal anmeldelser i kalenderåret",
                   "anmeldelser", example=108, maximum=100_000),
        ),
        key=("omraade",),
        checks=lambda cfg, year: [_areas_within_kommune(cfg, k) for k in kommune_labels(cfg)],
        table_checks=_with_rows(_total_is_sum),
        template_rows=50,
    ),),
)
