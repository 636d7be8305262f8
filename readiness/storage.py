"""Persistence of organisations, respondents, assessments and answers (SQLAlchemy, 2.0 style).

SQLite by default, PostgreSQL in production. Every public method of `Store` runs in one
transaction (`Store.session_scope`) and returns frozen dataclasses, never ORM objects, so
callers cannot lazily load or accidentally write through them.

Privacy: nothing here stores a name, an e-mail, patient data or free text from the chat. A
respondent is a random pseudonym with a role and an optional department; the chat conversation
id (`sender_id`) is kept only so the bot can find the respondent again, and every conversation id
a respondent used is kept in `conversations` so their tracker events can be deleted with them
(`delete_tracker_events`).

Schema: managed by the Alembic migrations in `readiness/migrations/`; `Store()` upgrades the
database to the latest revision on first use (`upgrade_schema`).

Conventions:
* lookups (`get_*`, `*_by_*`, `open_assessment`) return None when nothing matches;
* writes and reads keyed by something that must exist raise LookupError naming it;
* bad values a user can cause raise ValueError naming the value and how to fix it;
* in both error cases nothing is written.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
import math
import os
import re
import secrets
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterable, Iterator, Mapping

import pandas as pd
from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    DateTime,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    create_engine,
    delete,
    event,
    func,
    or_,
    select,
    text,
    update,
)
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.orm import Session, declarative_base, sessionmaker
from sqlalchemy.pool import StaticPool
from sqlalchemy.types import TypeDecorator

from readiness.model import NOT_APPLICABLE, AnswerValue, is_valid_answer

__all__ = [
    "AssessmentRecord",
    "current_revision",
    "delete_idle_tracker_conversations",
    "delete_tracker_events",
    "head_revision",
    "tracker_database_url",
    "upgrade_schema",
    "OrganisationRecord",
    "RespondentRecord",
    "Store",
    "default_database_url",
    "normalise_code",
]

# ---------------------------------------------------------------------------------------------
# Configuration

#: Environment variable holding a full SQLAlchemy URL (e.g. postgresql+psycopg2://…).
DATABASE_URL_ENV = "READINESS_DATABASE_URL"
#: Environment variable naming the directory of the default SQLite database.
DATA_DIR_ENV = "READINESS_DATA_DIR"
#: File name of the default SQLite database inside the data directory.
DEFAULT_DB_FILENAME = "readiness.db"
#: Environment variable holding the Rasa tracker store's database as a SQLAlchemy URL.
TRACKER_URL_ENV = "RASA_TRACKER_URL"
#: File name of the default SQLite tracker database inside the data directory.
DEFAULT_TRACKER_FILENAME = "rasa_tracker.db"
#: Seconds a SQLite connection waits for a lock held by another process before failing.
SQLITE_BUSY_TIMEOUT_SECONDS = 30
#: Environment variable overriding SQLITE_BUSY_TIMEOUT_SECONDS (seconds, may be fractional);
#: the fault tests set it low so a locked database fails a write quickly.
SQLITE_BUSY_TIMEOUT_ENV = "READINESS_SQLITE_BUSY_TIMEOUT"


def sqlite_busy_timeout() -> float:
    """The SQLite busy timeout in seconds: $READINESS_SQLITE_BUSY_TIMEOUT or the default."""
    value = os.environ.get(SQLITE_BUSY_TIMEOUT_ENV, "").strip()
    if not value:
        return float(SQLITE_BUSY_TIMEOUT_SECONDS)
    try:
        seconds = float(value)
    except ValueError:
        raise ValueError(f"{SQLITE_BUSY_TIMEOUT_ENV}={value!r}: expected a number of seconds, like 30 or 0.5") from None
    if not seconds >= 0 or seconds == float("inf"):
        raise ValueError(f"{SQLITE_BUSY_TIMEOUT_ENV}={value!r}: expected a finite number of seconds >= 0")
    return seconds

NAME_MAX_LENGTH = 200
ROLE_MAX_LENGTH = 64
DEPARTMENT_MAX_LENGTH = 80
ITEM_ID_MAX_LENGTH = 100
VERSION_MAX_LENGTH = 40
SENDER_ID_MAX_LENGTH = 255

#: Letters and digits a person can read aloud and type without confusion: no 0/O, no 1/I.
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
JOIN_CODE_LENGTH = 6  # shown as "KX7-P2Q"
RESUME_CODE_PREFIX = "RES"
RESUME_CODE_LENGTH = 6  # shown as "RES-8H3K2P"

# scrypt parameters for admin tokens (stored with each hash, so they can change later).
_SCRYPT_N = 2**14
_SCRYPT_R = 8
_SCRYPT_P = 1
_SCRYPT_DKLEN = 32
_SALT_BYTES = 16


def default_database_url() -> str:
    """The database URL to use when none is given.

    `READINESS_DATABASE_URL` if set (and not blank); otherwise a SQLite file `readiness.db` in
    `READINESS_DATA_DIR`, or in `var/` under the current working directory.
    """
    url = os.environ.get(DATABASE_URL_ENV, "").strip()
    if url:
        return url
    data_dir = os.environ.get(DATA_DIR_ENV, "").strip()
    directory = Path(data_dir) if data_dir else Path.cwd() / "var"
    return f"sqlite:///{(directory.expanduser().resolve() / DEFAULT_DB_FILENAME).as_posix()}"


def tracker_database_url(
    env: Mapping[str, str] | None = None, data_dir: Path | str | None = None
) -> str:
    """The Rasa tracker store's database URL: the one place this default is decided.

    `RASA_TRACKER_URL` in `env` (default: the process environment) if set; otherwise a SQLite
    file `rasa_tracker.db` in `data_dir`, else in `READINESS_DATA_DIR`, else in `var/` under the
    current working directory. Used by the launcher (to configure Rasa) and by the privacy
    commands (to delete a respondent's chat events).
    """
    env = os.environ if env is None else env
    url = (env.get(TRACKER_URL_ENV) or "").strip()
    if url:
        return url
    if data_dir is None:
        configured = (env.get(DATA_DIR_ENV) or "").strip()
        data_dir = Path(configured) if configured else Path.cwd() / "var"
    directory = Path(data_dir).expanduser().resolve()
    return f"sqlite:///{(directory / DEFAULT_TRACKER_FILENAME).as_posix()}"


# ---------------------------------------------------------------------------------------------
# Codes and tokens


def normalise_code(code: str) -> str:
    """The canonical form of a join or resume code as typed by a person.

    Case-insensitive and tolerant of missing or extra dashes and whitespace:
    ``" kx7p2q "`` → ``"KX7-P2Q"``, ``"res 8h3k2p"`` → ``"RES-8H3K2P"``. Both kinds of code are
    three characters, a dash, and the rest. Returns "" when nothing alphanumeric was typed.
    """
    if not isinstance(code, str):
        return ""
    compact = re.sub(r"[^0-9A-Za-z]", "", code).upper()
    if len(compact) <= 3:
        return compact
    return f"{compact[:3]}-{compact[3:]}"


def _random_code(length: int) -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(length))


def _new_join_code() -> str:
    return normalise_code(_random_code(JOIN_CODE_LENGTH))


def _new_resume_code() -> str:
    return normalise_code(RESUME_CODE_PREFIX + _random_code(RESUME_CODE_LENGTH))


def _new_pseudonym() -> str:
    return f"r-{secrets.token_hex(6)}"


def _new_report_token() -> str:
    return secrets.token_urlsafe(16)


def _new_admin_token() -> str:
    return secrets.token_urlsafe(24)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode("ascii")


def _scrypt(token: str, salt: bytes, n: int, r: int, p: int, dklen: int) -> bytes:
    return hashlib.scrypt(
        token.encode("utf-8"), salt=salt, n=n, r=r, p=p, dklen=dklen, maxmem=128 * r * n + 2**20
    )


def hash_admin_token(token: str) -> str:
    """A salted scrypt hash of an admin token: ``scrypt$n$r$p$salt$hash`` (base64url parts)."""
    salt = secrets.token_bytes(_SALT_BYTES)
    digest = _scrypt(token, salt, _SCRYPT_N, _SCRYPT_R, _SCRYPT_P, _SCRYPT_DKLEN)
    return f"scrypt${_SCRYPT_N}${_SCRYPT_R}${_SCRYPT_P}${_b64(salt)}${_b64(digest)}"


#: Hashed once per process; compared against when an organisation does not exist so that a
#: wrong join code costs as much time as a wrong token.
_DUMMY_HASH: str | None = None


def _dummy_hash() -> str:
    global _DUMMY_HASH
    if _DUMMY_HASH is None:
        _DUMMY_HASH = hash_admin_token(_new_admin_token())
    return _DUMMY_HASH


def verify_token_hash(token: str, stored: str) -> bool:
    """Whether `token` matches a hash made by `hash_admin_token`, compared in constant time."""
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        expected = base64.urlsafe_b64decode(digest.encode("ascii"))
        salt_bytes = base64.urlsafe_b64decode(salt.encode("ascii"))
        actual = _scrypt(token, salt_bytes, int(n), int(r), int(p), len(expected))
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(actual, expected)


# ---------------------------------------------------------------------------------------------
# Records returned to callers


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


@dataclass(frozen=True)
class AssessmentRecord:
    """One run through the questionnaire by one respondent in one round."""

    id: int
    respondent: str  # pseudonym
    round: int
    questionnaire_version: str
    started_at: datetime
    completed_at: datetime | None
    resume_code: str
    report_token: str

    @property
    def completed(self) -> bool:
        return self.completed_at is not None


# ---------------------------------------------------------------------------------------------
# Schema


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


_NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

Base = declarative_base(metadata=MetaData(naming_convention=_NAMING))


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


# ---------------------------------------------------------------------------------------------
# Validation helpers (one rule per field, in one place)


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _clean_name(name: object) -> str:
    if not isinstance(name, str) or not name.strip():
        raise ValueError("organisation name must be a non-empty text, e.g. 'St Mary's Hospital'")
    cleaned = name.strip()
    if len(cleaned) > NAME_MAX_LENGTH:
        raise ValueError(
            f"organisation name is {len(cleaned)} characters long; "
            f"shorten it to at most {NAME_MAX_LENGTH}"
        )
    return cleaned


def _clean_role(role: object) -> str:
    if not isinstance(role, str) or not role.strip():
        raise ValueError("role must be a non-empty role id, e.g. 'clinician'")
    cleaned = role.strip()
    if len(cleaned) > ROLE_MAX_LENGTH:
        raise ValueError(f"role {cleaned[:20]!r}… is longer than {ROLE_MAX_LENGTH} characters")
    return cleaned


def _clean_department(department: object) -> str | None:
    """None or blank means "no department"."""
    if department is None:
        return None
    if not isinstance(department, str):
        raise ValueError(f"department must be text, got {type(department).__name__}")
    cleaned = department.strip()
    if not cleaned:
        return None
    if len(cleaned) > DEPARTMENT_MAX_LENGTH:
        raise ValueError(
            f"department is {len(cleaned)} characters long; "
            f"shorten it to at most {DEPARTMENT_MAX_LENGTH}"
        )
    return cleaned


def is_valid_sender_id(sender_id: object) -> bool:
    """Whether a chat conversation id can be stored (non-blank text of bounded length)."""
    return isinstance(sender_id, str) and bool(sender_id.strip()) and len(sender_id) <= SENDER_ID_MAX_LENGTH


def _clean_sender_id(sender_id: object) -> str:
    if not is_valid_sender_id(sender_id):
        raise ValueError(
            f"sender_id must be the non-empty id of the chat conversation, at most {SENDER_ID_MAX_LENGTH} characters"
        )
    return sender_id  # type: ignore[return-value]


def _clean_version(version: object) -> str:
    if not isinstance(version, str) or not version.strip():
        raise ValueError("questionnaire_version must be a non-empty text, e.g. '1.0'")
    cleaned = version.strip()
    if len(cleaned) > VERSION_MAX_LENGTH:
        raise ValueError(f"questionnaire_version is longer than {VERSION_MAX_LENGTH} characters")
    return cleaned


def _clean_item_id(item_id: object) -> str:
    if not isinstance(item_id, str) or not item_id.strip():
        raise ValueError(f"item id must be a non-empty text, got {item_id!r}")
    if len(item_id) > ITEM_ID_MAX_LENGTH:
        raise ValueError(
            f"item id {item_id[:20]!r}… is longer than {ITEM_ID_MAX_LENGTH} characters"
        )
    return item_id


def _clean_weights(weights: Mapping[str, float] | None) -> dict[str, float]:
    """Challenge id → weight > 0. Whether the ids exist is checked against the bank by
    `Questionnaire.with_weights`; storage only guarantees well-formed numbers."""
    if weights is None:
        return {}
    if not isinstance(weights, Mapping):
        raise ValueError("weights must be a mapping of challenge id to a number > 0")
    cleaned: dict[str, float] = {}
    for challenge_id, weight in weights.items():
        if not isinstance(challenge_id, str) or not challenge_id.strip():
            raise ValueError(f"weight key must be a challenge id, got {challenge_id!r}")
        if (
            isinstance(weight, bool)
            or not isinstance(weight, (int, float))
            or not math.isfinite(weight)
            or not weight > 0
        ):
            raise ValueError(
                f"weight for challenge {challenge_id!r} must be a finite number > 0, got {weight!r}"
            )
        cleaned[challenge_id] = float(weight)
    return cleaned


def _check_answer(item_id: object, value: object) -> tuple[str, int | None, bool]:
    """(item id, stored value, not_applicable) or ValueError naming the bad answer."""
    item = _clean_item_id(item_id)
    if not is_valid_answer(value):
        raise ValueError(
            f"answer {value!r} for item {item!r} is not valid: "
            f"give a whole number from 1 to 5 or {NOT_APPLICABLE!r}"
        )
    if value == NOT_APPLICABLE:
        return item, None, True
    return item, int(value), False  # type: ignore[arg-type]


# ---------------------------------------------------------------------------------------------
# Engine


def _make_engine(url: str) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return create_engine(url, future=True, pool_pre_ping=True)

    database = parsed.database or ""
    busy_timeout = sqlite_busy_timeout()
    in_memory = database in ("", ":memory:") or database.startswith("file::memory:")
    if in_memory:
        engine = create_engine(
            url,
            future=True,
            poolclass=StaticPool,
            connect_args={"check_same_thread": False, "timeout": busy_timeout},
        )
    else:
        Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            url, future=True, connect_args={"timeout": busy_timeout}
        )

    @event.listens_for(engine, "connect")
    def _sqlite_pragmas(dbapi_connection: Any, connection_record: Any) -> None:
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout * 1000)}")
            if not in_memory:
                # Readers (web app) do not block the writer (action server) and vice versa.
                cursor.execute("PRAGMA journal_mode=WAL")
                cursor.execute("PRAGMA synchronous=NORMAL")
        finally:
            cursor.close()

    return engine


# ---------------------------------------------------------------------------------------------
# Schema migrations (Alembic)

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
#: Revision of the schema `Base.metadata.create_all` made before migrations existed.
BASELINE_REVISION = "0001"
#: Key of the PostgreSQL advisory lock held while the schema is upgraded (any fixed bigint).
_MIGRATION_LOCK_KEY = 0x7265616479  # "ready"


def alembic_config(connection: Any = None) -> Any:
    """An `alembic.config.Config` for the packaged migrations, without any alembic.ini.

    With `connection`, migrations run on it (inside its transaction); otherwise env.py connects
    to the default database URL.
    """
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def head_revision() -> str:
    """The newest revision of the packaged migrations."""
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


def _revision_of(connection: Any) -> str | None:
    from alembic.runtime.migration import MigrationContext

    return MigrationContext.configure(connection).get_current_revision()


def current_revision(engine: Engine) -> str | None:
    """The database's schema revision; None for an empty database, BASELINE_REVISION for one
    created before migrations existed (tables but no alembic_version)."""
    from sqlalchemy import inspect

    with engine.connect() as connection:
        revision = _revision_of(connection)
        if revision is None and inspect(connection).has_table(Organisation.__tablename__):
            return BASELINE_REVISION
        return revision


def upgrade_schema(engine: Engine, revision: str = "head") -> str | None:
    """Bring the database to `revision` (default: the latest) and return its revision.

    Safe when several processes start at once: on PostgreSQL the upgrade runs in one
    transaction holding an advisory lock, so the second process waits and then finds the
    schema current (DDL is transactional there). On SQLite a process that loses the race to
    create the tables retries and finds them made. Databases created before migrations
    (tables but no alembic_version) are stamped BASELINE_REVISION first.
    """
    from alembic import command
    from alembic.util.exc import CommandError
    from sqlalchemy import inspect
    from sqlalchemy.exc import DBAPIError

    target = head_revision() if revision == "head" else revision
    attempts = 5
    for attempt in range(attempts):
        try:
            with engine.begin() as connection:
                if connection.dialect.name == "postgresql":
                    connection.execute(
                        text("SELECT pg_advisory_xact_lock(:key)"), {"key": _MIGRATION_LOCK_KEY}
                    )
                found = _revision_of(connection)
                if found == target:
                    return found
                config = alembic_config(connection)
                if found is None and inspect(connection).has_table(Organisation.__tablename__):
                    command.stamp(config, BASELINE_REVISION)
                command.upgrade(config, target)
                return _revision_of(connection)
        except (DBAPIError, CommandError):
            # SQLite: another process created or stamped the schema between our read and our
            # write (e.g. alembic sees revisions 0001 and 0002 at once); our transaction rolled
            # back, so look again.
            if attempt == attempts - 1 or engine.dialect.name != "sqlite":
                raise
            time.sleep(0.2 * (attempt + 1))
    return None  # pragma: no cover


# ---------------------------------------------------------------------------------------------
# Rasa tracker events (for deletion only: nothing here reads chat text)


def delete_tracker_events(tracker_url: str, sender_ids: Iterable[str]) -> int:
    """Delete every Rasa tracker event of these conversations; returns how many rows went.

    `tracker_url` is the SQLAlchemy URL of Rasa's SQL tracker store (its `events` table). A
    SQLite file that does not exist, or a database without an `events` table, has no events:
    0, and nothing is created.
    """
    from sqlalchemy import inspect

    ids = sorted({s for s in sender_ids if isinstance(s, str) and s})
    if not ids:
        return 0
    parsed = make_url(tracker_url)
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database or ""
        if not database or database == ":memory:" or not Path(database).exists():
            return 0
    engine = create_engine(tracker_url, future=True)
    try:
        with engine.begin() as connection:
            if not inspect(connection).has_table("events"):
                return 0
            events = Table("events", MetaData(), Column("sender_id", String(255)))
            removed = 0
            for start in range(0, len(ids), 500):
                chunk = ids[start : start + 500]
                removed += connection.execute(
                    delete(events).where(events.c.sender_id.in_(chunk))
                ).rowcount
            return int(removed)
    finally:
        engine.dispose()


def delete_idle_tracker_conversations(tracker_url: str, before: datetime) -> tuple[int, int]:
    """Delete whole tracker conversations whose latest event is older than `before`.

    For retention: also catches chats that never became a respondent (consent declined,
    abandoned before the role question). Conversations with any newer event are kept whole, so
    a chat in progress never loses its state. Returns (conversations, events) removed.
    """
    from sqlalchemy import Float, inspect

    parsed = make_url(tracker_url)
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database or ""
        if not database or database == ":memory:" or not Path(database).exists():
            return 0, 0
    if before.tzinfo is None:
        before = before.replace(tzinfo=timezone.utc)
    engine = create_engine(tracker_url, future=True)
    try:
        with engine.begin() as connection:
            if not inspect(connection).has_table("events"):
                return 0, 0
            events = Table(
                "events", MetaData(), Column("sender_id", String(255)), Column("timestamp", Float)
            )
            idle = connection.execute(
                select(events.c.sender_id)
                .group_by(events.c.sender_id)
                .having(func.max(events.c.timestamp) < before.timestamp())
            ).scalars().all()
            removed = 0
            for start in range(0, len(idle), 500):
                chunk = idle[start : start + 500]
                removed += connection.execute(
                    delete(events).where(events.c.sender_id.in_(chunk))
                ).rowcount
            return len(idle), int(removed)
    finally:
        engine.dispose()


# ---------------------------------------------------------------------------------------------
# The store


class Store:
    """The readiness database. One instance per process; thread-safe like a SQLAlchemy engine."""

    def __init__(self, url: str | None = None) -> None:
        self.url = url or default_database_url()
        self._engine = _make_engine(self.url)
        self._sessions = sessionmaker(self._engine, future=True, expire_on_commit=False)
        upgrade_schema(self._engine)

    # -- lifecycle -------------------------------------------------------------------------

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

    # -- internal lookups ------------------------------------------------------------------

    @staticmethod
    def _organisation_row(session: Session, join_code: str) -> Organisation | None:
        code = normalise_code(join_code)
        if not code:
            return None
        return session.execute(
            select(Organisation).where(Organisation.join_code == code)
        ).scalar_one_or_none()

    def _require_organisation(self, session: Session, join_code: str) -> Organisation:
        organisation = self._organisation_row(session, join_code)
        if organisation is None:
            raise LookupError(
                f"no organisation has the join code {join_code!r}; "
                "check the code with your organisation's lead"
            )
        return organisation

    @staticmethod
    def _respondent_row(session: Session, pseudonym: str) -> Respondent | None:
        if not isinstance(pseudonym, str):
            return None
        return session.execute(
            select(Respondent).where(Respondent.pseudonym == pseudonym)
        ).scalar_one_or_none()

    def _require_respondent(self, session: Session, pseudonym: str) -> Respondent:
        respondent = self._respondent_row(session, pseudonym)
        if respondent is None:
            raise LookupError(f"no respondent has the pseudonym {pseudonym!r}")
        return respondent

    @staticmethod
    def _require_assessment(session: Session, assessment_id: int) -> Assessment:
        assessment = session.get(Assessment, assessment_id)
        if assessment is None:
            raise LookupError(f"no assessment has the id {assessment_id!r}")
        return assessment

    @staticmethod
    def _unused(session: Session, column: Any, make: Any) -> str:
        """A freshly generated value not yet present in a unique column."""
        for _ in range(100):
            candidate = make()
            if session.execute(select(column).where(column == candidate)).first() is None:
                return candidate
        raise RuntimeError(f"could not generate an unused value for {column}")  # pragma: no cover

    # -- record builders -------------------------------------------------------------------

    @staticmethod
    def _organisation_record(row: Organisation, respondent_count: int) -> OrganisationRecord:
        weights = {str(k): float(v) for k, v in json.loads(row.weights_json or "{}").items()}
        return OrganisationRecord(
            id=row.id,
            name=row.name,
            join_code=row.join_code,
            current_round=row.current_round,
            created_at=row.created_at,
            weights=weights,
            respondent_count=int(respondent_count or 0),
        )

    @staticmethod
    def _respondent_record(row: Respondent, organisation_code: str | None) -> RespondentRecord:
        return RespondentRecord(
            id=row.id,
            pseudonym=row.pseudonym,
            role=row.role,
            department=row.department,
            organisation_id=row.organisation_id,
            organisation_code=organisation_code,
            sender_id=row.sender_id,
            consented_at=row.consented_at,
        )

    @staticmethod
    def _assessment_record(row: Assessment, pseudonym: str) -> AssessmentRecord:
        return AssessmentRecord(
            id=row.id,
            respondent=pseudonym,
            round=row.round,
            questionnaire_version=row.questionnaire_version,
            started_at=row.started_at,
            completed_at=row.completed_at,
            resume_code=row.resume_code,
            report_token=row.report_token,
        )

    @staticmethod
    def _respondent_counts():  # type: ignore[no-untyped-def]
        return (
            select(Respondent.organisation_id, func.count(Respondent.id).label("n"))
            .group_by(Respondent.organisation_id)
            .subquery()
        )

    def _select_organisations(self):  # type: ignore[no-untyped-def]
        counts = self._respondent_counts()
        return select(Organisation, func.coalesce(counts.c.n, 0)).outerjoin(
            counts, counts.c.organisation_id == Organisation.id
        )

    def _respondent_by(self, session: Session, condition: Any) -> RespondentRecord | None:
        row = session.execute(
            select(Respondent, Organisation.join_code)
            .outerjoin(Organisation, Respondent.organisation_id == Organisation.id)
            .where(condition)
        ).first()
        return None if row is None else self._respondent_record(row[0], row[1])

    def _assessment_by(self, session: Session, condition: Any) -> AssessmentRecord | None:
        row = session.execute(
            select(Assessment, Respondent.pseudonym)
            .join(Respondent, Assessment.respondent_id == Respondent.id)
            .where(condition)
        ).first()
        return None if row is None else self._assessment_record(row[0], row[1])

    # -- organisations ---------------------------------------------------------------------

    def create_organisation(
        self, name: str, weights: Mapping[str, float] | None = None
    ) -> tuple[OrganisationRecord, str]:
        """A new organisation and its admin token (plaintext, shown once; only a hash is kept)."""
        cleaned_name = _clean_name(name)
        cleaned_weights = _clean_weights(weights)
        token = _new_admin_token()
        token_hash = hash_admin_token(token)
        with self.session_scope() as session:
            row = Organisation(
                name=cleaned_name,
                join_code=self._unused(session, Organisation.join_code, _new_join_code),
                admin_token_hash=token_hash,
                weights_json=json.dumps(cleaned_weights, sort_keys=True),
                current_round=1,
                created_at=_now(),
            )
            session.add(row)
            session.flush()
            return self._organisation_record(row, 0), token

    def list_organisations(self) -> list[OrganisationRecord]:
        """Every organisation with its respondent count, oldest first."""
        with self.session_scope() as session:
            rows = session.execute(self._select_organisations().order_by(Organisation.id)).all()
            return [self._organisation_record(row, count) for row, count in rows]

    def get_organisation(self, join_code: str) -> OrganisationRecord | None:
        """The organisation with this join code (as typed: any case, dashes, spaces) or None."""
        code = normalise_code(join_code)
        if not code:
            return None
        with self.session_scope() as session:
            found = session.execute(
                self._select_organisations().where(Organisation.join_code == code)
            ).first()
            return None if found is None else self._organisation_record(found[0], found[1])

    def verify_admin_token(self, join_code: str, token: str) -> bool:
        """Whether `token` is the organisation's admin token, in constant time.

        Unknown organisations cost the same hash computation and return False, so timing does
        not reveal whether a join code exists.
        """
        with self.session_scope() as session:
            organisation = self._organisation_row(session, join_code)
            stored = organisation.admin_token_hash if organisation is not None else None
        if not isinstance(token, str):
            token = ""
        if stored is None:
            verify_token_hash(token, _dummy_hash())
            return False
        return verify_token_hash(token, stored)

    def set_weights(self, join_code: str, weights: Mapping[str, float]) -> OrganisationRecord:
        """Replace the organisation's challenge weight overrides ({} resets to the bank's)."""
        cleaned = _clean_weights(weights)
        with self.session_scope() as session:
            organisation = self._require_organisation(session, join_code)
            organisation.weights_json = json.dumps(cleaned, sort_keys=True)
            session.flush()
            row, count = session.execute(
                self._select_organisations().where(Organisation.id == organisation.id)
            ).one()
            return self._organisation_record(row, count)

    def start_new_round(self, join_code: str) -> int:
        """Advance the organisation to its next survey round and return the new round number.

        Assessments already started keep their round; new ones get the new round.
        """
        with self.session_scope() as session:
            organisation = self._require_organisation(session, join_code)
            session.execute(
                update(Organisation)
                .where(Organisation.id == organisation.id)
                .values(current_round=Organisation.current_round + 1)
                .execution_options(synchronize_session=False)
            )
            return int(
                session.execute(
                    select(Organisation.current_round).where(Organisation.id == organisation.id)
                ).scalar_one()
            )

    def rounds(self, join_code: str) -> list[int]:
        """The rounds in which the organisation's respondents started assessments, ascending."""
        with self.session_scope() as session:
            organisation = self._require_organisation(session, join_code)
            result = session.execute(
                select(Assessment.round)
                .join(Respondent, Assessment.respondent_id == Respondent.id)
                .where(Respondent.organisation_id == organisation.id)
                .distinct()
                .order_by(Assessment.round)
            ).scalars()
            return [int(r) for r in result]

    # -- respondents -----------------------------------------------------------------------

    def create_respondent(
        self,
        role: str,
        *,
        organisation_code: str | None,
        department: str | None = None,
        sender_id: str | None = None,
        consented_at: datetime | None = None,
    ) -> RespondentRecord:
        """A new pseudonymous respondent, in an organisation or (code None) as an individual.

        LookupError for an unknown organisation code, ValueError for a bad role or department or
        a conversation that already has a respondent; nothing is written in either case.
        A naive `consented_at` is taken to be UTC.
        """
        cleaned_role = _clean_role(role)
        cleaned_department = _clean_department(department)
        cleaned_sender = None if sender_id is None else _clean_sender_id(sender_id)
        if consented_at is None:
            consented_at = _now()
        elif not isinstance(consented_at, datetime):
            raise ValueError(f"consented_at must be a datetime, got {consented_at!r}")
        with self.session_scope() as session:
            organisation_id = None
            join_code = None
            if organisation_code is not None:
                organisation = self._require_organisation(session, organisation_code)
                organisation_id, join_code = organisation.id, organisation.join_code
            if cleaned_sender is not None and session.execute(
                select(Respondent.id).where(Respondent.sender_id == cleaned_sender)
            ).first():
                raise ValueError(
                    f"conversation {cleaned_sender!r} already has a respondent; "
                    "use respondent_for_sender to find them"
                )
            row = Respondent(
                pseudonym=self._unused(session, Respondent.pseudonym, _new_pseudonym),
                organisation_id=organisation_id,
                role=cleaned_role,
                department=cleaned_department,
                sender_id=cleaned_sender,
                consented_at=consented_at,
            )
            session.add(row)
            session.flush()
            if cleaned_sender is not None:
                self._remember_conversation(session, row.id, cleaned_sender)
            session.refresh(row)
            return self._respondent_record(row, join_code)

    @staticmethod
    def _remember_conversation(session: Session, respondent_id: int, sender_id: str) -> None:
        """Record that the respondent used this chat conversation (once per pair)."""
        dialect = session.get_bind().dialect.name
        values = {"respondent_id": respondent_id, "sender_id": sender_id, "created_at": _now()}
        if dialect in ("sqlite", "postgresql"):
            if dialect == "sqlite":
                from sqlalchemy.dialects.sqlite import insert as dialect_insert
            else:
                from sqlalchemy.dialects.postgresql import insert as dialect_insert
            table = Conversation.__table__
            session.execute(
                dialect_insert(table)
                .values(**values)
                .on_conflict_do_nothing(index_elements=[table.c.respondent_id, table.c.sender_id])
            )
            return
        known = session.execute(
            select(Conversation.id).where(
                Conversation.respondent_id == respondent_id, Conversation.sender_id == sender_id
            )
        ).first()
        if known is None:
            session.add(Conversation(**values))
            session.flush()

    def conversation_ids(self, pseudonym: str) -> list[str]:
        """Every chat conversation id the respondent has used, oldest first ([] if unknown)."""
        with self.session_scope() as session:
            return self._conversation_ids(session, Respondent.pseudonym == pseudonym)

    @staticmethod
    def _conversation_ids(session: Session, condition: Any) -> list[str]:
        recorded = session.execute(
            select(Conversation.sender_id)
            .join(Respondent, Conversation.respondent_id == Respondent.id)
            .where(condition)
            .order_by(Conversation.created_at, Conversation.id)
        ).scalars()
        current = session.execute(
            select(Respondent.sender_id).where(condition, Respondent.sender_id.isnot(None))
        ).scalars()
        return list(dict.fromkeys([*recorded, *current]))

    def organisation_conversation_ids(self, join_code: str) -> list[str]:
        """Every conversation id used by the organisation's respondents; LookupError if unknown."""
        with self.session_scope() as session:
            organisation = self._require_organisation(session, join_code)
            return self._conversation_ids(
                session, Respondent.organisation_id == organisation.id
            )

    def respondent_footprint(self, pseudonym: str) -> dict[str, int] | None:
        """How many assessments, answers and conversations a respondent has (None if unknown)."""
        with self.session_scope() as session:
            respondent = self._respondent_row(session, pseudonym)
            if respondent is None:
                return None
            return self._footprint(session, Respondent.id == respondent.id)

    def organisation_footprint(self, join_code: str) -> dict[str, int]:
        """Respondents, assessments, answers and conversations of an organisation."""
        with self.session_scope() as session:
            organisation = self._require_organisation(session, join_code)
            return self._footprint(session, Respondent.organisation_id == organisation.id)

    @staticmethod
    def _footprint(session: Session, condition: Any) -> dict[str, int]:
        def count(query: Any) -> int:
            return int(session.execute(query).scalar_one())

        return {
            "respondents": count(select(func.count(Respondent.id)).where(condition)),
            "assessments": count(
                select(func.count(Assessment.id))
                .join(Respondent, Assessment.respondent_id == Respondent.id)
                .where(condition)
            ),
            "answers": count(
                select(func.count(Answer.id))
                .join(Assessment, Answer.assessment_id == Assessment.id)
                .join(Respondent, Assessment.respondent_id == Respondent.id)
                .where(condition)
            ),
            "conversations": count(
                select(func.count(Conversation.id))
                .join(Respondent, Conversation.respondent_id == Respondent.id)
                .where(condition)
            ),
        }

    def inactive_respondents(self, before: datetime) -> list[str]:
        """Pseudonyms of respondents whose last activity is before `before` (oldest first).

        Last activity: the latest start or completion of any of their assessments, or their
        consent time if they never started one. A naive `before` is taken to be UTC.
        """
        if before.tzinfo is None:
            before = before.replace(tzinfo=timezone.utc)
        with self.session_scope() as session:
            rows = session.execute(
                select(
                    Respondent.pseudonym,
                    Respondent.consented_at,
                    func.max(Assessment.started_at),
                    func.max(Assessment.completed_at),
                )
                .outerjoin(Assessment, Assessment.respondent_id == Respondent.id)
                .group_by(Respondent.id, Respondent.pseudonym, Respondent.consented_at)
            ).all()
        found = []
        for pseudonym, consented, started, completed in rows:
            # max() over a TypeDecorator column comes back naive from some drivers
            times = [t for t in (consented, started, completed) if t is not None]
            last = max(t if t.tzinfo else t.replace(tzinfo=timezone.utc) for t in times)
            if last < before:
                found.append((last, pseudonym))
        return [pseudonym for _, pseudonym in sorted(found)]

    def respondent_for_sender(self, sender_id: str) -> RespondentRecord | None:
        """The respondent of this chat conversation, or None."""
        if not isinstance(sender_id, str) or not sender_id:
            return None
        with self.session_scope() as session:
            return self._respondent_by(session, Respondent.sender_id == sender_id)

    def get_respondent(self, pseudonym: str) -> RespondentRecord | None:
        if not isinstance(pseudonym, str):
            return None
        with self.session_scope() as session:
            return self._respondent_by(session, Respondent.pseudonym == pseudonym)

    def update_respondent(
        self, pseudonym: str, *, role: str | None = None, department: str | None = None
    ) -> RespondentRecord:
        """Change role and/or department; None leaves a field as it is, "" clears department."""
        cleaned_role = None if role is None else _clean_role(role)
        cleaned_department = None if department is None else _clean_department(department)
        with self.session_scope() as session:
            row = self._require_respondent(session, pseudonym)
            if cleaned_role is not None:
                row.role = cleaned_role
            if department is not None:
                row.department = cleaned_department
            session.flush()
            found = self._respondent_by(session, Respondent.id == row.id)
            assert found is not None
            return found

    def delete_respondent(self, pseudonym: str) -> bool:
        """Delete a respondent with their assessments, answers and conversation ids; False if
        unknown.

        The caller deletes the chat tracker events first: read `conversation_ids` before.
        """
        if not isinstance(pseudonym, str):
            return False
        with self.session_scope() as session:
            result = session.execute(delete(Respondent).where(Respondent.pseudonym == pseudonym))
            return result.rowcount > 0

    def purge_organisation(self, join_code: str) -> int:
        """Delete an organisation with all its respondents, assessments, answers and
        conversation ids (read `organisation_conversation_ids` first, for the tracker).

        Returns the number of respondents removed; LookupError for an unknown code.
        """
        with self.session_scope() as session:
            organisation = self._require_organisation(session, join_code)
            removed = session.execute(
                delete(Respondent).where(Respondent.organisation_id == organisation.id)
            ).rowcount
            session.execute(delete(Organisation).where(Organisation.id == organisation.id))
            return int(removed)

    # -- assessments -----------------------------------------------------------------------

    def start_assessment(
        self, respondent_pseudonym: str, questionnaire_version: str
    ) -> AssessmentRecord:
        """A new assessment in the organisation's current round (round 1 for individuals)."""
        version = _clean_version(questionnaire_version)
        with self.session_scope() as session:
            respondent = self._require_respondent(session, respondent_pseudonym)
            row = Assessment(
                respondent_id=respondent.id,
                round=self._current_round(session, respondent),
                questionnaire_version=version,
                started_at=_now(),
                completed_at=None,
                resume_code=self._unused(session, Assessment.resume_code, _new_resume_code),
                report_token=self._unused(session, Assessment.report_token, _new_report_token),
            )
            session.add(row)
            session.flush()
            return self._assessment_record(row, respondent.pseudonym)

    @staticmethod
    def _current_round(session: Session, respondent: Respondent) -> int:
        if respondent.organisation_id is None:
            return 1
        return int(
            session.execute(
                select(Organisation.current_round).where(
                    Organisation.id == respondent.organisation_id
                )
            ).scalar_one()
        )

    def open_assessment(self, respondent_pseudonym: str) -> AssessmentRecord | None:
        """The respondent's latest not-completed assessment of the current round, or None.

        Unfinished assessments of earlier rounds are not resumed here (they would add answers to
        a round whose scorecard may already be out); `assessment_by_resume_code` still finds them.
        """
        with self.session_scope() as session:
            respondent = self._respondent_row(session, respondent_pseudonym)
            if respondent is None:
                return None
            row = session.execute(
                select(Assessment)
                .where(
                    Assessment.respondent_id == respondent.id,
                    Assessment.completed_at.is_(None),
                    Assessment.round == self._current_round(session, respondent),
                )
                .order_by(Assessment.started_at.desc(), Assessment.id.desc())
                .limit(1)
            ).scalar_one_or_none()
            return None if row is None else self._assessment_record(row, respondent.pseudonym)

    def assessment_by_resume_code(self, code: str) -> AssessmentRecord | None:
        """The assessment with this resume code (as typed: any case, dashes, spaces) or None."""
        normalised = normalise_code(code)
        if not normalised:
            return None
        with self.session_scope() as session:
            return self._assessment_by(session, Assessment.resume_code == normalised)

    def assessment_by_report_token(self, token: str) -> AssessmentRecord | None:
        """The assessment behind a personal scorecard link (exact token) or None."""
        if not isinstance(token, str) or not token:
            return None
        with self.session_scope() as session:
            return self._assessment_by(session, Assessment.report_token == token)

    def get_assessment(self, assessment_id: int) -> AssessmentRecord | None:
        with self.session_scope() as session:
            return self._assessment_by(session, Assessment.id == assessment_id)

    def complete_assessment(self, assessment_id: int) -> AssessmentRecord:
        """Mark the assessment completed (idempotent: the first completion time is kept)."""
        with self.session_scope() as session:
            row = self._require_assessment(session, assessment_id)
            if row.completed_at is None:
                row.completed_at = _now()
            session.flush()
            found = self._assessment_by(session, Assessment.id == row.id)
            assert found is not None
            return found

    def reattach_assessment(self, resume_code: str, sender_id: str) -> AssessmentRecord:
        """Continue an assessment in a new chat conversation ("resume RES-8H3K2P").

        Moves the assessment's respondent to `sender_id`. If that conversation already belongs
        to another respondent, it is detached from them (their sender_id becomes None). The
        respondent's previous sender_id is replaced; every conversation id stays recorded in
        `conversations` (for the other respondent too: the chat holds turns of both), so all
        their tracker events can be deleted later. LookupError for an unknown code.
        """
        cleaned_sender = _clean_sender_id(sender_id)
        normalised = normalise_code(resume_code)
        with self.session_scope() as session:
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
            self._remember_conversation(session, respondent.id, cleaned_sender)
            return self._assessment_record(row, respondent.pseudonym)

    # -- answers ---------------------------------------------------------------------------

    def _upsert_answer(
        self, session: Session, assessment_id: int, item_id: str, value: int | None, na: bool
    ) -> None:
        """Insert or replace one answer. Recording the value already stored changes nothing
        (not even `answered_at`), so a replayed action leaves the answer order alone."""
        now = _now()
        dialect = session.get_bind().dialect.name
        if dialect in ("sqlite", "postgresql"):
            if dialect == "sqlite":
                from sqlalchemy.dialects.sqlite import insert as dialect_insert
            else:
                from sqlalchemy.dialects.postgresql import insert as dialect_insert
            table = Answer.__table__
            stmt = dialect_insert(table).values(
                assessment_id=assessment_id,
                item_id=item_id,
                value=value,
                not_applicable=na,
                answered_at=now,
            )
            stmt = stmt.on_conflict_do_update(
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
            session.execute(stmt)
            return
        existing = session.execute(
            select(Answer).where(Answer.assessment_id == assessment_id, Answer.item_id == item_id)
        ).scalar_one_or_none()
        if existing is None:
            session.add(
                Answer(
                    assessment_id=assessment_id,
                    item_id=item_id,
                    value=value,
                    not_applicable=na,
                    answered_at=now,
                )
            )
        elif existing.value != value or existing.not_applicable != na:
            existing.value, existing.not_applicable, existing.answered_at = value, na, now
        session.flush()

    def record_answer(self, assessment_id: int, item_id: str, value: AnswerValue) -> None:
        """Record (or replace) one answer: 1–5 or NOT_APPLICABLE; ValueError otherwise."""
        self.record_answers(assessment_id, {item_id: value})

    def record_answers(self, assessment_id: int, answers: Mapping[str, AnswerValue]) -> None:
        """Record several answers all-or-nothing: every value is checked before anything is
        written, and all are written in one transaction."""
        checked = [_check_answer(item_id, value) for item_id, value in answers.items()]
        with self.session_scope() as session:
            self._require_assessment(session, assessment_id)
            for item_id, value, na in checked:
                self._upsert_answer(session, assessment_id, item_id, value, na)

    def delete_answer(self, assessment_id: int, item_id: str) -> bool:
        """Forget one answer (for "change my last answer"); False if there was none."""
        with self.session_scope() as session:
            result = session.execute(
                delete(Answer).where(
                    Answer.assessment_id == assessment_id, Answer.item_id == item_id
                )
            )
            return result.rowcount > 0

    def clear_answers(self, assessment_id: int) -> int:
        """Forget every answer of one assessment (for "start over"); returns how many."""
        with self.session_scope() as session:
            self._require_assessment(session, assessment_id)
            result = session.execute(delete(Answer).where(Answer.assessment_id == assessment_id))
            return result.rowcount

    def answers(self, assessment_id: int) -> dict[str, AnswerValue]:
        """Item id → answer (NOT_APPLICABLE for n/a), in the order answered."""
        with self.session_scope() as session:
            self._require_assessment(session, assessment_id)
            rows = session.execute(
                select(Answer.item_id, Answer.value, Answer.not_applicable)
                .where(Answer.assessment_id == assessment_id)
                .order_by(Answer.answered_at, Answer.id)
            ).all()
            return {
                item_id: (NOT_APPLICABLE if na else int(value)) for item_id, value, na in rows
            }

    def answer_order(self, assessment_id: int) -> list[str]:
        """Answered item ids, earliest first (by answered_at, then id): for "go back"."""
        return list(self.answers(assessment_id))

    # -- scorecard data --------------------------------------------------------------------

    #: Columns of `answers_frame`, in order.
    FRAME_COLUMNS = (
        "respondent",
        "role",
        "department",
        "round",
        "item_id",
        "value",
        "not_applicable",
        "completed",
    )

    def answers_frame(self, join_code: str, round: int | None = None) -> pd.DataFrame:
        """The organisation's answers in long format, one row per answer, in one query.

        Columns: respondent (pseudonym), role, department (None if not given), round (int),
        item_id, value (float, NaN for n/a), not_applicable (bool), completed (bool: whether the
        assessment was completed). `round` None means every round.

        One assessment counts per respondent and round: if a respondent started several in
        the same round, the latest completed one is used, or the latest one if none was
        completed. Assessments without answers have no rows. LookupError for an unknown code.
        """
        respondents = Respondent.__table__.c
        assessments = Assessment.__table__.c
        answers = Answer.__table__.c
        with self.session_scope() as session:
            organisation = self._require_organisation(session, join_code)
            in_scope = [respondents.organisation_id == organisation.id]
            if round is not None:
                in_scope.append(assessments.round == round)
            # Rank each respondent's assessments in a round: completed first, then latest.
            ranked = (
                select(
                    assessments.id,
                    func.row_number()
                    .over(
                        partition_by=(assessments.respondent_id, assessments.round),
                        order_by=(assessments.completed_at.is_(None), assessments.id.desc()),
                    )
                    .label("rank"),
                )
                .join(Respondent.__table__, assessments.respondent_id == respondents.id)
                .where(*in_scope)
                .subquery()
            )
            stmt = (
                select(
                    respondents.pseudonym,
                    respondents.role,
                    respondents.department,
                    assessments.round,
                    answers.item_id,
                    answers.value,
                    answers.not_applicable,
                    assessments.completed_at.isnot(None),
                )
                .select_from(Respondent.__table__)
                .join(Assessment.__table__, assessments.respondent_id == respondents.id)
                .join(ranked, (ranked.c.id == assessments.id) & (ranked.c.rank == 1))
                .join(Answer.__table__, answers.assessment_id == assessments.id)
                .order_by(assessments.round, respondents.pseudonym, answers.answered_at, answers.id)
            )
            rows = session.connection().execute(stmt).all()

        frame = pd.DataFrame.from_records(rows, columns=list(self.FRAME_COLUMNS))
        return frame.astype(
            {
                "respondent": "category",
                "role": "category",
                "department": object,
                "round": "int64",
                "item_id": "category",
                "value": "float64",
                "not_applicable": bool,
                "completed": bool,
            }
        )
