"""Row lookups and small writes shared by the repositories (all on a caller's Session).

Conventions: `*_row` returns None when nothing matches, `require_*` raises LookupError naming
what was looked for.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any, Callable

from sqlalchemy import bindparam, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from readiness.storage import clock
from readiness.storage.codes import normalise_code
from readiness.storage.records import (
    AssessmentRecord,
    RespondentRecord,
    assessment_record,
    respondent_record,
)
from readiness.storage.schema import Assessment, Conversation, Organisation, Respondent


def organisation_row(session: Session, join_code: str) -> Organisation | None:
    code = normalise_code(join_code)
    if not code:
        return None
    return session.execute(
        select(Organisation).where(Organisation.join_code == code)
    ).scalar_one_or_none()


def require_organisation(session: Session, join_code: str) -> Organisation:
    organisation = organisation_row(session, join_code)
    if organisation is None:
        raise LookupError(
            f"no organisation has the join code {join_code!r}; "
            "check the code with your organisation's lead"
        )
    return organisation


def respondent_row(session: Session, pseudonym: str) -> Respondent | None:
    if not isinstance(pseudonym, str):
        return None
    return session.execute(
        select(Respondent).where(Respondent.pseudonym == pseudonym)
    ).scalar_one_or_none()


def require_respondent(session: Session, pseudonym: str) -> Respondent:
    respondent = respondent_row(session, pseudonym)
    if respondent is None:
        raise LookupError(f"no respondent has the pseudonym {pseudonym!r}")
    return respondent


def require_assessment(session: Session, assessment_id: int) -> Assessment:
    assessment = session.get(Assessment, assessment_id)
    if assessment is None:
        raise LookupError(f"no assessment has the id {assessment_id!r}")
    return assessment


def unused(session: Session, column: Any, make: Callable[[], str]) -> str:
    """A freshly generated value not yet present in a unique column."""
    for _ in range(100):
        candidate = make()
        if session.execute(select(column).where(column == candidate)).first() is None:
            return candidate
    raise RuntimeError(f"could not generate an unused value for {column}")  # pragma: no cover


def select_organisations() -> Any:
    """SELECT (Organisation, respondent count) for every organisation; add a WHERE."""
    counts = (
        select(Respondent.organisation_id, func.count(Respondent.id).label("n"))
        .group_by(Respondent.organisation_id)
        .subquery()
    )
    return select(Organisation, func.coalesce(counts.c.n, 0)).outerjoin(
        counts, counts.c.organisation_id == Organisation.id
    )


def keep_loaded(session: Session, row: object) -> None:
    """Hold a row for the rest of the session's transaction.

    The session's identity map holds rows weakly, so a row read here and turned into a record
    would be forgotten at once and the next `session.get` of it (e.g. `require_assessment`
    before answers are read or written) would query again. A unit of work is one turn; keeping
    its rows until it ends saves those repeated SELECTs (two of six per answer turn).
    """
    session.info.setdefault("loaded_rows", []).append(row)


@lru_cache(maxsize=None)
def _respondent_select(column: str) -> Any:
    """Respondent and join code by one column, built once (values are parameters, so the
    statement is constructed and compiled once, not on every turn)."""
    return (
        select(Respondent, Organisation.join_code)
        .outerjoin(Organisation, Respondent.organisation_id == Organisation.id)
        .where(getattr(Respondent, column) == bindparam("key"))
    )


@lru_cache(maxsize=None)
def _assessment_select(column: str) -> Any:
    """Assessment and its respondent's pseudonym by one column, built once."""
    return (
        select(Assessment, Respondent.pseudonym)
        .join(Respondent, Assessment.respondent_id == Respondent.id)
        .where(getattr(Assessment, column) == bindparam("key"))
    )


def respondent_by(session: Session, column: str, value: object) -> RespondentRecord | None:
    """The respondent whose `column` equals `value` (a unique column), or None."""
    row = session.execute(_respondent_select(column), {"key": value}).first()
    if row is None:
        return None
    keep_loaded(session, row[0])
    return respondent_record(row[0], row[1])


def assessment_by(session: Session, column: str, value: object) -> AssessmentRecord | None:
    """The assessment whose `column` equals `value` (a unique column), or None."""
    row = session.execute(_assessment_select(column), {"key": value}).first()
    if row is None:
        return None
    keep_loaded(session, row[0])
    return assessment_record(row[0], row[1])


def current_round(session: Session, respondent: Respondent) -> int:
    """The round new assessments of this respondent belong to (1 for individuals)."""
    if respondent.organisation_id is None:
        return 1
    return int(
        session.execute(
            select(Organisation.current_round).where(Organisation.id == respondent.organisation_id)
        ).scalar_one()
    )


def dialect_insert(session: Session) -> Any:
    """The dialect's INSERT with ON CONFLICT (SQLite, PostgreSQL), or None for others."""
    dialect = session.get_bind().dialect.name
    if dialect == "sqlite":
        from sqlalchemy.dialects.sqlite import insert

        return insert
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert

        return insert
    return None


def remember_conversation(session: Session, respondent_id: int, sender_id: str) -> None:
    """Record that the respondent used this chat conversation (once per pair, also when two
    processes record it at once: the loser's insert is ignored, not an error)."""
    values = {"respondent_id": respondent_id, "sender_id": sender_id, "created_at": clock.now()}
    insert = dialect_insert(session)
    if insert is not None:
        table = Conversation.__table__
        session.execute(
            insert(table)
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
        try:
            with session.begin_nested():  # a SAVEPOINT: losing the race keeps the transaction
                session.add(Conversation(**values))
        except IntegrityError:
            pass  # recorded by a concurrent transaction meanwhile


def conversation_ids(session: Session, condition: Any) -> list[str]:
    """Conversation ids of the respondents matching `condition`, oldest first, then current."""
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
