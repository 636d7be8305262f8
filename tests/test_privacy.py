"""Privacy: deleting a respondent or an organisation, and retention, remove the readiness rows
AND the Rasa tracker events of every conversation they used, verified by query, on SQLite and
on PostgreSQL. Tracker events are written by Rasa's own SQLTrackerStore class.

Also: the schema, as migrated, has no column for free text from the chat or for patient data.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, inspect, select, text, update

from bot.servers import default_tracker_url, tracker_store_config
from readiness import cli
from readiness.storage import Store, tracker_database_url
from readiness.storage import schema
from readiness.storage.schema import Assessment, Respondent
from tests.pg import postgres  # noqa: F401 - session fixture

READINESS = Path(sys.executable).parent / "readiness"


@pytest.fixture(params=["sqlite", "postgresql"])
def urls(request, tmp_path):
    """(readiness database URL, tracker database URL) on one engine."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'readiness.db'}", f"sqlite:///{tmp_path / 'rasa_tracker.db'}"
    server = request.getfixturevalue("postgres")
    return server.new_database("privacy"), server.new_database("tracker")


@pytest.fixture
def env(urls, monkeypatch, tmp_path):
    database_url, tracker_url = urls
    monkeypatch.setenv("READINESS_DATABASE_URL", database_url)
    monkeypatch.setenv("RASA_TRACKER_URL", tracker_url)
    monkeypatch.setenv("READINESS_DATA_DIR", str(tmp_path / "var"))
    return {"READINESS_DATABASE_URL": database_url, "RASA_TRACKER_URL": tracker_url}


def write_tracker_events(tracker_url: str, conversations: dict[str, float]) -> None:
    """Save a few events per conversation with Rasa's SQLTrackerStore (sender → unix time)."""
    from rasa.core.tracker_store import SQLTrackerStore
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.events import ActionExecuted, BotUttered, SlotSet, UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker

    settings = tracker_store_config(tracker_url)
    settings.pop("type")
    host = settings.pop("url", None)
    store = SQLTrackerStore(domain=Domain.empty(), host=host, **settings)
    for sender, when in conversations.items():
        events = [
            ActionExecuted("action_session_start", timestamp=when),
            UserUttered("I'm a nurse on ICU", {"name": "inform_role"}, timestamp=when + 1),
            ActionExecuted("action_converse", timestamp=when + 2),
            BotUttered("Thanks. Which department?", timestamp=when + 3),
            SlotSet("chat_state", "{}", timestamp=when + 4),
        ]
        asyncio.run(store.save(DialogueStateTracker.from_events(sender, events)))
    store.engine.dispose()


def tracker_counts(tracker_url: str) -> dict[str, int]:
    engine = create_engine(tracker_url, future=True)
    with engine.connect() as connection:
        rows = connection.execute(text("SELECT sender_id, count(*) FROM events GROUP BY sender_id")).all()
    engine.dispose()
    return dict(rows)


def table_counts(store: Store, pseudonym: str | None = None) -> dict[str, int]:
    counts = {}
    with store.engine.connect() as connection:
        for table in schema.Base.metadata.sorted_tables:
            counts[table.name] = connection.execute(select(func.count()).select_from(table)).scalar_one()
    return counts


def populate(store: Store, code: str | None, prefix: str) -> str:
    """A respondent who used two conversations (resumed in a new chat), with answers."""
    respondent = store.create_respondent("nurse", organisation_code=code, sender_id=f"{prefix}-1")
    assessment = store.start_assessment(respondent.pseudonym, "1.0")
    store.record_answers(assessment.id, {"privacy_confidence": 4, "data_quality": "n/a"})
    store.reattach_assessment(assessment.resume_code, f"{prefix}-2")
    store.record_answer(assessment.id, "tool_access", 2)
    return respondent.pseudonym


def run_cli(*args: str) -> tuple[int, str, str]:
    import contextlib
    import io

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = cli.main(list(args))
    return code, out.getvalue(), err.getvalue()


