"""A unit of work: storage operations bound to one Session, so one conversation turn (or one
CLI command) reads and writes in one transaction."""

from __future__ import annotations

from datetime import datetime
from typing import Mapping

from sqlalchemy.orm import Session

from readiness.model import AnswerValue
from readiness.storage.assessments import Answers, Assessments
from readiness.storage.console_sessions import ConsoleSessions
from readiness.storage.evidence import EvidenceEntries
from readiness.storage.organisations import Organisations
from readiness.storage.records import AssessmentRecord, OrganisationRecord, RespondentRecord
from readiness.storage.reporting import Reporting
from readiness.storage.respondents import Respondents


class Unit:
    """What a conversation turn needs, in one transaction (see `readiness.storage.TurnStore`).

    Made by `Store.unit()`, which commits when the block ends and rolls back if it raises; do
    not keep a Unit past its block. The repositories are attributes for everything else.
    """

    def __init__(self, session: Session) -> None:
        self.session = session
        self.organisations = Organisations(session)
        self.respondents = Respondents(session)
        self.assessments = Assessments(session)
        self.answer_rows = Answers(session)
        self.reporting = Reporting(session)
        self.evidence = EvidenceEntries(session)
        self.console_sessions = ConsoleSessions(session)

    # -- organisations and respondents -----------------------------------------------------

    def get_organisation(self, join_code: str) -> OrganisationRecord | None:
        return self.organisations.get(join_code)

    def respondent_for_sender(self, sender_id: str) -> RespondentRecord | None:
        return self.respondents.for_sender(sender_id)

    def get_respondent(self, pseudonym: str) -> RespondentRecord | None:
        return self.respondents.get(pseudonym)

    def create_respondent(
        self,
        role: str,
        *,
        organisation_code: str | None,
        department: str | None = None,
        sender_id: str | None = None,
        consented_at: datetime | None = None,
        audience: str | None = None,
    ) -> RespondentRecord:
        return self.respondents.create(
            role,
            organisation_code=organisation_code,
            department=department,
            sender_id=sender_id,
            consented_at=consented_at,
            audience=audience,
        )

    def update_respondent(
        self, pseudonym: str, *, role: str | None = None, department: str | None = None
    ) -> RespondentRecord:
        return self.respondents.update(pseudonym, role=role, department=department)

    # -- assessments -----------------------------------------------------------------------

    def start_assessment(
        self, respondent_pseudonym: str, questionnaire_version: str, fingerprint: str | None = None
    ) -> AssessmentRecord:
        return self.assessments.start(respondent_pseudonym, questionnaire_version, fingerprint)

    def open_assessment(self, respondent_pseudonym: str) -> AssessmentRecord | None:
        return self.assessments.open_for(respondent_pseudonym)

    def get_assessment(self, assessment_id: int) -> AssessmentRecord | None:
        return self.assessments.get(assessment_id)

    def assessment_by_resume_code(self, code: str) -> AssessmentRecord | None:
        return self.assessments.by_resume_code(code)

    def reattach_assessment(self, resume_code: str, sender_id: str) -> AssessmentRecord:
        return self.assessments.reattach(resume_code, sender_id)

    def complete_assessment(
        self, assessment_id: int, version: str | None = None, fingerprint: str | None = None
    ) -> AssessmentRecord:
        return self.assessments.complete(assessment_id, version, fingerprint)

    # -- answers ---------------------------------------------------------------------------

    def record_answer(self, assessment_id: int, item_id: str, value: AnswerValue) -> None:
        self.answer_rows.record(assessment_id, {item_id: value})

    def record_answers(self, assessment_id: int, answers: Mapping[str, AnswerValue]) -> None:
        self.answer_rows.record(assessment_id, answers)

    def clear_answers(self, assessment_id: int) -> int:
        return self.answer_rows.clear(assessment_id)

    def answers(self, assessment_id: int) -> dict[str, AnswerValue]:
        return self.answer_rows.of(assessment_id)
