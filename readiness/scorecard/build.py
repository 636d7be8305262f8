"""Building the scorecard view: an organisation's (many respondents, one round) or one
respondent's, from the scores, with every section settled here."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any, Iterable, Mapping, Sequence

import pandas as pd

from readiness.aggregate import MIN_GROUP_SIZE, breakdown, summarise
from readiness.cohort import empty_frame, score_cohort
from readiness.gaps import open_gaps
from readiness.model import Questionnaire
from readiness.results import ReadinessResult
from readiness.scorecard import methods, statistics
from readiness.scorecard import charts
from readiness.scorecard.counted import counted_rounds, round_cohort
from readiness.scorecard.tiers import distribution, radar, role_label, tier_of, tier_views
from readiness.scorecard.versions import short_fingerprint, version_fingerprints, versions
from readiness.scorecard.views import ChallengeView, GapView, Progress, RecommendationView, Scorecard
from readiness.training_plan import organisation_plan
from readiness.weights import weighted_for


METHOD_NOTES = (
    "Each answer (1–5) becomes 0–100; statements where agreeing means less ready are reversed. "
    "A challenge score is the weighted mean of a respondent's answered statements; “don't know” "
    "and skipped answers are not counted as zeros.",
    "A respondent's overall index is the weighted mean of the challenges where they answered at "
    "least {coverage:.0%} of the statements asked of their role; the organisation's figures are "
    "means over respondents who completed the assessment in this round. A statement added or "
    "removed while the questionnaire was in use counts only for the respondents it was asked of.",
    "Groups (roles, departments, role × department cells) with fewer than {min_group} respondents "
    "are not shown on their own so that nobody can be recognised from their answers; they still "
    "count in the totals. Where a hidden group could be worked out by subtracting the groups "
    "shown from a total, further groups are hidden too (complementary suppression).",
    "Cronbach's α (Cronbach 1951) is computed per questionnaire form (a role's statements, as "
    "asked under one questionnaire version) and averaged, weighted by the number of complete "
    "answer sets; below 0.70 the statements of a challenge do not measure one thing "
    "consistently here.",
    "Agreement rwg(j) (James, Demaree & Wolf 1984) compares the spread of answers with random "
    "answering on a 5-point scale (variance 2.0); J is the mean number of statements answered "
    "per respondent. Below 0.70 an average should be read with its breakdowns.",
    "ICC(1) and ICC(2) (Bliese 2000; Shrout & Fleiss 1979) come from a one-way ANOVA of the "
    "challenge scores with the shown departments (or roles) as groups, group size k0 adjusted "
    "for unequal groups: ICC(1) is the share of the differences between people that lies "
    "between groups, ICC(2) how reliable the group means are (0.70 or more: reliable).",
    "Group differences are tested with Welch's ANOVA over the shown groups (unequal sizes and "
    "spreads allowed), Holm-adjusted across the index and the challenges; each group's index "
    "has a 95 % confidence interval.",
    "Answer quality: an assessment is flagged for straight-lining (the same answer to every "
    "statement, reversed ones included), for strongly agreeing with both a statement and its "
    "reversed counterpart in two challenges, or for finishing in under a third of the median "
    "time of its role. Flags are never shown to respondents.",
    "Benchmarks compare the share of your respondents giving the listed answers with the "
    "figures reported in the source study (§4); they are orientation, not targets. The study's "
    "1 % breach rate is a rate per use, not a share of staff, so it is compared with your pilot's "
    "own counts under “Evidence beside perceptions”.",
    "Pilot evidence is entered by the organisation's leads per round. Each proportion has a 95 % "
    "Wilson score interval (Wilson 1927); the AI-vs-clinicians difference has Newcombe's "
    "square-and-add interval (1998), for paired cases when the discordant counts are given (then "
    "also an exact McNemar test), else for independent proportions. A difference is called "
    "statistically clear only when its interval excludes zero.",
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
    exclude_flagged: bool = False,
    evidence_measures: Sequence[Any] = (),
    evidence_entries: Iterable[Any] = (),
    patient: Any = None,
    patient_frame: pd.DataFrame | None = None,
) -> Scorecard:
    """The organisation's scorecard for one round (default: the latest round with completed
    assessments) from its long answers frame (`Store.answers_frame` over all rounds).

    Only completed assessments count. `weights` are the organisation's stored challenge weight
    overrides (`readiness.weights.weighted_for`). With a `questionnaire_version` column in
    `frame`, the scorecard lists the versions it aggregates. `exclude_flagged` (the
    organisation's answer-quality setting) leaves flagged assessments out of every figure.
    `evidence_measures` (evidence.yml) and `evidence_entries` (the store's records) give the
    "Evidence beside perceptions" section; `patient` (PatientContent) and `patient_frame` (the
    patients' answers, `Store.answers_frame(code, audience="patient")`) the "Patients' view".
    """
    step: Progress = progress or (lambda _stage: None)
    questionnaire = weighted_for(questionnaire, weights)
    completed = frame[frame["completed"]] if len(frame) else empty_frame()
    step("scoring respondents")
    everyone = score_cohort(questionnaire, completed)
    available = sorted(int(r) for r in everyone.respondents["round"].unique())
    chosen = round if round is not None else (available[-1] if available else 1)
    step("checking answer quality")
    counted = round_cohort(questionnaire, everyone, chosen, exclude_flagged)
    quality_view = methods.quality_view(counted.flags, counted.all.respondents["overall"].to_numpy(dtype="float64"),
                                        exclude_flagged, min_group)
    cohort = counted.counted
    step("summarising challenges")
    overall = summarise(questionnaire, cohort.respondents["overall"])
    challenges = []
    for n, challenge in enumerate(questionnaire.challenges, 1):
        summary = summarise(questionnaire, cohort.challenges[challenge.id])
        challenges.append(ChallengeView(
            number=n, id=challenge.id, title=challenge.title, weight=challenge.weight,
            score=summary.mean, tier=tier_of(questionnaire, summary.mean),
            median=summary.median, spread=summary.spread, n=summary.n,
            coverage=float(cohort.coverage[challenge.id].mean()) if len(cohort.coverage) else 0.0,
            distribution=distribution(questionnaire, summary.tiers),
        ))
    step("breaking down by role and department")
    pattern = methods.pattern_for(cohort, min_group)
    roles = breakdown(questionnaire, cohort, "role", min_group, pattern.hidden_of("role"))
    departments = breakdown(questionnaire, cohort, "department", min_group, pattern.hidden_of("department"))
    role_view = methods.difference_view(questionnaire, cohort, roles, statistics.breakdown_view(questionnaire, roles))
    department_view = methods.difference_view(questionnaire, cohort, departments,
                                              statistics.breakdown_view(questionnaire, departments))
    # One reason for every hidden group: saying which were hidden only to protect another
    # would tell that those have at least min_group respondents.
    why = f"not shown (fewer than {min_group} respondents, or hidden so that a smaller group cannot be worked out)"
    suppressed = tuple(
        [f"Role “{label}”: {why}" for label in role_view.suppressed]
        + [f"Department “{label}”: {why}" for label in department_view.suppressed]
    )
    step("benchmarks, reliability and agreement")
    benchmarks = statistics.benchmark_views(questionnaire, cohort, min_group)
    reliability = statistics.reliability_views(questionnaire, cohort, min_group) if len(cohort.items) else ()
    icc = methods.icc_views(questionnaire, cohort, (departments, roles), reliability)
    flags = statistics.flag_views(questionnaire, reliability, roles) + methods.pseudo_agreement_flags(icc, reliability)
    step("rounds and training plan")
    rounds_view = (statistics.rounds_view(questionnaire, counted_rounds(questionnaire, everyone, exclude_flagged),
                                          min_group) if len(available) > 1 else None)
    plan = organisation_plan(questionnaire, cohort, min_group, hidden_roles=pattern.hidden_of("role"))
    plan_view = statistics.plan_view(questionnaire, plan)
    if plan.suppressed_roles:
        suppressed += (
            "Training plan: roles not planned for separately (too few respondents, or hidden so that "
            "a smaller group cannot be worked out) ("
            + ", ".join(role_label(questionnaire, r) for r in plan.suppressed_roles) + ")",
        )
    mean_scores = tuple(c.score for c in challenges)
    step("evidence and patients")
    from readiness.scorecard.evidence import evidence_views, patients_view

    evidence = evidence_views(questionnaire, evidence_measures, evidence_entries, completed, chosen,
                              {c.id: c.score for c in challenges}, min_group)
    patients = (patients_view(questionnaire, patient, patient_frame, completed, chosen, min_group)
                if patient_frame is not None else None)
    notes = tuple(
        note.format(coverage=questionnaire.rules.min_coverage, min_group=min_group,
                    target=questionnaire.rules.target)
        for note in METHOD_NOTES
    )
    tiers = tier_views(questionnaire)
    overall_distribution = distribution(questionnaire, overall.tiers)
    heat = None if role_view is None else charts.heatmap(questionnaire, role_view.groups, role_view.suppressed, tiers)
    trend = None if rounds_view is None else charts.trend_chart(rounds_view.rounds, rounds_view.rows)
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
        overall_tier=tier_of(questionnaire, overall.mean),
        overall_median=overall.median,
        overall_spread=overall.spread,
        overall_distribution=distribution(questionnaire, overall.tiers),
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
        icc=icc,
        cross=methods.cross_view(questionnaire, cohort, pattern),
        quality=quality_view,
        rounds=rounds_view,
        plan=plan_view,
        heatmap=heat,
        trend=trend,
        tier_bars=charts.tier_bars(overall_distribution) if len(cohort.respondents) else None,
        summary=charts.summary(tuple(challenges), plan_view, questionnaire.rules.target),
        weights=tuple((c.title, c.weight) for c in questionnaire.challenges),
        method_notes=notes,
        versions=versions(cohort),
        version_fingerprints=version_fingerprints(cohort),
        evidence=evidence,
        patients=patients,
    )


# --------------------------------------------------------------------------------------------
# Personal scorecard


def personal_scorecard(questionnaire: Questionnaire, result: ReadinessResult, *,
                       organisation: str | None = None,
                       generated_at: datetime | None = None,
                       answered_version: str | None = None,
                       answered_fingerprint: str | None = None) -> Scorecard:
    """One respondent's scorecard from `readiness.results.evaluate` (or `evaluate_stored`), in
    the same shape; `answered_version` and `answered_fingerprint` are the bank version and
    fingerprint the assessment was started under."""
    profile = result.profile
    challenges = tuple(
        ChallengeView(
            number=n, id=c.challenge_id, title=c.title, weight=c.weight, score=c.score,
            tier=tier_of(questionnaire, c.score), median=None, spread=None,
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
        overall_tier=tier_of(questionnaire, profile.overall),
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
        version_fingerprints=((answered_version, (short_fingerprint(answered_fingerprint),)),)
        if answered_version and answered_fingerprint else (),
    )
