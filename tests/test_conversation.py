"""The conversation engine without Rasa: whole assessments, every interruption, bad input."""

from __future__ import annotations

import pytest

from readiness.bank import current_questionnaire
from readiness.dialogue import ChatState, Conversation, UserTurn, text_bar
from readiness.model import NOT_APPLICABLE
from readiness.results import evaluate
from readiness.storage import Store


class Chat:
    """One simulated respondent talking to the engine, as the Rasa action would."""

    def __init__(self, conversation: Conversation, sender: str = "s1") -> None:
        self.conversation = conversation
        self.sender = sender
        self.state = ChatState()
        self.log: list = []

    def say(self, text: str, intent: str | None = None, confidence: float = 0.0, **entities) -> list:
        if text.startswith("/") and intent is None:
            intent, confidence = text[1:].split("{")[0], 1.0
        reply = self.conversation.handle(
            self.sender, self.state, UserTurn(text, intent, confidence, entities, {})
        )
        self.state = reply.state
        self.log.append(reply.messages)
        return list(reply.messages)

    def text(self) -> str:
        return "\n".join(m.text for m in self.log[-1])

    def current_item(self) -> str:
        return [m for m in self.log[-1] if m.data and "progress" in m.data][-1].data["progress"]["item"]

    def press(self, value) -> list:
        return self.say("/answer", "answer", 1.0, item=self.current_item(), likert=value)


@pytest.fixture
def store(tmp_path):
    s = Store(f"sqlite:///{tmp_path / 'r.db'}")
    yield s
    s.close()


@pytest.fixture
def conversation(store):
    return Conversation(store)


def onboard(chat: Chat, role: str = "nurse", department: str = "ICU", code: str | None = None) -> None:
    chat.say("hi", "greet", 0.95)
    assert chat.state.phase == "consent"
    chat.say("/affirm")
    assert chat.state.phase == "role"
    chat.say("/inform_role", "inform_role", 1.0, role=role)
    assert chat.state.phase == "department"
    chat.say(department)
    assert chat.state.phase == "organisation"
    if code is None:
        chat.say("/no_code")
    else:
        chat.say(f"my code is {code}", "inform_code", 0.9)
    assert chat.state.phase == "questionnaire"


def test_decline_stores_nothing(conversation, store):
    chat = Chat(conversation)
    chat.say("hello", "greet", 0.9)
    assert "patient data" in chat.text()
    chat.say("no", "deny", 0.9)
    assert chat.state.phase == "declined"
    assert "nothing has been stored" in chat.text()
    assert store.respondent_for_sender("s1") is None


def test_role_from_free_text_and_unknown_role(conversation):
    chat = Chat(conversation)
    chat.say("hi", "greet", 0.9)
    chat.say("yes please", "affirm", 0.9)
    chat.say("I juggle for a living", "inform_role", 0.4)
    assert chat.state.phase == "role" and "didn't recognise" in chat.text()
    chat.say("I'm an ICU nurse", "inform_role", 0.9)
    assert chat.state.role == "nurse"


def test_join_code_unknown_then_accepted(conversation, store):
    org, _token = store.create_organisation("St Example Hospital")
    chat = Chat(conversation)
    chat.say("hi", "greet", 0.9)
    chat.say("/affirm")
    chat.say("hospital IT", "inform_role", 0.9)
    chat.say("/skip")
    chat.say("code ZZZ-ZZZ", "inform_code", 0.9)
    assert chat.state.phase == "organisation" and "ZZZ-ZZZ" in chat.text()
    assert store.respondent_for_sender("s1") is None
    chat.say(org.join_code.lower().replace("-", ""), "inform_code", 0.9)
    assert chat.state.phase == "questionnaire"
    respondent = store.respondent_for_sender("s1")
    assert respondent.organisation_code == org.join_code and respondent.department is None
    assert "St Example Hospital" in chat.text()


