"""Scorecard statistics against hand-computed values on small fixtures."""

from __future__ import annotations

import math
import random

import numpy as np
import pandas as pd
import pytest
from dataclasses import replace
from hypothesis import given
from hypothesis import strategies as st

from readiness.aggregate import breakdown, role_disagreements, summarise
from readiness.bank import current_questionnaire
from readiness.benchmarks import benchmark_percentages
from readiness.cohort import FRAME_COLUMNS, score_cohort, tier_ids
from readiness.gaps import gap_priority, rank_gaps
from readiness.model import Benchmark
from readiness.reliability import cronbach_alpha, rwg_j, uniform_null_variance
from readiness.rounds import compare_rounds
from readiness.scorecard import organisation_scorecard
from readiness.scoring import score_profile, score_stored
from readiness.training_plan import organisation_plan
from tests.conftest import make_item, make_questionnaire


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

def test_cohort_scores_equal_score_stored_on_a_random_cohort():
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
        profile = score_stored(q, person["role"], answers)
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
    why = "not shown (fewer than 5 respondents, or hidden so that a smaller group cannot be worked out)"
    assert f"Role “IT administrator”: {why}" in card.suppressed
    assert f"Department “Ward B”: {why}" in card.suppressed
    # 9 respondents in all: showing the 6 nurses would give away the 3 IT administrators
    # (9 − 6), so the scorecard hides the nurses too (complementary suppression)
    assert card.respondents == 9 and card.roles.groups == () and card.departments.groups == ()
    assert f"Role “Nurse”: {why}" in card.suppressed
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


# -- one rule, one place: the vectorised and per-respondent code agree ------------------------

#: One respondent's stored answers for the tiny bank: item → 1–5, None (n/a) or absent (no row).
tiny_answers = st.fixed_dictionaries({}, optional={
    item: st.one_of(st.none(), st.integers(1, 5))
    for item in ("a1", "a2", "a3", "b1", "b2", "b3", "c1", "c2", "c3", "gone")
})


@given(st.lists(st.tuples(st.sampled_from(["nurse", "it_admin", "retired_role"]), tiny_answers),
                min_size=1, max_size=12))
def test_cohort_agrees_with_score_stored_on_random_answers(people):  # type: ignore[no-untyped-def]
    """Random rows (some items without a row, n/a, answers to a removed item or one not asked
    of the role, a role the bank no longer has): the vectorised cohort and the per-respondent
    rule give the same scores, coverage, index, tiers and gap priorities."""
    q = make_questionnaire()
    rows = [(f"p{n}", role, None, 1, item, v) for n, (role, answers) in enumerate(people)
            for item, v in answers.items()]
    if not rows:
        return
    frame = frame_from(rows)
    cohort = score_cohort(q, frame)
    challenge_weights = np.array([c.weight for c in q.challenges])
    vector_priority = gap_priority(q, challenge_weights[None, :], cohort.challenges.to_numpy())
    for position, person in cohort.respondents.iterrows():
        n = int(str(person["respondent"])[1:])
        role, answers = people[n]
        stored = {i: ("n/a" if v is None else v) for i, v in answers.items()}
        profile = score_stored(q, role, stored)
        for column, result in enumerate(profile.challenges):
            got = cohort.challenges.iloc[position][result.challenge_id]
            if result.score is None:
                assert math.isnan(got)
                assert math.isnan(vector_priority[position, column])
            else:
                assert got == pytest.approx(result.score, abs=1e-9)
                assert tier_ids(q, cohort.challenges[[result.challenge_id]]).iloc[position, 0] == result.tier.id
            assert cohort.coverage.iloc[position][result.challenge_id] == pytest.approx(result.coverage)
        for gap in rank_gaps(q, profile):
            column = [c.id for c in q.challenges].index(gap.challenge_id)
            assert vector_priority[position, column] == pytest.approx(gap.priority, abs=1e-9)
        if profile.overall is None:
            assert math.isnan(person["overall"]) and person["tier"] is None
        else:
            assert person["overall"] == pytest.approx(profile.overall, abs=1e-9)
            assert person["tier"] == profile.tier.id


