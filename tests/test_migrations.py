"""Schema migrations: a database made at revision 0001 with data in it upgrades to head intact,
on SQLite and on a real PostgreSQL server; fresh databases match the models; concurrent starts
and pre-migration databases are handled; the `readiness db` commands."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, select, text

from readiness import storage
from readiness.model import NOT_APPLICABLE
from readiness.storage import Store, current_revision, head_revision, upgrade_schema
from readiness.storage.schema import Base, Conversation
from tests.pg import postgres  # noqa: F401 - session fixture

READINESS = Path(sys.executable).parent / "readiness"


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'readiness.db'}"
    return request.getfixturevalue("postgres").new_database("migrate")


def _engine(url: str):
    return storage.make_engine(url)  # the same engine settings as Store (SQLite pragmas)


CONSENT = datetime(2024, 3, 1, 9, 30)

SEED = [
    "INSERT INTO organisations (id, name, join_code, admin_token_hash, weights_json, current_round, created_at) "
    "VALUES (1, 'St Mary''s', 'ABC-DEF', 'scrypt$x', '{\"privacy\": 2.0}', 2, '2024-03-01 09:00:00')",
    "INSERT INTO respondents (id, pseudonym, organisation_id, role, department, sender_id, consented_at) "
    "VALUES (1, 'r-000000000001', 1, 'nurse', 'ICU', 'chat-one', '2024-03-01 09:30:00')",
    "INSERT INTO respondents (id, pseudonym, organisation_id, role, department, sender_id, consented_at) "
    "VALUES (2, 'r-000000000002', 1, 'physician', NULL, NULL, '2024-03-02 10:00:00')",
    "INSERT INTO respondents (id, pseudonym, organisation_id, role, department, sender_id, consented_at) "
    "VALUES (3, 'r-000000000003', NULL, 'it_admin', NULL, 'chat-three', '2024-03-03 11:00:00')",
    "INSERT INTO assessments (id, respondent_id, round, questionnaire_version, started_at, completed_at, resume_code, report_token) "
    "VALUES (1, 1, 1, '1.0', '2024-03-01 09:31:00', '2024-03-01 09:50:00', 'RES-AAAAAA', 'tok-1')",
    "INSERT INTO assessments (id, respondent_id, round, questionnaire_version, started_at, completed_at, resume_code, report_token) "
    "VALUES (2, 2, 2, '1.0', '2024-03-02 10:01:00', NULL, 'RES-BBBBBB', 'tok-2')",
    "INSERT INTO answers (id, assessment_id, item_id, value, not_applicable, answered_at) "
    "VALUES (1, 1, 'privacy_confidence', 4, false, '2024-03-01 09:32:00')",
    "INSERT INTO answers (id, assessment_id, item_id, value, not_applicable, answered_at) "
    "VALUES (2, 1, 'data_quality', NULL, true, '2024-03-01 09:33:00')",
    "INSERT INTO answers (id, assessment_id, item_id, value, not_applicable, answered_at) "
    "VALUES (3, 2, 'privacy_confidence', 2, false, '2024-03-02 10:02:00')",
]


def _seed_at_0001(url: str) -> None:
    engine = _engine(url)
    assert upgrade_schema(engine, "0001") == "0001"
    assert not inspect(engine).has_table("conversations")
    with engine.begin() as connection:
        for statement in SEED:
            connection.execute(text(statement))
        if connection.dialect.name == "postgresql":  # explicit ids: move the sequences on
            for table in ("organisations", "respondents", "assessments", "answers"):
                connection.execute(text(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"))
    engine.dispose()


def _check_upgraded(store: Store) -> None:
    organisation = store.get_organisation("abc-def")
    assert organisation.name == "St Mary's" and organisation.current_round == 2
    assert dict(organisation.weights) == {"privacy": 2.0} and organisation.respondent_count == 2
    one = store.get_respondent("r-000000000001")
    assert (one.role, one.department, one.sender_id) == ("nurse", "ICU", "chat-one")
    assert one.consented_at == CONSENT.replace(tzinfo=timezone.utc)
    assert store.get_respondent("r-000000000002").sender_id is None
    assert store.answers(1) == {"privacy_confidence": 4, "data_quality": NOT_APPLICABLE}
    assert store.answers(2) == {"privacy_confidence": 2}
    assert store.get_assessment(1).completed and not store.get_assessment(2).completed
    assert store.assessment_by_resume_code("res bbbbbb").id == 2
    assert store.verify_admin_token("ABC-DEF", "wrong") is False
    # Backfilled: one conversation per respondent that had a sender id, dated at consent.
    with store.engine.connect() as connection:
        table = Conversation.__table__
        rows = connection.execute(
            select(table.c.respondent_id, table.c.sender_id, table.c.created_at).order_by(table.c.respondent_id)
        ).all()
    assert [(r[0], r[1]) for r in rows] == [(1, "chat-one"), (3, "chat-three")]
    assert rows[0][2] == CONSENT.replace(tzinfo=timezone.utc)
    assert store.conversation_ids("r-000000000001") == ["chat-one"]
    assert store.conversation_ids("r-000000000002") == []
    # New writes after the upgrade go to the new table too.
    store.reattach_assessment("RES-AAAAAA", "chat-one-later")
    assert store.conversation_ids("r-000000000001") == ["chat-one", "chat-one-later"]
    created = store.create_respondent("nurse", organisation_code="ABC-DEF", sender_id="chat-new")
    assert store.conversation_ids(created.pseudonym) == ["chat-new"]
    assert store.get_respondent(created.pseudonym).id == 4


def test_upgrade_from_0001_keeps_data_and_backfills_conversations(database_url):
    _seed_at_0001(database_url)
    engine = _engine(database_url)
    assert current_revision(engine) == "0001"
    assert upgrade_schema(engine) == head_revision() == "0006"
    engine.dispose()
    with Store(database_url) as store:
        _check_upgraded(store)


def _seed_at_0002(url: str) -> None:
    """The 0001 seed, upgraded to 0002 (conversations backfilled), plus one more conversation."""
    _seed_at_0001(url)
    engine = _engine(url)
    assert upgrade_schema(engine, "0002") == "0002"
    assert "started_fingerprint" not in {c["name"] for c in inspect(engine).get_columns("assessments")}
    with engine.begin() as connection:
        connection.execute(text(
            "INSERT INTO conversations (respondent_id, sender_id, created_at) "
            "VALUES (1, 'chat-one-earlier', '2024-03-01 09:20:00')"))
    engine.dispose()


def test_upgrade_from_0002_keeps_data_and_records_content_versions(database_url):
    _seed_at_0002(database_url)
    engine = _engine(database_url)
    assert current_revision(engine) == "0002"
    assert upgrade_schema(engine) == head_revision() == "0006"
    engine.dispose()
    with Store(database_url) as store:
        # Assessments from before 0003 keep everything and have no fingerprints.
        done, open_ = store.get_assessment(1), store.get_assessment(2)
        assert (done.questionnaire_version, done.started_fingerprint) == ("1.0", None)
        assert (done.finished_version, done.finished_fingerprint) == (None, None)
        assert done.completed and not open_.completed
        assert store.answers(1) == {"privacy_confidence": 4, "data_quality": NOT_APPLICABLE}
        assert store.conversation_ids("r-000000000001") == ["chat-one-earlier", "chat-one"]
        # Completing an old assessment now records the content it finished under; once.
        finished = store.complete_assessment(2, version="1.1", fingerprint="f" * 64)
        assert (finished.questionnaire_version, finished.started_fingerprint) == ("1.0", None)
        assert (finished.finished_version, finished.finished_fingerprint) == ("1.1", "f" * 64)
        assert store.complete_assessment(2, version="2.0", fingerprint="e" * 64) == finished
        # New assessments record both ends.
        started = store.start_assessment("r-000000000003", "1.1", fingerprint="a" * 64)
        assert (started.started_fingerprint, started.finished_fingerprint) == ("a" * 64, None)
        done_new = store.complete_assessment(started.id, version="1.2", fingerprint="b" * 64)
        assert store.get_assessment(started.id) == done_new
        assert (done_new.finished_version, done_new.finished_fingerprint) == ("1.2", "b" * 64)


def test_downgrade_from_0003_keeps_answers(database_url):
    """0003's downgrade drops the columns in place: recreating `assessments` on SQLite would
    cascade-delete every answer."""
    _seed_at_0002(database_url)
    engine = _engine(database_url)
    upgrade_schema(engine)
    from alembic import command

    with engine.begin() as connection:
        command.downgrade(storage.alembic_config(connection), "0002")
    assert current_revision(engine) == "0002"
    with engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM answers")).scalar_one() == 3
        assert connection.execute(text("SELECT count(*) FROM assessments")).scalar_one() == 2
    assert "finished_version" not in {c["name"] for c in inspect(engine).get_columns("assessments")}
    assert upgrade_schema(engine) == "0006"
    engine.dispose()
    with Store(database_url) as store:
        assert store.answers(1) == {"privacy_confidence": 4, "data_quality": NOT_APPLICABLE}


def test_store_upgrades_an_old_database_on_first_use(database_url):
    _seed_at_0001(database_url)
    with Store(database_url) as store:
        assert current_revision(store.engine) == head_revision()
        _check_upgraded(store)


def test_database_from_before_migrations_is_stamped_then_upgraded(database_url):
    """Databases made by `create_all` before Alembic have the 0001 tables but no alembic_version."""
    _seed_at_0001(database_url)
    engine = _engine(database_url)
    with engine.begin() as connection:
        connection.execute(text("DROP TABLE alembic_version"))
    assert current_revision(engine) == "0001"
    engine.dispose()
    with Store(database_url) as store:
        _check_upgraded(store)


def test_fresh_database_matches_the_models(database_url):
    with Store(database_url) as store:
        with store.engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            assert compare_metadata(context, Base.metadata) == []
            tables = set(inspect(connection).get_table_names())
    assert tables == {t.name for t in Base.metadata.sorted_tables} | {"alembic_version"}


def test_downgrade_to_0001_and_up_again(database_url):
    _seed_at_0001(database_url)
    engine = _engine(database_url)
    upgrade_schema(engine)
    from alembic import command

    with engine.begin() as connection:
        command.downgrade(storage.alembic_config(connection), "0001")
    assert current_revision(engine) == "0001" and not inspect(engine).has_table("conversations")
    assert upgrade_schema(engine) == "0006"
    engine.dispose()
    with Store(database_url) as store:
        _check_upgraded(store)


def test_concurrent_first_starts_upgrade_once(database_url):
    """Four processes open a new database at the same moment: all succeed, one schema."""
    code = (
        "import sys, time\n"
        "from readiness.storage import Store\n"
        "time.sleep(max(0.0, float(sys.argv[2]) - time.time()))\n"
        "s = Store(sys.argv[1]); s.create_organisation('Concurrent'); s.close()\n"
    )
    import time

    start_at = str(time.time() + 3)
    processes = [
        subprocess.Popen([sys.executable, "-c", code, database_url, start_at],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for _ in range(4)
    ]
    results = [(p.wait(timeout=120), p.stderr.read()) for p in processes]
    for process in processes:
        process.stdout.close()
        process.stderr.close()
    assert [code for code, _ in results] == [0, 0, 0, 0], [err[-2000:] for _, err in results]
    with Store(database_url) as store:
        assert len(store.list_organisations()) == 4
        with store.engine.connect() as connection:
            assert connection.execute(text("SELECT count(*) FROM alembic_version")).scalar_one() == 1


def _cli(*args: str, url: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "READINESS_DATABASE_URL": url}
    return subprocess.run([str(READINESS), *args], cwd=cwd, env=env, capture_output=True, text=True)


def test_db_current_and_upgrade_commands(database_url, tmp_path):
    _seed_at_0001(database_url)
    current = _cli("db", "current", url=database_url, cwd=tmp_path)
    assert current.returncode == 0, current.stderr
    assert "0001 (head is 0006: run `readiness db upgrade`)" in current.stdout
    upgraded = _cli("db", "upgrade", url=database_url, cwd=tmp_path)
    assert upgraded.returncode == 0 and "Upgraded from 0001 to 0006" in upgraded.stdout
    again = _cli("db", "upgrade", url=database_url, cwd=tmp_path)
    assert "Already at the latest revision 0006" in again.stdout
    assert "0006 (head)" in _cli("db", "current", url=database_url, cwd=tmp_path).stdout
    with Store(database_url) as store:
        _check_upgraded(store)


def test_db_command_on_unreachable_database_is_one_line(tmp_path):
    result = _cli("db", "current", url="postgresql+psycopg2://nobody:secret@127.0.0.1:1/none", cwd=tmp_path)
    assert result.returncode == 2 and result.stderr.count("\n") == 1
    assert "cannot use the database" in result.stderr and "secret" not in result.stderr


def test_migrations_need_no_alembic_ini():
    """Resolved from the installed package: the script location is inside readiness/."""
    config = storage.alembic_config()
    assert config.config_file_name is None
    assert Path(config.get_main_option("script_location")) == Path(storage.__file__).parent.parent / "migrations"
    assert (storage.MIGRATIONS_DIR / "env.py").is_file()


def test_upgrade_0004_to_0005_with_data_keeps_staff_and_adds_evidence(tmp_path):
    """SQLite: a database at 0004 with respondents and answers upgrades to 0005; existing
    respondents are staff (audience NULL), staff scores are unchanged, and evidence can be
    stored for the organisation and is deleted with it."""
    url = f"sqlite:///{tmp_path / 'readiness.db'}"
    _seed_at_0001(url)
    engine = _engine(url)
    assert upgrade_schema(engine, "0004") == "0004"
    assert not inspect(engine).has_table("evidence_entries")
    engine.dispose()
    engine = _engine(url)
    assert upgrade_schema(engine) == "0006"
    columns = {c["name"] for c in inspect(engine).get_columns("respondents")}
    assert "audience" in columns and inspect(engine).has_table("evidence_entries")
    with engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM respondents WHERE audience IS NULL")).scalar_one() == 3
    engine.dispose()
    with Store(url) as store:
        _check_upgraded(store)
        frame = store.answers_frame("ABC-DEF")
        assert sorted(frame["respondent"].astype(str).unique()) == ["r-000000000001", "r-000000000002"]
        assert store.get_respondent("r-000000000001").audience == "staff"
        entry = store.set_evidence("ABC-DEF", "staff_trained", {"trained": 40, "staff": 50},
                                   source="HR training log", entered_by="education lead")
        assert (entry.round, entry.entered_by, entry.source) == (2, "education lead", "HR training log")
        assert [e.values for e in store.evidence("ABC-DEF")] == [{"staff": 50, "trained": 40}]
        store.purge_organisation("ABC-DEF")
        with store.engine.connect() as connection:
            assert connection.execute(text("SELECT count(*) FROM evidence_entries")).scalar_one() == 0


def test_upgrade_0005_to_0006_adds_console_sessions_and_downgrade_keeps_data(database_url):
    """A database at 0005 with data gains `console_sessions`: sign-ins are recorded, revoked,
    and deleted with their organisation; 0006's downgrade drops only that table."""
    _seed_at_0001(database_url)
    engine = _engine(database_url)
    assert upgrade_schema(engine, "0005") == "0005"
    assert not inspect(engine).has_table("console_sessions")
    assert upgrade_schema(engine) == "0006" and inspect(engine).has_table("console_sessions")
    engine.dispose()
    with Store(database_url) as store:
        _check_upgraded(store)
        first = store.open_console_session("ABC-DEF", 3600)
        second = store.open_console_session("abc def", 3600)
        assert first != second and store.console_session_active("ABC-DEF", first)
        assert not store.console_session_active("ZZZ-ZZZ", first) and not store.console_session_active("ABC-DEF", "x")
        assert store.revoke_console_session(first) and not store.revoke_console_session(first)
        assert not store.console_session_active("ABC-DEF", first) and store.console_session_active("ABC-DEF", second)
        expired = store.open_console_session("ABC-DEF", 0)
        assert not store.console_session_active("ABC-DEF", expired)
        with store.engine.connect() as connection:
            hashes = connection.execute(text("SELECT session_hash FROM console_sessions")).scalars().all()
        assert len(hashes) == 3 and first not in hashes and all(len(h) == 64 for h in hashes)
        with pytest.raises(LookupError):
            store.open_console_session("ZZZ-ZZZ", 60)
        from alembic import command

        with store.engine.begin() as connection:
            command.downgrade(storage.alembic_config(connection), "0005")
        assert not inspect(store.engine).has_table("console_sessions")
        assert upgrade_schema(store.engine) == "0006"
        second = store.open_console_session("ABC-DEF", 3600)
        store.purge_organisation("ABC-DEF")
        assert not store.console_session_active("ABC-DEF", second)
        with store.engine.connect() as connection:
            assert connection.execute(text("SELECT count(*) FROM console_sessions")).scalar_one() == 0
