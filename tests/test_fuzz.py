"""Bounded fuzzing (hypothesis) of everything a client can put in front of the engine.

* the free-text answer parser, with adversarial text;
* `Conversation.handle` with forged `ChatState` slots and random user turns over a real SQLite
  store: no exception escapes, every reply state survives the slot round trip, and afterwards
  every stored answer is valid and belongs to an item asked of its respondent's role;
* the real `ActionConverse.run` with rasa_sdk Trackers built from random latest_message dicts.

Each test prints how many inputs it tried (`pytest -s` shows them; docs/security.md has the
numbers). The live bot is fuzzed in tests/test_live_hostile.py.
"""

from __future__ import annotations

import asyncio
import math

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import text as sql

import actions.actions as actions_module
from actions.actions import ActionConverse
from readiness.answers import MAX_ANSWER_LENGTH, parse_answer
from readiness.bank import current_questionnaire
from readiness.dialogue import PHASES, BotMessage, ChatState, Conversation, Reply, UserTurn
from readiness.model import NOT_APPLICABLE
from readiness.storage import Store

QUESTIONNAIRE = current_questionnaire()
ROLES = QUESTIONNAIRE.role_ids
ALL_ITEMS = [item.id for challenge in QUESTIONNAIRE.challenges for item in challenge.items]
DOMAIN_INTENTS = [
    "greet", "goodbye", "thanks", "affirm", "deny", "answer_strongly_agree", "answer_agree",
    "answer_neutral", "answer_disagree", "answer_strongly_disagree", "answer_dont_know", "skip",
    "why", "define", "go_back", "progress", "pause", "resume", "continue", "start_over", "stop",
    "help", "chitchat", "out_of_scope", "inform_role", "inform_code", "no_code", "answer",
    "nlu_fallback",
]
def fuzz(examples: int) -> settings:
    """Bounded: a fixed number of generated inputs, no example database, shrinking on failure only."""
    return settings(max_examples=examples, deadline=None, database=None, suppress_health_check=list(HealthCheck),
                    phases=(Phase.explicit, Phase.generate, Phase.shrink))

# --------------------------------------------------------------------------- strategies

FRAGMENTS = [
    "", " ", "4", "four", "5/5", "4 out of 5", "agree", "strongly", "not", "n/a", "don't know",
    "3.5", "-1", "0", "99", "100%", "٤", "４", "⁴", "yes", "no", "skip", "why", "resume",
    "RES-", "ABC-DEF", "KX7-P2Q",
    "😀", "🙃🔥", "👍🏽", "\U0001F9D1\u200D\u2695\uFE0F", "مرحبا", "נכון מאוד", "\u202eevil\u202c", "أوافق بشدة",
    "我同意", "<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "</div>{{7*7}}${7*7}",
    "'; DROP TABLE answers; --", "1 OR 1=1", "\" OR \"\"=\"", "' UNION SELECT admin_token_hash FROM organisations --",
    '/answer{"likert": 99}', '/answer{"item": "x", "likert": 4}', '/inform_role{"role": "<script>"}',
    '/greet{"chat_state": {"phase": "done"}}', "%s%s%n", "\\x00", "NaN", "Infinity", "null",
]
CONTROL = st.characters(min_codepoint=0, max_codepoint=0x1F) | st.sampled_from(
    ["\x7f", "\u0085", "\u200b", "\u200e", "\u200f", "\u202a", "\u202e", "\u2066", "\ufeff", "\u2028", "\ufffd"]
)
HUGE = st.tuples(st.sampled_from([f for f in FRAGMENTS if f] + ["x", "4 "]), st.integers(1_000, 100_000)).map(
    lambda pair: (pair[0] * (pair[1] // len(pair[0]) + 1))[:pair[1]]
)
#: Adversarial text: arbitrary unicode, control characters, mixed fragments, up to 100 KB.
TEXT = st.one_of(
    st.text(max_size=60),
    st.text(alphabet=CONTROL, max_size=20),
    st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.text(alphabet=CONTROL, max_size=3),
                       st.integers(-10, 1000).map(str), st.text(max_size=5)), max_size=10)
    .flatmap(lambda parts: st.sampled_from([" ".join(parts), "".join(parts)])),
    HUGE,
)
JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-2**70, 2**70)
    | st.floats(allow_nan=True, allow_infinity=True) | st.text(max_size=20) | st.sampled_from(FRAGMENTS),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=8,
)
CONFIDENCE = st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.sampled_from([0.0, 0.59, 0.6, 0.99, 1.0, -1.0]))
LIKERT = st.one_of(st.integers(-3, 9), st.sampled_from([NOT_APPLICABLE, "4", "N/A", 4.0, True, None, [4], {"v": 4}]), JSON)


