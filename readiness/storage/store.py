"""`Store`: the readiness database of one process (engine, sessions, units of work).

Each public method runs in a transaction of its own, through a `Unit`; a caller that needs
several operations in one transaction (a conversation turn) uses `with store.unit() as u:`.
"""

from __future__ import annotations

from contextlib import contextmanager
from datetime import datetime
from typing import Iterator, Mapping

import pandas as pd
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from readiness.model import AnswerValue
from readiness.storage import codes
from readiness.storage.engine import make_engine
from readiness.storage.evidence import EvidenceRecord
from readiness.storage.migrate import upgrade_schema
from readiness.storage.records import AssessmentRecord, CampaignRow, OrganisationRecord, RespondentRecord
from readiness.storage.reporting import ANSWERS_FRAME_COLUMNS
from readiness.storage.settings import default_database_url
from readiness.storage.unit import Unit


class Store:
    """The readiness database. One instance per process; thread-safe like a SQLAlchemy engine.

    `Store()` upgrades the schema to the latest migration on first use. Each method below runs
    one repository operation in a unit of its own; what it does, returns and raises is said
    where it is implemented (`Organisations`, `Respondents`, `Assessments`, `Answers`,
    `Reporting`).
    """

    #: Columns of `answers_frame`, in order (defined by `readiness.cohort`, which reads them):
    #: the answers, then the content versions of each row's assessment.
    FRAME_COLUMNS = ANSWERS_FRAME_COLUMNS

    def __init__(self, url: str | None = None) -> None:
        self.url = url or default_database_url()
        self._engine = make_engine(self.url)
        self._sessions = sessionmaker(self._engine, future=True, expire_on_commit=False)
        upgrade_schema(self._engine)

    # -- lifecycle and transactions --------------------------------------------------------

    @property
    def engine(self) -> Engine:
        return self._engine

    def close(self) -> None:
        """Dispose of the engine's connections."""
        self._engine.dispose()

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def session_scope(self) -> Iterator[Session]:
        """One transaction: committed when the block ends, rolled back if it raises."""
        session = self._sessions()
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    @contextmanager
    def unit(self) -> Iterator[Unit]:
        """A unit of work on one transaction: committed when the block ends, rolled back (all
        of it) if the block raises."""
        with self.session_scope() as session:
            yield Unit(session)

    # -- organisations ---------------------------------------------------------------------

    def create_organisation(
        self, name: str, weights: Mapping[str, float] | None = None
    ) -> tuple[OrganisationRecord, str]:
        """A new organisation and its admin token (plaintext, shown once; only a hash is kept)."""
        with self.unit() as unit:
            return unit.organisations.create(name, weights)

    def list_organisations(self) -> list[OrganisationRecord]:
        with self.unit() as unit:
            return unit.organisations.list_all()

    def get_organisation(self, join_code: str) -> OrganisationRecord | None:
        with self.unit() as unit:
            return unit.get_organisation(join_code)

    def verify_admin_token(self, join_code: str, token: str) -> bool:
        """Whether `token` is the organisation's admin token, in constant time.

        Unknown organisations cost the same hash computation and return False, so timing does
        not reveal whether a join code exists. The hash is checked after the transaction.
        """
        with self.unit() as unit:
            stored = unit.organisations.admin_token_hash(join_code)
        return codes.verify_admin_token(token, stored)

    def set_weights(self, join_code: str, weights: Mapping[str, float]) -> OrganisationRecord:
        with self.unit() as unit:
            return unit.organisations.set_weights(join_code, weights)

    def set_exclude_flagged(self, join_code: str, exclude: bool) -> OrganisationRecord:
        """The answer-quality setting: True leaves flagged assessments out of the scorecard."""
        with self.unit() as unit:
            return unit.organisations.set_exclude_flagged(join_code, exclude)

    def start_new_round(self, join_code: str) -> int:
        with self.unit() as unit:
            return unit.organisations.start_new_round(join_code)

    def rounds(self, join_code: str) -> list[int]:
        with self.unit() as unit:
            return unit.organisations.rounds(join_code)

    def organisation_conversation_ids(self, join_code: str) -> list[str]:
        with self.unit() as unit:
            return unit.organisations.conversation_ids(join_code)

    def purge_organisation(self, join_code: str) -> int:
        with self.unit() as unit:
            return unit.organisations.purge(join_code)

    def open_console_session(self, join_code: str, lifetime_seconds: int) -> str:
        """A console sign-in: a random session id (only its hash is stored)."""
        with self.unit() as unit:
            return unit.console_sessions.open(join_code, lifetime_seconds)

    def console_session_active(self, join_code: str, session_id: str) -> bool:
        with self.unit() as unit:
            return unit.console_sessions.active(join_code, session_id)

    def revoke_console_session(self, session_id: str) -> bool:
        """Sign out: the session id is refused from now on."""
        with self.unit() as unit:
            return unit.console_sessions.revoke(session_id)

    # -- respondents -----------------------------------------------------------------------

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
        with self.unit() as unit:
            return unit.create_respondent(
                role,
                organisation_code=organisation_code,
                department=department,
                sender_id=sender_id,
                consented_at=consented_at,
                audience=audience,
            )

    def respondent_for_sender(self, sender_id: str) -> RespondentRecord | None:
        with self.unit() as unit:
            return unit.respondent_for_sender(sender_id)

    def get_respondent(self, pseudonym: str) -> RespondentRecord | None:
        with self.unit() as unit:
            return unit.get_respondent(pseudonym)

    def update_respondent(
        self, pseudonym: str, *, role: str | None = None, department: str | None = None
    ) -> RespondentRecord:
        with self.unit() as unit:
            return unit.update_respondent(pseudonym, role=role, department=department)

    def conversation_ids(self, pseudonym: str) -> list[str]:
        with self.unit() as unit:
            return unit.respondents.conversation_ids(pseudonym)

    def delete_respondent(self, pseudonym: str) -> bool:
        with self.unit() as unit:
            return unit.respondents.delete(pseudonym)

    # -- assessments and answers -----------------------------------------------------------

    def start_assessment(
        self, respondent_pseudonym: str, questionnaire_version: str, fingerprint: str | None = None
    ) -> AssessmentRecord:
        with self.unit() as unit:
            return unit.start_assessment(respondent_pseudonym, questionnaire_version, fingerprint)

    def open_assessment(self, respondent_pseudonym: str) -> AssessmentRecord | None:
        with self.unit() as unit:
            return unit.open_assessment(respondent_pseudonym)

    def assessment_by_resume_code(self, code: str) -> AssessmentRecord | None:
        with self.unit() as unit:
            return unit.assessment_by_resume_code(code)

    def assessment_by_report_token(self, token: str) -> AssessmentRecord | None:
        with self.unit() as unit:
            return unit.assessments.by_report_token(token)

    def get_assessment(self, assessment_id: int) -> AssessmentRecord | None:
        with self.unit() as unit:
            return unit.get_assessment(assessment_id)

    def complete_assessment(
        self, assessment_id: int, version: str | None = None, fingerprint: str | None = None
    ) -> AssessmentRecord:
        with self.unit() as unit:
            return unit.complete_assessment(assessment_id, version, fingerprint)

    def reattach_assessment(self, resume_code: str, sender_id: str) -> AssessmentRecord:
        with self.unit() as unit:
            return unit.reattach_assessment(resume_code, sender_id)

    def record_answer(self, assessment_id: int, item_id: str, value: AnswerValue) -> None:
        with self.unit() as unit:
            unit.record_answer(assessment_id, item_id, value)

    def record_answers(self, assessment_id: int, answers: Mapping[str, AnswerValue]) -> None:
        with self.unit() as unit:
            unit.record_answers(assessment_id, answers)

    def clear_answers(self, assessment_id: int) -> int:
        with self.unit() as unit:
            return unit.clear_answers(assessment_id)

    def answers(self, assessment_id: int) -> dict[str, AnswerValue]:
        with self.unit() as unit:
            return unit.answers(assessment_id)

    # -- reporting -------------------------------------------------------------------------

    def answers_frame(self, join_code: str, round: int | None = None, audience: str = "staff") -> pd.DataFrame:
        """Staff answers by default (patients never enter staff scores); audience="patient"
        gives the patients' survey answers in the same shape."""
        with self.unit() as unit:
            return unit.reporting.answers_frame(join_code, round, audience)

    # -- pilot evidence --------------------------------------------------------------------

    def set_evidence(self, join_code: str, measure: str, values: Mapping[str, float], *,
                     round: int | None = None, source: str | None = None,
                     entered_by: str = "organisation lead") -> "EvidenceRecord":
        with self.unit() as unit:
            return unit.evidence.set(join_code, measure, values, round=round, source=source,
                                     entered_by=entered_by)

    def evidence(self, join_code: str, round: int | None = None) -> list["EvidenceRecord"]:
        with self.unit() as unit:
            return unit.evidence.list(join_code, round)

    def campaign_rows(self, join_code: str, round: int | None = None) -> list[CampaignRow]:
        """Progress of everyone in a round (default: the organisation's current round)."""
        with self.unit() as unit:
            if round is None:
                record = unit.get_organisation(join_code)
                if record is None:
                    raise LookupError(f"unknown organisation {join_code!r}")
                round = record.current_round
            return unit.reporting.campaign_rows(join_code, round)

    def respondent_footprint(self, pseudonym: str) -> dict[str, int] | None:
        with self.unit() as unit:
            return unit.reporting.respondent_footprint(pseudonym)

    def organisation_footprint(self, join_code: str) -> dict[str, int]:
        with self.unit() as unit:
            return unit.reporting.organisation_footprint(join_code)

    def inactive_respondents(self, before: datetime) -> list[str]:
        with self.unit() as unit:
            return unit.reporting.inactive_respondents(before)