def test_whole_assessment_stores_exactly_the_answers_and_shows_the_core_profile(conversation, store):
    questionnaire = current_questionnaire()
    chat = Chat(conversation)
    onboard(chat)
    items = questionnaire.items_for("nurse")
    typed = ["4", "strongly agree", "not really", "3 out of 5", "neutral", "five"]
    sent = {}
    for n, item in enumerate(items):
        assert chat.current_item() == item.id
        if n % 3 == 0:
            value = [1, 2, 3, 4, 5, NOT_APPLICABLE][n % 6]
            chat.press(value)
            sent[item.id] = value
        else:
            text = typed[n % len(typed)]
            chat.say(text, None, 0.0)
            sent[item.id] = {"4": 4, "strongly agree": 5, "not really": 2, "3 out of 5": 3, "neutral": 3, "five": 5}[text]
    assert chat.state.phase == "done"
    assessment = store.get_assessment(chat.state.assessment_id)
    assert assessment.completed
    assert store.answers(assessment.id) == sent
    expected = evaluate(questionnaire, "nurse", sent).profile
    summary = chat.text()
    assert f"{round(expected.overall)} / 100 — {expected.tier.name}" in summary
    for result in expected.challenges:
        assert f"{text_bar(result.score)} {round(result.score):>3}  {result.title}" in summary
    assert f"/me/{assessment.report_token}" in summary
    shown = [m for m in chat.log[-1] if m.data and "summary" in m.data][0].data["summary"]
    assert shown["overall"] == round(expected.overall, 1)


def test_progress_and_challenge_acknowledgement(conversation):
    questionnaire = current_questionnaire()
    chat = Chat(conversation)
    onboard(chat, role="it_admin")
    first = questionnaire.challenges[0].items_for("it_admin")
    for _ in first:
        chat.press(4)
    assert f"{questionnaire.challenges[0].title} done — 1 of 9" in chat.text()
    assert "Part 2 of 9" in chat.text()
    progress = [m for m in chat.log[-1] if m.data][-1].data["progress"]
    assert progress["challenge"] == 2 and progress["question"] == len(first) + 1
    assert progress["questions"] == len(questionnaire.items_for("it_admin"))


def test_interruptions_return_to_the_same_question(conversation, store):
    questionnaire = current_questionnaire()
    chat = Chat(conversation)
    onboard(chat)
    item = chat.current_item()
    chat.say("why do you ask?", "why", 0.9)
    assert questionnaire.item(item).why in chat.text() and chat.current_item() == item
    chat.say("what does HIPAA mean?", "define", 0.9)
    assert "HIPAA" in chat.text() and chat.current_item() == item
    chat.say("what does flibbertigibbet mean", "define", 0.9)
    assert "glossary" in chat.text() and chat.current_item() == item
    chat.say("how far am I?", "progress", 0.9)
    assert "0 of" in chat.text() and chat.current_item() == item
    chat.say("help", "help", 0.9)
    assert "go back" in chat.text() and chat.current_item() == item
    chat.say("tell me a joke", "chitchat", 0.9)
    assert chat.current_item() == item
    chat.say("what is my patient's potassium", "out_of_scope", 0.9)
    assert "patient" in chat.text() and chat.current_item() == item
    chat.say("blorp", None, 0.1)
    assert "couldn't read" in chat.text() and chat.current_item() == item
    chat.say("blorp again", None, 0.1)
    assert "buttons" in chat.text()
    assert store.answers(chat.state.assessment_id) == {}


def test_skip_go_back_and_change_answer(conversation, store):
    chat = Chat(conversation)
    onboard(chat)
    first = chat.current_item()
    chat.say("go back", "go_back", 0.9)
    assert "first statement" in chat.text()
    chat.press(2)
    second = chat.current_item()
    chat.say("skip", "skip", 0.9)
    third = chat.current_item()
    assert store.answers(chat.state.assessment_id) == {first: 2, second: NOT_APPLICABLE}
    chat.say("change my last answer", "go_back", 0.9)
    assert chat.current_item() == second and "Don't know" in chat.text()
    chat.say("go back", "go_back", 0.9)
    assert chat.current_item() == first and "2 – Disagree" in chat.text()
    chat.say("agree", "answer_agree", 0.9)
    assert chat.current_item() == third
    assert store.answers(chat.state.assessment_id) == {first: 4, second: NOT_APPLICABLE}


