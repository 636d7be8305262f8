"""Issue 13's statistics: ICC(1)/ICC(2), group-difference tests, answer-quality flags and
complementary suppression, against published worked examples and as properties."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from readiness.icc import adjusted_group_size, group_icc, icc1, icc2, one_way_anova

# -- ICC(1), ICC(2) ------------------------------------------------------------------------

#: Shrout & Fleiss (1979), Table 2: six targets rated by four judges. Read with targets as the
#: groups, their one-way ANOVA (Table 3) gives BMS = 11.24 and WMS = 6.26, and Table 4 gives
#: ICC(1,1) = .17 and ICC(1,4) = .44 — Bliese's (2000) ICC(1) and ICC(2).
SHROUT_FLEISS = [[9, 2, 5, 8], [6, 1, 3, 2], [8, 4, 6, 8], [7, 1, 2, 6], [10, 5, 6, 9], [6, 2, 4, 7]]


def test_icc_matches_shrout_and_fleiss_worked_example():
    values = np.array(SHROUT_FLEISS, dtype=float).ravel()
    groups = np.repeat(np.arange(6), 4)
    anova = one_way_anova(values, groups)
    assert (anova.n, anova.groups, anova.k0) == (24, 6, 4.0)
    assert round(anova.msb, 2) == 11.24 and round(anova.msw, 2) == 6.26
    assert round(icc1(anova), 2) == 0.17 and round(icc2(anova), 2) == 0.44
    result = group_icc(values, groups)
    assert (result.n, result.groups) == (24, 6)


def test_icc_with_unequal_groups_matches_scipy_anova_and_k0_by_hand():
    """No published unequal-n example is quoted here from memory: the expected values come
    independently from scipy's one-way ANOVA F (= MSB / MSW), since ICC(1) = (F − 1) /
    (F + k0 − 1) and ICC(2) = 1 − 1/F, with k0 computed by hand."""
    groups_data = [[60, 70, 75, 80, 65, 72], [40, 45, 50, 55, 35], [70, 90, 85, 80, 95, 75, 88, 92]]
    values = np.concatenate([np.array(g, dtype=float) for g in groups_data])
    groups = np.repeat(np.arange(3), [len(g) for g in groups_data])
    f = stats.f_oneway(*groups_data).statistic
    k0 = (19 - (36 + 25 + 64) / 19) / 2  # N = 19, sizes 6, 5, 8
    assert adjusted_group_size([6, 5, 8]) == pytest.approx(k0)
    result = group_icc(values, groups)
    assert result.k0 == pytest.approx(k0) and (result.n, result.groups) == (19, 3)
    assert result.icc1 == pytest.approx((f - 1) / (f + k0 - 1))
    assert result.icc2 == pytest.approx(1 - 1 / f)
    # ICC(2) is the Spearman–Brown step-up of ICC(1) by k0 (Bliese 2000, eq. 3)
    assert result.icc2 == pytest.approx(k0 * result.icc1 / (1 + (k0 - 1) * result.icc1))


def test_icc_is_none_without_two_groups_or_variation():
    assert group_icc([1.0, 2.0, 3.0], ["a", "a", "a"]).icc1 is None
    same = group_icc([50.0] * 10, ["a"] * 5 + ["b"] * 5)
    assert same.icc1 is None and same.icc2 is None


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(st.integers(0, 100), min_size=2, max_size=12), min_size=2, max_size=6))
def test_icc1_lies_between_minus_one_and_one(groups_data):
    values = np.concatenate([np.array(g, dtype=float) for g in groups_data])
    groups = np.repeat(np.arange(len(groups_data)), [len(g) for g in groups_data])
    result = group_icc(values, groups)
    if result.icc1 is not None:
        assert -1.0 - 1e-12 <= result.icc1 <= 1.0 + 1e-12
    if result.icc2 is not None:
        assert result.icc2 <= 1.0 + 1e-12


@settings(max_examples=20, deadline=None)
@given(st.integers(0, 2**32 - 1))
def test_icc1_is_near_zero_for_groups_from_one_distribution(seed):
    rng = np.random.default_rng(seed)
    sizes = rng.integers(200, 400, size=6)
    values = rng.normal(60, 15, size=int(sizes.sum()))
    groups = np.repeat(np.arange(6), sizes)
    assert abs(group_icc(values, groups).icc1) < 0.03


# -- group differences ---------------------------------------------------------------------

from readiness.group_tests import holm, mean_interval, welch_anova  # noqa: E402


def test_welch_anova_of_two_groups_is_welchs_t_test_squared():
    """With two groups Welch's F equals the square of Welch's t (scipy) with the same p."""
    a, b = [61.0, 70, 55, 80, 66, 72], [40.0, 52, 47, 58, 38, 45, 50, 61]
    t = stats.ttest_ind(a, b, equal_var=False)
    result = welch_anova([a, b])
    assert result.f == pytest.approx(t.statistic ** 2)
    assert result.p == pytest.approx(t.pvalue)
    assert result.df1 == 1


def test_welch_anova_three_groups_hand_computed():
    """Three groups, computed step by step from the formula (weights n/s², λ, F, df2)."""
    groups = [[2.0, 4, 6], [5.0, 7, 9, 11], [1.0, 2, 3, 4, 5]]
    n = np.array([3, 4, 5]); m = np.array([4.0, 8.0, 3.0]); v = np.array([4.0, 20 / 3, 2.5])
    w = n / v
    mw = (w * m).sum() / w.sum()
    a = (w * (m - mw) ** 2).sum() / 2
    lam = ((1 - w / w.sum()) ** 2 / (n - 1)).sum()
    f = a / (1 + 2 * lam / 8)
    result = welch_anova(groups)
    assert result.f == pytest.approx(f) and result.df2 == pytest.approx(8 / (3 * lam))
    assert result.p == pytest.approx(stats.f.sf(f, 2, 8 / (3 * lam)))


def test_mean_interval_and_holm():
    interval = mean_interval([50.0, 60, 70, 80])
    half = stats.t.ppf(0.975, 3) * np.std([50, 60, 70, 80], ddof=1) / 2
    assert (interval.low, interval.high) == pytest.approx((65 - half, 65 + half))
    assert holm([0.01, 0.04, None, 0.03]) == pytest.approx((0.03, 0.06, None, 0.06))


# -- answer quality ------------------------------------------------------------------------

from datetime import datetime, timedelta, timezone  # noqa: E402

import pandas as pd  # noqa: E402

from readiness.bank import current_questionnaire  # noqa: E402
from readiness.cohort import FRAME_COLUMNS, score_cohort  # noqa: E402
from readiness.quality import quality_flags  # noqa: E402

BANK = current_questionnaire()
T0 = datetime(2025, 3, 1, 9, 0, tzinfo=timezone.utc)


def frame_of(people: list[tuple[str, str, str | None, dict[str, int | None], float]]) -> pd.DataFrame:
    """people: (respondent, role, department, answers item → 1–5 or None for n/a, minutes)."""
    records = []
    for respondent, role, department, answers, minutes in people:
        for item, value in answers.items():
            records.append((respondent, role, department, 1, item, np.nan if value is None else float(value),
                            value is None, True, T0, T0 + timedelta(minutes=minutes)))
    frame = pd.DataFrame(records, columns=list(FRAME_COLUMNS) + ["started_at", "completed_at"])
    return frame.astype({"started_at": "datetime64[ns, UTC]", "completed_at": "datetime64[ns, UTC]"})


def consistent(role: str, levels: dict[str, int]) -> dict[str, int | None]:
    """Answers of someone who varies consistently: each challenge at its level, reversed
    statements mirrored (6 − level)."""
    return {item.id: (6 - levels[item.challenge]) if item.reverse else levels[item.challenge]
            for item in BANK.items_for(role)}


def test_each_quality_rule_flags_its_case_and_nothing_else():
    levels = {c.id: 2 + n % 3 for n, c in enumerate(BANK.challenges)}
    honest = [(f"h{n}", "clinician", "ICU", consistent("clinician", levels), 20.0 + n) for n in range(5)]
    straight = ("s", "clinician", "ICU", {i.id: 4 for i in BANK.items_for("clinician")}, 21.0)
    both_ways = consistent("clinician", levels)
    for item in BANK.items_for("clinician"):
        if item.challenge in ("data_privacy_security", "transparency"):
            both_ways[item.id] = 5  # strongly agrees with forward and reversed statements
    contradicting = ("c", "clinician", "ICU", both_ways, 22.0)
    fast = ("f", "clinician", "ICU", consistent("clinician", levels), 5.0)  # median ≈ 21 min
    cohort = score_cohort(BANK, frame_of(honest + [straight, contradicting, fast]))
    flags = quality_flags(BANK, cohort)
    who = cohort.respondents["respondent"].tolist()
    assert [who[n] for n in np.flatnonzero(flags.straight_lining)] == ["s"]
    assert [who[n] for n in np.flatnonzero(flags.contradictions)] == ["c"]
    assert [who[n] for n in np.flatnonzero(flags.speeders)] == ["f"]
    assert flags.counts() == {"straight_lining": 1, "contradictions": 1, "speeders": 1, "flagged": 3}


@settings(max_examples=40, deadline=None)
@given(st.sampled_from(BANK.role_ids), st.lists(st.integers(1, 5), min_size=9, max_size=9).filter(lambda v: len(set(v)) > 1),
       st.lists(st.floats(10, 40), min_size=4, max_size=8))
def test_no_flag_for_a_respondent_who_varies_consistently(role, values, minutes):
    """A respondent whose answers vary, with reversed statements mirroring the forward ones,
    at an ordinary pace (others of the role take 10–40 minutes), is never flagged."""
    levels = {c.id: v for c, v in zip(BANK.challenges, values)}
    answers = consistent(role, levels)
    if len(set(answers.values())) < 2:
        return  # the role's form happens to cover only challenges at one level
    others = [(f"o{n}", role, None, consistent(role, {c.id: 3 for c in BANK.challenges}), m)
              for n, m in enumerate(minutes)]
    own = ("me", role, None, answers, float(np.median(minutes)) / 2)
    cohort = score_cohort(BANK, frame_of(others + [own]))
    me = cohort.respondents["respondent"].tolist().index("me")
    assert not quality_flags(BANK, cohort).any[me]


# -- complementary suppression -------------------------------------------------------------

import scipy.linalg  # noqa: E402

from readiness.suppression import suppression_pattern  # noqa: E402


def adversary_recovers(sizes: dict, shown: set, target) -> bool:
    """Everything an adversary can do with the shown counts (or sums of scores, which add up
    the same way): any combination of additions and subtractions of the total and the shown
    groups. Over the non-empty cells, the target is recovered iff its row is a combination of
    the shown rows (least squares with zero residual; scipy, independent of the module)."""
    cells = sorted({(k[1], k[2]) for k in sizes if k[0] == "cell"}, key=str)

    def row(key):
        return np.array([1.0 if (key[0] == "role" and key[1] == r) or (key[0] == "department" and key[1] == d)
                         or (key[0] == "cell" and key[1:] == (r, d)) else 0.0 for r, d in cells])

    published = np.vstack([np.ones(len(cells))] + [row(k) for k in shown])
    coefficients, *_ = scipy.linalg.lstsq(published.T, row(target))
    return bool(np.allclose(published.T @ coefficients, row(target), atol=1e-8))


def simple_subtractions(sizes: dict, shown: set, target) -> bool:
    """The obvious attacks, spelled out: total − the shown groups of a partition, a role (or
    department) − its shown cells."""
    total = sum(n for k, n in sizes.items() if k[0] == "role")
    kind = target[0]
    if kind in ("role", "department"):
        others = [k for k in sizes if k[0] == kind and k != target]
        if all(k in shown for k in others):
            return True
    if kind == "cell":
        for margin, position in (("role", 1), ("department", 2)):
            parent = (margin, target[position])
            siblings = [k for k in sizes if k[0] == "cell" and k[position] == target[position] and k != target]
            if parent in shown and all(k in shown for k in siblings):
                return True
    return total == sizes[target]


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(st.sampled_from("ABCD"), st.sampled_from(["w1", "w2", "w3", "w4", "w5", "-"])),
                min_size=1, max_size=80))
def test_no_suppressed_group_can_be_recovered_by_subtraction(people):
    roles, departments = [p[0] for p in people], [p[1] for p in people]
    pattern = suppression_pattern(roles, departments, 5)
    shown = {k for k in pattern.sizes if pattern.shown(k)}
    n = len(people)
    for key, size in pattern.sizes.items():
        if 0 < size < 5:
            assert key in pattern.hidden
        if key in pattern.hidden and size < n:  # a group that is everyone is the total itself
            assert not adversary_recovers(pattern.sizes, shown, key), (key, sorted(shown))
            assert not simple_subtractions(pattern.sizes, shown, key), (key, sorted(shown))


def test_one_suppressed_department_takes_the_next_smallest_with_it():
    """Departments 7 + 5 + 3 = 15 shown as a total: hiding only the 3 would let 15 − 7 − 5
    recover it, so the 5 is hidden too; the 7 stays."""
    departments = ["big"] * 7 + ["mid"] * 5 + ["small"] * 3
    pattern = suppression_pattern(["nurse"] * 15, departments, 5)
    assert pattern.hidden_of("department") == {"mid", "small"}


import io  # noqa: E402

from readiness import export  # noqa: E402
from readiness.scorecard import organisation_scorecard  # noqa: E402


@settings(max_examples=25, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["nurse", "clinician", "it_admin"]), st.sampled_from(["w1", "w2", "w3", None]),
                          st.sampled_from([1, 2])), min_size=15, max_size=60))
def test_csv_shows_only_cells_the_scorecard_shows_and_links_no_hidden_person(people):
    records = []
    for n, (role, department, rnd) in enumerate(people):
        for r in range(1, rnd + 1):  # round-2 people also answered round 1
            for item in BANK.items_for(role)[:2]:
                records.append((f"p{n}", role, department, r, item.id, 3.0, False, True))
    frame = pd.DataFrame(records, columns=list(FRAME_COLUMNS))
    data = pd.read_csv(io.StringIO(export.answers_csv(BANK, frame)), dtype=str, keep_default_na=False)
    people_rows = data.drop_duplicates(["respondent", "round"])
    labelled = people_rows[people_rows["role"] != "suppressed"]
    assert ((people_rows["role"] == "suppressed") == (people_rows["department"] == "suppressed")).all()
    # a pseudonym is pooled in every round or in none
    assert people_rows.groupby("respondent")["role"].apply(lambda r: (r == "suppressed").nunique() == 1).all()
    for rnd, rows in labelled.groupby("round"):
        card = export.scorecard_to_dict(organisation_scorecard(BANK, frame, name="X", round=int(rnd)))
        cross = card["by_role_and_department"]
        for (role, department), n in rows.groupby(["role", "department"]).size().items():
            assert n >= 5
            if cross is not None:
                shown = cross["cells"][cross["roles"].index(dict((r.id, r.label) for r in BANK.roles)[role])][
                    cross["departments"].index(department or "Not given")]
                assert shown is not None and not shown["empty"] and n <= shown["respondents"]


def test_scorecard_reports_flags_and_the_setting_decides_what_counts():
    levels = {c.id: 2 + n % 3 for n, c in enumerate(BANK.challenges)}
    honest = [(f"h{n}", "nurse", "ICU", consistent("nurse", levels), 20.0 + n) for n in range(10)]
    straight = [(f"s{n}", "nurse", "ICU", {i.id: 5 for i in BANK.items_for("nurse")}, 21.0) for n in range(5)]
    frame = frame_of(honest + straight)
    included = organisation_scorecard(BANK, frame, name="Q")
    excluded = organisation_scorecard(BANK, frame, name="Q", exclude_flagged=True)
    assert included.quality.flagged == excluded.quality.flagged == 5
    assert included.respondents == 15 and excluded.respondents == 10
    assert included.overall == pytest.approx(included.quality.with_flagged)
    assert excluded.overall == pytest.approx(excluded.quality.without_flagged)
    assert included.quality.without_flagged == pytest.approx(excluded.overall)
    assert "5 of 15 assessments were flagged" in included.quality.text
    document = export.scorecard_to_dict(included)
    assert document["quality"]["flagged"] == 5 and document["schema_version"] == "1.5"
    # fewer than 5 flagged: the index without them would give their mean away
    few = organisation_scorecard(BANK, frame_of(honest + straight[:2]), name="Q")
    assert few.quality.flagged == 2 and few.quality.without_flagged is None


def test_personal_scorecard_never_mentions_quality():
    import inspect
    import readiness.scorecard.build as build

    source = inspect.getsource(build.personal_scorecard)
    assert "quality" not in source
    import readiness.dialogue as dialogue_pkg, pathlib
    for path in pathlib.Path(dialogue_pkg.__file__).parent.rglob("*.py"):
        assert "readiness.quality" not in path.read_text() and "flagged" not in path.read_text()


def _published_rows(document: dict, csv_text: str, cells: list, role_of_label: dict) -> list[tuple[np.ndarray, int]]:
    """Every count one scorecard (its JSON) and its answers CSV publish about groups of people,
    as (0/1 row over the role × department cells, the number shown): the total, the role and
    department views, the role × department cells, the training plan's groups (a pool is the
    sum of its roles) and the CSV's labelled cells."""
    def row(test) -> np.ndarray:
        return np.array([1.0 if test(r, d) else 0.0 for r, d in cells])

    out = [(row(lambda r, d: True), document["respondents"])]
    for key, view in (("role", document["by_role"]), ("department", document["by_department"])):
        for g in (view or {}).get("groups", []):
            if key == "role":
                out.append((row(lambda r, d, x=role_of_label[g["label"]]: r == x), g["respondents"]))
            else:
                name = None if g["label"] == "Not given" else g["label"]
                out.append((row(lambda r, d, x=name: d == x), g["respondents"]))
    cross = document["by_role_and_department"]
    if cross is not None:
        for role_label_, line in zip(cross["roles"], cross["cells"]):
            for department, cell in zip(cross["departments"], line):
                if cell is not None:
                    x, y = role_of_label[role_label_], None if department == "Not given" else department
                    out.append((row(lambda r, d, x=x, y=y: (r, d) == (x, y)), cell["respondents"]))
    for group in document["training_plan"]:
        roles = {role for label, role in role_of_label.items() if label == group["group"]} or {
            role for label, role in role_of_label.items() if group["group"].startswith("Other roles") and label in group["group"]}
        assert roles, group["group"]
        out.append((row(lambda r, d, x=frozenset(roles): r in x), group["respondents"]))
    data = pd.read_csv(io.StringIO(csv_text), dtype=str, keep_default_na=False).drop_duplicates("respondent")
    for (role, department), rows in data[data["role"] != "suppressed"].groupby(["role", "department"]):
        out.append((row(lambda r, d, x=role, y=department or None: (r, d) == (x, y)), len(rows)))
    return out


