"""The patients' survey in the conversation engine (no Rasa): opened with the patient audience,
plain consent, no role/department/health questions, at most six statements with patient-word
buttons, the same interruptions, stored as audience patient and kept out of staff scores."""

from __future__ import annotations

import pytest

from readiness.dialogue import ChatState, Conversation, UserTurn
from readiness.live_content import current_content
from readiness.scorecard import load_organisation_scorecard
from readiness.storage import Store

PATIENT_WORDS = ["Yes, definitely", "Yes, mostly", "Partly", "Not really", "No, not at all", "Not sure"]


class PatientChat:
    def __init__(self, conversation: Conversation, sender: str, code: str | None) -> None:
        self.conversation, self.sender = conversation, sender
        self.metadata = {"audience": "patient", **({"org": code} if code else {})}
        self.state = ChatState()
        self.log: list = []

    def say(self, text: str, intent: str | None = None, confidence: float = 0.0, **entities) -> list:
        if text.startswith("/") and intent is None:
            intent, confidence = text[1:].split("{")[0], 1.0
        reply = self.conversation.handle(self.sender, self.state, UserTurn(text, intent, confidence, entities, self.metadata))
        self.state = reply.state
        self.log.append(reply.messages)
        return list(reply.messages)

    def text(self) -> str:
        return "\n".join(m.text for m in self.log[-1])

    def question(self):
        found = [m for m in self.log[-1] if m.data and "progress" in m.data and not m.data["progress"].get("complete")]
        return found[-1] if found else None

    def press(self, value) -> list:
        item = self.question().data["progress"]["item"]
        return self.say("/answer", "answer", 1.0, item=item, likert=value)


@pytest.fixture
def store(tmp_path):
    s = Store(f"sqlite:///{tmp_path / 'r.db'}")
    yield s
    s.close()


@pytest.fixture
def org(store):
    organisation, _ = store.create_organisation("St Mary's")
    return organisation.join_code


def test_patient_flow_asks_no_role_and_at_most_six_statements(store, org):
    chat = PatientChat(Conversation(store), "p1", org)
    chat.say("hi", "greet", 0.95)
    assert "survey for patients" in chat.text() and "do not ask your name or anything about your health" in chat.text()
    assert [b.title for b in chat.log[-1][-1].buttons] == ["Yes, I'm happy to", "No, thank you"]
    chat.say("/affirm")
    assert "Your answers go to St Mary's" in chat.text()
    asked, statements = [], {s.id for s in current_content().patient.statements}
    texts = []
    while chat.question() is not None:
        message = chat.question()
        assert [b.title for b in message.buttons] == PATIENT_WORDS
        asked.append(message.data["progress"]["item"])
        texts.append(chat.text())
        chat.press(5 if len(asked) % 2 else "n/a")
    everything = "\n".join(texts).lower()
    assert "role" not in everything and "department" not in everything
    assert 1 <= len(asked) <= 6 and set(asked) == statements
    assert chat.state.phase == "done" and "Thank you for helping your hospital" in chat.text()
    done = chat.log[-1][-1].data["progress"]  # any client can show the survey as finished
    assert done["complete"] is True and done["answered"] == done["questions"] == len(asked)
    assert "readiness index" not in chat.text().lower()
    respondent = store.respondent_for_sender("p1")
    assert (respondent.audience, respondent.role, respondent.department) == ("patient", "patient", None)
    # kept out of the staff figures, shown in their own section
    assert len(store.answers_frame(org)) == 0
    assert len(store.answers_frame(org, audience="patient")) == len(asked)
    assert load_organisation_scorecard(store, org).respondents == 0


def test_typed_answers_and_interruptions_work_for_patients(store, org):
    chat = PatientChat(Conversation(store), "p2", org)
    chat.say("hello", "greet", 0.9)
    chat.say("/affirm")
    first = chat.question().data["progress"]["item"]
    chat.say("why do you ask?", "why", 0.9)
    assert chat.text().startswith("Why we ask:") and chat.question().data["progress"]["item"] == first
    chat.say("help", "help", 0.9)
    assert "skip" in chat.text() and chat.question() is not None
    chat.say("yes definitely")
    second = chat.question().data["progress"]["item"]
    assert second != first
    chat.say("skip", "skip", 0.95)
    assert "skip that one" in chat.text()
    chat.say("Not sure")
    chat.say("stop", "stop", 0.95)
    assert "stop now" in chat.text()
    chat.say("/affirm")
    assert chat.state.phase == "paused" and "Thank you for your 3 answer(s)" in chat.text()
    pseudonym = store.respondent_for_sender("p2").pseudonym
    answers = store.answers(store.open_assessment(pseudonym).id)
    assert answers[first] == 5 and list(answers.values())[1:] == ["n/a", "n/a"]


