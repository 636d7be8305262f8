"""The overrides of Rasa's default actions, run directly (no servers): what they send and return."""

from __future__ import annotations

import asyncio

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

import actions.actions as module
from actions.builtin_commands import ActionBack, ActionRestart, ActionSessionStart
from readiness.dialogue import Conversation
from readiness.storage import Store

DOMAIN = {"session_config": {"carry_over_slots_to_new_session": True}}


def tracker(intent: str | None, slot: str | None = None) -> Tracker:
    latest = {"text": f"/{intent}" if intent else None, "intent": {"name": intent, "confidence": 1.0} if intent else {},
              "entities": [], "metadata": {}}
    return Tracker("unit-builtin", {"chat_state": slot}, latest, [], False, None, {}, "action_listen")


@pytest.fixture(autouse=True)
def store(tmp_path, monkeypatch):
    s = Store(f"sqlite:///{tmp_path / 'a.db'}")
    monkeypatch.setattr(module, "_conversation", Conversation(s, scorecard_url=lambda t: f"https://x/me/{t}"))
    yield s
    s.close()


def run(action, t: Tracker) -> tuple[list[dict], list[dict]]:
    dispatcher = CollectingDispatcher()
    events = asyncio.run(action.run(dispatcher, t, DOMAIN))
    return dispatcher.messages, events


def test_restart_and_back_answer_with_the_engine_and_keep_its_state() -> None:
    for action in (ActionRestart(), ActionBack()):
        messages, events = run(action, tracker(action.name().removeprefix("action_")))
        assert messages and "Hello" in messages[0]["text"]  # a new conversation: the welcome
        assert [e["event"] for e in events] == ["slot"] and events[0]["name"] == "chat_state"
        assert "restart" not in {e["event"] for e in events}  # Rasa's Restarted would drop the state


def test_the_automatic_session_start_says_nothing_and_carries_the_state_over() -> None:
    messages, events = run(ActionSessionStart(), tracker(None, slot='{"phase": "consent"}'))
    assert messages == []
    assert [e["event"] for e in events] == ["session_started", "slot", "action"]
    assert events[1]["value"] == '{"phase": "consent"}' and events[2]["name"] == "action_listen"


def test_a_typed_session_start_gets_the_engine_reply_in_the_new_session() -> None:
    messages, events = run(ActionSessionStart(), tracker("session_start"))
    assert messages and "Hello" in messages[0]["text"]
    assert [e["event"] for e in events] == ["session_started", "slot", "action"]
    assert events[1]["name"] == "chat_state" and events[1]["value"]["phase"] == "consent"
