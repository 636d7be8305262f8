"""One respondent's complete result (profile, gaps, next tier, training) and its JSON form.

The bot, the CLI and the scorecards all show this same object, so what a respondent sees in
the chat is exactly what the core computed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

from readiness.gaps import Gap, NextTierPlan, next_tier_plan, open_gaps, rank_gaps
from readiness.model import AnswerValue, Questionnaire
from readiness.recommend import Recommendation, recommend
from readiness.scoring import Profile, asked_answers, score_profile, validate_answers

#: How many gaps the summary lists as "top gaps".
TOP_GAPS = 3


@dataclass(frozen=True)
class ReadinessResult:
    profile: Profile
    gaps: tuple[Gap, ...]
    next_tier: NextTierPlan | None
    recommendations: tuple[Recommendation, ...]

    @property
    def top_gaps(self) -> tuple[Gap, ...]:
        return open_gaps(self.gaps)[:TOP_GAPS]


def evaluate(
    questionnaire: Questionnaire,
    role: str,
    answers: Mapping[str, AnswerValue],
    recommendation_limit: int = 5,
) -> ReadinessResult:
    """Validate answers given as input (the CLI's `score`): ValueError names an unknown role or
    item, an item not asked of the role or a bad value; then score. Items without
    an answer count as asked and missing (they cut coverage)."""
    clean = validate_answers(questionnaire, role, answers)
    return _evaluate(questionnaire, role, clean, None, recommendation_limit)


def evaluate_stored(
    questionnaire: Questionnaire,
    role: str,
    answers: Mapping[str, object],
    recommendation_limit: int = 5,
) -> ReadinessResult:
    """The result of answers read back from storage, against the current bank; never raises
    because the content changed: answers to items no longer in the bank (or no longer asked of
    the role) are kept in the database but not scored, and an item without a stored answer was
    not asked of this respondent (`readiness.scoring.score_stored`)."""
    kept = asked_answers(questionnaire, role, answers)
    return _evaluate(questionnaire, role, kept, frozenset(kept), recommendation_limit)


def _evaluate(
    questionnaire: Questionnaire,
    role: str,
    answers: Mapping[str, AnswerValue],
    asked_ids: frozenset[str] | None,
    recommendation_limit: int,
) -> ReadinessResult:
    """Score, rank gaps, plan the next tier, recommend."""
    profile = score_profile(questionnaire, role, answers, asked_ids)
    gaps = rank_gaps(questionnaire, profile)
    return ReadinessResult(
        profile=profile,
        gaps=gaps,
        next_tier=next_tier_plan(questionnaire, role, answers, asked_ids),
        recommendations=recommend(questionnaire, role, gaps, recommendation_limit),
    )


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def result_to_dict(result: ReadinessResult) -> dict[str, Any]:
    """The stable JSON shape of `readiness score --format json` (documented in the README)."""
    profile = result.profile
    plan = result.next_tier
    return {
        "role": profile.role,
        "overall": {
            "score": _round(profile.overall),
            "tier": profile.tier.name if profile.tier else None,
            "counted_challenges": list(profile.counted),
        },
        "challenges": [
            {
                "id": c.challenge_id,
                "title": c.title,
                "score": _round(c.score),
                "tier": c.tier.name if c.tier else None,
                "coverage": round(c.coverage, 3),
                "answered": c.answered,
                "asked": c.asked,
                "weight": c.weight,
            }
            for c in profile.challenges
        ],
        "gaps": [
            {
                "challenge": gap.challenge_id,
                "title": gap.title,
                "score": _round(gap.score),
                "target": gap.target,
                "weight": gap.weight,
                "priority": _round(gap.priority),
            }
            for gap in open_gaps(result.gaps)
        ],
        "next_tier": None
        if plan is None
        else {
            "from": plan.current.name,
            "to": plan.target.name,
            "reachable": plan.reachable,
            "projected_score": _round(plan.projected),
            "changes": [
                {
                    "item": change.item_id,
                    "challenge": change.challenge_id,
                    "from": change.current,
                    "to": change.proposed,
                }
                for change in plan.changes
            ],
        },
        "recommendations": [
            {
                "id": rec.step.id,
                "title": rec.step.title,
                "challenge": rec.challenge_id,
                "challenges": list(rec.step.challenges),
                "roles": sorted(rec.step.roles),
                "format": rec.step.format,
                "duration_minutes": rec.step.duration_minutes,
                "why": rec.step.why,
            }
            for rec in result.recommendations
        ],
    }
