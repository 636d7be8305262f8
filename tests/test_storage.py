"""Tests of readiness.storage on SQLite files in tmp_path."""

from __future__ import annotations

import dataclasses
import math
import re
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import func, insert, select, text
from sqlalchemy.exc import IntegrityError

from readiness import storage
from readiness.model import NOT_APPLICABLE
from readiness.storage import (
    CODE_ALPHABET,
    AssessmentRecord,
    OrganisationRecord,
    RespondentRecord,
    Store,
    default_database_url,
    normalise_code,
)
from readiness.storage import clock as storage_clock
from readiness.storage import codes, schema
from readiness.storage.assessments import Answers
from readiness.storage.schema import Answer, Assessment, Organisation, Respondent

JOIN_CODE = re.compile(rf"^[{CODE_ALPHABET}]{{3}}-[{CODE_ALPHABET}]{{3}}$")
RESUME_CODE = re.compile(rf"^RES-[{CODE_ALPHABET}]{{6}}$")


@pytest.fixture
def store(tmp_path: Path):
    s = Store(f"sqlite:///{tmp_path / 'db' / 'readiness.db'}")
    yield s
    s.close()


@pytest.fixture
def clock(monkeypatch):
    """A clock that advances one second per call, so answer order never ties."""
    state = {"t": datetime(2024, 1, 1, tzinfo=timezone.utc)}

    def tick() -> datetime:
        state["t"] += timedelta(seconds=1)
        return state["t"]

    monkeypatch.setattr(storage_clock, "now", tick)
    return state


@pytest.fixture
def org(store):
    record, token = store.create_organisation("St Mary's Hospital")
    return record, token


@pytest.fixture
def assessment(store, org):
    respondent = store.create_respondent("nurse", organisation_code=org[0].join_code)
    return store.start_assessment(respondent.pseudonym, "1.0")


def count(store: Store, table) -> int:
    with store.engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(table)).scalar_one()


# --- configuration ---------------------------------------------------------------------------


def test_default_url_uses_var_under_cwd(monkeypatch, tmp_path):
    monkeypatch.delenv("READINESS_DATABASE_URL", raising=False)
    monkeypatch.delenv("READINESS_DATA_DIR", raising=False)
    monkeypatch.chdir(tmp_path)
    assert default_database_url() == f"sqlite:///{tmp_path.resolve() / 'var' / 'readiness.db'}"


def test_default_url_honours_data_dir(monkeypatch, tmp_path):
    monkeypatch.delenv("READINESS_DATABASE_URL", raising=False)
    monkeypatch.setenv("READINESS_DATA_DIR", str(tmp_path / "data"))
    assert default_database_url() == f"sqlite:///{tmp_path.resolve() / 'data' / 'readiness.db'}"


def test_default_url_honours_database_url(monkeypatch, tmp_path):
    monkeypatch.setenv("READINESS_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("READINESS_DATABASE_URL", "postgresql://u@db/readiness")
    assert default_database_url() == "postgresql://u@db/readiness"


def test_store_without_url_creates_directory_and_tables(monkeypatch, tmp_path):
    monkeypatch.delenv("READINESS_DATABASE_URL", raising=False)
    monkeypatch.setenv("READINESS_DATA_DIR", str(tmp_path / "nested" / "data"))
    with Store() as s:
        s.create_organisation("A")
    assert (tmp_path / "nested" / "data" / "readiness.db").exists()
    with Store() as s:  # second open finds the existing data
        assert [o.name for o in s.list_organisations()] == ["A"]


def test_store_honours_database_url_env(monkeypatch, tmp_path):
    monkeypatch.setenv("READINESS_DATABASE_URL", f"sqlite:///{tmp_path / 'env.db'}")
    with Store() as s:
        s.create_organisation("B")
    assert (tmp_path / "env.db").exists()


def test_in_memory_store_works():
    with Store("sqlite://") as s:
        org, _ = s.create_organisation("Mem")
        assert s.get_organisation(org.join_code) == org


def test_sqlite_foreign_keys_enabled(store):
    with store.engine.connect() as conn:
        assert conn.execute(text("PRAGMA foreign_keys")).scalar_one() == 1
        assert conn.execute(text("PRAGMA busy_timeout")).scalar_one() >= 1000


# --- codes -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "typed, expected",
    [
        ("kx7p2q", "KX7-P2Q"),
        (" KX7-P2Q ", "KX7-P2Q"),
        ("kx7 - p2q", "KX7-P2Q"),
        ("KX7P2Q\n", "KX7-P2Q"),
        ("res8h3k2p", "RES-8H3K2P"),
        ("RES-8H3K2P", "RES-8H3K2P"),
        (" res 8h3-k2p", "RES-8H3K2P"),
        ("", ""),
        ("  - ", ""),
        ("ab", "AB"),
    ],
)
def test_normalise_code(typed, expected):
    assert normalise_code(typed) == expected


@given(st.text(max_size=20))
def test_normalise_code_is_idempotent(code):
    once = normalise_code(code)
    assert normalise_code(once) == once


def test_normalise_code_rejects_non_text():
    assert normalise_code(None) == ""  # type: ignore[arg-type]


