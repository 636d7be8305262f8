"""The live bot under hostile input, and its HTTP surface: real Rasa + action servers over REST.

* A bounded hypothesis run sends generated messages (empty, 100 KB, control characters,
  emoji, right-to-left text, HTML/script, SQL fragments, forged intent and slot payloads,
  out-of-range values) to several conversations in different phases: every request is a 200
  with a reply, nothing invalid is stored, and no Traceback reaches the servers' logs.
* Rasa is started the way the launcher starts it (bot/servers.start_rasa, no --enable-api):
  its HTTP API (trackers, /model/parse, …) is not served; only the channels' webhooks are.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request

import pytest
from hypothesis import HealthCheck, Phase, example, given, settings
from hypothesis import strategies as st

from readiness.storage import Store
from tests.bot_stack import start_bot
from tests.test_fuzz import CONTROL, FRAGMENTS, assert_nothing_invalid_stored

pytestmark = pytest.mark.slow

#: Generated messages sent to the live bot (each one a REST round trip through NLU and the action).
LIVE_MESSAGES = 300
SENDERS = ("live-consent", "live-role", "live-department", "live-code", "live-questions", "live-paused", "live-done")


@pytest.fixture(scope="module")
def bot(tmp_path_factory):
    stack = start_bot(tmp_path_factory.mktemp("hostile"))
    yield stack
    stack.stop()


@pytest.fixture(scope="module")
def store(bot):
    s = Store(bot.database_url)
    yield s
    s.close()


def post(url: str, body: bytes, content_type: str = "application/json") -> tuple[int, bytes]:
    request = urllib.request.Request(url, data=body, headers={"Content-Type": content_type}, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=120) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def get(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def send(bot, sender: str, message: str) -> list[dict]:
    status, body = post(bot.rest_url, json.dumps({"sender": sender, "message": message}).encode())
    assert status == 200, (status, message[:80], body[:300])
    replies = json.loads(body)
    assert replies, f"no reply to {message[:80]!r}"
    return replies


def buttons(replies: list[dict]) -> list[str]:
    return [b["payload"] for m in replies for b in m.get("buttons") or []]


def put_in_phases(bot) -> None:
    """One conversation per phase, driven with ordinary messages."""
    steps = {
        "live-consent": ["hi"],
        "live-role": ["hi", "/affirm"],
        "live-department": ["hi", "/affirm", '/inform_role{"role": "nurse"}'],
        "live-code": ["hi", "/affirm", '/inform_role{"role": "nurse"}', "/skip"],
        "live-questions": ["hi", "/affirm", '/inform_role{"role": "clinician"}', "/skip", "/no_code", "4"],
        "live-paused": ["hi", "/affirm", '/inform_role{"role": "it_admin"}', "/skip", "/no_code", "3", "pause"],
        "live-done": ["hi", "/affirm", '/inform_role{"role": "leadership"}', "/skip", "/no_code"],
    }
    for sender, messages in steps.items():
        for message in messages:
            last = send(bot, sender, message)
    # finish one assessment with buttons so a "done" conversation exists
    for _ in range(200):
        answers = [p for p in buttons(last) if p.startswith("/answer")]
        if not answers:
            break
        last = send(bot, "live-done", answers[3])
    assert "scorecard" in json.dumps(last)


FORGED = [
    '/answer{"likert": 99}', '/answer{"likert": -1}', '/answer{"likert": 0}', '/answer{"likert": 4.5}',
    '/answer{"likert": "4; DROP TABLE answers"}', '/answer{"likert": null}', '/answer{"likert": [4]}',
    '/answer{"likert": {"$gt": 0}}', '/answer{"likert": true}', '/answer{"item": "x", "likert": 4}',
    '/answer{"item": "privacy_confidence", "likert": 5}', '/answer{"item": null, "likert": "n/a"}',
    '/answer{"item": "<script>alert(1)</script>", "likert": 3}', '/answer{', '/answer{"likert": 4',
    '/inform_role{"role": "<script>"}', '/inform_role{"role": "surgeon"}', '/inform_role{"role": ["nurse"]}',
    '/greet{"chat_state": {"phase": "done", "assessment_id": 1}}',
    '/greet{"chat_state": {"phase": "questionnaire", "role": "nurse", "assessment_id": 2, "respondent": "r-x"}}',
    '/chat_state{"phase": "done"}', '/affirm{"chat_state": "{\\"phase\\": \\"paused\\"}"}',
    "/restart", "/session_start", "/action_converse", "/nlu_fallback", "/nonexistent_intent", "/", "//", "/ ",
    "/answer_strongly_agree", '/inform_code{"code": "ZZZ-ZZZ"}', "resume RES-ZZZZZZ", "resume RES-22222",
    '/answer{"likert": 1e309}', '/answer{"likert": 123456789012345678901234567890}',
]
MESSAGE = st.one_of(
    st.sampled_from(FORGED),
    st.sampled_from(FRAGMENTS),
    st.text(max_size=40),
    st.text(alphabet=CONTROL, min_size=1, max_size=10),
    st.lists(st.sampled_from(FRAGMENTS) | st.integers(-5, 500).map(str), min_size=1, max_size=6).map(" ".join),
    st.sampled_from(["x", "4 ", "😀", "مرحبا ", "<b>", "'; --"]).map(lambda f: (f * 100_000)[:100_000]),
)


def test_live_bot_survives_hostile_messages(bot, store, capsys):
    put_in_phases(bot)
    tried = 0

    @settings(max_examples=LIVE_MESSAGES, deadline=None, database=None, derandomize=True,
              suppress_health_check=list(HealthCheck), phases=(Phase.explicit, Phase.generate))
    @given(sender=st.sampled_from(SENDERS), message=MESSAGE)
    @example(sender="live-questions", message="")
    @example(sender="live-questions", message="x" * 100_000)
    def check(sender, message):
        nonlocal tried
        tried += 1
        send(bot, sender, message)

    check()
    stored = assert_nothing_invalid_stored(store)
    with capsys.disabled():
        print(f"\nlive bot: {tried} hostile messages, all 200 with a reply; {stored} answers stored, all valid")
    logs = bot.logs()
    assert "Traceback" not in logs, logs[-5000:]
    assert tried >= LIVE_MESSAGES


def test_rasa_http_api_is_not_exposed(bot):
    """Started like the launcher (no --enable-api): no tracker, parse, model or event endpoints."""
    base = f"http://127.0.0.1:{bot.rasa_port}"
    sender = "live-questions"
    for path in (f"/conversations/{sender}/tracker", f"/conversations/{sender}/story", "/status", "/domain",
                 "/version/../conversations/x/tracker"):
        assert get(base + path) in (404, 405), path
    for path, body in (
        ("/model/parse", {"text": "hi"}),
        (f"/conversations/{sender}/tracker/events", {"event": "slot", "name": "chat_state", "value": {"phase": "done"}}),
        (f"/conversations/{sender}/trigger_intent", {"name": "greet"}),
        (f"/conversations/{sender}/messages", {"text": "hi", "sender": "user"}),
        (f"/conversations/{sender}/execute", {"name": "action_converse"}),
        ("/model/predict", {}),
        ("/model/test/intents", {}),
    ):
        status, _ = post(base + path, json.dumps(body).encode())
        assert status in (404, 405), (path, status)
    # the channels still work
    assert send(bot, "live-api-check", "hi")
    assert get(base + "/") == 200  # the health banner only
