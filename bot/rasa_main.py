"""Rasa's own command line, with a cheaper custom-action call (docs/performance.md).

Two costs Rasa 3.6 pays on every custom-action turn, on its single event loop, that a bare
Rasa turn does not:

* it checks the action server's response with `jsonschema.validate`, which re-validates the
  whole events schema against the metaschema on each call (about 19 ms here). This module runs
  the same check with one validator built once, so what is accepted and the errors raised are
  Rasa's; only the repeated schema check goes.
* it posts the **whole** conversation (every event since the first message) to the action
  server, which grows with every turn and is serialised by Rasa and parsed again by the SDK.
  The project's actions read only the sender, the latest message and the slots (all part of the
  tracker state), so the call carries the current turn's events only: everything from the latest
  user message on. Every other field of the request is Rasa's own.
* it opens a new HTTP client session, and so a new TCP connection, for every action call. Here
  the action endpoint keeps one client session per event loop whose idle connections are
  reused for up to `KEEPALIVE_SECONDS`, shorter than the action server's keep-alive (Sanic's
  default 5 s), so the client always gives up an idle connection before the server closes it.

And one cost every turn pays, in any Rasa bot: reading the conversation back from the tracker
store looks each event's class up by walking all `Event` subclasses (`Event.resolve_by_type`
calls `all_subclasses` and `inspect.isabstract` for every event of every turn: about a fifth of
Rasa's CPU per turn here). `resolve_event_type` answers the same lookup from a table built once
at the first lookup.

`bot.servers.start_rasa` starts Rasa through it (the benchmark's bare bot too, so the
comparison in docs/performance.md is between bots on the same patched Rasa): `python -m bot.rasa_main run …` takes exactly
`rasa run`'s arguments.
"""

from __future__ import annotations

import asyncio
import logging
import sys
import weakref
from functools import lru_cache
from typing import Any, Dict, Iterable, List, Text

import aiohttp
import rasa
from jsonschema.exceptions import best_match
from jsonschema.validators import validator_for
from rasa.core.actions.action import DOCS_BASE_URL, ActionSessionStart, RemoteAction
from rasa.shared.core.constants import ACTION_SESSION_START_NAME
from rasa.shared.core.events import Event, UserUttered
from rasa.shared.utils.common import all_subclasses
from rasa.shared.core.trackers import EventVerbosity
from rasa.shared.exceptions import RasaException

logger = logging.getLogger(__name__)
_remote_run = RemoteAction.run
_resolve_by_type = Event.resolve_by_type


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


def current_turn(events: Iterable[Event]) -> List[Event]:
    """The events from the latest user message on (all of them if there is none yet)."""
    history = list(events)
    for index in range(len(history) - 1, -1, -1):
        if isinstance(history[index], UserUttered):
            return history[index:]
    return history


def action_call_format(self: RemoteAction, tracker: Any, domain: Any) -> Dict[Text, Any]:
    """Drop-in for `RemoteAction._action_call_format`: the same request, except that the
    tracker's `events` are the current turn's only (see the module docstring)."""
    state = tracker.current_state(EventVerbosity.NONE)
    state["events"] = [event.as_dict() for event in current_turn(tracker.events)]
    result: Dict[Text, Any] = {
        "next_action": self._name,
        "sender_id": tracker.sender_id,
        "tracker": state,
        "version": rasa.__version__,
    }
    if not self._is_selective_domain_enabled() or domain.does_custom_action_explicitly_need_domain(self.name()):
        result["domain"] = domain.as_dict()
    return result


@lru_cache(maxsize=1)
def event_classes() -> Dict[Text, type]:
    """type name → the first concrete `Event` subclass with it, in Rasa's own search order,
    built once the first events are read (every event class is loaded by then). A name missing
    here (a class imported later) is looked up the way Rasa does."""
    table: Dict[Text, type] = {}
    for cls in all_subclasses(Event):
        table.setdefault(cls.type_name, cls)
    return table


def resolve_event_type(type_name: Text, default: Any = None) -> Any:
    """Drop-in for `Event.resolve_by_type`: the same class, the same errors."""
    found = event_classes().get(type_name)
    if found is not None:
        return found
    return _resolve_by_type(type_name, default)


#: How long an idle connection to the action server is kept for reuse (seconds).
KEEPALIVE_SECONDS = 2.0


class KeptSession:
    """Stands in for `EndpointConfig.session()` in `async with endpoint.session() as session`:
    hands out the endpoint's long-lived client session for the running loop, never closes it."""

    _sessions: "weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, Dict[int, aiohttp.ClientSession]]" = (
        weakref.WeakKeyDictionary()
    )

    def __init__(self, endpoint: Any, make: Any) -> None:
        self.endpoint = endpoint
        self.make = make

    async def __aenter__(self) -> aiohttp.ClientSession:
        per_loop = self._sessions.setdefault(asyncio.get_running_loop(), {})
        session = per_loop.get(id(self.endpoint))
        if session is None or session.closed:
            fresh = self.make()  # Rasa's own session: its headers, auth and timeout
            session = aiohttp.ClientSession(
                headers=fresh.headers, auth=fresh.auth, timeout=fresh.timeout,
                connector=aiohttp.TCPConnector(keepalive_timeout=KEEPALIVE_SECONDS),
            )
            await fresh.close()
            per_loop[id(self.endpoint)] = session
        return session

    async def __aexit__(self, *exc: object) -> None:
        return None


def keep_connections(endpoint: Any) -> None:
    """Make `endpoint.request` reuse one client session (and its connections), once per endpoint."""
    if endpoint is None or getattr(endpoint, "_keeps_connections", False):
        return
    make = endpoint.session
    endpoint.session = lambda: KeptSession(endpoint, make)
    endpoint._keeps_connections = True


async def run_remote_action(self: RemoteAction, output_channel: Any, nlg: Any, tracker: Any,
                            domain: Any) -> List[Any]:
    """`RemoteAction.run`, except that a session start the action server cannot answer (it is
    restarting) starts the session the way Rasa's default action does.

    The project overrides `action_session_start` (so a typed "/session_start" gets a reply).
    Without this fallback, a conversation whose first message arrives while the action server
    is down keeps a session that never started, and Rasa's rules never match it again: every
    later message trips Rasa's circuit breaker and gets no reply (found by tests/test_faults.py).
    """
    keep_connections(self.action_endpoint)
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
    RemoteAction._action_call_format = action_call_format  # type: ignore[method-assign]
    RemoteAction.run = run_remote_action  # type: ignore[method-assign]
    Event.resolve_by_type = staticmethod(resolve_event_type)  # type: ignore[method-assign,assignment]


def main() -> None:
    install()
    from rasa.__main__ import main as rasa_main

    sys.argv[0] = "rasa"
    rasa_main()


if __name__ == "__main__":
    main()
