"""The indicator table: every delmål's indicator per level and year, against its baseline.

One tidy table (one row per indicator × level × year) is the only thing the report and the
export read, so every number they show can be traced to a row here and from there to a file.
"""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd

from . import activities, discretion, stats
from .config import Config
from .errors import InputError, Problem
from .processed import read_not_measured, read_processed
from .sources.politi import AREAS_TOTAL, kommune_label
from .sources.vive import HELHEDSPLAN_GROUP

COLUMNS = [
    "delmaal_id", "indikator_id", "indikator", "niveau", "enhed_navn", "afdeling",
    "boligomraade", "enhed", "decimaler", "aar", "maalt", "vaerdi", "taeller", "naevner",
    "ci_lav", "ci_hoej", "baseline_aar", "baseline_vaerdi", "baseline_taeller",
    "baseline_naevner", "maal", "aendring", "aendring_enhed", "p_vaerdi", "god_retning", "status",
    "undertrykt", "undertrykt_grund", "note", "datakilde", "kilde_fil", "eksempeldata",
]
NAN = math.nan


class _Rows:
    """Collects rows with the fields every row of one indicator shares."""

    def __init__(self, cfg: Config):
        self.cfg = cfg
        self.rows: list[dict] = []

    def add(self, **row):
        full = dict.fromkeys(COLUMNS, NAN)
        full.update(undertrykt=False, undertrykt_grund="", note="", kilde_fil="",
                    eksempeldata=False, maalt=True)
        full.update(row)
        self.rows.append(full)


def _share_row(rows: _Rows, *, delmaal, indikator_id, indikator, niveau, enhed_navn, year,
               k, n, base_k=None, base_n=None, base_year=None, **extra):
    """A share k/n with its Wilson interval, compared with the baseline share base_k/base_n.
    Whether it may be shown is decided for the whole table afterwards (discretion.py)."""
    value = 100 * k / n
    lo, hi = stats.wilson(k, n)
    row = dict(delmaal_id=delmaal.id, indikator_id=indikator_id, indikator=indikator,
               niveau=niveau, enhed_navn=enhed_navn, enhed="pct.", decimaler=delmaal.decimaler,
               aar=year, vaerdi=value, taeller=k, naevner=n, ci_lav=100 * lo, ci_hoej=100 * hi,
               god_retning=delmaal.god_retning, datakilde=delmaal.datakilde)
    if base_k is not None:
        row.update(baseline_aar=base_year, baseline_vaerdi=100 * base_k / base_n,
                   baseline_taeller=base_k, baseline_naevner=base_n)
        if year == base_year:
            row.update(aendring=0.0, aendring_enhed="procentpoint", status=stats.STATUS_BASELINE)
        else:
            p = stats.compare_proportions(k, n, base_k, base_n)
            change = value - row["baseline_vaerdi"]
            row.update(aendring=change, aendring_enhed="procentpoint", p_vaerdi=p,
                       status=stats.status(p, change, delmaal.god_retning))
    else:
        row.update(status=stats.STATUS_NO_BASELINE)
    if niveau == "sammenligning":
        # A comparison group (all helhedsplaner) is context for the board, not a goal of
        # this helhedsplan: its change is shown, but never judged.
        row.update(status=stats.STATUS_CONTEXT, p_vaerdi=NAN)
    row.update(extra)
    rows.add(**row)


def _not_measured(rows: _Rows, *, delmaal, indikator_id, indikator, niveau, enhed_navn, year,
                  enhed, base_year=None, base_value=NAN, note="", **extra):
    """A year without a figure. The note says why (it starts 'Ikke målt i <år>')."""
    rows.add(delmaal_id=delmaal.id, indikator_id=indikator_id, indikator=indikator,
             niveau=niveau, enhed_navn=enhed_navn, enhed=enhed, decimaler=delmaal.decimaler,
             aar=year, maalt=False, baseline_aar=base_year, baseline_vaerdi=base_value,
             god_retning=delmaal.god_retning, datakilde=delmaal.datakilde,
             status=stats.STATUS_NOT_MEASURED, note=note or f"Ikke målt i {year}", **extra)


# Where the declaration was made: kept in the indicator table and the export (for the analyst
# and Landsbyggefonden); the report leaves it out (report.board_reason), as a board member has
# no use for the file name.
DECLARED = " (angivet i årets ikke_maalt.txt)"


def declared_note(year: int, what: str) -> str:
    """Why a year has no figure when the analyst declared the source not measured."""
    return f"Ikke målt i {year}: {what} har ingen tal for året{DECLARED}"


