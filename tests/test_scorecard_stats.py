"""Scorecard statistics against hand-computed values on small fixtures."""

from __future__ import annotations

import math
import random

import numpy as np
import pandas as pd
import pytest

from readiness.aggregate import breakdown, role_disagreements, summarise
from readiness.bank import current_questionnaire
from readiness.benchmarks import benchmark_percentages
from readiness.cohort import FRAME_COLUMNS, score_cohort
from readiness.reliability import cronbach_alpha, rwg_j, uniform_null_variance
from readiness.rounds import compare_rounds
from readiness.scorecard import organisation_scorecard
from readiness.scoring import score_profile
from readiness.training_plan import organisation_plan
from tests.conftest import make_questionnaire


def frame_from(rows: list[tuple]) -> pd.DataFrame:
    """rows: (respondent, role, department, round, item_id, value or None for n/a)."""
    records = [(r, role, dept, rnd, item, np.nan if v is None else float(v), v is None, True)
               for r, role, dept, rnd, item, v in rows]
    return pd.DataFrame(records, columns=list(FRAME_COLUMNS))


def uniform_answers(q, respondent, role, value, round=1, department=None):  # type: ignore[no-untyped-def]
    return [(respondent, role, department, round, item.id, value) for item in q.items_for(role)]


# -- reliability ---------------------------------------------------------------------------

def test_cronbach_alpha_hand_computed():
    # item variances 2.5, 1.8, 1.3 (sum 5.6); sum scores 5, 7, 10, 13, 14 have variance 14.7
    # α = 3/2 · (1 − 5.6/14.7) = 13/14
    items = pd.DataFrame({"a": [1, 2, 3, 4, 5], "b": [2, 2, 4, 4, 5], "c": [2, 3, 3, 5, 4]})
    result = cronbach_alpha(items)
    assert result.alpha == pytest.approx(13 / 14)
    assert (result.n, result.k) == (5, 3)


def test_cronbach_alpha_listwise_and_degenerate_cases():
    items = pd.DataFrame({"a": [1, 2, 3, 4, 5, 1], "b": [2, 2, 4, 4, 5, np.nan], "c": [2, 3, 3, 5, 4, 5]})
    assert cronbach_alpha(items).alpha == pytest.approx(13 / 14)  # the incomplete row is dropped
    assert cronbach_alpha(items).n == 5
    assert cronbach_alpha(items[["a"]]).alpha is None  # one item
    assert cronbach_alpha(pd.DataFrame({"a": [3, 3], "b": [3, 3]})).alpha is None  # no variance


def test_rwg_j_hand_computed():
    # variances 1/3, 2/3, 0 → mean 1/3; σ²_EU = (5² − 1)/12 = 2; ratio 1/6
    # rwg(j) = 3·(5/6) / (3·(5/6) + 1/6) = 2.5 / (8/3) = 15/16
    assert uniform_null_variance(5) == 2.0
    items = pd.DataFrame({"a": [4, 4, 5, 5], "b": [3, 4, 4, 5], "c": [4, 4, 4, 4]})
    result = rwg_j(items)
    assert result.rwg_j == pytest.approx(15 / 16)
    assert result.n == 4 and result.j == 3


def test_rwg_j_truncates_and_needs_two_respondents():
    spread = pd.DataFrame({"a": [1, 5, 1, 5], "b": [5, 1, 5, 1]})  # variance 16/3 > 2
    assert rwg_j(spread).rwg_j == 0.0
    assert rwg_j(pd.DataFrame({"a": [3]})).rwg_j is None
    # J may be given (items answered per respondent): with J = 1 it is the single-item rwg
    single = pd.DataFrame({"a": [4, 4, 5, 5]})  # variance 1/3 → rwg = 1 − (1/3)/2
    assert rwg_j(single, j=1).rwg_j == pytest.approx(1 - 1 / 6)


# -- cohort scoring ------------------------------------------------------------------------

