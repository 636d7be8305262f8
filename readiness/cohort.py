"""Vectorised scoring of a whole cohort: the long answers frame → one score row per respondent.

`readiness.scoring.score_profile` is the rule for one respondent; this module applies the same
rule to thousands at once with pandas (item score 0–100 with the reverse flip, challenge =
weighted mean of answered items asked of the role, coverage = answered / asked, overall =
weighted mean over challenges with coverage ≥ min_coverage). A test checks both agree.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from readiness.model import LIKERT_MAX, LIKERT_MIN, Questionnaire

#: Columns of the long answers frame (`Store.answers_frame`).
FRAME_COLUMNS = (
    "respondent", "role", "department", "round", "item_id", "value", "not_applicable", "completed",
)


@dataclass(frozen=True)
class CohortScores:
    """Scores of every (respondent, round) in a cohort.

    `respondents`: one row per (respondent, round) with columns respondent, round, role,
    department, overall (NaN without an index), tier (tier id or None).
    `challenges`: indexed like `respondents`, one column per challenge id (NaN = unscored).
    `coverage`: same shape; answered / asked per challenge.
    `counted`: same shape, bool: whether the challenge counted in the overall index.
    `items`: the answers joined to the bank (only items asked of the respondent's role):
    respondent, round, role, department, item_id, challenge, value (NaN for n/a), score.
    """

    respondents: pd.DataFrame
    challenges: pd.DataFrame
    coverage: pd.DataFrame
    counted: pd.DataFrame
    items: pd.DataFrame


def empty_frame() -> pd.DataFrame:
    """An answers frame with no rows and the right columns and dtypes."""
    return pd.DataFrame({
        "respondent": pd.Series(dtype=object), "role": pd.Series(dtype=object),
        "department": pd.Series(dtype=object), "round": pd.Series(dtype="int64"),
        "item_id": pd.Series(dtype=object), "value": pd.Series(dtype="float64"),
        "not_applicable": pd.Series(dtype=bool), "completed": pd.Series(dtype=bool),
    })


def item_table(questionnaire: Questionnaire) -> pd.DataFrame:
    """One row per (role, item asked of it): challenge, item weight, reverse, challenge weight."""
    rows = [
        (role, item.id, item.challenge, item.weight, item.reverse)
        for challenge in questionnaire.challenges
        for item in challenge.items
        for role in sorted(item.roles)
        if role in questionnaire.role_ids
    ]
    table = pd.DataFrame(rows, columns=["role", "item_id", "challenge", "item_weight", "reverse"])
    return table


def asked_counts(questionnaire: Questionnaire) -> pd.DataFrame:
    """Items asked per role (rows) and challenge (columns)."""
    return pd.DataFrame(
        [[len(c.items_for(role)) for c in questionnaire.challenges] for role in questionnaire.role_ids],
        index=pd.Index(questionnaire.role_ids, name="role"),
        columns=[c.id for c in questionnaire.challenges],
        dtype="float64",
    )


def score_cohort(questionnaire: Questionnaire, frame: pd.DataFrame) -> CohortScores:
    """Score every (respondent, round) of `frame` exactly as `score_profile` scores one.

    Answers to items not asked of the respondent's role (or unknown to the bank) are ignored,
    as `score_profile` ignores them; respondents with an unknown role get no scores.
    """
    challenge_ids = [c.id for c in questionnaire.challenges]
    keys = ["respondent", "round"]
    people = (
        frame[["respondent", "round", "role", "department"]]
        .drop_duplicates(keys)
        .set_index(keys)
        .sort_index()
    )
    items = frame[["respondent", "round", "role", "department", "item_id", "value"]].merge(
        item_table(questionnaire), on=["role", "item_id"], how="inner", sort=False
    )
    value = items["value"].to_numpy(dtype="float64")
    position = np.where(items["reverse"].to_numpy(dtype=bool), LIKERT_MAX - value, value - LIKERT_MIN)
    items["score"] = 100.0 * position / (LIKERT_MAX - LIKERT_MIN)
    answered = items["score"].notna()
    weighted = items.loc[answered, keys + ["challenge"]].assign(
        wx=(items["item_weight"] * items["score"])[answered],
        w=items["item_weight"][answered],
        n=1,
    )
    sums = weighted.groupby(keys + ["challenge"], sort=False)[["wx", "w", "n"]].sum()
    wide = sums.unstack("challenge")
    scores = (wide["wx"] / wide["w"]).reindex(index=people.index, columns=challenge_ids)
    answered_n = wide["n"].reindex(index=people.index, columns=challenge_ids).fillna(0.0)

    asked = asked_counts(questionnaire).reindex(people["role"].to_numpy())
    asked.index = people.index
    asked_arr = asked.to_numpy(dtype="float64")
    with np.errstate(divide="ignore", invalid="ignore"):
        coverage_arr = np.where(asked_arr > 0, answered_n.to_numpy() / asked_arr, 0.0)
    coverage_arr = np.nan_to_num(coverage_arr, nan=0.0)
    coverage = pd.DataFrame(coverage_arr, index=people.index, columns=challenge_ids)

    score_arr = scores.to_numpy(dtype="float64")
    counted_arr = ~np.isnan(score_arr) & (coverage_arr >= questionnaire.rules.min_coverage)
    weights = np.array([c.weight for c in questionnaire.challenges], dtype="float64")
    weight_sum = (counted_arr * weights).sum(axis=1)
    total = np.where(counted_arr, score_arr * weights, 0.0).sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        overall = np.where(weight_sum > 0, total / weight_sum, np.nan)

    respondents = people.copy()
    respondents["overall"] = overall
    respondents["tier"] = tier_ids(questionnaire, respondents["overall"])
    return CohortScores(
        respondents=respondents.reset_index(),
        challenges=scores,
        coverage=coverage,
        counted=pd.DataFrame(counted_arr, index=people.index, columns=challenge_ids),
        items=items[["respondent", "round", "role", "department", "item_id", "challenge", "value", "score"]],
    )


def tier_ids(questionnaire: Questionnaire, scores: pd.Series | pd.DataFrame) -> pd.Series | pd.DataFrame:
    """The tier id of every score (None where the score is NaN), using `Tiers.tier_for`'s bands."""
    bands = questionnaire.tiers.bands
    edges = np.array([band.lower for band in bands[1:]], dtype="float64")
    labels = np.array([band.id for band in bands] + [None], dtype=object)
    values = np.asarray(scores, dtype="float64")
    index = np.searchsorted(edges, values, side="right")
    index = np.where(np.isnan(values), len(bands), index)
    result = labels[index]
    if isinstance(scores, pd.DataFrame):
        return pd.DataFrame(result, index=scores.index, columns=scores.columns)
    return pd.Series(result, index=scores.index, name="tier")