def test_pause_and_resume_in_a_new_session(conversation, store):
    chat = Chat(conversation, "old-session")
    onboard(chat)
    chat.press(5)
    current = chat.current_item()
    chat.say("pause", "pause", 0.9)
    assert chat.state.phase == "paused"
    code = store.get_assessment(chat.state.assessment_id).resume_code
    assert code in chat.text()
    chat.say("what now", None, 0.1)
    assert "paused" in chat.text()

    fresh = Chat(conversation, "new-session")
    fresh.say(f"resume {code.lower()}", "resume", 0.9)
    assert fresh.state.phase == "questionnaire" and fresh.current_item() == current
    assert store.respondent_for_sender("new-session").pseudonym == chat.state.respondent
    fresh.say("resume RES-ZZZZZZ", "resume", 0.9)
    assert "already" in fresh.text()
    other = Chat(conversation, "third")
    other.say("resume RES-ZZZZZZ", "resume", 0.9)
    assert "couldn't find" in other.text() and other.state.phase == "start"


def test_continue_after_pause_in_same_session(conversation):
    chat = Chat(conversation)
    onboard(chat)
    item = chat.current_item()
    chat.say("continue later", "pause", 0.9)
    chat.say("continue", "continue", 0.9)
    assert chat.state.phase == "questionnaire" and chat.current_item() == item


def test_start_over_and_stop_need_confirmation(conversation, store):
    chat = Chat(conversation)
    onboard(chat)
    first = chat.current_item()
    chat.press(3)
    chat.press(4)
    chat.say("start over", "start_over", 0.9)
    assert chat.state.pending == "start_over"
    chat.say("/deny")
    assert chat.state.pending is None and len(store.answers(chat.state.assessment_id)) == 2
    chat.say("start over", "start_over", 0.9)
    chat.say("banana", None, 0.0)
    assert chat.state.pending == "start_over" and "yes or no" in chat.text()
    chat.say("/affirm")
    assert store.answers(chat.state.assessment_id) == {} and chat.current_item() == first
    chat.press(5)
    chat.say("stop", "stop", 0.9)
    chat.say("yes", "affirm", 0.9)
    assert chat.state.phase == "paused" and "1 answers are kept" in chat.text()
    assert store.answers(chat.state.assessment_id) == {first: 5}


@pytest.mark.parametrize(
    "entities",
    [
        {"likert": 9},
        {"likert": 0},
        {"likert": "4"},
        {"likert": True},
        {"likert": None},
        {"likert": 3.5},
        {"likert": [4]},
    ],
)
def test_forged_payloads_store_nothing(conversation, store, entities):
    chat = Chat(conversation)
    onboard(chat)
    item = chat.current_item()
    chat.say("/answer", "answer", 1.0, item=item, **entities)
    assert store.answers(chat.state.assessment_id) == {} and chat.current_item() == item


def test_payload_for_another_question_is_refused(conversation, store):
    questionnaire = current_questionnaire()
    chat = Chat(conversation)
    onboard(chat)
    other = questionnaire.items_for("nurse")[5].id
    chat.say("/answer", "answer", 1.0, item=other, likert=4)
    assert "different question" in chat.text()
    assert store.answers(chat.state.assessment_id) == {}


@pytest.mark.parametrize(
    "text",
    ["", " ", "x" * 100_000, "😀😀😀", "نعم أوافق", "<script>alert(1)</script>", "'; DROP TABLE answers; --", "\x00\x1b[31m"],
)
def test_bad_text_gets_a_hint_and_stores_nothing(conversation, store, text):
    chat = Chat(conversation)
    onboard(chat)
    item = chat.current_item()
    chat.say(text, "nlu_fallback", 0.2)
    assert chat.current_item() == item
    assert store.answers(chat.state.assessment_id) == {}


@pytest.mark.parametrize("slot", [None, "garbage", {"phase": "hacked"}, {"assessment_id": "1; DROP"}, 42, {"misses": -1}])
def test_forged_or_broken_state_restarts_cleanly(slot):
    assert ChatState.from_slot(slot) == ChatState()


def test_state_round_trips_through_the_slot():
    state = ChatState(phase="questionnaire", role="nurse", assessment_id=3, revisit="x", misses=2)
    assert ChatState.from_slot(state.to_slot()) == state


def test_bad_department_is_refused(conversation):
    chat = Chat(conversation)
    chat.say("hi", "greet", 0.9)
    chat.say("/affirm")
    chat.say("/inform_role", "inform_role", 1.0, role="clinician")
    chat.say("Bed 4, patient John Smith MRN 123456 " * 3)
    assert chat.state.phase == "department"
    chat.say("Radiology")
    assert chat.state.department == "Radiology"