@settings(max_examples=30, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["nurse", "clinician", "it_admin", "manager"]),
                          st.sampled_from(["w1", "w2", "w3", None])), min_size=8, max_size=60))
def test_no_hidden_group_can_be_recovered_from_the_scorecard_its_training_plan_and_the_csv(people):
    """The adversary holds one round's JSON scorecard (every view, the training plan) and its
    answers CSV, and tries every combination of additions and subtractions of what they show
    (scipy least squares): no group the scorecard hides, and no group under 5, comes out."""
    roles_in_bank = set(BANK.role_ids)
    people = [(r if r in roles_in_bank else BANK.role_ids[-1], d) for r, d in people]
    levels = {c.id: 2 + n % 3 for n, c in enumerate(BANK.challenges)}
    frame = frame_of([(f"p{n}", role, department, consistent(role, levels), 20.0 + n % 7)
                      for n, (role, department) in enumerate(people)])
    document = export.scorecard_to_dict(organisation_scorecard(BANK, frame, name="X"))
    csv_text = export.answers_csv(BANK, frame)
    role_of_label = {r.label: r.id for r in BANK.roles}
    cells = sorted(set(people), key=str)
    sizes: dict = {}
    for r, d in people:
        for key in (("role", r), ("department", d), ("cell", r, d)):
            sizes[key] = sizes.get(key, 0) + 1
    published = _published_rows(document, csv_text, cells, role_of_label)
    truth = np.array([[1.0 if (r, d) == cell else 0.0 for cell in cells] for r, d in people]).sum(axis=0)
    for vector, shown in published:  # the model of what is published is right
        assert float(vector @ truth) == shown
    hidden_labels = {("role", role_of_label[label]) for label in (document["by_role"] or {}).get("suppressed", [])} | {
        ("department", None if label == "Not given" else label) for label in (document["by_department"] or {}).get("suppressed", [])}
    targets = {k for k, n in sizes.items() if n < 5} | hidden_labels
    matrix = np.vstack([v for v, _ in published])
    for key in targets:
        target = np.array([1.0 if (key[0] == "role" and r == key[1]) or (key[0] == "department" and d == key[1])
                           or (key[0] == "cell" and (r, d) == key[1:]) else 0.0 for r, d in cells])
        if target.all():
            continue  # a group that is everyone is the total itself
        coefficients, *_ = scipy.linalg.lstsq(matrix.T, target)
        assert not np.allclose(matrix.T @ coefficients, target, atol=1e-8), (key, sizes, document["training_plan"])