def test_patient_without_code_stores_nothing_and_decline_stores_nothing(store, org):
    chat = PatientChat(Conversation(store), "p3", None)
    chat.say("hi", "greet", 0.9)
    chat.say("/affirm")
    assert "hospital code from the poster" in chat.text()
    chat.say("/no_code")
    assert "patients of hospitals taking part" in chat.text()
    chat.say("XYZ-QQQ")
    assert "can't find the code XYZ-QQQ" in chat.text()
    assert store.respondent_for_sender("p3") is None
    chat.say(org)
    assert chat.question() is not None and store.respondent_for_sender("p3").audience == "patient"
    no = PatientChat(Conversation(store), "p4", org)
    no.say("hi", "greet", 0.9)
    no.say("/deny")
    assert "Nothing has been saved" in no.text() and store.respondent_for_sender("p4") is None


def test_staff_conversation_is_unchanged_without_the_audience(store, org):
    reply = Conversation(store).handle("s1", ChatState(), UserTurn("hi", "greet", 0.9, {}, {"org": org}))
    assert "patients" not in reply.messages[0].text.lower() or "staff" in reply.messages[0].text.lower()
    assert reply.state.role is None and reply.state.phase == "consent"


def test_a_patient_resumes_with_the_code_in_a_new_chat_with_or_without_the_audience(store, org):
    chat = PatientChat(Conversation(store), "p5", org)
    chat.say("hi", "greet", 0.9)
    chat.say("/affirm")
    first = chat.question().data["progress"]["item"]
    chat.press(5)
    chat.say("stop", "stop", 0.95)
    chat.say("/affirm")
    pseudonym = store.respondent_for_sender("p5").pseudonym
    code = store.open_assessment(pseudonym).resume_code
    assert code in chat.text()  # the patient is told how to carry on
    for sender, metadata in (("p5-phone", {}), ("p5-tablet", {"audience": "patient"})):
        later = PatientChat(Conversation(store), sender, None)
        later.metadata = metadata  # a bare chat (no ?audience=patient), or the patient link without a code
        later.say(f"resume {code}")
        assert "Welcome back" in later.text() and [b.title for b in later.question().buttons] == PATIENT_WORDS
        assert later.question().data["progress"]["item"] != first  # where they stopped
        assert later.state.role == "patient" and store.respondent_for_sender(sender).pseudonym == pseudonym
    later.metadata = {}  # the next turns need no metadata either: the conversation is a patient's
    while later.question() is not None:
        later.press(4)
    assert "Thank you for helping your hospital" in later.text() and later.state.phase == "done"
    frame = store.answers_frame(org, audience="patient")
    assert frame["completed"].all() and frame["respondent"].nunique() == 1
    assert dict(zip(frame["item_id"].astype(str), frame["value"]))[first] == 5  # the first answer kept
    assert len(store.answers_frame(org)) == 0  # still out of the staff figures


def test_a_staff_code_resumes_a_staff_assessment_even_in_a_patient_chat(store, org):
    conversation = Conversation(store)
    state = ChatState()
    for text, intent, entities in (("hi", "greet", {}), ("/affirm", "affirm", {}),
                                   ("/inform_role", "inform_role", {"role": "nurse"}), ("ICU", None, {}),
                                   (f"my code is {org}", "inform_code", {})):
        state = conversation.handle("s9", state, UserTurn(text, intent, 1.0, entities, {})).state
    assert state.phase == "questionnaire"
    pseudonym = store.respondent_for_sender("s9").pseudonym
    code = store.open_assessment(pseudonym).resume_code
    reply = conversation.handle("s9-new", ChatState(), UserTurn(f"resume {code}", None, 0.0, {}, {"audience": "patient"}))
    assert reply.state.role == "nurse" and reply.state.phase == "questionnaire"
    assert "patients" not in " ".join(m.text for m in reply.messages).lower()
