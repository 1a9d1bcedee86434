"""What each source says about an indicator in one year: one observation per unit.

A source's tidy table (data/processed/<år>/<kilde>.csv) becomes, for one indicator and one year,
an ordered list of `Obs`: the units the report shows, each measured (tæller, nævner or antal) or
not (with the reason). The kinds (kinds.py) turn them into rows with baselines and statuses; a
unit whose figure is the sum of others is a placeholder (`sum_of_parts`) that the kind fills in.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from pathlib import Path

import pandas as pd

from ..config import PLAN_NAME, Config
from ..errors import Problem
from ..processed import read_not_measured, read_processed
from . import beboerdata, indikatorark, politi, sab, vive
from .politi import AREAS_TOTAL

# Where the declaration was made: kept in the indicator table and the export (for the analyst
# and Landsbyggefonden); the report leaves it out (report.board_reason), as a board member has
# no use for the file name.
DECLARED = " (angivet i årets ikke_maalt.txt)"


def declared_note(year: int, what: str) -> str:
    """Why a year has no figure when the analyst declared the source not measured."""
    return f"Ikke målt i {year}: {what} har ingen tal for året{DECLARED}"

NAN = math.nan
# The part levels a plan is summed from, finest first, with their names in notes.
PART_LABEL = {"afdeling": ("afd. ", "afdelinger"), "boligområde": ("", "boligområder")}


@dataclass
class Obs:
    niveau: str  # afdeling | boligområde | helhedsplan | sammenligning
    enhed_navn: str
    maalt: bool = True
    k: float = NAN  # tæller, or the count of an antal
    n: float = NAN  # nævner
    note: str = ""  # a measured unit's note, or why it is not measured ('Ikke målt i …')
    kilde_fil: str = ""
    eksempeldata: bool = False
    afdeling: float = NAN
    boligomraade: object = NAN
    naevner_enhed: str = ""  # whose denominator n is (summed once per unit: an area's 18+)
    absence: str = ""  # a part not measured on purpose: 'ikke holdt afdelingsmøde'
    sum_of_parts: bool = False  # a placeholder the kind fills with the parts' sum
    part_only: bool = False  # a part of a sum at a level the indicator does not show
    total: bool = False  # the named total an antal is a share of (the kommune)


@dataclass
class YearObs:
    units: list[Obs] = field(default_factory=list)
    # the whole plan summed from the parts: its note, and the note when no part is measured
    plan_note: str = ""
    none_note: str = ""
    declared: bool = False  # the source is declared not measured this year


class Sources:
    """The processed tables of one year's build, read once each."""

    def __init__(self, processed_dir: Path):
        self.dir = Path(processed_dir)
        self._tables: dict[str, pd.DataFrame] = {}

    def table(self, src_id: str) -> pd.DataFrame:
        if src_id not in self._tables:
            self._tables[src_id] = read_processed(src_id, self.dir)
        return self._tables[src_id]

    def declared(self, src_id: str) -> set[int]:
        return read_not_measured(src_id, self.dir)

    def has(self, src_id: str) -> bool:
        return (self.dir / f"{src_id}.csv").exists()


def _num(v) -> float:
    return NAN if v is None or pd.isna(v) else float(v)


def whole(v: float):
    """41.0 → 41 for notes; other values as they are."""
    return int(v) if not pd.isna(v) and float(v).is_integer() else v


# --- SAB: attendance per afdeling over the area's residents 18+ ------------------------------