def test_round_trend_and_csv_count_what_each_rounds_scorecard_counts():
    """With flagged assessments excluded, the trend's figure for a round is that round's
    scorecard's index and respondents, and the CSV holds exactly the counted assessments."""
    levels = {c.id: 2 + n % 3 for n, c in enumerate(BANK.challenges)}
    honest = [(f"h{n}", "nurse", "ICU", consistent("nurse", levels), 20.0 + n) for n in range(8)]
    straight = [(f"s{n}", "nurse", "ICU", {i.id: 5 for i in BANK.items_for("nurse")}, 21.0) for n in range(5)]
    one, two = frame_of(honest), frame_of(honest + straight).assign(round=2)
    frame = pd.concat([one, two], ignore_index=True)
    for exclude in (False, True):
        latest = organisation_scorecard(BANK, frame, name="Q", exclude_flagged=exclude)
        first = organisation_scorecard(BANK, frame, name="Q", round=1, exclude_flagged=exclude)
        trend = latest.rounds
        assert trend.rounds == (1, 2) and trend.respondents == (first.respondents, latest.respondents)
        assert trend.rows[0].values == pytest.approx((first.overall, latest.overall))
        data = pd.read_csv(io.StringIO(export.answers_csv(BANK, frame, exclude_flagged=exclude)), dtype=str)
        counted = data.drop_duplicates(["respondent", "round"]).groupby("round").size().tolist()
        assert counted == [first.respondents, latest.respondents] == [8, 8 if exclude else 13]


