"""Each kind of indicator, computed: a share (andel, svarfordeling) or a count (antal), per unit
and year, against the baseline in force, with its interval, test, status and target.

The observations (observations.py) say what the data holds; this module knows what a baseline
is, how a plan's figure is summed from its parts, and how a change is judged.
"""

from __future__ import annotations

import math

from .. import stats
from ..config import Config
from ..errors import Problem
from ..sources.observations import BUILDERS, PART_LABEL, Obs, Sources, YearObs, whole
from . import targets
from .rows import NAN, Rows, and_list, not_measured_row, share_row


def _base_value(v, share: bool):
    """A configured baseline value → (k, n) for a share, (count, None) for a count."""
    if v is None:
        return None
    if share:
        if v.taeller is None or v.naevner is None:
            return None
        return (whole(v.taeller), whole(v.naevner))
    return None if v.antal is None else (whole(v.antal), None)


class _Baselines:
    """The baseline in force for each unit: the delaftale's figure, else the data's figure in
    the baseline year (said in a note), else none."""

    def __init__(self, cfg: Config, ind, share: bool):
        self.cfg, self.ind, self.share = cfg, ind, share
        self.block = cfg.baseline(ind)
        self.year = self.block.aar if self.block else None
        self.stated: dict[tuple, tuple] = {}
        self.years: dict[tuple, int] = {}
        if self.block:
            for v in self.block.vaerdier:
                unit = cfg.unit(v.enhed, ind)
                value = _base_value(v, share)
                if unit and value:
                    self.stated[unit] = value
                    self.years[unit] = v.aar or self.block.aar
        for s in getattr(ind, "sammenligning", []):
            if s.baseline is not None and _base_value(s.baseline, share):
                self.stated[("sammenligning", s.navn)] = _base_value(s.baseline, share)
                self.years[("sammenligning", s.navn)] = s.baseline.aar
        self.from_data: dict[tuple, tuple] = {}

    def key(self, o: Obs) -> tuple:
        if o.niveau == "afdeling":
            return ("afdeling", int(o.afdeling))
        if o.niveau == "boligområde":
            return ("boligomraade", o.boligomraade)
        if o.niveau == "sammenligning":
            return ("sammenligning", o.enhed_navn)
        return ("helhedsplan", None)

    def of(self, o: Obs):
        """(k, n, year) of the unit's baseline, and a note if it comes from the data."""
        key = self.key(o)
        if key in self.stated:
            k, n = self.stated[key]
            return (k, n, self.years[key]), ""
        if key in self.from_data:
            k, n = self.from_data[key]
            return (k, n, self.year), (f"Delaftalen angiver ingen baseline for {o.enhed_navn}; "
                                       f"baseline er tallet for {self.year} i data")
        return None, ""

    def learn(self, year: int, units: list[Obs]) -> None:
        """The baseline year's data: the baseline of every unit the delaftale gives none for."""
        if year != self.year:
            return
        for o in units:
            key = self.key(o)
            if o.maalt and not o.sum_of_parts and key not in self.stated \
                    and not math.isnan(o.k) and (not self.share or not math.isnan(o.n)):
                self.from_data[key] = (whole(o.k), whole(o.n) if self.share else None)


def _years(cfg: Config, ind, year_to: int, src: Sources) -> range:
    block = cfg.baseline(ind)
    first = block.aar if block else cfg.first_year_of(ind.kilde) or year_to
    if block:
        first = min([first, *(v.aar for v in block.vaerdier if v.aar)])
    return range(first, year_to + 1)


def compute(rows: Rows, cfg: Config, delmaal, ind, src: Sources, year_to: int,
            problems: list[Problem]) -> None:
    """The indicator's rows for every year from its baseline to the report year."""
    share = ind.type in ("andel", "svarfordeling")
    base = _Baselines(cfg, ind, share)
    decimals = cfg.decimals(ind)
    common = dict(delmaal_id=delmaal.id, indikator_id=ind.id, indikator=ind.navn,
                  decimaler=decimals, god_retning=ind.god_retning, datakilde=ind.datakilde)
    # The baseline year first: a unit without a stated baseline takes its figure from it.
    years = list(_years(cfg, ind, year_to, src))
    observed = {y: BUILDERS[ind.kilde](cfg, ind, src, y, problems) for y in years}
    if base.year in observed:
        base.learn(base.year, observed[base.year].units)
    for year in years:
        got = observed[year]
        _fill_sums(got, base, share, year)
        for o in (o for o in got.units if not o.part_only):
            if share:
                _share(rows, common, base, o, year, ind)
            else:
                _count(rows, common, base, o, year, ind)
        if not share and getattr(ind, "andel_af", None) is not None:
            _share_of_total(rows, common, cfg, ind, got, year)
    targets.apply(rows, cfg, ind)