def st_entities(pseudo_items: list[str]) -> st.SearchStrategy[dict]:
    return st.dictionaries(
        st.sampled_from(["likert", "item", "role", "chat_state", "junk"]) | st.text(max_size=6),
        st.one_of(LIKERT, st.sampled_from(pseudo_items + list(ROLES) + ["<script>", ""]), JSON),
        max_size=4,
    )


def st_turn(items: list[str]) -> st.SearchStrategy[UserTurn]:
    return st.builds(
        UserTurn,
        text=TEXT,
        intent=st.one_of(st.none(), st.sampled_from(DOMAIN_INTENTS), st.text(max_size=10)),
        confidence=CONFIDENCE,
        entities=st_entities(items),
        metadata=st.one_of(st.dictionaries(st.sampled_from(["org", "x"]) | st.text(max_size=4), JSON, max_size=3), JSON),
    )


def st_slot(pseudonyms: list[str], codes: list[str]) -> st.SearchStrategy[object]:
    """Slot values a forger could send: plausible states pointing at other people's data, and junk."""
    plausible = st.fixed_dictionaries({}, optional={
        "phase": st.sampled_from(PHASES) | st.text(max_size=8),
        "role": st.sampled_from(ROLES) | st.none() | st.text(max_size=8),
        "department": st.none() | TEXT,
        "org_code": st.none() | st.sampled_from(codes + ["ZZZ-ZZZ"]),
        "respondent": st.none() | st.sampled_from(pseudonyms + ["r-000000000000"]),
        "assessment_id": st.none() | st.integers(-2, 12) | st.sampled_from([True, 2**63, "1"]),
        "revisit": st.none() | st.sampled_from(ALL_ITEMS + ["x"]),
        "pending": st.none() | st.sampled_from(["start_over", "stop", "delete_everything"]),
        "misses": st.integers(-2, 2**40) | st.sampled_from([1.5, None]),
        "resume_failures": st.integers(-2, 50) | st.sampled_from(["3", None]),
        "resume_blocked_until": st.none() | st.floats(allow_nan=True, allow_infinity=True) | st.integers(-5, 2**40),
    })
    return st.one_of(plausible, JSON, plausible.map(lambda d: __import__("json").dumps(d, default=str)))


# --------------------------------------------------------------------------- parser


def test_parser_never_crashes_on_adversarial_text():
    tried = 0

    @fuzz(3000)
    @given(TEXT)
    def check(text):
        nonlocal tried
        tried += 1
        value = parse_answer(text)
        assert value is None or value == NOT_APPLICABLE or (type(value) is int and 1 <= value <= 5)
        assert parse_answer(text) == value  # deterministic
        if len(text) > MAX_ANSWER_LENGTH:
            assert value is None

    check()
    print(f"\nparser: {tried} adversarial inputs")


@pytest.mark.parametrize("junk", [None, 4, 4.0, b"4", ["4"], {"text": "4"}, float("nan")])
def test_parser_rejects_non_text(junk):
    assert parse_answer(junk) is None


# --------------------------------------------------------------------------- engine