def from_sab(cfg: Config, ind, src: Sources, year: int, problems: list[Problem]) -> YearObs:
    meetings = src.table(sab.SOURCE.id)
    if "moede_holdt" not in meetings:  # tables written before the column existed
        meetings = meetings.assign(moede_holdt=meetings["fremmoedte"].notna())
    residents = src.table(beboerdata.SOURCE.id)
    r18 = residents.dropna(subset=["beboere_18_plus"]).set_index(["aar", "boligomraade"])
    declared = year in src.declared(sab.SOURCE.id)
    this = meetings[meetings["aar"] == year].set_index("afdeling")
    out = YearObs(declared=declared, plan_note=(
        "Summen af fremmødte i alle afdelinger i forhold til summen af beboere 18+ (ikke et "
        "gennemsnit af andelene)"),
        none_note=f"Ikke målt i {year}: ingen afdeling holdt afdelingsmøde det år (SAB)")
    for afd in cfg.afdelinger:
        area = cfg.area_of_afdeling(afd)
        common = dict(niveau="afdeling", enhed_navn=f"Afd. {afd}", afdeling=afd,
                      boligomraade=area, naevner_enhed=area)
        if afd not in this.index:
            out.units.append(Obs(**common, maalt=False, note=declared_note(
                year, "SAB's opgørelse af fremmødet") if declared else ""))
            continue
        if not bool(this.at[afd, "moede_holdt"]):
            out.units.append(Obs(
                **common, maalt=False, absence="ikke holdt afdelingsmøde",
                note=f"Ikke målt i {year}: afd. {afd} holdt ikke afdelingsmøde det år (SAB)",
                kilde_fil=this.at[afd, "kilde_fil"],
                eksempeldata=bool(this.at[afd, "eksempeldata"])))
            continue
        # The ingest already refuses both cases (sab.py's cross-check); these stay so the
        # stage fails in Danish, not with a KeyError, when run on edited processed tables.
        if (year, area) not in r18.index:
            problems.append(Problem(
                f"afd. {afd} har fremmøde for {year}, men Beboerdata for {year} har ikke "
                f"'Beboere 18+' for {area}", file=f"{year}/beboerdata.xlsx"))
            continue
        k = int(this.at[afd, "fremmoedte"])
        n = int(r18.at[(year, area), "beboere_18_plus"])
        if k > n:
            problems.append(Problem(
                f"afd. {afd}: {k} fremmødte er flere end {n} beboere 18+ i {area} i {year}",
                file=f"{year}/sab_afdelingsmoeder.xlsx"))
            continue
        out.units.append(Obs(**common, k=k, n=n,
                             kilde_fil=f"{this.at[afd, 'kilde_fil']}; {year}/beboerdata.xlsx",
                             eksempeldata=bool(this.at[afd, "eksempeldata"])))
    levels = cfg.levels(ind)
    if "boligomraade" in levels:
        for area in cfg.area_names:
            out.units.append(Obs(niveau="boligområde", enhed_navn=area, boligomraade=area,
                                 sum_of_parts=True, naevner_enhed=area))
    if "helhedsplan" in levels:
        out.units.append(Obs(niveau="helhedsplan", enhed_navn=PLAN_NAME, sum_of_parts=True))
    # The afdelinger are the parts every sum is made of, also when they are not shown.
    out.units = [u if _level_key(u.niveau) in levels else replace(u, part_only=True)
                 for u in out.units]
    return out


def _level_key(niveau: str) -> str:
    return {"boligområde": "boligomraade", "sammenligning": "helhedsplan"}.get(niveau, niveau)


# --- VIVE: the satisfied share per group ---------------------------------------------------------

def _counting_note(row: pd.Series, year: int) -> str:
    """How VIVE's figures were counted and how 'ved ikke' was treated (from the ingest)."""
    parts = [str(row[c]) for c in ("opgoerelse", "ved_ikke")
             if c in row.index and isinstance(row[c], str) and row[c]]
    return f"{year}: " + "; ".join(parts) if parts else ""


def from_vive(cfg: Config, ind, src: Sources, year: int, problems: list[Problem]) -> YearObs:
    survey = src.table(vive.SOURCE.id)
    declared = year in src.declared(vive.SOURCE.id)
    this = survey[survey["aar"] == year].set_index("gruppe")
    out = YearObs(declared=declared)
    levels = cfg.levels(ind)
    groups = []
    for level in levels:
        if level == "helhedsplan":
            groups.append((PLAN_NAME, "helhedsplan", True))
        elif level == "boligomraade":  # beside the plan only shown where measured
            groups += [(a, "boligområde", "helhedsplan" not in levels) for a in cfg.area_names]
    groups += [(s.navn, "sammenligning", True) for s in ind.sammenligning]
    for group, niveau, expected in groups:
        common = dict(niveau=niveau, enhed_navn=group,
                      boligomraade=group if niveau == "boligområde" else NAN)
        if group not in this.index:
            if expected:
                out.units.append(Obs(**common, maalt=False, note=declared_note(
                    year, ind.datakilde) if declared else "" if niveau != "boligområde" else
                    f"Ikke målt i {year}: VIVEs tal for året har ingen række for {group}"))
            continue
        row = this.loc[group]
        out.units.append(Obs(**common, k=int(row["tilfredse"]), n=int(row["svar"]),
                             kilde_fil=row["kilde_fil"], eksempeldata=bool(row["eksempeldata"]),
                             note=_counting_note(row, year)))
    return out


# --- the police: reports from the areas and the kommune ------------------------------------------

def from_politi(cfg: Config, ind, src: Sources, year: int, problems: list[Problem]) -> YearObs:
    reports = src.table(politi.SOURCE.id)
    declared = year in src.declared(politi.SOURCE.id)
    this = reports[reports["aar"] == year].set_index("omraade")
    areas = this.reindex(cfg.area_names)["anmeldelser"]
    if AREAS_TOTAL in this.index:
        total = int(this.at[AREAS_TOTAL, "anmeldelser"])
    elif areas.notna().all():
        total = int(areas.sum())
    else:
        total = None
    example = bool(this["eksempeldata"].any()) if len(this) else False
    files = ", ".join(sorted(set(this["kilde_fil"]))) if len(this) else ""
    out = YearObs(declared=declared)
    levels = cfg.levels(ind)
    for level in levels:
        if level == "helhedsplan":
            if total is None:
                out.units.append(Obs(niveau="helhedsplan", enhed_navn=AREAS_TOTAL, maalt=False,
                                     note=declared_note(year, "politiets opgørelse")
                                     if declared else ""))
            else:
                out.units.append(Obs(niveau="helhedsplan", enhed_navn=AREAS_TOTAL, k=total,
                                     kilde_fil=files, eksempeldata=example))
        elif level == "boligomraade":
            for area, count in areas.dropna().items():
                out.units.append(Obs(niveau="boligområde", enhed_navn=area, boligomraade=area,
                                     k=int(count), kilde_fil=this.at[area, "kilde_fil"],
                                     eksempeldata=bool(this.at[area, "eksempeldata"])))
    if ind.andel_af is not None:
        name = ind.andel_af.navn
        value = this.at[name, "anmeldelser"] if name in this.index else None
        if value is not None and not pd.isna(value):
            out.units.append(Obs(niveau="sammenligning", enhed_navn=name, k=int(value),
                                 total=True, kilde_fil=this.at[name, "kilde_fil"],
                                 eksempeldata=bool(this.at[name, "eksempeldata"])))
    return out


