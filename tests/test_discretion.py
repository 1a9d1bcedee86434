"""Discretion holds: no hidden figure can be worked out from the figures that are shown.

The attacker here knows everything the report and the export publish (every shown count, share
and denominator), the structure of the tables (a total is the sum of its parts), that counts are
whole numbers, that a part cannot exceed its denominator, and, from the notes, which hidden cells
are below the limit (primary) and which are hidden to protect them (secondary, so at least the
limit). A hidden cell is *determined* when only one whole number is consistent with all of that.
No primary cell (a figure below the limit, the thing discretion protects) may be determined,
and no hidden cell may be shown elsewhere. A secondary cell holds a figure that could have been
published; it may be pinned in a corner case (hidden as a last resort because no part qualified
as a partner, e.g. 3 attendees of 3 adults), which is no disclosure as long as every primary
cell keeps two or more possible values, and that is what is checked.

The attacker is written from the tables' meaning, independently of discretion.py, and solves the
system exactly with integer programming (scipy's milp).
"""

import math
import os
import shutil
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.optimize import Bounds, LinearConstraint, milp

from helhedsplan import config, discretion, indicators
from tests.conftest import D

LIMIT = 3
BIG = 10.0**6
YEARS = (2021, 2022, 2023, 2024)
AREAS = config.default(D).area_names


class Attacker:
    """Unknowns are the hidden cells; shown cells are constants."""

    def __init__(self):
        self.truth: dict = {}
        self.shown: dict = {}
        self.bounds: dict = {}
        self.hidden: set = set()
        self.primary: set = set()  # hidden because below the limit: the figures to protect
        self.equations: list[tuple[dict, float]] = []  # {cell: coefficient} = constant
        self.le: list[tuple] = []  # (a, b): cell a <= cell b

    def cell(self, key, true_value, shown_value, bound=(0, math.inf)):
        """One publication of a cell: its shown value, or (hidden) what the notes say of it."""
        if true_value is None:  # a figure of the example data, not generated: shown as it is
            assert not pd.isna(shown_value), key
            true_value = shown_value
        self.truth[key] = float(true_value)
        if shown_value is not None and not pd.isna(shown_value):
            assert math.isclose(float(shown_value), float(true_value)), key
            self.shown[key] = float(shown_value)
        else:
            self.hidden.add(key)
            if bound == (0, LIMIT - 1):
                self.primary.add(key)
            lo, hi = self.bounds.get(key, (0, math.inf))
            self.bounds[key] = (max(lo, bound[0]), min(hi, bound[1]))

    def total(self, total, parts):
        self.equations.append(({total: 1.0, **{p: -1.0 for p in parts}}, 0.0))

    def determined(self) -> list:
        leaked = [(k, self.truth[k]) for k in sorted(self.hidden & set(self.shown), key=str)]
        unknown = [k for k in self.truth if k not in self.shown]
        if not unknown:
            return leaked
        col = {k: i for i, k in enumerate(unknown)}
        rows, lo, hi = [], [], []
        for coef, const in self.equations:
            row = np.zeros(len(unknown))
            rhs = const
            for k, c in coef.items():
                if k in col:
                    row[col[k]] += c
                else:
                    rhs -= c * self.shown[k]
            if row.any():
                rows.append(row)
                lo.append(rhs)
                hi.append(rhs)
            else:
                assert math.isclose(rhs, 0, abs_tol=1e-9), "a published sum does not add up"
        for a, b in self.le:
            row = np.zeros(len(unknown))
            rhs = 0.0
            for k, c in ((a, 1.0), (b, -1.0)):
                if k in col:
                    row[col[k]] += c
                else:
                    rhs -= c * self.shown[k]
            if row.any():
                rows.append(row)
                lo.append(-np.inf)
                hi.append(rhs)
        lb = np.array([self.bounds[k][0] for k in unknown], dtype=float)
        # A large finite ceiling instead of infinity: HiGHS then always reports an optimum.
        ub = np.array([min(self.bounds[k][1], BIG) for k in unknown], dtype=float)
        truth = np.array([self.truth[k] for k in unknown])
        assert (lb <= truth).all() and (truth <= ub).all(), "the notes misstate a bound"
        A, lo, hi = np.array(rows).reshape(len(rows), len(unknown)), np.array(lo), np.array(hi)
        equal = A[lo == hi]
        rank = np.linalg.matrix_rank(equal) if len(equal) else 0
        out = leaked
        for k, i in col.items():
            if k not in self.primary:
                continue
            e = np.zeros(len(unknown))
            e[i] = 1.0
            if len(equal) and np.linalg.matrix_rank(np.vstack([equal, e])) == rank:
                out.append((k, self.truth[k]))  # in the row space: the equations alone fix it
                continue
            # With the bounds: is another whole number than the true one consistent with all?
            mine = _component(A, i)
            sub_lb, sub_ub = lb[mine].copy(), ub[mine].copy()
            j = int(np.flatnonzero(mine == i)[0])
            for other in ((sub_lb[j], truth[i] - 1), (truth[i] + 1, sub_ub[j])):
                if other[0] > other[1]:
                    continue
                b_lo, b_hi = sub_lb.copy(), sub_ub.copy()
                b_lo[j], b_hi[j] = other
                used = np.abs(A[:, mine]).sum(axis=1) > 0
                cons = [LinearConstraint(A[used][:, mine], lo[used], hi[used])] if used.any() \
                    else []
                res = milp(np.zeros(len(mine)), constraints=cons,
                           integrality=np.ones(len(mine)), bounds=Bounds(b_lo, b_hi))
                if res.status == 0:
                    break
                assert res.status == 2, res.message  # 2: infeasible
            else:
                out.append((k, self.truth[k]))
        return out