def _attendance(rows: _Rows, cfg: Config, meetings: pd.DataFrame, residents: pd.DataFrame,
                year_to: int, declared: set[int] = frozenset()):
    """Attendance per afdeling and for the whole plan.

    The rule for an afdeling that held no meeting ('intet møde', 'aflyst'): its year is 'ikke
    målt' with a note saying so, and the whole plan's figure is the afdelinger that held one,
    compared with the baseline of the same afdelinger; the note names the afdeling left out. A
    year where SAB's figures are missing altogether is 'ikke målt' for all.
    """
    d = cfg.delmaal_by_id("afdelingsmoeder")
    base = d.baseline
    base_by_afd = {b.afdeling: b for b in base.afdelinger}
    r18 = residents.dropna(subset=["beboere_18_plus"]).set_index(["aar", "boligomraade"])
    if "moede_holdt" not in meetings:  # tables written before the column existed
        meetings = meetings.assign(moede_holdt=meetings["fremmoedte"].notna())
    problems = []
    for year in range(base.aar, year_to + 1):
        this = meetings[meetings["aar"] == year].set_index("afdeling")
        total_k = 0
        residents_of: dict[str, int] = {}  # an area with several afdelinger counts its 18+ once
        complete = True
        held: list[int] = []
        no_meeting: list[int] = []
        for afd in cfg.afdelinger:
            area = cfg.area_of_afdeling(afd)
            common = dict(delmaal=d, indikator_id="deltagelse", indikator=d.indikator,
                          niveau="afdeling", enhed_navn=f"Afd. {afd}", year=year,
                          afdeling=afd, boligomraade=area)
            base_value = 100 * base_by_afd[afd].taeller / base_by_afd[afd].naevner
            if afd not in this.index:
                complete = False
                _not_measured(rows, enhed="pct.", base_year=base.aar, base_value=base_value,
                              **{k: v for k, v in common.items() if k != "year"}, year=year,
                              note=declared_note(year, "SAB's opgørelse af fremmødet")
                              if year in declared else "")
                continue
            if not bool(this.at[afd, "moede_holdt"]):
                no_meeting.append(afd)
                _not_measured(rows, enhed="pct.", base_year=base.aar, base_value=base_value,
                              **{k: v for k, v in common.items() if k != "year"}, year=year,
                              note=f"Ikke målt i {year}: afd. {afd} holdt ikke afdelingsmøde det år "
                                   "(SAB)", kilde_fil=this.at[afd, "kilde_fil"],
                              eksempeldata=bool(this.at[afd, "eksempeldata"]))
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
            b = base_by_afd[afd]
            note = ""
            if year == base.aar and (k, n) != (b.taeller, b.naevner):
                note = (f"Data for {year} ({k}/{n}) afviger fra delaftalens baseline "
                        f"({b.taeller}/{b.naevner})")
            _share_row(rows, **common, k=k, n=n, base_k=b.taeller, base_n=b.naevner,
                       base_year=base.aar, note=note,
                       kilde_fil=f"{this.at[afd, 'kilde_fil']}; {year}/beboerdata.xlsx",
                       eksempeldata=bool(this.at[afd, "eksempeldata"]))
            total_k += k
            residents_of[area] = n
            held.append(afd)
        total_n = sum(residents_of.values())
        common = dict(delmaal=d, indikator_id="deltagelse", indikator=d.indikator,
                      niveau="helhedsplan", enhed_navn=HELHEDSPLAN_GROUP, year=year)
        if complete and total_n:
            note = ("Summen af fremmødte i alle afdelinger i forhold til summen af beboere 18+ "
                    "(ikke et gennemsnit af andelene)")
            if no_meeting:
                note = (f"{year}: kun afd. {_and(held)}, fordi afd. {_and(no_meeting)} ikke holdt "
                        f"afdelingsmøde; sammenlignet med baseline for de samme afdelinger. "
                        + note)
            _share_row(rows, **common, k=total_k, n=total_n,
                       base_k=sum(base_by_afd[a].taeller for a in held),
                       base_n=sum({cfg.area_of_afdeling(a): base_by_afd[a].naevner
                                   for a in held}.values()), base_year=base.aar,
                       eksempeldata=bool(this["eksempeldata"].any()), note=note)
        elif not problems:
            why = ""
            if year in declared:
                why = declared_note(year, "SAB's opgørelse af fremmødet")
            elif complete and no_meeting:
                why = f"Ikke målt i {year}: ingen afdeling holdt afdelingsmøde det år (SAB)"
            _not_measured(rows, enhed="pct.", **{k: v for k, v in common.items() if k != "year"},
                          year=year, note=why)
    if problems:
        raise InputError(problems)


def _and(items) -> str:
    """[22, 35, 24] → '22, 35 og 24'."""
    items = [str(i) for i in items]
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " og " + items[-1]


