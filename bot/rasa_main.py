"""Rasa's own command line, with the action-response validator built once instead of per turn.

Rasa 3.6 checks every action server response with `jsonschema.validate`, which re-validates
the whole events schema on each call: about 19 ms of Rasa CPU per custom-action turn here,
most of the gap between a full turn and a bare Rasa turn (docs/performance.md). This module
runs the same check with one validator built from the same schema, so what is accepted and
the errors raised are Rasa's; only the repeated schema check goes. `bot.servers.start_rasa`
starts Rasa through it: `python -m bot.rasa_main run …` takes exactly `rasa run`'s arguments.
"""

from __future__ import annotations

import logging
import sys
from functools import lru_cache
from typing import Any, Dict, List, Text

from jsonschema.exceptions import best_match
from jsonschema.validators import validator_for
from rasa.core.actions.action import DOCS_BASE_URL, ActionSessionStart, RemoteAction
from rasa.shared.core.constants import ACTION_SESSION_START_NAME
from rasa.shared.exceptions import RasaException

logger = logging.getLogger(__name__)
_remote_run = RemoteAction.run


@lru_cache(maxsize=1)
def response_validator() -> Any:
    """The validator for Rasa's action-response schema, checked and built once per process."""
    schema = RemoteAction.action_response_format_spec()
    validator_class = validator_for(schema)
    validator_class.check_schema(schema)
    return validator_class(schema)


def validate_action_result(self: RemoteAction, result: Dict[Text, Any]) -> bool:
    """Drop-in for `RemoteAction._validate_action_result` (same error, same message)."""
    error = best_match(response_validator().iter_errors(result))
    if error is not None:
        error.message += (
            f". Failed to validate Action server response from API, "
            f"make sure your response from the Action endpoint is valid. "
            f"For more information about the format visit "
            f"{DOCS_BASE_URL}/custom-actions"
        )
        raise error
    return True


async def run_remote_action(self: RemoteAction, output_channel: Any, nlg: Any, tracker: Any,
                            domain: Any) -> List[Any]:
    """`RemoteAction.run`, except that a session start the action server cannot answer (it is
    restarting) starts the session the way Rasa's default action does.

    The project overrides `action_session_start` (so a typed "/session_start" gets a reply).
    Without this fallback, a conversation whose first message arrives while the action server
    is down keeps a session that never started, and Rasa's rules never match it again: every
    later message trips Rasa's circuit breaker and gets no reply (found by tests/test_faults.py).
    """
    try:
        return await _remote_run(self, output_channel, nlg, tracker, domain)
    except RasaException:
        if self.name() != ACTION_SESSION_START_NAME:
            raise
        logger.warning("action server unavailable for %s: the session starts without its reply",
                       ACTION_SESSION_START_NAME)
        return await ActionSessionStart().run(output_channel, nlg, tracker, domain)


def install() -> None:
    RemoteAction._validate_action_result = validate_action_result  # type: ignore[method-assign]
    RemoteAction.run = run_remote_action  # type: ignore[method-assign]


def main() -> None:
    install()
    from rasa.__main__ import main as rasa_main

    sys.argv[0] = "rasa"
    rasa_main()


if __name__ == "__main__":
    main()
