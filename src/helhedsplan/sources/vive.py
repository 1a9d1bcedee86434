"""VIVE's tryghed- og trivselsmåling: respondents and those 'meget tilfreds/tilfreds'."""

from .base import Column, Source
from .checks import at_most, non_negative, one_of

HELHEDSPLAN_GROUP = "Hele helhedsplanen"


def groups(cfg) -> list[str]:
    comparison = cfg.delmaal_by_id("livskvalitet").sammenligning
    return [HELHEDSPLAN_GROUP, *cfg.area_names, *([comparison.navn] if comparison else [])]


SOURCE = Source(
    id="livskvalitet",
    title="VIVE trivselsmåling",
    origin="VIVEs trygheds- og trivselsmåling (spørgsmål om livskvalitet)",
    filename="vive_livskvalitet.xlsx",
    sheet="Livskvalitet",
    columns=(
        Column("gruppe", "Gruppe", "text",
               f"'{HELHEDSPLAN_GROUP}', et boligområde eller sammenligningsgruppen",
               example=HELHEDSPLAN_GROUP),
        Column("svar", "Antal svar", "int", "Antal beboere, der har besvaret spørgsmålet",
               "personer", example=148),
        Column("tilfredse", "Meget tilfreds eller tilfreds", "int",
               "Antal, der svarede 'meget tilfreds' eller 'tilfreds'", "personer", example=115),
    ),
    key=("gruppe",),
    column_checks=lambda cfg, year: {
        "gruppe": [one_of(groups(cfg), "en kendt gruppe")],
        "svar": [non_negative()],
        "tilfredse": [non_negative()],
    },
    checks=lambda cfg, year: [
        at_most("tilfredse", "svar", "flere tilfredse end svar: 'Meget tilfreds eller tilfreds' "
                "må højst være 'Antal svar'"),
    ],
)
