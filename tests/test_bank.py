"""The packaged questionnaire content and the loader that validates it."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any, Callable

import pytest
import yaml

from readiness.bank import (
    CONTENT_DIR_ENV,
    CRITERIA,
    PACKAGED_CONTENT_DIR,
    BankError,
    current_questionnaire,
    default_content_dir,
    load_questionnaire,
)
from readiness.model import Questionnaire

CHALLENGE_IDS = [
    "data_privacy_security",
    "collaboration",
    "ethics_bias",
    "usable_interfaces",
    "training_education",
    "clinical_validation_regulation",
    "transparency",
    "scalability_integration",
    "patient_engagement_consent",
]
ROLE_IDS = ["clinician", "nurse", "it_admin", "ai_developer", "leadership"]
LOW_TIERS = {"not_yet_ready", "emerging", "developing"}
GLOSSARY_TERMS = [
    "HIPAA", "GDPR", "EHR", "interoperability", "FHIR", "HL7", "bias", "algorithmic fairness",
    "explainability", "model card", "clinical validation", "regulatory approval",
    "informed consent", "de-identification", "pseudonymisation", "generative AI",
    "large language model", "hallucination", "data governance", "access control", "encryption",
    "audit trail", "workflow integration", "human in the loop", "readiness index", "tier",
]


@pytest.fixture(scope="module")
def packaged() -> Questionnaire:
    return load_questionnaire(PACKAGED_CONTENT_DIR)


# ---------------------------------------------------------------------------- packaged content


def test_packaged_content_loads_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(CONTENT_DIR_ENV, raising=False)
    assert default_content_dir() == PACKAGED_CONTENT_DIR
    questionnaire = load_questionnaire()
    assert questionnaire.version == "2026.1"


def test_nine_challenges_in_seed_order(packaged: Questionnaire) -> None:
    assert [c.id for c in packaged.challenges] == CHALLENGE_IDS
    for challenge in packaged.challenges:
        assert 3 <= len(challenge.items) <= 6
        assert challenge.weight > 0
        assert challenge.title and challenge.description and challenge.intro
        assert not any(ch.isdigit() for ch in challenge.intro), "intros must not hard-code counts"


def test_five_roles_with_lowercase_aliases(packaged: Questionnaire) -> None:
    assert list(packaged.role_ids) == ROLE_IDS
    for role in packaged.roles:
        assert role.label
        assert role.aliases
        assert all(alias == alias.lower() for alias in role.aliases)
    aliases = {alias for role in packaged.roles for alias in role.aliases}
    for phrase in ("doctor", "physician", "icu nurse", "hospital it", "sysadmin",
                   "data scientist", "ml engineer", "cmio", "cio", "director", "manager"):
        assert phrase in aliases


@pytest.mark.parametrize("role", ROLE_IDS)
def test_every_role_has_two_items_per_challenge_and_18_to_30_overall(
    packaged: Questionnaire, role: str
) -> None:
    for challenge in packaged.challenges:
        assert len(challenge.items_for(role)) >= 2, (role, challenge.id)
    assert 18 <= len(packaged.items_for(role)) <= 30


def test_items_are_well_formed(packaged: Questionnaire) -> None:
    items = [item for challenge in packaged.challenges for item in challenge.items]
    assert len({item.id for item in items}) == len(items)
    assert sum(item.reverse for item in items) >= 4
    for item in items:
        assert item.criterion in CRITERIA
        assert item.text and item.why
        assert item.roles <= set(ROLE_IDS)
        assert packaged.item(item.id) is item


def test_seed_benchmarks_present(packaged: Questionnaire) -> None:
    items = [item for challenge in packaged.challenges for item in challenge.items]
    benchmarks = {item.id: item.benchmark for item in items if item.benchmark is not None}
    figures = {benchmark.figure for benchmark in benchmarks.values()}
    assert {85, 70, 40, 80, 60} <= figures
    confidence = packaged.item("privacy_confidence").benchmark
    assert confidence is not None and (confidence.figure, confidence.rule, confidence.threshold) == (
        85, "at_least", 3)
    concern = packaged.item("privacy_vulnerability_concern")
    assert concern.reverse and concern.benchmark is not None and concern.benchmark.figure == 15
    prepared = packaged.item("training_prepared").benchmark
    assert prepared is not None and prepared.figure == 60 and "70%" in prepared.label
    for benchmark in benchmarks.values():
        assert benchmark.source.startswith("seed §4")
        assert benchmark.rule in ("at_least", "at_most")
        assert 1 <= benchmark.threshold <= 5


def test_tiers_and_scoring(packaged: Questionnaire) -> None:
    bands = packaged.tiers.bands
    assert [(b.id, b.name, b.lower, b.upper) for b in bands] == [
        ("not_yet_ready", "Not yet ready", 0, 20),
        ("emerging", "Emerging", 20, 40),
        ("developing", "Developing", 40, 60),
        ("ready", "Ready", 60, 80),
        ("leading", "Leading", 80, 100),
    ]
    assert all(band.description for band in bands)
    assert packaged.tiers.tier_for(100).id == "leading"
    assert (packaged.rules.min_coverage, packaged.rules.target) == (0.5, 75)


def test_every_challenge_and_role_has_a_low_tier_training_step(packaged: Questionnaire) -> None:
    assert 25 <= len(packaged.training) <= 35
    for challenge in CHALLENGE_IDS:
        for role in ROLE_IDS:
            assert any(
                challenge in step.challenges and role in step.roles and step.tiers & LOW_TIERS
                for step in packaged.training
            ), (challenge, role)
    assert any(len(step.challenges) > 1 for step in packaged.training)
    assert all(step.duration_minutes > 0 for step in packaged.training)


def test_glossary_has_required_terms(packaged: Questionnaire) -> None:
    terms = {entry.term for entry in packaged.glossary}
    assert set(GLOSSARY_TERMS) <= terms
    assert all(entry.definition for entry in packaged.glossary)


# ---------------------------------------------------------------------------- validation rules


def copy_content(tmp_path: Path) -> Path:
    target = tmp_path / "content"
    shutil.copytree(PACKAGED_CONTENT_DIR, target)
    return target


def broken(tmp_path: Path, filename: str, edit: Callable[[Any], None]) -> BankError:
    """Copy the packaged content, apply `edit` to one file's data, and return the load error."""
    directory = copy_content(tmp_path)
    path = directory / filename
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    edit(data)
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    with pytest.raises(BankError) as info:
        load_questionnaire(directory)
    error = info.value
    assert error.file == str(path)
    assert str(error).startswith(str(path))
    return error