def test_the_pooled_plan_group_lists_only_steps_open_to_all_its_roles():
    """A step meant for one of the pooled roles would count that role's members: not listed."""
    from readiness.recommend import fitting_steps
    from readiness.training_plan import POOLED, organisation_plan

    levels = {c.id: 1 + n % 2 for n, c in enumerate(BANK.challenges)}  # gaps everywhere
    people = [(f"{role}{n}", role, None, consistent(role, levels), 20.0)
              for role, size in (("nurse", 8), ("clinician", 3), ("it_admin", 3)) for n in range(size)]
    cohort = score_cohort(BANK, frame_of(people))
    plan = organisation_plan(BANK, cohort, 5, steps_per_group=50)
    pool = next(g for g in plan.groups if g.key == POOLED)
    assert set(pool.roles) == {"clinician", "it_admin"} and pool.steps
    from readiness.gaps import Gap

    def open_to(step_id: str, role: str) -> bool:
        return any(step.id == step_id for c in BANK.challenges for t in BANK.tiers.bands
                   for step in fitting_steps(BANK, role, Gap(c.id, c.title, t.lower, t, BANK.rules.target, c.weight, 1.0)))

    assert all(open_to(s.step.id, r) for s in pool.steps for r in pool.roles)
    only_one = [s.id for s in BANK.training if open_to(s.id, "clinician") != open_to(s.id, "it_admin")]
    assert only_one  # the bank has role-specific steps, so the rule is doing something