def test_org_code_from_widget_metadata_skips_the_question(conversation, store):
    org, _ = store.create_organisation("Metadata Hospital")
    chat = Chat(conversation)
    reply = conversation.handle("m1", ChatState(), UserTurn("hi", "greet", 0.9, {}, {"org": org.join_code}))
    chat.state, chat.sender = reply.state, "m1"
    chat.say("/affirm")
    chat.say("/inform_role", "inform_role", 1.0, role="leadership")
    chat.say("/skip")
    assert chat.state.phase == "questionnaire"
    assert store.respondent_for_sender("m1").organisation_code == org.join_code


def test_database_failure_keeps_state_and_asks_again(conversation, store, monkeypatch):
    from sqlalchemy import event
    from sqlalchemy.exc import OperationalError

    chat = Chat(conversation)
    onboard(chat)
    item = chat.current_item()
    before = chat.state

    def locked(conn, cursor, statement, parameters, context, executemany):
        if "answers" in statement and statement.lstrip().upper().startswith("INSERT"):
            raise OperationalError(statement, parameters, Exception("database is locked"))

    event.listen(store.engine, "before_cursor_execute", locked)
    chat.say("4")
    assert "couldn't save" in chat.text() and chat.state == before
    event.remove(store.engine, "before_cursor_execute", locked)
    assert store.answers(chat.state.assessment_id) == {}
    chat.say("4")
    assert store.answers(chat.state.assessment_id) == {item: 4}


def test_resend_after_a_lost_reply_answers_the_question_that_was_shown(conversation, store):
    """The action stored an answer but its reply (and new state) never arrived: the user sends
    the same words again with the old state. They answer what was on screen, not the next
    statement, which the respondent has never seen."""
    chat = Chat(conversation)
    onboard(chat)
    shown = chat.current_item()
    old_state = chat.state
    assert old_state.asked == shown
    chat.say("strongly agree")
    following = chat.current_item()
    chat.state = old_state  # the crash: the tracker never got the new state
    chat.say("agree")
    answers = store.answers(chat.state.assessment_id)
    assert answers == {shown: 4}
    assert following not in answers and chat.current_item() == following


def test_asked_never_points_outside_the_role(conversation, store):
    questionnaire = current_questionnaire()
    chat = Chat(conversation)
    onboard(chat, role="nurse")
    other = next(i.id for i in questionnaire.items_for("it_admin") if not i.asked_of("nurse"))
    chat.state = ChatState.from_slot({**chat.state.to_slot(), "asked": other})
    current = chat.current_item()
    chat.say("4")
    assert store.answers(chat.state.assessment_id) == {current: 4}


@pytest.mark.parametrize("sender", ["", "   ", "x" * 10_000])
def test_unusable_conversation_id_stores_nothing(conversation, store, sender):
    reply = conversation.handle(sender, ChatState(phase="consent"), UserTurn("resume RES-PFHWMS", "resume", 0.9))
    assert "couldn't save" in reply.messages[0].text and reply.state == ChatState(phase="consent")


@pytest.mark.parametrize(
    "text,role",
    [
        ("I'm the chief nursing officer", "leadership"),
        ("director of nursing", "leadership"),
        ("I'm an ICU nurse", "nurse"),
        ("CMIO", "leadership"),
        ("hospital IT", "it_admin"),
        ("data scientist", "ai_developer"),
        ("consultant radiologist", "clinician"),
    ],
)
def test_role_phrases_pick_the_longest_matching_alias(text, role):
    from readiness.matching import match_role

    assert match_role(current_questionnaire(), text).id == role


def test_one_transaction_per_turn(conversation, store):
    """Reading what a turn needs, storing the answer and completing the assessment: one unit."""
    from sqlalchemy import event

    chat = Chat(conversation)
    onboard(chat)
    begins: list[int] = []
    event.listen(store.engine, "begin", lambda connection: begins.append(1))
    turns = 0
    while chat.state.phase == "questionnaire":
        chat.press(3)
        turns += 1
    assert chat.state.phase == "done" and turns > 20
    assert len(begins) == turns


