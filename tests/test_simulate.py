"""Synthetic cohorts: written through the bot's storage path; seed-study reproduces seed §4."""

from __future__ import annotations

import numpy as np
import pytest

from readiness.bank import current_questionnaire
from readiness.benchmarks import benchmark_percentages
from readiness.cli import main
from readiness.cohort_profiles import ProfileError, build_profiles
from readiness.evidence import measure_result
from readiness.live_content import current_content
from readiness.simulate import get_profile, load_profiles, simulate, simulate_evidence, synthetic_answers, synthetic_evidence
from readiness.storage import Store


def test_profiles_load_and_match_the_bank():
    profiles = load_profiles()
    assert {"seed-study", "typical", "low-readiness"} <= set(profiles)
    q = current_questionnaire()
    for profile in profiles.values():
        synthetic_answers(q, profile, 20, seed=1)  # checks roles, challenges, items
    with pytest.raises(ValueError, match="known profiles"):
        get_profile("nope")


def test_seed_study_reproduces_the_seed_figures_within_two_points():
    q = current_questionnaire()
    frame = synthetic_answers(q, get_profile("seed-study"), 3000, seed=11)
    results = benchmark_percentages(q, frame)
    # six: the 1 % breach rate is pilot evidence (evidence.yml), not a share of staff agreeing
    assert len(results) == 6
    assert "privacy_incidents_reported" not in {r.item.id for r in results}
    for result in results:
        assert abs(result.percent - result.benchmark.figure) <= 2.0, (result.item.id, result.percent)
    after = {b.item.id: b.percent for b in benchmark_percentages(
        q, synthetic_answers(q, get_profile("seed-study-after-training"), 3000, seed=12))}
    assert abs(after["training_prepared"] - 70) <= 2.0  # issue 11: within 2 points


@pytest.mark.parametrize("profile", ["seed-study", "seed-study-after-training"])
def test_the_simulated_pilot_reproduces_the_evidence_figures_within_two_points(profile):
    # issue 11: with 3,000 synthetic respondents the evidence defaults (95 vs 97 %, 1 %) come out
    # within 2 points — computed as the scorecard computes them (measure_result, Wilson).
    measures = {m.id: m for m in current_content().evidence}
    for seed in (11, 21, 31):
        drawn = synthetic_evidence(tuple(measures.values()), get_profile(profile), 3000, seed)
        assert set(drawn) == {"diagnostic_accuracy", "security_incidents"}
        assert drawn["diagnostic_accuracy"]["cases"] == 3000
        for measure, values in drawn.items():
            result = measure_result(measures[measure], values)
            for p in result.proportions:
                assert p.seed_percent is not None and abs(p.percent - p.seed_percent) <= 2.0, (seed, p)
                assert p.ci_low < p.percent < p.ci_high
        comparison = measure_result(measures["diagnostic_accuracy"], drawn["diagnostic_accuracy"]).comparison
        assert comparison is not None and comparison.p_value is not None  # the discordant counts: McNemar
        assert abs(comparison.difference - (95 - 97)) <= 2.0


def test_profile_evidence_is_checked():
    base = {"roles": {"nurse": 1}, "default": [0.2, 0.2, 0.2, 0.2, 0.2]}
    with pytest.raises(ProfileError, match="summing to 1"):
        build_profiles({"profiles": {"p": {**base, "evidence": {"security_incidents": {
            "over": "sessions", "per_respondent": 1, "outcomes": [{"p": 0.5, "counts": ["incidents"]}]}}}}})
    with pytest.raises(ProfileError, match="per_respondent"):
        build_profiles({"profiles": {"p": {**base, "evidence": {"security_incidents": {
            "over": "sessions", "per_respondent": 0, "outcomes": [{"p": 1, "counts": []}]}}}}})
    typo = build_profiles({"profiles": {"p": {**base, "evidence": {"security_incidents": {
        "over": "sessions", "per_respondent": 1, "outcomes": [{"p": 1, "counts": ["incident"]}]}}}}})["p"]
    with pytest.raises(ValueError, match="no input 'incident'"):
        synthetic_evidence(current_content().evidence, typo, 10)