def test_code_alphabet_is_unambiguous_and_is_the_one_the_chat_reads():
    """One alphabet: no 0/O/1/I; `readiness.matching` and the Rasa regexes in data/nlu.yml
    accept exactly its characters."""
    import yaml

    from readiness import matching

    assert not set("0O1I") & set(CODE_ALPHABET) and len(set(CODE_ALPHABET)) == 32
    everything = [chr(c) for c in range(ord("A"), ord("Z") + 1)] + [str(d) for d in range(10)]
    nlu = yaml.safe_load((Path(__file__).resolve().parent.parent / "data" / "nlu.yml").read_text())
    regexes = {
        entry["regex"]: [line[2:].strip() for line in entry["examples"].splitlines() if line.strip()]
        for entry in nlu["nlu"] if "regex" in entry
    }
    for ch in everything:
        valid = ch in CODE_ALPHABET
        assert bool(matching.join_code_candidates(f"{ch * 3}-{ch * 3}")) == valid, ch
        assert (matching.find_resume_code(f"resume res-{ch * 6}") is not None) == valid, ch
        for pattern in regexes["join_code"]:
            assert bool(re.search(pattern, f"code {ch * 3}-{ch * 3} ok")) == valid, (pattern, ch)
        for pattern in regexes["resume_code"]:
            assert bool(re.search(pattern, f"resume RES-{ch * 6}")) == valid, (pattern, ch)


# --- organisations ---------------------------------------------------------------------------


def test_create_organisation(store):
    record, token = store.create_organisation("  St Mary's Hospital  ", {"privacy": 2})
    assert isinstance(record, OrganisationRecord)
    assert record.name == "St Mary's Hospital"
    assert JOIN_CODE.match(record.join_code)
    assert record.current_round == 1
    assert record.weights == {"privacy": 2.0}
    assert record.respondent_count == 0
    assert record.created_at.tzinfo is not None
    assert len(token) >= 32
    with pytest.raises(dataclasses.FrozenInstanceError):
        record.name = "x"  # type: ignore[misc]


@pytest.mark.parametrize("name", ["", "   ", "x" * 201, None, 12])
def test_create_organisation_rejects_bad_name(store, name):
    with pytest.raises(ValueError, match="organisation name"):
        store.create_organisation(name)
    assert count(store, Organisation.__table__) == 0


def test_create_organisation_accepts_200_chars(store):
    record, _ = store.create_organisation(" " + "x" * 200 + " ")
    assert len(record.name) == 200


@pytest.mark.parametrize("weights", [{"privacy": 0}, {"privacy": -1}, {"privacy": "2"},
                                     {"privacy": True}, {"privacy": float("nan")}, {"": 1.0}])
def test_create_organisation_rejects_bad_weights(store, weights):
    with pytest.raises(ValueError, match="weight"):
        store.create_organisation("A", weights)
    assert count(store, Organisation.__table__) == 0


def test_join_codes_are_unique(store):
    codes = {store.create_organisation(f"Org {i}")[0].join_code for i in range(20)}
    assert len(codes) == 20


def test_get_organisation_tolerates_typing(store, org):
    record, _ = org
    compact = record.join_code.replace("-", "")
    for typed in (record.join_code, compact.lower(), f"  {record.join_code.lower()} ", compact):
        assert store.get_organisation(typed) == record
    assert store.get_organisation("AAA-AAA") is None
    assert store.get_organisation("") is None


def test_list_organisations_counts_respondents(store):
    a, _ = store.create_organisation("A")
    b, _ = store.create_organisation("B")
    for _ in range(3):
        store.create_respondent("nurse", organisation_code=a.join_code)
    store.create_respondent("nurse", organisation_code=None)
    listed = store.list_organisations()
    assert [(o.name, o.respondent_count) for o in listed] == [("A", 3), ("B", 0)]
    assert store.get_organisation(a.join_code).respondent_count == 3


def test_verify_admin_token(store, org):
    record, token = org
    assert store.verify_admin_token(record.join_code, token)
    assert store.verify_admin_token(record.join_code.lower().replace("-", ""), token)
    assert not store.verify_admin_token(record.join_code, token + "x")
    assert not store.verify_admin_token(record.join_code, "")
    assert not store.verify_admin_token(record.join_code, None)  # type: ignore[arg-type]
    other, other_token = store.create_organisation("Other")
    assert not store.verify_admin_token(record.join_code, other_token)


def test_verify_admin_token_unknown_org_still_hashes(store, org, monkeypatch):
    _, token = org
    calls = []
    real = codes._scrypt
    monkeypatch.setattr(codes, "_scrypt", lambda *a: calls.append(1) or real(*a))
    assert not store.verify_admin_token("ZZZ-ZZZ", token)
    assert calls, "a dummy hash must be computed for unknown organisations"


def test_admin_token_not_stored_in_plaintext(store, org):
    record, token = org
    with store.engine.connect() as conn:
        row = conn.execute(
            select(Organisation.__table__).where(Organisation.id == record.id)
        ).mappings().one()
    for column, value in row.items():
        assert token not in str(value), column
    stored = row["admin_token_hash"]
    assert stored.startswith("scrypt$")
    # salted: the same token hashes differently each time
    assert storage.hash_admin_token(token) != storage.hash_admin_token(token)
    assert storage.verify_token_hash(token, stored)
    assert not storage.verify_token_hash(token, "garbage")


def test_set_weights(store, org):
    record, _ = org
    updated = store.set_weights(record.join_code.lower(), {"privacy": 1.5, "ethics": 3})
    assert updated.weights == {"privacy": 1.5, "ethics": 3.0}
    assert store.get_organisation(record.join_code).weights == {"privacy": 1.5, "ethics": 3.0}
    assert store.set_weights(record.join_code, {}).weights == {}
    with pytest.raises(ValueError):
        store.set_weights(record.join_code, {"privacy": -2})
    with pytest.raises(LookupError, match="join code"):
        store.set_weights("ZZZ-ZZZ", {})


