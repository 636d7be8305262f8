"""End-to-end: a trained Rasa server and the action server, driven over the REST channel.

Whole assessments for two roles mixing buttons and free text and every interruption; then the
database must hold exactly the intended answers and the profile the bot showed must equal what
the core computes. Also: bad input, and a bank edit picked up by the same trained model.
"""

from __future__ import annotations

import json
import re

import pytest
import yaml

from readiness.bank import load_questionnaire
from readiness.model import NOT_APPLICABLE
from readiness.results import evaluate
from readiness.storage import Store
from tests.bot_stack import data_of, start_bot, text_of

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def bot(tmp_path_factory):
    stack = start_bot(tmp_path_factory.mktemp("bot"))
    yield stack
    stack.stop()
    assert "Traceback" not in stack.logs(), stack.logs()[-5000:]


@pytest.fixture(scope="module")
def store(bot):
    s = Store(bot.database_url)
    yield s
    s.close()


class Respondent:
    def __init__(self, bot, sender: str):
        self.bot, self.sender, self.last = bot, sender, []

    def say(self, message: str, metadata: dict | None = None) -> str:
        self.last = self.bot.send(self.sender, message, metadata)
        assert self.last, f"no reply to {message!r}"
        return text_of(self.last)

    @property
    def item(self) -> str:
        progress = data_of(self.last, "progress")
        assert progress is not None, text_of(self.last)
        return progress["item"]

    def press(self, title_start: str) -> str:
        buttons = [b for m in self.last for b in m.get("buttons", [])]
        button = next(b for b in buttons if b["title"].startswith(title_start))
        return self.say(button["payload"])


def onboard(person: Respondent, role_text: str, code: str | None) -> None:
    assert "patient data" in person.say("hi")
    person.press("Yes")
    person.say(role_text)
    assert "department" in text_of(person.last)
    person.press("Skip")
    if code:
        assert "You're answering for" in person.say(f"our code is {code}")
    else:
        person.press("I don't have one")


def test_nurse_full_assessment_with_every_interruption(bot, store):
    organisation, _token = store.create_organisation("E2E General")
    questionnaire = load_questionnaire(bot.content_dir)
    items = [i.id for i in questionnaire.items_for("nurse")]
    nurse = Respondent(bot, "e2e-nurse")
    onboard(nurse, "I'm an ICU nurse", organisation.join_code)
    expected: dict = {}

    assert nurse.item == items[0]
    assert questionnaire.item(items[0]).why in nurse.say("why do you ask?")
    assert nurse.item == items[0]
    nurse.press("4")
    expected[items[0]] = 4

    assert "HIPAA" in nurse.say("what does HIPAA mean?")
    nurse.say("strongly agree")
    expected[items[1]] = 5

    nurse.say("skip")
    expected[items[2]] = NOT_APPLICABLE
    assert nurse.item == items[3]
    assert "Going back" in nurse.say("go back")
    assert nurse.item == items[2]
    nurse.say("3 out of 5")
    expected[items[2]] = 3
    assert nurse.item == items[3]

    assert "3 of" in nurse.say("how far am I?")
    nurse.say("not really")
    expected[items[3]] = 2

    paused = nurse.say("pause")
    code = re.search(r"RES-[A-Z0-9]{6}", paused).group(0)
    nurse = Respondent(bot, "e2e-nurse-new-session")
    nurse.say(f"resume {code}")
    assert nurse.item == items[4]
    nurse.say("agree")
    expected[items[4]] = 4

    nurse.say("start over")
    nurse.press("No")
    assert nurse.item == items[5]
    assert "why do you ask" in nurse.say("help")
    nurse.say("tell me a joke")
    assert nurse.item == items[5]
    assert "patient" in nurse.say("what is my patient's potassium level?")
    assert "couldn't read" in nurse.say("purple monkey dishwasher")
    assert nurse.item == items[5]
    nurse.say("5")
    expected[items[5]] = 5

    nurse.say("stop")
    assert "kept" in nurse.press("Yes")
    assert "here's where you stopped" in nurse.say("continue")
    assert nurse.item == items[6]
    nurse.press("2")
    expected[items[6]] = 2
    nurse.say("change my last answer")
    assert nurse.item == items[6]
    nurse.press("1")
    expected[items[6]] = 1

    free_text = ["agree", "neutral", "4/5", "strongly disagree", "don't know", "two"]
    values = [4, 3, 4, 1, NOT_APPLICABLE, 2]
    for n, item_id in enumerate(items[7:]):
        assert nurse.item == item_id
        if n % 2:
            label = ["1", "2", "3", "4", "5", "Don't know"][n % 6]
            nurse.press(label)
            expected[item_id] = NOT_APPLICABLE if label == "Don't know" else int(label)
        else:
            nurse.say(free_text[n % 6])
            expected[item_id] = values[n % 6]

    summary = data_of(nurse.last, "summary")
    assert summary is not None, text_of(nurse.last)
    respondent = store.respondent_for_sender("e2e-nurse-new-session")
    assert respondent.organisation_code == organisation.join_code and respondent.role == "nurse"
    assessment = store.open_assessment(respondent.pseudonym) or store.assessment_by_report_token(
        summary["scorecard"].rsplit("/", 1)[-1])
    assert assessment.completed
    assert store.answers(assessment.id) == expected

    profile = evaluate(questionnaire, "nurse", expected).profile
    assert summary["overall"] == round(profile.overall, 1)
    assert summary["tier"] == profile.tier.name
    assert summary["challenges"] == {
        c.challenge_id: None if c.score is None else round(c.score, 1) for c in profile.challenges
    }
    assert f"{round(profile.overall)} / 100 — {profile.tier.name}" in text_of(nurse.last)
    assert summary["scorecard"] == f"http://scorecards.test/me/{assessment.report_token}"


