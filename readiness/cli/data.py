"""`readiness db …`, `respondent delete` and `retention purge`: the schema, and deleting
personal data (with the chat tracker's events)."""

from __future__ import annotations

import argparse
import os

from readiness.cli.common import UserError, open_store, plural

#: Environment variable: default of `readiness retention purge --older-than` (days).
RETENTION_DAYS_ENV = "READINESS_RETENTION_DAYS"


def _shown_url(url: str) -> str:
    from sqlalchemy.engine import make_url

    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # noqa: BLE001 - shown as given when SQLAlchemy cannot parse it
        return url


def _database_error(url: str, error: Exception) -> UserError:
    detail = str(getattr(error, "orig", None) or error).strip().splitlines()
    return UserError(f"cannot use the database {_shown_url(url)}: {detail[0] if detail else error}")


def cmd_db_current(args: argparse.Namespace) -> None:
    from sqlalchemy.exc import SQLAlchemyError

    from readiness.storage import current_revision, default_database_url, head_revision, make_engine

    url = default_database_url()
    engine = make_engine(url)
    try:
        revision = current_revision(engine)
    except SQLAlchemyError as error:
        raise _database_error(url, error) from None
    finally:
        engine.dispose()
    head = head_revision()
    if revision is None:
        state = f"empty (no schema yet; `readiness db upgrade` creates revision {head})"
    elif revision == head:
        state = f"{revision} (head)"
    else:
        state = f"{revision} (head is {head}: run `readiness db upgrade`)"
    print(f"Database: {_shown_url(url)}")
    print(f"Revision: {state}")


def cmd_db_upgrade(args: argparse.Namespace) -> None:
    from sqlalchemy.exc import SQLAlchemyError

    from readiness.storage import current_revision, default_database_url, make_engine, upgrade_schema

    url = default_database_url()
    engine = make_engine(url)
    try:
        before = current_revision(engine)
        after = upgrade_schema(engine)
    except SQLAlchemyError as error:
        raise _database_error(url, error) from None
    finally:
        engine.dispose()
    print(f"Database: {_shown_url(url)}")
    if before == after:
        print(f"Already at the latest revision {after}.")
    else:
        print(f"Upgraded from {before or 'an empty database'} to {after}.")


def delete_chat_events(sender_ids: list[str]) -> int:
    """Delete the tracker events of these conversations (before the readiness rows, so a
    failure here leaves everything in place to retry)."""
    from sqlalchemy.exc import SQLAlchemyError

    from readiness.storage import delete_tracker_events, tracker_database_url

    url = tracker_database_url()
    try:
        return delete_tracker_events(url, sender_ids)
    except SQLAlchemyError as error:
        raise UserError(
            f"cannot delete chat events in the tracker store {_shown_url(url)} "
            f"(nothing was deleted): {str(getattr(error, 'orig', None) or error).strip().splitlines()[0]}"
        ) from None


def cmd_respondent_delete(args: argparse.Namespace) -> None:
    store = open_store()
    footprint = store.respondent_footprint(args.pseudonym)
    if footprint is None:
        raise UserError(f"no respondent has the pseudonym {args.pseudonym!r} (like r-1a2b3c4d5e6f)")
    events = delete_chat_events(store.conversation_ids(args.pseudonym))
    store.delete_respondent(args.pseudonym)
    print(
        f"Deleted respondent {args.pseudonym}: {plural(footprint['assessments'], 'assessment')}, "
        f"{plural(footprint['answers'], 'answer')}, {plural(footprint['conversations'], 'conversation')}, "
        f"{plural(events, 'chat tracker event')}."
    )


def cmd_retention_purge(args: argparse.Namespace) -> None:
    from datetime import datetime, timedelta, timezone

    from sqlalchemy.exc import SQLAlchemyError

    from readiness.storage import delete_idle_tracker_conversations, tracker_database_url

    days = args.older_than
    if days is None:
        configured = os.environ.get(RETENTION_DAYS_ENV, "").strip()
        if not configured:
            raise UserError(f"give --older-than DAYS (or set {RETENTION_DAYS_ENV})")
        try:
            days = int(configured)
        except ValueError:
            raise UserError(f"{RETENTION_DAYS_ENV} must be a whole number of days, got {configured!r}") from None
    if days < 1:
        raise UserError(f"--older-than must be at least 1 day, got {days}")
    cutoff = datetime.now(timezone.utc) - timedelta(days=days)
    store = open_store()
    pseudonyms = store.inactive_respondents(cutoff)
    if args.dry_run:
        print(f"Would delete {plural(len(pseudonyms), 'respondent')} inactive for more than {days} days"
              + (": " + ", ".join(pseudonyms) if pseudonyms else "."))
        return
    answers = events = 0
    for pseudonym in pseudonyms:
        footprint = store.respondent_footprint(pseudonym)
        if footprint is None:
            continue
        events += delete_chat_events(store.conversation_ids(pseudonym))
        if store.delete_respondent(pseudonym):
            answers += footprint["answers"]
    url = tracker_database_url()
    try:
        idle_chats, idle_events = delete_idle_tracker_conversations(url, cutoff)
    except SQLAlchemyError as error:
        raise _database_error(url, error) from None
    print(
        f"Deleted {plural(len(pseudonyms), 'respondent')} inactive for more than {days} days "
        f"({plural(answers, 'answer')}, {plural(events, 'chat tracker event')}), and "
        f"{plural(idle_chats, 'other idle chat')} ({plural(idle_events, 'tracker event')})."
    )
