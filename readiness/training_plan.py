"""Organisation training plan: which catalogue steps to run for which roles, and for how many.

A step serves a respondent when it fits one of their open gaps (a challenge below target) for
their role and their tier on that challenge — the same fit rule as personal recommendations
(`readiness.recommend.fitting_steps`), and the same gap priority (`readiness.gaps`). Steps are
ordered by the weighted gap they close: the sum over served respondents of their largest gap
priority the step answers.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from readiness.aggregate import MIN_GROUP_SIZE
from readiness.cohort import CohortScores
from readiness.gaps import Gap, gap_priority
from readiness.model import Questionnaire, TrainingStep
from readiness.recommend import fitting_steps

#: Steps listed per role group, so the plan stays something a lead can act on.
STEPS_PER_GROUP = 5
#: Key of the group pooling roles too small to show on their own.
POOLED = "other roles"


@dataclass(frozen=True)
class PlannedStep:
    """A step for one role group: respondents it serves, their share and the weighted gap."""

    step: TrainingStep
    challenges: tuple[str, ...]
    respondents: int
    share: float
    weighted_gap: float


@dataclass(frozen=True)
class RoleGroupPlan:
    """`roles` is one role id, or several small roles pooled under `POOLED`."""

    key: str
    roles: tuple[str, ...]
    respondents: int
    steps: tuple[PlannedStep, ...]


@dataclass(frozen=True)
class TrainingPlan:
    groups: tuple[RoleGroupPlan, ...]
    suppressed_roles: tuple[str, ...]


def _fit_array(questionnaire: Questionnaire) -> np.ndarray:
    """fits[step, role, challenge, tier]: whether the step fits an open gap there, decided by
    `readiness.recommend.fitting_steps` (the personal recommendations' rule)."""
    steps = {step.id: n for n, step in enumerate(questionnaire.training)}
    bands = questionnaire.tiers.bands
    fits = np.zeros((len(steps), len(questionnaire.role_ids), len(questionnaire.challenges), len(bands)), dtype=bool)
    for r, role in enumerate(questionnaire.role_ids):
        for c, challenge in enumerate(questionnaire.challenges):
            for t, tier in enumerate(bands):
                gap = Gap(challenge.id, challenge.title, tier.lower, tier, questionnaire.rules.target,
                          challenge.weight, 1.0)
                for step in fitting_steps(questionnaire, role, gap):
                    fits[steps[step.id], r, c, t] = True
    return fits


def organisation_plan(questionnaire: Questionnaire, cohort: CohortScores,
                      min_group: int = MIN_GROUP_SIZE,
                      steps_per_group: int = STEPS_PER_GROUP,
                      hidden_roles: frozenset[str] = frozenset()) -> TrainingPlan:
    """Steps per role group, largest weighted gap first.

    Roles with fewer than `min_group` respondents, and the roles in `hidden_roles` (those the
    scorecard's role view hides, complementary suppression included: `readiness.suppression`),
    are pooled into one group if the pool has two roles or more and reaches `min_group`,
    otherwise left out and reported in `suppressed_roles`. A role is thus shown on its own only
    where the role view shows it, so the total minus the plan's groups gives nothing the role
    view hides. The pool lists only steps open to every role in it (`fitting_steps` depends on
    the role): a step for one of its roles only would count that role's members.
    """
    people = cohort.respondents
    sizes = people["role"].value_counts()
    big = sorted((r for r, n in sizes.items() if n >= min_group and r not in hidden_roles),
                 key=lambda r: (-sizes[r], r))
    small = sorted(r for r in sizes.index if r not in big)
    pooled = int(sum(sizes[r] for r in small))
    pool_shown = pooled >= min_group and len(small) >= 2
    group_keys = big + ([POOLED] if pool_shown else [])
    group_of = {r: n for n, r in enumerate(big)}
    if pool_shown:
        group_of.update({r: len(big) for r in small})
    suppressed = tuple(small) if not pool_shown else ()

    role_ids = list(questionnaire.role_ids)
    role_code = pd.Index(role_ids).get_indexer(people["role"].to_numpy())
    group_code = np.array([group_of.get(r, -1) for r in people["role"].to_numpy()], dtype="int64")
    usable = (role_code >= 0) & (group_code >= 0)
    scores = cohort.challenges.to_numpy(dtype="float64")[usable]
    role_code, group_code = role_code[usable], group_code[usable]
    weights = np.array([c.weight for c in questionnaire.challenges])
    priority = np.nan_to_num(gap_priority(questionnaire, weights[None, :], scores), nan=0.0)
    tier_code = np.maximum(questionnaire.tiers.positions(scores), 0)  # unscored: no gap anyway
    open_gap = priority > 0
    fits = _fit_array(questionnaire)
    challenge_index = np.arange(len(questionnaire.challenges))[None, :]
    order = {c.id: n for n, c in enumerate(questionnaire.challenges)}

    rows: list[list[tuple[float, int, int, tuple[str, ...]]]] = [[] for _ in group_keys]
    pool_roles = [role_ids.index(r) for r in small if r in role_ids] if pool_shown else []
    for s, step in enumerate(questionnaire.training):
        serves = fits[s][role_code[:, None], challenge_index, tier_code] & open_gap
        if pool_roles and not all(fits[s, r].any() for r in pool_roles):
            serves &= (group_code != len(big))[:, None]  # not for the pool: not open to all its roles
        if not serves.any():
            continue
        best = np.where(serves, priority, 0.0).max(axis=1)
        served = best > 0
        counts = np.bincount(group_code[served], minlength=len(group_keys))
        gaps = np.bincount(group_code[served], weights=best[served], minlength=len(group_keys))
        for g in np.flatnonzero(counts):
            in_group = group_code == g
            covered = serves[in_group].any(axis=0)
            challenges = tuple(questionnaire.challenges[c].id for c in np.flatnonzero(covered))
            rows[g].append((float(gaps[g]), int(counts[g]), s, tuple(sorted(challenges, key=order.__getitem__))))

    groups = []
    for g, key in enumerate(group_keys):
        roles = (key,) if key != POOLED else tuple(small)
        members = int(sum(sizes[r] for r in roles))
        chosen = sorted(rows[g], key=lambda row: (-row[0], -row[1], row[2]))[:steps_per_group]
        planned = tuple(
            PlannedStep(
                step=questionnaire.training[s],
                challenges=challenges,
                respondents=count,
                share=100.0 * count / members,
                weighted_gap=gap,
            )
            for gap, count, s, challenges in chosen
        )
        groups.append(RoleGroupPlan(key, roles, members, planned))
    return TrainingPlan(tuple(groups), suppressed)
