"""The questionnaire phase: answers, button presses, interruptions and confirmations.

A typed answer has one of three outcomes, decided here from `readiness.answers.read_answer`:
certain (store it and say how it was read), plausible (store nothing, propose the reading for
one-tap confirmation) or not an answer (the glossary entry for a term question, else the hint).
A stored value therefore always comes from a button, a certain reading or a confirmation.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Callable, Mapping

from readiness.answers import Reading, read_answer, term_in_question
from readiness.dialogue.asking import ask_current, current_item, finish, question, reask, shown_item, progress
from readiness.dialogue.effects import ClearAnswers, RecordAnswer
from readiness.dialogue.intents import INTERRUPTIONS, LIKERT_INTENTS, is_confirmation, is_no, is_rejection, is_yes
from readiness.dialogue.render import answer_label as scale_label
from readiness.dialogue.state import ChatState
from readiness.dialogue.turn import Outcome, Turn
from readiness.dialogue.view import Choice, Proposal, Question, Show, Text
from readiness.matching import find_glossary_entry
from readiness.model import NOT_APPLICABLE, AnswerValue, Item, is_valid_answer

#: Glossary terms offered when a "what does X mean" names none we know.
GLOSSARY_EXAMPLES = 6
#: From this NLU confidence an answer intent the reader cannot confirm is proposed (never
#: stored unconfirmed); below it the message gets the hint.
PROPOSE_CONFIDENCE = 0.4

Answers = Mapping[str, AnswerValue]


def on_questionnaire(turn: Turn) -> Outcome:
    state, questionnaire, answers = turn.state, turn.questionnaire, turn.facts.answers
    assessment = turn.facts.assessment
    assert assessment is not None  # the step checked ownership
    item = shown_item(state, questionnaire) or current_item(state, questionnaire, answers)
    if item is None:
        return finish(turn, state, assessment, answers)
    if state.proposal is not None and state.proposed_item != item.id:
        state = _unproposed(state)
        turn = turn.with_state(state)
    return _show_proposal(_decide(turn, item), turn)


def _decide(turn: Turn, item: Item) -> Outcome:
    state = turn.state
    if state.pending:
        return _on_pending(turn, turn.facts.answers)
    if "likert" in turn.user.entities:
        return _on_payload(turn, item)
    if state.proposal is not None:
        user = turn.user
        # "agree" may be NLU's affirm, but it is an answer of its own: it replaces the proposal
        vague = not (user.means("affirm", "deny") and _reading(turn, item).certain)
        if is_confirmation(user) or (vague and user.means("affirm")):
            return store_answer(turn, item, state.proposed_value)  # type: ignore[arg-type]
        if is_rejection(user) or (vague and user.means("deny")):
            return Outcome(_unproposed(state), (
                Text("proposal_rejected"), question(state, turn.questionnaire, item, turn.facts.answers),
            ))
    reading = _reading(turn, item)
    interruption = next((name for name in INTERRUPTIONS if turn.user.means(name)), None)
    # The reader accounts for every word: when it finds an answer ("pretty much", "almost
    # always", "more no"), an NLU interruption intent (chitchat, progress, stop …) is a
    # misclassification. "skip" stores don't know, so it is trusted only when the reader sees
    # no answer words at all, or reads don't know: "mostly, some pilots skip it" is a reply
    # about the statement that NLU took for the skip command, never stored as don't know.
    # Skip stores an answer, so any reading against it wins, a learned one too ("opt-out exists
    # on paper only" is a reply, not the skip command NLU heard in "opt-out"). Otherwise a
    # learned proposal ("there's a leaflet") is only a guess at a content reply: it never
    # outweighs what NLU recognised as an interruption that does something ("how many more?",
    # "why do you ask?"). An interruption that only replies and asks again (chitchat, out of
    # scope, a greeting) gives way to it: the proposal stores nothing and also asks again, and
    # NLU took real replies for small talk ("we do UAT with nurses on the ward and fix what they
    # flag" was out of scope in the live run of the sixth blind set: 9 of 418 replies).
    learned = reading.rule.startswith("learned")
    if interruption == "skip" and (reading.value not in (None, NOT_APPLICABLE) or reading.rule == "contradiction"):
        interruption = None
    if interruption in REPLY_ONLY and learned and reading.value is not None:
        interruption = None
    if interruption is not None and (reading.value is None or learned or interruption == "skip"):
        return INTERRUPTION_HANDLERS[interruption](turn, item)
    return _on_typed(turn, item, reading)


def _on_typed(turn: Turn, item: Item, reading: Reading) -> Outcome:
    """A typed message that is neither a button nor an interruption: the three outcomes."""
    state, user = turn.state, turn.user
    if reading.value is not None and reading.certain:
        return store_answer(turn, item, reading.value).before(Text("noted", {"answer": scale_label(reading.value)}))
    if reading.value is not None:
        return _propose(turn, item, reading.value)
    if term_in_question(user.text) is not None:
        entry = find_glossary_entry(turn.questionnaire, term_in_question(user.text) or "")
        if entry is not None:
            return reask(turn, state, turn.facts.answers,
                         Text("define", {"term": entry.term, "definition": entry.definition}))
    if user.intent in LIKERT_INTENTS and user.confidence >= PROPOSE_CONFIDENCE:
        return _propose(turn, item, LIKERT_INTENTS[user.intent])
    return Outcome(
        replace(state, misses=state.misses + 1),
        (Text("hint" if state.misses == 0 else "hint_again"),
         question(state, turn.questionnaire, item, turn.facts.answers)),
    )


def _reading(turn: Turn, item: Item) -> Reading:
    return read_answer(turn.user.text, item, turn.content.vocabulary)  # type: ignore[arg-type]


def _propose(turn: Turn, item: Item, value: AnswerValue) -> Outcome:
    state = replace(turn.state, proposed_item=item.id, proposed_value=value, misses=0)
    return Outcome(state, (Proposal(item, value, progress(turn.questionnaire, state.role or "", item, turn.facts.answers)),))


def _unproposed(state: ChatState) -> ChatState:
    return replace(state, proposed_item=None, proposed_value=None)


def _show_proposal(outcome: Outcome, turn: Turn) -> Outcome:
    """A proposal outlives interruptions: asking its statement again shows the proposal again.
    Once another statement is shown, or the questionnaire is left, it is dropped."""
    state = outcome.state
    if state.proposal is None:
        return outcome
    if state.phase != "questionnaire":
        return replace(outcome, state=_unproposed(state))
    questions = [n for n, shown in enumerate(outcome.view) if isinstance(shown, (Question, Proposal))]
    if not questions:
        return outcome  # e.g. "start over?": the proposal waits for the answer
    last = outcome.view[questions[-1]]
    if last.item.id != state.proposed_item:
        return replace(outcome, state=_unproposed(state))
    if isinstance(last, Proposal):
        return outcome
    view = list(outcome.view)
    view[questions[-1]] = Proposal(last.item, state.proposed_value, last.progress)  # type: ignore[arg-type]
    return replace(outcome, view=tuple(view))


def _on_payload(turn: Turn, item: Item) -> Outcome:
    """A button press: trusted only if it is for the question being asked and in range."""
    state, answers = turn.state, turn.facts.answers
    value = turn.user.entities.get("likert")
    if turn.user.entities.get("item", item.id) != item.id:
        return Outcome(state, (Text("wrong_question"), question(state, turn.questionnaire, item, answers)))
    if not is_valid_answer(value):
        return Outcome(
            replace(state, misses=state.misses + 1),
            (Text("hint"), question(state, turn.questionnaire, item, answers)),
        )
    return store_answer(turn, item, value)  # type: ignore[arg-type]


def store_answer(turn: Turn, item: Item, value: AnswerValue) -> Outcome:
    """Record the answer, then the next statement, a part's acknowledgement or the summary."""
    state, questionnaire = turn.state, turn.questionnaire
    assert state.assessment_id is not None and turn.facts.assessment is not None
    record = RecordAnswer(state.assessment_id, item.id, value)
    answers = {**turn.facts.answers, item.id: value}
    was_revisit = state.revisit is not None
    state = replace(_unproposed(state), revisit=None, misses=0)
    role = state.role or ""
    shown: list[Show] = []
    challenge = questionnaire.challenge(item.challenge)
    finished_part = all(i.id in answers for i in challenge.items_for(role))
    upcoming = current_item(state, questionnaire, answers)
    if finished_part and not was_revisit and (upcoming is None or upcoming.challenge != item.challenge):
        done = sum(1 for c in questionnaire.challenges if all(i.id in answers for i in c.items_for(role)))
        shown.append(Text("challenge_done", {
            "title": challenge.title, "done": done, "challenges": len(questionnaire.challenges),
        }))
    if upcoming is None:
        return finish(turn, state, turn.facts.assessment, answers, *shown).after(record)
    intro = upcoming.challenge != item.challenge
    return Outcome(state, (*shown, *ask_current(state, questionnaire, answers, intro=intro)), (record,))


