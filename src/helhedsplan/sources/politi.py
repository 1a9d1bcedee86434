"""Syd- og Sønderjyllands Politi: reports to the police from the areas and the whole kommune."""

import pandera.pandas as pa

from .base import Column, Source
from .checks import non_negative, one_of

AREAS_TOTAL = "Boligområderne i alt"


def kommune_label(cfg) -> str:
    return cfg.delmaal_by_id("anmeldelser").sammenligning.navn


def places(cfg) -> list[str]:
    return [*cfg.area_names, AREAS_TOTAL, kommune_label(cfg)]


def _areas_within_kommune(cfg) -> pa.Check:
    def check(df):
        kommune = df.loc[df["omraade"] == kommune_label(cfg), "anmeldelser"]
        if kommune.empty or kommune.isna().all():
            return df["omraade"].notna()
        return (df["omraade"] == kommune_label(cfg)) | df["anmeldelser"].isna() | (
            df["anmeldelser"] <= kommune.iloc[0])

    return pa.Check(check, error="flere anmeldelser end i hele kommunen")


SOURCE = Source(
    id="anmeldelser",
    title="Politiets anmeldelser",
    origin="Syd- og Sønderjyllands Politi, anmeldelser fordelt på område",
    filename="politi_anmeldelser.xlsx",
    sheet="Anmeldelser",
    columns=(
        Column("omraade", "Område", "text",
               f"Et boligområde, '{AREAS_TOTAL}' eller kommunen i alt", example=AREAS_TOTAL),
        Column("anmeldelser", "Anmeldelser", "int", "Antal anmeldelser i kalenderåret",
               "anmeldelser", example=108),
    ),
    key=("omraade",),
    column_checks=lambda cfg, year: {
        "omraade": [one_of(places(cfg), "et kendt område")],
        "anmeldelser": [non_negative()],
    },
    checks=lambda cfg, year: [_areas_within_kommune(cfg)],
)
