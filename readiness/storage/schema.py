"""The tables (SQLAlchemy ORM) and the limits on stored text.

Changing anything here needs a migration in `readiness/migrations/versions/`; a test compares
these models with the migrated schema on SQLite and PostgreSQL.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    DateTime,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import declarative_base
from sqlalchemy.types import TypeDecorator

NAME_MAX_LENGTH = 200
ROLE_MAX_LENGTH = 64
DEPARTMENT_MAX_LENGTH = 80
ITEM_ID_MAX_LENGTH = 100
VERSION_MAX_LENGTH = 40
FINGERPRINT_MAX_LENGTH = 64
SENDER_ID_MAX_LENGTH = 255
AUDIENCE_MAX_LENGTH = 16
MEASURE_MAX_LENGTH = 64
SOURCE_MAX_LENGTH = 500
SESSION_HASH_LENGTH = 64


class UTCDateTime(TypeDecorator):
    """Timezone-aware UTC datetimes in Python, naive UTC in the database (portable)."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is not None:
            value = value.astimezone(timezone.utc).replace(tzinfo=None)
        return value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=timezone.utc)


#: Constraint names the migrations rely on (so they can be altered or dropped by name).
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

Base: Any = declarative_base(metadata=MetaData(naming_convention=NAMING_CONVENTION))


class Organisation(Base):
    __tablename__ = "organisations"
    __table_args__ = (CheckConstraint("current_round >= 1", name="current_round_positive"),)

    id = Column(Integer, primary_key=True)
    name = Column(String(NAME_MAX_LENGTH), nullable=False)
    join_code = Column(String(16), nullable=False, unique=True)
    admin_token_hash = Column(String(255), nullable=False)
    weights_json = Column(Text, nullable=False, default="{}")
    current_round = Column(Integer, nullable=False, default=1)
    created_at = Column(UTCDateTime, nullable=False)
    #: Answer-quality setting (revision 0004): True leaves flagged assessments out of the
    #: figures; NULL or False (the default) includes them and reports how many there are.
    exclude_flagged = Column(Boolean(create_constraint=False), nullable=True)


class Respondent(Base):
    __tablename__ = "respondents"

    id = Column(Integer, primary_key=True)
    pseudonym = Column(String(32), nullable=False, unique=True)
    organisation_id = Column(
        Integer, ForeignKey("organisations.id", ondelete="CASCADE"), nullable=True, index=True
    )
    role = Column(String(ROLE_MAX_LENGTH), nullable=False)
    department = Column(String(DEPARTMENT_MAX_LENGTH), nullable=True)
    sender_id = Column(String(SENDER_ID_MAX_LENGTH), nullable=True, unique=True)
    consented_at = Column(UTCDateTime, nullable=False)
    #: Who answered (revision 0005): NULL or "staff" for staff, "patient" for the patients'
    #: survey (role is then the reserved "patient"). Patients never enter staff scores.
    audience = Column(String(AUDIENCE_MAX_LENGTH), nullable=True)


class Conversation(Base):
    """A chat conversation id (Rasa sender id) a respondent has used; one row per pair."""

    __tablename__ = "conversations"
    __table_args__ = (
        UniqueConstraint("respondent_id", "sender_id", name="uq_conversations_respondent_sender"),
    )

    id = Column(Integer, primary_key=True)
    respondent_id = Column(
        Integer, ForeignKey("respondents.id", ondelete="CASCADE"), nullable=False
    )
    sender_id = Column(String(SENDER_ID_MAX_LENGTH), nullable=False, index=True)
    created_at = Column(UTCDateTime, nullable=False)


class Assessment(Base):
    """One run through the questionnaire. `questionnaire_version` and `started_fingerprint`
    are the content it was started under, `finished_*` the content it was completed under
    (None before completion, and for assessments completed before migration 0003)."""

    __tablename__ = "assessments"
    __table_args__ = (CheckConstraint("round >= 1", name="round_positive"),)

    id = Column(Integer, primary_key=True)
    respondent_id = Column(
        Integer, ForeignKey("respondents.id", ondelete="CASCADE"), nullable=False, index=True
    )
    round = Column(Integer, nullable=False)
    questionnaire_version = Column(String(VERSION_MAX_LENGTH), nullable=False)
    started_at = Column(UTCDateTime, nullable=False)
    completed_at = Column(UTCDateTime, nullable=True)
    resume_code = Column(String(16), nullable=False, unique=True)
    report_token = Column(String(64), nullable=False, unique=True)
    started_fingerprint = Column(String(FINGERPRINT_MAX_LENGTH), nullable=True)
    finished_fingerprint = Column(String(FINGERPRINT_MAX_LENGTH), nullable=True)
    finished_version = Column(String(VERSION_MAX_LENGTH), nullable=True)


class Answer(Base):
    __tablename__ = "answers"
    __table_args__ = (
        UniqueConstraint("assessment_id", "item_id", name="uq_answers_assessment_item"),
        CheckConstraint(
            "(not_applicable AND value IS NULL) OR "
            "(NOT not_applicable AND value IS NOT NULL AND value BETWEEN 1 AND 5)",
            name="value_xor_not_applicable",
        ),
    )

    id = Column(Integer, primary_key=True)
    assessment_id = Column(
        Integer, ForeignKey("assessments.id", ondelete="CASCADE"), nullable=False
    )
    item_id = Column(String(ITEM_ID_MAX_LENGTH), nullable=False)
    value = Column(Integer, nullable=True)
    not_applicable = Column(
        Boolean(create_constraint=True, name="not_applicable_bool"), nullable=False
    )
    answered_at = Column(UTCDateTime, nullable=False)


class EvidenceEntry(Base):
    """Pilot evidence an organisation's lead entered for one measure and round (revision 0005):
    the counts as JSON (input name → number), a source note, who entered it (a role such as
    "quality lead", never a name) and when. One row per organisation, round and measure; a new
    entry replaces the old one."""

    __tablename__ = "evidence_entries"
    __table_args__ = (
        UniqueConstraint("organisation_id", "round", "measure", name="uq_evidence_entries_org_round_measure"),
        CheckConstraint("round >= 1", name="round_positive"),
    )

    id = Column(Integer, primary_key=True)
    organisation_id = Column(
        Integer, ForeignKey("organisations.id", ondelete="CASCADE"), nullable=False, index=True
    )
    round = Column(Integer, nullable=False)
    measure = Column(String(MEASURE_MAX_LENGTH), nullable=False)
    values_json = Column(Text, nullable=False)
    source = Column(String(SOURCE_MAX_LENGTH), nullable=True)
    entered_by = Column(String(ROLE_MAX_LENGTH), nullable=False)
    entered_at = Column(UTCDateTime, nullable=False)


class ConsoleSession(Base):
    """A console sign-in (revision 0006), so that signing out ends it on the server.

    The browser's signed cookie carries a random session id; only its SHA-256 is kept here
    (`session_hash`), never the id or the admin token, so the table opens no session if it
    leaks. A session counts while it is not revoked and `expires_at` is in the future.
    """

    __tablename__ = "console_sessions"

    id = Column(Integer, primary_key=True)
    organisation_id = Column(
        Integer, ForeignKey("organisations.id", ondelete="CASCADE"), nullable=False, index=True
    )
    session_hash = Column(String(SESSION_HASH_LENGTH), nullable=False, unique=True)
    created_at = Column(UTCDateTime, nullable=False)
    expires_at = Column(UTCDateTime, nullable=False)
    revoked_at = Column(UTCDateTime, nullable=True)
