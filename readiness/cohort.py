"""Vectorised scoring of a whole cohort: the long answers frame → one score row per respondent.

`readiness.scoring.score_stored` is the rule for one respondent's stored answers; this module
applies the same rule to thousands at once with pandas (item score 0–100 with the reverse flip,
challenge = weighted mean of answered items asked of the role, coverage = answered / asked where
an item was asked of a respondent when they have a row for it (n/a included), overall =
weighted mean over challenges with coverage ≥ min_coverage, tiers by `Tiers.positions`). A test
checks both agree on random data.
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
#: Optional frame column: the bank version the respondent's assessment was taken under.
VERSION_COLUMN = "questionnaire_version"
#: Optional frame columns on the content each assessment was started and finished under (bank
#: `version` and fingerprint; None where not recorded): `Store.answers_frame` returns them
#: after `FRAME_COLUMNS`, and `score_cohort` keeps them per respondent.
CONTENT_COLUMNS = (VERSION_COLUMN, "started_fingerprint", "finished_version", "finished_fingerprint")
#: Optional frame columns: when the assessment was started and completed (UTC timestamps, NaT
#: when not completed); `Store.answers_frame` returns them last, `score_cohort` keeps them per
#: respondent (the answer-quality check for speeders reads them).
TIMING_COLUMNS = ("started_at", "completed_at")


#: Frame columns with few distinct values per cohort, held as pandas categoricals: 30 times
#: less memory than strings at 10,000 respondents, and integer codes for the scoring lookups.
CATEGORICAL_COLUMNS = ("respondent", "role", "item_id")


@dataclass(frozen=True)
class CohortScores:
    """Scores of every (respondent, round) in a cohort.

    `respondents`: one row per (respondent, round) with columns respondent, round, role,
    department, overall (NaN without an index), tier (tier id or None), and each of
    `CONTENT_COLUMNS` and `TIMING_COLUMNS` the frame has (questionnaire_version, …, started_at).
    `challenges`: indexed like `respondents`, one column per challenge id (NaN = unscored).
    `coverage`: same shape; answered / asked per challenge (asked: the items with a row).
    `counted`: same shape, bool: whether the challenge counted in the overall index.
    `items`: the answers joined to the bank (only items asked of the respondent's role):
    person (row number in `respondents`), round, item_id, challenge, value (NaN for n/a), score.
    `matrix`: item scores, one row per row of `respondents`, one column per `item_ids`
    (bank order), NaN where not answered or n/a.
    `asked`: same shape as `matrix`, bool: the respondent has a row for the item (a 1–5 answer
    or n/a), i.e. was asked it. A respondent without a row was not: the item was added or
    removed while they were answering.
    """

    respondents: pd.DataFrame
    challenges: pd.DataFrame
    coverage: pd.DataFrame
    counted: pd.DataFrame
    items: pd.DataFrame
    matrix: np.ndarray
    asked: np.ndarray
    item_ids: tuple[str, ...]

    def subset(self, mask: np.ndarray) -> "CohortScores":
        """The rows of `respondents` where `mask` is True (and their answers)."""
        mask = np.asarray(mask, dtype=bool)
        renumber = np.cumsum(mask) - 1
        person = self.items["person"].to_numpy()
        in_items = mask[person] if len(person) else np.zeros(0, dtype=bool)
        items = self.items[in_items].assign(person=renumber[person[in_items]])
        return CohortScores(
            respondents=self.respondents[mask].reset_index(drop=True),
            challenges=self.challenges[mask],
            coverage=self.coverage[mask],
            counted=self.counted[mask],
            items=items.reset_index(drop=True),
            matrix=self.matrix[mask],
            asked=self.asked[mask],
            item_ids=self.item_ids,
        )


def empty_frame() -> pd.DataFrame:
    """An answers frame with no rows and the right columns and dtypes."""
    return pd.DataFrame({
        "respondent": pd.Series(dtype=object), "role": pd.Series(dtype=object),
        "department": pd.Series(dtype=object), "round": pd.Series(dtype="int64"),
        "item_id": pd.Series(dtype=object), "value": pd.Series(dtype="float64"),
        "not_applicable": pd.Series(dtype=bool), "completed": pd.Series(dtype=bool),
    })


def label_positions(column: pd.Series, labels: list[str]) -> np.ndarray:
    """Each value's position in `labels` (-1 when absent). A categorical column maps its few
    categories rather than every row: with `Store.answers_frame`'s categorical item and role
    columns this lookup costs nothing, whatever the cohort size."""
    index = pd.Index(labels)
    if isinstance(column.dtype, pd.CategoricalDtype):
        lookup = np.append(index.get_indexer(column.cat.categories), -1)
        return lookup[column.cat.codes.to_numpy()]  # code -1 (missing) picks the appended -1
    return index.get_indexer(column.to_numpy())


def _take(column: pd.Series, rows: np.ndarray, dtype: object) -> np.ndarray:
    """Plain values of `column` at `rows` (only those rows are converted, not the column)."""
    if not len(rows):
        return np.array([], dtype=dtype)
    return column.take(rows).to_numpy(dtype=dtype)


def score_cohort(questionnaire: Questionnaire, frame: pd.DataFrame) -> CohortScores:
    """Score every (respondent, round) of `frame` exactly as `score_stored` scores one.

    Answers to items not asked of the respondent's role (or unknown to the bank) are ignored,
    as `score_stored` ignores them; respondents with an unknown role get no scores. Sums run
    through `np.bincount` over integer codes (no string joins), which is what makes 10,000
    respondents take milliseconds.
    """
    challenges = questionnaire.challenges
    challenge_ids = [c.id for c in challenges]
    n_challenges = len(challenges)
    items = [item for c in challenges for item in c.items]
    role_ids = list(questionnaire.role_ids)

    # Respondent × round codes, numbered in (respondent, round) order.
    respondent_code, _names = pd.factorize(frame["respondent"], sort=True)
    rounds = frame["round"].to_numpy(dtype="int64")
    if len(rounds) == 0 or rounds.min() == rounds.max():
        pid = respondent_code.astype("int64")
        n_people = len(_names)
    else:
        span = int(rounds.max()) + 1
        unique_keys, pid = np.unique(respondent_code.astype("int64") * span + rounds, return_inverse=True)
        n_people = len(unique_keys)
    first = np.zeros(n_people, dtype="int64")
    if len(pid):
        positions = np.arange(len(pid) - 1, -1, -1)
        first[pid[::-1]] = positions  # the last write wins: each person's first row
    people = pd.DataFrame({
        "respondent": _take(frame["respondent"], first, object),
        "round": _take(frame["round"], first, "int64"),
        "role": _take(frame["role"], first, object),
        "department": _take(frame["department"], first, object),
    })
    for column in CONTENT_COLUMNS:
        if column in frame.columns:
            people[column] = _take(frame[column], first, object)
    for column in TIMING_COLUMNS:
        if column in frame.columns:
            people[column] = frame[column].take(first).reset_index(drop=True) if len(first) else pd.Series([], dtype="datetime64[ns, UTC]")
    index = pd.MultiIndex.from_arrays([people["respondent"], people["round"]], names=["respondent", "round"])

    # Integer lookups: item → challenge, weight, reverse; (role, item) → asked.
    item_pos = label_positions(frame["item_id"], [item.id for item in items])
    role_pos = label_positions(frame["role"], role_ids)
    asked_table = np.array([[item.asked_of(role) for item in items] for role in role_ids] or [[False] * len(items)])
    challenge_of = np.array([challenge_ids.index(item.challenge) for item in items], dtype="int64")
    item_weight = np.array([item.weight for item in items], dtype="float64")
    reverse = np.array([item.reverse for item in items], dtype=bool)

    known = (item_pos >= 0) & (role_pos >= 0)
    valid = known.copy()
    valid[known] = asked_table[role_pos[known], item_pos[known]]
    rows = np.flatnonzero(valid)
    ipos = item_pos[rows]
    value = frame["value"].to_numpy(dtype="float64")[rows]
    position = np.where(reverse[ipos], LIKERT_MAX - value, value - LIKERT_MIN)
    score = 100.0 * position / (LIKERT_MAX - LIKERT_MIN)
    answered = ~np.isnan(score)
    group = pid[rows] * n_challenges + challenge_of[ipos]
    size = n_people * n_challenges
    g = group[answered]
    w = item_weight[ipos][answered]
    weighted_sum = np.bincount(g, weights=w * score[answered], minlength=size).reshape(n_people, n_challenges)
    weight_sum = np.bincount(g, weights=w, minlength=size).reshape(n_people, n_challenges)
    answered_n = np.bincount(g, minlength=size).reshape(n_people, n_challenges)
    asked_n = np.bincount(group, minlength=size).reshape(n_people, n_challenges)
    with np.errstate(divide="ignore", invalid="ignore"):
        score_arr = np.where(weight_sum > 0, weighted_sum / weight_sum, np.nan)

    with np.errstate(divide="ignore", invalid="ignore"):
        coverage_arr = np.where(asked_n > 0, answered_n / asked_n, 0.0)

    counted_arr = ~np.isnan(score_arr) & (coverage_arr >= questionnaire.rules.min_coverage)
    weights = np.array([c.weight for c in challenges], dtype="float64")
    overall_weight = (counted_arr * weights).sum(axis=1)
    total = np.where(counted_arr, score_arr * weights, 0.0).sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        overall = np.where(overall_weight > 0, total / overall_weight, np.nan)

    respondents = people.copy()
    respondents["overall"] = overall
    respondents["tier"] = tier_ids(questionnaire, respondents["overall"])
    answers = pd.DataFrame({
        "person": pid[rows],
        "round": rounds[rows],
        "item_id": pd.Categorical.from_codes(ipos, categories=[item.id for item in items]),
        "challenge": pd.Categorical.from_codes(challenge_of[ipos], categories=challenge_ids),
        "value": value,
        "score": score,
    })
    matrix = np.full((n_people, len(items)), np.nan)
    matrix[pid[rows], ipos] = score
    asked_matrix = np.zeros((n_people, len(items)), dtype=bool)
    asked_matrix[pid[rows], ipos] = True
    return CohortScores(
        respondents=respondents,
        challenges=pd.DataFrame(score_arr, index=index, columns=challenge_ids),
        coverage=pd.DataFrame(coverage_arr, index=index, columns=challenge_ids),
        counted=pd.DataFrame(counted_arr, index=index, columns=challenge_ids),
        items=answers,
        matrix=matrix,
        asked=asked_matrix,
        item_ids=tuple(item.id for item in items),
    )


def tier_ids(questionnaire: Questionnaire, scores: pd.Series | pd.DataFrame) -> pd.Series | pd.DataFrame:
    """The tier id of every score (None where the score is NaN), by `Tiers.positions`."""
    labels = np.array([band.id for band in questionnaire.tiers.bands] + [None], dtype=object)
    result = labels[questionnaire.tiers.positions(scores)]  # -1 (NaN) picks the appended None
    if isinstance(scores, pd.DataFrame):
        return pd.DataFrame(result, index=scores.index, columns=scores.columns)
    return pd.Series(result, index=scores.index, name="tier")
