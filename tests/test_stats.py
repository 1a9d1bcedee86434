import math

import pytest
from scipy.stats import chi2_contingency

from helhedsplan import stats


def test_wilson_matches_newcombe_1998():
    # Newcombe (1998), Stat Med 17:857, table I: 81/263 → 0.2553–0.3662; 15/148 → 0.0624–0.1605
    assert stats.wilson(81, 263) == pytest.approx((0.2553, 0.3662), abs=5e-5)
    assert stats.wilson(15, 148) == pytest.approx((0.0624, 0.1605), abs=5e-5)
    assert stats.wilson(0, 20) == pytest.approx((0.0, 0.1611), abs=5e-5)


def test_two_proportion_test_equals_uncorrected_chi_square():
    k1, n1, k0, n0 = 164, 1988, 119, 1963
    table = [[k1, n1 - k1], [k0, n0 - k0]]
    expected = chi2_contingency(table, correction=False).pvalue
    assert stats.compare_proportions(k1, n1, k0, n0) == pytest.approx(expected, rel=1e-9)


def _two_sided(probs: dict[int, float], observed: int) -> float:
    """Exact two-sided p: the probability of every outcome no likelier than the observed one."""
    return sum(p for p in probs.values() if p <= probs[observed] * (1 + 1e-7))


def test_small_counts_use_fisher():
    # 1/10 against 6/10: expected cells below 5, so Fisher's exact test. Recomputed here from
    # the hypergeometric distribution: X ~ Hypergeom(N=20, K=7 successes, n=10 drawn).
    probs = {x: math.comb(7, x) * math.comb(13, 10 - x) / math.comb(20, 10) for x in range(8)}
    assert stats.compare_proportions(1, 10, 6, 10) == pytest.approx(_two_sided(probs, 1))
    assert _two_sided(probs, 1) == pytest.approx(0.0573, abs=1e-4)


def test_poisson():
    lo, hi = stats.poisson_interval(108)
    assert (lo, hi) == pytest.approx((88.5945, 130.3927), abs=1e-3)
    assert lo < 108 < hi
    # 131 against 108 reports: given 239 in all, each falls in either year with p = 1/2.
    probs = {x: math.comb(239, x) / 2**239 for x in range(240)}
    assert stats.compare_counts(131, 108) == pytest.approx(_two_sided(probs, 131))


@pytest.mark.parametrize(("p", "change", "direction", "word"), [
    (0.01, 2.0, "op", stats.STATUS_UP),
    (0.01, -2.0, "op", stats.STATUS_DOWN),
    (0.01, -2.0, "ned", stats.STATUS_UP),
    (0.20, 5.0, "op", stats.STATUS_NONE),
    (math.nan, 5.0, "op", stats.STATUS_NONE),
])
def test_status_words(p, change, direction, word):
    assert stats.status(p, change, direction) == word