def _livskvalitet(rows: _Rows, cfg: Config, survey: pd.DataFrame, year_to: int,
                  declared: set[int] = frozenset()):
    d = cfg.delmaal_by_id("livskvalitet")
    base, comp = d.baseline, d.sammenligning
    levels = [(HELHEDSPLAN_GROUP, "helhedsplan", HELHEDSPLAN_GROUP, base.taeller,
               base.naevner)]
    levels += [(a, "boligområde", a, None, None) for a in cfg.area_names]
    if comp:
        levels.append((comp.navn, "sammenligning", comp.navn, comp.taeller, comp.naevner))
    for year in range(base.aar, year_to + 1):
        this = survey[survey["aar"] == year].set_index("gruppe")
        for group, niveau, label, base_k, base_n in levels:
            common = dict(delmaal=d, indikator_id="livskvalitet", indikator=d.indikator,
                          niveau=niveau, enhed_navn=label, year=year,
                          boligomraade=group if niveau == "boligområde" else NAN)
            if group not in this.index:
                if niveau != "boligområde":  # areas are only shown where measured
                    _not_measured(rows, enhed="pct.", base_year=base.aar,
                                  base_value=100 * base_k / base_n,
                                  **{k: v for k, v in common.items() if k != "year"}, year=year,
                                  note=declared_note(year, d.datakilde)
                                  if year in declared else "")
                continue
            _share_row(rows, **common, k=int(this.at[group, "tilfredse"]),
                       n=int(this.at[group, "svar"]), base_k=base_k, base_n=base_n,
                       base_year=base.aar if base_k is not None else None,
                       kilde_fil=this.at[group, "kilde_fil"],
                       eksempeldata=bool(this.at[group, "eksempeldata"]),
                       note=_counting_note(this.loc[group], year))


def _counting_note(row: pd.Series, year: int) -> str:
    """How VIVE's figures were counted and how 'ved ikke' was treated (from the ingest)."""
    parts = [str(row[c]) for c in ("opgoerelse", "ved_ikke")
             if c in row.index and isinstance(row[c], str) and row[c]]
    return f"{year}: " + "; ".join(parts) if parts else ""


def _police(rows: _Rows, cfg: Config, reports: pd.DataFrame, year_to: int,
            declared: set[int] = frozenset()):
    d = cfg.delmaal_by_id("anmeldelser")
    base = d.baseline
    kommune = kommune_label(cfg)
    for year in range(base.aar, year_to + 1):
        this = reports[reports["aar"] == year].set_index("omraade")
        areas = this.reindex(cfg.area_names)["anmeldelser"]
        if AREAS_TOTAL in this.index:
            total = int(this.at[AREAS_TOTAL, "anmeldelser"])
        elif areas.notna().all():
            total = int(areas.sum())
        else:
            total = None
        src = dict(datakilde=d.datakilde, god_retning=d.god_retning, decimaler=0,
                   delmaal_id=d.id, indikator=d.indikator)
        example = bool(this["eksempeldata"].any()) if len(this) else False
        files = ", ".join(sorted(set(this["kilde_fil"]))) if len(this) else ""
        count_common = dict(indikator_id="anmeldelser", niveau="helhedsplan",
                            enhed_navn="Boligområderne i alt")
        if total is None:
            _not_measured(rows, delmaal=d, indikator=d.indikator, enhed="antal",
                          base_year=base.aar, base_value=base.antal, year=year, **count_common,
                          note=declared_note(year, "politiets opgørelse")
                          if year in declared else "")
        else:
            lo, hi = stats.poisson_interval(total)
            row = dict(src, **count_common, enhed="antal", aar=year, vaerdi=total, taeller=total,
                       ci_lav=lo, ci_hoej=hi, baseline_aar=base.aar, baseline_vaerdi=base.antal,
                       aendring=total - base.antal, aendring_enhed="antal",
                       kilde_fil=files, eksempeldata=example)
            if year == base.aar:
                row.update(status=stats.STATUS_BASELINE, aendring=0)
                if total != base.antal:
                    row.update(note=f"Data for {year} ({total}) afviger fra delaftalens "
                                    f"baseline ({base.antal})")
            else:
                p = stats.compare_counts(total, base.antal)
                row.update(p_vaerdi=p, status=stats.status(p, total - base.antal,
                                                           d.god_retning))
            rows.add(**row)
        for area, count in areas.dropna().items():
            rows.add(**src, indikator_id="anmeldelser", niveau="boligområde", enhed_navn=area,
                     boligomraade=area, enhed="antal", aar=year, vaerdi=int(count),
                     taeller=int(count), status=stats.STATUS_NO_BASELINE,
                     kilde_fil=this.at[area, "kilde_fil"],
                     eksempeldata=bool(this.at[area, "eksempeldata"]))
        k_total = this.at[kommune, "anmeldelser"] if kommune in this.index else None
        if k_total is not None and not pd.isna(k_total):
            k_total = int(k_total)
            rows.add(**src, indikator_id="anmeldelser", niveau="sammenligning",
                     enhed_navn=kommune, enhed="antal", aar=year, vaerdi=k_total,
                     taeller=k_total, baseline_aar=base.aar, baseline_vaerdi=base.kommune_antal,
                     aendring=k_total - base.kommune_antal, aendring_enhed="antal",
                     status=stats.STATUS_CONTEXT, kilde_fil=this.at[kommune, "kilde_fil"],
                     eksempeldata=bool(this.at[kommune, "eksempeldata"]))
        share_common = dict(indikator_id="anmeldelser_andel", niveau="helhedsplan",
                            enhed_navn="Boligområdernes andel af kommunens anmeldelser")
        if total is not None and k_total:
            value = 100 * total / k_total
            base_value = 100 * base.antal / base.kommune_antal
            # The same binomial view of the share as its test (compare_proportions): Wilson.
            lo, hi = stats.wilson(total, k_total)
            row = dict(src, **share_common, decimaler=d.decimaler,
                       indikator="Andel af alle anmeldelser i kommunen", enhed="pct.", aar=year,
                       vaerdi=value, taeller=total, naevner=k_total, ci_lav=100 * lo,
                       ci_hoej=100 * hi, baseline_aar=base.aar,
                       baseline_vaerdi=base_value, baseline_taeller=base.antal,
                       baseline_naevner=base.kommune_antal, aendring=value - base_value,
                       aendring_enhed="procentpoint", kilde_fil=files, eksempeldata=example)
            if year == base.aar:
                row.update(status=stats.STATUS_BASELINE, aendring=0.0)
            else:
                p = stats.compare_proportions(total, k_total, base.antal, base.kommune_antal)
                row.update(p_vaerdi=p, status=stats.status(p, row["aendring"], d.god_retning))
            rows.add(**row)


