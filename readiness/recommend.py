"""Training recommendations: catalogue steps for a respondent's largest gaps, suited to their role.

A step fits a gap when it covers the gap's challenge, lists the respondent's role and lists the
respondent's tier on that challenge. Gaps are walked largest first; a cross-cutting step that
fits several gaps is recommended once, under the largest.
"""

from __future__ import annotations

from dataclasses import dataclass

from readiness.gaps import Gap
from readiness.model import Questionnaire, TrainingStep

#: How many catalogue steps one gap may contribute, so one weak area does not crowd out others.
STEPS_PER_GAP = 2


@dataclass(frozen=True)
class Recommendation:
    """A training step and the gap it answers."""

    step: TrainingStep
    challenge_id: str
    challenge_title: str
    priority: float


def fitting_steps(questionnaire: Questionnaire, role: str, gap: Gap) -> tuple[TrainingStep, ...]:
    """Catalogue steps for this gap's challenge, the role and the respondent's tier, in catalogue order."""
    return tuple(
        step
        for step in questionnaire.training
        if gap.challenge_id in step.challenges and role in step.roles and gap.tier.id in step.tiers
    )


def recommend(
    questionnaire: Questionnaire, role: str, gaps: tuple[Gap, ...], limit: int = 5
) -> tuple[Recommendation, ...]:
    """Up to `limit` de-duplicated steps, ordered by the priority of the gap each serves.

    `gaps` should come from `rank_gaps`; challenges already at target (priority 0) are used
    only when the open gaps leave room, so strong respondents still get a next step.
    """
    chosen: dict[str, Recommendation] = {}
    for gap in gaps:
        added = 0
        for step in fitting_steps(questionnaire, role, gap):
            if len(chosen) >= limit:
                return tuple(chosen.values())
            if step.id in chosen or added >= STEPS_PER_GAP:
                continue
            chosen[step.id] = Recommendation(
                step=step,
                challenge_id=gap.challenge_id,
                challenge_title=gap.title,
                priority=gap.priority,
            )
            added += 1
    return tuple(chosen.values())