def _component(A: np.ndarray, i: int) -> np.ndarray:
    """The unknowns linked to unknown i through the constraints (the system splits by year and
    table, so each check solves a small system)."""
    seen, todo = {i}, [i]
    while todo:
        v = todo.pop()
        for row in A[A[:, v] != 0]:
            for w in np.flatnonzero(row):
                if w not in seen:
                    seen.add(int(w))
                    todo.append(int(w))
    return np.array(sorted(seen))


def count_bound(reason: str) -> tuple:
    """What a hidden count's note tells: below the limit, or hidden to protect one (>= limit)."""
    return (0, LIMIT - 1) if reason == discretion.PRIMARY else (LIMIT, math.inf)


def denominator_bound(reason: str) -> tuple:
    """A primary share row has its count or its denominator below the limit: the count is
    then below it too (count <= denominator), the denominator may be anything."""
    return (0, math.inf) if reason == discretion.PRIMARY else (LIMIT, math.inf)


def attack(table: pd.DataFrame, cfg, truth: dict) -> list:
    """The attacker's system from what the table publishes; returns the determined cells."""
    a = Attacker()
    t = table.set_index(["indikator_id", "enhed_navn", "aar"])
    area_of = {f"Afd. {afd}": cfg.area_of_afdeling(afd) for afd in cfg.afdelinger}

    def get(ind, unit, year):
        if (ind, unit, year) not in t.index:
            return None
        r = t.loc[(ind, unit, year)]
        return r if r["maalt"] else None

    for year in sorted(set(table["aar"].dropna().astype(int))):
        # Residents (Beboerdata): areas and "I alt".
        for measure in ("beboere_18_plus", "beboere_65_plus"):
            parts = []
            for area in cfg.area_names:
                if (r := get(measure, area, year)) is not None:
                    key = (measure, area, year)
                    a.cell(key, truth.get(key), r["taeller"], count_bound(r["undertrykt_grund"]))
                    parts.append(key)
            if (r := get(measure, "I alt", year)) is not None:
                key = (measure, "I alt", year)
                a.cell(key, sum(a.truth[p] for p in parts), r["taeller"],
                       count_bound(r["undertrykt_grund"]))
                a.total(key, parts)
        # Attendance: afdelinger and the plan; the denominators are the residents 18+.
        parts = []
        for unit, area in area_of.items():
            if (r := get("deltagelse", unit, year)) is None:
                continue
            key, n_key = ("deltagelse", unit, year), ("beboere_18_plus", area, year)
            a.cell(key, truth.get(key), r["taeller"], count_bound(r["undertrykt_grund"]))
            a.cell(n_key, truth.get(n_key), r["naevner"], denominator_bound(r["undertrykt_grund"]))
            a.le.append((key, n_key))
            parts.append((key, n_key))
        if (r := get("deltagelse", "Hele helhedsplanen", year)) is not None:
            key, n_key = ("deltagelse", "plan", year), ("deltagelse n", "plan", year)
            a.cell(key, sum(a.truth[p] for p, _ in parts), r["taeller"],
                   count_bound(r["undertrykt_grund"]))
            a.cell(n_key, sum(a.truth[n] for _, n in parts), r["naevner"],
                   denominator_bound(r["undertrykt_grund"]))
            a.total(key, [p for p, _ in parts])
            a.total(n_key, [n for _, n in parts])
            a.le.append((key, n_key))
        # VIVE: areas and the plan (their sum), satisfied and answers.
        parts = []
        for group in [*cfg.area_names, "Hele helhedsplanen"]:
            if (r := get("livskvalitet", group, year)) is None:
                continue
            k, n = ("vive k", group, year), ("vive n", group, year)
            if group == "Hele helhedsplanen" and parts:
                truth[k] = sum(a.truth[p] for p, _ in parts)
                truth[n] = sum(a.truth[q] for _, q in parts)
            a.cell(k, truth.get(k), r["taeller"], count_bound(r["undertrykt_grund"]))
            a.cell(n, truth.get(n), r["naevner"], denominator_bound(r["undertrykt_grund"]))
            a.le.append((k, n))
            if group != "Hele helhedsplanen":
                parts.append((k, n))
            elif parts:
                a.total(k, [p for p, _ in parts])
                a.total(n, [q for _, q in parts])
        # Police: areas and their total, which is also the numerator of the kommune share.
        parts = []
        for area in cfg.area_names:
            if (r := get("anmeldelser", area, year)) is not None:
                key = ("politi", area, year)
                a.cell(key, truth.get(key), r["taeller"], count_bound(r["undertrykt_grund"]))
                parts.append(key)
        if (r := get("anmeldelser", "Boligområderne i alt", year)) is not None:
            key = ("politi", "i alt", year)
            value = sum(a.truth[p] for p in parts) if parts else r["taeller"]
            a.cell(key, value, r["taeller"], count_bound(r["undertrykt_grund"]))
            if parts:
                a.total(key, parts)
            s = get("anmeldelser_andel", "Boligområdernes andel af kommunens anmeldelser", year)
            if s is not None:
                a.cell(key, value, s["taeller"], count_bound(s["undertrykt_grund"]))
    return a.determined()