def test_it_admin_start_over_and_buttons_only(bot, store):
    questionnaire = load_questionnaire(bot.content_dir)
    items = [i.id for i in questionnaire.items_for("it_admin")]
    admin = Respondent(bot, "e2e-it")
    onboard(admin, "hospital IT", None)
    admin.press("5")
    admin.press("4")
    assert "Start over" in admin.say("start over")
    admin.press("Yes")
    assert admin.item == items[0]
    expected = {}
    for n, item_id in enumerate(items):
        assert admin.item == item_id
        label = str((n % 5) + 1)
        admin.press(label)
        expected[item_id] = int(label)
    respondent = store.respondent_for_sender("e2e-it")
    assert respondent.organisation_code is None
    summary = data_of(admin.last, "summary")
    assessment = store.assessment_by_report_token(summary["scorecard"].rsplit("/", 1)[-1])
    assert store.answers(assessment.id) == expected
    profile = evaluate(questionnaire, "it_admin", expected).profile
    assert summary["overall"] == round(profile.overall, 1)


BAD_INPUTS = [
    "",
    "x" * 100_000,
    "😀🙃🔥",
    "我同意这个说法",
    "مرحبا",
    "<script>alert('x')</script>",
    "'; DROP TABLE answers; --",
    '/answer{"likert": 9}',
    '/answer{"item": "not_the_current_item", "likert": 4}',
    '/answer{"likert": "4; DROP"}',
    '/inform_role{"role": "surgeon"}',
    '/chat_state{"phase": "done"}',
    "/nonexistent_intent",
]


def test_bad_input_is_answered_and_stores_nothing(bot, store):
    person = Respondent(bot, "e2e-bad")
    onboard(person, "data scientist", None)
    respondent = store.respondent_for_sender("e2e-bad")
    assessment = store.open_assessment(respondent.pseudonym)
    item = person.item
    for message in BAD_INPUTS:
        replies = bot.send("e2e-bad", message)
        assert replies, f"no reply to {message[:40]!r}"
        assert store.answers(assessment.id) == {}, message[:40]
    person.say("hello")
    assert person.item == item


def test_bank_edit_is_asked_by_the_same_model(bot):
    bank_file = bot.content_dir / "bank.yml"
    bank = yaml.safe_load(bank_file.read_text())
    first = bank["challenges"][0]["items"][0]
    first["text"] = "Edited during the test: our AI tools keep data safe."
    bank_file.write_text(yaml.safe_dump(bank, sort_keys=False, allow_unicode=True))
    person = Respondent(bot, "e2e-edit")
    onboard(person, "physician", None)
    assert "Edited during the test" in text_of(person.last)


def test_typed_answers_are_echoed_proposed_and_confirmed_over_rest(bot, store):
    """The three outcomes through real NLU: a certain answer is echoed, a plausible one is
    proposed (stored only once confirmed, by its first quick reply or by typing "yes"), "no"
    rejects a proposal and another typed answer replaces it."""
    person = Respondent(bot, "e2e-confirm")
    onboard(person, "I'm an ICU nurse", None)
    assessment = store.open_assessment(store.respondent_for_sender("e2e-confirm").pseudonym)
    first = person.item

    assert "I read that as 4 – Agree. Is that right?" in person.say("kind of true")
    assert data_of(person.last, "confirm") == {"item": first, "likert": 4}
    assert person.item == first and store.answers(assessment.id) == {}
    buttons = [b for m in person.last for b in m.get("buttons", [])]
    assert buttons[0] == {"title": "4 – Agree", "payload": f'/answer{{"item": "{first}", "likert": 4}}'}
    assert len(buttons) == 6
    reply = person.say(buttons[0]["payload"])
    assert "Noted" not in reply and store.answers(assessment.id) == {first: 4}

    second = person.item
    assert person.say("mostly agree").startswith("Noted: 4 – Agree.")
    assert store.answers(assessment.id) == {first: 4, second: 4}

    third = person.item
    person.say("sort of false")
    assert data_of(person.last, "confirm") == {"item": third, "likert": 2}
    assert "which answer fits best" in person.say("no").lower()
    assert person.item == third and data_of(person.last, "confirm") is None
    person.say("sort of false")
    assert data_of(person.last, "confirm") == {"item": third, "likert": 2}
    person.say("kind of true")  # replaces the proposal
    assert data_of(person.last, "confirm") == {"item": third, "likert": 4}
    assert "Why we ask" in person.say("why do you ask?")
    assert data_of(person.last, "confirm") == {"item": third, "likert": 4}
    person.say("yes")
    assert store.answers(assessment.id) == {first: 4, second: 4, third: 4}
    assert person.item != third
