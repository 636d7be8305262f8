"""What a turn shows, as plain values: `readiness.dialogue.render` turns them into messages.

The step names chat.yml message keys and the values they need; it never formats text.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping, Union

from readiness.model import AnswerValue, Item
from readiness.results import ReadinessResult


@dataclass(frozen=True)
class Link:
    """A message value that renders as the respondent's personal scorecard address."""

    report_token: str


@dataclass(frozen=True)
class Text:
    """One chat.yml message."""

    key: str
    values: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Choice:
    """A chat.yml message with quick replies: (chat.yml key of the button title, payload)."""

    key: str
    buttons: tuple[tuple[str, str], ...]
    values: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class RoleChoice:
    """The role question: one button per role of the questionnaire."""

    key: str


@dataclass(frozen=True)
class Progress:
    challenge: int
    challenges: int
    challenge_title: str
    question: int
    questions: int
    answered: int
    item: str
    #: Every statement answered: the widget fills its bar and says so.
    complete: bool = False


@dataclass(frozen=True)
class Question:
    """A statement with the Likert buttons and the progress the widget shows."""

    item: Item
    progress: Progress


@dataclass(frozen=True)
class Proposal:
    """A typed answer read plausibly, not certainly: "I read that as 4 – Agree. Is that right?"
    with the proposed answer as the first button and the rest of the scale after it."""

    item: Item
    value: AnswerValue
    progress: Progress


@dataclass(frozen=True)
class Finished:
    """A chat.yml message that closes a survey without a readiness summary (the patients'
    thanks), carrying the completed progress so any client can show the survey as done."""

    key: str
    progress: Progress


@dataclass(frozen=True)
class Summary:
    """The end-of-assessment summary of one respondent's result."""

    result: ReadinessResult
    report_token: str


Show = Union[Text, Choice, RoleChoice, Question, Proposal, Finished, Summary]
