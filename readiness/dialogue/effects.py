"""What a turn changes in storage: plain values the step returns and the session applies.

The step decides; `readiness.dialogue.session` applies every effect of a turn in one
transaction, so a turn is stored whole or not at all.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Union

from readiness.model import AnswerValue


@dataclass(frozen=True)
class Enrol:
    """Consent, role and organisation are known: start an assessment for this conversation.

    `reuse` names the conversation's respondent when role and organisation are unchanged; else a
    new respondent is created, and `hand_over` moves the conversation to it (a returning
    respondent in another role or organisation is a new respondent: earlier answers stay under
    the role they were given for). Applying it names the respondent and the assessment in the
    new state.
    """

    role: str
    org_code: str | None
    department: str | None
    reuse: str | None
    hand_over: bool
    consented_at: datetime
    version: str
    fingerprint: str
    #: "staff", or "patient" for the patients' survey (role is then the reserved "patient")
    audience: str = "staff"


@dataclass(frozen=True)
class StartAssessment:
    """A new assessment for a known respondent (starting over after finishing)."""

    respondent: str
    version: str
    fingerprint: str


@dataclass(frozen=True)
class RecordAnswer:
    assessment_id: int
    item_id: str
    value: AnswerValue


@dataclass(frozen=True)
class ClearAnswers:
    assessment_id: int


@dataclass(frozen=True)
class CompleteAssessment:
    """The respondent reached the summary under this content version."""

    assessment_id: int
    version: str
    fingerprint: str


@dataclass(frozen=True)
class Reattach:
    """"resume CODE": the assessment continues in this conversation."""

    resume_code: str


Effect = Union[Enrol, StartAssessment, RecordAnswer, ClearAnswers, CompleteAssessment, Reattach]
