"""Pilot evidence: the statistics against published worked examples, the entry rules, and the
`readiness evidence` commands (real processes; nothing changes on a bad entry)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from readiness.evidence import (
    EvidenceError,
    check_values,
    mcnemar_exact,
    measure_result,
    newcombe_paired,
    newcombe_unpaired,
    parse_pairs,
    wilson_interval,
)
from readiness.live_content import current_content

READINESS = Path(sys.executable).parent / "readiness"


# --- statistics vs published values -----------------------------------------------------------

@pytest.mark.parametrize("x, n, low, high", [
    # Newcombe RG (1998) Two-sided confidence intervals for the single proportion: comparison of
    # seven methods. Stat Med 17:857-872, Table II, method 3 (Wilson score, no correction).
    (81, 263, 0.2553, 0.3662),
    (15, 148, 0.0624, 0.1605),
    (0, 20, 0.0000, 0.1611),
    (1, 29, 0.0061, 0.1718),
])
def test_wilson_interval_matches_newcombe_1998(x, n, low, high):
    got = wilson_interval(x, n)
    assert got == pytest.approx((low, high), abs=5e-5)


@pytest.mark.parametrize("x1, n1, x2, n2, low, high", [
    # Newcombe RG (1998) Interval estimation for the difference between independent proportions:
    # comparison of eleven methods. Stat Med 17:873-890, Table II, method 10 (hybrid score).
    (56, 70, 48, 80, 0.0524, 0.3339),
    (9, 10, 3, 10, 0.1705, 0.8090),
    (5, 56, 0, 29, -0.0381, 0.1926),
])
def test_unpaired_difference_matches_newcombe_1998_method_10(x1, n1, x2, n2, low, high):
    diff, lo, hi = newcombe_unpaired(x1, n1, x2, n2)
    assert diff == pytest.approx(x1 / n1 - x2 / n2)
    assert (lo, hi) == pytest.approx((low, high), abs=5e-5)


def test_paired_difference_matches_the_published_example():
    # Fagerland MW, Lydersen S, Laake P (2017) Statistical Analysis of Contingency Tables, ch. 8:
    # complete response before/after consolidation therapy (Cavo et al. 2012), table 59, 6 / 16, 80:
    # Newcombe square-and-add (Newcombe 1998, Stat Med 17:2635, method 10)
    # estimate -0.0621, 95 % CI -0.1186 to -0.0046.
    diff, low, high = newcombe_paired(59, 6, 16, 80)
    assert (diff, low, high) == pytest.approx((-0.0621, -0.1186, -0.0046), abs=5e-5)


def test_exact_mcnemar_matches_the_published_examples():
    # Fagerland MW, Lydersen S, Laake P (2013) The McNemar test for binary matched-pairs data.
    # BMC Med Res Methodol 13:91: airway hyper-responsiveness (Bentur et al. 2009), discordant
    # pairs 1 and 7: exact conditional p = 0.070 (= 2 x 9/256); Cavo et al. 2012, 6 and 16: 0.052.
    assert mcnemar_exact(1, 7) == pytest.approx(18 / 256)
    assert mcnemar_exact(6, 16) == pytest.approx(0.0525, abs=5e-4)
    assert mcnemar_exact(0, 0) == 1.0


def _measure(name):
    return current_content().evidence_measure(name)


def test_seed_accuracy_reads_in_plain_words():
    result = measure_result(_measure("diagnostic_accuracy"), {"cases": 1000, "ai_correct": 950, "clinicians_correct": 970})
    ai, clinicians = result.proportions
    assert (ai.quantity, ai.percent, ai.seed_percent, ai.n) == ("ai_accuracy", 95.0, 95.0, 1000)
    assert (ai.ci_low, ai.ci_high) == pytest.approx((93.47, 96.19), abs=0.01)
    assert (clinicians.percent, clinicians.seed_percent) == (97.0, 97.0)
    comparison = result.comparison
    assert comparison.p_value is None and "unpaired" in comparison.method
    assert comparison.difference == pytest.approx(-2.0)
    # few disagreements on the same cases: paired, with McNemar
    paired = measure_result(_measure("diagnostic_accuracy"), {
        "cases": 1000, "ai_correct": 950, "clinicians_correct": 970,
        "ai_only_correct": 12, "clinicians_only_correct": 32}).comparison
    assert paired.p_value == pytest.approx(mcnemar_exact(12, 32)) and "paired" in paired.method
    assert paired.text.startswith("The AI's accuracy is 2 points below the clinicians' on 1,000 cases")
    close = measure_result(_measure("diagnostic_accuracy"), {
        "cases": 100, "ai_correct": 95, "clinicians_correct": 97,
        "ai_only_correct": 3, "clinicians_only_correct": 5}).comparison
    assert close.text.startswith("The AI's accuracy is within 2 points of the clinicians' on 100 cases; "
                                 "the difference is not statistically clear")
    assert close.p_value == pytest.approx(mcnemar_exact(3, 5)) and close.ci_low < 0 < close.ci_high


@pytest.mark.parametrize("measure, raw, message", [
    ("diagnostic_accuracy", {"cases": 100, "ai_correct": 101, "clinicians_correct": 90}, "ai_correct=101 is more than cases=100"),
    ("diagnostic_accuracy", {"cases": 100, "ai_correct": 90}, "clinicians_correct is missing"),
    ("diagnostic_accuracy", {"cases": 100, "ai_correct": 90, "clinicians_correct": 80, "ai_only_correct": 5},
     "needs clinicians_only_correct too"),
    ("diagnostic_accuracy", {"cases": 100, "ai_correct": 90, "clinicians_correct": 80, "ai_only_correct": 5,
                             "clinicians_only_correct": 5}, "discordant counts do not fit"),
    ("security_incidents", {"incidents": -1, "sessions": 10}, "whole number of 0 or more"),
    ("security_incidents", {"incidents": 1.5, "sessions": 10}, "whole number"),
    ("security_incidents", {"incidents": "many", "sessions": 10}, "must be a number"),
    ("security_incidents", {"incidents": 1, "sessions": 10, "breaches": 2}, "unknown input 'breaches'"),
    ("turnaround", {"ai_median_minutes": 0, "usual_median_minutes": 30}, "above 0"),
])
def test_bad_values_are_refused_with_one_clear_message(measure, raw, message):
    with pytest.raises(EvidenceError, match=message):
        check_values(_measure(measure), raw)


def test_pairs_parse_and_check():
    assert parse_pairs(_measure("security_incidents"), ["incidents=3", "sessions=1,000"]) == {"incidents": 3, "sessions": 1000}
    with pytest.raises(EvidenceError, match="not key=value"):
        parse_pairs(_measure("security_incidents"), ["incidents"])


# --- the CLI ----------------------------------------------------------------------------------

def run(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    environment = {**os.environ, "READINESS_DATA_DIR": str(cwd / "var")}
    environment.pop("READINESS_DATABASE_URL", None)
    return subprocess.run([str(READINESS), *args], cwd=cwd, env=environment, capture_output=True, text=True)


def test_evidence_set_and_list_keep_who_when_and_source(tmp_path):
    code = json.loads(run("org", "create", "St Mary's", "--json", cwd=tmp_path).stdout)["join_code"]
    saved = run("evidence", "set", code.lower(), "diagnostic_accuracy", "cases=1000", "ai_correct=950",
                "clinicians_correct=970", "--source", "PACS audit Jan-Jun", "--entered-by", "radiology lead",
                cwd=tmp_path)
    assert saved.returncode == 0, saved.stderr
    assert "AI diagnostic accuracy: 95.0 % (95 % CI 93.5–96.2; 950/1000); study 95 %" in saved.stdout
    assert "within 2 points" in saved.stdout or "2 points below" in saved.stdout
    assert run("evidence", "set", code, "staff_trained", "trained=70", "staff=100", cwd=tmp_path).returncode == 0
    listed = json.loads(run("evidence", "list", code, "--json", cwd=tmp_path).stdout)
    assert [(e["round"], e["measure"], e["values"], e["entered_by"], e["source"]) for e in listed] == [
        (1, "diagnostic_accuracy", {"ai_correct": 950, "cases": 1000, "clinicians_correct": 970},
         "radiology lead", "PACS audit Jan-Jun"),
        (1, "staff_trained", {"staff": 100, "trained": 70}, "organisation lead", None),
    ]
    assert all(e["entered_at"] for e in listed)
    table = run("evidence", "list", code, "--round", "1", cwd=tmp_path)
    assert "radiology lead" in table.stdout and "PACS audit" in table.stdout
    assert "No evidence entered" in run("evidence", "list", code, "--round", "2", cwd=tmp_path).stdout


@pytest.mark.parametrize("args, message", [
    (("diagnostic_accuracy", "cases=100", "ai_correct=101", "clinicians_correct=90"), "ai_correct=101 is more than cases=100"),
    (("diagnostic_accuracy", "cases=-5", "ai_correct=1", "clinicians_correct=1"), "cases must be a whole number of 0 or more"),
    (("no_such_measure", "x=1"), "unknown evidence measure 'no_such_measure'"),
    (("security_incidents", "incidents=1", "sessions=10", "colour=red"), "unknown input 'colour'"),
    (("security_incidents", "incidents=1"), "sessions is missing"),
])
def test_bad_entries_exit_2_with_one_line_and_change_nothing(tmp_path, args, message):
    code = json.loads(run("org", "create", "St Mary's", "--json", cwd=tmp_path).stdout)["join_code"]
    assert run("evidence", "set", code, "security_incidents", "incidents=2", "sessions=200", cwd=tmp_path).returncode == 0
    before = run("evidence", "list", code, "--json", cwd=tmp_path).stdout
    failed = run("evidence", "set", code, *args, cwd=tmp_path)
    assert failed.returncode == 2
    assert failed.stderr.count("\n") == 1 and message in failed.stderr and "Traceback" not in failed.stderr
    assert run("evidence", "list", code, "--json", cwd=tmp_path).stdout == before


def test_unknown_organisation_exits_2(tmp_path):
    failed = run("evidence", "set", "ZZZ-ZZZ", "staff_trained", "trained=1", "staff=2", cwd=tmp_path)
    assert failed.returncode == 2 and "no organisation has the join code" in failed.stderr
