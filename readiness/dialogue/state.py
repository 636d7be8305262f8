"""What the conversation remembers between turns, what a user sent, and what the bot shows.

`ChatState` travels in Rasa's `chat_state` slot, so it is rebuilt defensively: a forged or
malformed slot yields a fresh state, never an exception.
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass, field
from typing import Any, Mapping

from readiness.model import is_valid_answer

#: Below this NLU confidence an intent is not trusted on its own.
CONFIDENCE = 0.6

PHASES = (
    "start", "consent", "declined", "role", "department", "organisation",
    "questionnaire", "paused", "done",
)
#: Phases whose state names an assessment (checked against the database every turn).
ASSESSMENT_PHASES = ("questionnaire", "paused", "done")
#: Confirmations the conversation may be waiting for.
PENDING = ("start_over", "stop")
#: Slot fields and their types; the others are optional text.
_SLOT_TYPES: Mapping[str, Any] = {
    "misses": int, "assessment_id": int, "resume_failures": int, "resume_blocked_until": (int, float),
    "proposed_value": (int, str),
}
#: Database ids are signed 64-bit integers: a slot naming anything else is forged.
_MAX_ID = 2**63 - 1
#: Slot fields that may never be null.
_NOT_NULL = frozenset({"phase", "misses", "resume_failures"})


@dataclass(frozen=True)
class ChatState:
    """Everything the conversation remembers between turns (kept in Rasa's `chat_state` slot)."""

    phase: str = "start"
    role: str | None = None
    department: str | None = None
    org_code: str | None = None
    respondent: str | None = None
    assessment_id: int | None = None
    revisit: str | None = None
    pending: str | None = None
    misses: int = 0
    #: Unknown resume codes tried in this conversation (never reset by a successful resume,
    #: so valid codes cannot be interleaved to keep guessing).
    resume_failures: int = 0
    #: Until when (epoch seconds) resume attempts are refused in this conversation.
    resume_blocked_until: float | None = None
    #: The statement the respondent was last shown. A free-text answer belongs to it even when
    #: the database is ahead (the reply to the previous answer was lost in a crash).
    asked: str | None = None
    #: A typed answer read plausibly but not certainly, proposed for confirmation and not
    #: stored: the statement it answers (always the one asked) and the value proposed.
    proposed_item: str | None = None
    proposed_value: int | str | None = None

    @property
    def proposal(self) -> tuple[str, int | str] | None:
        """(item id, value) of the reading awaiting confirmation, if any."""
        if self.proposed_item is None or self.proposed_value is None:
            return None
        return self.proposed_item, self.proposed_value

    def to_slot(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_slot(cls, value: object) -> "ChatState":
        """Rebuild from a slot value; anything malformed (or forged) yields a fresh state."""
        if isinstance(value, str):
            try:
                value = json.loads(value)
            except ValueError:
                return cls()
        if not isinstance(value, dict):
            return cls()
        fields: dict[str, Any] = {}
        for name, default in asdict(cls()).items():
            item = value.get(name, default)
            expected = _SLOT_TYPES.get(name, str)
            if item is None and name not in _NOT_NULL:
                fields[name] = item
            elif isinstance(item, expected) and not isinstance(item, bool):
                fields[name] = item
            else:
                return cls()
        blocked = fields["resume_blocked_until"]
        if blocked is not None:
            if not math.isfinite(blocked) or blocked < 0:
                return cls()
            fields["resume_blocked_until"] = float(blocked)
        state = cls(**fields)
        if (
            state.phase not in PHASES
            or state.misses < 0
            or state.resume_failures < 0
            or (state.assessment_id is not None and not 0 < state.assessment_id <= _MAX_ID)
            or (state.pending is not None and state.pending not in PENDING)
            or not _proposal_is_sound(state)
        ):
            return cls()
        return state


def _proposal_is_sound(state: ChatState) -> bool:
    """No proposal, or one whole proposal of a valid answer for the statement on screen."""
    if state.proposed_item is None and state.proposed_value is None:
        return True
    return (
        state.phase == "questionnaire"
        and state.proposed_item is not None
        and state.proposed_item == state.asked
        and is_valid_answer(state.proposed_value)
    )


@dataclass(frozen=True)
class UserTurn:
    """What the user sent: raw text plus Rasa's reading of it."""

    text: str
    intent: str | None = None
    confidence: float = 0.0
    entities: Mapping[str, Any] = field(default_factory=dict)
    metadata: Mapping[str, Any] = field(default_factory=dict)

    def means(self, *intents: str) -> bool:
        return self.intent in intents and self.confidence >= CONFIDENCE


@dataclass(frozen=True)
class Button:
    title: str
    payload: str


@dataclass(frozen=True)
class BotMessage:
    """One chat bubble; `data` is sent as custom JSON (the widget's progress bar reads it)."""

    text: str
    buttons: tuple[Button, ...] = ()
    data: Mapping[str, Any] | None = None


@dataclass(frozen=True)
class Reply:
    messages: tuple[BotMessage, ...]
    state: ChatState
