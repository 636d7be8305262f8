"""Deleting Rasa tracker events, for privacy: a respondent's or organisation's chats when they
are deleted, and idle chats past the retention period. Nothing here reads chat text.

`tracker_url` is the SQLAlchemy URL of Rasa's SQL tracker store (its `events` table). A SQLite
file that does not exist, or a database without an `events` table, has no events: nothing is
deleted and nothing is created.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Iterable, Sequence

from sqlalchemy import Column, Float, MetaData, String, Table, create_engine, delete, func, inspect, select
from sqlalchemy.engine import Connection, make_url

from readiness.storage.clock import as_utc

#: Conversation ids per DELETE statement (keeps the IN list within every driver's limits).
_CHUNK = 500

_EVENTS = Table(
    "events", MetaData(), Column("sender_id", String(255)), Column("timestamp", Float)
)


def _missing_sqlite_file(tracker_url: str) -> bool:
    parsed = make_url(tracker_url)
    if parsed.get_backend_name() != "sqlite":
        return False
    database = parsed.database or ""
    return not database or database == ":memory:" or not Path(database).exists()


def _delete_conversations(connection: Connection, sender_ids: Sequence[str]) -> int:
    removed = 0
    for start in range(0, len(sender_ids), _CHUNK):
        chunk = sender_ids[start : start + _CHUNK]
        removed += connection.execute(
            delete(_EVENTS).where(_EVENTS.c.sender_id.in_(chunk))
        ).rowcount
    return int(removed)


def delete_tracker_events(tracker_url: str, sender_ids: Iterable[str]) -> int:
    """Delete every Rasa tracker event of these conversations; returns how many rows went."""
    ids = sorted({s for s in sender_ids if isinstance(s, str) and s})
    if not ids or _missing_sqlite_file(tracker_url):
        return 0
    engine = create_engine(tracker_url, future=True)
    try:
        with engine.begin() as connection:
            if not inspect(connection).has_table("events"):
                return 0
            return _delete_conversations(connection, ids)
    finally:
        engine.dispose()


def delete_idle_tracker_conversations(tracker_url: str, before: datetime) -> tuple[int, int]:
    """Delete whole tracker conversations whose latest event is older than `before`.

    For retention: also catches chats that never became a respondent (consent declined,
    abandoned before the role question). Conversations with any newer event are kept whole, so
    a chat in progress never loses its state. Returns (conversations, events) removed. A naive
    `before` is taken to be UTC.
    """
    if _missing_sqlite_file(tracker_url):
        return 0, 0
    cutoff = as_utc(before).timestamp()
    engine = create_engine(tracker_url, future=True)
    try:
        with engine.begin() as connection:
            if not inspect(connection).has_table("events"):
                return 0, 0
            idle = list(
                connection.execute(
                    select(_EVENTS.c.sender_id)
                    .group_by(_EVENTS.c.sender_id)
                    .having(func.max(_EVENTS.c.timestamp) < cutoff)
                ).scalars()
            )
            return len(idle), _delete_conversations(connection, idle)
    finally:
        engine.dispose()