@pytest.fixture
def world(tmp_path):
    """A store with two organisations and respondents of every role mid-way, done and paused."""
    store = Store(f"sqlite:///{tmp_path / 'fuzz.db'}")
    conversation = Conversation(store)
    org_a, _ = store.create_organisation("Org A")
    org_b, _ = store.create_organisation("Org B")
    codes = [org_a.join_code, org_b.join_code]
    for n, role in enumerate(ROLES):
        sender = f"seed-{n}"
        state = ChatState()
        for turn in (UserTurn("hi", "greet", 0.9), UserTurn("/affirm", "affirm", 1.0),
                     UserTurn("/inform_role", "inform_role", 1.0, {"role": role}),
                     UserTurn("/skip", "skip", 1.0), UserTurn(f"code {codes[n % 2]}"),
                     UserTurn("4"), UserTurn("agree"), UserTurn("pause", "pause", 0.95)):
            state = conversation.handle(sender, state, turn).state
        assert state.phase == "paused"
    resume_codes = [a.resume_code for a in _assessments(store)]
    yield store, conversation, codes, resume_codes
    store.close()


def _assessments(store: Store):
    with store.engine.connect() as db:
        ids = [row[0] for row in db.execute(sql("SELECT id FROM assessments"))]
    return [store.get_assessment(i) for i in ids]


def _pseudonyms(store: Store) -> list[str]:
    with store.engine.connect() as db:
        return [row[0] for row in db.execute(sql("SELECT pseudonym FROM respondents"))]


def assert_nothing_invalid_stored(store: Store) -> int:
    """Every answer is 1–5 or n/a and is an item asked of its respondent's role; returns the count."""
    with store.engine.connect() as db:
        rows = db.execute(sql(
            "SELECT a.item_id, a.value, a.not_applicable, r.role FROM answers a "
            "JOIN assessments s ON s.id = a.assessment_id JOIN respondents r ON r.id = s.respondent_id"
        )).all()
    for item_id, value, not_applicable, role in rows:
        assert (not_applicable and value is None) or (not not_applicable and value in (1, 2, 3, 4, 5)), (item_id, value)
        assert item_id in {item.id for item in QUESTIONNAIRE.items_for(role)}, (item_id, role)
    return len(rows)


def assert_sane_reply(reply: Reply) -> None:
    assert isinstance(reply, Reply) and reply.messages
    assert all(isinstance(m, BotMessage) and isinstance(m.text, str) and m.text for m in reply.messages)
    assert ChatState.from_slot(reply.state.to_slot()) == reply.state  # the engine never writes a state it would reject


def test_engine_survives_forged_state_and_random_turns(world):
    store, conversation, codes, resume_codes = world
    pseudonyms = _pseudonyms(store)
    resume_texts = st.sampled_from(resume_codes + ["RES-ZZZZZZ"]).map(lambda c: f"resume {c}")
    turns = st.one_of(st_turn(ALL_ITEMS), resume_texts.map(lambda t: UserTurn(t, "resume", 0.9)),
                      st.sampled_from(codes).map(lambda c: UserTurn(f"our code {c}")))
    tried = 0

    @fuzz(700)
    @given(
        sender=st.sampled_from(["seed-0", "seed-1", "seed-2", "fresh-1", "fresh-2"]) | st.text(min_size=1, max_size=12),
        slot=st_slot(pseudonyms, codes),
        forge_again=st.lists(st.booleans(), max_size=6),
        script=st.lists(turns, min_size=1, max_size=6),
    )
    def check(sender, slot, forge_again, script):
        nonlocal tried
        state = ChatState.from_slot(slot)
        for n, turn in enumerate(script):
            tried += 1
            if n < len(forge_again) and forge_again[n]:
                state = ChatState.from_slot(slot)
            reply = conversation.handle(sender, state, turn)
            assert_sane_reply(reply)
            state = reply.state
        assert_nothing_invalid_stored(store)

    check()
    stored = assert_nothing_invalid_stored(store)
    print(f"\nengine: {tried} turns with forged states ({stored} answers stored, all valid)")


def test_forged_state_cannot_write_into_another_respondents_assessment(world):
    """A slot naming someone else's assessment (ids are small integers) must not reach it."""
    store, conversation, _, _ = world
    victim = store.respondent_for_sender("seed-0")
    assessment = store.open_assessment(victim.pseudonym)
    before = store.answers(assessment.id)
    forged = ChatState(phase="questionnaire", role=victim.role, respondent=victim.pseudonym,
                       assessment_id=assessment.id, org_code=victim.organisation_code)
    state = forged
    for turn in (UserTurn("5"), UserTurn("/answer", "answer", 1.0, {"likert": 1}),
                 UserTurn("start over", "start_over", 0.99), UserTurn("yes", "affirm", 0.99)):
        state = conversation.handle("attacker", state, turn).state
    for phase in ("paused", "done"):
        conversation.handle("attacker", replace_phase(forged, phase), UserTurn("yes", "affirm", 0.99))
    assert store.answers(assessment.id) == before
    assert store.get_assessment(assessment.id).completed_at is None


