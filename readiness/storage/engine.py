"""SQLAlchemy engines with the settings every process needs (SQLite pragmas, pool pings)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.pool import QueuePool, StaticPool

from readiness.storage.settings import sqlite_busy_timeout


def make_engine(url: str) -> Engine:
    """An engine for `url`. SQLite: foreign keys on, the busy timeout from
    `sqlite_busy_timeout()`, WAL and a connection pool for files (the parent folder is
    created), one shared
    connection for in-memory databases. Others: connections checked before use."""
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
        # A pool of open connections (SQLAlchemy 1.4 would open and close one per
        # transaction for SQLite files): a turn's cost is then its SQL, not the connection.
        engine = create_engine(
            url,
            future=True,
            poolclass=QueuePool,
            connect_args={"check_same_thread": False, "timeout": busy_timeout},
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