def test_cohort_scores_equal_score_profile_on_a_random_cohort():
    q = current_questionnaire()
    rng = random.Random(5)
    all_items = [item.id for c in q.challenges for item in c.items]
    rows = []
    for n in range(150):
        role = rng.choice(q.role_ids + ("unknown_role",) if n % 50 == 0 else q.role_ids)
        rnd = rng.choice([1, 2])
        asked = q.items_for(role) if role in q.role_ids else q.items_for("nurse")
        for item in asked:
            u = rng.random()
            if u < 0.15:
                continue  # missing
            rows.append((f"p{n}", role, None, rnd, item.id, None if u < 0.3 else rng.randint(1, 5)))
        if n % 7 == 0:  # an answer to an item not asked of the role: ignored by both
            rows.append((f"p{n}", role, None, rnd, rng.choice(all_items), 5))
    frame = frame_from(rows).drop_duplicates(["respondent", "item_id"], keep="first")
    cohort = score_cohort(q, frame)
    assert len(cohort.respondents) == frame["respondent"].nunique()
    for position, person in cohort.respondents.iterrows():
        answers_rows = frame[frame["respondent"] == person["respondent"]]
        answers = {i: ("n/a" if math.isnan(v) else int(v)) for i, v in zip(answers_rows["item_id"], answers_rows["value"])}
        profile = score_profile(q, person["role"], answers)
        for result in profile.challenges:
            got = cohort.challenges.iloc[position][result.challenge_id]
            if result.score is None:
                assert math.isnan(got)
            else:
                assert got == pytest.approx(result.score, abs=1e-9)
            assert cohort.coverage.iloc[position][result.challenge_id] == pytest.approx(result.coverage)
        if profile.overall is None:
            assert math.isnan(person["overall"])
            assert person["tier"] is None
        else:
            assert person["overall"] == pytest.approx(profile.overall, abs=1e-9)
            assert person["tier"] == profile.tier.id


# -- suppression, disagreement -------------------------------------------------------------

def small_org():  # type: ignore[no-untyped-def]
    """6 nurses (ward A) answering 2, 3 IT admins (ward B) answering 5, 5 IT admins in round 2."""
    q = make_questionnaire()
    rows = []
    for n in range(6):
        rows += uniform_answers(q, f"n{n}", "nurse", 2, department="Ward A")
    for n in range(3):
        rows += uniform_answers(q, f"i{n}", "it_admin", 5, department="Ward B")
    return q, frame_from(rows)


def test_groups_below_five_are_suppressed():
    q, frame = small_org()
    cohort = score_cohort(q, frame)
    roles = breakdown(q, cohort, "role")
    assert [g.key for g in roles.shown] == ["nurse"] and roles.suppressed == ("it_admin",)
    departments = breakdown(q, cohort, "department")
    assert [g.key for g in departments.shown] == ["Ward A"] and departments.suppressed == ("Ward B",)
    nurse = roles.shown[0]
    assert nurse.n == 6 and nurse.challenges[0] == pytest.approx(25.0)
    # only one role is shown, so no disagreement can be reported (it would reveal IT's answers)
    assert role_disagreements(q, roles) == ()
    card = organisation_scorecard(q, frame, name="Small")
    assert "Role “IT administrator”: fewer than 5 respondents" in card.suppressed
    assert "Department “Ward B”: fewer than 5 respondents" in card.suppressed
    assert [g.label for g in card.roles.groups] == ["Nurse"]
    assert [g.roles for g in organisation_plan(q, cohort).groups] == [("nurse",)]
    assert organisation_plan(q, cohort).suppressed_roles == ("it_admin",)


def test_roles_that_disagree_are_flagged_in_plain_words():
    q = make_questionnaire()
    rows = []
    for n in range(5):
        rows += uniform_answers(q, f"n{n}", "nurse", 2)
        rows += uniform_answers(q, f"i{n}", "it_admin", 4)
    cohort = score_cohort(q, frame_from(rows))
    found = role_disagreements(q, breakdown(q, cohort, "role"))
    alpha = next(d for d in found if d.challenge_id == "a")
    assert (alpha.higher, alpha.lower, alpha.points) == ("it_admin", "nurse", pytest.approx(50.0))
    card = organisation_scorecard(q, frame_from(rows), name="X")
    texts = [f.text for f in card.flags if f.kind == "disagreement"]
    assert any("“IT administrator” rate Alpha 50 points higher than those in the role “Nurse”" in t for t in texts)