def test_start_new_round(store, org):
    record, _ = org
    respondent = store.create_respondent("nurse", organisation_code=record.join_code)
    first = store.start_assessment(respondent.pseudonym, "1.0")
    assert first.round == 1
    assert store.start_new_round(record.join_code) == 2
    assert store.start_new_round(record.join_code) == 3
    assert store.get_organisation(record.join_code).current_round == 3
    second = store.start_assessment(respondent.pseudonym, "1.0")
    assert second.round == 3
    assert store.get_assessment(first.id).round == 1
    with pytest.raises(LookupError):
        store.start_new_round("ZZZ-ZZZ")


def test_rounds(store, org):
    record, _ = org
    assert store.rounds(record.join_code) == []
    respondent = store.create_respondent("nurse", organisation_code=record.join_code)
    store.start_assessment(respondent.pseudonym, "1.0")
    store.start_assessment(respondent.pseudonym, "1.0")
    store.start_new_round(record.join_code)
    store.start_new_round(record.join_code)  # round 2 has no assessments
    store.start_assessment(respondent.pseudonym, "1.0")
    other, _ = store.create_organisation("Other")
    store.start_new_round(other.join_code)
    r2 = store.create_respondent("nurse", organisation_code=other.join_code)
    store.start_assessment(r2.pseudonym, "1.0")
    assert store.rounds(record.join_code) == [1, 3]
    assert store.rounds(other.join_code) == [2]
    with pytest.raises(LookupError):
        store.rounds("ZZZ-ZZZ")


# --- respondents -----------------------------------------------------------------------------


def test_create_respondent_in_organisation(store, org):
    record, _ = org
    consent = datetime(2024, 5, 1, 12, 0, tzinfo=timezone.utc)
    r = store.create_respondent(
        " nurse ",
        organisation_code=record.join_code.lower(),
        department=" ICU ",
        sender_id="conv-1",
        consented_at=consent,
    )
    assert isinstance(r, RespondentRecord)
    assert re.fullmatch(r"r-[0-9a-f]{12}", r.pseudonym)
    assert (r.role, r.department, r.sender_id) == ("nurse", "ICU", "conv-1")
    assert r.organisation_id == record.id and r.organisation_code == record.join_code
    assert r.consented_at == consent
    assert store.get_respondent(r.pseudonym) == r
    assert store.respondent_for_sender("conv-1") == r


def test_create_individual_respondent(store):
    before = datetime.now(timezone.utc)
    r = store.create_respondent("developer", organisation_code=None)
    assert r.organisation_id is None and r.organisation_code is None
    assert r.department is None and r.sender_id is None
    assert r.consented_at >= before - timedelta(seconds=1)


def test_naive_consent_time_is_utc(store):
    r = store.create_respondent("nurse", organisation_code=None, consented_at=datetime(2024, 1, 2, 3, 4))
    assert r.consented_at == datetime(2024, 1, 2, 3, 4, tzinfo=timezone.utc)


def test_create_respondent_unknown_org_writes_nothing(store, org):
    with pytest.raises(LookupError, match="ZZZ-ZZZ"):
        store.create_respondent("nurse", organisation_code="ZZZ-ZZZ", sender_id="s")
    assert count(store, Respondent.__table__) == 0
    assert store.respondent_for_sender("s") is None


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"role": ""}, "role"),
        ({"role": "x" * 65}, "role"),
        ({"department": "d" * 81}, "department"),
        ({"sender_id": ""}, "sender_id"),
    ],
)
def test_create_respondent_rejects_bad_values(store, kwargs, message):
    args = {"role": "nurse", "organisation_code": None, **kwargs}
    with pytest.raises(ValueError, match=message):
        store.create_respondent(**args)
    assert count(store, Respondent.__table__) == 0


def test_blank_department_is_none(store):
    assert store.create_respondent("nurse", organisation_code=None, department="  ").department is None
    assert len(store.create_respondent("nurse", organisation_code=None, department="d" * 80).department) == 80


def test_sender_id_is_unique(store):
    first = store.create_respondent("nurse", organisation_code=None, sender_id="conv")
    with pytest.raises(ValueError, match="already has a respondent"):
        store.create_respondent("nurse", organisation_code=None, sender_id="conv")
    assert store.respondent_for_sender("conv") == first
    assert count(store, Respondent.__table__) == 1


def test_pseudonyms_unique_and_not_personal(store):
    pseudonyms = {store.create_respondent("nurse", organisation_code=None).pseudonym for _ in range(50)}
    assert len(pseudonyms) == 50


def test_lookups_of_unknown_respondents(store):
    assert store.get_respondent("r-000000000000") is None
    assert store.respondent_for_sender("nobody") is None
    assert store.respondent_for_sender("") is None


def test_update_respondent(store, org):
    r = store.create_respondent("nurse", organisation_code=org[0].join_code, department="ICU")
    updated = store.update_respondent(r.pseudonym, role="clinician")
    assert (updated.role, updated.department) == ("clinician", "ICU")
    assert updated.organisation_code == org[0].join_code
    updated = store.update_respondent(r.pseudonym, department="Radiology")
    assert (updated.role, updated.department) == ("clinician", "Radiology")
    assert store.update_respondent(r.pseudonym, department="").department is None
    assert store.get_respondent(r.pseudonym) == store.update_respondent(r.pseudonym)
    with pytest.raises(ValueError):
        store.update_respondent(r.pseudonym, role=" ")
    with pytest.raises(LookupError):
        store.update_respondent("r-nobody", role="nurse")


