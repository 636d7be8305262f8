"""Assessments (one run through the questionnaire) and their answers."""

from __future__ import annotations

from functools import lru_cache
from typing import Any, Mapping

from sqlalchemy import bindparam, delete, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from readiness.model import NOT_APPLICABLE, AnswerValue
from readiness.storage import clock, rows
from readiness.storage.checks import check_answer, clean_fingerprint, clean_sender_id, clean_version
from readiness.storage.codes import new_report_token, new_resume_code, normalise_code
from readiness.storage.records import AssessmentRecord, assessment_record
from readiness.storage.schema import Answer, Assessment, Respondent


class Assessments:
    """Assessment operations inside the caller's transaction."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def start(
        self, respondent_pseudonym: str, questionnaire_version: str, fingerprint: str | None = None
    ) -> AssessmentRecord:
        """A new assessment in the organisation's current round (round 1 for individuals),
        recording the content version and fingerprint it is started under."""
        version = clean_version(questionnaire_version)
        started_fingerprint = clean_fingerprint(fingerprint)
        session = self._session
        respondent = rows.require_respondent(session, respondent_pseudonym)
        row = Assessment(
            respondent_id=respondent.id,
            round=rows.current_round(session, respondent),
            questionnaire_version=version,
            started_fingerprint=started_fingerprint,
            started_at=clock.now(),
            completed_at=None,
            resume_code=rows.unused(session, Assessment.resume_code, new_resume_code),
            report_token=rows.unused(session, Assessment.report_token, new_report_token),
        )
        session.add(row)
        session.flush()
        return assessment_record(row, respondent.pseudonym)

    def open_for(self, respondent_pseudonym: str) -> AssessmentRecord | None:
        """The respondent's latest not-completed assessment of the current round, or None.

        Unfinished assessments of earlier rounds are not resumed here (they would add answers to
        a round whose scorecard may already be out); `by_resume_code` still finds them.
        """
        respondent = rows.respondent_row(self._session, respondent_pseudonym)
        if respondent is None:
            return None
        row = self._session.execute(
            select(Assessment)
            .where(
                Assessment.respondent_id == respondent.id,
                Assessment.completed_at.is_(None),
                Assessment.round == rows.current_round(self._session, respondent),
            )
            .order_by(Assessment.started_at.desc(), Assessment.id.desc())
            .limit(1)
        ).scalar_one_or_none()
        return None if row is None else assessment_record(row, respondent.pseudonym)

    def by_resume_code(self, code: str) -> AssessmentRecord | None:
        """The assessment with this resume code (as typed: any case, dashes, spaces) or None."""
        normalised = normalise_code(code)
        if not normalised:
            return None
        return rows.assessment_by(self._session, "resume_code", normalised)

    def by_report_token(self, token: str) -> AssessmentRecord | None:
        """The assessment behind a personal scorecard link (exact token) or None."""
        if not isinstance(token, str) or not token:
            return None
        return rows.assessment_by(self._session, "report_token", token)

    def get(self, assessment_id: int) -> AssessmentRecord | None:
        return rows.assessment_by(self._session, "id", assessment_id)

    def complete(
        self, assessment_id: int, version: str | None = None, fingerprint: str | None = None
    ) -> AssessmentRecord:
        """Mark the assessment completed under this content version and fingerprint.

        Idempotent: the first completion wins (its time, version and fingerprint are kept).
        """
        finished_version = None if version is None else clean_version(version, "version")
        finished_fingerprint = clean_fingerprint(fingerprint)
        row = rows.require_assessment(self._session, assessment_id)
        if row.completed_at is None:
            row.completed_at = clock.now()
            row.finished_version = finished_version
            row.finished_fingerprint = finished_fingerprint
        self._session.flush()
        found = rows.assessment_by(self._session, "id", row.id)
        assert found is not None
        return found

    def reattach(self, resume_code: str, sender_id: str) -> AssessmentRecord:
        """Continue an assessment in a new chat conversation ("resume RES-8H3K2P").

        Moves the assessment's respondent to `sender_id`. If that conversation already belongs
        to another respondent, it is detached from them (their sender_id becomes None). The
        respondent's previous sender_id is replaced; every conversation id stays recorded in
        `conversations` (for the other respondent too: the chat holds turns of both), so all
        their tracker events can be deleted later. LookupError for an unknown code.
        """
        cleaned_sender = clean_sender_id(sender_id)
        normalised = normalise_code(resume_code)
        session = self._session
        row = (
            session.execute(
                select(Assessment).where(Assessment.resume_code == normalised)
            ).scalar_one_or_none()
            if normalised
            else None
        )
        if row is None:
            raise LookupError(
                f"no assessment has the resume code {resume_code!r}; "
                "check the code shown when you paused (like RES-8H3K2P)"
            )
        respondent = session.get(Respondent, row.respondent_id)
        assert respondent is not None
        if respondent.sender_id != cleaned_sender:
            session.execute(
                update(Respondent)
                .where(Respondent.sender_id == cleaned_sender)
                .values(sender_id=None)
                .execution_options(synchronize_session=False)
            )
            session.flush()
            respondent.sender_id = cleaned_sender
            session.flush()
        rows.remember_conversation(session, respondent.id, cleaned_sender)
        return assessment_record(row, respondent.pseudonym)


class Answers:
    """Answers of assessments inside the caller's transaction."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def record(self, assessment_id: int, answers: Mapping[str, AnswerValue]) -> None:
        """Record (or replace) answers all-or-nothing: every value is checked before anything
        is written; 1–5 or NOT_APPLICABLE, ValueError otherwise."""
        checked = [check_answer(item_id, value) for item_id, value in answers.items()]
        rows.require_assessment(self._session, assessment_id)
        for item_id, value, na in checked:
            self._upsert(assessment_id, item_id, value, na)

    def _upsert(self, assessment_id: int, item_id: str, value: int | None, na: bool) -> None:
        """Insert or replace one answer. Recording the value already stored changes nothing
        (not even `answered_at`), so a replayed action leaves the answer order alone.

        Two transactions recording the same item at once (a double click reaching two action
        servers) both succeed, last write wins: SQLite and PostgreSQL resolve the conflict in
        one INSERT … ON CONFLICT statement; elsewhere the insert runs in a SAVEPOINT and, if a
        concurrent insert won, becomes an update, so the surrounding transaction carries on.
        """
        now = clock.now()
        upsert = _answer_upsert(self._session)
        if upsert is not None:
            self._session.execute(upsert, {
                "assessment_id": assessment_id, "item_id": item_id, "value": value,
                "not_applicable": na, "answered_at": now,
            })
            return
        existing = self._existing(assessment_id, item_id)
        if existing is None:
            try:
                with self._session.begin_nested():
                    self._session.add(
                        Answer(
                            assessment_id=assessment_id,
                            item_id=item_id,
                            value=value,
                            not_applicable=na,
                            answered_at=now,
                        )
                    )
                return
            except IntegrityError:
                existing = self._existing(assessment_id, item_id)
                assert existing is not None
        if existing.value != value or existing.not_applicable != na:
            existing.value, existing.not_applicable, existing.answered_at = value, na, now
        self._session.flush()

    def _existing(self, assessment_id: int, item_id: str) -> Answer | None:
        return self._session.execute(
            select(Answer).where(Answer.assessment_id == assessment_id, Answer.item_id == item_id)
        ).scalar_one_or_none()

    def clear(self, assessment_id: int) -> int:
        """Forget every answer of one assessment (for "start over"); returns how many."""
        rows.require_assessment(self._session, assessment_id)
        result = self._session.execute(delete(Answer).where(Answer.assessment_id == assessment_id))
        return int(result.rowcount)

    def of(self, assessment_id: int) -> dict[str, AnswerValue]:
        """Item id → answer (NOT_APPLICABLE for n/a), in the order answered."""
        rows.require_assessment(self._session, assessment_id)
        found = self._session.execute(_ANSWERS_OF, {"assessment_id": assessment_id}).all()
        return {item_id: (NOT_APPLICABLE if na else int(value)) for item_id, value, na in found}


