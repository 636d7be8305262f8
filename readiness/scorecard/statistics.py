"""The statistics sections of an organisation's scorecard: reliability (α), agreement
(rwg(j)), warnings, breakdowns, benchmarks, rounds and the training plan."""

from __future__ import annotations

from typing import Callable

import numpy as np
import pandas as pd

from readiness.aggregate import Breakdown, role_disagreements
from readiness.benchmarks import benchmark_percentages
from readiness.cohort import CohortScores
from readiness.model import Questionnaire
from readiness.reliability import ACCEPTABLE, cronbach_alpha, rwg_j
from readiness.rounds import RoundTrend, change_words, compare_rounds
from readiness.scorecard.tiers import role_label
from readiness.scorecard.views import (
    BenchmarkView,
    BreakdownView,
    Flag,
    GroupView,
    PlanGroupView,
    PlanStepView,
    ReliabilityView,
    RoundsView,
    TrendRow,
)
from readiness.training_plan import POOLED, TrainingPlan


def form_alphas(cohort: CohortScores, people: np.ndarray, columns: list[int],
                 min_size: int) -> list[tuple[float, int]]:
    """(α, complete cases) of each questionnaire form among `people` over `columns`.

    A form is the set of these items a respondent was asked (has a row for): respondents who
    answered under different bank versions are not mixed, and nobody is counted on an item
    they were never asked. Within a form α uses listwise deletion (n/a drops the case), so on
    one complete form this is exactly Cronbach's α. Forms with fewer than 2 items or fewer
    than `min_size` complete cases are left out.
    """
    asked = cohort.asked[np.ix_(people, columns)]
    if not asked.size:
        return []
    patterns, form_of = np.unique(asked, axis=0, return_inverse=True)
    form_of = np.asarray(form_of).reshape(-1)
    chosen = np.flatnonzero(people)
    found = []
    for form, pattern in enumerate(patterns):
        if pattern.sum() < 2:
            continue
        rows = chosen[form_of == form]
        cols = [c for c, on in zip(columns, pattern) if on]
        result = cronbach_alpha(pd.DataFrame(cohort.matrix[np.ix_(rows, cols)]))
        if result.alpha is not None and result.n >= min_size:
            found.append((result.alpha, result.n))
    return found


def reliability_views(questionnaire: Questionnaire, cohort: CohortScores,
                 min_size: int) -> tuple[ReliabilityView, ...]:
    """α per challenge (n-weighted mean over the questionnaire forms — role × items asked — with
    ≥ min_size complete answers) and rwg(j) over all respondents with J = items answered per
    respondent."""
    column = {item_id: n for n, item_id in enumerate(cohort.item_ids)}
    roles = cohort.respondents["role"].to_numpy()
    masks = {role: roles == role for role in questionnaire.role_ids}
    views = []
    for challenge in questionnaire.challenges:
        weighted = total_n = forms = 0.0
        for role in questionnaire.role_ids:
            if masks[role].sum() < min_size:
                continue
            columns = [column[i.id] for i in challenge.items_for(role)]
            for alpha, n in form_alphas(cohort, masks[role], columns, min_size):
                weighted += alpha * n
                total_n += n
                forms += 1
        block = cohort.matrix[:, [column[i.id] for i in challenge.items]]
        answered = (~np.isnan(block)).sum(axis=1)
        block = block[answered > 0]
        agreement = rwg_j(pd.DataFrame(block / 25.0 + 1.0),
                          j=float(answered[answered > 0].mean()) if len(block) else None)
        views.append(ReliabilityView(
            challenge=challenge.title,
            alpha=weighted / total_n if total_n else None,
            alpha_n=int(total_n),
            alpha_forms=int(forms),
            rwg=agreement.rwg_j,
            rwg_n=agreement.n,
        ))
    return tuple(views)


