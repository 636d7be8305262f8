"""End-to-end for the patient audience: real Rasa and action servers over REST, the patient
survey opened by metadata {"audience": "patient", "org": CODE} as any Rasa client can send it."""

from __future__ import annotations

import pytest

from readiness.storage import Store
from tests.bot_stack import data_of, start_bot, text_of

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def bot(tmp_path_factory):
    stack = start_bot(tmp_path_factory.mktemp("patient-bot"))
    yield stack
    stack.stop()
    assert "Traceback" not in stack.logs(), stack.logs()[-5000:]


def test_patient_survey_over_rest_with_metadata(bot):
    store = Store(bot.database_url)
    organisation, _ = store.create_organisation("St Mary's")
    metadata = {"audience": "patient", "org": organisation.join_code}

    def say(message: str) -> list[dict]:
        reply = bot.send("patient-rest-1", message, metadata)
        assert reply, f"no reply to {message!r}"
        return reply

    first = say("hello")
    assert "survey for patients" in text_of(first)
    reply = say("/affirm")
    assert "Your answers go to St Mary's" in text_of(reply)
    asked = []
    while data_of(reply, "progress") is not None and not data_of(reply, "progress").get("complete"):
        buttons = [b for m in reply for b in m.get("buttons", [])]
        assert [b["title"] for b in buttons] == ["Yes, definitely", "Yes, mostly", "Partly", "Not really",
                                                 "No, not at all", "Not sure"]
        asked.append(data_of(reply, "progress")["item"])
        if len(asked) == 2:
            why = say("why do you ask?")
            assert "Why we ask" in text_of(why)
        reply = say("not sure" if len(asked) == 3 else buttons[0]["payload"])
    assert 1 <= len(asked) <= 6
    assert "Thank you for helping your hospital" in text_of(reply)
    done = data_of(reply, "progress")  # the thanks carries the finished progress for any client
    assert done["complete"] is True and done["answered"] == done["questions"] == len(asked)
    respondent = store.respondent_for_sender("patient-rest-1")
    assert respondent.audience == "patient" and respondent.department is None
    assert len(store.answers_frame(organisation.join_code)) == 0  # not in staff scores
    patient = store.answers_frame(organisation.join_code, audience="patient")
    assert sorted(patient["item_id"].astype(str)) == sorted(asked) and patient["completed"].all()
    assert patient["value"].isna().sum() == 1  # "not sure", typed
    store.close()
