"""The scorecard view: one ready-made, frozen object that every export template only formats.

All numbers, flags, sentences, suppression decisions and chart geometry are settled here, for an
organisation (many respondents, one round) or for one respondent (a personal scorecard), so the
HTML, PDF, Markdown and JSON documents cannot disagree with each other.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Callable, Mapping

import numpy as np
import pandas as pd

from readiness.aggregate import (
    MIN_GROUP_SIZE,
    Breakdown,
    breakdown,
    role_disagreements,
    summarise,
)
from readiness.benchmarks import benchmark_percentages
from readiness.cohort import VERSION_COLUMN, CohortScores, empty_frame, score_cohort
from readiness.gaps import open_gaps
from readiness.model import Questionnaire, Tier
from readiness.reliability import ACCEPTABLE, cronbach_alpha, rwg_j
from readiness.results import ReadinessResult
from readiness.rounds import compare_rounds
from readiness.training_plan import POOLED, organisation_plan
from readiness.weights import weighted_for

if TYPE_CHECKING:
    from readiness.storage import Store

#: Colours of the tiers, lowest first (red → green); reused if a bank defines more tiers.
TIER_COLOURS = ("#b03a2e", "#ca6f1e", "#b7950b", "#239b56", "#196f3d")

#: Called with a short description of each stage of long work (for a progress bar).
Progress = Callable[[str], None]


@dataclass(frozen=True)
class TierView:
    id: str
    name: str
    colour: str
    lower: float
    upper: float


@dataclass(frozen=True)
class TierCount:
    tier: TierView
    count: int
    percent: float


@dataclass(frozen=True)
class ChallengeView:
    """One challenge's row: organisation mean (or a respondent's score) and its distribution."""

    number: int
    id: str
    title: str
    weight: float
    score: float | None
    tier: TierView | None
    median: float | None
    spread: float | None
    n: int
    coverage: float
    distribution: tuple[TierCount, ...]
    answered: int | None = None
    asked: int | None = None


@dataclass(frozen=True)
class GroupView:
    label: str
    n: int
    overall: float | None
    scores: tuple[float | None, ...]


@dataclass(frozen=True)
class BreakdownView:
    kind: str
    title: str
    groups: tuple[GroupView, ...]
    suppressed: tuple[str, ...]


@dataclass(frozen=True)
class BenchmarkView:
    item_id: str
    challenge: str
    statement: str
    label: str
    source: str
    rule: str
    figure: float
    percent: float | None
    answered: int
    difference: float | None


@dataclass(frozen=True)
class ReliabilityView:
    challenge: str
    alpha: float | None
    alpha_n: int
    alpha_forms: int
    rwg: float | None
    rwg_n: int


@dataclass(frozen=True)
class Flag:
    """A plain-words warning; `kind` is reliability, agreement or disagreement."""

    kind: str
    text: str


@dataclass(frozen=True)
class TrendRow:
    label: str
    values: tuple[float | None, ...]
    delta: float | None


@dataclass(frozen=True)
class RoundsView:
    rounds: tuple[int, ...]
    respondents: tuple[int, ...]
    rows: tuple[TrendRow, ...]
    benchmarks: tuple[TrendRow, ...]


@dataclass(frozen=True)
class PlanStepView:
    id: str
    title: str
    format: str
    minutes: int
    challenges: tuple[str, ...]
    respondents: int
    share: float
    weighted_gap: float
    why: str


@dataclass(frozen=True)
class PlanGroupView:
    label: str
    n: int
    steps: tuple[PlanStepView, ...]


@dataclass(frozen=True)
class RadarAxis:
    number: int
    label: str
    x: float
    y: float
    label_x: float
    label_y: float
    anchor: str


@dataclass(frozen=True)
class RadarView:
    """Inline-SVG geometry of the nine-challenge radar: rings at the tier bounds, one axis per
    challenge, the score polygon (`shape`) and its vertices (`dots`)."""

    width: int
    height: int
    cx: float
    cy: float
    rings: tuple[str, ...]
    axes: tuple[RadarAxis, ...]
    shape: str
    dots: tuple[tuple[float, float], ...]


@dataclass(frozen=True)
class GapView:
    title: str
    score: float
    target: float
    priority: float


@dataclass(frozen=True)
class RecommendationView:
    title: str
    format: str
    minutes: int
    challenge: str
    why: str


@dataclass(frozen=True)
class Scorecard:
    """Everything a scorecard document shows. `kind` is "organisation" or "personal"; sections
    that do not apply are empty (or None) and the templates skip them."""

    kind: str
    title: str
    subtitle: str
    organisation: str | None
    round: int | None
    generated_at: str
    questionnaire_version: str
    respondents: int
    overall: float | None
    overall_tier: TierView | None
    overall_median: float | None
    overall_spread: float | None
    overall_distribution: tuple[TierCount, ...]
    target: float
    tiers: tuple[TierView, ...]
    challenges: tuple[ChallengeView, ...]
    radar: RadarView
    roles: BreakdownView | None = None
    departments: BreakdownView | None = None
    suppressed: tuple[str, ...] = ()
    benchmarks: tuple[BenchmarkView, ...] = ()
    reliability: tuple[ReliabilityView, ...] = ()
    flags: tuple[Flag, ...] = ()
    rounds: RoundsView | None = None
    plan: tuple[PlanGroupView, ...] = ()
    gaps: tuple[GapView, ...] = ()
    next_tier: str | None = None
    recommendations: tuple[RecommendationView, ...] = ()
    weights: tuple[tuple[str, float], ...] = ()
    method_notes: tuple[str, ...] = ()
    #: (bank version, respondents) the figures aggregate, oldest first; `questionnaire_version`
    #: is the bank the scorecard was computed with.
    versions: tuple[tuple[str, int], ...] = ()

    @property
    def versions_text(self) -> str:
        """"Questionnaire versions: 1.0 (n=12), 1.1 (n=30)", or "" when not known."""
        if not self.versions:
            return ""
        return "Questionnaire versions: " + ", ".join(f"{v} (n={n})" for v, n in self.versions)


# --------------------------------------------------------------------------------------------
# Small helpers


def _num(x: object) -> float | None:
    if x is None:
        return None
    value = float(x)  # type: ignore[arg-type]
    return None if math.isnan(value) else value


def tier_views(questionnaire: Questionnaire) -> tuple[TierView, ...]:
    return tuple(
        TierView(band.id, band.name, TIER_COLOURS[min(n, len(TIER_COLOURS) - 1)], band.lower, band.upper)
        for n, band in enumerate(questionnaire.tiers.bands)
    )


def _tier_of(questionnaire: Questionnaire, score: float | None) -> TierView | None:
    if score is None:
        return None
    return tier_views(questionnaire)[questionnaire.tiers.position(score)]


def _distribution(questionnaire: Questionnaire, counts: tuple[tuple[str, int], ...]) -> tuple[TierCount, ...]:
    total = sum(n for _, n in counts)
    views = {t.id: t for t in tier_views(questionnaire)}
    return tuple(TierCount(views[tid], n, 100.0 * n / total if total else 0.0) for tid, n in counts)


def role_label(questionnaire: Questionnaire, role: str | None) -> str:
    for r in questionnaire.roles:
        if r.id == role:
            return r.label
    return str(role)


def _short(title: str, limit: int = 22) -> str:
    return title if len(title) <= limit else title[: limit - 1].rstrip() + "…"


def radar(questionnaire: Questionnaire, scores: tuple[float | None, ...]) -> RadarView:
    """Radar geometry: axis i at angle −90° + i·360°/n; a missing score sits at the centre."""
    width, height, radius = 560, 420, 140.0
    cx, cy = width / 2, height / 2
    n = len(scores)

    def point(i: int, value: float) -> tuple[float, float]:
        angle = -math.pi / 2 + 2 * math.pi * i / n
        r = radius * value / 100.0
        return round(cx + r * math.cos(angle), 1), round(cy + r * math.sin(angle), 1)

    rings = tuple(
        " ".join(f"{x},{y}" for x, y in (point(i, band.upper) for i in range(n)))
        for band in questionnaire.tiers.bands
    )
    axes = []
    for i, challenge in enumerate(questionnaire.challenges):
        x, y = point(i, 100.0)
        lx, ly = point(i, 100.0 + 22.0 / radius * 100.0)
        anchor = "middle" if abs(lx - cx) < 10 else ("start" if lx > cx else "end")
        axes.append(RadarAxis(i + 1, f"{i + 1}. {_short(challenge.title)}", x, y, lx, ly + 4, anchor))
    dots = tuple(point(i, s if s is not None else 0.0) for i, s in enumerate(scores))
    shape = " ".join(f"{x},{y}" for x, y in dots)
    return RadarView(width, height, cx, cy, rings, tuple(axes), shape, dots)


# --------------------------------------------------------------------------------------------
# Organisation scorecard


def _version_key(version: str) -> tuple[tuple[int, object], ...]:
    """Sort "1.10" after "1.9": numeric parts as numbers, the rest as text."""
    return tuple((0, int(p)) if p.isdigit() else (1, p) for p in version.replace("-", ".").split("."))


def _versions(cohort: CohortScores) -> tuple[tuple[str, int], ...]:
    """Respondents per questionnaire version, oldest first (empty when the frame has none)."""
    if VERSION_COLUMN not in cohort.respondents.columns:
        return ()
    counts = cohort.respondents[VERSION_COLUMN].dropna().astype(str).value_counts()
    return tuple((v, int(counts[v])) for v in sorted(counts.index, key=_version_key))


def _form_alphas(cohort: CohortScores, people: np.ndarray, columns: list[int],
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


def _reliability(questionnaire: Questionnaire, cohort: CohortScores,
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
            for alpha, n in _form_alphas(cohort, masks[role], columns, min_size):
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


def _flags(questionnaire: Questionnaire, reliability: tuple[ReliabilityView, ...],
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


def _breakdown_view(questionnaire: Questionnaire, result: Breakdown) -> BreakdownView:
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


METHOD_NOTES = (
    "Each answer (1–5) becomes 0–100; statements where agreeing means less ready are reversed. "
    "A challenge score is the weighted mean of a respondent's answered statements; “don't know” "
    "and skipped answers are not counted as zeros.",
    "A respondent's overall index is the weighted mean of the challenges where they answered at "
    "least {coverage:.0%} of the statements asked of their role; the organisation's figures are "
    "means over respondents who completed the assessment in this round. A statement added or "
    "removed while the questionnaire was in use counts only for the respondents it was asked of.",
    "Groups (roles, departments) with fewer than {min_group} respondents are not shown on their "
    "own so that nobody can be recognised from their answers; they still count in the totals.",
    "Cronbach's α (Cronbach 1951) is computed per questionnaire form (a role's statements, as "
    "asked under one questionnaire version) and averaged, weighted by the number of complete "
    "answer sets; below 0.70 the statements of a challenge do not measure one thing "
    "consistently here.",
    "Agreement rwg(j) (James, Demaree & Wolf 1984) compares the spread of answers with random "
    "answering on a 5-point scale (variance 2.0); J is the mean number of statements answered "
    "per respondent. Below 0.70 an average should be read with its breakdowns.",
    "Benchmarks compare the share of your respondents giving the listed answers with the "
    "figures reported in the source study (§4); they are orientation, not targets.",
    "The training plan lists catalogue steps that fit respondents' open gaps (challenges below "
    "the target of {target:.0f}) for their role and tier, ordered by the weighted gap they close.",
)


def organisation_scorecard(
    questionnaire: Questionnaire,
    frame: pd.DataFrame,
    *,
    name: str,
    round: int | None = None,
    weights: Mapping[str, float] | None = None,
    generated_at: datetime | None = None,
    min_group: int = MIN_GROUP_SIZE,
    progress: Progress | None = None,
) -> Scorecard:
    """The organisation's scorecard for one round (default: the latest round with completed
    assessments) from its long answers frame (`Store.answers_frame` over all rounds).

    Only completed assessments count. `weights` are the organisation's stored challenge weight
    overrides (`readiness.weights.weighted_for`). With a `questionnaire_version` column in
    `frame`, the scorecard lists the versions it aggregates.
    """
    step: Progress = progress or (lambda _stage: None)
    questionnaire = weighted_for(questionnaire, weights)
    completed = frame[frame["completed"]] if len(frame) else empty_frame()
    step("scoring respondents")
    everyone = score_cohort(questionnaire, completed)
    available = sorted(int(r) for r in everyone.respondents["round"].unique())
    chosen = round if round is not None else (available[-1] if available else 1)
    in_round = everyone.respondents["round"].to_numpy() == chosen
    cohort = everyone if in_round.all() else everyone.subset(in_round)
    step("summarising challenges")
    overall = summarise(questionnaire, cohort.respondents["overall"])
    challenges = []
    for n, challenge in enumerate(questionnaire.challenges, 1):
        summary = summarise(questionnaire, cohort.challenges[challenge.id])
        challenges.append(ChallengeView(
            number=n, id=challenge.id, title=challenge.title, weight=challenge.weight,
            score=summary.mean, tier=_tier_of(questionnaire, summary.mean),
            median=summary.median, spread=summary.spread, n=summary.n,
            coverage=float(cohort.coverage[challenge.id].mean()) if len(cohort.coverage) else 0.0,
            distribution=_distribution(questionnaire, summary.tiers),
        ))
    step("breaking down by role and department")
    roles = breakdown(questionnaire, cohort, "role", min_group)
    departments = breakdown(questionnaire, cohort, "department", min_group)
    role_view = _breakdown_view(questionnaire, roles)
    department_view = _breakdown_view(questionnaire, departments)
    suppressed = tuple(
        [f"Role “{label}”: fewer than {min_group} respondents" for label in role_view.suppressed]
        + [f"Department “{label}”: fewer than {min_group} respondents" for label in department_view.suppressed]
    )
    step("benchmarks, reliability and agreement")
    benchmarks = tuple(
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
    reliability = _reliability(questionnaire, cohort, min_group) if len(cohort.items) else ()
    flags = _flags(questionnaire, reliability, roles)
    step("rounds and training plan")
    rounds_view = None
    if len(available) > 1:
        comparison = compare_rounds(questionnaire, everyone, min_group)
        titles = {c.id: c.title for c in questionnaire.challenges}
        rounds_view = RoundsView(
            rounds=comparison.rounds,
            respondents=comparison.respondents,
            rows=(TrendRow("Overall readiness index", comparison.overall.values, comparison.overall.delta),)
            + tuple(TrendRow(titles[t.key], t.values, t.delta) for t in comparison.challenges),
            benchmarks=tuple(
                TrendRow(questionnaire.item(t.key).benchmark.label, t.values, t.delta)  # type: ignore[union-attr]
                for t in comparison.benchmarks
            ),
        )
    plan = organisation_plan(questionnaire, cohort, min_group)
    titles = {c.id: c.title for c in questionnaire.challenges}
    plan_view = tuple(
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
    if plan.suppressed_roles:
        suppressed += (
            "Training plan: roles with too few respondents to plan for separately ("
            + ", ".join(role_label(questionnaire, r) for r in plan.suppressed_roles) + ")",
        )
    mean_scores = tuple(c.score for c in challenges)
    notes = tuple(
        note.format(coverage=questionnaire.rules.min_coverage, min_group=min_group,
                    target=questionnaire.rules.target)
        for note in METHOD_NOTES
    )
    when = (generated_at or datetime.now(timezone.utc)).strftime("%Y-%m-%d")
    return Scorecard(
        kind="organisation",
        title=name,
        subtitle=f"Generative-AI adoption readiness · round {chosen}",
        organisation=name,
        round=chosen,
        generated_at=when,
        questionnaire_version=questionnaire.version,
        respondents=int(len(cohort.respondents)),
        overall=overall.mean,
        overall_tier=_tier_of(questionnaire, overall.mean),
        overall_median=overall.median,
        overall_spread=overall.spread,
        overall_distribution=_distribution(questionnaire, overall.tiers),
        target=questionnaire.rules.target,
        tiers=tier_views(questionnaire),
        challenges=tuple(challenges),
        radar=radar(questionnaire, mean_scores),
        roles=role_view,
        departments=department_view,
        suppressed=suppressed,
        benchmarks=benchmarks,
        reliability=reliability,
        flags=flags,
        rounds=rounds_view,
        plan=plan_view,
        weights=tuple((c.title, c.weight) for c in questionnaire.challenges),
        method_notes=notes,
        versions=_versions(cohort),
    )


# --------------------------------------------------------------------------------------------
# Personal scorecard


def personal_scorecard(questionnaire: Questionnaire, result: ReadinessResult, *,
                       organisation: str | None = None,
                       generated_at: datetime | None = None,
                       answered_version: str | None = None) -> Scorecard:
    """One respondent's scorecard from `readiness.results.evaluate` (or `evaluate_stored`), in
    the same shape; `answered_version` is the bank version the assessment was taken under."""
    profile = result.profile
    challenges = tuple(
        ChallengeView(
            number=n, id=c.challenge_id, title=c.title, weight=c.weight, score=c.score,
            tier=_tier_of(questionnaire, c.score), median=None, spread=None,
            n=1 if c.score is not None else 0, coverage=c.coverage, distribution=(),
            answered=c.answered, asked=c.asked,
        )
        for n, c in enumerate(profile.challenges, 1)
    )
    plan = result.next_tier
    next_tier = None
    if plan is not None:
        next_tier = (
            f"To reach {plan.target.name}: {plan.steps} one-point improvement(s) in your answers "
            f"on {', '.join(questionnaire.challenge(c).title for c in plan.challenges())} "
            f"would lift your index to {plan.projected:.0f}."
        )
    when = (generated_at or datetime.now(timezone.utc)).strftime("%Y-%m-%d")
    return Scorecard(
        kind="personal",
        title="Your readiness scorecard",
        subtitle=f"Role: {role_label(questionnaire, profile.role)}"
        + (f" · {organisation}" if organisation else ""),
        organisation=organisation,
        round=None,
        generated_at=when,
        questionnaire_version=questionnaire.version,
        respondents=1,
        overall=profile.overall,
        overall_tier=_tier_of(questionnaire, profile.overall),
        overall_median=None,
        overall_spread=None,
        overall_distribution=(),
        target=questionnaire.rules.target,
        tiers=tier_views(questionnaire),
        challenges=challenges,
        radar=radar(questionnaire, tuple(c.score for c in profile.challenges)),
        gaps=tuple(GapView(g.title, g.score, g.target, g.priority) for g in open_gaps(result.gaps)),
        next_tier=next_tier,
        recommendations=tuple(
            RecommendationView(r.step.title, r.step.format, r.step.duration_minutes,
                               r.challenge_title, r.step.why)
            for r in result.recommendations
        ),
        weights=tuple((c.title, c.weight) for c in questionnaire.challenges),
        method_notes=tuple(
            note.format(coverage=questionnaire.rules.min_coverage, min_group=MIN_GROUP_SIZE,
                        target=questionnaire.rules.target)
            for note in METHOD_NOTES[:1]
        ),
        versions=((answered_version, 1),) if answered_version else (),
    )


# --------------------------------------------------------------------------------------------
# From the store


#: Each respondent's counted assessment per round and its bank version, ranked as
#: `Store.answers_frame` ranks them (completed first, then the latest).
_VERSIONS_SQL = """
SELECT pseudonym, round, questionnaire_version FROM (
  SELECT r.pseudonym AS pseudonym, a.round AS round, a.questionnaire_version AS questionnaire_version,
         ROW_NUMBER() OVER (PARTITION BY a.respondent_id, a.round
                            ORDER BY CASE WHEN a.completed_at IS NULL THEN 1 ELSE 0 END, a.id DESC) AS position_in_round
  FROM assessments a
  JOIN respondents r ON r.id = a.respondent_id
  JOIN organisations o ON o.id = r.organisation_id
  WHERE o.join_code = :code
) ranked WHERE position_in_round = 1
"""


def _with_versions(store: "Store", join_code: str, frame: pd.DataFrame) -> pd.DataFrame:
    """`frame` with a questionnaire_version column (the bank version of each row's assessment).

    Stop-gap until `Store.answers_frame` returns the column itself: then this returns the
    frame unchanged.
    """
    if VERSION_COLUMN in frame.columns or not len(frame):
        return frame
    from sqlalchemy import text

    with store.session_scope() as session:
        rows = session.connection().execute(text(_VERSIONS_SQL), {"code": join_code}).all()
    versions = {(str(p), int(r)): v for p, r, v in rows}
    keys = zip(frame["respondent"].astype(str), frame["round"].astype(int))
    return frame.assign(**{VERSION_COLUMN: [versions.get(key) for key in keys]})


def load_organisation_scorecard(store: "Store", join_code: str, *, round: int | None = None,
                                questionnaire: Questionnaire | None = None,
                                progress: Progress | None = None) -> Scorecard:
    """Read the organisation's answers (one query) and build its scorecard.

    LookupError for an unknown join code; ValueError (naming the rounds that exist) for a
    round without data. Stored weight overrides for challenges the bank no longer has are
    ignored (`weighted_for`).
    """
    from readiness.bank import current_questionnaire

    organisation = store.get_organisation(join_code)
    if organisation is None:
        raise LookupError(f"no organisation has the join code {join_code!r}")
    if progress:
        progress("reading answers")
    frame = _with_versions(store, organisation.join_code, store.answers_frame(organisation.join_code))
    if round is not None:
        rounds = sorted(int(r) for r in frame.loc[frame["completed"], "round"].unique())
        if round not in rounds:
            listed = ", ".join(map(str, rounds)) or "none yet"
            raise ValueError(f"round {round} has no completed assessments; rounds with data: {listed}")
    return organisation_scorecard(
        questionnaire or current_questionnaire(), frame, name=organisation.name, round=round,
        weights=dict(organisation.weights), progress=progress,
    )


def load_personal_scorecard(store: "Store", report_token: str,
                            questionnaire: Questionnaire | None = None) -> Scorecard | None:
    """The personal scorecard behind a report link, or None for an unknown token.

    The organisation's weight overrides apply, as they did in the chat; the stored answers are
    scored against the current bank (`evaluate_stored`).
    """
    from readiness.bank import current_questionnaire
    from readiness.results import evaluate_stored

    assessment = store.assessment_by_report_token(report_token)
    if assessment is None:
        return None
    respondent = store.get_respondent(assessment.respondent)
    if respondent is None:
        return None
    questionnaire = questionnaire or current_questionnaire()
    organisation = (store.get_organisation(respondent.organisation_code)
                    if respondent.organisation_code else None)
    questionnaire = weighted_for(questionnaire, organisation.weights if organisation else None)
    result = evaluate_stored(questionnaire, respondent.role, store.answers(assessment.id))
    return personal_scorecard(questionnaire, result,
                              organisation=organisation.name if organisation else None,
                              answered_version=assessment.questionnaire_version)