def test_no_free_text_or_personal_columns():
    """Privacy by schema: only the columns agreed in the design exist."""
    columns = {t.name: set(t.columns.keys()) for t in schema.Base.metadata.sorted_tables}
    assert columns == {
        "organisations": {"id", "name", "join_code", "admin_token_hash", "weights_json",
                          "current_round", "created_at", "exclude_flagged"},
        "respondents": {"id", "pseudonym", "organisation_id", "role", "department",
                        "sender_id", "consented_at", "audience"},
        "assessments": {"id", "respondent_id", "round", "questionnaire_version", "started_at",
                        "completed_at", "resume_code", "report_token", "started_fingerprint",
                        "finished_fingerprint", "finished_version"},
        "answers": {"id", "assessment_id", "item_id", "value", "not_applicable", "answered_at"},
        "conversations": {"id", "respondent_id", "sender_id", "created_at"},
        # pilot counts per organisation and round, never about a person
        "evidence_entries": {"id", "organisation_id", "round", "measure", "values_json", "source",
                             "entered_by", "entered_at"},
        # console sign-ins: a hash of the session id and its times, never the admin token
        "console_sessions": {"id", "organisation_id", "session_hash", "created_at", "expires_at", "revoked_at"},
    }


# --- assessments -----------------------------------------------------------------------------


def test_start_assessment(store, org):
    r = store.create_respondent("nurse", organisation_code=org[0].join_code)
    a = store.start_assessment(r.pseudonym, "2024.1")
    assert isinstance(a, AssessmentRecord)
    assert a.respondent == r.pseudonym
    assert (a.round, a.questionnaire_version, a.completed_at, a.completed) == (1, "2024.1", None, False)
    assert RESUME_CODE.match(a.resume_code)
    assert len(a.report_token) >= 20
    assert store.get_assessment(a.id) == a
    assert store.get_assessment(10_000) is None
    with pytest.raises(LookupError):
        store.start_assessment("r-nobody", "1.0")
    with pytest.raises(ValueError):
        store.start_assessment(r.pseudonym, " ")


def test_individual_assessment_is_round_one(store):
    r = store.create_respondent("nurse", organisation_code=None)
    assert store.start_assessment(r.pseudonym, "1.0").round == 1


def test_codes_and_tokens_unique(store):
    r = store.create_respondent("nurse", organisation_code=None)
    started = [store.start_assessment(r.pseudonym, "1.0") for _ in range(30)]
    assert len({a.resume_code for a in started}) == 30
    assert len({a.report_token for a in started}) == 30


def test_open_assessment(store, org, clock):
    r = store.create_respondent("nurse", organisation_code=org[0].join_code)
    assert store.open_assessment(r.pseudonym) is None
    first = store.start_assessment(r.pseudonym, "1.0")
    assert store.open_assessment(r.pseudonym) == first
    second = store.start_assessment(r.pseudonym, "1.0")
    assert store.open_assessment(r.pseudonym) == second
    store.complete_assessment(second.id)
    assert store.open_assessment(r.pseudonym) == first
    store.complete_assessment(first.id)
    assert store.open_assessment(r.pseudonym) is None
    assert store.open_assessment("r-nobody") is None


def test_open_assessment_ignores_earlier_rounds(store, org):
    r = store.create_respondent("nurse", organisation_code=org[0].join_code)
    old = store.start_assessment(r.pseudonym, "1.0")
    store.start_new_round(org[0].join_code)
    assert store.open_assessment(r.pseudonym) is None
    assert store.assessment_by_resume_code(old.resume_code) == old


def test_assessment_by_resume_code(store, assessment):
    code = assessment.resume_code
    for typed in (code, code.lower(), code.replace("-", ""), f"  {code.lower().replace('-', ' ')} "):
        assert store.assessment_by_resume_code(typed) == assessment
    assert store.assessment_by_resume_code("RES-AAAAAA") is None
    assert store.assessment_by_resume_code("") is None


def test_assessment_by_report_token(store, assessment):
    assert store.assessment_by_report_token(assessment.report_token) == assessment
    assert store.assessment_by_report_token(assessment.report_token.upper() + "x") is None
    assert store.assessment_by_report_token("") is None


def test_complete_assessment_is_idempotent(store, assessment, clock):
    done = store.complete_assessment(assessment.id)
    assert done.completed and done.completed_at is not None
    again = store.complete_assessment(assessment.id)
    assert again.completed_at == done.completed_at
    assert store.get_assessment(assessment.id) == done
    with pytest.raises(LookupError):
        store.complete_assessment(10_000)


def test_assessment_records_content_versions(store, org, clock):
    r = store.create_respondent("nurse", organisation_code=org[0].join_code)
    plain = store.start_assessment(r.pseudonym, "1.0")
    assert (plain.started_fingerprint, plain.finished_version, plain.finished_fingerprint) == (None, None, None)
    a = store.start_assessment(r.pseudonym, "1.0", fingerprint="ab" * 32)
    assert (a.questionnaire_version, a.started_fingerprint) == ("1.0", "ab" * 32)
    done = store.complete_assessment(a.id, version="1.1", fingerprint="cd" * 32)
    assert (done.finished_version, done.finished_fingerprint) == ("1.1", "cd" * 32)
    assert (done.questionnaire_version, done.started_fingerprint) == ("1.0", "ab" * 32)
    # the first completion wins: a repeat (a replayed action, newer content) changes nothing
    assert store.complete_assessment(a.id, version="2.0", fingerprint="ef" * 32) == done
    assert store.complete_assessment(a.id) == done
    assert store.get_assessment(a.id) == done
    assert store.complete_assessment(plain.id).finished_version is None


