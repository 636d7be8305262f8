"""Gap analysis: which challenges hold readiness back most, and what lifts the overall tier.

A gap's priority is its challenge weight (relative to the mean weight, so scaling all weights
changes nothing) times its distance to the target score. "What moves us to the next tier" is
the smallest set of one-point answer changes that lifts the overall index into the next band.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import AbstractSet, Mapping, TypeVar

import numpy as np

from readiness.model import LIKERT_MAX, LIKERT_MIN, AnswerValue, Questionnaire, Tier
from readiness.scoring import Profile, score_profile


@dataclass(frozen=True)
class Gap:
    """How far one challenge is below the target, weighted by how much the challenge matters."""

    challenge_id: str
    title: str
    score: float
    tier: Tier
    target: float
    weight: float
    priority: float

    @property
    def distance(self) -> float:
        return max(0.0, self.target - self.score)


@dataclass(frozen=True)
class AnswerChange:
    """One item's answer moved towards readiness (down for reverse items)."""

    item_id: str
    challenge_id: str
    text: str
    current: int
    proposed: int

    @property
    def steps(self) -> int:
        return abs(self.proposed - self.current)


@dataclass(frozen=True)
class NextTierPlan:
    """The fewest one-point answer changes that move the overall index into `target`."""

    current: Tier
    target: Tier
    overall: float
    projected: float
    changes: tuple[AnswerChange, ...]
    reachable: bool

    @property
    def steps(self) -> int:
        return sum(change.steps for change in self.changes)

    def challenges(self) -> tuple[str, ...]:
        """The challenges touched by the plan, in the order of their first change."""
        seen: dict[str, None] = {}
        for change in self.changes:
            seen.setdefault(change.challenge_id, None)
        return tuple(seen)


Score = TypeVar("Score", float, np.ndarray)


def gap_priority(questionnaire: Questionnaire, weight: Score, score: Score) -> Score:
    """The gap priority rule, in one place: the challenge weight relative to the bank's mean
    challenge weight, times the distance below the target (0 at or above it).

    Takes one score or, vectorised, arrays that broadcast (e.g. respondents × challenges);
    NaN scores give NaN. `rank_gaps` and the organisation training plan both use it.
    """
    weights = [challenge.weight for challenge in questionnaire.challenges]
    mean_weight = sum(weights) / len(weights)
    with np.errstate(invalid="ignore"):
        distance = np.clip(questionnaire.rules.target - np.asarray(score, dtype="float64"), 0.0, None)
        result = (np.asarray(weight, dtype="float64") / mean_weight) * distance
    return float(result) if np.ndim(result) == 0 else result  # type: ignore[return-value]


def rank_gaps(questionnaire: Questionnaire, profile: Profile) -> tuple[Gap, ...]:
    """Every scored challenge, largest priority first; a challenge at or above target has 0.

    Ties keep the bank's challenge order so the ranking is deterministic.
    """
    target = questionnaire.rules.target
    gaps = [
        Gap(
            challenge_id=result.challenge_id,
            title=result.title,
            score=result.score,
            tier=result.tier,
            target=target,
            weight=result.weight,
            priority=gap_priority(questionnaire, result.weight, result.score),
        )
        for result in profile.challenges
        if result.score is not None and result.tier is not None
    ]
    order = {challenge.id: n for n, challenge in enumerate(questionnaire.challenges)}
    return tuple(sorted(gaps, key=lambda gap: (-gap.priority, gap.score, order[gap.challenge_id])))


def open_gaps(gaps: tuple[Gap, ...]) -> tuple[Gap, ...]:
    """Only the challenges that are below target."""
    return tuple(gap for gap in gaps if gap.priority > 0)


def next_tier_plan(
    questionnaire: Questionnaire,
    role: str,
    answers: Mapping[str, AnswerValue],
    asked_ids: AbstractSet[str] | None = None,
) -> NextTierPlan | None:
    """Smallest answer changes that lift the overall tier; None at the top tier or with no index.

    `asked_ids` as in `readiness.scoring.score_profile`.

    Each one-point change on an answered item in a counted challenge raises the index by a
    fixed amount (challenge share × item share × 25), so taking the largest gains first gives
    the fewest changes. The result is re-scored to confirm the new tier rather than trusted.
    """
    profile = score_profile(questionnaire, role, answers, asked_ids)
    if profile.overall is None or profile.tier is None:
        return None
    target_tier = questionnaire.tiers.next_above(profile.tier)
    if target_tier is None:
        return None

    counted = {result.challenge_id: result for result in profile.challenges}
    total_weight = sum(counted[cid].weight for cid in profile.counted)
    candidates: list[tuple[float, int, str, int]] = []
    for position, item in enumerate(questionnaire.items_for(role)):
        value = answers.get(item.id)
        if item.challenge not in profile.counted or value is None or isinstance(value, str):
            continue
        challenge = questionnaire.challenge(item.challenge)
        answered_weight = sum(
            other.weight
            for other in challenge.items_for(role)
            if isinstance(answers.get(other.id), int)
        )
        headroom = (value - LIKERT_MIN) if item.reverse else (LIKERT_MAX - value)
        if headroom == 0:
            continue
        gain = (challenge.weight / total_weight) * (item.weight / answered_weight) * (
            100.0 / (LIKERT_MAX - LIKERT_MIN)
        )
        candidates.append((gain, position, item.id, headroom))
    candidates.sort(key=lambda candidate: (-candidate[0], candidate[1]))

    needed = target_tier.lower - profile.overall
    proposed: dict[str, int] = {}
    raised = 0.0
    for gain, _position, item_id, headroom in candidates:
        if raised >= needed - 1e-9:
            break
        item = questionnaire.item(item_id)
        value = answers[item_id]
        assert isinstance(value, int)
        steps = min(headroom, max(1, int(-(-(needed - raised - 1e-9) // gain))))
        proposed[item_id] = value - steps if item.reverse else value + steps
        raised += steps * gain

    changed = {**answers, **proposed}
    projected = score_profile(questionnaire, role, changed, asked_ids)
    assert projected.overall is not None
    changes = tuple(
        AnswerChange(
            item_id=item.id,
            challenge_id=item.challenge,
            text=item.text,
            current=answers[item.id],  # type: ignore[arg-type]
            proposed=proposed[item.id],
        )
        for item in questionnaire.items_for(role)
        if item.id in proposed
    )
    reachable = projected.tier is not None and projected.tier.lower >= target_tier.lower
    return NextTierPlan(
        current=profile.tier,
        target=target_tier,
        overall=profile.overall,
        projected=projected.overall,
        changes=changes,
        reachable=reachable,
    )
