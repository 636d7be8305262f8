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


def preview_weights(store: "Store", join_code: str, overrides: Mapping[str, float],
                    questionnaire: Questionnaire | None = None) -> WeightsPreview:
    """What saving `overrides` (all of them: they replace the stored ones) would do to the index.
    ValueError (`check_weights`) for an unknown challenge or a weight that is not > 0."""
    from readiness.bank import current_questionnaire
    from readiness.cohort import score_cohort
    from readiness.weights import check_weights

    questionnaire = questionnaire or current_questionnaire()
    check_weights(questionnaire, overrides)
    organisation = store.get_organisation(join_code)
    if organisation is None:
        raise LookupError(f"no organisation has the join code {join_code!r}")
    frame = store.answers_frame(organisation.join_code)
    completed = frame[frame["completed"]]
    if len(completed):
        completed = completed[completed["round"] == completed["round"].max()]

    def index(weights: Mapping[str, float]) -> tuple[float | None, str | None]:
        if not len(completed):
            return None, None
        scores = score_cohort(weighted_for(questionnaire, weights), completed).respondents["overall"].dropna()
        if not len(scores):
            return None, None
        value = float(scores.mean())
        tier = tier_of(questionnaire, value)
        return value, tier.name if tier else None

    before, before_tier = index(dict(organisation.weights))
    after, after_tier = index(dict(overrides))
    n = int(completed["respondent"].nunique()) if len(completed) else 0
    return WeightsPreview(n, before, after, before_tier, after_tier)
