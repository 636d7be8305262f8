"""What a turn needs from storage, declared by the pure step and loaded by the session."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Mapping

from readiness.model import AnswerValue
from readiness.storage import AssessmentRecord, OrganisationRecord, RespondentRecord


@dataclass(frozen=True)
class Needs:
    """Lookups beyond the conversation's own respondent and assessment."""

    join_codes: tuple[str, ...] = ()
    resume_code: str | None = None


@dataclass(frozen=True)
class Resumable:
    """The assessment a typed resume code names, with its respondent and answers."""

    assessment: AssessmentRecord
    respondent: RespondentRecord | None
    answers: Mapping[str, AnswerValue]


@dataclass(frozen=True)
class Facts:
    """Everything the step may know about storage for one turn (read in the turn's transaction)."""

    now: datetime
    #: The respondent this conversation belongs to, if any.
    respondent: RespondentRecord | None = None
    #: The assessment the state names, and its answers (item id → value, in answer order).
    assessment: AssessmentRecord | None = None
    answers: Mapping[str, AnswerValue] = field(default_factory=dict)
    #: Organisations found for the state's code, the widget's code and codes typed this turn.
    organisations: Mapping[str, OrganisationRecord] = field(default_factory=dict)
    #: The result of looking up a typed resume code (None: not found or not asked).
    resumable: Resumable | None = None
