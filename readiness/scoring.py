"""Scoring: answers → item scores → challenge scores → overall readiness index and tiers.

All scores are on 0–100. Missing and "don't know" answers are never counted as zeros: they
only lower a challenge's coverage, and a challenge below the questionnaire's minimum coverage
is left out of the overall index instead of dragging it down.

Stored answers (`score_stored`) follow the content as it is now: answers to items the bank no
longer has, or no longer asks of the role, are ignored, and an item without a stored answer
was not asked of that respondent (it was added after they passed it), so it does not cut their
coverage. "Don't know" and skips are stored as n/a: asked, but unanswered.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import AbstractSet, Mapping

from readiness.model import (
    LIKERT_MAX,
    LIKERT_MIN,
    AnswerValue,
    Challenge,
    Item,
    Questionnaire,
    Tier,
    is_valid_answer,
)


@dataclass(frozen=True)
class ChallengeScore:
    """One challenge's result for one respondent; `score` is None when nothing was answered."""

    challenge_id: str
    title: str
    weight: float
    score: float | None
    tier: Tier | None
    asked: int
    answered: int

    @property
    def coverage(self) -> float:
        """Share of the items asked of this role that got a 1–5 answer."""
        return self.answered / self.asked if self.asked else 0.0


@dataclass(frozen=True)
class Profile:
    """A respondent's readiness profile: overall index, tier and the nine challenge scores."""

    role: str
    overall: float | None
    tier: Tier | None
    challenges: tuple[ChallengeScore, ...]
    counted: tuple[str, ...]

    def challenge(self, challenge_id: str) -> ChallengeScore:
        for result in self.challenges:
            if result.challenge_id == challenge_id:
                return result
        raise KeyError(f"unknown challenge id {challenge_id!r}")


def item_score(item: Item, value: int) -> float:
    """Map a Likert answer to 0–100; reverse items are flipped so higher is always more ready."""
    if not is_valid_answer(value) or isinstance(value, str):
        raise ValueError(f"item {item.id!r}: answer must be 1–5, got {value!r}")
    position = (LIKERT_MAX - value) if item.reverse else (value - LIKERT_MIN)
    return 100.0 * position / (LIKERT_MAX - LIKERT_MIN)


def challenge_score(
    questionnaire: Questionnaire,
    challenge: Challenge,
    role: str,
    answers: Mapping[str, AnswerValue],
    asked_ids: AbstractSet[str] | None = None,
) -> ChallengeScore:
    """Weighted mean of the answered items asked of `role`; unanswered items only cut coverage.

    `asked_ids` narrows "asked" to these items (None: every item the bank asks of `role`).
    """
    asked = tuple(
        item for item in challenge.items_for(role) if asked_ids is None or item.id in asked_ids
    )
    total = weight_sum = 0.0
    answered = 0
    for item in asked:
        value = answers.get(item.id)
        if value is None or isinstance(value, str):
            continue
        total += item.weight * item_score(item, value)
        weight_sum += item.weight
        answered += 1
    score = total / weight_sum if weight_sum else None
    return ChallengeScore(
        challenge_id=challenge.id,
        title=challenge.title,
        weight=challenge.weight,
        score=score,
        tier=questionnaire.tiers.tier_for(score) if score is not None else None,
        asked=len(asked),
        answered=answered,
    )


def validate_answers(
    questionnaire: Questionnaire, role: str, answers: Mapping[str, object]
) -> dict[str, AnswerValue]:
    """Check a role and its answers against the bank; ValueError names the first problem."""
    if role not in questionnaire.role_ids:
        raise ValueError(
            f"unknown role {role!r}; expected one of: {', '.join(questionnaire.role_ids)}"
        )
    clean: dict[str, AnswerValue] = {}
    for item_id, value in answers.items():
        if not questionnaire.has_item(item_id):
            raise ValueError(f"unknown item id {item_id!r}")
        if not questionnaire.item(item_id).asked_of(role):
            raise ValueError(f"item {item_id!r} is not asked of role {role!r}")
        if not is_valid_answer(value):
            raise ValueError(
                f"item {item_id!r}: answer must be an integer 1–5 or \"n/a\", got {value!r}"
            )
        clean[item_id] = value  # type: ignore[assignment]
    return clean


def asked_answers(
    questionnaire: Questionnaire, role: str, answers: Mapping[str, object]
) -> dict[str, AnswerValue]:
    """The stored answers that still count: items in the current bank, asked of `role`, with a
    valid value. The rest stay in the database but are not scored (the content moved on)."""
    return {
        item_id: value  # type: ignore[misc]
        for item_id, value in answers.items()
        if questionnaire.has_item(item_id)
        and questionnaire.item(item_id).asked_of(role)
        and is_valid_answer(value)
    }


def score_profile(
    questionnaire: Questionnaire,
    role: str,
    answers: Mapping[str, AnswerValue],
    asked_ids: AbstractSet[str] | None = None,
) -> Profile:
    """The full profile: each challenge, then the weighted mean over well-covered challenges.

    `asked_ids` as in `challenge_score` (None: every item the bank asks of `role`).
    """
    results = tuple(
        challenge_score(questionnaire, challenge, role, answers, asked_ids)
        for challenge in questionnaire.challenges
    )
    counted = tuple(
        result
        for result in results
        if result.score is not None and result.coverage >= questionnaire.rules.min_coverage
    )
    weight_sum = sum(result.weight for result in counted)
    overall = (
        sum(result.weight * result.score for result in counted) / weight_sum  # type: ignore[operator]
        if weight_sum
        else None
    )
    return Profile(
        role=role,
        overall=overall,
        tier=questionnaire.tiers.tier_for(overall) if overall is not None else None,
        challenges=results,
        counted=tuple(result.challenge_id for result in counted),
    )


def score_stored(
    questionnaire: Questionnaire, role: str, answers: Mapping[str, object]
) -> Profile:
    """Score answers read back from storage against the current bank; never raises for content
    that changed since: see the module docstring (and `asked_answers`)."""
    kept = asked_answers(questionnaire, role, answers)
    return score_profile(questionnaire, role, kept, frozenset(kept))
