"""The methodological sections of an organisation's scorecard (issue 13): ICC(1)/ICC(2) next to
rwg(j), whether group differences exceed noise, answer quality, and the role × department view
under complementary suppression."""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from readiness.aggregate import NOT_GIVEN, Breakdown, group_keys
from readiness.cohort import CohortScores
from readiness.group_tests import ALPHA_LEVEL, TEST_NAME, holm, mean_interval, welch_anova
from readiness.icc import ICC1_CLEAR, ICC1_NEGLIGIBLE, ICC2_RELIABLE, group_icc
from readiness.model import Questionnaire
from readiness.quality import QualityFlags
from readiness.reliability import ACCEPTABLE
from readiness.scorecard.tiers import role_label
from readiness.scorecard.views import (
    BreakdownView,
    CrossView,
    DifferenceView,
    Flag,
    IccView,
    QualityView,
    ReliabilityView,
)
from readiness.suppression import SuppressionPattern, suppression_pattern

_PLURAL = {"role": "roles", "department": "departments"}


def pattern_for(cohort: CohortScores, min_group: int) -> SuppressionPattern:
    """The complementary suppression pattern of the cohort's roles and departments."""
    return suppression_pattern(group_keys(cohort, "role").tolist(), group_keys(cohort, "department").tolist(),
                               min_group)


def _coefficient(value: float) -> str:
    """.18, −.02: the APA style for statistics bounded by 1."""
    text = f"{abs(value):.2f}".lstrip("0") if abs(value) < 1 else f"{abs(value):.2f}"
    return ("−" if value < 0 else "") + text


def _scores(cohort: CohortScores, position: int | None) -> np.ndarray:
    if position is None:
        return cohort.respondents["overall"].to_numpy(dtype="float64")
    return cohort.challenges.iloc[:, position].to_numpy(dtype="float64")


def difference_view(questionnaire: Questionnaire, cohort: CohortScores, result: Breakdown,
                    view: BreakdownView) -> BreakdownView:
    """`view` with a 95 % interval on each shown group's overall index and Welch's ANOVA over
    the shown groups per score (Holm-adjusted across the overall index and the challenges)."""
    keys = group_keys(cohort, result.kind).to_numpy()
    shown = [NOT_GIVEN if g.key is None else g.key for g in result.shown]
    overall = _scores(cohort, None)
    groups = []
    for group, key in zip(view.groups, shown):
        interval = mean_interval(overall[keys == key])
        groups.append(replace(group, low=interval.low, high=interval.high))
    labels = ["Overall readiness index"] + [c.title for c in questionnaire.challenges]
    positions: list[int | None] = [None] + list(range(len(questionnaire.challenges)))
    tests = [welch_anova([_scores(cohort, p)[keys == key] for key in shown]) if len(shown) > 1 else None
             for p in positions]
    adjusted = holm([None if t is None else t.p for t in tests])
    plural = _PLURAL[result.kind]
    differences = []
    for label, test, p in zip(labels, tests, adjusted):
        if test is None or p is None:
            continue
        significant = p < ALPHA_LEVEL
        stat = f"F({test.df1:.0f}, {test.df2:.1f}) = {test.f:.2f}, adjusted p = {p:.3f}".replace("p = 0.000", "p < 0.001")
        text = (f"{label}: the {plural} differ by more than chance would explain ({stat})." if significant
                else f"{label}: the differences between {plural} are within what chance produces ({stat}).")
        differences.append(DifferenceView(label, test.f, test.df1, test.df2, p, significant, text))
    return replace(view, groups=tuple(groups), differences=tuple(differences),
                   test=f"{TEST_NAME}; 95 % t intervals for each group's index" if differences else "")


def _icc_text(kind: str, icc1: float | None, icc2: float | None, groups: int) -> str:
    plural = _PLURAL[kind]
    if icc1 is None or icc2 is None:
        return f"not computable ({groups} {plural} shown, or no variation)"
    if icc1 >= ICC1_CLEAR:
        first = f"{plural} differ clearly on this challenge (ICC(1) = {_coefficient(icc1)})"
    elif icc1 >= ICC1_NEGLIGIBLE:
        first = f"{plural} differ somewhat on this challenge (ICC(1) = {_coefficient(icc1)})"
    else:
        first = f"{plural} hardly differ on this challenge (ICC(1) = {_coefficient(icc1)})"
    if icc2 >= ICC2_RELIABLE:
        second = f"their means are reliable (ICC(2) = {_coefficient(icc2)})"
    elif icc2 >= 0.5:
        second = f"their means are moderately reliable (ICC(2) = {_coefficient(icc2)})"
    else:
        second = f"their means are not reliable yet (ICC(2) = {_coefficient(icc2)}): more respondents per group would help"
    return f"{first[0].upper()}{first[1:]}; {second}."


