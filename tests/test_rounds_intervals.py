"""Round-to-round changes carry a 95 % interval (Welch for means, Newcombe for shares) and are
called a change only when it excludes zero; checked against published values and simulation."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from jsonschema import Draft7Validator

from readiness import export
from readiness.bank import current_questionnaire
from readiness.cohort import score_cohort
from readiness.evidence import newcombe_unpaired
from readiness.rounds import RoundChange, RoundComparison, change_words, compare_rounds, welch_interval
from readiness.scorecard import organisation_scorecard
from readiness.simulate import get_profile, synthetic_answers

# Student's (1908) sleep data, the example of R's ?t.test: extra hours of sleep per drug.
SLEEP_1 = [0.7, -1.6, -0.2, -1.2, -0.1, 3.4, 3.7, 0.8, 0.0, 2.0]
SLEEP_2 = [1.9, 0.8, 1.1, 0.1, -0.1, 4.4, 5.5, 1.6, 4.6, 3.4]


def test_newcombe_matches_newcombe_1998_table_ii():
    # Newcombe (1998), Statistics in Medicine 17:873, Table II, example (a): 56/70 vs 48/80,
    # method 10 (hybrid score): 0.2000, 95 % CI 0.0524 to 0.3339.
    d, low, high = newcombe_unpaired(56, 70, 48, 80)
    assert d == pytest.approx(0.2000, abs=5e-5)
    assert low == pytest.approx(0.0524, abs=5e-5)
    assert high == pytest.approx(0.3339, abs=5e-5)


def test_welch_matches_r_t_test_on_the_sleep_data():
    # R: t.test(extra ~ group, data = sleep) → Welch, df = 17.776,
    # 95 % CI −3.3654832 to 0.2054832 for group 1 − group 2.
    d, low, high = welch_interval(SLEEP_2, SLEEP_1)
    assert d == pytest.approx(0.75 - 2.33)
    assert low == pytest.approx(-3.3654832, abs=1e-6)
    assert high == pytest.approx(0.2054832, abs=1e-6)


def test_welch_matches_a_hand_computed_interval():
    # previous: 10, 12, 14 (mean 12, s² 4, n 3); latest: 20, 24, 28, 32 (mean 26, s² 80/3, n 4).
    # se² = 4/3 + 20/3 = 8; df = 64 / ((4/3)²/2 + (20/3)²/3) = 64 / 15.704 = 4.0755; from a
    # printed t table, interpolating in 1/df between t(4) = 2.7764 and t(5) = 2.5706,
    # t(0.975, 4.0755) ≈ 2.757; half-width ≈ 2.757 · √8 = 7.80 (exactly 2.7563 · √8 = 7.796).
    d, low, high = welch_interval([10, 12, 14], [20, 24, 28, 32])
    assert d == 14.0
    assert (high - low) / 2 == pytest.approx(7.80, abs=0.01)
    # the half-width lies between the t(5) and t(4) ones: the df is fractional, not pooled (5)
    assert 2.5706 * 8 ** 0.5 < (high - low) / 2 < 2.7764 * 8 ** 0.5


def test_wording_says_up_down_or_within_noise():
    assert change_words(RoundChange(10.2, 7.1, 13.3, 300, 290, "Newcombe")) == "up 10.2 points (95 % CI 7.1 to 13.3)"
    assert change_words(RoundChange(-4.0, -6.5, -1.5, 300, 290, "Welch")) == "down 4.0 points (95 % CI 1.5 to 6.5)"
    assert change_words(RoundChange(0.6, -2.0, 3.1, 300, 290, "Welch")) == "within noise (−2.0 to +3.1)"
    assert change_words(None) == "–"


def two_rounds(first: str, second: str, seed: int, n: int = 300) -> pd.DataFrame:
    q = current_questionnaire()
    return pd.concat([synthetic_answers(q, get_profile(first), n, seed=seed, round=1),
                      synthetic_answers(q, get_profile(second), n, seed=seed + 1000, round=2)],
                     ignore_index=True)


def compare(frame: pd.DataFrame) -> RoundComparison:
    q = current_questionnaire()
    return compare_rounds(q, score_cohort(q, frame))


def test_training_lifts_preparedness_clearly_by_about_ten_points():
    # seed §4.5: 60 % prepared before training, 70 % after; ~300 respondents per round.
    changes = []
    for seed in range(10):
        trend = {t.key: t for t in compare(two_rounds("seed-study", "seed-study-after-training", seed)).benchmarks}
        change = trend["training_prepared"].change
        assert change is not None and change.method == "Newcombe"
        assert 250 < change.n_previous <= 300 and 250 < change.n_latest <= 300
        assert change.low < change.difference < change.high
        changes.append(change)
    # with ~285 answers a side the interval's half-width is ~8 points: a 10-point rise is
    # clear in most draws (power ≈ 0.8), and the average rise is about 10 points
    assert sum(c.is_clear for c in changes) >= 7
    assert np.mean([c.difference for c in changes]) == pytest.approx(10.0, abs=2.5)
    first = changes[0]
    assert first.is_clear and change_words(first).startswith("up ")


def test_two_rounds_of_the_same_profile_are_mostly_within_noise():
    rows = []
    for seed in range(10):
        c = compare(two_rounds("seed-study", "seed-study", seed))
        rows += [c.overall, *c.challenges, *c.benchmarks]
    assert all(r.change is not None for r in rows)
    within = [not r.change.is_clear for r in rows]  # type: ignore[union-attr]
    # 95 % intervals: about 5 % of rows look like a change by chance
    assert np.mean(within) >= 0.88
    words = [change_words(r.change) for r, w in zip(rows, within) if w]
    assert all(text.startswith("within noise (") for text in words)


def test_a_small_round_shows_no_values_and_no_change():
    q = current_questionnaire()
    frame = pd.concat([synthetic_answers(q, get_profile("seed-study"), 40, seed=2, round=1),
                       synthetic_answers(q, get_profile("seed-study-after-training"), 4, seed=3, round=2)],
                      ignore_index=True)
    c = compare(frame)
    assert c.respondents == (40, 4)
    for trend in (c.overall, *c.challenges, *c.benchmarks):
        assert trend.values[0] is not None
        assert trend.values[1] is None and trend.change is None and change_words(trend.change) == "–"


def test_the_scorecard_shows_the_interval_in_html_markdown_and_json():
    q = current_questionnaire()
    card = organisation_scorecard(q, two_rounds("seed-study", "seed-study-after-training", 0), name="Two rounds")
    assert card.rounds is not None
    document = json.loads(export.render_json(card))
    Draft7Validator(export.load_schema()).validate(document)
    assert document["schema_version"] == "1.5"
    prepared = next(r for r in document["rounds"]["benchmarks"] if r["change_is_clear"] and r["delta"] > 5)
    assert prepared["change_ci_low"] > 0 and prepared["change_ci_low"] < prepared["delta"] < prepared["change_ci_high"]
    assert prepared["change_n_previous"] > 250 and prepared["change_text"].startswith("up ")
    for row in document["rounds"]["measures"]:
        assert row["change_is_clear"] == (row["change_ci_low"] > 0 or row["change_ci_high"] < 0)
    html, md = export.render_html(card), export.render_markdown(card)
    for row in card.rounds.rows + card.rounds.benchmarks:
        assert row.change_text in html and f"| {row.change_text} |" in md
    assert '<td class="n clear">up ' in html and "within noise (" in md


def test_the_rounds_csv_carries_every_round_and_the_latest_change():
    import csv
    import io

    q = current_questionnaire()
    card = organisation_scorecard(q, two_rounds("seed-study", "seed-study-after-training", 0), name="Two rounds")
    rows = list(csv.DictReader(io.StringIO(export.rounds_csv(card))))
    assert tuple(rows[0]) == export.ROUNDS_CSV_COLUMNS
    view = card.rounds
    assert len(rows) == 2 * (len(view.rows) + len(view.benchmarks))  # one row per measure and round
    by = {(r["section"], r["measure"], r["round"]): r for r in rows}
    for section, trends in (("readiness", view.rows), ("benchmark", view.benchmarks)):
        for trend in trends:
            first, latest = by[(section, trend.label, "1")], by[(section, trend.label, "2")]
            assert float(first["value"]) == pytest.approx(trend.values[0], abs=0.05)
            assert first["change"] == "" and first["reading"] == ""  # the change sits on the latest round only
            assert float(latest["change"]) == pytest.approx(trend.delta, abs=0.05)
            assert float(latest["change_ci_low"]) < float(latest["change"]) < float(latest["change_ci_high"])
            assert latest["change_is_clear"] == str(trend.change_is_clear) and latest["reading"] == trend.change_text
            assert latest["respondents"] == "300" and latest["change_n_previous"] != ""


def test_the_rounds_csv_leaves_a_small_round_empty():
    import csv
    import io

    q = current_questionnaire()
    frame = pd.concat([synthetic_answers(q, get_profile("seed-study"), 40, seed=2, round=1),
                       synthetic_answers(q, get_profile("seed-study-after-training"), 4, seed=3, round=2)],
                      ignore_index=True)
    rows = list(csv.DictReader(io.StringIO(export.rounds_csv(organisation_scorecard(q, frame, name="Small")))))
    latest = [r for r in rows if r["round"] == "2"]
    assert latest and all(r["value"] == "" and r["change"] == "" and r["reading"] == "–" for r in latest)
    assert all(r["value"] != "" for r in rows if r["round"] == "1")