def flag_views(questionnaire: Questionnaire, reliability: tuple[ReliabilityView, ...],
           roles: Breakdown) -> tuple[Flag, ...]:
    """Plain-words warnings: low α, low agreement (one sentence each, listing the challenges)
    and roles far apart on a challenge."""
    flags = []
    low_alpha = [r for r in reliability if r.alpha is not None and r.alpha < ACCEPTABLE]
    if low_alpha:
        listed = "; ".join(f"{r.challenge} (α = {r.alpha:.2f}, n = {r.alpha_n})" for r in low_alpha)
        flags.append(Flag("reliability", (
            f"The statements of {len(low_alpha)} challenge(s) do not hang together well here "
            f"(Cronbach's α below {ACCEPTABLE:.2f}): {listed}. Read these scores with care: "
            "the statements may be measuring different things in your organisation.")))
    low_rwg = [r for r in reliability if r.rwg is not None and r.rwg < ACCEPTABLE]
    if low_rwg:
        listed = "; ".join(f"{r.challenge} (rwg(j) = {r.rwg:.2f})" for r in low_rwg)
        flags.append(Flag("agreement", (
            f"Respondents disagree about {len(low_rwg)} of {len(reliability)} challenges "
            f"(agreement rwg(j) below {ACCEPTABLE:.2f}): {listed}. The organisation's average "
            "hides quite different experiences there; look at the role and department breakdowns.")))
    for d in role_disagreements(questionnaire, roles):
        title = questionnaire.challenge(d.challenge_id).title
        flags.append(Flag("disagreement", (
            f"Respondents in the role “{role_label(questionnaire, d.higher)}” rate {title} "
            f"{d.points:.0f} points higher than those in the role “{role_label(questionnaire, d.lower)}” "
            f"({d.higher_score:.0f} vs {d.lower_score:.0f}).")))
    return tuple(flags)


def breakdown_view(questionnaire: Questionnaire, result: Breakdown) -> BreakdownView:
    if result.kind == "role":
        label: Callable[[str | None], str] = lambda key: role_label(questionnaire, key)
        title = "By role"
    else:
        label = lambda key: "Not given" if key is None else str(key)
        title = "By department"
    return BreakdownView(
        kind=result.kind,
        title=title,
        groups=tuple(GroupView(label(g.key), g.n, g.overall, g.challenges) for g in result.shown),
        suppressed=tuple(label(k) for k in result.suppressed),
    )


def benchmark_views(questionnaire: Questionnaire, cohort: CohortScores,
                    min_group: int) -> tuple[BenchmarkView, ...]:
    """Each benchmarked statement: the share of respondents giving the listed answers next to
    the source study's figure."""
    return tuple(
        BenchmarkView(
            item_id=b.item.id,
            challenge=questionnaire.challenge(b.item.challenge).title,
            statement=b.item.text,
            label=b.benchmark.label,
            source=b.benchmark.source,
            rule=(f"answers {b.benchmark.threshold}–5" if b.benchmark.rule == "at_least"
                  else f"answers 1–{b.benchmark.threshold}"),
            figure=b.benchmark.figure,
            percent=b.percent,
            answered=b.answered,
            difference=b.difference,
        )
        for b in benchmark_percentages(questionnaire, cohort.items, min_group)
    )


def trend_row(label: str, trend: RoundTrend) -> TrendRow:
    """A round trend as a scorecard row: values, change, interval, n of both rounds, words."""
    c = trend.change
    return TrendRow(
        label, trend.values, trend.delta,
        change_low=None if c is None else c.low,
        change_high=None if c is None else c.high,
        change_is_clear=None if c is None else c.is_clear,
        n_previous=None if c is None else c.n_previous,
        n_latest=None if c is None else c.n_latest,
        change_text=change_words(c),
    )


def rounds_view(questionnaire: Questionnaire, everyone: CohortScores, min_group: int) -> RoundsView:
    """The trend over every round of the cohort: overall index, challenges, benchmarks, each
    with the latest change and its 95 % interval."""
    comparison = compare_rounds(questionnaire, everyone, min_group)
    titles = {c.id: c.title for c in questionnaire.challenges}
    return RoundsView(
        rounds=comparison.rounds,
        respondents=comparison.respondents,
        rows=(trend_row("Overall readiness index", comparison.overall),)
        + tuple(trend_row(titles[t.key], t) for t in comparison.challenges),
        benchmarks=tuple(
            trend_row(questionnaire.item(t.key).benchmark.label, t)  # type: ignore[union-attr]
            for t in comparison.benchmarks
        ),
    )


def plan_view(questionnaire: Questionnaire, plan: TrainingPlan) -> tuple[PlanGroupView, ...]:
    """The training plan per role group (small roles pooled under "Other roles")."""
    titles = {c.id: c.title for c in questionnaire.challenges}
    return tuple(
        PlanGroupView(
            label=("Other roles (" + ", ".join(role_label(questionnaire, r) for r in group.roles) + ")")
            if group.key == POOLED else role_label(questionnaire, group.key),
            n=group.respondents,
            steps=tuple(
                PlanStepView(s.step.id, s.step.title, s.step.format, s.step.duration_minutes,
                             tuple(titles[c] for c in s.challenges), s.respondents, s.share,
                             s.weighted_gap, s.step.why)
                for s in group.steps
            ),
        )
        for group in plan.groups
    )