def confirm(key: str) -> Choice:
    return Choice(key, (("confirm_yes_button", "/affirm"), ("confirm_no_button", "/deny")))


def _on_pending(turn: Turn, answers: Answers) -> Outcome:
    state = turn.state
    if is_no(turn.user):
        return reask(turn, replace(state, pending=None), answers, Text("cancelled"))
    if not is_yes(turn.user):
        key = "confirm_start_over" if state.pending == "start_over" else "confirm_stop"
        return Outcome(state, (Text("confirm_again"), confirm(key)))
    action = state.pending
    state = replace(_unproposed(state), pending=None, revisit=None, misses=0)
    if action == "stop":
        return Outcome(replace(state, phase="paused"), (Text("stopped", {
            "answered": len(answers), "code": _resume_code(turn),
        }),))
    assert state.assessment_id is not None
    return Outcome(
        state,
        (Text("started_over"), *ask_current(state, turn.questionnaire, {}, intro=True)),
        (ClearAnswers(state.assessment_id),),
    )


def _resume_code(turn: Turn) -> str:
    assert turn.facts.assessment is not None
    return turn.facts.assessment.resume_code


def answer_label(value: AnswerValue | None) -> str:
    return "no answer" if value is None else scale_label(value)


# --- interruptions: each answers, then asks the same question again ------------------------

