"""Invariants of the statistics and the indicator table, checked on generated data."""

import math
import shutil
import tempfile
from pathlib import Path

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from helhedsplan import indicators, stats

counts = st.integers(min_value=1, max_value=20_000).flatmap(
    lambda n: st.tuples(st.integers(min_value=0, max_value=n), st.just(n)))


@given(counts)
def test_wilson_interval_contains_the_estimate(kn):
    k, n = kn
    lo, hi = stats.wilson(k, n)
    assert 0.0 <= lo <= k / n <= hi <= 1.0


@given(counts, counts)
def test_p_values_are_probabilities(a, b):
    p = stats.compare_proportions(*a, *b)
    assert 0.0 <= p <= 1.0 + 1e-12


@given(st.floats(0, 1), st.floats(-50, 50, allow_nan=False), st.sampled_from(["op", "ned"]))
def test_status_follows_the_good_direction(p, change, direction):
    word = stats.status(p, change, direction)
    if p >= stats.ALPHA or change == 0:
        assert word == stats.STATUS_NONE
    elif (change > 0) == (direction == "op"):
        assert word == stats.STATUS_UP
    else:
        assert word == stats.STATUS_DOWN


@given(st.integers(0, 8))
def test_poisson_interval_contains_the_count(c):
    lo, hi = stats.poisson_interval(c)
    assert lo <= c <= hi


PERSON_INDICATORS = {"deltagelse", "livskvalitet", "beboere_18_plus", "beboere_65_plus",
                     "foertidspensionister", "uden_for_arbejdsstyrken"}


@settings(max_examples=25, deadline=None)
@given(attendance=st.lists(st.integers(0, 6), min_size=4, max_size=4),
       satisfied=st.integers(0, 5), answers=st.integers(5, 9))
def test_suppression_never_leaks_and_shares_stay_in_range(processed_2024, cfg, attendance,
                                                          satisfied, answers):
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        for f in processed_2024.iterdir():
            shutil.copy(f, tmp / f.name)
        meetings = pd.read_csv(tmp / "afdelingsmoeder.csv")
        this_year = meetings["aar"] == 2024
        meetings.loc[this_year, "fremmoedte"] = attendance
        meetings.to_csv(tmp / "afdelingsmoeder.csv", index=False)
        survey = pd.read_csv(tmp / "livskvalitet.csv")
        area = (survey["aar"] == 2023) & (survey["gruppe"] == "Stenbjergparken")
        survey.loc[area, ["svar", "tilfredse"]] = [answers, satisfied]
        survey.to_csv(tmp / "livskvalitet.csv", index=False)
        table = indicators.compute(cfg, tmp, 2024)

    threshold = cfg.diskretion.mindste_antal
    persons = table[table["indikator_id"].isin(PERSON_INDICATORS)]
    shown = persons[~persons["undertrykt"]]
    assert (shown["taeller"].dropna() >= threshold).all()
    hidden = persons[persons["undertrykt"]]
    for col in ("vaerdi", "taeller", "ci_lav", "ci_hoej", "aendring"):
        assert hidden[col].isna().all(), col
    shares = table[(table["enhed"] == "pct.") & table["vaerdi"].notna()]
    assert shares["vaerdi"].between(0, 100).all()
    with_ci = shares.dropna(subset=["ci_lav"])
    assert (with_ci["ci_lav"] <= with_ci["vaerdi"]).all()
    assert (with_ci["vaerdi"] <= with_ci["ci_hoej"]).all()
    for afd, n in zip(cfg.afdelinger, attendance, strict=True):
        row = table[(table["enhed_navn"] == f"Afd. {afd}") & (table["aar"] == 2024)].iloc[0]
        if n < threshold:
            assert row["undertrykt"] and row["undertrykt_grund"] == "primær"
        else:  # shown, or hidden so that a hidden one cannot be subtracted (tests/test_discretion)
            assert not row["undertrykt"] or row["undertrykt_grund"] == "sekundær"
        if not row["undertrykt"]:
            assert math.isclose(row["taeller"], n)