@pytest.mark.parametrize("fingerprint", ["", "  ", "x" * 65, 123])
def test_bad_fingerprint_rejected_and_nothing_written(store, org, assessment, fingerprint):
    r = store.create_respondent("nurse", organisation_code=org[0].join_code)
    with pytest.raises(ValueError, match="fingerprint"):
        store.start_assessment(r.pseudonym, "1.0", fingerprint=fingerprint)
    assert count(store, Assessment.__table__) == 1  # only the fixture's
    with pytest.raises(ValueError, match="fingerprint"):
        store.complete_assessment(assessment.id, version="1.0", fingerprint=fingerprint)
    with pytest.raises(ValueError, match="version"):
        store.complete_assessment(assessment.id, version=" ")
    assert not store.get_assessment(assessment.id).completed


def test_reattach_assessment(store, org):
    r = store.create_respondent("nurse", organisation_code=org[0].join_code, sender_id="old-chat")
    a = store.start_assessment(r.pseudonym, "1.0")
    resumed = store.reattach_assessment(a.resume_code.lower(), "new-chat")
    assert resumed == a
    assert store.respondent_for_sender("new-chat").pseudonym == r.pseudonym
    assert store.respondent_for_sender("old-chat") is None
    # reattaching to the same conversation again changes nothing
    assert store.reattach_assessment(a.resume_code, "new-chat") == a
    assert store.respondent_for_sender("new-chat").pseudonym == r.pseudonym


def test_reattach_takes_conversation_from_other_respondent(store):
    owner = store.create_respondent("nurse", organisation_code=None, sender_id="old")
    a = store.start_assessment(owner.pseudonym, "1.0")
    squatter = store.create_respondent("nurse", organisation_code=None, sender_id="new")
    store.reattach_assessment(a.resume_code, "new")
    assert store.respondent_for_sender("new").pseudonym == owner.pseudonym
    assert store.get_respondent(squatter.pseudonym).sender_id is None


def test_reattach_unknown_code(store):
    r = store.create_respondent("nurse", organisation_code=None, sender_id="chat")
    with pytest.raises(LookupError, match="resume code"):
        store.reattach_assessment("RES-AAAAAA", "other")
    with pytest.raises(LookupError):
        store.reattach_assessment("", "other")
    assert store.respondent_for_sender("chat") == r


# --- answers ---------------------------------------------------------------------------------


def test_record_and_read_answers(store, assessment, clock):
    store.record_answer(assessment.id, "privacy_1", 4)
    store.record_answer(assessment.id, "privacy_2", NOT_APPLICABLE)
    store.record_answers(assessment.id, {"ethics_1": 1, "ethics_2": 5})
    assert store.answers(assessment.id) == {
        "privacy_1": 4, "privacy_2": NOT_APPLICABLE, "ethics_1": 1, "ethics_2": 5,
    }
    assert list(store.answers(assessment.id)) == ["privacy_1", "privacy_2", "ethics_1", "ethics_2"]


def test_reanswering_replaces(store, assessment, clock):
    store.record_answer(assessment.id, "a", 2)
    store.record_answer(assessment.id, "b", 3)
    store.record_answer(assessment.id, "a", NOT_APPLICABLE)
    assert store.answers(assessment.id) == {"a": NOT_APPLICABLE, "b": 3}
    assert list(store.answers(assessment.id)) == ["b", "a"]  # a was answered last
    store.record_answer(assessment.id, "a", 5)
    assert store.answers(assessment.id)["a"] == 5
    assert count(store, Answer.__table__) == 2


def test_recording_same_value_is_idempotent(store, assessment, clock):
    store.record_answer(assessment.id, "a", 3)
    store.record_answer(assessment.id, "b", NOT_APPLICABLE)
    with store.engine.connect() as conn:
        before = conn.execute(select(Answer.__table__).order_by(Answer.id)).all()
    store.record_answer(assessment.id, "a", 3)
    store.record_answer(assessment.id, "b", NOT_APPLICABLE)
    store.record_answers(assessment.id, {"a": 3, "b": NOT_APPLICABLE})
    with store.engine.connect() as conn:
        after = conn.execute(select(Answer.__table__).order_by(Answer.id)).all()
    assert after == before  # one row each, same value, same time: order unchanged
    assert list(store.answers(assessment.id)) == ["a", "b"]


@pytest.mark.parametrize("bad", [0, 6, -1, 3.0, 2.5, True, "3", "na", None, "N/A"])
def test_invalid_answer_rejected(store, assessment, bad):
    with pytest.raises(ValueError, match="1 to 5"):
        store.record_answer(assessment.id, "a", bad)
    assert count(store, Answer.__table__) == 0


def test_answer_to_unknown_assessment(store):
    with pytest.raises(LookupError, match="assessment"):
        store.record_answer(999, "a", 3)
    with pytest.raises(LookupError):
        store.answers(999)
    assert count(store, Answer.__table__) == 0


def test_bad_item_id_rejected(store, assessment):
    with pytest.raises(ValueError, match="item id"):
        store.record_answer(assessment.id, "", 3)


def test_record_answers_all_or_nothing_on_invalid_value(store, assessment):
    store.record_answer(assessment.id, "a", 2)
    with pytest.raises(ValueError, match="'c'"):
        store.record_answers(assessment.id, {"a": 5, "b": 4, "c": 9, "d": 1})
    assert store.answers(assessment.id) == {"a": 2}
    assert count(store, Answer.__table__) == 1


def test_record_answers_rolls_back_failure_after_first_insert(store, assessment, monkeypatch):
    store.record_answer(assessment.id, "a", 2)
    real = Answers._upsert
    calls = []

    def failing(self, *args):
        calls.append(args)
        if len(calls) == 2:
            raise RuntimeError("disk on fire")
        return real(self, *args)

    monkeypatch.setattr(Answers, "_upsert", failing)
    with pytest.raises(RuntimeError, match="disk on fire"):
        store.record_answers(assessment.id, {"a": 5, "b": 4, "c": 3})
    assert len(calls) == 2  # the first upsert ran before the failure
    monkeypatch.undo()
    assert store.answers(assessment.id) == {"a": 2}
    assert count(store, Answer.__table__) == 1


