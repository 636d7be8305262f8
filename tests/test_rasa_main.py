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
