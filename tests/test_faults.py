"""Faults on the real stack: SIGKILLed servers, a locked database, and 200 assessments through them.

What must hold (issue 6): after the action server or the Rasa server is killed with SIGKILL and
started again, the conversation continues at the same question and no answer is lost; while the
database cannot be written the bot says it could not save and nothing is half-written, and after
recovery the same answer is stored exactly once. A user whose message got no reply sends it again,
as a person would; the tests do the same and check that the resend stored exactly one answer.
"""

from __future__ import annotations

import random
import threading
import time
from dataclasses import dataclass, field

import pytest
from sqlalchemy import func, select

from readiness.bank import load_questionnaire
from readiness.model import NOT_APPLICABLE
from readiness.storage import Store
from readiness.storage.schema import Answer, Assessment, Respondent
from tests.bot_stack import data_of, text_of
from tests.faults_stack import SAVE_FAILED, FaultyBot, TurnLost, start_faulty_bot

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def bot(tmp_path_factory):
    stack = start_faulty_bot(tmp_path_factory.mktemp("faults"))
    yield stack
    stack.stop()


@pytest.fixture(scope="module")
def store(bot):
    s = Store(bot.database_url)
    yield s
    s.close()


class Person:
    """One respondent on the REST channel."""

    def __init__(self, bot: FaultyBot, sender: str) -> None:
        self.bot, self.sender, self.last = bot, sender, []

    def say(self, message: str) -> str:
        self.last = self.bot.send(self.sender, message)
        return text_of(self.last)

    @property
    def item(self) -> str:
        progress = data_of(self.last, "progress")
        assert progress is not None, text_of(self.last)
        return progress["item"]

    def payload(self, title_start: str) -> str:
        buttons = [b for m in self.last for b in m.get("buttons", [])]
        return next(b["payload"] for b in buttons if b["title"].startswith(title_start))

    def onboard(self, role_text: str) -> None:
        assert "patient data" in self.say("hi")
        self.say("/affirm")
        self.say(role_text)
        self.say("/skip")
        self.say("/no_code")
        assert data_of(self.last, "progress") is not None, text_of(self.last)


def counts(store: Store) -> tuple[int, int, int]:
    with store.session_scope() as session:
        return tuple(session.execute(select(func.count()).select_from(table)).scalar_one()
                     for table in (Respondent, Assessment, Answer))  # type: ignore[return-value]


def open_assessment_id(store: Store, sender: str) -> int:
    respondent = store.respondent_for_sender(sender)
    assert respondent is not None
    assessment = store.open_assessment(respondent.pseudonym)
    assert assessment is not None
    return assessment.id


def nurse_items(bot: FaultyBot) -> list[str]:
    return [i.id for i in load_questionnaire(bot.stack.content_dir).items_for("nurse")]


def test_action_server_killed_mid_assessment_continues_at_the_same_question(bot, store):
    items = nurse_items(bot)
    person = Person(bot, "fault-actions")
    person.onboard("I'm a nurse")
    assessment = open_assessment_id(store, person.sender)
    person.say("agree")
    person.say(person.payload("5"))
    person.say("not really")
    expected = {items[0]: 4, items[1]: 5, items[2]: 2}
    assert person.item == items[3]

    bot.kill("actions")
    with pytest.raises(TurnLost):
        person.say("strongly disagree")
    assert store.answers(assessment) == expected
    bot.restart("actions")

    person.say("strongly disagree")  # the user sends it again
    expected[items[3]] = 1
    assert person.item == items[4]
    assert store.answers(assessment) == expected
    person.say(person.payload("Don't know"))
    expected[items[4]] = NOT_APPLICABLE
    assert person.item == items[5]
    assert store.answers(assessment) == expected


def test_rasa_killed_mid_assessment_continues_at_the_same_question(bot, store):
    items = nurse_items(bot)
    person = Person(bot, "fault-rasa")
    person.onboard("ICU nurse")
    assessment = open_assessment_id(store, person.sender)
    person.say("agree")
    person.say(person.payload("2"))
    expected = {items[0]: 4, items[1]: 2}
    assert person.item == items[2]

    bot.kill("rasa")
    with pytest.raises(TurnLost):
        person.say("neutral")
    bot.restart("rasa")
    assert store.answers(assessment) == expected

    # The chat_state slot came back from the SQL tracker store: same question, same assessment.
    person.say("why do you ask?")
    assert person.item == items[2]
    person.say("neutral")
    expected[items[2]] = 3
    assert person.item == items[3]
    assert open_assessment_id(store, person.sender) == assessment
    assert store.answers(assessment) == expected