def hidden_rows_show_nothing(table):
    hidden = table[table["undertrykt"].astype(bool)]
    for col in ("vaerdi", "taeller", "ci_lav", "ci_hoej", "aendring", "p_vaerdi"):
        assert hidden[col].isna().all(), col
    assert (hidden["status"] == discretion.STATUS_SUPPRESSED).all() | (
        hidden["delmaal_id"] == "aktiviteter").all()
    assert hidden["undertrykt_grund"].isin([discretion.PRIMARY, discretion.SECONDARY]).all()


small = st.one_of(st.integers(0, 4), st.integers(0, 60))


@st.composite
def years_of_data(draw):
    """Residents, attendance, VIVE and police for 2021–2024 with many small counts."""
    data = {}
    for year in YEARS:
        for area in AREAS:
            r18 = draw(st.one_of(st.integers(1, 5), st.integers(20, 400)))
            data[("beboere_18_plus", area, year)] = r18
            data[("beboere_65_plus", area, year)] = draw(st.integers(0, min(r18, 8)))
            if draw(st.integers(0, 7)) == 0:  # 'intet møde': the plan is the others' sum
                data[("intet møde", area, year)] = True
            else:
                data[("deltagelse", area, year)] = draw(st.integers(0, min(r18, draw(small))))
            data[("politi", area, year)] = draw(small)
        if year in (2021, 2023):
            for area in AREAS:
                n = draw(st.integers(1, 14))
                data[("vive n", area, year)] = n
                data[("vive k", area, year)] = draw(st.integers(0, n))
    return data


