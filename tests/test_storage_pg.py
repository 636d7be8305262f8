"""The storage test-suite's essentials again, on a real PostgreSQL server (a supported engine).

Each test gets a fresh database on the session's server (tests/pg.py), migrated by `Store()`.
The test functions are the SQLite suite's own (tests/test_storage.py), collected here with a
PostgreSQL `store` fixture: upserts and idempotency, all-or-nothing writes and rollback,
constraints, cascading deletes, the conversation ids kept for privacy, and `answers_frame`.
"""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
from sqlalchemy import insert

from readiness.model import NOT_APPLICABLE
from readiness.storage import Store, rows
from readiness.storage.assessments import Answers
from readiness.storage.schema import Answer
from tests import test_storage as base
from tests.pg import postgres  # noqa: F401 - session fixture
from tests.test_storage import assessment, clock, org  # noqa: F401 - fixtures used by the tests


@pytest.fixture
def store(postgres):  # noqa: F811
    s = Store(postgres.new_database("storage"))
    assert s.engine.dialect.name == "postgresql"
    yield s
    s.close()


ESSENTIALS = [
    # organisations, respondents, codes
    "test_create_organisation",
    "test_rounds",
    "test_create_respondent_unknown_org_writes_nothing",
    "test_sender_id_is_unique",
    "test_update_respondent",
    # assessments
    "test_open_assessment",
    "test_open_assessment_ignores_earlier_rounds",
    "test_complete_assessment_is_idempotent",
    "test_reattach_assessment",
    "test_reattach_takes_conversation_from_other_respondent",
    # answers: upsert, idempotency, rollback
    "test_record_and_read_answers",
    "test_reanswering_replaces",
    "test_recording_same_value_is_idempotent",
    "test_record_answers_all_or_nothing_on_invalid_value",
    "test_record_answers_rolls_back_failure_after_first_insert",
    # one transaction per turn
    "test_unit_is_one_transaction_committed_at_the_end",
    "test_unit_rolls_back_everything_when_the_turn_fails",
    "test_unit_checks_inputs_like_the_store",
    "test_unit_resumes_and_updates_in_one_turn",
    "test_assessment_records_content_versions",
    # constraints
    "test_check_constraint_rejects_direct_bad_insert",
    "test_check_constraint_accepts_good_insert",
    "test_unique_answer_per_item_per_assessment",
    "test_foreign_keys_enforced",
    # privacy deletes
    "test_delete_respondent_cascades",
    "test_purge_organisation",
    # scorecard frame
    "test_answers_frame_contents",
    "test_answers_frame_by_round",
    "test_answers_frame_one_assessment_per_respondent_and_round",
    "test_answers_frame_empty_and_unknown",
]

for _name in ESSENTIALS:
    globals()[_name] = getattr(base, _name)
del _name


def test_conversations_are_recorded_and_cascade(store, org):  # noqa: F811
    code = org[0].join_code
    first = store.create_respondent("nurse", organisation_code=code, sender_id="chat-1")
    assessment = store.start_assessment(first.pseudonym, "1.0")  # noqa: F811
    store.reattach_assessment(assessment.resume_code, "chat-2")
    store.reattach_assessment(assessment.resume_code, "chat-2")  # idempotent
    other = store.create_respondent("nurse", organisation_code=code, sender_id="chat-3")
    store.reattach_assessment(assessment.resume_code, "chat-3")  # takes chat-3 from `other`
    assert store.conversation_ids(first.pseudonym) == ["chat-1", "chat-2", "chat-3"]
    assert store.conversation_ids(other.pseudonym) == ["chat-3"]
    assert store.organisation_conversation_ids(code) == ["chat-1", "chat-2", "chat-3"]
    assert store.respondent_footprint(first.pseudonym)["conversations"] == 3
    store.delete_respondent(first.pseudonym)
    assert base.count(store, base.schema.Conversation.__table__) == 1
    store.purge_organisation(code)
    assert base.count(store, base.schema.Conversation.__table__) == 0


def _race_on(store, monkeypatch, item_id):  # noqa: F811
    """Take the portable answer path (no INSERT … ON CONFLICT) and let another connection
    insert `item_id` between its look-up and its insert, as a concurrent process would."""
    monkeypatch.setattr(rows, "dialect_insert", lambda session: None)
    real_existing = Answers._existing
    raced = []

    def existing_then_race(self, assessment_id, item):
        found = real_existing(self, assessment_id, item)
        if item == item_id and not raced:
            raced.append(1)
            with store.engine.begin() as other:
                other.execute(insert(Answer.__table__).values(
                    assessment_id=assessment_id, item_id=item, value=1, not_applicable=False,
                    answered_at=datetime(2024, 1, 1, tzinfo=timezone.utc)))
        return found

    monkeypatch.setattr(Answers, "_existing", existing_then_race)
    return raced


def test_answer_insert_race_inside_a_unit_keeps_the_transaction(store, assessment, monkeypatch):  # noqa: F811
    """The losing insert runs in a SAVEPOINT: it becomes an update and the turn goes on."""
    raced = _race_on(store, monkeypatch, "raced")
    with store.unit() as turn:
        turn.record_answer(assessment.id, "before", 2)
        turn.record_answer(assessment.id, "raced", 5)
        turn.record_answer(assessment.id, "after", NOT_APPLICABLE)
        assert base.count(store, Answer.__table__) == 1  # only the other process's, so far
    assert raced
    assert store.answers(assessment.id) == {"before": 2, "raced": 5, "after": NOT_APPLICABLE}
    assert base.count(store, Answer.__table__) == 3


def test_answer_insert_race_then_failure_rolls_back_the_whole_turn(store, assessment, monkeypatch):  # noqa: F811
    """The SAVEPOINT does not commit anything early: a failing turn leaves only the other
    process's answer."""
    _race_on(store, monkeypatch, "raced")
    with pytest.raises(RuntimeError):
        with store.unit() as turn:
            turn.record_answer(assessment.id, "before", 2)
            turn.record_answer(assessment.id, "raced", 5)
            raise RuntimeError("turn failed")
    assert store.answers(assessment.id) == {"raced": 1}


def test_portable_paths_record_conversations_once(store, org, monkeypatch):  # noqa: F811
    """Without INSERT … ON CONFLICT the conversation ids are still kept once per pair."""
    monkeypatch.setattr(rows, "dialect_insert", lambda session: None)
    test_conversations_are_recorded_and_cascade(store, org)
