"""Respondents: pseudonymous people with a role, found again by their chat conversation."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from readiness.storage import clock, rows
from readiness.storage.checks import clean_department, clean_role, clean_sender_id
from readiness.storage.codes import new_pseudonym
from readiness.storage.records import RespondentRecord, respondent_record
from readiness.storage.schema import Respondent


class Respondents:
    """Respondent operations inside the caller's transaction."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def create(
        self,
        role: str,
        *,
        organisation_code: str | None,
        department: str | None = None,
        sender_id: str | None = None,
        consented_at: datetime | None = None,
        audience: str | None = None,
    ) -> RespondentRecord:
        """A new pseudonymous respondent, in an organisation or (code None) as an individual.

        LookupError for an unknown organisation code, ValueError for a bad role or department or
        a conversation that already has a respondent; nothing is written in either case.
        A naive `consented_at` is taken to be UTC.
        """
        cleaned_role = clean_role(role)
        if audience not in (None, "staff", "patient"):
            raise ValueError(f"audience must be 'staff' or 'patient', got {audience!r}")
        cleaned_department = clean_department(department)
        cleaned_sender = None if sender_id is None else clean_sender_id(sender_id)
        if consented_at is None:
            consented_at = clock.now()
        elif not isinstance(consented_at, datetime):
            raise ValueError(f"consented_at must be a datetime, got {consented_at!r}")
        session = self._session
        organisation_id = None
        join_code = None
        if organisation_code is not None:
            organisation = rows.require_organisation(session, organisation_code)
            organisation_id, join_code = organisation.id, organisation.join_code
        if cleaned_sender is not None and session.execute(
            select(Respondent.id).where(Respondent.sender_id == cleaned_sender)
        ).first():
            raise ValueError(
                f"conversation {cleaned_sender!r} already has a respondent; "
                "use respondent_for_sender to find them"
            )
        row = Respondent(
            pseudonym=rows.unused(session, Respondent.pseudonym, new_pseudonym),
            organisation_id=organisation_id,
            role=cleaned_role,
            department=cleaned_department,
            sender_id=cleaned_sender,
            consented_at=consented_at,
            audience=None if audience in (None, "staff") else audience,
        )
        session.add(row)
        session.flush()
        if cleaned_sender is not None:
            rows.remember_conversation(session, row.id, cleaned_sender)
        session.refresh(row)
        return respondent_record(row, join_code)

    def for_sender(self, sender_id: str) -> RespondentRecord | None:
        """The respondent of this chat conversation, or None."""
        if not isinstance(sender_id, str) or not sender_id:
            return None
        return rows.respondent_by(self._session, "sender_id", sender_id)

    def get(self, pseudonym: str) -> RespondentRecord | None:
        """The respondent with this pseudonym, or None."""
        if not isinstance(pseudonym, str):
            return None
        return rows.respondent_by(self._session, "pseudonym", pseudonym)

    def update(
        self, pseudonym: str, *, role: str | None = None, department: str | None = None
    ) -> RespondentRecord:
        """Change role and/or department; None leaves a field as it is, "" clears department."""
        cleaned_role = None if role is None else clean_role(role)
        cleaned_department = None if department is None else clean_department(department)
        row = rows.require_respondent(self._session, pseudonym)
        if cleaned_role is not None:
            row.role = cleaned_role
        if department is not None:
            row.department = cleaned_department
        self._session.flush()
        found = rows.respondent_by(self._session, "id", row.id)
        assert found is not None
        return found

    def conversation_ids(self, pseudonym: str) -> list[str]:
        """Every chat conversation id the respondent has used, oldest first ([] if unknown)."""
        return rows.conversation_ids(self._session, Respondent.pseudonym == pseudonym)

    def delete(self, pseudonym: str) -> bool:
        """Delete a respondent with their assessments, answers and conversation ids; False if
        unknown. The caller deletes the chat tracker events first: read `conversation_ids`."""
        if not isinstance(pseudonym, str):
            return False
        result = self._session.execute(delete(Respondent).where(Respondent.pseudonym == pseudonym))
        return bool(result.rowcount > 0)
