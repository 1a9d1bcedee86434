"""LBF Beboerdata: residents per housing area (18+, 65+, førtidspensionister, outside labour force)."""

from .base import Column, Source
from .checks import non_negative, one_of

SOURCE = Source(
    id="beboerdata",
    title="LBF Beboerdata",
    origin="Landsbyggefondens Beboerdata (Danmarks Statistik), tabeller pr. afdeling",
    filename="beboerdata.xlsx",
    sheet="Beboerdata",
    columns=(
        Column("boligomraade", "Boligområde", "text", "Boligområdet, som delaftalen navngiver det",
               example="Stenbjergparken"),
        Column("beboere_18_plus", "Beboere 18+", "int",
               "Antal beboere på 18 år og derover pr. 1. januar", "personer",
               required=False, example=388),
        Column("beboere_65_plus", "Beboere 65+", "int", "Antal beboere på 65 år og derover",
               "personer", required=False, example=38),
        Column("foertidspensionister", "Førtidspensionister (fuldtidspersoner)", "float",
               "Førtidspensionister omregnet til fuldtidspersoner (kan have decimaler)",
               "fuldtidspersoner", required=False, example=77.3),
        Column("uden_for_arbejdsstyrken", "18-64 årige uden for arbejdsstyrken", "int",
               "Antal 18-64-årige uden for arbejdsstyrken", "personer", required=False,
               example=197),
    ),
    key=("boligomraade",),
    column_checks=lambda cfg, year: {
        "boligomraade": [one_of(cfg.area_names, "et boligområde i delaftalen")],
        "beboere_18_plus": [non_negative()],
        "beboere_65_plus": [non_negative()],
        "foertidspensionister": [non_negative()],
        "uden_for_arbejdsstyrken": [non_negative()],
    },
)