def test_answers_are_per_assessment(store, org):
    r = store.create_respondent("nurse", organisation_code=org[0].join_code)
    a1 = store.start_assessment(r.pseudonym, "1.0")
    a2 = store.start_assessment(r.pseudonym, "1.0")
    store.record_answer(a1.id, "x", 1)
    store.record_answer(a2.id, "x", 5)
    assert store.answers(a1.id) == {"x": 1}
    assert store.answers(a2.id) == {"x": 5}
    assert store.answers(store.start_assessment(r.pseudonym, "1.0").id) == {}


@settings(max_examples=30, deadline=None)
@given(st.dictionaries(
    st.text(alphabet="abcdefgh_123", min_size=1, max_size=12),
    st.one_of(st.integers(1, 5), st.just(NOT_APPLICABLE)),
    max_size=15,
))
def test_answers_round_trip(answers):
    with Store("sqlite://") as s:
        r = s.create_respondent("nurse", organisation_code=None)
        a = s.start_assessment(r.pseudonym, "1.0")
        s.record_answers(a.id, answers)
        assert s.answers(a.id) == answers


# --- unit of work ----------------------------------------------------------------------------


def test_unit_is_one_transaction_committed_at_the_end(store, org, clock):
    with store.unit() as turn:
        r = turn.create_respondent("nurse", organisation_code=org[0].join_code, sender_id="chat")
        a = turn.start_assessment(r.pseudonym, "1.0", fingerprint="f" * 64)
        turn.record_answer(a.id, "x", 4)
        turn.record_answer(a.id, "y", NOT_APPLICABLE)
        turn.record_answer(a.id, "x", 4)  # the same answer again: nothing changes
        assert turn.answers(a.id) == {"x": 4, "y": NOT_APPLICABLE}
        assert turn.respondent_for_sender("chat") == r
        assert count(store, Respondent.__table__) == 0  # other connections: not yet
    assert store.respondent_for_sender("chat") == r
    assert store.answers(a.id) == {"x": 4, "y": NOT_APPLICABLE}
    assert store.get_assessment(a.id) == a


def test_unit_rolls_back_everything_when_the_turn_fails(store, org, assessment):
    store.record_answer(assessment.id, "kept", 3)
    with pytest.raises(RuntimeError, match="rendering failed"):
        with store.unit() as turn:
            r = turn.create_respondent("nurse", organisation_code=None, sender_id="lost")
            turn.start_assessment(r.pseudonym, "1.0")
            turn.record_answer(assessment.id, "kept", 5)
            turn.record_answer(assessment.id, "new", 1)
            turn.clear_answers(assessment.id)
            turn.complete_assessment(assessment.id, version="1.0")
            raise RuntimeError("rendering failed")
    assert store.respondent_for_sender("lost") is None
    assert count(store, Respondent.__table__) == 1
    assert store.answers(assessment.id) == {"kept": 3}
    assert not store.get_assessment(assessment.id).completed


def test_unit_checks_inputs_like_the_store(store, assessment):
    with store.unit() as turn:
        with pytest.raises(ValueError, match="1 to 5"):
            turn.record_answer(assessment.id, "a", 9)
        with pytest.raises(LookupError):
            turn.record_answer(10_000, "a", 3)
        with pytest.raises(LookupError, match="resume code"):
            turn.reattach_assessment("RES-AAAAAA", "chat")
        assert turn.get_organisation("") is None and turn.get_respondent(None) is None  # type: ignore[arg-type]
        assert turn.assessment_by_resume_code(assessment.resume_code.lower()) == assessment
        turn.record_answer(assessment.id, "a", 2)  # the transaction is still usable
    assert store.answers(assessment.id) == {"a": 2}


def test_unit_resumes_and_updates_in_one_turn(store, org):
    owner = store.create_respondent("nurse", organisation_code=org[0].join_code, sender_id="old")
    a = store.start_assessment(owner.pseudonym, "1.0")
    with store.unit() as turn:
        assert turn.reattach_assessment(a.resume_code, "new") == a
        updated = turn.update_respondent(owner.pseudonym, department="ICU")
        assert turn.respondent_for_sender("new") == updated
        assert turn.get_assessment(a.id) == a
    assert store.get_respondent(owner.pseudonym).department == "ICU"
    assert store.conversation_ids(owner.pseudonym) == ["old", "new"]


def test_turn_store_protocol_matches_unit_and_store():
    """The session layer types against `TurnStore`; `Unit` and `Store` offer the same calls."""
    import inspect as pyinspect

    from readiness.storage import TurnStore, Unit

    names = [n for n in vars(TurnStore) if not n.startswith("_")]
    assert len(names) == 13
    for name in names:
        expected = pyinspect.signature(getattr(TurnStore, name))
        assert pyinspect.signature(getattr(Unit, name)) == expected, name
        assert pyinspect.signature(getattr(Store, name)) == expected, name


# --- constraints -----------------------------------------------------------------------------


def _answer_row(assessment_id: int, **values):
    row = {"assessment_id": assessment_id, "item_id": "x", "value": 3, "not_applicable": False,
           "answered_at": datetime(2024, 1, 1)}
    row.update(values)
    return row


