"""Rasa started through bot.rasa_main validates action responses exactly as Rasa does."""

from __future__ import annotations

import pytest
from jsonschema import ValidationError
from rasa.core.actions.action import RemoteAction

from bot import rasa_main

ORIGINAL = RemoteAction._validate_action_result

VALID = [
    {"events": [{"event": "slot", "name": "chat_state", "value": {"phase": "start"}}], "responses": [{"text": "hi"}]},
    {"events": [], "responses": []},
    {},
]
INVALID = [
    {"events": "not a list"},
    {"events": [{"event": "slot"}]},
    {"events": [{"event": "no_such_event"}]},
    {"responses": [42]},
]


@pytest.mark.parametrize("result", VALID)
def test_valid_responses_pass_both(result):
    action = RemoteAction("action_converse", None)
    assert ORIGINAL(action, result) is True
    assert rasa_main.validate_action_result(action, result) is True


@pytest.mark.parametrize("result", INVALID)
def test_invalid_responses_fail_with_rasas_message(result):
    action = RemoteAction("action_converse", None)
    with pytest.raises(ValidationError) as rasa_error:
        ORIGINAL(action, result)
    with pytest.raises(ValidationError) as ours:
        rasa_main.validate_action_result(action, result)
    assert ours.value.message == rasa_error.value.message
    assert "Failed to validate Action server response" in ours.value.message


def test_validator_is_built_once():
    rasa_main.response_validator.cache_clear()
    first = rasa_main.response_validator()
    assert rasa_main.response_validator() is first
    assert rasa_main.response_validator.cache_info().misses == 1


def test_install_replaces_rasas_method(monkeypatch):
    monkeypatch.setattr(RemoteAction, "_validate_action_result", ORIGINAL)
    monkeypatch.setattr(RemoteAction, "_action_call_format", ORIGINAL_FORMAT)
    monkeypatch.setattr(RemoteAction, "run", RemoteAction.run)
    from rasa.shared.core.events import Event

    monkeypatch.setattr(Event, "resolve_by_type", Event.__dict__["resolve_by_type"])
    rasa_main.install()
    assert RemoteAction._validate_action_result is rasa_main.validate_action_result
    assert RemoteAction._action_call_format is rasa_main.action_call_format


ORIGINAL_FORMAT = RemoteAction._action_call_format


def _conversation(turns: int):
    """A tracker after `turns` user messages, each answered by action_converse (bot message,
    SlotSet, action_listen), as the product's conversations look."""
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.events import ActionExecuted, BotUttered, SlotSet, UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker

    from bot.launcher import ROOT

    domain = Domain.load(str(ROOT / "domain.yml"))
    tracker = DialogueStateTracker("s1", domain.slots)
    tracker.update(ActionExecuted("action_listen"))
    for turn in range(turns):
        tracker.update(UserUttered(f"answer {turn}", {"name": "inform_likert", "confidence": 0.9},
                                   metadata={"org": "KX7-P2Q"}))
        if turn < turns - 1:
            tracker.update(ActionExecuted("action_converse"))
            tracker.update(BotUttered(f"question {turn}", {"buttons": [{"title": "4", "payload": "/x"}]}))
            tracker.update(SlotSet("chat_state", {"phase": "asking", "turn": turn}))
            tracker.update(ActionExecuted("action_listen"))
    return tracker, domain


def _endpoint(selective: bool):
    from rasa.utils.endpoints import EndpointConfig

    extra = {"enable_selective_domain": True} if selective else {}
    return EndpointConfig("http://127.0.0.1:1/webhook", **extra)


def test_the_action_call_carries_only_the_current_turn_and_is_otherwise_rasas():
    tracker, domain = _conversation(turns=12)
    action = RemoteAction("action_converse", _endpoint(selective=False))
    ours = rasa_main.action_call_format(action, tracker, domain)
    theirs = ORIGINAL_FORMAT(action, tracker, domain)
    assert len(theirs["tracker"]["events"]) == 1 + 11 * 5 + 1
    assert [e["event"] for e in ours["tracker"]["events"]] == ["user"]
    assert ours["tracker"]["events"][0]["text"] == "answer 11"
    assert ours["tracker"]["events"] == theirs["tracker"]["events"][-1:]
    without_events = lambda call: {**call, "tracker": {k: v for k, v in call["tracker"].items() if k != "events"}}
    assert without_events(ours) == without_events(theirs)
    assert ours["tracker"]["slots"]["chat_state"] == {"phase": "asking", "turn": 10}
    assert ours["tracker"]["latest_message"]["metadata"] == {"org": "KX7-P2Q"}


def test_the_sdk_reads_the_same_sender_message_and_slots_from_the_short_call():
    from rasa_sdk import Tracker

    tracker, domain = _conversation(turns=5)
    action = RemoteAction("action_converse", _endpoint(selective=True))
    short = Tracker.from_dict(rasa_main.action_call_format(action, tracker, domain)["tracker"])
    full = Tracker.from_dict(ORIGINAL_FORMAT(action, tracker, domain)["tracker"])
    for read in (lambda t: t.sender_id, lambda t: t.latest_message, lambda t: t.slots,
                 lambda t: t.get_slot("chat_state"), lambda t: t.get_latest_input_channel(),
                 lambda t: t.latest_action_name, lambda t: t.is_paused()):
        assert read(short) == read(full)


