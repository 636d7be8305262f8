"""Answer-quality flags per assessment: answers that probably do not describe the hospital.

Three rules, each in one function over a scored cohort (`readiness.cohort.CohortScores`):

- straight-lining: the same answer to every statement answered, forward and reversed alike
  (agreeing that privacy is handled well *and* that it is a worry is self-contradictory);
- contradictions: strong agreement (5) with a reversed statement and with a forward statement
  of the same challenge (the pairs: a challenge's forward × reversed statements asked of the
  role), in at least `CONTRADICTING_CHALLENGES` challenges (or every challenge that has a pair,
  when the respondent's form has fewer);
- speeders: completed in under a third of the median completion time of their role (a rule
  relative to the role, whose forms differ in length; at least 3 timed assessments per role).

The flags are the organisation's business only: they never reach the respondent's own
scorecard or the chat (nothing outside `readiness.scorecard` imports this module).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from readiness.cohort import CohortScores
from readiness.model import LIKERT_MAX, Questionnaire

#: Fewest answered statements for straight-lining to mean anything.
STRAIGHT_LINE_MIN_ANSWERS = 6
#: Challenges with a contradicting forward/reversed pair from which an assessment is flagged.
CONTRADICTING_CHALLENGES = 2
#: A completion faster than this share of the role's median completion time is a speeder.
SPEED_SHARE = 1 / 3
#: Timed assessments a role needs before its median is trusted.
SPEED_MIN_TIMED = 3


@dataclass(frozen=True)
class QualityFlags:
    """One bool per row of the cohort's `respondents`, per rule, and `any` of them."""

    straight_lining: np.ndarray
    contradictions: np.ndarray
    speeders: np.ndarray

    @property
    def any(self) -> np.ndarray:
        return self.straight_lining | self.contradictions | self.speeders

    def counts(self) -> dict[str, int]:
        """How many assessments each rule flagged, and how many were flagged at all."""
        return {
            "straight_lining": int(self.straight_lining.sum()),
            "contradictions": int(self.contradictions.sum()),
            "speeders": int(self.speeders.sum()),
            "flagged": int(self.any.sum()),
        }


def _answers(questionnaire: Questionnaire, cohort: CohortScores) -> pd.DataFrame:
    """The cohort's 1–5 answers (n/a dropped) with a `reverse` column from the bank."""
    reverse = {item.id: item.reverse for c in questionnaire.challenges for item in c.items}
    items = cohort.items[~np.isnan(cohort.items["value"].to_numpy(dtype="float64"))]
    return items.assign(reverse=items["item_id"].astype(object).map(reverse).astype(bool).to_numpy())


def straight_lining(questionnaire: Questionnaire, cohort: CohortScores) -> np.ndarray:
    """True where every answered statement (≥ `STRAIGHT_LINE_MIN_ANSWERS`, forward and reversed
    among them) got the same answer."""
    answers = _answers(questionnaire, cohort)
    by = answers.groupby("person")
    summary = pd.DataFrame({
        "low": by["value"].min(), "high": by["value"].max(), "n": by.size(),
        "reversed": by["reverse"].sum(),
    })
    summary["forward"] = summary["n"] - summary["reversed"]
    hit = ((summary["low"] == summary["high"]) & (summary["n"] >= STRAIGHT_LINE_MIN_ANSWERS)
           & (summary["reversed"] > 0) & (summary["forward"] > 0))
    return _per_person(len(cohort.respondents), hit)


def contradictions(questionnaire: Questionnaire, cohort: CohortScores) -> np.ndarray:
    """True where the respondent strongly agreed with both a forward and a reversed statement
    of the same challenge, in ≥ `CONTRADICTING_CHALLENGES` challenges (or in every challenge of
    theirs with a forward/reversed pair, when there are fewer)."""
    answers = _answers(questionnaire, cohort)
    answers = answers.assign(
        challenge=answers["challenge"].astype(object).to_numpy(),
        strong=answers["value"].to_numpy() == LIKERT_MAX,
    )
    per = answers.groupby(["person", "challenge", "reverse"])["strong"].any().unstack("reverse")
    if True not in per.columns or False not in per.columns:
        return np.zeros(len(cohort.respondents), dtype=bool)
    paired = per[True].notna() & per[False].notna()
    contradicting = (per[True].fillna(False).astype(bool) & per[False].fillna(False).astype(bool) & paired)
    counts = contradicting.groupby(level="person").sum()
    pairs = paired.groupby(level="person").sum()
    needed = np.minimum(pairs, CONTRADICTING_CHALLENGES)
    return _per_person(len(cohort.respondents), (counts >= needed) & (counts > 0))


def speeders(cohort: CohortScores) -> np.ndarray:
    """True where completion took under `SPEED_SHARE` of the median time of the respondent's
    role (over the role's completed, timed assessments; roles with fewer than
    `SPEED_MIN_TIMED` are not judged). False everywhere without timing columns."""
    people = cohort.respondents
    if "started_at" not in people.columns or "completed_at" not in people.columns:
        return np.zeros(len(people), dtype=bool)
    seconds = (pd.to_datetime(people["completed_at"], utc=True)
               - pd.to_datetime(people["started_at"], utc=True)).dt.total_seconds()
    roles = people["role"].astype(object)
    timed = seconds.notna()
    median = seconds.groupby(roles).transform("median")
    enough = timed.groupby(roles).transform("sum") >= SPEED_MIN_TIMED
    return (timed & enough & (seconds < SPEED_SHARE * median)).to_numpy(dtype=bool)


def quality_flags(questionnaire: Questionnaire, cohort: CohortScores) -> QualityFlags:
    """Every rule's flags over the cohort's (respondent, round) rows."""
    return QualityFlags(straight_lining(questionnaire, cohort), contradictions(questionnaire, cohort),
                        speeders(cohort))


def _per_person(n: int, hit: pd.Series) -> np.ndarray:
    out = np.zeros(n, dtype=bool)
    people = hit[hit].index.to_numpy(dtype="int64")
    out[people] = True
    return out
