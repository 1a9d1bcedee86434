"""SAB: attendance at the yearly afdelingsmøde per afdeling.

Every afdeling in the delaftale has a row each year; an afdeling that held no meeting says so
with 'intet møde' (the year is then 'ikke målt' for it). Attendance is checked against LBF
Beboerdata for the same year: the afdeling's area must have residents 18+, and no more may have
come than live there.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ..config import Config
from ..errors import Problem
from . import folder
from .base import read_file
from .beboerdata import SOURCE as BEBOERDATA
from .columns import Column, Layout, Source
from .problems import dk

NO_MEETING = ("intet møde", "ikke holdt", "aflyst")


def _afdelinger(cfg):
    return cfg.afdelinger


def _every_afdeling(df: pd.DataFrame, cfg: Config, year: int) -> list[Problem]:
    present = set(df["afdeling"].dropna().astype(int))
    return [Problem(f"afd. {a} mangler: der er ingen række for den. Tilføj rækken; blev der ikke "
                    f"holdt afdelingsmøde i {year}, så skriv 'intet møde' i 'Fremmødte beboere'.",
                    column="Afdeling")
            for a in cfg.afdelinger if a not in present]


def _mark_no_meeting(df: pd.DataFrame, cfg: Config, year: int) -> pd.DataFrame:
    """An afdeling that held no meeting keeps its row (moede_holdt false), so the report can say
    which afdeling held none, rather than leave a gap."""
    return df.assign(moede_holdt=df["fremmoedte"].notna()).reset_index(drop=True)


def _against_residents(cfg: Config, raw_dir: Path, year: int, table: pd.DataFrame,
                       label: str) -> list[Problem]:
    """Every afdeling with attendance has residents 18+ that year, and no more came than live there."""
    path = Path(raw_dir) / str(year) / BEBOERDATA.filename
    other = f"{year}/{BEBOERDATA.filename}"
    if not path.exists() and folder.declares(path.parent, BEBOERDATA):
        return [Problem(f"ikke_maalt.txt siger, at {BEBOERDATA.title} ikke er målt i {year}, men "
                        f"fremmødet kan kun sættes i forhold til beboere 18+ med Beboerdata for "
                        f"samme år. Læg Beboerdata for {year} i mappen.", file=label)]
    if not path.exists():
        return [Problem(f"der er fremmøde for {year}, men ingen Beboerdata-fil for {year} "
                        f"({other}). Fremmødet kan ikke sættes i forhold til antal beboere 18+: "
                        f"læg Beboerdata for {year} i mappen.", file=label)]
    residents = read_file(BEBOERDATA, cfg, path, year, other)
    # Checked on whatever could be read: rows of either file with a problem of their own (reported
    # there) are left out, so one run shows every problem without guessing at broken cells.
    if residents.table.empty:
        return []
    bad_rows = {p.row for p in residents.problems}
    good = residents.table[~residents.table["excel_raekke"].isin(bad_rows)]
    unknown_areas = set(residents.table["boligomraade"].dropna()) - set(good["boligomraade"])
    if any(p.row is None and p.column in (None, "Beboere 18+", "Boligområde")
           for p in residents.problems):
        return []
    r18 = good.dropna(subset=["beboere_18_plus"]).set_index("boligomraade")["beboere_18_plus"]
    sheet = SOURCE.sheet
    problems = []
    usable = table[table["afdeling"].isin(cfg.afdelinger) & table["fremmoedte"].notna()]
    for _, row in usable.iterrows():
        afd, k = int(row["afdeling"]), row["fremmoedte"]
        area = cfg.area_of_afdeling(afd)
        if area in unknown_areas:
            continue
        excel_row = None if pd.isna(row["excel_raekke"]) else int(row["excel_raekke"])
        if area not in r18.index:
            problems.append(Problem(
                f"afd. {afd} har fremmøde for {year}, men {other} har ikke 'Beboere 18+' for "
                f"{area}. Skriv antallet i {other}.", file=label, sheet=sheet, row=excel_row,
                column="Afdeling", value=afd))
        elif k > r18[area]:
            problems.append(Problem(
                f"{dk(k)} fremmødte er flere end de {dk(r18[area])} beboere 18+ i {area} "
                f"({other})", file=label, sheet=sheet, row=excel_row,
                column="Fremmødte beboere", value=int(k)))
    return problems


SOURCE = Source(
    id="afdelingsmoeder",
    title="SAB afdelingsmøder",
    origin="SAB, deltagerlister fra de årlige afdelingsmøder",
    filename="sab_afdelingsmoeder.xlsx",
    kilde="sab_afdelingsmoeder",
    required_from=lambda cfg: cfg.first_year_of("sab_afdelingsmoeder"),
    layouts=(Layout(
        id="fremmoede",
        title="fremmødte pr. afdeling",
        sheet="Afdelingsmøder",
        instructions="Én række pr. afdeling i delaftalen. Blev der ikke holdt møde, så skriv "
                     "'intet møde' i 'Fremmødte beboere'.",
        columns=(
            Column("afdeling", "Afdeling", "int", "Afdelingens nummer hos SAB", example=30,
                   choices=_afdelinger, choice_label="en afdeling i delaftalen"),
            Column("moededato", "Mødedato", "date", "Datoen for det årlige afdelingsmøde",
                   required=False, example="14-09-2024"),
            Column("fremmoedte", "Fremmødte beboere", "int",
                   "Antal beboere, der deltog i mødet (ikke personale og gæster). 'intet møde', "
                   "hvis der ikke blev holdt møde", "personer", example=31,
                   none_words=NO_MEETING, maximum=10_000),
        ),
        key=("afdeling",),
        table_checks=_every_afdeling,
        to_table=_mark_no_meeting,
        template_rows=50,
    ),),
    cross_checks=_against_residents,
    not_stored=("moededato",),  # checked (within the year), not used by the report
)
