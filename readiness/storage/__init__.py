"""Persistence of organisations, respondents, assessments and answers (SQLAlchemy, 2.0 style).

SQLite by default, PostgreSQL in production. Callers use the names exported here; the modules
are split by job:

* `settings`: where the databases are (environment variables, default paths, busy timeout);
* `codes`: join/resume codes, pseudonyms, report and admin tokens, admin token hashing;
* `schema`, `records`: the tables (for migrations and tests only), and the frozen records
  handed back to callers (never ORM objects, so nothing loads lazily or writes through);
* `migrate`, `engine`: the Alembic runner (`Store()` upgrades on first use) and engines;
* `organisations`, `respondents`, `assessments`, `reporting`: repositories on one Session;
* `unit`, `store`, `ports`: a unit of work per transaction, `Store`, and the `TurnStore`
  protocol the conversation types against;
* `tracker_cleanup`: deleting Rasa tracker events (privacy).

Privacy: nothing here stores a name, an e-mail, patient data or free text from the chat. A
respondent is a random pseudonym with a role and an optional department; the chat conversation
id (`sender_id`) is kept only so the bot can find the respondent again, and every conversation id
a respondent used is kept in `conversations` so their tracker events can be deleted with them
(`delete_tracker_events`).

Conventions:
* lookups (`get_*`, `*_by_*`, `open_assessment`) return None when nothing matches;
* writes and reads keyed by something that must exist raise LookupError naming it;
* bad values a user can cause raise ValueError naming the value and how to fix it;
* in both error cases nothing is written (a unit of work rolls back the whole transaction).
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

#: Public name → the module defining it. Imported on first use (PEP 562), so that
#: `readiness.storage.settings` or `.codes` alone (the launcher, `readiness.matching`) does not
#: pay for SQLAlchemy's ORM and pandas.
_EXPORTS = {
    "is_valid_sender_id": "checks",
    "CODE_ALPHABET": "codes",
    "hash_admin_token": "codes",
    "normalise_code": "codes",
    "verify_token_hash": "codes",
    "make_engine": "engine",
    "BASELINE_REVISION": "migrate",
    "MIGRATIONS_DIR": "migrate",
    "alembic_config": "migrate",
    "current_revision": "migrate",
    "head_revision": "migrate",
    "upgrade_schema": "migrate",
    "TurnStore": "ports",
    "UnitOfWork": "ports",
    "EvidenceRecord": "evidence",
    "AssessmentRecord": "records",
    "CampaignRow": "records",
    "OrganisationRecord": "records",
    "RespondentRecord": "records",
    "DATA_DIR_ENV": "settings",
    "DATABASE_URL_ENV": "settings",
    "SQLITE_BUSY_TIMEOUT_ENV": "settings",
    "TRACKER_URL_ENV": "settings",
    "default_data_dir": "settings",
    "default_database_url": "settings",
    "sqlite_busy_timeout": "settings",
    "tracker_database_url": "settings",
    "Store": "store",
    "delete_idle_tracker_conversations": "tracker_cleanup",
    "delete_tracker_events": "tracker_cleanup",
    "Unit": "unit",
}

__all__ = sorted(_EXPORTS)

if TYPE_CHECKING:
    from readiness.storage.checks import is_valid_sender_id
    from readiness.storage.codes import (
        CODE_ALPHABET,
        hash_admin_token,
        normalise_code,
        verify_token_hash,
    )
    from readiness.storage.engine import make_engine
    from readiness.storage.evidence import EvidenceRecord
    from readiness.storage.migrate import (
        BASELINE_REVISION,
        MIGRATIONS_DIR,
        alembic_config,
        current_revision,
        head_revision,
        upgrade_schema,
    )
    from readiness.storage.ports import TurnStore, UnitOfWork
    from readiness.storage.records import (
        AssessmentRecord,
        CampaignRow,
        OrganisationRecord,
        RespondentRecord,
    )
    from readiness.storage.settings import (
        DATA_DIR_ENV,
        DATABASE_URL_ENV,
        SQLITE_BUSY_TIMEOUT_ENV,
        TRACKER_URL_ENV,
        default_data_dir,
        default_database_url,
        sqlite_busy_timeout,
        tracker_database_url,
    )
    from readiness.storage.store import Store
    from readiness.storage.tracker_cleanup import (
        delete_idle_tracker_conversations,
        delete_tracker_events,
    )
    from readiness.storage.unit import Unit


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(f"{__name__}.{module}"), name)
    globals()[name] = value  # later lookups skip __getattr__
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_EXPORTS})