@given(st.lists(st.one_of(st.floats(0, 100), st.sampled_from([0.0, 20.0, 40.0, 60.0, 80.0, 100.0]),
                          st.just(float("nan"))), max_size=30))
def test_tier_positions_vectorised_equal_tier_for(scores):  # type: ignore[no-untyped-def]
    tiers = make_questionnaire().tiers
    positions = tiers.positions(np.array(scores, dtype="float64"))
    for score, position in zip(scores, positions):
        if math.isnan(score):
            assert position == -1
        else:
            assert tiers.bands[position] == tiers.tier_for(score) == tiers.bands[tiers.position(score)]
            assert tiers.tier_for(score).lower <= score


def test_tier_bands_lower_inclusive_top_includes_100():
    tiers = make_questionnaire().tiers
    assert [tiers.tier_for(s).id for s in (0, 19.99, 20, 79.9, 80, 100)] == [
        "not_yet_ready", "not_yet_ready", "emerging", "ready", "leading", "leading"]


# -- content versions: removed and added items ------------------------------------------------

def bank_with_a4(benchmark: bool = True):  # type: ignore[no-untyped-def]
    """The tiny bank after an edit: item a4 (benchmarked: share answering 4–5) added to a."""
    q = make_questionnaire()
    a4 = make_item("a4", "a")
    if benchmark:
        a4 = replace(a4, benchmark=Benchmark(50.0, "agree on a4", "study", "at_least", 4))
    a = q.challenge("a")
    return replace(q, version="1.1", challenges=(replace(a, items=a.items + (a4,)),) + q.challenges[1:])


def test_item_added_mid_campaign_counts_only_respondents_asked_it():
    q = bank_with_a4()
    rows = []
    for n in range(6):  # answered under 1.0: no row for a4
        rows += [(f"old{n}", "nurse", None, 1, i, v)
                 for i, v in (("a1", 1 + n % 5), ("a2", 1 + (n + 1) % 5), ("a3", 1 + n % 5))]
    for n in range(5):  # answered under 1.1: a4 asked (one said "don't know")
        rows += [(f"new{n}", "nurse", None, 1, i, v)
                 for i, v in (("a1", 1 + n), ("a2", 1 + n), ("a3", 1 + n), ("a4", None if n == 0 else 5 - n % 2))]
    frame = frame_from(rows)
    cohort = score_cohort(q, frame)
    old = cohort.respondents["respondent"].str.startswith("old").to_numpy()
    # coverage: the old respondents were not asked a4, so they answered everything asked
    assert (cohort.coverage["a"][old] == 1.0).all()
    assert cohort.coverage["a"][~old].tolist() == [0.75, 1.0, 1.0, 1.0, 1.0]  # n/a: asked, unanswered
    # asked matrix: a row means asked
    a4 = cohort.item_ids.index("a4")
    assert not cohort.asked[old, a4].any() and cohort.asked[~old, a4].all()
    # benchmark: share over the four who answered a4 (not over all eleven respondents)
    (result,) = benchmark_percentages(q, cohort.items, min_answers=1)
    assert (result.answered, result.counting) == (4, 4)
    assert result.percent == pytest.approx(100.0)
    card = organisation_scorecard(q, frame, name="X")
    assert card.benchmarks[0].answered == 4
    # α: two forms (a1–a3 for the old six, a1–a4 for the new), each over its own items only
    reliability = {r.challenge: r for r in card.reliability}["Alpha"]
    assert reliability.alpha_forms == 1  # the new form has 4 complete cases < 5: left out
    old_rows = frame[frame["respondent"].str.startswith("old")]
    wide = old_rows.pivot(index="respondent", columns="item_id", values="value")[["a1", "a2", "a3"]]
    assert reliability.alpha == pytest.approx(cronbach_alpha(wide).alpha)
    assert reliability.alpha_n == 6
    assert card.challenges[0].coverage == pytest.approx((6 * 1.0 + 0.75 + 4) / 11)


