"""Rendering for patients: the patients' wording and answer buttons in patient words."""

from __future__ import annotations

from dataclasses import asdict

from readiness.dialogue.render import Renderer, ScorecardUrl, answer_payload
from readiness.dialogue.state import BotMessage, Button
from readiness.dialogue.view import Question
from readiness.model import NOT_APPLICABLE
from readiness.patient import PatientContent

#: Button order: most "yes" first, "Not sure" last.
ORDER = (5, 4, 3, 2, 1, NOT_APPLICABLE)


class PatientRenderer(Renderer):
    def __init__(self, patient: PatientContent, scorecard_url: ScorecardUrl) -> None:
        super().__init__(patient.chat, patient.questionnaire, scorecard_url)
        self.patient = patient

    def question(self, shown: Question) -> BotMessage:
        item = shown.item
        buttons = tuple(Button(self.patient.answer_labels[value], answer_payload(item.id, value)) for value in ORDER)
        return BotMessage(self.say("question", {"statement": item.text}), buttons, {"progress": asdict(shown.progress)})
