"""What storage hands back: frozen copies, never ORM objects, so callers cannot lazily load or
accidentally write through them."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Mapping

from readiness.storage.schema import Assessment, Organisation, Respondent


@dataclass(frozen=True)
class OrganisationRecord:
    """An organisation; `weights` are its challenge weight overrides (challenge id → weight,
    a copy: changing it changes nothing stored, use `Store.set_weights`)."""

    id: int
    name: str
    join_code: str
    current_round: int
    created_at: datetime
    weights: Mapping[str, float] = field(default_factory=dict, hash=False)
    respondent_count: int = 0
    #: Whether assessments with answer-quality flags are left out of the scorecard's figures.
    exclude_flagged: bool = False


@dataclass(frozen=True)
class RespondentRecord:
    """A pseudonymous respondent; `organisation_code` is None for individuals."""

    id: int
    pseudonym: str
    role: str
    department: str | None
    organisation_id: int | None
    organisation_code: str | None
    sender_id: str | None
    consented_at: datetime
    #: "staff" or "patient" (readiness.patient)
    audience: str = "staff"


@dataclass(frozen=True)
class AssessmentRecord:
    """One run through the questionnaire by one respondent in one round.

    Content versions: `questionnaire_version` and `started_fingerprint` are the bank's version
    and fingerprint when it was started; `finished_version` and `finished_fingerprint` those
    when it was completed (None until then, or when not recorded).
    """

    id: int
    respondent: str  # pseudonym
    round: int
    questionnaire_version: str
    started_at: datetime
    completed_at: datetime | None
    resume_code: str
    report_token: str
    started_fingerprint: str | None = None
    finished_version: str | None = None
    finished_fingerprint: str | None = None

    @property
    def completed(self) -> bool:
        return self.completed_at is not None


def organisation_record(row: Organisation, respondent_count: int) -> OrganisationRecord:
    weights = {str(k): float(v) for k, v in json.loads(row.weights_json or "{}").items()}
    return OrganisationRecord(
        id=row.id,
        name=row.name,
        join_code=row.join_code,
        current_round=row.current_round,
        created_at=row.created_at,
        weights=weights,
        respondent_count=int(respondent_count or 0),
        exclude_flagged=bool(row.exclude_flagged),
    )


def respondent_record(row: Respondent, organisation_code: str | None) -> RespondentRecord:
    return RespondentRecord(
        id=row.id,
        pseudonym=row.pseudonym,
        role=row.role,
        department=row.department,
        organisation_id=row.organisation_id,
        organisation_code=organisation_code,
        sender_id=row.sender_id,
        consented_at=row.consented_at,
        audience=row.audience or "staff",
    )


def assessment_record(row: Assessment, pseudonym: str) -> AssessmentRecord:
    return AssessmentRecord(
        id=row.id,
        respondent=pseudonym,
        round=row.round,
        questionnaire_version=row.questionnaire_version,
        started_at=row.started_at,
        completed_at=row.completed_at,
        resume_code=row.resume_code,
        report_token=row.report_token,
        started_fingerprint=row.started_fingerprint,
        finished_version=row.finished_version,
        finished_fingerprint=row.finished_fingerprint,
    )


@dataclass(frozen=True)
class CampaignRow:
    """One respondent's progress in a round, for the campaign page (partial assessments too).

    `started_at`/`completed_at` are those of the respondent's assessment in the round (the
    latest completed one, else the latest), None when they consented but have not started;
    `answered` holds the statements answered so far, only for assessments not completed.
    """

    role: str
    department: str | None
    consented_at: datetime
    started_at: datetime | None
    completed_at: datetime | None
    answered: frozenset[str] = frozenset()