def test_alpha_on_one_complete_form_is_cronbachs_alpha():
    q = make_questionnaire()
    rng = random.Random(2)
    rows = [(f"p{n}", "nurse", None, 1, i.id, rng.randint(1, 5))
            for n in range(12) for i in q.challenge("c").items_for("nurse")]
    card = organisation_scorecard(q, frame_from(rows), name="X")
    gamma = {r.challenge: r for r in card.reliability}["Gamma"]
    cohort = score_cohort(q, frame_from(rows))
    columns = [cohort.item_ids.index(i) for i in ("c1", "c2", "c3")]
    assert gamma.alpha_forms == 1 and gamma.alpha_n == 12
    assert gamma.alpha == pytest.approx(cronbach_alpha(pd.DataFrame(cohort.matrix[:, columns])).alpha)


def test_answers_to_a_removed_item_are_kept_but_not_scored():
    q = make_questionnaire()
    rows = []
    for n in range(5):
        rows += uniform_answers(q, f"p{n}", "nurse", 4)
        rows.append((f"p{n}", "nurse", None, 1, "a_removed", 1))  # answered, then removed from the bank
    with_removed = organisation_scorecard(q, frame_from(rows), name="X")
    without = organisation_scorecard(q, frame_from([r for r in rows if r[4] != "a_removed"]), name="X")
    assert with_removed.overall is not None
    assert with_removed.overall == pytest.approx(without.overall)
    assert [c.coverage for c in with_removed.challenges] == [1.0, 1.0, 1.0]


def test_scorecard_lists_the_questionnaire_versions_it_aggregates():
    q = bank_with_a4(benchmark=False)
    rows = []
    for n in range(3):
        rows += uniform_answers(make_questionnaire(), f"old{n}", "nurse", 3)
    for n in range(5):
        rows += uniform_answers(q, f"new{n}", "nurse", 4)
    frame = frame_from(rows)
    frame["questionnaire_version"] = np.where(frame["respondent"].str.startswith("old"), "1.0", "1.1")
    card = organisation_scorecard(q, frame, name="X")
    assert card.versions == (("1.0", 3), ("1.1", 5))
    assert card.versions_text == "Questionnaire versions: 1.0 (n=3), 1.1 (n=5)"
    assert organisation_scorecard(q, frame.drop(columns="questionnaire_version"), name="X").versions == ()


def test_scorecard_names_the_bank_fingerprints_of_each_version():
    """Several fingerprints under one version (the bank was edited without changing its
    version) are listed, most respondents first; a version without any is listed bare."""
    q = bank_with_a4(benchmark=False)
    rows = []
    for n in range(3):
        rows += uniform_answers(make_questionnaire(), f"old{n}", "nurse", 3)
    for n in range(5):
        rows += uniform_answers(q, f"new{n}", "nurse", 4)
    frame = frame_from(rows)
    frame["questionnaire_version"] = np.where(frame["respondent"].str.startswith("old"), "1.0", "1.1")
    frame["started_fingerprint"] = frame["respondent"].map(
        lambda r: None if r.startswith("old") else ("b" if r in ("new0", "new1") else "a") * 64)
    card = organisation_scorecard(q, frame, name="X")
    assert card.version_fingerprints == (("1.1", ("a" * 12, "b" * 12)),)
    assert card.versions_text == (
        f"Questionnaire versions: 1.0 (n=3), 1.1 (n=5, fingerprints {'a' * 12}, {'b' * 12})")


def test_stored_weight_override_of_a_removed_challenge_is_ignored():
    q = make_questionnaire()
    rows = []
    for n in range(5):
        rows += uniform_answers(q, f"p{n}", "nurse", 4)
    card = organisation_scorecard(q, frame_from(rows), name="X", weights={"a": 2.0, "removed": 3.0})
    assert dict(card.weights)["Alpha"] == 2.0
    with pytest.raises(ValueError, match="unknown challenge 'removed'"):
        q.with_weights({"removed": 3.0})