def write_years(cfg, processed: Path, dest: Path, data: dict) -> None:
    """The processed tables with the generated figures in them (as the ingest writes them)."""
    for f in processed.iterdir():
        if not f.name.startswith("aktiviteter"):  # the activity log has no sums of persons
            shutil.copy(f, dest / f.name)
    afd_of = {cfg.area_of_afdeling(afd): afd for afd in cfg.afdelinger}
    res = pd.read_csv(dest / "beboerdata.csv")
    meet = pd.read_csv(dest / "afdelingsmoeder.csv")
    pol = pd.read_csv(dest / "anmeldelser.csv")
    vive = pd.read_csv(dest / "livskvalitet.csv")
    for year in YEARS:
        for area in AREAS:
            at = (res["aar"] == year) & (res["boligomraade"] == area)
            for m in ("beboere_18_plus", "beboere_65_plus"):
                res.loc[at, m] = data[(m, area, year)]
            at = (meet["aar"] == year) & (meet["afdeling"] == afd_of[area])
            held = ("intet møde", area, year) not in data
            meet.loc[at, "fremmoedte"] = data[("deltagelse", area, year)] if held else math.nan
            meet.loc[at, "moede_holdt"] = held
        pol = pol[pol["aar"] != year]
        rows = [dict(aar=year, omraade=a, anmeldelser=data[("politi", a, year)]) for a in AREAS]
        rows.append(dict(aar=year, omraade="Boligområderne i alt",
                         anmeldelser=sum(data[("politi", a, year)] for a in AREAS)))
        rows.append(dict(aar=year, omraade="Sønderborg Kommune i alt", anmeldelser=2400))
        pol = pd.concat([pol, pd.DataFrame(rows).assign(
            excel_raekke=2, kilde_fil=f"{year}/politi_anmeldelser.xlsx", eksempeldata=True)])
        if year in (2021, 2023):
            vive = vive[~((vive["aar"] == year) & vive["gruppe"].isin([*AREAS,
                                                                       "Hele helhedsplanen"]))]
            rows = [dict(aar=year, gruppe=a, svar=data[("vive n", a, year)],
                         tilfredse=data[("vive k", a, year)]) for a in AREAS]
            rows.append(dict(aar=year, gruppe="Hele helhedsplanen",
                             svar=sum(r["svar"] for r in rows),
                             tilfredse=sum(r["tilfredse"] for r in rows)))
            vive = pd.concat([vive, pd.DataFrame(rows).assign(
                skema="antal", opgoerelse="", ved_ikke="", excel_raekke=2,
                kilde_fil=f"{year}/vive_livskvalitet.xlsx", eksempeldata=True)])
    res.to_csv(dest / "beboerdata.csv", index=False)
    meet.to_csv(dest / "afdelingsmoeder.csv", index=False)
    pol.to_csv(dest / "anmeldelser.csv", index=False)
    vive.to_csv(dest / "livskvalitet.csv", index=False)


def truth_of(cfg, data: dict) -> dict:
    truth = {}
    for (what, area, year), v in data.items():
        if what == "intet møde":
            continue
        if what == "deltagelse":
            afd = next(a for a in cfg.afdelinger if cfg.area_of_afdeling(a) == area)
            truth[("deltagelse", f"Afd. {afd}", year)] = v
        else:
            truth[(what, area, year)] = v
    for year in YEARS:
        truth[("politi", "i alt", year)] = sum(data[("politi", a, year)] for a in AREAS)
        if year in (2021, 2023):
            for q in ("vive k", "vive n"):
                truth[(q, "Hele helhedsplanen", year)] = sum(data[(q, a, year)] for a in AREAS)
    return truth


def row_of(key) -> tuple[str, str, int]:
    """The indicator table's row that publishes a generated cell."""
    what, unit, year = key
    if what == "politi":
        return ("anmeldelser", "Boligområderne i alt" if unit == "i alt" else unit, year)
    if what in ("vive k", "vive n"):
        return ("livskvalitet", unit, year)
    return (what, unit, year)


