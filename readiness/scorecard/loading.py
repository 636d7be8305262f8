"""Scorecards from the store: read the answers (one query) and build the view."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Mapping

from readiness.model import Questionnaire
from readiness.scorecard.build import organisation_scorecard, personal_scorecard
from readiness.scorecard.tiers import tier_of
from readiness.scorecard.views import Progress, Scorecard
from readiness.weights import weighted_for

if TYPE_CHECKING:
    from readiness.storage import Store


def load_organisation_scorecard(store: "Store", join_code: str, *, round: int | None = None,
                                questionnaire: Questionnaire | None = None,
                                progress: Progress | None = None) -> Scorecard:
    """Read the organisation's answers (one query) and build its scorecard.

    LookupError for an unknown join code; ValueError (naming the rounds that exist) for a
    round without data. Stored weight overrides for challenges the bank no longer has are
    ignored (`weighted_for`).
    """
    from readiness.bank import current_questionnaire

    organisation = store.get_organisation(join_code)
    if organisation is None:
        raise LookupError(f"no organisation has the join code {join_code!r}")
    if progress:
        progress("reading answers")
    frame = store.answers_frame(organisation.join_code)
    if round is not None:
        rounds = sorted(int(r) for r in frame.loc[frame["completed"], "round"].unique())
        if round not in rounds:
            listed = ", ".join(map(str, rounds)) or "none yet"
            raise ValueError(f"round {round} has no completed assessments; rounds with data: {listed}")
    from readiness.live_content import current_content

    content = current_content()
    return organisation_scorecard(
        questionnaire or current_questionnaire(), frame, name=organisation.name, round=round,
        weights=dict(organisation.weights), progress=progress,
        exclude_flagged=organisation.exclude_flagged,
        evidence_measures=content.evidence, evidence_entries=store.evidence(organisation.join_code),
        patient=content.patient, patient_frame=store.answers_frame(organisation.join_code, audience="patient"),
    )


def load_personal_scorecard(store: "Store", report_token: str,
                            questionnaire: Questionnaire | None = None) -> Scorecard | None:
    """The personal scorecard behind a report link, or None for an unknown token.

    The organisation's weight overrides apply, as they did in the chat; the stored answers are
    scored against the current bank (`evaluate_stored`).
    """
    from readiness.bank import current_questionnaire
    from readiness.results import evaluate_stored

    assessment = store.assessment_by_report_token(report_token)
    if assessment is None:
        return None
    respondent = store.get_respondent(assessment.respondent)
    if respondent is None:
        return None
    questionnaire = questionnaire or current_questionnaire()
    organisation = (store.get_organisation(respondent.organisation_code)
                    if respondent.organisation_code else None)
    questionnaire = weighted_for(questionnaire, organisation.weights if organisation else None)
    result = evaluate_stored(questionnaire, respondent.role, store.answers(assessment.id))
    return personal_scorecard(questionnaire, result,
                              organisation=organisation.name if organisation else None,
                              answered_version=assessment.questionnaire_version,
                              answered_fingerprint=assessment.started_fingerprint)


@dataclass(frozen=True)
class WeightsPreview:
    """The organisation's index (latest round with data) under its current and proposed weights."""

    respondents: int
    before: float | None
    after: float | None
    before_tier: str | None
    after_tier: str | None
    #: Flagged assessments of that round left out (the organisation excludes them), as on the scorecard.
    excluded: int = 0


def preview_weights(store: "Store", join_code: str, overrides: Mapping[str, float],
                    questionnaire: Questionnaire | None = None) -> WeightsPreview:
    """What saving `overrides` (all of them: they replace the stored ones) would do to the index
    of the scorecard's default round (the latest with completed assessments), over the same
    respondents the scorecard counts (`counted.round_cohort`: flagged assessments left out when
    the organisation excludes them), so "after" is the index the saved scorecard will show.
    ValueError (`check_weights`) for an unknown challenge or a weight that is not > 0."""
    from readiness.aggregate import summarise
    from readiness.bank import current_questionnaire
    from readiness.cohort import score_cohort
    from readiness.scorecard.counted import round_cohort
    from readiness.weights import check_weights

    questionnaire = questionnaire or current_questionnaire()
    check_weights(questionnaire, overrides)
    organisation = store.get_organisation(join_code)
    if organisation is None:
        raise LookupError(f"no organisation has the join code {join_code!r}")
    frame = store.answers_frame(organisation.join_code)
    completed = frame[frame["completed"]]
    latest = int(completed["round"].max()) if len(completed) else None

    def index(weights: Mapping[str, float]) -> tuple[float | None, str | None, int, int]:
        if latest is None:
            return None, None, 0, 0
        weighted = weighted_for(questionnaire, weights)
        cohort = round_cohort(weighted, score_cohort(weighted, completed), latest, organisation.exclude_flagged)
        value = summarise(weighted, cohort.counted.respondents["overall"]).mean
        tier = tier_of(questionnaire, value)
        n = int(len(cohort.counted.respondents))
        return value, (tier.name if tier else None), n, int(len(cohort.all.respondents)) - n

    before, before_tier, n, excluded = index(dict(organisation.weights))
    after, after_tier, _, _ = index(dict(overrides))
    return WeightsPreview(n, before, after, before_tier, after_tier, excluded)
