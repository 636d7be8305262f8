"""Which statement comes next, how far along the respondent is, and the summary's result."""

from __future__ import annotations

from dataclasses import replace
from typing import Mapping

from readiness.dialogue.effects import CompleteAssessment
from readiness.dialogue.state import ChatState
from readiness.dialogue.turn import Outcome, Turn
from readiness.dialogue.view import Finished, Progress, Question, Show, Summary, Text
from readiness.model import AnswerValue, Item, Questionnaire
from readiness.patient import PATIENT_ROLE
from readiness.results import ReadinessResult, evaluate_stored
from readiness.storage import AssessmentRecord
from readiness.weights import weighted_for


def current_item(state: ChatState, questionnaire: Questionnaire,
                 answers: Mapping[str, AnswerValue]) -> Item | None:
    """The statement being revisited, else the first of the role's not yet answered.

    Statements removed from the bank are simply no longer asked; new ones are asked in order.
    """
    items = questionnaire.items_for(state.role or "")
    if state.revisit and any(item.id == state.revisit for item in items):
        return questionnaire.item(state.revisit)
    return next((item for item in items if item.id not in answers), None)


def shown_item(state: ChatState, questionnaire: Questionnaire) -> Item | None:
    """The statement on the respondent's screen, if it is still one of their role's."""
    if state.asked is None:
        return None
    return next((item for item in questionnaire.items_for(state.role or "") if item.id == state.asked), None)


def progress(questionnaire: Questionnaire, role: str, item: Item,
             answers: Mapping[str, AnswerValue]) -> Progress:
    items = questionnaire.items_for(role)
    ids = [challenge.id for challenge in questionnaire.challenges]
    return Progress(
        challenge=ids.index(item.challenge) + 1,
        challenges=len(ids),
        challenge_title=questionnaire.challenge(item.challenge).title,
        question=[i.id for i in items].index(item.id) + 1,
        questions=len(items),
        answered=sum(1 for i in items if i.id in answers),
        item=item.id,
    )


def completed(questionnaire: Questionnaire, role: str, answers: Mapping[str, AnswerValue]) -> Progress:
    """The progress of a finished survey: the last statement's, every one answered."""
    items = questionnaire.items_for(role)
    last = progress(questionnaire, role, items[-1], answers)
    return replace(last, answered=last.questions, complete=True)


def question(state: ChatState, questionnaire: Questionnaire, item: Item,
             answers: Mapping[str, AnswerValue]) -> Question:
    return Question(item, progress(questionnaire, state.role or "", item, answers))


def ask_current(state: ChatState, questionnaire: Questionnaire, answers: Mapping[str, AnswerValue],
                intro: bool = False) -> tuple[Show, ...]:
    """The current statement, introduced by its challenge when a new part begins."""
    item = current_item(state, questionnaire, answers)
    assert item is not None
    shown: list[Show] = []
    if intro:
        ids = [c.id for c in questionnaire.challenges]
        shown.append(Text("challenge_intro", {
            "number": ids.index(item.challenge) + 1,
            "challenges": len(ids),
            "intro": questionnaire.challenge(item.challenge).intro,
        }))
    shown.append(question(state, questionnaire, item, answers))
    return tuple(shown)


def reask(turn: Turn, state: ChatState, answers: Mapping[str, AnswerValue], *before: Show) -> Outcome:
    return Outcome(state, (*before, *ask_current(state, turn.questionnaire, answers)))


def result_for(turn: Turn, state: ChatState, answers: Mapping[str, AnswerValue]) -> ReadinessResult:
    """The result the summary shows, with the organisation's weight overrides applied."""
    organisation = turn.facts.organisations.get(state.org_code or "")
    questionnaire = weighted_for(turn.questionnaire, organisation.weights if organisation else {})
    return evaluate_stored(questionnaire, state.role or "", answers)


def finish(turn: Turn, state: ChatState, assessment: AssessmentRecord,
           answers: Mapping[str, AnswerValue], *before: Show) -> Outcome:
    """Every statement answered: record the content version and show the summary."""
    done = CompleteAssessment(assessment.id, turn.content.version, turn.content.fingerprint)
    if state.role == PATIENT_ROLE:  # patients get thanks, not a readiness profile
        return Outcome(replace(state, phase="done", revisit=None, pending=None),
                       (*before, Finished("patient_thanks", completed(turn.questionnaire, state.role, answers))),
                       (done,))
    summary = Summary(result_for(turn, state, answers), assessment.report_token)
    return Outcome(
        replace(state, phase="done", revisit=None, pending=None),
        (*before, summary),
        (done,),
    )