# 30 generated histories by default (under a minute on 2 cores); DISKRETION_EKSEMPLER=500 for
# a longer search by hand.
@settings(max_examples=int(os.environ.get("DISKRETION_EKSEMPLER", 30)), deadline=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(data=years_of_data())
def test_no_hidden_figure_is_determined_by_the_shown_ones(processed_2024, cfg, data):
    with tempfile.TemporaryDirectory() as tmp:
        write_years(cfg, processed_2024, Path(tmp), data)
        table = indicators.compute(cfg, Path(tmp), 2024)
    truth = truth_of(cfg, data)
    hidden_rows_show_nothing(table)
    hidden = set(map(tuple, table.loc[table["undertrykt"].astype(bool),
                                      ["indikator_id", "enhed_navn", "aar"]].values))
    for key, value in truth.items():  # primary suppression: every count below the limit
        if value < LIMIT:
            assert row_of(key) in hidden, key
    determined = attack(table, cfg, truth)
    assert determined == [], f"hidden, but determined by the shown figures: {determined}"


def large_years() -> dict:
    """Generated figures with nothing below the limit."""
    data = {}
    for year in YEARS:
        for i, area in enumerate(AREAS):
            data[("beboere_18_plus", area, year)] = 400 + i
            data[("beboere_65_plus", area, year)] = 50 + i
            data[("deltagelse", area, year)] = 30 + 3 * i
            data[("politi", area, year)] = 20 + i
            if year in (2021, 2023):
                data[("vive n", area, year)] = 40 + i
                data[("vive k", area, year)] = 30 + i
    return data


def build(cfg, processed, data):
    with tempfile.TemporaryDirectory() as tmp:
        write_years(cfg, processed, Path(tmp), data)
        return indicators.compute(cfg, Path(tmp), 2024)


def test_the_attacker_breaks_primary_suppression_alone(processed_2024, cfg, monkeypatch):
    """The issue's case: afd. 30 has 2 at the meeting. Hiding only that cell (the old rule)
    lets the attacker subtract it from the plan's total; the attacker finds it."""
    data = large_years()
    area30 = cfg.area_of_afdeling(30)
    data[("deltagelse", area30, 2024)] = 2
    primary_only = lambda table, limit, families: {  # noqa: E731
        k: discretion.PRIMARY for k, v in discretion._cells(table, families)[0].items()
        if v < limit}
    monkeypatch.setattr(discretion, "decide", primary_only)
    found = attack(build(cfg, processed_2024, data), cfg, truth_of(cfg, data))
    assert found == [(("deltagelse", "Afd. 30", 2024), 2.0)]


def test_secondary_suppression_hides_the_next_smallest_part(processed_2024, cfg):
    data = large_years()
    data[("deltagelse", cfg.area_of_afdeling(30), 2024)] = 2
    data[("vive n", "Stenbjergparken", 2023)] = 2
    data[("vive k", "Stenbjergparken", 2023)] = 2
    table = build(cfg, processed_2024, data)
    why = {(r.indikator_id, r.enhed_navn, r.aar): r.undertrykt_grund
           for r in table.itertuples() if r.undertrykt}
    smallest_other = min((a for a in cfg.afdelinger if a != 30),
                         key=lambda a: data[("deltagelse", cfg.area_of_afdeling(a), 2024)])
    assert why == {
        ("deltagelse", "Afd. 30", 2024): discretion.PRIMARY,
        ("deltagelse", f"Afd. {smallest_other}", 2024): discretion.SECONDARY,
        ("livskvalitet", "Stenbjergparken", 2023): discretion.PRIMARY,
        ("livskvalitet", AREAS[0], 2023): discretion.SECONDARY,
    }
    vive = table[(table["indikator_id"] == "livskvalitet") & (table["aar"] == 2023)
                 & table["undertrykt"]]
    assert vive["naevner"].isna().all()  # the answers are a count of persons too
    assert attack(table, cfg, truth_of(cfg, data)) == []


def test_two_hidden_parts_at_the_limit_get_a_partner(processed_2024, cfg):
    """2 + 2 hidden beside their total is 4 = 2 + 2: both would be known. A third cell, above
    the limit, is hidden with them."""
    data = large_years()
    for afd in (30, 35):
        data[("deltagelse", cfg.area_of_afdeling(afd), 2024)] = 2
    table = build(cfg, processed_2024, data)
    hidden = table[(table["indikator_id"] == "deltagelse") & (table["aar"] == 2024)
                   & table["undertrykt"]]
    assert sorted(hidden["undertrykt_grund"]) == ["primær", "primær", "sekundær"]
    assert attack(table, cfg, truth_of(cfg, data)) == []


def test_figures_mark_a_hidden_year_instead_of_drawing_it(processed_2024, cfg):
    import matplotlib

    matplotlib.use("Agg")
    from helhedsplan import figures

    data = large_years()
    data[("deltagelse", cfg.area_of_afdeling(30), 2024)] = 2
    table = build(cfg, processed_2024, data)
    fig = figures.units(table, 2024, indikator_id="deltagelse")
    panels = {ax.get_title(): ax for ax in fig.axes}
    hidden = table[(table["indikator_id"] == "deltagelse") & table["undertrykt"]]
    for unit in hidden["enhed_navn"]:
        ax = panels[unit]
        assert [t.get_text() for t in ax.texts] == ["vises\nikke"], unit
        drawn = [x for line in ax.get_lines() for x in line.get_xdata()]
        assert 2024 not in drawn, unit
    shown = panels[next(u for u in panels if u.startswith("Afd.")
                        and u not in set(hidden["enhed_navn"]))]
    assert not shown.texts and 2024 in [x for ln in shown.get_lines() for x in ln.get_xdata()]


def test_an_area_without_a_meeting_is_not_the_difference_of_two_totals(processed_2024, cfg):
    """Found by the property test: Stenbjergparken has 1 adult and afd. 30 held no meeting. The
    plan's attendance denominator is then "I alt" minus Stenbjergparken's adults, so the two
    totals must not both be shown beside the hidden figure."""
    data = large_years()
    area = cfg.area_of_afdeling(30)
    data[("beboere_18_plus", area, 2024)] = 1
    data[("beboere_65_plus", area, 2024)] = 0
    del data[("deltagelse", area, 2024)]
    data[("intet møde", area, 2024)] = True
    table = build(cfg, processed_2024, data)
    assert attack(table, cfg, truth_of(cfg, data)) == []