def _fill_sums(got: YearObs, base: _Baselines, share: bool, year: int) -> None:
    """Each placeholder unit becomes the sum of its parts: Σ tæller ÷ Σ nævner (each unit's
    denominator once: two afdelinger in one area share its residents), compared with the
    baseline of the same parts. A part not measured on purpose is left out and named; a part
    missing for another reason (the source not measured) leaves the sum not measured."""
    for o in got.units:
        if not o.sum_of_parts:
            continue
        parts = [p for p in got.units if not p.sum_of_parts and p.niveau != "sammenligning"
                 and (o.niveau == "helhedsplan" or p.boligomraade == o.boligomraade)
                 and p.niveau != o.niveau]
        finest = next((lv for lv in ("afdeling", "boligområde")
                       if any(p.niveau == lv for p in parts)), None)
        parts = [p for p in parts if p.niveau == finest]
        held = [p for p in parts if p.maalt]
        absent = [p for p in parts if not p.maalt and p.absence]
        missing = [p for p in parts if not p.maalt and not p.absence]
        o.sum_of_parts = False
        if missing or not parts or not held:
            o.maalt = False
            o.note = _plan_absence(got, missing, parts, year)
            o.missing_parts = True
            continue
        o.k = sum(p.k for p in held)
        o.n = sum({p.naevner_enhed: p.n for p in held}.values()) if share else NAN
        o.eksempeldata = any(p.eksempeldata for p in parts)
        o.parts = held
        label, plural = PART_LABEL[finest]
        note = got.plan_note if o.niveau == "helhedsplan" else ""
        if absent:
            names = lambda ps: and_list([p.enhed_navn.removeprefix("Afd. ") for p in ps])  # noqa: E731
            note = (f"{year}: kun {label}{names(held)}, fordi {label}{names(absent)} "
                    f"{absent[0].absence}; sammenlignet med baseline for de samme {plural}. "
                    + note).strip()
        o.note = note


def _plan_absence(got: YearObs, missing: list[Obs], parts: list[Obs], year: int) -> str:
    if got.declared:
        return next((p.note for p in missing if p.note), "")
    if not missing and parts:
        return got.none_note
    return ""


def _sum_baseline(o: Obs, base: _Baselines):
    """The baseline of a summed unit and, when its parts' come from the data, a note saying so:
    its parts' baselines added the same way, when every part has one (stated, or the data's)."""
    got = [base.of(p) for p in getattr(o, "parts", [])]
    found = [f for f, _ in got]
    if not found or any(f is None for f in found):
        return None, ""
    years = sorted({f[2] for f in found})
    if len(years) > 1:  # a sum across years is no one year's figure: said, not computed
        why = (f"Ingen samlet baseline: delaftalens baselines for delene er fra forskellige år "
               f"({and_list([str(y) for y in years])})")
        o.note = "; ".join(x for x in (o.note, why) if x)
        return None, ""
    # parts whose baseline is their figure in the data: the sum is said to be, too
    from_data = (f"Delaftalen angiver ingen baseline for {o.enhed_navn}; baseline er summen af "
                 f"delenes tal for {years[0]} i data") if any(note for _, note in got) else ""
    k = sum(f[0] for f in found)
    if not base.share:
        return (k, None, found[0][2]), from_data
    n = sum({p.naevner_enhed: f[1] for p, f in zip(o.parts, found, strict=True)}.values())
    return (k, n, found[0][2]), from_data


def _share(rows: Rows, common: dict, base: _Baselines, o: Obs, year: int, ind) -> None:
    unit = dict(common, niveau=o.niveau, enhed_navn=o.enhed_navn, afdeling=o.afdeling,
                boligomraade=o.boligomraade)
    b, from_data = base.of(o)
    if b is None and getattr(o, "parts", None) is not None:
        b, from_data = _sum_baseline(o, base)
    if not o.maalt:
        base_value = 100 * b[0] / b[1] if b else NAN
        not_measured_row(rows, unit, year=year, enhed="pct.", base_year=b[2] if b else NAN,
                         base_value=base_value, note=o.note, kilde_fil=o.kilde_fil,
                         eksempeldata=o.eksempeldata)
        return
    note = o.note
    if b is not None and year == b[2] and (o.k, o.n) != (b[0], b[1]) and not from_data:
        note = "; ".join(x for x in (
            f"Data for {year} ({whole(o.k)}/{whole(o.n)}) afviger fra delaftalens baseline "
            f"({b[0]}/{b[1]})", note) if x)
    elif from_data and year != base.year:
        note = "; ".join(x for x in (note, from_data) if x)
    share_row(rows, unit, year=year, k=o.k, n=o.n, base=b, god_retning=ind.god_retning,
              context=o.niveau == "sammenligning", note=note, kilde_fil=o.kilde_fil,
              eksempeldata=o.eksempeldata)