# --- the indikatorark: figures from elsewhere, one row per indicator, unit and year -------------

def from_indikatorark(cfg: Config, ind, src: Sources, year: int, problems: list[Problem]) -> YearObs:
    declared = year in src.declared(indikatorark.SOURCE.id)
    sheet = src.table(indikatorark.SOURCE.id) if src.has(indikatorark.SOURCE.id) else pd.DataFrame(
        columns=["aar", "indikator", "enhed", "niveau", "taeller", "naevner", "antal", "maalt",
                 "kilde_fil", "eksempeldata"])
    this = sheet[(sheet["aar"] == year) & (sheet["indikator"] == ind.id)].set_index("enhed")
    share = ind.type == "andel"
    summed = cfg.plan_from_parts(ind)
    levels = cfg.levels(ind)
    out = YearObs(declared=declared)
    if summed:
        finest = next(lv for lv in ("afdeling", "boligomraade") if lv in levels)
        label, plural = PART_LABEL["boligområde" if finest == "boligomraade" else finest]
        out.plan_note = (f"Summen af tællerne for alle {plural} i forhold til summen af "
                         "nævnerne (ikke et gennemsnit af andelene)" if share else
                         f"Summen af alle {plural}")
        out.none_note = f"Ikke målt i {year}: ingen af {plural} er målt"
    file = cfg.indikatorark_file
    for name, niveau in _expected_units(cfg, ind):
        common = dict(niveau=niveau, enhed_navn=name,
                      afdeling=float(name.removeprefix("Afd. ")) if niveau == "afdeling" else NAN,
                      boligomraade=(name if niveau == "boligområde" else
                                    cfg.area_of_afdeling(int(name.removeprefix("Afd. ")))
                                    if niveau == "afdeling" else NAN),
                      naevner_enhed=name)
        if summed and niveau == "helhedsplan":
            out.units.append(Obs(**common, sum_of_parts=True))
            continue
        if name not in this.index:
            out.units.append(Obs(**common, maalt=False, note=declared_note(
                year, f"indikatorarket ({file})") if declared else ""))
            continue
        row = this.loc[name]
        if not bool(row["maalt"]):
            out.units.append(Obs(**common, maalt=False, absence="ikke er målt",
                                 note=f"Ikke målt i {year}: '{indikatorark.NOT_MEASURED_WORD}' i {file}",
                                 kilde_fil=row["kilde_fil"],
                                 eksempeldata=bool(row["eksempeldata"])))
            continue
        out.units.append(Obs(**common, k=_num(row["taeller"] if share else row["antal"]),
                             n=_num(row["naevner"]) if share else NAN,
                             kilde_fil=row["kilde_fil"], eksempeldata=bool(row["eksempeldata"])))
    extra = [s.navn for s in getattr(ind, "sammenligning", [])]
    if getattr(ind, "andel_af", None) is not None:
        extra.append(ind.andel_af.navn)
    for name in extra:
        is_total = ind.type == "antal"
        if name not in this.index or not bool(this.loc[name]["maalt"]):
            if not is_total:
                out.units.append(Obs(niveau="sammenligning", enhed_navn=name, maalt=False,
                                     note=declared_note(year, f"indikatorarket ({file})")
                                     if declared else ""))
            continue
        row = this.loc[name]
        out.units.append(Obs(niveau="sammenligning", enhed_navn=name, total=is_total,
                             k=_num(row["taeller"] if share else row["antal"]),
                             n=_num(row["naevner"]) if share else NAN,
                             kilde_fil=row["kilde_fil"], eksempeldata=bool(row["eksempeldata"])))
    return out


def _expected_units(cfg: Config, ind) -> list[tuple[str, str]]:
    """(display name, niveau) of every unit the indicator shows, in configuration order."""
    out = []
    for level in cfg.levels(ind):
        niveau = "boligområde" if level == "boligomraade" else level
        out += [(name, niveau) for name in cfg.unit_names([level])]
    return out


BUILDERS = {"sab_afdelingsmoeder": from_sab, "vive_livskvalitet": from_vive,
            "politi_anmeldelser": from_politi, "indikatorark": from_indikatorark}
