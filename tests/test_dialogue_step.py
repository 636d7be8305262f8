"""The pure step, without storage: what it decides from given facts, and that its dispatch
tables cover every phase and interruption."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timezone

import pytest

from readiness.bank import current_questionnaire
from readiness.dialogue import PHASES, ChatState, UserTurn
from readiness.dialogue.effects import CompleteAssessment, Enrol, RecordAnswer
from readiness.dialogue.facts import Facts
from readiness.dialogue.intents import INTERRUPTIONS
from readiness.dialogue.questionnaire import INTERRUPTION_HANDLERS
from readiness.dialogue.step import PHASE_HANDLERS, step
from readiness.dialogue.view import Question, Summary, Text
from readiness.model import Questionnaire
from readiness.results import evaluate
from readiness.storage import AssessmentRecord, RespondentRecord

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=timezone.utc)


@dataclass(frozen=True)
class Content:
    questionnaire: Questionnaire
    version: str = "test-1"
    fingerprint: str = "f" * 64
    vocabulary: object = None


def respondent(role: str = "nurse") -> RespondentRecord:
    return RespondentRecord(id=1, pseudonym="p-1", role=role, department=None, organisation_id=None,
                            organisation_code=None, sender_id="s1", consented_at=NOW)


def assessment() -> AssessmentRecord:
    return AssessmentRecord(id=7, respondent="p-1", round=1, questionnaire_version="test-1",
                            started_at=NOW, completed_at=None, resume_code="RES-ABCDEF", report_token="tok")


def in_questionnaire(role: str = "nurse", **fields) -> ChatState:
    return ChatState(phase="questionnaire", role=role, respondent="p-1", assessment_id=7, **fields)


def facts(answers=None) -> Facts:
    return Facts(now=NOW, respondent=respondent(), assessment=assessment(), answers=answers or {})


def test_every_phase_and_interruption_has_a_handler():
    assert set(PHASE_HANDLERS) == set(PHASES)
    assert set(INTERRUPTION_HANDLERS) == set(INTERRUPTIONS)


def test_an_answer_is_one_effect_and_the_next_statement():
    questionnaire = current_questionnaire()
    first, second = questionnaire.items_for("nurse")[:2]
    outcome = step(in_questionnaire(asked=first.id), UserTurn("agree"), facts(), Content(questionnaire))
    assert outcome.effects == (RecordAnswer(7, first.id, 4),)
    questions = [v for v in outcome.view if isinstance(v, Question)]
    assert [q.item.id for q in questions] == [second.id]
    assert outcome.state.asked == second.id
    assert questions[0].progress.answered == 1


def test_not_an_answer_stores_nothing():
    questionnaire = current_questionnaire()
    first = questionnaire.items_for("nurse")[0]
    outcome = step(in_questionnaire(asked=first.id), UserTurn("purple"), facts(), Content(questionnaire))
    assert outcome.effects == ()
    assert outcome.view[0] == Text("hint")
    assert outcome.state.misses == 1


def test_a_forged_state_touches_nothing():
    questionnaire = current_questionnaire()
    someone_else = replace(assessment(), respondent="p-2")
    forged = Facts(now=NOW, respondent=respondent(), assessment=someone_else)
    outcome = step(in_questionnaire(), UserTurn("agree"), forged, Content(questionnaire))
    assert outcome.effects == ()
    assert outcome.state.phase == "consent"


def test_enrolment_names_the_content_version():
    questionnaire = current_questionnaire()
    state = ChatState(phase="organisation", role="nurse")
    outcome = step(state, UserTurn("/no_code", "no_code", 1.0), Facts(now=NOW), Content(questionnaire))
    (enrol,) = outcome.effects
    assert isinstance(enrol, Enrol)
    assert (enrol.version, enrol.fingerprint, enrol.reuse, enrol.hand_over) == ("test-1", "f" * 64, None, False)
    assert outcome.state.phase == "questionnaire" and outcome.state.assessment_id is None


def test_answers_to_removed_statements_are_kept_out_of_the_summary():
    questionnaire = current_questionnaire()
    items = questionnaire.items_for("nurse")
    answers = {"a_statement_removed_since": 5, **{item.id: 4 for item in items[:-1]}}
    outcome = step(in_questionnaire(asked=items[-1].id), UserTurn("agree"), facts(answers),
                   Content(questionnaire, version="test-2", fingerprint="e" * 64))
    assert outcome.effects == (RecordAnswer(7, items[-1].id, 4), CompleteAssessment(7, "test-2", "e" * 64))
    summary = next(v for v in outcome.view if isinstance(v, Summary))
    expected = evaluate(questionnaire, "nurse", {item.id: 4 for item in items})
    assert summary.result.profile.overall == pytest.approx(expected.profile.overall)
    assert outcome.state.phase == "done"


def test_a_statement_on_screen_that_was_removed_gives_way_to_the_next():
    questionnaire = current_questionnaire()
    first = questionnaire.items_for("nurse")[0]
    outcome = step(in_questionnaire(asked="a_statement_removed_since"), UserTurn("agree"), facts(),
                   Content(questionnaire))
    assert outcome.effects == (RecordAnswer(7, first.id, 4),)
