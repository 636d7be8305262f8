"""The Rasa SDK action with a real Tracker and CollectingDispatcher (no server)."""

from __future__ import annotations

import asyncio

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

import actions.actions as module
from actions.actions import ActionConverse, user_turn
from readiness.dialogue import ChatState, Conversation
from readiness.storage import Store


def tracker(text: str, intent: str | None = None, confidence: float = 0.0, entities=(), slot=None,
            metadata=None, sender: str = "unit") -> Tracker:
    latest = {
        "text": text,
        "intent": {"name": intent, "confidence": confidence} if intent else {},
        "entities": [{"entity": k, "value": v} for k, v in entities],
        "metadata": metadata or {},
    }
    return Tracker(sender, {"chat_state": slot}, latest, [], False, None, {}, "action_listen")


@pytest.fixture
def store(tmp_path, monkeypatch):
    s = Store(f"sqlite:///{tmp_path / 'a.db'}")
    monkeypatch.setattr(module, "_conversation", Conversation(s, scorecard_url=lambda t: f"https://x/me/{t}"))
    yield s
    s.close()


def run(t: Tracker) -> tuple[list[dict], list[dict]]:
    dispatcher = CollectingDispatcher()
    events = asyncio.run(ActionConverse().run(dispatcher, t, {}))
    return dispatcher.messages, events


def test_user_turn_reads_plain_values():
    turn = user_turn(tracker("/answer", "answer", 1.0, [("item", "x"), ("likert", 4)], metadata={"org": "ABC-DEF"}))
    assert (turn.text, turn.intent, turn.confidence) == ("/answer", "answer", 1.0)
    assert turn.entities == {"item": "x", "likert": 4} and turn.metadata == {"org": "ABC-DEF"}


def test_user_turn_tolerates_missing_and_odd_fields():
    t = Tracker("s", {}, {"text": None, "intent": {"name": "x", "confidence": "high"}, "entities": ["junk", {"entity": 3}],
                          "metadata": "not a dict"}, [], False, None, {}, "action_listen")
    turn = user_turn(t)
    assert turn.text == "" and turn.confidence == 0.0 and turn.entities == {} and turn.metadata == {}


def test_greeting_sends_consent_buttons_and_sets_the_slot(store):
    messages, events = run(tracker("hi", "greet", 0.9))
    assert any(m["buttons"] and m["buttons"][0]["payload"] == "/affirm" for m in messages)
    assert events == [{"event": "slot", "timestamp": None, "name": "chat_state", "value": ChatState(phase="consent").to_slot()}]


def test_question_carries_progress_as_custom_json(store):
    state = ChatState(phase="consent")
    for text, intent, entities in [("/affirm", "affirm", ()), ("/inform_role", "inform_role", [("role", "nurse")]),
                                   ("/skip", "skip", ()), ("/no_code", "no_code", ())]:
        messages, events = run(tracker(text, intent, 1.0, entities, slot=state.to_slot()))
        state = ChatState.from_slot(events[0]["value"])
    assert state.phase == "questionnaire"
    custom = [m["custom"] for m in messages if m.get("custom")]
    assert custom and custom[-1]["data"]["progress"]["question"] == 1
    question = [m for m in messages if m.get("custom")][-1]
    assert len(question["buttons"]) == 6 and question["text"]


def test_forged_slot_value_restarts_the_conversation(store):
    messages, events = run(tracker("hello", "greet", 0.9, slot={"phase": "done", "assessment_id": "x"}))
    assert ChatState.from_slot(events[0]["value"]).phase == "consent"
    assert "patient data" in " ".join(m["text"] or "" for m in messages)


def test_lead_in_texts_share_the_bubble_of_the_question_they_lead_to():
    from actions.actions import bubbles
    from readiness.dialogue import BotMessage, Button

    question = BotMessage("Statement?", (Button("4", "/a"),), {"progress": {"question": 2}})
    merged = bubbles([BotMessage("Noted: 4 – Agree."), BotMessage("Part 2 done."), question])
    assert merged == [BotMessage("Noted: 4 – Agree.\n\nPart 2 done.\n\nStatement?", question.buttons, question.data)]
    summary = [BotMessage("Your profile"), BotMessage("Gaps"), BotMessage("Link", data={"summary": {}})]
    assert bubbles(summary) == summary
    assert bubbles([BotMessage("Bye.")]) == [BotMessage("Bye.")]
    assert bubbles([question, BotMessage("after")]) == [question, BotMessage("after")]


def test_a_typed_answer_is_echoed_in_the_bubble_of_the_next_question(store):
    state = ChatState(phase="consent")
    for text, intent, entities in [("/affirm", "affirm", ()), ("/inform_role", "inform_role", [("role", "nurse")]),
                                   ("/skip", "skip", ()), ("/no_code", "no_code", ())]:
        messages, events = run(tracker(text, intent, 1.0, entities, slot=state.to_slot()))
        state = ChatState.from_slot(events[0]["value"])
    messages, events = run(tracker("strongly agree", None, 0.0, slot=state.to_slot()))
    assert len(messages) == 1, messages
    assert messages[0]["text"].startswith("Noted: 5 – Strongly agree.\n\n") and len(messages[0]["buttons"]) == 6
