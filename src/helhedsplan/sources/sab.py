"""SAB: attendance at the yearly afdelingsmøde per afdeling."""

from .base import Column, Source
from .checks import non_negative, one_of, within_year

SOURCE = Source(
    id="afdelingsmoeder",
    title="SAB afdelingsmøder",
    origin="SAB, deltagerlister fra de årlige afdelingsmøder",
    filename="sab_afdelingsmoeder.xlsx",
    sheet="Afdelingsmøder",
    columns=(
        Column("afdeling", "Afdeling", "int", "Afdelingens nummer hos SAB", example=30),
        Column("moededato", "Mødedato", "date", "Datoen for det årlige afdelingsmøde",
               required=False, example="14-09-2024"),
        Column("fremmoedte", "Fremmødte beboere", "int",
               "Antal beboere, der deltog i mødet (ikke personale og gæster)", "personer",
               example=31),
    ),
    key=("afdeling",),
    column_checks=lambda cfg, year: {
        "afdeling": [one_of(cfg.afdelinger, "en afdeling i delaftalen")],
        "moededato": [within_year(year)],
        "fremmoedte": [non_negative()],
    },
)