def _target_group(rows: _Rows, cfg: Config, residents: pd.DataFrame, year_to: int):
    """The dataoversigt: who lives in the areas, per area and in total, for every year with data.

    Context for the board, not a goal: no baseline, no status. Discretion is decided for the
    whole table afterwards (discretion.py).
    """
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
                row = dict(delmaal_id="maalgruppe", indikator_id=measure, indikator=label,
                           niveau=niveau, enhed_navn=unit,
                           boligomraade=unit if niveau == "boligområde" else NAN,
                           enhed="antal", decimaler=1 if measure == "foertidspensionister" else 0,
                           aar=int(year), vaerdi=float(value), taeller=float(value),
                           status=stats.STATUS_CONTEXT,
                           datakilde="Landsbyggefondens Beboerdata (Danmarks Statistik)",
                           kilde_fil=f"{int(year)}/beboerdata.xlsx",
                           eksempeldata=bool(this["eksempeldata"].any()))
                rows.add(**row)


def compute(cfg: Config, processed_dir: Path, year: int) -> pd.DataFrame:
    """Build the indicator table for the report year from data/processed/<år>/."""
    threshold = cfg.diskretion.mindste_antal
    rows = _Rows(cfg)
    _attendance(rows, cfg, read_processed("afdelingsmoeder", processed_dir),
                read_processed("beboerdata", processed_dir), year,
                read_not_measured("afdelingsmoeder", processed_dir))
    _livskvalitet(rows, cfg, read_processed("livskvalitet", processed_dir), year,
                  read_not_measured("livskvalitet", processed_dir))
    _police(rows, cfg, read_processed("anmeldelser", processed_dir), year,
            read_not_measured("anmeldelser", processed_dir))
    _target_group(rows, cfg, read_processed("beboerdata", processed_dir), year)
    log_path = Path(processed_dir) / "aktiviteter.csv"
    if log_path.exists():  # the activity log starts with the helhedsplan (2021)
        log = read_processed("aktiviteter", processed_dir)
        for row in activities.indicator_rows(cfg, log, year, threshold):
            rows.add(**row)
    table = discretion.apply(pd.DataFrame(rows.rows, columns=COLUMNS), threshold)
    for col in ("afdeling", "baseline_aar", "aar"):
        table[col] = table[col].astype("Int64")
    return table


def write(table: pd.DataFrame, processed_dir: Path) -> Path:
    path = Path(processed_dir) / "indikatorer.csv"
    table.to_csv(path, index=False)
    return path


def read(processed_dir: Path) -> pd.DataFrame:
    return pd.read_csv(Path(processed_dir) / "indikatorer.csv",
                       dtype={"afdeling": "Int64", "baseline_aar": "Int64", "aar": "Int64"},
                       keep_default_na=True).fillna({"note": "", "kilde_fil": ""})
