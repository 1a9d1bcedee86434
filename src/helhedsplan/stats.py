"""The statistics behind "is this a real change?": Wilson intervals and tests against baseline."""

from __future__ import annotations

import math
from statistics import NormalDist

# scipy is imported inside the tests that need it: importing scipy.stats costs about 1,5 s, and
# the ingest and report kernels, which import this module only for its constants, never call it.
Z95 = NormalDist().inv_cdf(0.975)
ALPHA = 0.05

STATUS_UP = "tydelig fremgang"
STATUS_NONE = "ingen sikker ændring"
STATUS_DOWN = "tydelig tilbagegang"
STATUS_BASELINE = "baseline"
STATUS_NO_BASELINE = "ingen baseline"
STATUS_NOT_MEASURED = "ikke målt"
STATUS_CONTEXT = "til sammenligning"  # the kommune total: context, not a goal


def wilson(k: float, n: float, z: float = Z95) -> tuple[float, float]:
    """95 pct. Wilson score interval for k successes of n, as proportions (0–1)."""
    if n <= 0:
        return (math.nan, math.nan)
    p = k / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    # Clamp so float rounding never puts the estimate outside its interval (k = 0 or k = n).
    return (max(0.0, min(p, float(centre - half))), min(1.0, max(p, float(centre + half))))


def poisson_interval(count: int, conf: float = 0.95) -> tuple[float, float]:
    """Exact (Garwood) interval for a Poisson count."""
    from scipy import stats as sps  # lazy: 1,5 s to import (see above)

    a = 1 - conf
    lo = 0.0 if count == 0 else sps.chi2.ppf(a / 2, 2 * count) / 2
    hi = sps.chi2.ppf(1 - a / 2, 2 * count + 2) / 2
    return (float(lo), float(hi))


def compare_proportions(k1: int, n1: int, k0: int, n0: int) -> float:
    """Two-sided p-value for k1/n1 against k0/n0.

    Pooled two-proportion z-test; Fisher's exact test when an expected cell count is below 5.
    """
    from scipy import stats as sps  # lazy: 1,5 s to import (see above)

    pooled = (k1 + k0) / (n1 + n0)
    expected = [n1 * pooled, n1 * (1 - pooled), n0 * pooled, n0 * (1 - pooled)]
    if min(expected) < 5:
        return float(sps.fisher_exact([[k1, n1 - k1], [k0, n0 - k0]]).pvalue)
    se = math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n0))
    if se == 0:
        return 1.0
    z = (k1 / n1 - k0 / n0) / se
    return float(2 * sps.norm.sf(abs(z)))


def compare_counts(c1: int, c0: int) -> float:
    """Two-sided p-value for two Poisson counts over equal periods (conditional binomial test)."""
    if c1 + c0 == 0:
        return 1.0
    from scipy import stats as sps  # lazy: 1,5 s to import (see above)

    return float(sps.binomtest(int(c1), int(c1 + c0), 0.5).pvalue)


def status(p_value: float, change: float, good_direction: str, alpha: float = ALPHA) -> str:
    """The board's word for a change: clear progress, no certain change, or clear decline."""
    if p_value is None or math.isnan(p_value) or change is None or math.isnan(change):
        return STATUS_NONE
    if p_value >= alpha or change == 0:
        return STATUS_NONE
    improved = change > 0 if good_direction == "op" else change < 0
    return STATUS_UP if improved else STATUS_DOWN
