"""The conversation's pure step: (state, user turn, storage facts, content) → outcome.

No I/O here: `needs` says which lookups a turn requires, the session loads them into `Facts`,
`step` decides the next state, the effects to store and what to show. Handlers are found in
explicit dispatch tables.
"""

from __future__ import annotations

import math
import re
from dataclasses import replace
from datetime import datetime
from typing import Callable, Mapping

from readiness.dialogue.asking import ask_current, current_item, finish, reask
from readiness.dialogue.effects import Enrol, Reattach, StartAssessment
from readiness.dialogue.facts import Facts, Needs
from readiness.dialogue.intents import is_no, is_skip, is_yes
from readiness.dialogue.patient import patient_content, phase_handler, wants_patient
from readiness.dialogue.questionnaire import confirm, on_questionnaire
from readiness.dialogue.state import ASSESSMENT_PHASES, ChatState, UserTurn
from readiness.dialogue.turn import Content, Outcome, Turn
from readiness.dialogue.view import Choice, Link, Proposal, Question, RoleChoice, Text
from readiness.matching import find_resume_code, join_code_candidates, match_role
from readiness.patient import PATIENT_AUDIENCE, PATIENT_ROLE, STAFF_AUDIENCE

#: Seconds a respondent needs per statement, for the "about N minutes" estimate.
SECONDS_PER_ITEM = 15
#: Department names: a short unit name, never free text that could carry patient details.
DEPARTMENT = re.compile(r"^[^\W\d_][\w &/().,'-]{0,59}$")
#: Unknown resume codes one conversation may try before resuming is refused for a while.
RESUME_MAX_FAILURES = 5
#: How long (seconds) a conversation that used up its resume attempts must wait.
RESUME_LOCKOUT_SECONDS = 15 * 60


def metadata_code(user: UserTurn) -> str | None:
    """The join code a client passed in the message metadata (`{"org": …}`), if well-formed."""
    code = user.metadata.get("org") if isinstance(user.metadata, Mapping) else None
    if not isinstance(code, str):
        return None
    found = join_code_candidates(code)
    return found[0] if found else None


def needs(state: ChatState, user: UserTurn, now: datetime) -> Needs:
    """The lookups this turn may need beyond the conversation's own respondent and assessment.

    A typed resume code is looked up (the step uses it outside the questionnaire), but not
    while this conversation is locked out for guessing.
    """
    codes = [c for c in (state.org_code, metadata_code(user)) if c]
    if state.phase == "organisation":
        codes += join_code_candidates(user.text)
    blocked = state.resume_blocked_until is not None and now.timestamp() < state.resume_blocked_until
    return Needs(
        join_codes=tuple(dict.fromkeys(codes)),
        resume_code=None if blocked else find_resume_code(user.text),
    )


def is_patient_turn(state: ChatState, user: UserTurn, facts: Facts) -> bool:
    """Whether this turn is decided (and worded) for patients: a patient conversation or one
    opened with the patient audience — or "resume CODE" of a patient's survey from any chat,
    with or without the audience (the code names whose survey it is; a staff code likewise
    resumes a staff assessment even in a chat opened for patients)."""
    owner = facts.resumable.respondent if facts.resumable is not None else None
    if owner is not None and state.phase != "questionnaire" and find_resume_code(user.text) is not None:
        return owner.role == PATIENT_ROLE
    return wants_patient(state, user)


def step(state: ChatState, user: UserTurn, facts: Facts, content: Content) -> Outcome:
    """Decide one turn. A state the facts contradict (forged, or its assessment was resumed
    elsewhere or deleted) starts afresh, touching nothing; resume attempts are never forgotten.
    A patient conversation is decided with the patients' content (readiness.dialogue.patient)."""
    patient = is_patient_turn(state, user, facts) and patient_content(content) is not None
    if patient:
        content = patient_content(content)
    if not _consistent(state, facts, content):
        state = ChatState(resume_failures=state.resume_failures, resume_blocked_until=state.resume_blocked_until)
    turn = Turn(state, user, facts, content)
    code = find_resume_code(user.text) if state.phase != "questionnaire" else None
    if code is not None:
        outcome = _resume(turn, code)
    else:
        phase = _phase(state, content)
        outcome = (phase_handler(phase) if patient else PHASE_HANDLERS[phase])(turn)
    shown = [view.item.id for view in outcome.view if isinstance(view, (Question, Proposal))]
    counters = outcome.state if code is not None else state
    return replace(outcome, state=replace(
        outcome.state,
        resume_failures=counters.resume_failures,
        resume_blocked_until=counters.resume_blocked_until,
        asked=shown[-1] if shown else outcome.state.asked,
    ))


