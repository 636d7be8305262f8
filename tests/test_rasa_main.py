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
    rasa_main.install()
    assert RemoteAction._validate_action_result is rasa_main.validate_action_result


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