#: One assessment's answers in the order answered (built once; the id is a parameter).
_ANSWERS_OF = (
    select(Answer.item_id, Answer.value, Answer.not_applicable)
    .where(Answer.assessment_id == bindparam("assessment_id"))
    .order_by(Answer.answered_at, Answer.id)
)


def _answer_upsert(session: Session) -> Any:
    """The answer upsert as one statement (INSERT … ON CONFLICT DO UPDATE … WHERE changed) for
    SQLite and PostgreSQL, or None for other databases."""
    insert = rows.dialect_insert(session)
    return None if insert is None else _upsert_statement(insert)


@lru_cache(maxsize=None)
def _upsert_statement(insert: Any) -> Any:
    """Built once per dialect with its values as parameters, so SQLAlchemy compiles it once
    instead of on every answer."""
    table = Answer.__table__
    stmt = insert(table)
    return stmt.on_conflict_do_update(
        index_elements=[table.c.assessment_id, table.c.item_id],
        set_={
            "value": stmt.excluded.value,
            "not_applicable": stmt.excluded.not_applicable,
            "answered_at": stmt.excluded.answered_at,
        },
        where=or_(
            table.c.value.is_distinct_from(stmt.excluded.value),
            table.c.not_applicable != stmt.excluded.not_applicable,
        ),
    )