def _count(rows: Rows, common: dict, base: _Baselines, o: Obs, year: int, ind) -> None:
    unit = dict(common, niveau=o.niveau, enhed_navn=o.enhed_navn, afdeling=o.afdeling,
                boligomraade=o.boligomraade, enhed="antal")
    if o.total:
        tb = ind.andel_af.baseline if ind.andel_af else None
        row = dict(unit, aar=year, vaerdi=o.k, taeller=o.k, status=stats.STATUS_CONTEXT,
                   kilde_fil=o.kilde_fil, eksempeldata=o.eksempeldata, decimaler=0)
        if tb is not None and tb.antal is not None:
            row.update(baseline_aar=tb.aar, baseline_vaerdi=whole(tb.antal),
                       aendring=o.k - whole(tb.antal), aendring_enhed="antal")
        rows.add(**row)
        return
    b, from_data = base.of(o)
    if b is None and getattr(o, "parts", None) is not None:
        b, from_data = _sum_baseline(o, base)
    if not o.maalt:
        not_measured_row(rows, dict(unit, decimaler=0), year=year, enhed="antal",
                         base_year=b[2] if b else NAN, base_value=b[0] if b else NAN,
                         note=o.note, kilde_fil=o.kilde_fil, eksempeldata=o.eksempeldata)
        return
    row = dict(unit, aar=year, vaerdi=o.k, taeller=o.k, kilde_fil=o.kilde_fil,
               eksempeldata=o.eksempeldata, decimaler=0, note=o.note)
    if b is None:
        rows.add(**row, status=stats.STATUS_NO_BASELINE)
        return
    lo, hi = stats.poisson_interval(int(o.k))
    row.update(ci_lav=lo, ci_hoej=hi, baseline_aar=b[2], baseline_vaerdi=b[0],
               aendring=o.k - b[0], aendring_enhed="antal")
    if year == b[2]:
        row.update(status=stats.STATUS_BASELINE, aendring=0)
        if o.k != b[0] and not from_data:
            row.update(note=f"Data for {year} ({whole(o.k)}) afviger fra delaftalens "
                            f"baseline ({b[0]})")
    else:
        p = stats.compare_counts(int(o.k), int(b[0]))
        row.update(p_vaerdi=p, status=stats.status(p, o.k - b[0], ind.god_retning))
        if from_data:
            row.update(note="; ".join(x for x in (o.note, from_data) if x))
    rows.add(**row)


def share_id(ind) -> str:
    """The indicator id of an antal's share of its named total."""
    return f"{ind.id}_andel"


def _share_of_total(rows: Rows, common: dict, cfg: Config, ind, got: YearObs,
                    year: int) -> None:
    """The plan's count as a share of the named total (the areas' reports of the kommune's)."""
    plan = next((o for o in got.units if o.niveau == "helhedsplan" and o.maalt), None)
    total = next((o for o in got.units if o.total), None)
    if plan is None or total is None or not total.k:
        return
    a = ind.andel_af
    value = 100 * plan.k / total.k
    # The same binomial view of the share as its test (compare_proportions): Wilson.
    lo, hi = stats.wilson(plan.k, total.k)
    row = dict(common, indikator_id=share_id(ind), indikator=a.indikator, niveau="helhedsplan",
               enhed_navn=a.overskrift or a.indikator, decimaler=a.decimaler, enhed="pct.",
               aar=year, vaerdi=value, taeller=plan.k, naevner=total.k, ci_lav=100 * lo,
               ci_hoej=100 * hi, kilde_fil=plan.kilde_fil, eksempeldata=plan.eksempeldata)
    block = cfg.baseline(ind)
    plan_base = next((whole(v.antal) for v in (block.vaerdier if block else [])
                      if cfg.unit(v.enhed, ind) == ("helhedsplan", None)
                      and v.antal is not None), None)
    tb = a.baseline
    if plan_base is not None and tb is not None and tb.antal:
        base_value = 100 * plan_base / tb.antal
        row.update(baseline_aar=tb.aar, baseline_vaerdi=base_value, baseline_taeller=plan_base,
                   baseline_naevner=whole(tb.antal), aendring=value - base_value,
                   aendring_enhed="procentpoint")
        if year == tb.aar:
            row.update(status=stats.STATUS_BASELINE, aendring=0.0)
        else:
            p = stats.compare_proportions(plan.k, total.k, plan_base, whole(tb.antal))
            row.update(p_vaerdi=p, status=stats.status(p, row["aendring"], ind.god_retning))
    else:
        row.update(status=stats.STATUS_NO_BASELINE)
    rows.add(**row)
