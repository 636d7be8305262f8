"""One turn's inputs and outputs, shared by the step's handlers."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Protocol

from readiness.dialogue.effects import Effect
from readiness.dialogue.facts import Facts
from readiness.dialogue.state import ChatState, UserTurn
from readiness.dialogue.view import Show
from readiness.model import Questionnaire


class Content(Protocol):
    """The content a turn is decided under (a `readiness.content_set.ContentSet`)."""

    @property
    def questionnaire(self) -> Questionnaire: ...

    @property
    def version(self) -> str: ...

    @property
    def fingerprint(self) -> str: ...

    @property
    def vocabulary(self) -> object: ...


@dataclass(frozen=True)
class Turn:
    """What a handler decides from: the state, the message, storage facts and the content."""

    state: ChatState
    user: UserTurn
    facts: Facts
    content: Content

    @property
    def questionnaire(self) -> Questionnaire:
        return self.content.questionnaire

    def with_state(self, state: ChatState) -> "Turn":
        return replace(self, state=state)


@dataclass(frozen=True)
class Outcome:
    """The step's answer: the next state, what to store, what to show."""

    state: ChatState
    view: tuple[Show, ...] = ()
    effects: tuple[Effect, ...] = ()

    def before(self, *view: Show) -> "Outcome":
        """The same outcome with messages shown ahead of its own."""
        return replace(self, view=(*view, *self.view))

    def after(self, *effects: Effect) -> "Outcome":
        """The same outcome with effects applied ahead of its own."""
        return replace(self, effects=(*effects, *self.effects))
