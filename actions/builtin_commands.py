"""Rasa's built-in commands a user can type ("/restart", "/back", "/session_start") answered by the engine.

Rasa 3.6 maps these intents to its own default actions before any rule is consulted
(`rasa.core.policies.rule_policy.DEFAULT_ACTION_MAPPINGS`), and those defaults say nothing:
`action_restart` would also wipe the `chat_state` slot, `action_back` would silently undo the
last turn. Overriding them here (the domain lists these names, so Rasa calls the action server)
turns each into the engine's ordinary turn for the same wish, so the respondent gets a reply:
a greeting at the start, or "hello again" and the question they were on.

No dialogue rule lives here: each command is only translated into the turn a user could have
typed, and `action_converse` does the rest.
"""

from __future__ import annotations

import copy
from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActionExecuted, SessionStarted, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.actions import ActionConverse

#: The engine intent each built-in command stands for ("/back" means the previous question).
ENGINE_INTENT = {"restart": "greet", "session_start": "greet", "back": "go_back"}


async def converse_as(intent: str, dispatcher: CollectingDispatcher, tracker: Tracker,
                      domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
    """Run `action_converse` as if the user had pressed a "/<intent>" button (confidence 1.0),
    keeping the message's metadata."""
    message = tracker.latest_message if isinstance(tracker.latest_message, dict) else {}
    turn = copy.copy(tracker)
    turn.latest_message = {
        "text": f"/{intent}",
        "intent": {"name": intent, "confidence": 1.0},
        "entities": [],
        "metadata": message.get("metadata") if isinstance(message.get("metadata"), dict) else {},
    }
    return await ActionConverse().run(dispatcher, turn, domain)


def _typed(tracker: Tracker, command: str) -> bool:
    """True if the latest user message is the command itself (not an automatic run)."""
    message = tracker.latest_message if isinstance(tracker.latest_message, dict) else {}
    intent = message.get("intent")
    return isinstance(intent, dict) and intent.get("name") == command


class ActionRestart(Action):
    """"/restart": the engine's greeting (or the current question again); the state is kept, so
    no answer is lost. Starting over for real is the engine's own confirmed "start over"."""

    def name(self) -> Text:
        return "action_restart"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        return await converse_as(ENGINE_INTENT["restart"], dispatcher, tracker, domain)


class ActionBack(Action):
    """"/back": the engine's "go back" (the previous statement, or the first one again)."""

    def name(self) -> Text:
        return "action_back"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        return await converse_as(ENGINE_INTENT["back"], dispatcher, tracker, domain)


class ActionSessionStart(Action):
    """Rasa's session start (slots carried over, as the default does), plus the engine's greeting
    when the user typed "/session_start". The automatic start of a new conversation says
    nothing: the engine answers the user's first message itself."""

    def name(self) -> Text:
        return "action_session_start"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        events: List[Dict[Text, Any]] = [SessionStarted()]
        session = domain.get("session_config") if isinstance(domain, dict) else None
        if not isinstance(session, dict) or session.get("carry_over_slots_to_new_session", True):
            events += [SlotSet(name, value) for name, value in (tracker.slots or {}).items() if value is not None]
        if _typed(tracker, "session_start"):
            events += await converse_as(ENGINE_INTENT["session_start"], dispatcher, tracker, domain)
        return events + [ActionExecuted("action_listen")]