def _phase(state: ChatState, content: Content) -> str:
    if state.phase == "questionnaire" and (
        state.assessment_id is None or state.role not in content.questionnaire.role_ids
    ):
        return "start"
    return state.phase


def _consistent(state: ChatState, facts: Facts, content: Content) -> bool:
    if state.phase in ("department", "organisation"):
        return state.role in content.questionnaire.role_ids
    if state.phase in ASSESSMENT_PHASES:
        return _owns(state, facts)
    return True


def _owns(state: ChatState, facts: Facts) -> bool:
    """Whether the state's assessment belongs to this conversation's respondent, as the state
    says (role and organisation): the slot is never trusted to name someone's data."""
    respondent, assessment = facts.respondent, facts.assessment
    return (
        state.assessment_id is not None
        and respondent is not None
        and respondent.pseudonym == state.respondent
        and respondent.role == state.role
        and respondent.organisation_code == state.org_code
        and assessment is not None
        and assessment.id == state.assessment_id
        and assessment.respondent == respondent.pseudonym
    )


# --- before the questionnaire ---------------------------------------------------------------

def consent_question(key: str) -> Choice:
    return Choice(key, (("consent_yes_button", "/affirm"), ("consent_no_button", "/deny")))


def _on_start(turn: Turn) -> Outcome:
    questionnaire = turn.questionnaire
    longest = max(len(questionnaire.items_for(role)) for role in questionnaire.role_ids)
    minutes = max(1, math.ceil(longest * SECONDS_PER_ITEM / 60))
    org_code = metadata_code(turn.user) or turn.state.org_code
    return Outcome(
        ChatState(phase="consent", org_code=org_code),
        (Text("welcome", {"minutes": minutes}), Text("privacy"), consent_question("consent_question")),
    )


def _on_consent(turn: Turn) -> Outcome:
    state = turn.state
    if is_no(turn.user):
        return Outcome(ChatState(phase="declined"), (Text("declined"),))
    if is_yes(turn.user):
        return Outcome(replace(state, phase="role"), (RoleChoice("role_question"),))
    if turn.user.means("help"):
        return Outcome(state, (Text("privacy"), consent_question("consent_question")))
    return Outcome(state, (consent_question("consent_again"),))


def _department_question(key: str) -> Choice:
    return Choice(key, (("department_skip_button", "/skip"),))


def _on_role(turn: Turn) -> Outcome:
    questionnaire = turn.questionnaire
    chosen = turn.user.entities.get("role")
    role = next((r for r in questionnaire.roles if r.id == chosen), None) or match_role(questionnaire, turn.user.text)
    if role is None:
        return Outcome(turn.state, (RoleChoice("role_again"),))
    return Outcome(
        replace(turn.state, phase="department", role=role.id),
        (Text("role_confirmed", {"role_label": role.label.lower()}), _department_question("department_question")),
    )


def _on_department(turn: Turn) -> Outcome:
    text = " ".join(turn.user.text.split())
    if is_skip(turn.user):
        department = None
    elif DEPARTMENT.match(text):
        department = text
    else:
        return Outcome(turn.state, (_department_question("department_invalid"),))
    state = replace(turn.state, phase="organisation", department=department)
    organisation = turn.facts.organisations.get(state.org_code or "")
    if organisation is not None:
        return _begin(turn.with_state(state), organisation.name)
    return Outcome(replace(state, org_code=None), (_code_question("code_question"),))


def _code_question(key: str, **values: object) -> Choice:
    return Choice(key, (("code_none_button", "/no_code"),), values)


def _on_organisation(turn: Turn) -> Outcome:
    if turn.user.means("no_code"):
        return _begin(turn.with_state(replace(turn.state, org_code=None)), None)
    candidates = join_code_candidates(turn.user.text)
    for candidate in candidates:
        organisation = turn.facts.organisations.get(candidate)
        if organisation is not None:
            return _begin(turn.with_state(replace(turn.state, org_code=organisation.join_code)), organisation.name)
    if candidates:
        return Outcome(turn.state, (_code_question("code_unknown", code=candidates[0]),))
    return Outcome(turn.state, (_code_question("code_missing"),))