def replace_phase(state: ChatState, phase: str) -> ChatState:
    from dataclasses import replace

    return replace(state, phase=phase)


def test_restarting_with_another_role_keeps_old_answers_under_the_old_role(world):
    """Rasa's /restart clears the slot: re-onboarding with another role must not relabel old answers."""
    store, conversation, codes, _ = world
    old = store.respondent_for_sender("seed-0")
    state = ChatState()
    other = next(role for role in ROLES if role != old.role)
    for turn in (UserTurn("hi", "greet", 0.9), UserTurn("/affirm", "affirm", 1.0),
                 UserTurn("/inform_role", "inform_role", 1.0, {"role": other}), UserTurn("/skip", "skip", 1.0),
                 UserTurn("/no_code", "no_code", 1.0), UserTurn("3")):
        state = conversation.handle("seed-0", state, turn).state
    assert state.phase == "questionnaire" and state.role == other
    assert store.get_respondent(old.pseudonym).role == old.role
    assert store.respondent_for_sender("seed-0").role == other
    assert_nothing_invalid_stored(store)


# --------------------------------------------------------------------------- the Rasa action


def test_action_survives_random_trackers(world):
    store, _, codes, _ = world
    actions_module._conversation = Conversation(store, scorecard_url=lambda t: f"https://x/me/{t}")
    pseudonyms = _pseudonyms(store)
    entity = st.one_of(
        st.fixed_dictionaries({"entity": st.sampled_from(["likert", "item", "role"]) | JSON, "value": LIKERT | JSON}),
        JSON,
    )
    latest = st.one_of(
        st.fixed_dictionaries({}, optional={
            "text": TEXT | JSON,
            "intent": st.one_of(st.fixed_dictionaries({}, optional={
                "name": st.sampled_from(DOMAIN_INTENTS) | JSON, "confidence": CONFIDENCE | JSON}), JSON),
            "entities": st.lists(entity, max_size=4) | JSON,
            "metadata": JSON | st.fixed_dictionaries({"org": st.sampled_from(codes) | JSON}),
            "message_id": JSON,
        }),
        JSON,
    )
    tried = 0

    @fuzz(1000)
    @given(sender=st.sampled_from(["seed-1", "seed-2", "new"]), slot=st_slot(pseudonyms, codes), message=latest)
    def check(sender, slot, message):
        nonlocal tried
        tried += 1
        tracker = Tracker(sender, {"chat_state": slot}, message if isinstance(message, dict) else {}, [], False, None, {}, "action_listen")
        if not isinstance(message, dict):
            tracker.latest_message = message  # a forged non-dict latest message
        dispatcher = CollectingDispatcher()
        events = asyncio.run(ActionConverse().run(dispatcher, tracker, {}))
        assert dispatcher.messages and all(isinstance(m.get("text"), str) for m in dispatcher.messages)
        assert len(events) == 1 and events[0]["name"] == "chat_state"
        assert ChatState.from_slot(events[0]["value"]).to_slot() == events[0]["value"]

    try:
        check()
    finally:
        actions_module._conversation = None
    stored = assert_nothing_invalid_stored(store)
    print(f"\naction: {tried} random trackers ({stored} answers stored, all valid)")


def test_resume_state_fields_are_validated():
    good = ChatState(resume_failures=2, resume_blocked_until=1_700_000_000.0)
    assert ChatState.from_slot(good.to_slot()) == good
    for bad in ({"resume_failures": -1}, {"resume_failures": "3"}, {"resume_failures": True},
                {"resume_blocked_until": "soon"}, {"resume_blocked_until": math.nan},
                {"resume_blocked_until": math.inf}, {"resume_blocked_until": -1.0}, {"pending": "delete_everything"}):
        assert ChatState.from_slot(bad) == ChatState(), bad
