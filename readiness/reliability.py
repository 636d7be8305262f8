"""Reliability and agreement statistics: one statistic per function, a DataFrame in, numbers out.

Both take a respondents × items frame of Likert answers (or item scores) with NaN for missing
answers. They justify reading an organisation's mean as *the* organisation's score: α says the
items of a challenge measure one thing, rwg(j) says the respondents broadly agree about it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from readiness.model import LIKERT_MAX, LIKERT_MIN

#: Conventional threshold below which α or rwg(j) is reported as low (Nunnally 1978; LeBreton
#: & Senter 2008 for rwg).
ACCEPTABLE = 0.7


@dataclass(frozen=True)
class Alpha:
    """Cronbach's α of `k` items over the `n` respondents who answered all of them."""

    alpha: float | None
    n: int
    k: int


@dataclass(frozen=True)
class Agreement:
    """rwg(j) of a group of `n` respondents over `j` items (None when it cannot be computed)."""

    rwg_j: float | None
    n: int
    j: float


def cronbach_alpha(items: pd.DataFrame) -> Alpha:
    """Cronbach's α (Cronbach 1951) over the complete cases (listwise deletion).

        α = k / (k − 1) · (1 − Σ s²ᵢ / s²ₜ)

    with k items, s²ᵢ each item's sample variance (ddof = 1) and s²ₜ the variance of the
    respondents' sum scores. None when there are fewer than 2 items or 2 complete cases, or
    when the sum scores do not vary.
    """
    complete = items.dropna(axis=0, how="any")
    k = complete.shape[1]
    n = complete.shape[0]
    if k < 2 or n < 2:
        return Alpha(None, n, k)
    data = complete.to_numpy(dtype="float64")
    total_variance = data.sum(axis=1).var(ddof=1)
    if total_variance == 0:
        return Alpha(None, n, k)
    item_variances = data.var(axis=0, ddof=1).sum()
    return Alpha(float(k / (k - 1) * (1.0 - item_variances / total_variance)), n, k)


def uniform_null_variance(options: int = LIKERT_MAX - LIKERT_MIN + 1) -> float:
    """σ²_EU = (A² − 1) / 12: the variance of answers given uniformly at random over A options
    (2.0 for a 5-point scale), the "no agreement at all" reference of rwg."""
    return (options * options - 1) / 12.0


def rwg_j(items: pd.DataFrame, options: int = LIKERT_MAX - LIKERT_MIN + 1,
          j: float | None = None) -> Agreement:
    """Within-group agreement rwg(j) (James, Demaree & Wolf 1984) with a uniform null.

        rwg(j) = J (1 − s̄² / σ²_EU) / (J (1 − s̄² / σ²_EU) + s̄² / σ²_EU)

    s̄² is the mean of the items' observed variances (ddof = 1, each over the respondents who
    answered it), σ²_EU = (A² − 1)/12 the uniform null variance and J the number of items
    (`j`, defaulting to the number of columns; pass the items answered per respondent when the
    columns are a union of role-specific forms). When s̄² ≥ σ²_EU the value is set to 0, the
    usual truncation (LeBreton & Senter 2008). None with fewer than 2 respondents.
    """
    data = items.to_numpy(dtype="float64")
    n = int((~np.isnan(data)).any(axis=1).sum()) if data.size else 0
    counts = (~np.isnan(data)).sum(axis=0) if data.size else np.array([])
    usable = counts >= 2
    length = float(j if j is not None else items.shape[1])
    if n < 2 or not usable.any() or length <= 0:
        return Agreement(None, n, length)
    with np.errstate(invalid="ignore"):
        variances = np.nanvar(data[:, usable], axis=0, ddof=1)
    ratio = float(np.mean(variances)) / uniform_null_variance(options)
    if ratio >= 1.0:
        return Agreement(0.0, n, length)
    agreement = length * (1.0 - ratio)
    return Agreement(agreement / (agreement + ratio), n, length)