def test_a_conversation_without_a_user_message_yet_sends_all_its_events():
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.events import ActionExecuted, SessionStarted
    from rasa.shared.core.trackers import DialogueStateTracker

    from bot.launcher import ROOT

    domain = Domain.load(str(ROOT / "domain.yml"))
    tracker = DialogueStateTracker("s1", domain.slots)
    tracker.update(ActionExecuted("action_session_start"))
    tracker.update(SessionStarted())
    call = rasa_main.action_call_format(RemoteAction("action_session_start", _endpoint(False)), tracker, domain)
    assert [e["event"] for e in call["tracker"]["events"]] == ["action", "session_started"]


def test_the_domain_travels_only_to_the_action_that_asks_for_it():
    """The launcher enables Rasa's selective domain; `action_session_start` (which reads the
    session config) is marked `send_domain` in domain.yml, `action_converse` is not."""
    tracker, domain = _conversation(turns=2)
    converse = rasa_main.action_call_format(RemoteAction("action_converse", _endpoint(True)), tracker, domain)
    start = rasa_main.action_call_format(RemoteAction("action_session_start", _endpoint(True)), tracker, domain)
    assert "domain" not in converse
    assert start["domain"]["session_config"]["carry_over_slots_to_new_session"] is True


def _unreachable(name: str) -> RemoteAction:
    from rasa.utils.endpoints import EndpointConfig

    from tests.bot_stack import free_port

    return RemoteAction(name, EndpointConfig(f"http://127.0.0.1:{free_port()}/webhook"))  # nothing listens


def test_a_session_start_the_action_server_cannot_answer_still_starts_the_session():
    import asyncio

    from rasa.shared.core.domain import Domain
    from rasa.shared.core.events import ActionExecuted, SessionStarted
    from rasa.shared.core.trackers import DialogueStateTracker

    from bot.launcher import ROOT

    domain = Domain.load(str(ROOT / "domain.yml"))
    tracker = DialogueStateTracker("s1", domain.slots)
    events = asyncio.run(rasa_main.run_remote_action(_unreachable("action_session_start"), None, None, tracker, domain))
    assert isinstance(events[0], SessionStarted)
    assert isinstance(events[-1], ActionExecuted) and events[-1].action_name == "action_listen"


def test_other_actions_still_fail_loudly_when_the_action_server_is_down():
    import asyncio

    from rasa.shared.core.domain import Domain
    from rasa.shared.core.trackers import DialogueStateTracker
    from rasa.shared.exceptions import RasaException

    from bot.launcher import ROOT

    domain = Domain.load(str(ROOT / "domain.yml"))
    tracker = DialogueStateTracker("s1", domain.slots)
    with pytest.raises(RasaException):
        asyncio.run(rasa_main.run_remote_action(_unreachable("action_converse"), None, None, tracker, domain))


def test_action_calls_reuse_one_connection_to_the_action_server():
    """Two action calls, one TCP connection (Rasa alone opens one per call)."""
    import asyncio

    from aiohttp import web
    from rasa.utils.endpoints import EndpointConfig

    from tests.bot_stack import free_port

    async def scenario():
        peers = []

        async def webhook(request):
            peers.append(request.transport.get_extra_info("peername"))
            return web.json_response({"events": [], "responses": []})

        app = web.Application()
        app.router.add_post("/webhook", webhook)
        runner = web.AppRunner(app)
        await runner.setup()
        port = free_port()
        await web.TCPSite(runner, "127.0.0.1", port).start()
        try:
            plain = EndpointConfig(f"http://127.0.0.1:{port}/webhook")
            for _ in range(2):
                await plain.request(json={}, method="post")
            kept = EndpointConfig(f"http://127.0.0.1:{port}/webhook")
            rasa_main.keep_connections(kept)
            rasa_main.keep_connections(kept)  # once only
            for _ in range(3):
                assert await kept.request(json={}, method="post") == {"events": [], "responses": []}
        finally:
            await runner.cleanup()
        return peers

    peers = asyncio.run(scenario())
    assert len(peers) == 5
    assert peers[0] != peers[1], "Rasa's own endpoint opens a connection per call"
    assert len(set(peers[2:])) == 1, peers


def test_event_types_resolve_to_rasas_classes():
    from rasa.shared.core.events import Event
    from rasa.shared.utils.common import all_subclasses

    names = {cls.type_name for cls in all_subclasses(Event)}
    assert {"user", "bot", "slot", "action", "session_started"} <= names
    for name in names:
        assert rasa_main.resolve_event_type(name) is rasa_main._resolve_by_type(name)
    assert rasa_main.resolve_event_type("topic") is None
    assert rasa_main.resolve_event_type("no_such", default=Event) is Event
    with pytest.raises(ValueError, match="Unknown event name 'no_such'"):
        rasa_main.resolve_event_type("no_such")


def test_events_read_back_through_the_table_equal_rasas(monkeypatch):
    from rasa.shared.core.events import Event

    tracker, _ = _conversation(turns=4)
    dumped = [event.as_dict() for event in tracker.events]
    for cls, name in [(RemoteAction, "_validate_action_result"), (RemoteAction, "_action_call_format"),
                      (RemoteAction, "run"), (Event, "resolve_by_type")]:
        monkeypatch.setattr(cls, name, cls.__dict__[name])
    rasa_main.install()
    assert Event.resolve_by_type is rasa_main.resolve_event_type
    assert [Event.from_parameters(d) for d in dumped] == list(tracker.events)
