"""Content edited while the bot runs (real Rasa and action server): every turn gets a reply,
the last valid content is served through a broken edit, a removed statement is no longer
asked, a reworded one is asked in its new words, and the respondent always reaches the summary.
"""

from __future__ import annotations

import pytest
import yaml
from sqlalchemy import text

from readiness.storage import Store
from tests.bot_stack import data_of, start_bot, text_of

pytestmark = pytest.mark.slow

#: Enough presses for the longest role's assessment, with room for re-asked statements.
MAX_TURNS = 80


@pytest.fixture(scope="module")
def bot(tmp_path_factory):
    stack = start_bot(tmp_path_factory.mktemp("live"))
    yield stack
    stack.stop()
    assert "Traceback" not in stack.logs(), stack.logs()[-5000:]


@pytest.fixture
def bank(bot):
    """Read/write the running bot's bank.yml; restored after the test."""
    path = bot.content_dir / "bank.yml"
    original = path.read_text()
    yield path
    path.write_text(original)


class Person:
    def __init__(self, bot, sender: str) -> None:
        self.bot, self.sender, self.last = bot, sender, []

    def say(self, message: str) -> str:
        self.last = self.bot.send(self.sender, message)
        assert self.last, f"no reply to {message!r}"
        return text_of(self.last)

    def press(self, title_start: str) -> str:
        buttons = [b for m in self.last for b in m.get("buttons", [])]
        return self.say(next(b for b in buttons if b["title"].startswith(title_start))["payload"])

    @property
    def item(self) -> str | None:
        progress = data_of(self.last, "progress")
        return None if progress is None else progress["item"]

    def onboard(self, role: str = "physician") -> None:
        self.say("hi")
        self.press("Yes")
        self.say(role)
        self.press("Skip")
        self.press("I don't have one")
        assert self.item is not None, text_of(self.last)

    def answer_until_done(self) -> list[str]:
        asked = []
        for _ in range(MAX_TURNS):
            if data_of(self.last, "summary") is not None:
                return asked
            asked.append(self.item)
            self.press("3 –")
        raise AssertionError(f"no summary after {MAX_TURNS} answers: {text_of(self.last)}")


def edit_items(path, change) -> None:
    data = yaml.safe_load(path.read_text())
    change(data)
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True))


def stored(bot, sender: str, item_id: str) -> tuple[list, tuple]:
    """(answers stored for `item_id`, (started fingerprint, finished fingerprint, completed_at))
    of the conversation's respondent, read straight from the database."""
    query = (
        "select {} from assessments s join respondents r on r.id = s.respondent_id "
        "left join answers a on a.assessment_id = s.id and a.item_id = :i where r.sender_id = :s"
    )
    with Store(bot.database_url) as store, store.engine.connect() as db:
        answers = db.execute(text(query.format("a.value")), {"s": sender, "i": item_id}).scalars().all()
        versions = db.execute(text(query.format(
            "distinct s.started_fingerprint, s.finished_fingerprint, s.completed_at"
        )), {"s": sender, "i": item_id}).one()
    return answers, tuple(versions)


def test_invalid_yaml_mid_conversation_keeps_the_bot_answering(bot, bank):
    person = Person(bot, "live-broken")
    person.onboard()
    person.press("4 –")
    good = bank.read_text()
    bank.write_text(good + "\n  : this is: [not yaml\n")
    for _ in range(3):  # several turns on the broken file: each answered, each answer stored
        before = person.item
        person.press("4 –")
        assert person.item not in (None, before), text_of(person.last)
    person.say("why is this asked?")
    assert person.item is not None
    actions_log = bot.services[0].log.read_text(errors="replace")
    assert actions_log.count("content edit refused") == 1, actions_log[-3000:]  # once per change
    assert f"{bank}:" in actions_log  # names the file and line
    bank.write_text(good)
    person.answer_until_done()
    answers, (_, _, completed) = stored(bot, "live-broken", "no-such-item")
    assert completed is not None
    assert "Traceback" not in bot.logs()


def test_answered_statement_removed_mid_assessment(bot, bank):
    person = Person(bot, "live-removed")
    person.onboard()
    first = person.item
    person.press("5 –")
    second = person.item

    def drop_first(data):
        for challenge in data["challenges"]:
            challenge["items"] = [item for item in challenge["items"] if item["id"] != first]

    edit_items(bank, drop_first)
    asked = [second, *person.answer_until_done()]
    assert first not in asked
    answers, (started, finished, completed) = stored(bot, "live-removed", first)
    assert answers == [5]  # the answer to the removed statement is kept (and not scored)
    assert completed is not None and started and finished and started != finished


def test_reworded_statement_is_asked_in_its_new_words(bot, bank):
    person = Person(bot, "live-reworded")
    person.onboard()
    shown = person.item
    person.press("2 –")
    upcoming = person.item

    def reword(data):
        for challenge in data["challenges"]:
            for item in challenge["items"]:
                if item["id"] in (shown, upcoming):
                    item["text"] = f"Reworded live: statement {item['id']} in plainer words."

    edit_items(bank, reword)
    reply = person.say("why?")  # re-asks the statement on screen, now in its new words
    assert f"Reworded live: statement {upcoming}" in reply
    person.say("go back")
    assert f"Reworded live: statement {shown}" in text_of(person.last)
    person.press("2 –")
    person.answer_until_done()
