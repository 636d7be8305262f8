"""Rate limits: wrong admin tokens and unknown personal links (web app), resume-code guessing (chat)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from bot.web.scorecards import ADMIN_FAILURES, FAILURE_WINDOW, PERSONAL_MISSES, FailureLimiter
from readiness.bank import current_questionnaire
from readiness.dialogue import RESUME_LOCKOUT_SECONDS, RESUME_MAX_FAILURES, ChatState, Conversation, UserTurn
from readiness.storage import Store
from tests.test_access import Web

# --------------------------------------------------------------------------- the limiter


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_limiter_blocks_after_the_limit_until_the_oldest_failure_expires():
    clock = Clock()
    limiter = FailureLimiter(3, 60, clock)
    for _ in range(3):
        assert limiter.retry_after("k") is None
        limiter.failure("k")
        clock.now += 10
    assert limiter.retry_after("k") == 30  # the first failure (t=1000) leaves the window at t=1060
    assert limiter.retry_after("other") is None
    clock.now = 1060.0
    assert limiter.retry_after("k") is None
    limiter.failure("k")
    assert limiter.retry_after("k") == 10
    limiter.success("k")
    assert limiter.retry_after("k") is None


def test_limiter_memory_is_bounded():
    clock = Clock()
    limiter = FailureLimiter(2, 60, clock, max_keys=100)
    for n in range(1000):
        limiter.failure(n)
        clock.now += 0.001
    assert len(limiter._failures) <= 100


# --------------------------------------------------------------------------- the web app


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    url = f"sqlite:///{tmp_path_factory.mktemp('limits') / 'limits.db'}"
    store = Store(url)
    q = current_questionnaire()
    a, a_token = store.create_organisation("Alpha")
    b, b_token = store.create_organisation("Beta")
    person = store.create_respondent("nurse", organisation_code=a.join_code)
    assessment = store.start_assessment(person.pseudonym, q.version)
    store.record_answers(assessment.id, {item.id: 4 for item in q.items_for("nurse")})
    store.complete_assessment(assessment.id)
    web = Web(url)
    yield {"web": web, "a": a.join_code, "a_token": a_token, "b": b.join_code, "b_token": b_token,
           "report": assessment.report_token}
    web.stop()
    store.close()


def test_wrong_admin_tokens_lock_that_code_for_that_address(site):
    web, a, token = site["web"], site["a"], site["a_token"]
    ip = "127.0.0.101"
    for n in range(ADMIN_FAILURES):
        path = f"/org/{a}/scorecard.json" if n % 2 else f"/org/{a.lower().replace('-', '')}/?token=guess{n}"
        assert web.get(path, None if n % 2 == 0 else f"guess{n}", client=ip)[0] == 401
    status, headers, body = web.get(f"/org/{a}/", token, client=ip)  # even the right token, now
    assert status == 429 and b"Too many" in body
    assert 0 < int(headers["retry-after"]) <= FAILURE_WINDOW
    assert headers["cache-control"] == "no-store"
    assert web.get(f"/org/{a}/scorecard.csv?token={token}", client=ip)[0] == 429
    # the same address may still open another organisation, and other addresses this one
    assert web.get(f"/org/{site['b']}/", site["b_token"], client=ip)[0] == 200
    assert web.get(f"/org/{a}/", token, client="127.0.0.102")[0] == 200


def test_unknown_codes_lock_out_the_same_way(site):
    """Failures on a code that does not exist count too: the 429 reveals nothing."""
    web, ip = site["web"], "127.0.0.103"
    for n in range(ADMIN_FAILURES):
        assert web.get("/org/ZZZ-ZZZ/", f"guess{n}", client=ip)[0] == 401
    assert web.get("/org/ZZZ-ZZZ/", "guess", client=ip)[0] == 429


def test_a_right_token_resets_the_count(site):
    web, a, ip = site["web"], site["a"], "127.0.0.104"
    for _ in range(ADMIN_FAILURES - 1):
        assert web.get(f"/org/{a}/", "wrong", client=ip)[0] == 401
    assert web.get(f"/org/{a}/", site["a_token"], client=ip)[0] == 200
    for _ in range(ADMIN_FAILURES - 1):
        assert web.get(f"/org/{a}/", "wrong", client=ip)[0] == 401
    assert web.get(f"/org/{a}/", site["a_token"], client=ip)[0] == 200


def test_personal_link_floods_are_limited_per_address(site):
    web, ip = site["web"], "127.0.0.105"
    assert web.get(f"/me/{site['report']}", client=ip)[0] == 200  # successes do not count
    for n in range(PERSONAL_MISSES):
        assert web.get(f"/me/guess-{n}", client=ip)[0] == 404
    status, headers, _ = web.get(f"/me/{site['report']}", client=ip)
    assert status == 429 and int(headers["retry-after"]) > 0
    assert web.get(f"/me/{site['report']}", client="127.0.0.106")[0] == 200


# --------------------------------------------------------------------------- resume codes in the chat


class Now:
    def __init__(self) -> None:
        self.time = datetime(2026, 1, 1, tzinfo=timezone.utc)

    def __call__(self) -> datetime:
        return self.time


@pytest.fixture
def chat(tmp_path):
    store = Store(f"sqlite:///{tmp_path / 'resume.db'}")
    now = Now()
    conversation = Conversation(store, now=now)
    state = ChatState()
    for turn in (UserTurn("hi", "greet", 0.9), UserTurn("/affirm", "affirm", 1.0),
                 UserTurn("/inform_role", "inform_role", 1.0, {"role": "nurse"}), UserTurn("/skip", "skip", 1.0),
                 UserTurn("/no_code", "no_code", 1.0), UserTurn("4"), UserTurn("pause", "pause", 0.95)):
        state = conversation.handle("owner", state, turn).state
    code = store.open_assessment(store.respondent_for_sender("owner").pseudonym).resume_code
    yield conversation, store, now, code
    store.close()


def say(conversation, sender, state, text):
    reply = conversation.handle(sender, state, UserTurn(text, "resume", 0.9))
    return reply.state, "\n".join(m.text for m in reply.messages)


def test_unknown_resume_codes_lock_resuming_in_that_conversation(chat):
    conversation, store, now, code = chat
    state = ChatState()
    for n in range(RESUME_MAX_FAILURES - 1):
        state, text = say(conversation, "guesser", state, f"resume RES-ZZZZ{n + 2}{n + 2}")
        assert "couldn't find" in text and state.resume_failures == n + 1
    state, text = say(conversation, "guesser", state, "resume RES-ZZZZZZ")
    assert "Too many" in text and "15 minutes" in text
    assert state.resume_blocked_until == now.time.timestamp() + RESUME_LOCKOUT_SECONDS
    assert ChatState.from_slot(state.to_slot()) == state
    # now even the right code is refused, without touching the assessment
    now.time += timedelta(minutes=5)
    state, text = say(conversation, "guesser", state, f"resume {code}")
    assert "Too many" in text and "10 minutes" in text
    assert store.respondent_for_sender("guesser") is None
    assert store.respondent_for_sender("owner") is not None
    # starting the chat over does not clear the count
    for words in ("hi", "no"):
        state = conversation.handle("guesser", state, UserTurn(words)).state
    assert state.phase in ("consent", "declined") and state.resume_blocked_until is not None
    state, text = say(conversation, "guesser", state, f"resume {code}")
    assert "Too many" in text
    # after the lockout the right code works
    now.time += timedelta(seconds=RESUME_LOCKOUT_SECONDS)
    state, text = say(conversation, "guesser", state, f"resume {code}")
    assert "Welcome back" in text and state.phase == "questionnaire"
    assert store.respondent_for_sender("guesser") is not None


def test_a_valid_code_does_not_reset_the_count(chat):
    """Interleaving a known code must not buy more guesses."""
    conversation, store, now, code = chat
    state = ChatState()
    for n in range(RESUME_MAX_FAILURES - 1):
        state, _ = say(conversation, "guesser", state, f"resume RES-ZZZZ{n + 2}{n + 2}")
    state, text = say(conversation, "guesser", state, f"resume {code}")
    assert "Welcome back" in text and state.resume_failures == RESUME_MAX_FAILURES - 1
    state = conversation.handle("guesser", state, UserTurn("pause", "pause", 0.95)).state
    state, text = say(conversation, "guesser", state, "resume RES-ZZZZZZ")
    assert "Too many" in text


def test_other_conversations_are_not_locked(chat):
    conversation, store, now, code = chat
    state = ChatState()
    for n in range(RESUME_MAX_FAILURES):
        state, _ = say(conversation, "guesser", state, f"resume RES-ZZZZ{n + 2}{n + 2}")
    fresh, text = say(conversation, "someone-else", ChatState(), f"resume {code}")
    assert "Welcome back" in text and fresh.resume_failures == 0