def test_database_unavailable_says_so_and_stores_the_answer_once_after_recovery(bot, store):
    items = nurse_items(bot)
    person = Person(bot, "fault-db")

    # During onboarding: the respondent and the assessment are written together or not at all.
    assert "patient data" in person.say("hi")
    person.say("/affirm")
    person.say("nurse")
    person.say("/skip")
    before = counts(store)
    with bot.database_locked():
        assert SAVE_FAILED in person.say("/no_code")
        assert counts(store) == before
    assert store.respondent_for_sender(person.sender) is None
    person.say("/no_code")
    assert person.item == items[0]
    assessment = open_assessment_id(store, person.sender)

    person.say("agree")
    expected = {items[0]: 4}
    before = counts(store)
    with bot.database_locked():
        reply = person.say(person.payload("2"))
        assert SAVE_FAILED in reply and "again" in reply
        assert data_of(person.last, "progress") is None
        reply = person.say("strongly agree")
        assert SAVE_FAILED in reply
        assert store.answers(assessment) == expected
    assert counts(store) == before

    person.say("strongly agree")  # after recovery, sent again
    expected[items[1]] = 5
    assert person.item == items[2]
    assert store.answers(assessment) == expected
    assert counts(store) == (before[0], before[1], before[2] + 1)


# --- 200 assessments through random faults ------------------------------------------------------

ASSESSMENTS = 200
WORKERS = 8
ROLES = {"nurse": "I'm a nurse", "it_admin": "hospital IT"}
FREE_TEXT = {"agree": 4, "4": 4, "not really": 2, "strongly disagree": 1, "neutral": 3, "don't know": NOT_APPLICABLE}


@dataclass
class Tally:
    lock: threading.Lock = field(default_factory=threading.Lock)
    turns: int = 0
    lost: int = 0
    save_failed: int = 0
    resent_answers: int = 0
    resends_checked: int = 0
    confirmations: int = 0
    completed: int = 0
    problems: list[str] = field(default_factory=list)

    def add(self, name: str, amount: int = 1) -> None:
        with self.lock:
            setattr(self, name, getattr(self, name) + amount)