def challenge(data: dict[str, Any], challenge_id: str) -> dict[str, Any]:
    return next(c for c in data["challenges"] if c["id"] == challenge_id)


def item(data: dict[str, Any], item_id: str) -> dict[str, Any]:
    return next(i for c in data["challenges"] for i in c["items"] if i["id"] == item_id)


def step(data: dict[str, Any], step_id: str) -> dict[str, Any]:
    return next(s for s in data["steps"] if s["id"] == step_id)


def assert_names(error: BankError, *fragments: str) -> None:
    message = str(error)
    for fragment in fragments:
        assert fragment in message, f"{fragment!r} not in {message!r}"


def test_unknown_key_typo_is_reported(tmp_path: Path) -> None:
    def edit(data: Any) -> None:
        item(data, "collab_tools_imposed")["reverse_"] = item(data, "collab_tools_imposed").pop("reverse")

    error = broken(tmp_path, "bank.yml", edit)
    assert error.where == "item 'collab_tools_imposed'"
    assert_names(error, "bank.yml", "collab_tools_imposed", "unknown key 'reverse_'")
    assert error.line is not None


def test_missing_required_key(tmp_path: Path) -> None:
    error = broken(tmp_path, "bank.yml", lambda d: item(d, "privacy_confidence").pop("why"))
    assert_names(error, "item 'privacy_confidence'", "missing required key 'why'")


def test_wrong_type(tmp_path: Path) -> None:
    def edit(data: Any) -> None:
        item(data, "usable_disrupts_care")["reverse"] = "yes"

    error = broken(tmp_path, "bank.yml", edit)
    assert_names(error, "usable_disrupts_care", "'reverse' must be true or false")


def test_unknown_criterion(tmp_path: Path) -> None:
    def edit(data: Any) -> None:
        item(data, "ethics_escalation")["criterion"] = "Fairness"

    error = broken(tmp_path, "bank.yml", edit)
    assert_names(error, "ethics_escalation", "'criterion'", "'Fairness'", "Bias and Ethics")


def test_id_not_snake_case(tmp_path: Path) -> None:
    def edit(data: Any) -> None:
        item(data, "ethics_escalation")["id"] = "Ethics-Escalation"

    error = broken(tmp_path, "bank.yml", edit)
    assert_names(error, "Ethics-Escalation", "snake_case")


def test_duplicate_role_id(tmp_path: Path) -> None:
    def edit(data: Any) -> None:
        data["roles"][1]["id"] = "clinician"
        data["roles"][1]["aliases"] = []

    error = broken(tmp_path, "bank.yml", edit)
    assert_names(error, "role 'clinician'", "duplicate role id 'clinician'")