def test_the_assessment_records_the_content_it_was_started_and_finished_under(conversation, store):
    from readiness.live_content import current_content

    content = current_content()
    chat = Chat(conversation)
    onboard(chat)
    started = store.get_assessment(chat.state.assessment_id)
    assert (started.questionnaire_version, started.started_fingerprint) == (content.version, content.fingerprint)
    assert started.finished_fingerprint is None and started.finished_version is None
    while chat.state.phase == "questionnaire":
        chat.press(4)
    finished = store.get_assessment(chat.state.assessment_id)
    assert (finished.finished_version, finished.finished_fingerprint) == (content.version, content.fingerprint)


# --- typed answers: certain (echo), plausible (proposal), not an answer -----------------------

def _proposal(chat: Chat) -> dict:
    found = [m.data["confirm"] for m in chat.log[-1] if m.data and "confirm" in m.data]
    assert found, chat.text()
    return found[-1]


def _buttons(chat: Chat) -> list:
    return [b for m in chat.log[-1] for b in m.buttons]


def test_a_certain_typed_answer_is_stored_and_echoed(conversation, store):
    chat = Chat(conversation)
    onboard(chat)
    item = chat.current_item()
    chat.say("mostly agree")
    assert chat.log[-1][0].text == "Noted: 4 – Agree."
    assert store.answers(chat.state.assessment_id) == {item: 4}
    assert chat.current_item() != item and chat.state.proposal is None


def test_a_button_answer_is_not_echoed(conversation, store):
    chat = Chat(conversation)
    onboard(chat)
    item = chat.current_item()
    chat.press(4)
    assert "Noted" not in chat.text() and store.answers(chat.state.assessment_id) == {item: 4}


def test_a_plausible_reading_is_proposed_and_nothing_is_stored(conversation, store):
    from readiness.dialogue.render import answer_payload

    chat = Chat(conversation)
    onboard(chat)
    item = chat.current_item()
    chat.say("kind of true")
    assert "I read that as 4 – Agree. Is that right?" in chat.text()
    assert _proposal(chat) == {"item": item, "likert": 4}
    buttons = _buttons(chat)
    assert buttons[0].payload == answer_payload(item, 4) and buttons[0].title == "4 – Agree"
    assert [b.payload for b in buttons[1:]] == [
        answer_payload(item, v) for v in (1, 2, 3, 5, NOT_APPLICABLE)
    ]
    assert chat.current_item() == item and chat.state.asked == item
    assert store.answers(chat.state.assessment_id) == {}
    assert ChatState.from_slot(chat.state.to_slot()) == chat.state


@pytest.mark.parametrize("reply", ["yes", "Right", "correct", "that's right", "yep!"])
def test_typing_yes_confirms_the_proposal(conversation, store, reply):
    chat = Chat(conversation)
    onboard(chat)
    item = chat.current_item()
    chat.say("sort of false")
    chat.say(reply)
    assert store.answers(chat.state.assessment_id) == {item: 2}
    assert chat.current_item() != item and chat.state.proposal is None


def test_the_affirm_intent_confirms_but_an_agreement_replaces(conversation, store):
    chat = Chat(conversation)
    onboard(chat)
    first = chat.current_item()
    chat.say("sort of false")
    chat.say("yes that fits", "affirm", 0.9)
    assert store.answers(chat.state.assessment_id) == {first: 2}
    second = chat.current_item()
    chat.say("sort of false")
    chat.say("I agree", "affirm", 0.9)  # an answer of its own, not "yes, 2"
    assert store.answers(chat.state.assessment_id) == {first: 2, second: 4}


def test_the_proposed_button_confirms_with_one_tap(conversation, store):
    chat = Chat(conversation)
    onboard(chat)
    item = chat.current_item()
    chat.say("more or less")
    proposed = _proposal(chat)["likert"]
    chat.press(proposed)
    assert store.answers(chat.state.assessment_id) == {item: proposed}
    assert "Noted" not in chat.text()


def test_no_rejects_the_proposal_and_asks_again(conversation, store):
    chat = Chat(conversation)
    onboard(chat)
    item = chat.current_item()
    chat.say("kind of true")
    chat.say("no")
    assert "which answer fits best" in chat.text().lower()
    assert chat.current_item() == item and chat.state.proposal is None
    assert not any(m.data and "confirm" in m.data for m in chat.log[-1])
    assert store.answers(chat.state.assessment_id) == {}
    chat.say("no")  # with no proposal pending, "no" is an answer again
    assert store.answers(chat.state.assessment_id) == {item: 2}


