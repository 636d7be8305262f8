"""The session layer: one turn = load facts, step, apply effects, render — in one transaction.

Rasa's action calls `Conversation.handle`. Whatever goes wrong (a dead database, content that
cannot be loaded), the user gets a clear reply and nothing half-written is stored.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timezone
from typing import Any, Callable, Mapping

from sqlalchemy.exc import SQLAlchemyError

from readiness.content_yaml import ContentError
from readiness.dialogue import effects as fx
from readiness.dialogue.facts import Facts, Needs, Resumable
from readiness.dialogue.patient import patient_content, wants_patient
from readiness.dialogue.patient_render import PatientRenderer
from readiness.dialogue.render import Renderer, ScorecardUrl
from readiness.dialogue.state import ASSESSMENT_PHASES, BotMessage, ChatState, Reply, UserTurn
from readiness.dialogue.step import is_patient_turn, needs, step
from readiness.dialogue.turn import Content
from readiness.live_content import current_content
from readiness.storage import Store, is_valid_sender_id

#: Said when no valid content has ever loaded (chat.yml's wording is unavailable then).
CONTENT_UNAVAILABLE = (
    "Sorry, the assessment is being updated and cannot continue right now. "
    "Please try again in a few minutes; your answers so far are safe."
)


class Conversation:
    """The assessment dialogue. One instance serves all conversations; it holds no per-user state."""

    def __init__(
        self,
        store: Store,
        content: Callable[[], Content] = current_content,
        scorecard_url: ScorecardUrl = lambda token: f"/me/{token}",
        now: Callable[[], datetime] = lambda: datetime.now(timezone.utc),
    ) -> None:
        self.store = store
        self.content = content
        self.scorecard_url = scorecard_url
        self.now = now

    def handle(self, sender_id: str, state: ChatState, turn: UserTurn) -> Reply:
        """Answer one user message. On a database failure the state stays as it was."""
        try:
            content = self.content()
        except ContentError:
            return Reply((BotMessage(CONTENT_UNAVAILABLE),), state)
        renderer = self._renderer(content, wants_patient(state, turn))  # until the facts are read
        if not is_valid_sender_id(sender_id):
            # a channel without a usable conversation id: nothing can be stored for it
            return Reply((BotMessage(renderer.say("save_failed")),), state)
        now = self.now()
        try:
            with self.store.unit() as unit:
                facts = load_facts(unit, sender_id, state, needs(state, turn, now), now)
                renderer = self._renderer(content, is_patient_turn(state, turn, facts))
                outcome = step(state, turn, facts, content)
                new_state = apply_effects(unit, sender_id, outcome.state, outcome.effects)
                messages = renderer.render(outcome.view)
        except SQLAlchemyError:
            return Reply((BotMessage(renderer.say("save_failed")),), state)
        return Reply(messages, new_state)

    def _renderer(self, content: Content, patient: bool) -> Renderer:
        """The patients' wording for a patient turn (when the content has a patient part)."""
        part = patient_content(content) if patient else None
        if part is not None:
            return PatientRenderer(part, self.scorecard_url)
        return Renderer(content.chat, content.questionnaire, self.scorecard_url)  # type: ignore[attr-defined]


def load_facts(unit: Any, sender_id: str, state: ChatState, wanted: Needs, now: datetime) -> Facts:
    """Read what the step needs, inside the turn's transaction."""
    respondent = unit.respondent_for_sender(sender_id)
    assessment = (
        unit.get_assessment(state.assessment_id)
        if state.assessment_id is not None and state.phase in ASSESSMENT_PHASES else None
    )
    owned = assessment is not None and respondent is not None and assessment.respondent == respondent.pseudonym
    resumable = None
    codes = list(wanted.join_codes)
    if wanted.resume_code is not None:
        found = unit.assessment_by_resume_code(wanted.resume_code)
        if found is not None:
            owner = unit.get_respondent(found.respondent)
            resumable = Resumable(found, owner, unit.answers(found.id))
            if owner is not None and owner.organisation_code:
                codes.append(owner.organisation_code)
    organisations = {}
    for code in dict.fromkeys(codes):
        organisation = unit.get_organisation(code)
        if organisation is not None:
            organisations[code] = organisations[organisation.join_code] = organisation
    return Facts(
        now=now,
        respondent=respondent,
        assessment=assessment,
        answers=unit.answers(assessment.id) if owned else {},
        organisations=organisations,
        resumable=resumable,
    )


def _enrol(unit: Any, sender_id: str, effect: fx.Enrol, state: ChatState) -> ChatState:
    if effect.reuse is not None:
        pseudonym = effect.reuse
        unit.update_respondent(pseudonym, department=effect.department)
    else:
        pseudonym = unit.create_respondent(
            effect.role,
            organisation_code=effect.org_code,
            department=effect.department,
            sender_id=None if effect.hand_over else sender_id,
            consented_at=effect.consented_at,
            audience=effect.audience,
        ).pseudonym
    assessment = unit.start_assessment(pseudonym, effect.version, effect.fingerprint)
    if effect.hand_over:  # the conversation now belongs to the new respondent
        unit.reattach_assessment(assessment.resume_code, sender_id)
    return replace(state, respondent=pseudonym, assessment_id=assessment.id)


def _start(unit: Any, sender_id: str, effect: fx.StartAssessment, state: ChatState) -> ChatState:
    assessment = unit.start_assessment(effect.respondent, effect.version, effect.fingerprint)
    return replace(state, assessment_id=assessment.id)


def _record(unit: Any, sender_id: str, effect: fx.RecordAnswer, state: ChatState) -> ChatState:
    unit.record_answer(effect.assessment_id, effect.item_id, effect.value)
    return state


def _clear(unit: Any, sender_id: str, effect: fx.ClearAnswers, state: ChatState) -> ChatState:
    unit.clear_answers(effect.assessment_id)
    return state


def _complete(unit: Any, sender_id: str, effect: fx.CompleteAssessment, state: ChatState) -> ChatState:
    unit.complete_assessment(effect.assessment_id, version=effect.version, fingerprint=effect.fingerprint)
    return state


def _reattach(unit: Any, sender_id: str, effect: fx.Reattach, state: ChatState) -> ChatState:
    unit.reattach_assessment(effect.resume_code, sender_id)
    return state


#: How each effect is applied; effects that create rows name them in the new state.
APPLY: Mapping[type, Callable[[Any, str, Any, ChatState], ChatState]] = {
    fx.Enrol: _enrol,
    fx.StartAssessment: _start,
    fx.RecordAnswer: _record,
    fx.ClearAnswers: _clear,
    fx.CompleteAssessment: _complete,
    fx.Reattach: _reattach,
}


def apply_effects(unit: Any, sender_id: str, state: ChatState, effects: tuple[fx.Effect, ...]) -> ChatState:
    for effect in effects:
        state = APPLY[type(effect)](unit, sender_id, effect, state)
    return state