def test_respondent_delete_removes_rows_and_every_conversations_events(env, urls):
    database_url, tracker_url = urls
    store = Store(database_url)
    organisation, _ = store.create_organisation("Privacy General")
    gone = populate(store, organisation.join_code, "gone")
    kept = populate(store, organisation.join_code, "kept")
    assert store.conversation_ids(gone) == ["gone-1", "gone-2"]
    now = time.time()
    write_tracker_events(tracker_url, {"gone-1": now, "gone-2": now, "kept-1": now, "kept-2": now,
                                       "anonymous": now})
    assert tracker_counts(tracker_url)["gone-1"] == 5

    # the installed command, as an operator runs it
    result = subprocess.run([str(READINESS), "respondent", "delete", gone],
                            env={**os.environ, **env}, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert "3 answers, 2 conversations, 10 chat tracker events" in result.stdout

    assert store.get_respondent(gone) is None and store.get_respondent(kept) is not None
    assert table_counts(store) == {"organisations": 1, "respondents": 1, "assessments": 1,
                                   "answers": 3, "conversations": 2, "evidence_entries": 0,
                                   "console_sessions": 0}
    with store.engine.connect() as connection:
        assert connection.execute(text(
            "SELECT count(*) FROM conversations WHERE sender_id LIKE 'gone-%'")).scalar_one() == 0
    assert tracker_counts(tracker_url) == {"kept-1": 5, "kept-2": 5, "anonymous": 5}
    store.close()

    again = subprocess.run([str(READINESS), "respondent", "delete", gone],
                           env={**os.environ, **env}, capture_output=True, text=True)
    assert again.returncode == 2 and again.stderr.count("\n") == 1 and "no respondent" in again.stderr


def test_org_purge_asks_for_yes_then_removes_everything_of_that_organisation(env, urls):
    database_url, tracker_url = urls
    store = Store(database_url)
    purged, _ = store.create_organisation("Purged")
    other, _ = store.create_organisation("Other")
    for n in range(3):
        populate(store, purged.join_code, f"p{n}")
    survivor = populate(store, other.join_code, "o")
    individual = populate(store, None, "i")
    now = time.time()
    write_tracker_events(tracker_url, {s: now for s in
                                       ["p0-1", "p0-2", "p1-1", "p1-2", "p2-1", "p2-2", "o-1", "o-2", "i-1", "i-2"]})

    code, out, err = run_cli("org", "purge", purged.join_code)  # stdin is not a terminal here
    assert code == 2 and "add --yes" in err and "3 respondents" in err
    assert table_counts(store)["respondents"] == 5 and len(tracker_counts(tracker_url)) == 10

    code, out, err = run_cli("org", "purge", purged.join_code.lower(), "--yes")
    assert code == 0, err
    assert "3 respondents, 3 assessments, 9 answers, 30 chat tracker events" in out
    assert store.get_organisation(purged.join_code) is None
    assert table_counts(store) == {"organisations": 1, "respondents": 2, "assessments": 2,
                                   "answers": 6, "conversations": 4, "evidence_entries": 0,
                                   "console_sessions": 0}
    assert store.get_respondent(survivor) and store.get_respondent(individual)
    assert set(tracker_counts(tracker_url)) == {"o-1", "o-2", "i-1", "i-2"}
    store.close()


def test_retention_purge_deletes_only_what_is_older(env, urls):
    database_url, tracker_url = urls
    store = Store(database_url)
    organisation, _ = store.create_organisation("Retention")
    old = populate(store, organisation.join_code, "old")
    recent = populate(store, organisation.join_code, "recent")
    never_started = store.create_respondent("nurse", organisation_code=None, sender_id="idle").pseudonym
    long_ago = datetime.now(timezone.utc) - timedelta(days=400)
    with store.session_scope() as session:
        old_id = session.execute(select(Respondent.id).where(Respondent.pseudonym == old)).scalar_one()
        session.execute(update(Assessment).where(Assessment.respondent_id == old_id)
                        .values(started_at=long_ago, completed_at=long_ago + timedelta(hours=1)))
        session.execute(update(Respondent).where(Respondent.pseudonym.in_([old, never_started]))
                        .values(consented_at=long_ago))
    ancient, now = long_ago.timestamp(), time.time()
    write_tracker_events(tracker_url, {"old-1": ancient, "old-2": ancient, "recent-1": ancient,
                                       "recent-2": now, "idle": ancient, "declined-consent": ancient,
                                       "anonymous-today": now})

    code, out, err = run_cli("retention", "purge", "--older-than", "365", "--dry-run")
    assert code == 0 and old in out and never_started in out and recent not in out
    assert table_counts(store)["respondents"] == 3

    code, out, err = run_cli("retention", "purge", "--older-than", "365")
    assert code == 0, err
    assert "Deleted 2 respondents inactive for more than 365 days (3 answers, 15 chat tracker events)" in out
    # declined-consent, and recent-1: a recent respondent's chat idle for longer than the period
    assert "2 other idle chats (10 tracker events)" in out
    assert store.get_respondent(old) is None and store.get_respondent(never_started) is None
    assert store.get_respondent(recent) is not None
    assert set(tracker_counts(tracker_url)) == {"recent-2", "anonymous-today"}
    store.close()

    code, out, err = run_cli("retention", "purge", "--older-than", "0")
    assert code == 2 and "at least 1 day" in err


def test_retention_days_from_the_environment(env, monkeypatch):
    monkeypatch.setenv("READINESS_RETENTION_DAYS", "30")
    code, out, err = run_cli("retention", "purge", "--dry-run")
    assert code == 0 and "more than 30 days" in out
    monkeypatch.setenv("READINESS_RETENTION_DAYS", "a month")
    code, out, err = run_cli("retention", "purge")
    assert code == 2 and "whole number of days" in err


def test_tracker_unreachable_deletes_nothing(tmp_path, monkeypatch):
    database_url = f"sqlite:///{tmp_path / 'readiness.db'}"
    monkeypatch.setenv("READINESS_DATABASE_URL", database_url)
    monkeypatch.setenv("RASA_TRACKER_URL", "postgresql+psycopg2://nobody:secret@127.0.0.1:1/none")
    store = Store(database_url)
    pseudonym = populate(store, None, "x")
    code, out, err = run_cli("respondent", "delete", pseudonym)
    assert code == 2 and "nothing was deleted" in err and "secret" not in err
    assert store.get_respondent(pseudonym) is not None
    store.close()


def test_tracker_url_default_is_one_rule_for_launcher_and_cli(tmp_path, monkeypatch):
    from bot.launcher import settings_from_env

    data_dir = tmp_path / "data"
    expected = f"sqlite:///{(data_dir / 'rasa_tracker.db').resolve().as_posix()}"
    env = {"READINESS_DATA_DIR": str(data_dir)}
    assert tracker_database_url(env) == expected == default_tracker_url(env, data_dir)
    assert settings_from_env(env).tracker_url == expected
    monkeypatch.chdir(tmp_path)
    assert tracker_database_url({}) == f"sqlite:///{(tmp_path / 'var' / 'rasa_tracker.db').resolve().as_posix()}"
    url = "postgresql+psycopg2://rasa@db/tracker"
    assert tracker_database_url({"RASA_TRACKER_URL": url, **env}) == url
    assert settings_from_env({"RASA_TRACKER_URL": url, **env}).tracker_url == url


#: The only columns allowed, per table (same as tests/test_storage.py, here for the database
#: as migrated, not the models).
ALLOWED = {
    "organisations": {"id", "name", "join_code", "admin_token_hash", "weights_json",
                      "current_round", "created_at", "exclude_flagged"},
    "respondents": {"id", "pseudonym", "organisation_id", "role", "department",
                    "sender_id", "consented_at", "audience"},
    "assessments": {"id", "respondent_id", "round", "questionnaire_version", "started_at",
                    "completed_at", "resume_code", "report_token", "started_fingerprint",
                    "finished_fingerprint", "finished_version"},
    "answers": {"id", "assessment_id", "item_id", "value", "not_applicable", "answered_at"},
    "conversations": {"id", "respondent_id", "sender_id", "created_at"},
    # pilot counts per organisation and round (numbers only), a bounded source note and the
    # role of who entered them
    "evidence_entries": {"id", "organisation_id", "round", "measure", "values_json", "source",
                         "entered_by", "entered_at"},
    # console sign-ins: a hash of the random session id, its times; never the admin token
    "console_sessions": {"id", "organisation_id", "session_hash", "created_at", "expires_at", "revoked_at"},
    "alembic_version": {"version_num"},
}


def test_no_column_for_chat_text_or_patient_data(urls):
    database_url, _ = urls
    store = Store(database_url)
    inspector = inspect(store.engine)
    columns = {t: {c["name"]: c for c in inspector.get_columns(t)} for t in inspector.get_table_names()}
    store.close()
    assert {t: set(c) for t, c in columns.items()} == ALLOWED
    forbidden = ("patient", "mrn", "diagnos", "message", "text", "comment", "note", "email",
                 "phone", "birth", "address", "free")
    for table, table_columns in columns.items():
        for name, column in table_columns.items():
            assert not any(word in name for word in forbidden), f"{table}.{name}"
            length = getattr(column["type"], "length", None)
            unbounded = length is None and column["type"].python_type is str
            # the only unbounded text is JSON numbers: challenge weights and evidence counts
            assert not unbounded or (table, name) in (("organisations", "weights_json"),
                                                      ("evidence_entries", "values_json")), f"{table}.{name}"