@pytest.mark.parametrize(
    "values",
    [
        {"value": None, "not_applicable": False},
        {"value": 3, "not_applicable": True},
        {"value": 0},
        {"value": 6},
        {"value": -3},
    ],
)
def test_check_constraint_rejects_direct_bad_insert(store, assessment, values):
    with pytest.raises(IntegrityError):
        with store.engine.begin() as conn:
            conn.execute(insert(Answer.__table__).values(**_answer_row(assessment.id, **values)))
    assert count(store, Answer.__table__) == 0


@pytest.mark.parametrize("values", [{"value": 1}, {"value": 5}, {"value": None, "not_applicable": True}])
def test_check_constraint_accepts_good_insert(store, assessment, values):
    with store.engine.begin() as conn:
        conn.execute(insert(Answer.__table__).values(**_answer_row(assessment.id, **values)))
    assert count(store, Answer.__table__) == 1


def test_unique_answer_per_item_per_assessment(store, assessment):
    with store.engine.begin() as conn:
        conn.execute(insert(Answer.__table__).values(**_answer_row(assessment.id)))
    with pytest.raises(IntegrityError):
        with store.engine.begin() as conn:
            conn.execute(insert(Answer.__table__).values(**_answer_row(assessment.id, value=4)))
    assert count(store, Answer.__table__) == 1


def test_foreign_keys_enforced(store):
    with pytest.raises(IntegrityError):
        with store.engine.begin() as conn:
            conn.execute(insert(Answer.__table__).values(**_answer_row(12345)))


# --- privacy deletes -------------------------------------------------------------------------


def _populate(store: Store, join_code: str | None, n: int, items=("a", "b")) -> list[str]:
    pseudonyms = []
    for i in range(n):
        r = store.create_respondent("nurse", organisation_code=join_code, sender_id=f"{join_code}-{i}")
        a = store.start_assessment(r.pseudonym, "1.0")
        store.record_answers(a.id, {item: 3 for item in items})
        pseudonyms.append(r.pseudonym)
    return pseudonyms


def test_delete_respondent_cascades(store, org):
    gone, kept = _populate(store, org[0].join_code, 2)
    assert count(store, Answer.__table__) == 4
    assert store.delete_respondent(gone) is True
    assert store.get_respondent(gone) is None
    assert store.get_respondent(kept) is not None
    assert count(store, Respondent.__table__) == 1
    assert count(store, Assessment.__table__) == 1
    assert count(store, Answer.__table__) == 2
    assert store.delete_respondent(gone) is False
    assert store.get_organisation(org[0].join_code) is not None


def test_purge_organisation(store, org):
    other, _ = store.create_organisation("Other")
    _populate(store, org[0].join_code, 3)
    survivors = _populate(store, other.join_code, 2)
    individual = _populate(store, None, 1)
    assert store.purge_organisation(org[0].join_code.lower()) == 3
    assert store.get_organisation(org[0].join_code) is None
    assert count(store, Respondent.__table__) == 3
    assert count(store, Assessment.__table__) == 3
    assert count(store, Answer.__table__) == 6
    for pseudonym in survivors + individual:
        assert store.get_respondent(pseudonym) is not None
    with pytest.raises(LookupError):
        store.purge_organisation(org[0].join_code)


def test_purge_empty_organisation(store, org):
    assert store.purge_organisation(org[0].join_code) == 0
    assert store.list_organisations() == []


# --- scorecard frame -------------------------------------------------------------------------


def test_answers_frame_contents(store, org, clock):
    code = org[0].join_code
    r1 = store.create_respondent("nurse", organisation_code=code, department="ICU")
    r2 = store.create_respondent("clinician", organisation_code=code)
    a1 = store.start_assessment(r1.pseudonym, "1.0")
    store.record_answers(a1.id, {"p1": 4, "p2": NOT_APPLICABLE})
    store.complete_assessment(a1.id)
    a2 = store.start_assessment(r2.pseudonym, "1.0")
    store.record_answer(a2.id, "p1", 2)
    # another organisation and an individual are not included
    other, _ = store.create_organisation("Other")
    _populate(store, other.join_code, 1)
    _populate(store, None, 1)

    frame = store.answers_frame(code.lower())
    assert list(frame.columns) == ["respondent", "role", "department", "round", "item_id",
                                   "value", "not_applicable", "completed", "questionnaire_version",
                                   "started_fingerprint", "finished_version", "finished_fingerprint",
                                   "started_at", "completed_at"]
    assert str(frame["value"].dtype) == "float64"
    assert str(frame["started_at"].dtype) == str(frame["completed_at"].dtype) == "datetime64[ns, UTC]"
    times = frame.drop_duplicates("respondent").set_index("respondent")
    assert times.at[r1.pseudonym, "started_at"] == store.get_assessment(a1.id).started_at
    assert times.at[r1.pseudonym, "completed_at"] == store.get_assessment(a1.id).completed_at
    assert pd.isna(times.at[r2.pseudonym, "completed_at"])
    assert str(frame["not_applicable"].dtype) == "bool"
    assert str(frame["completed"].dtype) == "bool"
    assert str(frame["round"].dtype) == "int64"
    rows = sorted(
        (r.respondent, r.role, r.department, r.round, r.item_id,
         None if math.isnan(r.value) else r.value, r.not_applicable, r.completed)
        for r in frame.itertuples()
    )
    assert rows == sorted([
        (r1.pseudonym, "nurse", "ICU", 1, "p1", 4.0, False, True),
        (r1.pseudonym, "nurse", "ICU", 1, "p2", None, True, True),
        (r2.pseudonym, "clinician", None, 1, "p1", 2.0, False, False),
    ])


