"""The indikatorark: figures that come from elsewhere (LBF Beboerdata, the kommune, Danmarks
Statistik), one row per indicator, unit and year, for any indicator with `kilde: indikatorark`.

Each delaftale has its own file (indikatorark_<id>.xlsx, or the name its configuration gives),
one per year folder. A row gives Tæller and Nævner (an andel) or Antal (an antal) for one unit:
an afdeling ('Afd. 22'), a boligområde, 'Hele helhedsplanen', or a comparison group or named
total of the indicator. 'ikke målt' in a number says the figure is not measured that year, on
purpose; a row left out is an error, as a forgotten figure must never become 'ikke målt'. The
template (`make skabeloner`) has every row the year needs, with the unit filled in.
"""

from __future__ import annotations

import dataclasses

import pandas as pd

from ..config import PLAN_NAME, Config
from ..errors import Problem
from .columns import Column, Layout, Source
from .convert import on_purpose_key
from .problems import dk

NOT_MEASURED_WORD = "ikke målt"
NUMBERS = ("taeller", "naevner", "antal")


def _indicators(cfg: Config, whole: bool = True) -> list:
    """The delaftale's indicators read from the indikatorark (all of them: a year's file may
    hold one that a revision later removed)."""
    d = (cfg.whole or cfg.delaftale) if whole else cfg.delaftale
    return [i for dm in d.delmaal for i in dm.indikatorer if i.kilde == "indikatorark"]


def units_of(cfg: Config, ind) -> list[str]:
    """The units a row of the indicator may name: its levels' units (not the plan when it is
    the sum of the others), its comparison groups and its named total."""
    levels = [lv for lv in cfg.levels(ind)
              if not (lv == "helhedsplan" and cfg.plan_from_parts(ind))]
    return [*cfg.unit_names(levels), *cfg.comparison_names(ind)]


def due_rows(cfg: Config, year: int) -> list[dict]:
    """The rows a year's file must have: every indicator in force whose first year has come,
    every unit it names (comparison groups and totals too)."""
    out = []
    for ind in _indicators(cfg, whole=False):
        block = cfg.baseline(ind)
        first = block.aar if block else cfg.helhedsplan.periode_fra.year
        if year < first:
            continue
        out += [{"indikator": ind.navn, "enhed": unit} for unit in units_of(cfg, ind)]
    return out


def _names(cfg: Config) -> list[str]:
    return [i.navn for i in _indicators(cfg)]


def _all_units(cfg: Config) -> list[str]:
    return list(dict.fromkeys(u for i in _indicators(cfg) for u in units_of(cfg, i)))


def _example(cfg: Config | None):
    """The template's example row: the delaftale's first indicator from the indikatorark."""
    inds = _indicators(cfg) if cfg is not None else []
    return inds[0] if inds else None


def _example_number(key: str):
    def example(cfg: Config | None):
        ind = _example(cfg)
        share = ind is None or ind.type == "andel"
        return {"taeller": 231, "naevner": 648, "antal": ""}[key] if share else (
            {"taeller": "", "naevner": "", "antal": 150}[key])
    return example


def _example_unit(cfg: Config | None) -> str:
    ind = _example(cfg)
    units = units_of(cfg, ind) if ind is not None else []
    return units[0] if units else PLAN_NAME


def _number(key: str, header: str, what: str) -> Column:
    return Column(key, header, "int", what + f". '{NOT_MEASURED_WORD}', hvis tallet ikke er "
                  "målt i år", "personer eller antal", required=False, maximum=10_000_000,
                  none_words=(NOT_MEASURED_WORD, "ikke maalt"), example=_example_number(key),
                  share_part=key != "antal")