def test_alias_claimed_by_two_roles(tmp_path: Path) -> None:
    def edit(data: Any) -> None:
        data["roles"][1]["aliases"].append("doctor")

    error = broken(tmp_path, "bank.yml", edit)
    assert_names(error, "role 'nurse'", "alias 'doctor'", "'clinician'")


def test_duplicate_challenge_id(tmp_path: Path) -> None:
    def edit(data: Any) -> None:
        challenge(data, "transparency")["id"] = "ethics_bias"

    error = broken(tmp_path, "bank.yml", edit)
    assert_names(error, "challenge 'ethics_bias'", "duplicate challenge id")


def test_duplicate_item_id_across_challenges(tmp_path: Path) -> None:
    def edit(data: Any) -> None:
        item(data, "transparency_decision_log")["id"] = "privacy_confidence"

    error = broken(tmp_path, "bank.yml", edit)
    assert_names(error, "item 'privacy_confidence'", "duplicate item id",
                 "data_privacy_security")


def test_unknown_role_in_item(tmp_path: Path) -> None:
    def edit(data: Any) -> None:
        item(data, "scale_ehr_standards")["roles"].append("pharmacist")

    error = broken(tmp_path, "bank.yml", edit)
    assert_names(error, "item 'scale_ehr_standards'", "unknown role 'pharmacist'", "it_admin")


@pytest.mark.parametrize("weight", [0, -1.5])
def test_challenge_weight_must_be_positive(tmp_path: Path, weight: float) -> None:
    def edit(data: Any) -> None:
        challenge(data, "collaboration")["weight"] = weight

    error = broken(tmp_path, "bank.yml", edit)
    assert_names(error, "challenge 'collaboration'", "weight must be > 0")


@pytest.mark.parametrize("weight", [0, -2])
def test_item_weight_must_be_positive(tmp_path: Path, weight: float) -> None:
    def edit(data: Any) -> None:
        item(data, "training_prepared")["weight"] = weight

    error = broken(tmp_path, "bank.yml", edit)
    assert_names(error, "item 'training_prepared'", "weight must be > 0")


def test_role_without_item_in_challenge(tmp_path: Path) -> None:
    def edit(data: Any) -> None:
        for entry in challenge(data, "ethics_bias")["items"]:
            if "nurse" in entry["roles"]:
                entry["roles"].remove("nurse")

    error = broken(tmp_path, "bank.yml", edit)
    assert error.where == "challenge 'ethics_bias'"
    assert_names(error, "role 'nurse' has no item")


def test_challenge_with_too_few_items(tmp_path: Path) -> None:
    def edit(data: Any) -> None:
        items = challenge(data, "ethics_bias")["items"]
        everyone = ROLE_IDS
        del items[2:]
        for entry in items:
            entry["roles"] = list(everyone)

    error = broken(tmp_path, "bank.yml", edit)
    assert_names(error, "challenge 'ethics_bias'", "has 2 items", "3–6")


def test_challenge_with_too_many_items(tmp_path: Path) -> None:
    def edit(data: Any) -> None:
        items = challenge(data, "transparency")["items"]
        extra = dict(items[0], id="transparency_extra")
        items.append(extra)

    error = broken(tmp_path, "bank.yml", edit)
    assert_names(error, "challenge 'transparency'", "has 7 items", "3–6")


@pytest.mark.parametrize("threshold", [0, 6])
def test_benchmark_threshold_on_likert_scale(tmp_path: Path, threshold: int) -> None:
    def edit(data: Any) -> None:
        item(data, "collab_involved_in_design")["benchmark"]["threshold"] = threshold

    error = broken(tmp_path, "bank.yml", edit)
    assert_names(error, "item 'collab_involved_in_design'", "threshold", "1–5")


@pytest.mark.parametrize("figure", [-1, 101])
def test_benchmark_figure_is_percentage(tmp_path: Path, figure: float) -> None:
    def edit(data: Any) -> None:
        item(data, "ethics_bias_aware")["benchmark"]["figure"] = figure

    error = broken(tmp_path, "bank.yml", edit)
    assert_names(error, "item 'ethics_bias_aware'", "figure", "0–100")


def test_empty_text(tmp_path: Path) -> None:
    def edit(data: Any) -> None:
        item(data, "patient_voice_in_design")["text"] = "   "

    error = broken(tmp_path, "bank.yml", edit)
    assert_names(error, "item 'patient_voice_in_design'", "text is empty")