def icc_views(questionnaire: Questionnaire, cohort: CohortScores, breakdowns: tuple[Breakdown, ...],
              reliability: tuple[ReliabilityView, ...]) -> tuple[IccView, ...]:
    """ICC(1), ICC(2) per challenge for each breakdown's shown groups (respondents without a
    department are not a group and are left out; suppressed groups too, so the n says nothing
    about them). `pseudo` where rwg(j) ≥ .70 but ICC(1) < .05."""
    rwg = {r.challenge: r.rwg for r in reliability}
    views = []
    for result in breakdowns:
        keys = group_keys(cohort, result.kind).to_numpy()
        shown = {g.key for g in result.shown if g.key is not None}
        member = np.isin(keys, list(shown))
        for position, challenge in enumerate(questionnaire.challenges):
            icc = group_icc(_scores(cohort, position)[member], keys[member])
            agreement = rwg.get(challenge.title)
            pseudo = (icc.icc1 is not None and icc.icc1 < ICC1_NEGLIGIBLE and agreement is not None
                      and agreement >= ACCEPTABLE)
            views.append(IccView(challenge.title, result.kind, icc.icc1, icc.icc2, icc.n, icc.groups,
                                 _icc_text(result.kind, icc.icc1, icc.icc2, icc.groups), pseudo))
    return tuple(views)


def pseudo_agreement_flags(views: tuple[IccView, ...], reliability: tuple[ReliabilityView, ...]) -> tuple[Flag, ...]:
    """One warning per breakdown listing the challenges with high rwg(j) but ICC(1) near zero."""
    rwg = {r.challenge: r.rwg for r in reliability}
    flags = []
    for kind in ("department", "role"):
        hits = [v for v in views if v.kind == kind and v.pseudo]
        if hits:
            listed = "; ".join(f"{v.challenge} (rwg(j) = {_coefficient(rwg[v.challenge] or 0)}, "
                               f"ICC(1) = {_coefficient(v.icc1 or 0)})" for v in hits)
            flags.append(Flag("pseudo-agreement", (
                f"Respondents agree closely, yet the {_PLURAL[kind]} do not differ at all, on {listed}. "
                "Such agreement may come from answering habits (everyone choosing “agree”) rather "
                f"than shared experience; {kind} means add nothing to the organisation's figure there.")))
    return tuple(flags)


def cross_view(questionnaire: Questionnaire, cohort: CohortScores, pattern: SuppressionPattern) -> CrossView | None:
    """The role × department table of overall index means, shown cells only."""
    roles, departments = group_keys(cohort, "role").to_numpy(), group_keys(cohort, "department").to_numpy()
    role_keys = sorted({k[1] for k in pattern.sizes if k[0] == "role"}, key=str)
    department_keys = sorted({k[1] for k in pattern.sizes if k[0] == "department"},
                             key=lambda d: (d == NOT_GIVEN, str(d)))
    if len(role_keys) < 2 and len(department_keys) < 2:
        return None
    overall = _scores(cohort, None)
    cells, empty = [], []
    for r in role_keys:
        row, blank = [], []
        for d in department_keys:
            key = ("cell", r, d)
            blank.append(pattern.sizes.get(key, 0) == 0)
            if pattern.shown(key):
                values = overall[(roles == r) & (departments == d)]
                present = values[~np.isnan(values)]
                row.append((pattern.sizes[key], float(present.mean()) if present.size else None))
            else:
                row.append(None)
        cells.append(tuple(row))
        empty.append(tuple(blank))
    return CrossView(tuple(role_label(questionnaire, r) for r in role_keys),
                     tuple("Not given" if d == NOT_GIVEN else str(d) for d in department_keys),
                     tuple(cells), tuple(empty))


def quality_view(flags: QualityFlags, overall: np.ndarray, excluded: bool, min_group: int) -> QualityView:
    """Counts per rule and the index with and without flagged assessments. The index of the
    other set is hidden when the flagged (or unflagged) are fewer than `min_group`: with both
    indexes and both counts, the flagged group's own mean would follow by subtraction."""
    flagged = flags.any
    counts = flags.counts()

    def mean(mask: np.ndarray) -> float | None:
        values = overall[mask]
        values = values[~np.isnan(values)]
        return float(values.mean()) if values.size else None

    both = counts["flagged"] >= min_group and int((~flagged).sum()) >= min_group
    with_flagged = mean(np.ones_like(flagged))
    without = mean(~flagged)
    if counts["flagged"] == 0:
        without = with_flagged
    elif not both:
        with_flagged, without = (None, without) if excluded else (with_flagged, None)
    if counts["flagged"] == 0:
        text = "No assessment was flagged for answer quality."
    else:
        how = ("left out of the figures (the organisation's setting)" if excluded
               else "included in the figures (the default)")
        text = (f"{counts['flagged']} of {len(flagged)} assessments were flagged ({counts['straight_lining']} "
                f"straight-lining, {counts['contradictions']} contradicting reversed statements, "
                f"{counts['speeders']} speeders) and are {how}.")
        if not both:
            text += f" The index {'with' if excluded else 'without'} them is not shown: fewer than {min_group} would be compared."
    return QualityView(len(flagged), counts["straight_lining"], counts["contradictions"], counts["speeders"],
                       counts["flagged"], excluded, with_flagged, without, text)