def test_another_typed_answer_replaces_the_proposal(conversation, store):
    chat = Chat(conversation)
    onboard(chat)
    item = chat.current_item()
    chat.say("kind of true")
    chat.say("sort of false")
    assert _proposal(chat) == {"item": item, "likert": 2}
    assert store.answers(chat.state.assessment_id) == {}
    chat.say("strongly disagree")
    assert chat.log[-1][0].text == "Noted: 1 – Strongly disagree."
    assert store.answers(chat.state.assessment_id) == {item: 1}


def test_interruptions_keep_the_proposal(conversation, store):
    questionnaire = current_questionnaire()
    chat = Chat(conversation)
    onboard(chat)
    item = chat.current_item()
    chat.say("kind of true")
    chat.say("why do you ask?", "why", 0.9)
    assert questionnaire.item(item).why in chat.text()
    assert _proposal(chat) == {"item": item, "likert": 4}
    chat.say("start over", "start_over", 0.9)
    chat.say("/deny")
    assert _proposal(chat) == {"item": item, "likert": 4}
    chat.say("yes")
    assert store.answers(chat.state.assessment_id) == {item: 4}


def test_going_back_drops_the_proposal(conversation, store):
    chat = Chat(conversation)
    onboard(chat)
    first = chat.current_item()
    chat.press(3)
    chat.say("kind of true")
    chat.say("go back", "go_back", 0.9)
    assert chat.current_item() == first and chat.state.proposal is None
    chat.say("yes")  # an answer to the first statement now, not a confirmation
    assert store.answers(chat.state.assessment_id)[first] == 4


@pytest.mark.parametrize("text,term", [("EHR?", "EHR"), ("bias?", "bias")])
def test_a_term_question_gets_the_glossary_entry(conversation, store, text, term):
    chat = Chat(conversation)
    onboard(chat)
    item = chat.current_item()
    chat.say(text, "nlu_fallback", 0.3)
    assert chat.text().startswith(f"{term}: ") and "couldn't read" not in chat.text()
    assert chat.current_item() == item and store.answers(chat.state.assessment_id) == {}


def test_a_middling_nlu_answer_intent_is_proposed_never_stored(conversation, store):
    chat = Chat(conversation)
    onboard(chat)
    item = chat.current_item()
    chat.say("that resonates with me", "answer_agree", 0.5)
    assert _proposal(chat) == {"item": item, "likert": 4}
    chat.say("that resonates with me", "answer_agree", 0.95)
    assert _proposal(chat) == {"item": item, "likert": 4}
    chat.say("that resonates", "answer_agree", 0.3)
    assert "couldn't read" in chat.text()
    assert store.answers(chat.state.assessment_id) == {}


@pytest.mark.parametrize("forged", [
    {"proposed_item": "collab_feedback_channel", "proposed_value": 4},
    {"proposed_value": 9},
    {"proposed_value": True},
    {"proposed_value": "4"},
    {"proposed_item": None, "proposed_value": 4},
    {"proposed_value": None},
])
def test_a_forged_proposal_yields_a_clean_state(conversation, forged):
    chat = Chat(conversation)
    onboard(chat)
    chat.say("kind of true")
    slot = {**chat.state.to_slot(), **forged}
    assert ChatState.from_slot(slot) == ChatState()


@pytest.fixture(scope="module")
def evaluation_outcomes(tmp_path_factory):
    """Every case of tests/data/answers_eval.yml typed to its statement in the real engine (real
    store, in-process); a proposal is confirmed only when acceptable, else rejected with "no",
    like a careful respondent (bench/answers_eval.py drives the live bot the same way)."""
    from bench.answers_eval import EngineDriver, load_cases

    cases = load_cases()
    s = Store(f"sqlite:///{tmp_path_factory.mktemp('eval') / 'r.db'}")
    try:
        outcomes = EngineDriver(Conversation(s), s).run(cases)
    finally:
        s.close()
    assert len(outcomes) == len(cases) >= 300
    return outcomes