def test_malformed_yaml_reports_line(tmp_path: Path) -> None:
    directory = copy_content(tmp_path)
    bank = directory / "bank.yml"
    lines = bank.read_text(encoding="utf-8").splitlines()
    number = next(n for n, line in enumerate(lines) if "id: privacy_breach_reporting" in line)
    lines[number] += ": oops"
    bank.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(BankError) as info:
        load_questionnaire(directory)
    assert info.value.line is not None and abs(info.value.line - (number + 1)) <= 2
    assert_names(info.value, str(bank), f":{info.value.line}:", "malformed YAML")


def test_duplicate_yaml_key(tmp_path: Path) -> None:
    directory = copy_content(tmp_path)
    bank = directory / "bank.yml"
    text = bank.read_text(encoding="utf-8").replace(
        "      - id: privacy_access_controls\n",
        "      - id: privacy_access_controls\n        id: privacy_access_controls_2\n",
    )
    bank.write_text(text, encoding="utf-8")
    with pytest.raises(BankError) as info:
        load_questionnaire(directory)
    assert_names(info.value, "bank.yml", "key 'id' appears twice")


def test_missing_file(tmp_path: Path) -> None:
    directory = copy_content(tmp_path)
    (directory / "glossary.yml").unlink()
    with pytest.raises(BankError) as info:
        load_questionnaire(directory)
    assert info.value.file == str(directory / "glossary.yml")
    assert_names(info.value, "glossary.yml", "not found")


def test_empty_file(tmp_path: Path) -> None:
    directory = copy_content(tmp_path)
    (directory / "tiers.yml").write_text("", encoding="utf-8")
    with pytest.raises(BankError) as info:
        load_questionnaire(directory)
    assert_names(info.value, "tiers.yml", "must be a mapping")


def test_duplicate_tier_id(tmp_path: Path) -> None:
    error = broken(tmp_path, "tiers.yml", lambda d: d["tiers"][2].update(id="emerging"))
    assert_names(error, "tier 'emerging'", "duplicate tier id")


def test_tiers_not_contiguous(tmp_path: Path) -> None:
    error = broken(tmp_path, "tiers.yml", lambda d: d["tiers"][2].update(lower=45))
    assert_names(error, "tier 'developing'", "contiguous", "'emerging' ends at 40")


def test_tiers_not_starting_at_zero(tmp_path: Path) -> None:
    error = broken(tmp_path, "tiers.yml", lambda d: d["tiers"][0].update(lower=5))
    assert_names(error, "tier 'not_yet_ready'", "start at 0")


def test_tiers_not_ending_at_100(tmp_path: Path) -> None:
    error = broken(tmp_path, "tiers.yml", lambda d: d["tiers"][-1].update(upper=90))
    assert_names(error, "tier 'leading'", "end at 100")


def test_tiers_not_ascending(tmp_path: Path) -> None:
    def edit(data: Any) -> None:
        data["tiers"][0], data["tiers"][1] = data["tiers"][1], data["tiers"][0]

    error = broken(tmp_path, "tiers.yml", edit)
    assert_names(error, "tiers.yml", "tier 'emerging'", "start at 0")


def test_tier_band_reversed(tmp_path: Path) -> None:
    error = broken(tmp_path, "tiers.yml", lambda d: d["tiers"][1].update(lower=40, upper=20))
    assert_names(error, "tier 'emerging'", "must be below upper")


@pytest.mark.parametrize("value", [0, 1.5, -0.1])
def test_min_coverage_range(tmp_path: Path, value: float) -> None:
    error = broken(tmp_path, "tiers.yml", lambda d: d["scoring"].update(min_coverage=value))
    assert error.where == "scoring"
    assert_names(error, "min_coverage", "(0, 1]")


@pytest.mark.parametrize("value", [0, 101])
def test_target_range(tmp_path: Path, value: float) -> None:
    error = broken(tmp_path, "tiers.yml", lambda d: d["scoring"].update(target=value))
    assert_names(error, "scoring", "target", "(0, 100]")


def test_duplicate_glossary_term(tmp_path: Path) -> None:
    error = broken(tmp_path, "glossary.yml", lambda d: d["glossary"][3].update(term="hipaa"))
    assert_names(error, "term 'hipaa'", "duplicate term", "'HIPAA'")


def test_duplicate_training_step_id(tmp_path: Path) -> None:
    error = broken(tmp_path, "training.yml", lambda d: d["steps"][4].update(id="privacy_foundations"))
    assert_names(error, "step 'privacy_foundations'", "duplicate step id")