def test_summary_statistics():
    q = make_questionnaire()
    s = summarise(q, pd.Series([10.0, 30.0, 50.0, np.nan, 90.0]))
    assert (s.n, s.mean, s.median) == (4, 45.0, 40.0)
    assert s.spread == pytest.approx(np.std([10, 30, 50, 90], ddof=1))
    assert dict(s.tiers) == {"not_yet_ready": 1, "emerging": 1, "developing": 1, "ready": 0, "leading": 1}


# -- benchmarks and rounds -----------------------------------------------------------------

def test_benchmark_percentage_counts_by_rule_and_ignores_na():
    q = current_questionnaire()
    values = [1, 2, 3, 4, 5, 3, None]
    rows = [(f"p{n}", "nurse", None, 1, "privacy_confidence", v) for n, v in enumerate(values)]
    rows += [(f"p{n}", "nurse", None, 1, "training_prepared", v) for n, v in enumerate([4, 4, 5, 1, 2, 3])]
    results = {b.item.id: b for b in benchmark_percentages(q, frame_from(rows))}
    confident = results["privacy_confidence"]  # at_least 3: 3, 4, 5, 3 of 6 answered
    assert (confident.answered, confident.counting) == (6, 4)
    assert confident.percent == pytest.approx(400 / 6)
    assert confident.difference == pytest.approx(400 / 6 - 85)
    prepared = results["training_prepared"]  # at_least 4: 4, 4, 5 of 6
    assert prepared.percent == pytest.approx(50.0)
    assert results["collab_involved_in_design"].percent is None  # nobody answered


def test_round_deltas_hand_computed():
    q = make_questionnaire()
    rows = []
    for n in range(5):
        rows += uniform_answers(q, f"p{n}", "nurse", 3, round=1)  # every challenge 50
        rows += uniform_answers(q, f"p{n}", "nurse", 4, round=2)  # a, b 75; c (75 + 25 + 75)/3
    rows += uniform_answers(q, "late", "nurse", 5, round=3)  # a round of one: suppressed
    comparison = compare_rounds(q, score_cohort(q, frame_from(rows)))
    assert comparison.rounds == (1, 2, 3) and comparison.respondents == (5, 5, 1)
    by_id = {t.key: t for t in comparison.challenges}
    assert by_id["a"].values[:2] == (pytest.approx(50.0), pytest.approx(75.0))
    assert by_id["c"].values[1] == pytest.approx(175 / 3)
    assert by_id["a"].values[2] is None and by_id["a"].delta is None
    two = compare_rounds(q, score_cohort(q, frame_from([r for r in rows if r[3] < 3])))
    deltas = {t.key: t.delta for t in two.challenges}
    assert deltas == {"a": pytest.approx(25.0), "b": pytest.approx(25.0), "c": pytest.approx(175 / 3 - 50)}
    # overall: (75 + 75 + 2 · 175/3) / 4 − 50
    assert two.overall.delta == pytest.approx((150 + 350 / 3) / 4 - 50)


def test_weight_overrides_apply():
    q = make_questionnaire()
    rows = []
    for n in range(5):
        rows += [(f"p{n}", "nurse", None, 1, i.id, 5) for i in q.challenge("a").items_for("nurse")]
        rows += [(f"p{n}", "nurse", None, 1, i.id, 1) for i in q.challenge("b").items_for("nurse")]
    frame = frame_from(rows)
    assert organisation_scorecard(q, frame, name="X").overall == pytest.approx(50.0)
    weighted = organisation_scorecard(q, frame, name="X", weights={"a": 3.0})
    assert weighted.overall == pytest.approx(75.0)
