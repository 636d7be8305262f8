"""The patient audience: the same engine with the patients' questionnaire and wording.

Opened with metadata {"audience": "patient"} (the widget sends it for `?audience=patient`).
Consent in plain words, then the organisation's join code (from the poster's link, or typed),
then at most six short statements — never a role, department or health question. A patient
state is marked by the reserved role `patient`; every turn of such a conversation is decided
with the patients' content (`readiness.patient.PatientContent`), so the staff questionnaire's
handlers (answers, why, help, skip, stop, pause) serve patients unchanged.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any, Callable, Mapping

from readiness.dialogue.intents import is_no, is_yes
from readiness.dialogue.state import ChatState, UserTurn
from readiness.dialogue.turn import Outcome, Turn
from readiness.dialogue.view import Choice, Question, Text
from readiness.matching import join_code_candidates
from readiness.patient import PATIENT_AUDIENCE, PATIENT_ROLE

#: Seconds a patient needs per statement, for the "about N minutes" estimate.
SECONDS_PER_STATEMENT = 20


def wants_patient(state: ChatState, user: UserTurn) -> bool:
    """Whether this turn belongs to the patients' survey: a patient conversation, or a new one
    opened with the patient audience in the metadata."""
    if state.role == PATIENT_ROLE:
        return True
    audience = user.metadata.get("audience") if isinstance(user.metadata, Mapping) else None
    return audience == PATIENT_AUDIENCE and state.phase in ("start", "declined")


def patient_content(content: Any) -> Any:
    """The content a patient turn is decided with (None when the set has no patient part)."""
    return getattr(content, "patient", None)


def patient_answer(turn: Turn, item_id: str) -> UserTurn | None:
    """A typed answer in patient words as a button press for the statement being asked."""
    value = turn.content.read_answer(turn.user.text)  # type: ignore[attr-defined]
    if value is None:
        return None
    return replace(turn.user, intent="answer", confidence=1.0, entities={"likert": value, "item": item_id})


def _consent() -> Choice:
    return Choice("consent_question", (("consent_yes_button", "/affirm"), ("consent_no_button", "/deny")))


def _on_start(turn: Turn) -> Outcome:
    from readiness.dialogue.step import metadata_code

    count = len(turn.questionnaire.items_for(PATIENT_ROLE))
    minutes = max(1, -(-count * SECONDS_PER_STATEMENT // 60))
    code = metadata_code(turn.user) or turn.state.org_code
    return Outcome(ChatState(phase="consent", role=PATIENT_ROLE, org_code=code),
                   (Text("welcome", {"minutes": minutes}), Text("privacy"), _consent()))


def _on_consent(turn: Turn) -> Outcome:
    from readiness.dialogue.step import _begin

    state = turn.state
    if is_no(turn.user):
        return Outcome(ChatState(phase="declined", role=PATIENT_ROLE), (Text("declined"),))
    if not is_yes(turn.user):
        if turn.user.means("help"):
            return Outcome(state, (Text("privacy"), _consent()))
        return Outcome(state, (Choice("consent_again", _consent().buttons),))
    state = replace(state, phase="organisation", department=None)
    organisation = turn.facts.organisations.get(state.org_code or "")
    if organisation is not None:
        return _begin(turn.with_state(state), organisation.name)
    return Outcome(replace(state, org_code=None), (_code_question("code_question"),))


def _code_question(key: str, **values: object) -> Choice:
    return Choice(key, (("code_none_button", "/no_code"),), values)


def _on_organisation(turn: Turn) -> Outcome:
    """Patients answer for an organisation only: without a code there is nothing to store."""
    from readiness.dialogue.step import _begin

    if turn.user.means("no_code"):
        return Outcome(turn.state, (Text("patient_no_code"),))
    candidates = join_code_candidates(turn.user.text)
    for candidate in candidates:
        organisation = turn.facts.organisations.get(candidate)
        if organisation is not None:
            state = replace(turn.state, org_code=organisation.join_code)
            return _begin(turn.with_state(state), organisation.name)
    if candidates:
        return Outcome(turn.state, (_code_question("code_unknown", code=candidates[0]),))
    return Outcome(turn.state, (_code_question("code_missing"),))


def _on_questionnaire(turn: Turn) -> Outcome:
    from readiness.dialogue.asking import current_item, shown_item
    from readiness.dialogue.questionnaire import on_questionnaire

    item = shown_item(turn.state, turn.questionnaire) or current_item(turn.state, turn.questionnaire, turn.facts.answers)
    if item is not None and not turn.state.pending and "likert" not in turn.user.entities:
        typed = patient_answer(turn, item.id)
        if typed is not None:
            turn = replace(turn, user=typed)
    return on_questionnaire(turn)


def _patient_phases() -> Mapping[str, Callable[[Turn], Outcome]]:
    from readiness.dialogue import step as staff

    return {
        **staff.PHASE_HANDLERS,
        "start": _on_start,
        "declined": _on_start,
        "consent": _on_consent,
        "organisation": _on_organisation,
        "questionnaire": _on_questionnaire,
    }


def phase_handler(phase: str) -> Callable[[Turn], Outcome]:
    return _patient_phases()[phase]


def shows_question(view: tuple[Any, ...]) -> bool:
    return any(isinstance(v, Question) for v in view)