def _reply(key: str) -> Callable[[Turn, Item], Outcome]:
    def handler(turn: Turn, item: Item) -> Outcome:
        return reask(turn, turn.state, turn.facts.answers, Text(key))
    return handler


def _why(turn: Turn, item: Item) -> Outcome:
    return reask(turn, turn.state, turn.facts.answers, Text("why", {"why": item.why}))


def _define(turn: Turn, item: Item) -> Outcome:
    glossary = turn.questionnaire.glossary
    entry = find_glossary_entry(turn.questionnaire, turn.user.text)
    if entry is None:
        examples = ", ".join(e.term for e in glossary[:GLOSSARY_EXAMPLES])
        return reask(turn, turn.state, turn.facts.answers, Text("define_unknown", {"examples": examples}))
    return reask(turn, turn.state, turn.facts.answers,
                 Text("define", {"term": entry.term, "definition": entry.definition}))


def _skip(turn: Turn, item: Item) -> Outcome:
    return store_answer(turn, item, NOT_APPLICABLE).before(Text("skipped"))


def _go_back(turn: Turn, item: Item) -> Outcome:
    state, answers = turn.state, turn.facts.answers
    order = [i.id for i in turn.questionnaire.items_for(state.role or "")]
    position = order.index(item.id)
    if position == 0:
        return reask(turn, state, answers, Text("go_back_first"))
    previous = order[position - 1]
    state = replace(state, revisit=previous, misses=0)
    return reask(turn, state, answers, Text("go_back", {"previous": answer_label(answers.get(previous))}))


def _progress(turn: Turn, item: Item) -> Outcome:
    shown = progress(turn.questionnaire, turn.state.role or "", item, turn.facts.answers)
    return reask(turn, turn.state, turn.facts.answers, Text("progress", {
        "answered": shown.answered,
        "questions": shown.questions,
        "number": shown.challenge,
        "challenges": shown.challenges,
        "title": shown.challenge_title,
    }))


def _pause(turn: Turn, item: Item) -> Outcome:
    return Outcome(replace(turn.state, phase="paused", pending=None),
                   (Text("pause", {"code": _resume_code(turn)}),))


def _start_over(turn: Turn, item: Item) -> Outcome:
    return Outcome(replace(turn.state, pending="start_over"), (confirm("confirm_start_over"),))


def _stop(turn: Turn, item: Item) -> Outcome:
    return Outcome(replace(turn.state, pending="stop"), (confirm("confirm_stop"),))


#: Every interruption of the questionnaire and its handler.
#: Interruptions whose handler only replies and asks the same question again.
REPLY_ONLY = frozenset({"chitchat", "thanks", "out_of_scope", "greet", "resume"})
INTERRUPTION_HANDLERS: Mapping[str, Callable[[Turn, Item], Outcome]] = {
    "why": _why,
    "define": _define,
    "skip": _skip,
    "go_back": _go_back,
    "progress": _progress,
    "pause": _pause,
    "goodbye": _pause,
    "start_over": _start_over,
    "stop": _stop,
    "help": _reply("help"),
    "chitchat": _reply("chitchat"),
    "thanks": _reply("chitchat"),
    "out_of_scope": _reply("out_of_scope"),
    "greet": _reply("greet_again"),
    "resume": _reply("resume_busy"),
}
assert set(INTERRUPTION_HANDLERS) == set(INTERRUPTIONS)
