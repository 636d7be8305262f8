"""Who a scorecard counts: the one rule for the respondent set of a round, in one place.

A round's cohort is every completed (respondent, round) of that round; answer-quality flags
(`readiness.quality`) are raised over that cohort (speeders are judged against their role's
median *in that round*); with the organisation's `exclude_flagged` setting on, the flagged ones
are left out. The scorecard (`build.organisation_scorecard`), the weight-change preview
(`loading.preview_weights`) and the anonymised answers CSV (`export.answers_csv`) all take
their respondents from here, so none of them can count a different set.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from readiness.cohort import CohortScores, score_cohort
from readiness.model import Questionnaire
from readiness.quality import QualityFlags, quality_flags


@dataclass(frozen=True)
class RoundCohort:
    """One round's completed assessments (`all`), their quality flags (one per row of
    `all.respondents`) and the cohort the figures count (`counted`)."""

    all: CohortScores
    flags: QualityFlags
    counted: CohortScores


def round_cohort(questionnaire: Questionnaire, everyone: CohortScores, round: int,
                 exclude_flagged: bool) -> RoundCohort:
    """The cohort of `round` out of `everyone` (scored over any rounds), flagged rows left
    out when `exclude_flagged`."""
    in_round = everyone.respondents["round"].to_numpy() == round
    cohort = everyone if in_round.all() else everyone.subset(in_round)
    flags = quality_flags(questionnaire, cohort)
    flagged = flags.any
    counted = cohort.subset(~flagged) if exclude_flagged and flagged.any() else cohort
    return RoundCohort(cohort, flags, counted)


def counted_answers(questionnaire: Questionnaire, frame: pd.DataFrame, exclude_flagged: bool) -> pd.DataFrame:
    """The completed rows of a long answers frame (`Store.answers_frame`, any rounds) that the
    scorecard of their round counts: every completed row, less the flagged assessments (each
    round judged on its own) when `exclude_flagged`."""
    completed = frame[frame["completed"]] if len(frame) else frame
    if not exclude_flagged or not len(completed):
        return completed
    everyone = score_cohort(questionnaire, completed)
    kept = []
    for round in sorted(int(r) for r in everyone.respondents["round"].unique()):
        people = round_cohort(questionnaire, everyone, round, True).counted.respondents
        kept.append(people[["respondent", "round"]].astype({"respondent": object, "round": "int64"}))
    keys = pd.concat(kept) if kept else pd.DataFrame({"respondent": [], "round": []})
    wanted = pd.MultiIndex.from_frame(keys)
    rows = pd.MultiIndex.from_arrays([completed["respondent"].astype(object).to_numpy(),
                                      completed["round"].to_numpy(dtype="int64")])
    return completed[np.asarray(rows.isin(wanted), dtype=bool)]
