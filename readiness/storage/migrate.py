"""Runs the Alembic migrations in `readiness/migrations/` (no alembic.ini needed).

`Store()` calls `upgrade_schema` on first use; `readiness db upgrade|current` call it by hand.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from sqlalchemy import inspect, text
from sqlalchemy.engine import Engine

from readiness.storage.schema import Organisation

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"
#: Revision of the schema `Base.metadata.create_all` made before migrations existed.
BASELINE_REVISION = "0001"
#: Key of the PostgreSQL advisory lock held while the schema is upgraded (any fixed bigint).
MIGRATION_LOCK_KEY = 0x7265616479  # "ready"
#: Tries on SQLite when another process wins the race to create or stamp the schema.
_SQLITE_ATTEMPTS = 5


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
    return str(head)


def _revision_of(connection: Any) -> str | None:
    from alembic.runtime.migration import MigrationContext

    revision = MigrationContext.configure(connection).get_current_revision()
    return None if revision is None else str(revision)


def _has_baseline_tables(connection: Any) -> bool:
    return bool(inspect(connection).has_table(Organisation.__tablename__))


def current_revision(engine: Engine) -> str | None:
    """The database's schema revision; None for an empty database, BASELINE_REVISION for one
    created before migrations existed (tables but no alembic_version)."""
    with engine.connect() as connection:
        revision = _revision_of(connection)
        if revision is None and _has_baseline_tables(connection):
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
    from sqlalchemy.exc import DBAPIError

    target = head_revision() if revision == "head" else revision
    for attempt in range(_SQLITE_ATTEMPTS):
        try:
            with engine.begin() as connection:
                if connection.dialect.name == "postgresql":
                    connection.execute(
                        text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK_KEY}
                    )
                found = _revision_of(connection)
                if found == target:
                    return found
                config = alembic_config(connection)
                if found is None and _has_baseline_tables(connection):
                    command.stamp(config, BASELINE_REVISION)
                command.upgrade(config, target)
                return _revision_of(connection)
        except (DBAPIError, CommandError):
            # SQLite: another process created or stamped the schema between our read and our
            # write (e.g. alembic sees revisions 0001 and 0002 at once); our transaction rolled
            # back, so look again.
            if attempt == _SQLITE_ATTEMPTS - 1 or engine.dialect.name != "sqlite":
                raise
            time.sleep(0.2 * (attempt + 1))
    return None  # pragma: no cover
