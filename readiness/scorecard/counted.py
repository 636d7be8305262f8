"""Who a scorecard counts: the one rule for the respondent set of a round, in one place.

A round's cohort is every completed (respondent, round) of that round; answer-quality flags
(`readiness.quality`) are raised over that cohort (speeders are judged against their role's
median *in that round*); with the organisation's `exclude_flagged` setting on, the flagged ones
are left out. The scorecard (`build.organisation_scorecard`), the weight-change preview
(`loading.preview_weights`), the round trend (`counted_rounds`) and the anonymised answers CSV
(`export.answers_csv`) all take their respondents from here, so none of them can count a
different set.
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


def counted_rounds(questionnaire: Questionnaire, everyone: CohortScores, exclude_flagged: bool) -> CohortScores:
    """`everyone` (scored over any rounds) as each round's scorecard counts it: with
    `exclude_flagged`, the assessments flagged within their round left out. The round trend
    uses this, so its figure for a round is that round's scorecard's."""
    if not exclude_flagged or not len(everyone.respondents):
        return everyone
    rounds = everyone.respondents["round"].to_numpy()
    keep = np.ones(len(rounds), dtype=bool)
    for round in np.unique(rounds):
        rows = np.flatnonzero(rounds == round)  # `subset` keeps the order of the rows
        keep[rows[round_cohort(questionnaire, everyone, int(round), False).flags.any]] = False
    return everyone.subset(keep)


def counted_answers(questionnaire: Questionnaire, frame: pd.DataFrame, exclude_flagged: bool) -> pd.DataFrame:
    """The completed rows of a long answers frame (`Store.answers_frame`, any rounds) that the
    scorecard of their round counts (`counted_rounds`)."""
    completed = frame[frame["completed"]] if len(frame) else frame
    if not exclude_flagged or not len(completed):
        return completed
    people = counted_rounds(questionnaire, score_cohort(questionnaire, completed), True).respondents
    wanted = pd.MultiIndex.from_arrays([people["respondent"].astype(object).to_numpy(),
                                        people["round"].to_numpy(dtype="int64")])
    rows = pd.MultiIndex.from_arrays([completed["respondent"].astype(object).to_numpy(),
                                      completed["round"].to_numpy(dtype="int64")])
    return completed[np.asarray(rows.isin(wanted), dtype=bool)]
