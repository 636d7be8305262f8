"""The Rasa project itself: data validation, test stories, and NLU accuracy on held-out phrasings."""

from __future__ import annotations

import asyncio
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from bot.training import ROOT, ensure_model
from readiness.dialogue import LIKERT_INTENTS

pytestmark = pytest.mark.slow
RASA = Path(sys.executable).parent / "rasa"
ENV = {**os.environ, "SQLALCHEMY_SILENCE_UBER_WARNING": "1"}

#: Held-out intent accuracy must not fall below this (measured 0.91 with the light pipeline).
MIN_ACCURACY = 0.85


def test_rasa_data_validate_has_no_warnings():
    result = subprocess.run(
        [str(RASA), "data", "validate", "--domain", "domain.yml", "--data", "data", "--config", "config.yml"],
        cwd=ROOT, capture_output=True, text=True, env=ENV, timeout=600,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-3000:]
    rasa_warnings = [line for line in output.splitlines() if "UserWarning" in line or " WARNING " in line]
    assert rasa_warnings == [], rasa_warnings


def test_stories_for_main_path_and_every_interruption(tmp_path):
    model = ensure_model()
    result = subprocess.run(
        [str(RASA), "test", "core", "--stories", "tests/stories", "--model", str(model),
         "--fail-on-prediction-errors", "--out", str(tmp_path)],
        cwd=ROOT, capture_output=True, text=True, env=ENV, timeout=600,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-3000:]
    stories = yaml.safe_load((ROOT / "tests/stories/test_stories.yml").read_text())["stories"]
    assert f"Correct:          {len(stories)} / {len(stories)}" in output


def held_out() -> list[tuple[str, str]]:
    data = yaml.safe_load((ROOT / "tests/data/nlu_heldout.yml").read_text())
    pairs = []
    for block in data["nlu"]:
        if "intent" in block:
            for line in block["examples"].splitlines():
                text = re.sub(r"^\s*-\s*", "", line).strip()
                if text:
                    pairs.append((block["intent"], text))
    return pairs


@pytest.fixture(scope="module")
def parsed():
    from rasa.core.agent import Agent

    agent = Agent.load(str(ensure_model()))

    async def parse_all():
        return [(intent, text, await agent.parse_message(text)) for intent, text in held_out()]

    return asyncio.run(parse_all())


def test_held_out_intent_accuracy(parsed):
    def predicted(result):
        ranking = result.get("intent_ranking") or [result["intent"]]
        top = result["intent"]["name"]
        # FallbackClassifier puts nlu_fallback first; the classifier's own guess follows it
        return ranking[1]["name"] if top == "nlu_fallback" and len(ranking) > 1 else top

    correct = sum(1 for intent, _text, result in parsed if predicted(result) == intent)
    accuracy = correct / len(parsed)
    print(f"held-out intent accuracy: {correct}/{len(parsed)} = {accuracy:.3f}")
    assert len(parsed) >= 150
    assert accuracy >= MIN_ACCURACY


def test_held_out_likert_answers_are_never_stored_wrong(parsed):
    """The engine's three outcomes on held-out answers (no statement): a certain reading is
    stored; a plausible reading, or else an NLU answer intent (confidence ≥ 0.4), is only
    proposed, and a careful respondent confirms it only when right; anything else is asked
    again. A wrong stored value is worse than asking again."""
    from readiness.answers import read_answer
    from readiness.dialogue.questionnaire import PROPOSE_CONFIDENCE

    stored = confirmed = rejected = unread = 0
    wrong: list[tuple[str, object, object]] = []
    for intent, text, result in parsed:
        if intent not in LIKERT_INTENTS:
            continue
        meant = LIKERT_INTENTS[intent]
        reading = read_answer(text)
        top = result["intent"]
        if reading.value is not None and reading.certain:
            if reading.value == meant:
                stored += 1
            else:
                wrong.append((text, meant, reading.value))
            continue
        proposed = reading.value
        if proposed is None and top["name"] in LIKERT_INTENTS and top["confidence"] >= PROPOSE_CONFIDENCE:
            proposed = LIKERT_INTENTS[top["name"]]
        if proposed is None:
            unread += 1
        elif proposed == meant:
            confirmed += 1
        else:
            rejected += 1
    total = stored + confirmed + rejected + unread + len(wrong)
    print(f"held-out Likert answers of {total}: {stored} stored, {confirmed} confirmed, {rejected} "
          f"proposals rejected, {unread} asked again, {len(wrong)} stored wrongly {wrong}")
    assert total >= 40
    assert (stored + confirmed) / total >= 0.8
    assert wrong == []


#: Commands that take the respondent out of the question (or ask first): a content reply taken
#: for one costs a turn, or pauses the assessment.
_COMMANDS = frozenset({"pause", "stop", "start_over", "go_back", "skip", "progress", "why", "help", "goodbye",
                       "resume"})
#: Share of held-out content replies that may be classified as a command (measured on all blind
#: sets 17 of 2,151, 0.8 %, with data/nlu_content.yml; on blind9-11 3 of 864, and 50 of 864
#: without it).
MAX_CONTENT_AS_COMMAND = 0.015


def test_content_replies_are_not_taken_for_commands():
    """Statement-specific replies of the blind evaluation sets (never NLU training data): facts
    about the hospital, "we have a leaflet and a page on our website", are answers to read, not
    a pause or a start over."""
    from rasa.core.agent import Agent

    from readiness.dialogue.state import CONFIDENCE

    texts = sorted({case["text"] for path in sorted((ROOT / "tests/data").glob("answers_blind*.yml"))
                    for case in yaml.safe_load(path.read_text())["cases"] if case.get("item")})
    agent = Agent.load(str(ensure_model()))

    async def parse_all():
        return [await agent.parse_message(text) for text in texts]

    taken = [(r["text"], r["intent"]["name"]) for r in asyncio.run(parse_all())
             if r["intent"]["name"] in _COMMANDS and r["intent"]["confidence"] >= CONFIDENCE]
    print(f"content replies taken for a command: {len(taken)}/{len(texts)} {taken}")
    assert len(texts) >= 1000
    assert len(taken) / len(texts) <= MAX_CONTENT_AS_COMMAND, taken