def _table_checks(df: pd.DataFrame, cfg: Config, year: int) -> list[Problem]:
    """Each row's numbers fit its indicator's kind and unit; every due row is there."""
    by_name = {i.navn: i for i in _indicators(cfg)}
    problems = []
    marked = {k: df.get(on_purpose_key(k), pd.Series(False, index=df.index)) for k in NUMBERS}
    values = df[list(NUMBERS)]
    if len(df) and values.isna().all().all() and not any(m.any() for m in marked.values()):
        return [Problem(f"filen har ingen tal: skriv tallene for {year} i 'Tæller' og 'Nævner' "
                        f"(andele) eller 'Antal'; er et tal ikke målt, så skriv "
                        f"'{NOT_MEASURED_WORD}'.", column="Tæller")]
    for row, r in df.iterrows():
        ind = by_name.get(r["indikator"])
        if ind is None or pd.isna(r["enhed"]):
            continue  # an unknown name is reported by the column's own check
        if r["enhed"] not in units_of(cfg, ind):
            problems.append(Problem(
                f"'{r['enhed']}' er ikke en enhed for '{ind.navn}': brug "
                + ", ".join(f"'{u}'" for u in units_of(cfg, ind)), row=int(row), column="Enhed"))
            continue
        said_not = any(bool(marked[k].get(row, False)) for k in NUMBERS)
        if said_not:
            continue
        if ind.type == "andel":
            for key, header in (("taeller", "Tæller"), ("naevner", "Nævner")):
                if pd.isna(r[key]):
                    problems.append(Problem(
                        f"mangler en værdi: '{ind.navn}' er en andel, så skriv både Tæller og "
                        f"Nævner (eller '{NOT_MEASURED_WORD}')", row=int(row), column=header))
            if not pd.isna(r["antal"]):
                problems.append(Problem("en andel har Tæller og Nævner: slet Antal",
                                        row=int(row), column="Antal"))
            if not pd.isna(r["taeller"]) and not pd.isna(r["naevner"]):
                if r["naevner"] == 0:
                    problems.append(Problem("Nævner må ikke være 0", row=int(row),
                                            column="Nævner"))
                elif r["taeller"] > r["naevner"]:
                    problems.append(Problem(
                        f"Tæller ({dk(r['taeller'])}) er større end Nævner ({dk(r['naevner'])})",
                        row=int(row), column="Tæller"))
        else:
            if pd.isna(r["antal"]):
                problems.append(Problem(
                    f"mangler en værdi: '{ind.navn}' er et antal, så skriv Antal (eller "
                    f"'{NOT_MEASURED_WORD}')", row=int(row), column="Antal"))
            for key, header in (("taeller", "Tæller"), ("naevner", "Nævner")):
                if not pd.isna(r[key]):
                    problems.append(Problem(f"et antal skrives i Antal: slet {header}",
                                            row=int(row), column=header))
    present = set(zip(df["indikator"], df["enhed"], strict=True))
    for due in due_rows(cfg, year):
        if (due["indikator"], due["enhed"]) not in present:
            problems.append(Problem(
                f"der er ingen række for '{due['indikator']}', '{due['enhed']}'. Tilføj rækken; "
                f"er tallet ikke målt i {year}, så skriv '{NOT_MEASURED_WORD}' i tallets celle.",
                column="Indikator"))
    return problems


def _to_table(df: pd.DataFrame, cfg: Config, year: int) -> pd.DataFrame:
    ids = {i.navn: i.id for i in _indicators(cfg)}
    marked = pd.Series(False, index=df.index)
    for key in NUMBERS:
        if on_purpose_key(key) in df:
            marked |= df[on_purpose_key(key)].astype(bool)
    level = {name: ("afdeling" if name.startswith("Afd. ") else "helhedsplan"
                    if name == PLAN_NAME else "boligområde" if name in cfg.area_names
                    else "sammenligning") for name in df["enhed"].dropna().unique()}
    return pd.DataFrame({
        "indikator": df["indikator"].map(ids), "enhed": df["enhed"],
        "niveau": df["enhed"].map(level), "taeller": df["taeller"], "naevner": df["naevner"],
        "antal": df["antal"], "maalt": ~marked, "excel_raekke": df["excel_raekke"]
        if "excel_raekke" in df else pd.NA})


SOURCE = Source(
    id="indikatorark",
    title="Indikatorark",
    origin="Tal fra andre kilder (fx LBF Beboerdata, kommunen, Danmarks Statistik), ét pr. "
           "indikator og enhed",
    filename="indikatorark.xlsx",  # each delaftale's own name: for_delaftale
    kilde="indikatorark",
    required_from=lambda cfg: cfg.first_year_of("indikatorark"),
    layouts=(Layout(
        id="indikatorer",
        title="én række pr. indikator og enhed",
        sheet="Indikatorer",
        instructions="Én række pr. indikator og enhed (skabelonen har dem alle). En andel har "
                     "Tæller og Nævner, et antal har Antal. Er et tal ikke målt i år, så skriv "
                     f"'{NOT_MEASURED_WORD}'. Slet ingen række.",
        columns=(
            Column("indikator", "Indikator", "text", "Indikatorens navn, som delaftalen "
                   "skriver det", example=lambda cfg: getattr(_example(cfg), "navn", ""),
                   choices=_names,
                   choice_label="en indikator fra indikatorarket i delaftalen"),
            Column("enhed", "Enhed", "text", "Afdelingen ('Afd. 22'), boligområdet, 'Hele "
                   "helhedsplanen' eller en sammenligningsgruppe", example=_example_unit,
                   choices=_all_units, choice_label="en enhed for indikatoren"),
            _number("taeller", "Tæller", "Tælleren i en andel (fx antal i beskæftigelse)"),
            _number("naevner", "Nævner", "Nævneren i en andel (fx antal 18-64-årige)"),
            _number("antal", "Antal", "Et antal (fx borgere i Åben Rådgivning)"),
        ),
        key=("indikator", "enhed"),
        table_checks=_table_checks,
        to_table=_to_table,
        template_rows=200,
    ),),
)


def for_delaftale(cfg: Config) -> Source:
    """The indikatorark source with the delaftale's own file name."""
    return dataclasses.replace(SOURCE, filename=cfg.indikatorark_file)
