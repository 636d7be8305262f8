"""Rasa SDK actions: translate between the tracker and the readiness conversation engine.

`action_converse` is the only action. It reads plain values from the tracker (sender, the
latest message, the `chat_state` slot), calls `Conversation.handle`, and turns the reply into
bot messages and one SlotSet. No dialogue rule lives here.
"""

from __future__ import annotations

import asyncio
import logging
import math
import os
import threading
from dataclasses import replace
from typing import Any, Dict, List, Sequence, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from readiness.dialogue import BotMessage, ChatState, Conversation, Reply, UserTurn, warm_up
from readiness.storage import Store

#: Where respondents open their personal scorecard (the web app's public address).
PUBLIC_URL = os.environ.get("READINESS_PUBLIC_URL", "http://localhost:8080").rstrip("/")

_conversation: Conversation | None = None
_log = logging.getLogger(__name__)


def _warm_up() -> None:
    """Fit the learned answer proposals while the server starts, not in a respondent's turn."""
    try:
        warm_up()
    except Exception as error:  # bad content is reported (and served around) by the content gate
        _log.warning("answer proposals not fitted at start (%s); they will be on first use", error)


threading.Thread(target=_warm_up, name="warm-up-answers", daemon=True).start()


def conversation() -> Conversation:
    """One engine per action-server process, created on first use (the DB URL comes from env)."""
    global _conversation
    if _conversation is None:
        _conversation = Conversation(Store(), scorecard_url=lambda token: f"{PUBLIC_URL}/me/{token}")
    return _conversation


def user_turn(tracker: Tracker) -> UserTurn:
    """The latest user message as plain values; anything malformed reads as empty.

    The action server takes whatever tracker JSON is posted to it, so every field is checked:
    text and intent name must be text, confidence a finite number, entities and metadata dicts.
    """
    message = tracker.latest_message if isinstance(tracker.latest_message, dict) else {}
    intent = message.get("intent")
    intent = intent if isinstance(intent, dict) else {}
    entities: Dict[str, Any] = {}
    raw_entities = message.get("entities")
    for entity in raw_entities if isinstance(raw_entities, list) else []:
        if isinstance(entity, dict) and isinstance(entity.get("entity"), str):
            entities.setdefault(entity["entity"], entity.get("value"))
    metadata = message.get("metadata")
    text = message.get("text")
    name = intent.get("name")
    return UserTurn(
        text=text if isinstance(text, str) else "",
        intent=name if isinstance(name, str) else None,
        confidence=_confidence(intent.get("confidence")),
        entities=entities,
        metadata=metadata if isinstance(metadata, dict) else {},
    )


def _confidence(value: Any) -> float:
    """A finite float; anything else (text, bools, NaN, infinities, huge ints) is 0.0."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return 0.0
    try:
        number = float(value)
    except OverflowError:
        return 0.0
    return number if math.isfinite(number) else 0.0


def bubbles(messages: Sequence[BotMessage]) -> List[BotMessage]:
    """The reply's messages as chat bubbles: plain text that leads up to a message with buttons
    (the echo "Noted: 4 – Agree.", "part 3 done", a hint) goes into that message's bubble,
    above its text.

    Rasa stores every bot message as an event of the conversation and re-reads all of them on
    every later turn, so each extra bubble makes every later turn slower (docs/performance.md).
    Messages without buttons that end a reply (the summary) stay separate bubbles.
    """
    out: List[BotMessage] = []
    lead: List[str] = []
    for message in messages:
        if not message.buttons and not message.data:
            lead.append(message.text)
            continue
        if lead and message.buttons:
            message = replace(message, text="\n\n".join([*lead, message.text]))
        else:
            out.extend(BotMessage(text) for text in lead)
        lead = []
        out.append(message)
    out.extend(BotMessage(text) for text in lead)
    return out


def send(reply: Reply, dispatcher: CollectingDispatcher) -> List[Dict[Text, Any]]:
    """Bot messages out as bubbles (buttons and custom data included), the new state into the slot."""
    for message in bubbles(reply.messages):
        dispatcher.utter_message(
            text=message.text,
            buttons=[{"title": b.title, "payload": b.payload} for b in message.buttons] or None,
            json_message={"data": dict(message.data)} if message.data else None,
        )
    return [SlotSet("chat_state", reply.state.to_slot())]


class ActionConverse(Action):
    def name(self) -> Text:
        return "action_converse"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        state = ChatState.from_slot(tracker.get_slot("chat_state"))
        # The engine does blocking database I/O: run it in a worker thread so the action
        # server's event loop keeps accepting and answering other conversations meanwhile.
        engine = conversation()
        reply = await asyncio.get_running_loop().run_in_executor(
            None, engine.handle, tracker.sender_id, state, user_turn(tracker)
        )
        return send(reply, dispatcher)