def test_simulated_evidence_never_replaces_a_leads_entry(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("READINESS_DATABASE_URL", f"sqlite:///{tmp_path / 'ev.db'}")
    store = Store()
    org, _ = store.create_organisation("Pilot Hospital")
    store.set_evidence(org.join_code, "security_incidents", {"incidents": 3, "sessions": 400},
                       source="incident log", entered_by="IT security lead")
    assert main(["simulate", org.join_code, "--respondents", "20", "--profile", "seed-study", "--seed", "4"]) == 0
    out = capsys.readouterr().out
    assert "Entered simulated pilot evidence: diagnostic_accuracy" in out and "Kept the evidence" in out
    entries = {e.measure: e for e in store.evidence(org.join_code)}
    assert entries["security_incidents"].values == {"incidents": 3, "sessions": 400}  # the lead's, untouched
    accuracy = entries["diagnostic_accuracy"]
    assert accuracy.entered_by == "simulation" and "seed-study" in (accuracy.source or "")
    assert accuracy.values["cases"] == 20
    # a second simulation in the same round replaces its own entry (sized to the new run)
    assert simulate_evidence(store, org.join_code, current_content().evidence, get_profile("seed-study"), 50, 5) \
        == ("diagnostic_accuracy",)
    assert {e.measure: e for e in store.evidence(org.join_code)}["diagnostic_accuracy"].values["cases"] == 50
    assert main(["simulate", org.join_code, "--respondents", "5", "--profile", "typical"]) == 0  # no pilot: none
    assert "evidence" not in capsys.readouterr().out


def test_answers_are_correlated_within_a_challenge_and_have_missing_values():
    q = current_questionnaire()
    frame = synthetic_answers(q, get_profile("typical"), 800, seed=2)
    wide = frame.pivot(index="respondent", columns="item_id", values="value")
    r = wide[["privacy_confidence", "privacy_breach_reporting"]].dropna().corr().iloc[0, 1]
    assert r > 0.2
    na_share = frame["not_applicable"].mean()
    assert 0.03 < na_share < 0.07
    assert frame.groupby("respondent")["role"].nunique().max() == 1
    shares = frame.drop_duplicates("respondent")["role"].value_counts(normalize=True)
    assert shares["nurse"] > shares["ai_developer"]


def test_simulate_writes_exactly_n_completed_respondents(tmp_path):
    q = current_questionnaire()
    store = Store(f"sqlite:///{tmp_path / 'sim.db'}")
    org, _ = store.create_organisation("Sim")
    calls: list[int] = []
    assert simulate(store, org.join_code, q, get_profile("low-readiness"), 12, seed=3, progress=calls.append) == 12
    frame = store.answers_frame(org.join_code)
    assert frame["respondent"].nunique() == 12 and frame["completed"].all()
    assert calls[-1] == 12
    expected = synthetic_answers(q, get_profile("low-readiness"), 12, seed=3)
    assert len(frame) == len(expected)
    assert np.isclose(frame["value"].mean(), expected["value"].mean())
    with pytest.raises(LookupError):
        simulate(store, "ZZZ-ZZZ", q, get_profile("typical"), 1)


def test_cli_simulate_report_and_round(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("READINESS_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    store = Store()
    org, _ = store.create_organisation("CLI Hospital")
    assert main(["simulate", org.join_code, "--respondents", "6", "--profile", "typical", "--seed", "1"]) == 0
    assert main(["org", "round", org.join_code]) == 0
    assert main(["simulate", org.join_code, "--respondents", "5", "--seed", "2"]) == 0
    capsys.readouterr()
    assert main(["report", org.join_code, "--format", "md"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("# CLI Hospital") and "round 2" in out and "Compared with earlier rounds" in out
    target = tmp_path / "card.json"
    assert main(["report", org.join_code, "--round", "1", "--format", "json", "-o", str(target)]) == 0
    assert '"round": 1' in target.read_text()
    assert main(["report", org.join_code, "--format", "csv"]) == 0
    assert capsys.readouterr().out.startswith("respondent,role,department,round,challenge,item,value")
    assert main(["report", "ZZZ-ZZZ", "--format", "html"]) == 2
    assert "no organisation has the join code" in capsys.readouterr().err
    assert main(["report", org.join_code, "--round", "7", "--format", "html"]) == 2
    assert "rounds with data: 1, 2" in capsys.readouterr().err
    assert main(["simulate", org.join_code, "--respondents", "3", "--profile", "nope"]) == 2
