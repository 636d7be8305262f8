"""Rasa's built-in commands typed into the chat, over REST with the real servers: never silence.

A user can type any "/intent" into the widget. Rasa 3.6 routes its own default intents
(restart, back, session_start) to default actions that say nothing; actions/builtin_commands.py
answers them through the engine. Each must get a reply, keep the answers given so far, and the
conversation must go on at the right question afterwards.
"""

from __future__ import annotations

import pytest

from readiness.bank import load_questionnaire
from tests.bot_stack import data_of, start_bot, text_of

pytestmark = pytest.mark.slow

#: Every intent Rasa 3.6 itself defines (rasa.shared.core.constants.DEFAULT_INTENTS), typed.
BUILT_IN = ("/restart", "/back", "/session_start", "/out_of_scope", "/nlu_fallback")


@pytest.fixture(scope="module")
def bot(tmp_path_factory):
    stack = start_bot(tmp_path_factory.mktemp("builtin"))
    yield stack
    stack.stop()
    assert "Traceback" not in stack.logs(), stack.logs()[-5000:]


def say(bot, sender: str, message: str) -> list[dict]:
    reply = bot.send(sender, message)
    assert reply, f"no reply to {message!r}"
    return reply


def current_item(reply: list[dict]) -> str:
    progress = data_of(reply, "progress")
    assert progress is not None, text_of(reply)
    return progress["item"]


def press(bot, sender: str, reply: list[dict], title_start: str) -> list[dict]:
    payload = next(b["payload"] for m in reply for b in m.get("buttons") or [] if b["title"].startswith(title_start))
    return say(bot, sender, payload)


def into_questionnaire(bot, sender: str) -> list[dict]:
    reply = say(bot, sender, "hi")
    reply = press(bot, sender, reply, "Yes")
    say(bot, sender, "I'm an ICU nurse")
    reply = say(bot, sender, "skip")
    return press(bot, sender, reply, "I don't have one")


def test_the_rasa_constants_match_what_this_test_types() -> None:
    from rasa.shared.core.constants import DEFAULT_INTENTS

    assert sorted(BUILT_IN) == sorted(f"/{intent}" for intent in DEFAULT_INTENTS)


def test_built_in_commands_at_the_very_start_get_the_welcome(bot) -> None:
    for command in ("/restart", "/session_start", "/back"):
        reply = say(bot, f"builtin-first{command}", command)
        assert "patient data" in text_of(reply) or "Hello" in text_of(reply), (command, text_of(reply))


def test_built_in_commands_mid_questionnaire_reply_and_the_assessment_goes_on(bot) -> None:
    items = [i.id for i in load_questionnaire(bot.content_dir).items_for("nurse")]
    sender = "builtin-mid"
    reply = into_questionnaire(bot, sender)
    assert current_item(reply) == items[0]
    reply = say(bot, sender, "agree")
    reply = say(bot, sender, "strongly agree")
    assert current_item(reply) == items[2]

    for command in ("/restart", "/session_start"):
        reply = say(bot, sender, command)
        assert "Hello again" in text_of(reply), (command, text_of(reply))
        assert current_item(reply) == items[2], command  # the question they were on

    reply = say(bot, sender, "/back")
    assert "Going back" in text_of(reply)
    assert current_item(reply) == items[1]
    reply = say(bot, sender, "agree")  # a new answer to the previous statement
    assert current_item(reply) == items[2]

    for command in ("/out_of_scope", "/nlu_fallback", "/nonexistent_intent"):
        reply = say(bot, sender, command)
        assert current_item(reply) == items[2], (command, text_of(reply))

    reply = say(bot, sender, "disagree")
    assert current_item(reply) == items[3]
    reply = say(bot, sender, "how far am I?")
    assert "3 of" in text_of(reply), text_of(reply)  # the answers before the commands are kept
