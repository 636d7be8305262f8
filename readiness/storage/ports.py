"""What the conversation needs from storage, as protocols: the session layer types against
these, so it can run on `Store` or on anything else with the same operations.

Semantics are those of `Store`'s methods of the same names: lookups return None when nothing
matches, operations on something that must exist raise LookupError, bad values ValueError;
inside a unit, an exception rolls back everything the turn wrote.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from datetime import datetime
from typing import Protocol

from readiness.model import AnswerValue
from readiness.storage.records import AssessmentRecord, OrganisationRecord, RespondentRecord


class TurnStore(Protocol):
    """The storage operations of one conversation turn, all in one transaction."""

    def get_organisation(self, join_code: str) -> OrganisationRecord | None: ...

    def respondent_for_sender(self, sender_id: str) -> RespondentRecord | None: ...

    def get_respondent(self, pseudonym: str) -> RespondentRecord | None: ...

    def create_respondent(
        self,
        role: str,
        *,
        organisation_code: str | None,
        department: str | None = None,
        sender_id: str | None = None,
        consented_at: datetime | None = None,
        audience: str | None = None,
    ) -> RespondentRecord: ...

    def update_respondent(
        self, pseudonym: str, *, role: str | None = None, department: str | None = None
    ) -> RespondentRecord: ...

    def start_assessment(
        self, respondent_pseudonym: str, questionnaire_version: str, fingerprint: str | None = None
    ) -> AssessmentRecord: ...

    def get_assessment(self, assessment_id: int) -> AssessmentRecord | None: ...

    def assessment_by_resume_code(self, code: str) -> AssessmentRecord | None: ...

    def reattach_assessment(self, resume_code: str, sender_id: str) -> AssessmentRecord: ...

    def record_answer(self, assessment_id: int, item_id: str, value: AnswerValue) -> None: ...

    def clear_answers(self, assessment_id: int) -> int: ...

    def complete_assessment(
        self, assessment_id: int, version: str | None = None, fingerprint: str | None = None
    ) -> AssessmentRecord: ...

    def answers(self, assessment_id: int) -> dict[str, AnswerValue]: ...


class UnitOfWork(Protocol):
    """A source of turn stores: `with store.unit() as turn:` commits on normal exit and rolls
    back if the block raises."""

    def unit(self) -> AbstractContextManager[TurnStore]: ...
