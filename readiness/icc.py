"""Intraclass correlations for aggregation: is a department's (or role's) mean meaningful?

One statistic per function, all from the one-way random-effects ANOVA of individual scores with
groups (departments, roles) as the factor, allowing unequal group sizes:

    MSB = Σ_g n_g (ȳ_g − ȳ)² / (G − 1)            between-group mean square
    MSW = Σ_g Σ_i (y_gi − ȳ_g)² / (N − G)         within-group mean square
    k0  = (N − Σ_g n_g² / N) / (G − 1)            adjusted mean group size

ICC(1) is the share of the variance of an individual score that lies between groups; ICC(2) is
the reliability of the group means (Bliese 2000, pp. 355–358; Shrout & Fleiss 1979, ICC(1,1)
and ICC(1,k); k0 from Snedecor & Cochran 1989, §13.7, for unequal n).

References: Bliese, P. D. (2000). Within-group agreement, non-independence, and reliability.
In K. J. Klein & S. W. J. Kozlowski (Eds.), Multilevel theory, research, and methods in
organizations (pp. 349–381). Jossey-Bass. Shrout, P. E., & Fleiss, J. L. (1979). Intraclass
correlations: uses in assessing rater reliability. Psychological Bulletin, 86(2), 420–428.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Hashable, Sequence

import numpy as np

#: ICC(1) from which group membership is read as mattering clearly (Bliese 2000: values of
#: .05–.20 are typical of organisational data; LeBreton & Senter 2008 call .10 a medium effect).
ICC1_CLEAR = 0.10
#: ICC(1) below which groups are read as not differing at all (pseudo-agreement check).
ICC1_NEGLIGIBLE = 0.05
#: ICC(2) from which group means are read as reliable (Bliese 2000; LeBreton & Senter 2008: .70).
ICC2_RELIABLE = 0.70


@dataclass(frozen=True)
class OneWayAnova:
    """The one-way ANOVA of `n` scores in `groups` groups: mean squares and k0."""

    n: int
    groups: int
    msb: float
    msw: float
    k0: float


@dataclass(frozen=True)
class Icc:
    """ICC(1) and ICC(2) of one score over `n` respondents in `groups` groups (None when they
    cannot be computed: fewer than 2 groups, no within-group variation, or no variation)."""

    icc1: float | None
    icc2: float | None
    n: int
    groups: int
    k0: float | None


def one_way_anova(values: Sequence[float] | np.ndarray, groups: Sequence[Hashable] | np.ndarray) -> OneWayAnova | None:
    """Mean squares of the one-way ANOVA (formulas in the module docstring); NaN values are
    dropped. None with fewer than 2 groups or no more scores than groups."""
    y = np.asarray(values, dtype="float64")
    keys = np.asarray(groups, dtype=object)
    keep = ~np.isnan(y)
    y, keys = y[keep], keys[keep]
    _labels, code = np.unique(keys.astype(str), return_inverse=True)
    sizes = np.bincount(code).astype("float64")
    n, g = int(y.size), int(sizes.size)
    if g < 2 or n <= g:
        return None
    means = np.bincount(code, weights=y) / sizes
    grand = y.mean()
    msb = float((sizes * (means - grand) ** 2).sum() / (g - 1))
    msw = float(((y - means[code]) ** 2).sum() / (n - g))
    return OneWayAnova(n, g, msb, msw, adjusted_group_size(sizes))


def adjusted_group_size(sizes: Sequence[float] | np.ndarray) -> float:
    """k0 = (N − Σ n_g² / N) / (G − 1): the group size to use in ICC(1) when groups differ in
    size (it equals n when every group has n members)."""
    n = np.asarray(sizes, dtype="float64")
    total = n.sum()
    return float((total - (n * n).sum() / total) / (n.size - 1))


def icc1(anova: OneWayAnova) -> float | None:
    """ICC(1) = (MSB − MSW) / (MSB + (k0 − 1) · MSW) (Bliese 2000, eq. 1; Shrout & Fleiss 1979,
    ICC(1,1)). Between −1/(k0 − 1) and 1; negative when groups differ less than chance would
    make them. None when both mean squares are 0."""
    denominator = anova.msb + (anova.k0 - 1.0) * anova.msw
    if denominator <= 0:
        return None
    return float((anova.msb - anova.msw) / denominator)


def icc2(anova: OneWayAnova) -> float | None:
    """ICC(2) = (MSB − MSW) / MSB (Bliese 2000, eq. 2; Shrout & Fleiss 1979, ICC(1,k)): the
    reliability of the group means; equals the Spearman–Brown step-up of ICC(1) by k0. None when
    MSB is 0 (the group means are all equal)."""
    if anova.msb <= 0:
        return None
    return float((anova.msb - anova.msw) / anova.msb)


def group_icc(values: Sequence[float] | np.ndarray, groups: Sequence[Hashable] | np.ndarray) -> Icc:
    """ICC(1) and ICC(2) of `values` with `groups` as the grouping factor, with their n."""
    anova = one_way_anova(values, groups)
    if anova is None:
        present = ~np.isnan(np.asarray(values, dtype="float64"))
        return Icc(None, None, int(present.sum()), len(set(np.asarray(groups, dtype=object)[present].tolist())), None)
    return Icc(icc1(anova), icc2(anova), anova.n, anova.groups, anova.k0)