def test_unknown_role_in_step(tmp_path: Path) -> None:
    error = broken(tmp_path, "training.yml",
                   lambda d: step(d, "codesign_sprint")["roles"].append("porter"))
    assert_names(error, "step 'codesign_sprint'", "unknown role 'porter'")


def test_unknown_challenge_in_step(tmp_path: Path) -> None:
    error = broken(tmp_path, "training.yml",
                   lambda d: step(d, "codesign_sprint").update(challenge="teamwork"))
    assert_names(error, "step 'codesign_sprint'", "unknown challenge 'teamwork'", "collaboration")


def test_unknown_challenge_in_cross_cutting_step(tmp_path: Path) -> None:
    error = broken(tmp_path, "training.yml",
                   lambda d: step(d, "responsible_ai_essentials")["challenge"].append("privacy"))
    assert_names(error, "step 'responsible_ai_essentials'", "unknown challenge 'privacy'")


def test_unknown_tier_in_step(tmp_path: Path) -> None:
    error = broken(tmp_path, "training.yml",
                   lambda d: step(d, "codesign_sprint")["tiers"].append("advanced"))
    assert_names(error, "step 'codesign_sprint'", "unknown tier 'advanced'", "not_yet_ready")


def test_step_duration_positive(tmp_path: Path) -> None:
    error = broken(tmp_path, "training.yml",
                   lambda d: step(d, "codesign_sprint").update(duration_minutes=0))
    assert_names(error, "step 'codesign_sprint'", "duration_minutes must be > 0")


def test_gap_without_training_step(tmp_path: Path) -> None:
    def edit(data: Any) -> None:
        step(data, "transparency_foundations")["roles"].remove("nurse")
        step(data, "trust_check_override_simulation")["roles"].remove("nurse")

    error = broken(tmp_path, "training.yml", edit)
    assert_names(error, "training.yml", "challenge 'transparency'", "role 'nurse'",
                 "no training step for tier 'developing'")


# ---------------------------------------------------------------------------- loading options


def test_bank_file_replaces_bank(tmp_path: Path) -> None:
    data = yaml.safe_load((PACKAGED_CONTENT_DIR / "bank.yml").read_text(encoding="utf-8"))
    data["version"] = "draft"
    draft = tmp_path / "draft_bank.yml"
    draft.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    assert load_questionnaire(bank_file=draft).version == "draft"

    item(data, "privacy_confidence")["roles"] = ["visitor"]
    draft.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    with pytest.raises(BankError) as info:
        load_questionnaire(bank_file=draft)
    assert info.value.file == str(draft)


def test_env_var_selects_content_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    directory = copy_content(tmp_path)
    monkeypatch.setenv(CONTENT_DIR_ENV, str(directory))
    assert default_content_dir() == directory
    monkeypatch.setenv(CONTENT_DIR_ENV, str(tmp_path / "nowhere"))
    with pytest.raises(BankError) as info:
        load_questionnaire()
    assert_names(info.value, "nowhere", "bank.yml", "not found")


def test_current_questionnaire_reloads_edited_bank(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    directory = copy_content(tmp_path)
    monkeypatch.setenv(CONTENT_DIR_ENV, str(directory))
    first = current_questionnaire()
    assert current_questionnaire() is first  # cached while nothing changes

    bank = directory / "bank.yml"
    data = yaml.safe_load(bank.read_text(encoding="utf-8"))
    item(data, "privacy_confidence")["text"] = "Edited: our AI data security is adequate, I think."
    bank.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")

    second = current_questionnaire()
    assert second is not first
    assert second.item("privacy_confidence").text.startswith("Edited:")

    monkeypatch.delenv(CONTENT_DIR_ENV)
    packaged = current_questionnaire()
    assert not packaged.item("privacy_confidence").text.startswith("Edited:")


# ---------------------------------------------------------------------------- weight overrides


def test_with_weights_applies_override(packaged: Questionnaire) -> None:
    changed = packaged.with_weights({"transparency": 2.5})
    assert changed.challenge("transparency").weight == 2.5
    assert packaged.challenge("transparency").weight == 1.0
    assert changed.item("privacy_confidence") == packaged.item("privacy_confidence")


def test_with_weights_rejects_unknown_challenge(packaged: Questionnaire) -> None:
    with pytest.raises(ValueError, match="unknown challenge 'privacy'"):
        packaged.with_weights({"privacy": 2.0})


@pytest.mark.parametrize("weight", [0, -1, True, "2"])
def test_with_weights_rejects_non_positive(packaged: Questionnaire, weight: Any) -> None:
    with pytest.raises(ValueError, match="must be a number > 0"):
        packaged.with_weights({"ethics_bias": weight})
