"""Scoring worked by hand on the tiny questionnaire, plus hypothesis invariants."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from readiness.model import NOT_APPLICABLE
from readiness.scoring import item_score, score_profile, validate_answers
from tests.conftest import make_item, make_questionnaire

TINY = make_questionnaire()


@pytest.mark.parametrize("value,expected", [(1, 0.0), (2, 25.0), (3, 50.0), (4, 75.0), (5, 100.0)])
def test_item_score_maps_likert_to_0_100(value, expected):
    assert item_score(make_item("x", "a"), value) == expected


@pytest.mark.parametrize("value,expected", [(1, 100.0), (3, 50.0), (5, 0.0)])
def test_reverse_items_are_flipped(value, expected):
    assert item_score(make_item("x", "a", reverse=True), value) == expected


@pytest.mark.parametrize("bad", [0, 6, True, "n/a", 3.0])
def test_item_score_rejects_non_likert(bad):
    with pytest.raises(ValueError):
        item_score(make_item("x", "a"), bad)


def test_profile_worked_by_hand(tiny):
    answers = {"a1": 5, "a2": 3, "a3": 4, "b1": 2, "b2": NOT_APPLICABLE, "c1": 4, "c2": 2}
    profile = score_profile(tiny, "nurse", answers)
    a, b, c = profile.challenges
    assert a.score == pytest.approx(75.0)  # (100 + 50 + 2*75) / 4
    assert (b.score, b.answered, b.asked, b.coverage) == (25.0, 1, 2, 0.5)
    assert c.score == pytest.approx(75.0) and c.coverage == pytest.approx(2 / 3)
    assert profile.overall == pytest.approx((75 + 25 + 2 * 75) / 4)
    assert profile.tier.name == "Ready"
    assert a.tier.name == "Ready" and b.tier.name == "Emerging"
    assert profile.counted == ("a", "b", "c")


def test_challenge_below_min_coverage_is_left_out_of_overall(tiny):
    # it_admin is asked b1, b2, b3; one answer is 1/3 coverage < 0.5
    answers = {"a1": 5, "a2": 5, "a3": 5, "b1": 1, "c1": 5, "c2": 1, "c3": 5}
    profile = score_profile(tiny, "it_admin", answers)
    assert profile.challenge("b").score == 0.0
    assert "b" not in profile.counted
    assert profile.overall == pytest.approx(100.0)


def test_no_answers_gives_no_index(tiny):
    profile = score_profile(tiny, "nurse", {})
    assert profile.overall is None and profile.tier is None
    assert all(c.score is None and c.coverage == 0 for c in profile.challenges)


def test_organisation_weight_overrides_change_the_index(tiny):
    answers = {"a1": 5, "a2": 5, "a3": 5, "b1": 1, "b2": 1, "c1": 3, "c2": 3, "c3": 3}
    base = score_profile(tiny, "nurse", answers).overall
    heavier_b = score_profile(tiny.with_weights({"b": 10}), "nurse", answers).overall
    assert base == pytest.approx((100 + 0 + 2 * 50) / 4)
    assert heavier_b == pytest.approx((100 + 0 + 2 * 50) / 13)


@pytest.mark.parametrize(
    "role,answers,message",
    [
        ("surgeon", {}, "unknown role 'surgeon'"),
        ("nurse", {"zz": 3}, "unknown item id 'zz'"),
        ("nurse", {"b3": 3}, "not asked of role 'nurse'"),
        ("nurse", {"a1": 7}, "got 7"),
        ("nurse", {"a1": "4"}, "got '4'"),
        ("nurse", {"a1": True}, "got True"),
    ],
)
def test_validate_answers_names_the_problem(tiny, role, answers, message):
    with pytest.raises(ValueError, match=message):
        validate_answers(tiny, role, answers)


# --- invariants -------------------------------------------------------------------------

ROLE = st.sampled_from(["nurse", "it_admin"])
VALUE = st.one_of(st.integers(1, 5), st.just(NOT_APPLICABLE))


@st.composite
def role_and_answers(draw):
    role = draw(ROLE)
    items = [item.id for item in TINY.items_for(role)]
    chosen = draw(st.lists(st.sampled_from(items), unique=True))
    return role, {item_id: draw(VALUE) for item_id in chosen}


@settings(max_examples=300)
@given(role_and_answers())
def test_scores_stay_within_0_100(case):
    role, answers = case
    profile = score_profile(TINY, role, answers)
    for result in profile.challenges:
        assert result.score is None or 0.0 <= result.score <= 100.0
        assert 0.0 <= result.coverage <= 1.0
    assert profile.overall is None or 0.0 <= profile.overall <= 100.0


@settings(max_examples=300)
@given(role_and_answers(), st.data())
def test_raising_an_answer_never_lowers_its_challenge(case, data):
    role, answers = case
    numeric = [k for k, v in answers.items() if isinstance(v, int)]
    if not numeric:
        return
    item_id = data.draw(st.sampled_from(numeric))
    item = TINY.item(item_id)
    before = score_profile(TINY, role, answers).challenge(item.challenge).score
    value = answers[item_id]
    moved = min(5, value + 1) if not item.reverse else max(1, value - 1)
    after = score_profile(TINY, role, {**answers, item_id: moved}).challenge(item.challenge).score
    assert after >= before
    # and the opposite direction for reverse items: raising agreement never raises the score
    if item.reverse:
        raised = score_profile(TINY, role, {**answers, item_id: min(5, value + 1)})
        assert raised.challenge(item.challenge).score <= before


@settings(max_examples=200)
@given(role_and_answers(), st.floats(0.01, 1000))
def test_weights_are_scale_invariant(case, factor):
    role, answers = case
    scaled = TINY.with_weights({c.id: c.weight * factor for c in TINY.challenges})
    base, other = score_profile(TINY, role, answers), score_profile(scaled, role, answers)
    if base.overall is None:
        assert other.overall is None
    else:
        assert other.overall == pytest.approx(base.overall)
        assert other.tier == base.tier


@settings(max_examples=200)
@given(role_and_answers())
def test_missing_answers_are_never_counted_as_zeros(case):
    role, answers = case
    profile = score_profile(TINY, role, answers)
    for result in profile.challenges:
        items = TINY.challenge(result.challenge_id).items_for(role)
        numeric = [(i, answers[i.id]) for i in items if isinstance(answers.get(i.id), int)]
        if not numeric:
            assert result.score is None
            continue
        expected = sum(i.weight * item_score(i, v) for i, v in numeric) / sum(i.weight for i, _ in numeric)
        assert result.score == pytest.approx(expected)
    # marking every unanswered item "n/a" changes no score
    filled = {i.id: answers.get(i.id, NOT_APPLICABLE) for i in TINY.items_for(role)}
    assert score_profile(TINY, role, filled).overall == profile.overall


# -- stored answers against a bank that changed --------------------------------------------

def test_stored_answers_to_removed_items_are_not_scored_and_never_raise(tiny):
    from readiness.results import evaluate, evaluate_stored
    from readiness.scoring import score_stored

    answers = {"a1": 4, "a2": 4, "a3": 4, "b1": 2, "b2": 2, "c1": 5, "c2": 1, "c3": 5}
    stored = {**answers, "a_removed": 1, "b3": 5, "c9": "bogus"}  # removed, not asked of nurses, bad
    with pytest.raises(ValueError, match="unknown item id 'a_removed'"):
        evaluate(tiny, "nurse", stored)  # explicit input: still a clear error
    result = evaluate_stored(tiny, "nurse", stored)
    assert result.profile == score_profile(tiny, "nurse", answers)
    assert result.profile == score_stored(tiny, "nurse", stored)
    # a role the bank no longer has: no index, no error
    assert evaluate_stored(tiny, "retired_role", stored).profile.overall is None


def test_item_without_a_stored_answer_was_not_asked(tiny):
    """An item added after the respondent passed it has no row: it does not cut coverage, while
    n/a (don't know, skip) still does; explicit input keeps "missing cuts coverage"."""
    from readiness.results import evaluate_stored
    from readiness.scoring import score_stored

    stored = {"a1": 4, "a2": 4, "b1": 3, "b2": NOT_APPLICABLE, "c1": 3, "c2": 3, "c3": 3}
    profile = score_stored(tiny, "nurse", stored)
    assert profile.challenge("a").asked == 2 and profile.challenge("a").coverage == 1.0
    assert profile.challenge("b").asked == 2 and profile.challenge("b").coverage == 0.5
    assert score_profile(tiny, "nurse", stored).challenge("a").coverage == pytest.approx(2 / 3)
    plan = evaluate_stored(tiny, "nurse", stored).next_tier
    assert plan is None or plan.reachable


def test_weighted_for_applies_checks_and_ignores_stale_overrides(tiny):
    from readiness.weights import check_weights, weighted_for

    assert weighted_for(tiny, None) is tiny and weighted_for(tiny, {}) is tiny
    heavier = weighted_for(tiny, {"a": 3.0, "gone": 2.0})
    assert heavier.challenge("a").weight == 3.0 and heavier.challenge("b").weight == 1.0
    with pytest.raises(ValueError, match="unknown challenge 'gone'"):
        weighted_for(tiny, {"gone": 2.0}, strict=True)
    with pytest.raises(ValueError, match="must be a number > 0"):
        check_weights(tiny, {"a": 0})
    assert tiny.with_weights({"a": 3.0}) == heavier