class Faults:
    """Injects seeded faults when the shared turn counter passes seeded thresholds."""

    def __init__(self, bot: FaultyBot, tally: Tally, rng: random.Random, total_turns: int) -> None:
        self.bot, self.tally = bot, tally
        kinds = ["actions"] * 4 + ["db"] * 4 + ["rasa"]
        rng.shuffle(kinds)
        points = sorted(rng.sample(range(total_turns // 20, total_turns * 8 // 10), len(kinds)))
        self.plan = list(zip(points, kinds))
        self.pauses = [rng.uniform(0.0, 1.0) for _ in kinds]
        self.healthy = threading.Event()
        self.healthy.set()
        self.done = threading.Event()
        self.injected: list[str] = []

    def run(self) -> None:
        for (point, kind), pause in zip(self.plan, self.pauses):
            while self.tally.turns < point:
                if self.done.wait(0.05):
                    return
            self.injected.append(f"{kind}@{self.tally.turns}")
            if kind == "db":
                with self.bot.database_locked_for(1.5):
                    pass
                continue
            self.healthy.clear()
            self.bot.kill(kind)
            time.sleep(pause)
            self.bot.restart(kind)
            self.healthy.set()


def run_respondent(bot: FaultyBot, store: Store, faults: Faults, tally: Tally, number: int,
                   rng: random.Random, order: dict[str, list[str]]) -> None:
    sender = f"fault-load-{number}"
    role = list(ROLES)[number % len(ROLES)]
    items = order[role]
    last: list[dict] = []

    def turn(message: str) -> tuple[list[dict], int]:
        """Send until the bot answers; returns the reply and how many times it was resent."""
        resends = 0
        for _attempt in range(400):
            try:
                reply = bot.send(sender, message)
            except TurnLost:
                tally.add("lost")
                faults.healthy.wait(300)
                time.sleep(0.2)
                resends += 1
                continue
            if SAVE_FAILED in text_of(reply):
                tally.add("save_failed")
                time.sleep(0.3)
                resends += 1
                continue
            tally.add("turns")
            return reply, resends
        raise AssertionError(f"{sender}: no reply to {message!r} after 400 tries")

    last, _ = turn("hi")
    for message in ("/affirm", ROLES[role] if rng.random() < 0.5 else f'/inform_role{{"role": "{role}"}}',
                    "/skip", "/no_code"):
        last, _ = turn(message)
    assessment = open_assessment_id(store, sender)
    sent: dict[str, object] = {}
    position = 0
    resent_last = False
    while True:
        progress = data_of(last, "progress")
        if progress is None:
            tally.problems.append(f"{sender}: expected question {items[position]}, got {text_of(last)[:200]!r}")
            return
        if progress["item"] != items[position]:
            skipped = position + 1 < len(items) and progress["item"] == items[position + 1]
            tally.problems.append(
                f"{sender}: asked {progress['item']} instead of {items[position]}"
                + (" — a resend whose lost reply had already stored its answer was applied to the"
                   " next question" if skipped and resent_last else "")
            )
            return
        if rng.random() < 0.5:
            message = rng.choice(list(FREE_TEXT))
            value = FREE_TEXT[message]
        else:
            value = rng.choice([1, 2, 3, 4, 5, NOT_APPLICABLE])
            shown = '"n/a"' if value == NOT_APPLICABLE else str(value)
            message = f'/answer{{"item": "{items[position]}", "likert": {shown}}}'
        last, resends = turn(message)
        proposal = data_of(last, "confirm")
        if proposal is not None and proposal.get("item") == items[position]:
            # a reading the bot is not sure of (issue 10): the respondent taps the answer meant
            tally.add("confirmations")
            shown = '"n/a"' if value == NOT_APPLICABLE else str(value)
            last, more = turn(f'/answer{{"item": "{items[position]}", "likert": {shown}}}')
            resends += more
        resent_last = resends > 0
        sent[items[position]] = value
        position += 1
        if resends:
            tally.add("resent_answers")
            stored = store.answers(assessment)
            if stored != sent:
                tally.problems.append(
                    f"{sender}: after resending {message!r} for {items[position - 1]}: "
                    f"stored {stored} != sent {sent}"
                )
                return
            tally.add("resends_checked")
        if position == len(items):
            break
    if data_of(last, "summary") is None:
        tally.problems.append(f"{sender}: no summary after the last answer: {text_of(last)[:200]!r}")
        return
    respondent = store.respondent_for_sender(sender)
    token = data_of(last, "summary")["scorecard"].rsplit("/", 1)[-1]
    record = store.assessment_by_report_token(token)
    if record is None or record.id != assessment or not record.completed or respondent is None:
        tally.problems.append(f"{sender}: summary for another or an unfinished assessment")
        return
    stored = store.answers(assessment)
    if stored != sent:
        tally.problems.append(f"{sender}: stored {stored} != sent {sent}")
        return
    tally.add("completed")


def test_200_assessments_with_faults_injected_store_exactly_the_answers_sent(bot, store):
    questionnaire = load_questionnaire(bot.stack.content_dir)
    order = {role: [i.id for i in questionnaire.items_for(role)] for role in ROLES}
    per_assessment = 5 + max(len(ids) for ids in order.values())
    rng = random.Random(20261126)
    tally = Tally()
    faults = Faults(bot, tally, random.Random(rng.random()), ASSESSMENTS * per_assessment)
    seeds = [rng.random() for _ in range(ASSESSMENTS)]
    queue = list(range(ASSESSMENTS))
    queue_lock = threading.Lock()
    crashes: list[BaseException] = []

    def worker() -> None:
        while True:
            with queue_lock:
                if not queue:
                    return
                number = queue.pop(0)
            try:
                run_respondent(bot, store, faults, tally, number, random.Random(seeds[number]), order)
            except BaseException as error:  # noqa: BLE001 - reported below
                crashes.append(error)

    injector = threading.Thread(target=faults.run, daemon=True)
    injector.start()
    workers = [threading.Thread(target=worker) for _ in range(WORKERS)]
    for thread in workers:
        thread.start()
    for thread in workers:
        thread.join()
    faults.done.set()
    injector.join(timeout=300)

    summary = (f"{tally.completed} completed, {tally.turns} turns, {tally.lost} lost turns, "
               f"{tally.save_failed} 'could not save' replies, {tally.resent_answers} answers resent "
               f"({tally.resends_checked} checked stored once), {tally.confirmations} readings confirmed; faults injected: {faults.injected}")
    print(summary)
    assert not crashes, crashes[:3]
    assert not tally.problems, (tally.problems[:5], summary)
    assert tally.completed == ASSESSMENTS, summary
    assert len(faults.injected) == len(faults.plan), summary
    assert tally.lost > 0 and tally.save_failed > 0 and tally.resent_answers > 0, summary
    with store.session_scope() as session:
        completed = session.execute(
            select(func.count()).select_from(Assessment).join(Respondent)
            .where(Respondent.sender_id.like("fault-load-%"), Assessment.completed_at.is_not(None))
        ).scalar_one()
    assert completed == ASSESSMENTS