def test_answers_frame_gives_each_rows_content_versions(store, org, clock):
    """Every row carries its assessment's content versions: started (version, fingerprint),
    finished (version, fingerprint; missing until completed), missing where not recorded."""
    code = org[0].join_code
    done = store.create_respondent("nurse", organisation_code=code)
    a = store.start_assessment(done.pseudonym, "1.0", fingerprint="ab" * 32)
    store.record_answers(a.id, {"p1": 4, "p2": 3})
    store.complete_assessment(a.id, version="1.1", fingerprint="cd" * 32)
    open_one = store.create_respondent("nurse", organisation_code=code)
    b = store.start_assessment(open_one.pseudonym, "1.1", fingerprint="cd" * 32)
    store.record_answer(b.id, "p1", 2)
    old = store.create_respondent("nurse", organisation_code=code)
    c = store.start_assessment(old.pseudonym, "0.9")
    store.record_answer(c.id, "p1", 1)
    frame = store.answers_frame(code)
    for column in ("questionnaire_version", "started_fingerprint", "finished_version", "finished_fingerprint"):
        assert str(frame[column].dtype) == "category"
    found = {
        (r.respondent, r.item_id): tuple(None if pd.isna(v) else v for v in (
            r.questionnaire_version, r.started_fingerprint, r.finished_version, r.finished_fingerprint))
        for r in frame.itertuples()
    }
    assert found == {
        (done.pseudonym, "p1"): ("1.0", "ab" * 32, "1.1", "cd" * 32),
        (done.pseudonym, "p2"): ("1.0", "ab" * 32, "1.1", "cd" * 32),
        (open_one.pseudonym, "p1"): ("1.1", "cd" * 32, None, None),
        (old.pseudonym, "p1"): ("0.9", None, None, None),
    }


def test_answers_frame_by_round(store, org, clock):
    code = org[0].join_code
    r = store.create_respondent("nurse", organisation_code=code)
    a1 = store.start_assessment(r.pseudonym, "1.0")
    store.record_answer(a1.id, "p1", 1)
    store.start_new_round(code)
    a2 = store.start_assessment(r.pseudonym, "1.0")
    store.record_answers(a2.id, {"p1": 5, "p2": 5})
    assert len(store.answers_frame(code)) == 3
    assert store.answers_frame(code, round=1)["value"].tolist() == [1.0]
    round2 = store.answers_frame(code, round=2)
    assert set(round2["round"]) == {2} and round2["value"].tolist() == [5.0, 5.0]
    assert store.answers_frame(code, round=7).empty


def test_answers_frame_one_assessment_per_respondent_and_round(store, org, clock):
    code = org[0].join_code
    r = store.create_respondent("nurse", organisation_code=code)
    done = store.start_assessment(r.pseudonym, "1.0")
    store.record_answer(done.id, "p1", 3)
    store.complete_assessment(done.id)
    abandoned = store.start_assessment(r.pseudonym, "1.0")
    store.record_answer(abandoned.id, "p1", 1)
    frame = store.answers_frame(code)
    assert frame["value"].tolist() == [3.0]  # the completed one counts
    retake = store.start_assessment(r.pseudonym, "1.0")
    store.record_answer(retake.id, "p1", 5)
    store.complete_assessment(retake.id)
    assert store.answers_frame(code)["value"].tolist() == [5.0]  # the latest completed


def test_answers_frame_empty_and_unknown(store, org):
    frame = store.answers_frame(org[0].join_code)
    assert frame.empty
    assert list(frame.columns) == list(Store.FRAME_COLUMNS)
    assert str(frame["value"].dtype) == "float64"
    with pytest.raises(LookupError):
        store.answers_frame("ZZZ-ZZZ")


def test_answers_frame_large_organisation(store, org):
    """Many respondents in one frame (a smaller stand-in for the 10,000 × 30 benchmark)."""
    code = org[0].join_code
    items = [f"i{n}" for n in range(30)]
    with store.engine.begin() as conn:
        org_id = org[0].id
        now = datetime(2024, 1, 1)
        conn.execute(insert(Respondent.__table__), [
            {"pseudonym": f"r-{i:012x}", "organisation_id": org_id, "role": "nurse",
             "consented_at": now} for i in range(300)
        ])
        ids = conn.execute(select(Respondent.id)).scalars().all()
        conn.execute(insert(Assessment.__table__), [
            {"respondent_id": rid, "round": 1, "questionnaire_version": "1", "started_at": now,
             "resume_code": f"RES-{rid:06d}", "report_token": f"t{rid}"} for rid in ids
        ])
        aids = conn.execute(select(Assessment.id)).scalars().all()
        conn.execute(insert(Answer.__table__), [
            {"assessment_id": aid, "item_id": item, "value": 1 + (aid + k) % 5,
             "not_applicable": False, "answered_at": now}
            for aid in aids for k, item in enumerate(items)
        ])
    frame = store.answers_frame(code)
    assert len(frame) == 300 * 30
    assert frame["respondent"].nunique() == 300
    assert frame["value"].between(1, 5).all()


def test_clear_answers_forgets_only_that_assessment(tmp_path):
    store = Store(f"sqlite:///{tmp_path / 'c.db'}")
    one = store.create_respondent("nurse", organisation_code=None, sender_id="a")
    two = store.create_respondent("nurse", organisation_code=None, sender_id="b")
    first = store.start_assessment(one.pseudonym, "v")
    second = store.start_assessment(two.pseudonym, "v")
    store.record_answers(first.id, {"x": 3, "y": "n/a"})
    store.record_answer(second.id, "x", 5)
    assert store.clear_answers(first.id) == 2
    assert store.answers(first.id) == {} and store.answers(second.id) == {"x": 5}
    with pytest.raises(LookupError):
        store.clear_answers(9999)
    store.close()