def test_every_stored_value_of_the_evaluation_came_from_a_certain_reading_or_a_confirmation(evaluation_outcomes):
    from bench.answers_eval import ASKED_AGAIN, CONFIRMED, REJECTED, STORED, WRONG

    for outcome in evaluation_outcomes:
        reading = outcome.reading
        if outcome.stored is not None:
            assert outcome.kind in (STORED, CONFIRMED, WRONG), outcome
            assert outcome.confirmed or (reading.certain and reading.value == outcome.stored), outcome
        if outcome.confirmed:
            assert outcome.kind == CONFIRMED and outcome.stored == outcome.proposed, outcome
        if outcome.kind in (REJECTED, ASKED_AGAIN):
            assert outcome.stored is None, outcome
        if outcome.kind == STORED:
            assert outcome.proposed is None and reading.certain, outcome
    # a plausible reading is proposed, never stored, and nothing else is proposed (typed text
    # carries no NLU intent here)
    assert all((o.proposed is not None) == (o.reading.value is not None and not o.reading.certain)
               for o in evaluation_outcomes)


def test_the_evaluation_file_stores_nothing_wrongly(evaluation_outcomes):
    """The issue's target. A failure lists the reader's certain misreadings (to be fixed in
    readiness/answers/ or answer_phrases.yml, never by editing the evaluation file)."""
    from bench.answers_eval import WRONG, _describe

    wrong = [_describe(o) for o in evaluation_outcomes if o.kind == WRONG]
    assert wrong == []


@pytest.mark.parametrize("text,intent,value", [
    ("pretty much", "chitchat", 4), ("almost always", "progress", 4), ("mostly agree", "stop", 4),
])
def test_an_answer_the_reader_is_sure_of_beats_a_misread_interruption(conversation, store, text, intent, value):
    chat = Chat(conversation)
    onboard(chat)
    item = chat.current_item()
    chat.say(text, intent, 0.8)
    assert store.answers(chat.state.assessment_id) == {item: value} and chat.state.pending is None


def test_skip_keeps_its_wording(conversation, store):
    chat = Chat(conversation)
    onboard(chat)
    item = chat.current_item()
    chat.say("skip", "skip", 0.95)
    assert "Skipped" in chat.text() and store.answers(chat.state.assessment_id) == {item: NOT_APPLICABLE}


@pytest.mark.parametrize("text", ["mostly, some pilots skip it", "agree, skip", "we skip it for urgent cases, mostly",
                                  # a content reply the learned model reads (NLU heard "opt-out" as skip)
                                  "opt-out exists on paper only"])
def test_nlu_skip_on_a_reply_with_answer_words_stores_nothing(conversation, store, text):
    # found by the live evaluation of the fourth blind set: NLU took "mostly, some pilots skip
    # it" for the skip command and "don't know" was stored; the reader sees answer words there
    chat = Chat(conversation)
    onboard(chat)
    item = chat.current_item()
    chat.say(text, "skip", 0.9)
    assert "Skipped" not in chat.text() and store.answers(chat.state.assessment_id).get(item) != NOT_APPLICABLE
    chat.say("skip this one", "skip", 0.95)  # the command itself still skips
    assert "Skipped" in chat.text() and store.answers(chat.state.assessment_id)[item] == NOT_APPLICABLE


@pytest.mark.parametrize("intent,proposed", [
    ("out_of_scope", True), ("chitchat", True), ("greet", True),  # reply-only: the proposal is more use
    ("progress", False), ("why", False), ("pause", False),  # an interruption that does something wins
])
def test_a_learned_proposal_outweighs_small_talk_but_not_a_command(conversation, store, intent, proposed):
    # found by the live run of the sixth blind set: NLU took content replies for small talk
    from readiness.answers import read_answer
    chat = Chat(conversation)
    onboard(chat)
    item = current_questionnaire().item(chat.current_item())
    text = next(t for t in ("pen tests every year and we pass them", "nobody ever told us anything about it",
                            "the trust put zero money into courses for this")
                if read_answer(t, item).rule == "learned")
    chat.say(text, intent, 0.9)
    assert (chat.state.proposal is not None) == proposed, chat.text()
    assert store.answers(chat.state.assessment_id) == {}  # a proposal stores nothing