def _begin(turn: Turn, organisation: str | None) -> Outcome:
    """Consent, role and organisation are known: only now is anything stored. The session
    names the respondent and the new assessment in the state when it applies `Enrol`."""
    state, questionnaire, existing = turn.state, turn.questionnaire, turn.facts.respondent
    assert state.role is not None
    same = existing is not None and existing.role == state.role and existing.organisation_code == state.org_code
    enrol = Enrol(
        role=state.role,
        org_code=state.org_code,
        department=state.department,
        reuse=existing.pseudonym if same and existing is not None else None,
        hand_over=existing is not None and not same,
        consented_at=turn.facts.now,
        version=turn.content.version,
        fingerprint=turn.content.fingerprint,
        audience=PATIENT_AUDIENCE if state.role == PATIENT_ROLE else STAFF_AUDIENCE,
    )
    state = replace(state, phase="questionnaire", respondent=None, assessment_id=None)
    opening = Text("code_accepted", {"organisation": organisation}) if organisation else Text("individual")
    begin = Text("begin", {"questions": len(questionnaire.items_for(state.role or ""))})
    return Outcome(state, (opening, begin, *ask_current(state, questionnaire, {}, intro=True)), (enrol,))


# --- after the questionnaire ----------------------------------------------------------------

def _on_done(turn: Turn) -> Outcome:
    state, assessment = turn.state, turn.facts.assessment
    assert assessment is not None and state.respondent is not None
    if state.pending == "start_over":
        if is_yes(turn.user):
            start = StartAssessment(state.respondent, turn.content.version, turn.content.fingerprint)
            state = replace(state, phase="questionnaire", assessment_id=None, pending=None)
            return Outcome(
                state,
                (Text("started_over"), *ask_current(state, turn.questionnaire, {}, intro=True)),
                (start,),
            )
        if not is_no(turn.user):
            return Outcome(state, (Text("confirm_again"), confirm("confirm_start_over")))
        state = replace(state, pending=None)
    elif turn.user.means("start_over"):
        return Outcome(replace(state, pending="start_over"), (confirm("confirm_start_over"),))
    return Outcome(state, (Text("done_idle", {"url": Link(assessment.report_token)}),))


def _on_paused(turn: Turn) -> Outcome:
    state, assessment = turn.state, turn.facts.assessment
    assert assessment is not None
    if turn.user.means("continue", "resume", "affirm", "greet") or is_yes(turn.user):
        state = replace(state, phase="questionnaire", pending=None)
        if current_item(state, turn.questionnaire, turn.facts.answers) is None:
            return finish(turn, state, assessment, turn.facts.answers)
        return reask(turn, state, turn.facts.answers, Text("continue"))
    return Outcome(state, (Text("paused_idle", {"code": assessment.resume_code}),))


def _resume(turn: Turn, code: str) -> Outcome:
    """"resume CODE" from any chat: reattach the assessment to this conversation.

    After RESUME_MAX_FAILURES unknown codes, this conversation may not try another for
    RESUME_LOCKOUT_SECONDS (codes are not looked up meanwhile), so codes cannot be guessed.
    """
    state = turn.state
    now = turn.facts.now.timestamp()
    if state.resume_blocked_until is not None:
        if now < state.resume_blocked_until:
            return Outcome(state, (_resume_locked(state.resume_blocked_until - now),))
        state = replace(state, resume_failures=0, resume_blocked_until=None)
    found = turn.facts.resumable
    if found is None or found.respondent is None:
        state = replace(state, resume_failures=state.resume_failures + 1)
        unknown = Text("resume_unknown", {"code": code})
        if state.resume_failures >= RESUME_MAX_FAILURES:
            state = replace(state, resume_blocked_until=now + RESUME_LOCKOUT_SECONDS)
            return Outcome(state, (unknown, _resume_locked(RESUME_LOCKOUT_SECONDS)))
        return Outcome(state, (unknown,))
    if found.assessment.completed:
        return Outcome(state, (Text("resume_done", {"code": code}),))
    respondent = found.respondent
    state = ChatState(
        phase="questionnaire",
        role=respondent.role,
        department=respondent.department,
        org_code=respondent.organisation_code,
        respondent=respondent.pseudonym,
        assessment_id=found.assessment.id,
        resume_failures=state.resume_failures,
        resume_blocked_until=state.resume_blocked_until,
    )
    if state.role not in turn.questionnaire.role_ids:
        return Outcome(turn.state, (Text("resume_unknown", {"code": code}),))
    reattach = Reattach(code)
    if current_item(state, turn.questionnaire, found.answers) is None:
        return finish(turn, state, found.assessment, found.answers).after(reattach)
    return reask(turn, state, found.answers, Text("continue")).after(reattach)


def _resume_locked(seconds: float) -> Text:
    return Text("resume_locked", {"minutes": max(1, math.ceil(seconds / 60))})


#: Every phase and its handler.
PHASE_HANDLERS: Mapping[str, Callable[[Turn], Outcome]] = {
    "start": _on_start,
    "declined": _on_start,
    "consent": _on_consent,
    "role": _on_role,
    "department": _on_department,
    "organisation": _on_organisation,
    "questionnaire": on_questionnaire,
    "paused": _on_paused,
    "done": _on_done,
}
