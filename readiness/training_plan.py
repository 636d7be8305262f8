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
from readiness.cohort import CohortScores, tier_ids
from readiness.gaps import Gap
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


def _fit_table(questionnaire: Questionnaire, combos: pd.DataFrame) -> pd.DataFrame:
    """(role, challenge, tier, step_id) for every open-gap combination present."""
    target = questionnaire.rules.target
    rows = []
    for role, challenge_id, tier_id in combos.itertuples(index=False):
        challenge = questionnaire.challenge(challenge_id)
        tier = questionnaire.tiers.get(tier_id)
        gap = Gap(challenge_id, challenge.title, tier.lower, tier, target, challenge.weight, 1.0)
        rows.extend((role, challenge_id, tier_id, step.id) for step in fitting_steps(questionnaire, role, gap))
    return pd.DataFrame(rows, columns=["role", "challenge", "tier", "step_id"])


def organisation_plan(questionnaire: Questionnaire, cohort: CohortScores,
                      min_group: int = MIN_GROUP_SIZE,
                      steps_per_group: int = STEPS_PER_GROUP) -> TrainingPlan:
    """Steps per role group, largest weighted gap first.

    Roles with fewer than `min_group` respondents are pooled into one group if the pool
    reaches `min_group`, otherwise left out and reported in `suppressed_roles`.
    """
    people = cohort.respondents
    sizes = people["role"].value_counts()
    big = sorted((r for r, n in sizes.items() if n >= min_group), key=lambda r: (-sizes[r], r))
    small = sorted(r for r, n in sizes.items() if n < min_group)
    pooled = int(sum(sizes[r] for r in small))
    group_of = {r: r for r in big}
    if pooled >= min_group:
        group_of.update({r: POOLED for r in small})
    suppressed = tuple(small) if pooled < min_group else ()

    weights = pd.Series({c.id: c.weight for c in questionnaire.challenges})
    mean_weight = float(weights.mean())
    target = questionnaire.rules.target
    long = cohort.challenges.reset_index(drop=True).assign(role=people["role"].to_numpy(),
                                                          respondent=np.arange(len(people)))
    long = long.melt(id_vars=["respondent", "role"], var_name="challenge", value_name="score")
    long = long[long["score"].notna() & (long["score"] < target)]
    long = long.assign(
        priority=(long["challenge"].map(weights) / mean_weight) * (target - long["score"]),
        tier=tier_ids(questionnaire, long["score"]).to_numpy(),
    )
    long = long[long["priority"] > 0]
    fits = _fit_table(questionnaire, long[["role", "challenge", "tier"]].drop_duplicates())
    served = long.merge(fits, on=["role", "challenge", "tier"], how="inner")
    served = served[served["role"].isin(group_of)]
    served = served.assign(group=served["role"].map(group_of))
    best = served.sort_values("priority", ascending=False).drop_duplicates(["respondent", "step_id"])
    challenges_by = served.groupby(["group", "step_id"])["challenge"].unique()
    totals = best.groupby(["group", "step_id"]).agg(respondents=("respondent", "nunique"),
                                                     weighted_gap=("priority", "sum"))
    steps = {step.id: step for step in questionnaire.training}
    order = {c.id: n for n, c in enumerate(questionnaire.challenges)}
    groups = []
    for key in big + ([POOLED] if pooled >= min_group and small else []):
        roles = (key,) if key != POOLED else tuple(small)
        members = int(sum(sizes[r] for r in roles))
        rows = totals.loc[key] if key in totals.index.get_level_values(0) else totals.iloc[0:0]
        rows = rows.sort_values(["weighted_gap", "respondents"], ascending=False).head(steps_per_group)
        planned = tuple(
            PlannedStep(
                step=steps[step_id],
                challenges=tuple(sorted(challenges_by.loc[(key, step_id)], key=order.__getitem__)),
                respondents=int(row.respondents),
                share=100.0 * row.respondents / members,
                weighted_gap=float(row.weighted_gap),
            )
            for step_id, row in rows.iterrows()
        )
        groups.append(RoleGroupPlan(key, roles, members, planned))
    return TrainingPlan(tuple(groups), suppressed)
