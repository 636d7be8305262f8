"""Turns what a step shows into chat messages: wording from chat.yml, statements from the bank.

Formatting only; every number shown was decided by the step or the scoring core.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any, Callable, Mapping

from readiness.answers import likert_label
from readiness.chat_text import ChatTexts
from readiness.dialogue.state import BotMessage, Button
from readiness.dialogue.view import Choice, Finished, Link, Proposal, Question, RoleChoice, Show, Summary, Text
from readiness.model import LIKERT_MAX, LIKERT_MIN, NOT_APPLICABLE, AnswerValue, Questionnaire

#: Width of the text bars in the summary.
BAR_WIDTH = 10

ScorecardUrl = Callable[[str], str]


def text_bar(score: float, width: int = BAR_WIDTH) -> str:
    """A compact bar for chat: one block per tenth of the 0–100 scale."""
    filled = max(0, min(width, round(score / 100 * width)))
    return "█" * filled + "░" * (width - filled)


def answer_payload(item_id: str, value: object) -> str:
    """The quick-reply payload of one answer button (Rasa reads it as intent + entities)."""
    likert = f'"{value}"' if value == NOT_APPLICABLE else value
    return f'/answer{{"item": "{item_id}", "likert": {likert}}}'


#: The answer buttons in their usual order: 1 … 5, then "don't know".
SCALE: tuple[AnswerValue, ...] = (*range(LIKERT_MIN, LIKERT_MAX + 1), NOT_APPLICABLE)


def answer_label(value: AnswerValue) -> str:
    """How an answer is named to the respondent: "4 – Agree", or "Don't know"."""
    return likert_label(value) if value == NOT_APPLICABLE else f"{value} – {likert_label(value)}"


class Renderer:
    """Renders views with one content set's wording; `scorecard_url` makes personal links."""

    def __init__(self, texts: ChatTexts, questionnaire: Questionnaire, scorecard_url: ScorecardUrl) -> None:
        self.texts = texts
        self.questionnaire = questionnaire
        self.scorecard_url = scorecard_url

    def render(self, view: tuple[Show, ...]) -> tuple[BotMessage, ...]:
        messages: list[BotMessage] = []
        for shown in view:
            if isinstance(shown, Summary):
                messages.extend(self.summary(shown))
            else:
                messages.append(self._one(shown))
        return tuple(messages)

    def say(self, key: str, values: Mapping[str, Any] | None = None) -> str:
        resolved = {
            name: self.scorecard_url(value.report_token) if isinstance(value, Link) else value
            for name, value in (values or {}).items()
        }
        return self.texts.say(key, **resolved)

    def _one(self, shown: Show) -> BotMessage:
        if isinstance(shown, Text):
            return BotMessage(self.say(shown.key, shown.values))
        if isinstance(shown, Choice):
            return BotMessage(
                self.say(shown.key, shown.values),
                tuple(Button(self.say(title), payload) for title, payload in shown.buttons),
            )
        if isinstance(shown, RoleChoice):
            return BotMessage(self.say(shown.key), tuple(
                Button(role.label, f'/inform_role{{"role": "{role.id}"}}') for role in self.questionnaire.roles
            ))
        if isinstance(shown, Question):
            return self.question(shown)
        if isinstance(shown, Proposal):
            return self.proposal(shown)
        if isinstance(shown, Finished):
            return BotMessage(self.say(shown.key), (), {"progress": asdict(shown.progress)})
        raise TypeError(f"cannot render {shown!r}")

    def answer_button(self, item_id: str, value: AnswerValue) -> Button:
        title = self.say("answer_buttons_dont_know") if value == NOT_APPLICABLE else answer_label(value)
        return Button(title, answer_payload(item_id, value))

    def question(self, shown: Question) -> BotMessage:
        item = shown.item
        buttons = tuple(self.answer_button(item.id, value) for value in SCALE)
        return BotMessage(self.say("question", {"statement": item.text}), buttons, {"progress": asdict(shown.progress)})

    def proposal(self, shown: Proposal) -> BotMessage:
        """The proposed reading first, then the rest of the scale: ordinary answer payloads, so
        any Rasa client confirms with one tap; `confirm` names the proposal for custom clients."""
        item, value = shown.item, shown.value
        order = (value, *(other for other in SCALE if other != value))
        return BotMessage(
            self.say("proposal", {"answer": answer_label(value)}),
            tuple(self.answer_button(item.id, option) for option in order),
            {"confirm": {"item": item.id, "likert": value}, "progress": asdict(shown.progress)},
        )

    def summary(self, shown: Summary) -> tuple[BotMessage, ...]:
        """The end-of-assessment summary: index, nine bars, top gaps, next tier, training, link."""
        result, say = shown.result, self.say
        profile = result.profile
        head = (
            say("summary_title", {"score": round(profile.overall), "tier": profile.tier.name})
            if profile.overall is not None and profile.tier is not None
            else say("summary_no_index")
        )
        bars = "\n".join(
            say("summary_challenge_line", {"bar": text_bar(c.score), "score": round(c.score), "title": c.title})
            if c.score is not None
            else say("summary_challenge_unscored", {"bar": text_bar(0), "title": c.title})
            for c in profile.challenges
        )
        lines = [say("summary_gaps_title")] if result.top_gaps else [
            say("summary_no_gaps", {"target": round(self.questionnaire.rules.target)})
        ]
        lines += [
            say("summary_gap_line", {"number": n, "title": gap.title, "score": round(gap.score), "target": round(gap.target)})
            for n, gap in enumerate(result.top_gaps, 1)
        ]
        plan = result.next_tier
        if plan is not None and plan.reachable:
            titles = ", ".join(self.questionnaire.challenge(cid).title for cid in plan.challenges())
            lines.append(say("summary_next_tier", {"tier": plan.target.name, "steps": plan.steps, "challenges": titles}))
        elif profile.tier is not None and plan is None:
            lines.append(say("summary_top_tier"))
        messages = [BotMessage(f"{head}\n{bars}"), BotMessage("\n".join(lines))]
        if result.recommendations:
            training = [say("summary_training_title")] + [
                say("summary_training_line", {
                    "title": rec.step.title,
                    "format": rec.step.format,
                    "minutes": rec.step.duration_minutes,
                    "challenge": rec.challenge_title,
                })
                for rec in result.recommendations
            ]
            messages.append(BotMessage("\n".join(training)))
        url = self.scorecard_url(shown.report_token)
        messages.append(BotMessage(say("summary_scorecard", {"url": url}), data={"summary": {
            "overall": None if profile.overall is None else round(profile.overall, 1),
            "tier": None if profile.tier is None else profile.tier.name,
            "challenges": {c.challenge_id: None if c.score is None else round(c.score, 1) for c in profile.challenges},
            "scorecard": url,
        }}))
        return tuple(messages)
