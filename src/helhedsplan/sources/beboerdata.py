"""LBF Beboerdata: residents per housing area (18+, 65+, førtidspensionister, outside labour force)."""

from .checks import at_most
from .columns import Column, Layout, Source

ORIGIN = "Landsbyggefondens Beboerdata (Danmarks Statistik), tabeller pr. afdeling"


def _areas(cfg):
    return cfg.area_names


def _within_adults(key: str, header: str):
    return at_most(key, "beboere_18_plus",
                   f"'{header}' ({{{key}}}) er flere end 'Beboere 18+' ({{beboere_18_plus}}) i "
                   f"samme boligområde")


SOURCE = Source(
    id="beboerdata",
    title="LBF Beboerdata",
    origin=ORIGIN,
    filename="beboerdata.xlsx",
    kilde="beboerdata",
    required_from=lambda cfg: cfg.first_year_of("beboerdata"),
    layouts=(Layout(
        id="beboere",
        title="antal beboere pr. boligområde",
        sheet="Beboerdata",
        instructions="Én række pr. boligområde. Skriv de tal, Beboerdata har for året; lad en "
                     "celle stå tom, hvis tallet ikke findes (fx skjult af diskretionshensyn).",
        columns=(
            Column("boligomraade", "Boligområde", "text",
                   "Boligområdet, som delaftalen navngiver det", example="Stenbjergparken",
                   choices=_areas, choice_label="et boligområde i delaftalen"),
            Column("beboere_18_plus", "Beboere 18+", "int",
                   "Antal beboere på 18 år og derover pr. 1. januar", "personer",
                   required=False, example=388, maximum=100_000),
            Column("beboere_65_plus", "Beboere 65+", "int", "Antal beboere på 65 år og derover",
                   "personer", required=False, example=38, maximum=100_000),
            Column("foertidspensionister", "Førtidspensionister (fuldtidspersoner)", "float",
                   "Førtidspensionister omregnet til fuldtidspersoner (kan have decimaler)",
                   "fuldtidspersoner", required=False, example=77.3, maximum=100_000),
            Column("uden_for_arbejdsstyrken", "18-64 årige uden for arbejdsstyrken", "int",
                   "Antal 18-64-årige uden for arbejdsstyrken", "personer", required=False,
                   example=197, maximum=100_000),
        ),
        key=("boligomraade",),
        checks=lambda cfg, year: [
            _within_adults("beboere_65_plus", "Beboere 65+"),
            _within_adults("foertidspensionister", "Førtidspensionister (fuldtidspersoner)"),
            _within_adults("uden_for_arbejdsstyrken", "18-64 årige uden for arbejdsstyrken"),
        ],
        template_rows=50,
    ),),
)
