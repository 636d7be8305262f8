"""Are the groups of a breakdown different, or is it noise? One statistic per function.

Welch's ANOVA (Welch 1951) compares the means of the shown groups without assuming equal
variances or sizes (which departments rarely have); each group mean gets a 95 % t interval.
Across the challenges of one breakdown the p-values are Holm-adjusted (Holm 1979), so testing
ten scores does not make one "significant" difference by chance.

References: Welch, B. L. (1951). On the comparison of several mean values: an alternative
approach. Biometrika, 38, 330–336. Holm, S. (1979). A simple sequentially rejective multiple
test procedure. Scandinavian Journal of Statistics, 6, 65–70.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np
from scipy import stats

#: Level of the group-difference test and of the intervals.
ALPHA_LEVEL = 0.05
#: Name of the test, as the reports print it.
TEST_NAME = "Welch's ANOVA (Welch 1951), Holm-adjusted across scores"


@dataclass(frozen=True)
class WelchResult:
    """Welch's F with its (fractional) denominator degrees of freedom and p-value."""

    f: float
    df1: float
    df2: float
    p: float


@dataclass(frozen=True)
class Interval:
    """A mean with its 95 % confidence interval (None bounds with fewer than 2 values)."""

    mean: float | None
    low: float | None
    high: float | None
    n: int


def welch_anova(samples: Sequence[Sequence[float] | np.ndarray]) -> WelchResult | None:
    """Welch's heteroscedastic one-way ANOVA over groups of values (NaN dropped):

        w_g = n_g / s²_g,  ȳ_w = Σ w_g ȳ_g / Σ w_g,  A = Σ w_g (ȳ_g − ȳ_w)² / (G − 1)
        λ = Σ (1 − w_g/Σw)² / (n_g − 1)
        F = A / (1 + 2 (G − 2) λ / (G² − 1)),  df1 = G − 1,  df2 = (G² − 1) / (3 λ)

    None with fewer than 2 groups of at least 2 values, or a group without variance (its
    weight would be infinite).
    """
    groups = [np.asarray(s, dtype="float64") for s in samples]
    groups = [g[~np.isnan(g)] for g in groups]
    groups = [g for g in groups if g.size >= 2]
    k = len(groups)
    if k < 2:
        return None
    n = np.array([g.size for g in groups], dtype="float64")
    means = np.array([g.mean() for g in groups])
    variances = np.array([g.var(ddof=1) for g in groups])
    if (variances <= 0).any():
        return None
    w = n / variances
    weighted_mean = (w * means).sum() / w.sum()
    a = (w * (means - weighted_mean) ** 2).sum() / (k - 1)
    lam = ((1 - w / w.sum()) ** 2 / (n - 1)).sum()
    f = a / (1 + 2 * (k - 2) * lam / (k * k - 1))
    df1, df2 = float(k - 1), float((k * k - 1) / (3 * lam))
    return WelchResult(float(f), df1, df2, float(stats.f.sf(f, df1, df2)))


def mean_interval(values: Sequence[float] | np.ndarray, level: float = 1 - ALPHA_LEVEL) -> Interval:
    """mean ± t(1 − (1 − level)/2, n − 1) · s / √n (NaN dropped)."""
    y = np.asarray(values, dtype="float64")
    y = y[~np.isnan(y)]
    if y.size == 0:
        return Interval(None, None, None, 0)
    mean = float(y.mean())
    if y.size < 2:
        return Interval(mean, None, None, 1)
    half = float(stats.t.ppf(1 - (1 - level) / 2, y.size - 1) * y.std(ddof=1) / np.sqrt(y.size))
    return Interval(mean, mean - half, mean + half, int(y.size))


def holm(p_values: Sequence[float | None]) -> tuple[float | None, ...]:
    """Holm's step-down adjusted p-values (None stays None): the i-th smallest of m p-values
    becomes max over j ≤ i of min(1, (m − j + 1) · p_(j))."""
    present = [(p, n) for n, p in enumerate(p_values) if p is not None]
    m = len(present)
    adjusted: list[float | None] = [None] * len(p_values)
    running = 0.0
    for rank, (p, n) in enumerate(sorted(present)):
        running = max(running, min(1.0, (m - rank) * p))
        adjusted[n] = running
    return tuple(adjusted)
