"""Loading and validation of the questionnaire content (YAML) into frozen domain values.

Questions, weights, tiers, the glossary and the training catalogue are data so that content
editors can change them without touching code. Structure is checked with a JSON Schema
(Draft 7), meaning with code, and every problem becomes a `ContentError` (also known as
`BankError`) naming the file, the line where known, the item (or other place) and what to do
about it. The whole content folder (these four files plus chat wording, answer phrases and
cohort profiles) is loaded together by readiness.content_set.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Iterable, Sequence

from readiness.content_yaml import CONTENT_DIR_ENV, BankError, ContentError, YamlDocument  # noqa: F401
from readiness.content_yaml import check_schema as _check_schema
from readiness.content_yaml import read_yaml as _read_yaml
from readiness.model import (
    LIKERT_MAX,
    LIKERT_MIN,
    Benchmark,
    Challenge,
    GlossaryEntry,
    Item,
    Questionnaire,
    Role,
    ScoringRules,
    Tier,
    Tiers,
    TrainingStep,
)

#: The content shipped with the package.
PACKAGED_CONTENT_DIR = Path(__file__).resolve().parent / "content"

BANK_FILE = "bank.yml"
TIERS_FILE = "tiers.yml"
GLOSSARY_FILE = "glossary.yml"
TRAINING_FILE = "training.yml"
CONTENT_FILES = (BANK_FILE, TIERS_FILE, GLOSSARY_FILE, TRAINING_FILE)

#: Items per challenge: fewer gives an unreliable score, more makes the chat tedious.
MIN_ITEMS_PER_CHALLENGE = 3
MAX_ITEMS_PER_CHALLENGE = 6

#: The evaluation criteria of the source study (seed §3.4); every item measures one.
CRITERIA = (
    "Data Privacy and Security",
    "Collaboration",
    "Bias and Ethics",
    "Interface Usability",
    "Education and Training",
    "Clinical Validation",
    "Transparency",
    "Scalability and Integration",
    "Patient Engagement",
)

BENCHMARK_RULES = ("at_least", "at_most")


# --------------------------------------------------------------------------------------------
# Schemas: structure only (keys, types, id spelling). Ranges and cross-references are checked
# in code below so their messages can explain the rule.

_ID = {"type": "string", "pattern": "^[a-z][a-z0-9_]*$"}
_TEXT = {"type": "string"}
_NUMBER = {"type": "number"}
_STRINGS = {"type": "array", "items": {"type": "string"}}
_ID_LIST = {"type": "array", "items": _ID, "minItems": 1, "uniqueItems": True}


def _record(required: Sequence[str], properties: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "object",
        "required": list(required),
        "properties": properties,
        "additionalProperties": False,
    }


_BENCHMARK_SCHEMA = _record(
    ("figure", "label", "source", "rule", "threshold"),
    {
        "figure": _NUMBER,
        "label": _TEXT,
        "source": _TEXT,
        "rule": {"enum": list(BENCHMARK_RULES)},
        "threshold": {"type": "integer"},
    },
)

_ITEM_SCHEMA = _record(
    ("id", "text", "roles", "why", "criterion"),
    {
        "id": _ID,
        "text": _TEXT,
        "roles": _ID_LIST,
        "reverse": {"type": "boolean"},
        "why": _TEXT,
        "criterion": {"enum": list(CRITERIA)},
        "weight": _NUMBER,
        "benchmark": _BENCHMARK_SCHEMA,
    },
)

BANK_SCHEMA: dict[str, Any] = _record(
    ("version", "roles", "challenges"),
    {
        "version": _TEXT,
        "roles": {
            "type": "array",
            "minItems": 1,
            "items": _record(("id", "label"), {"id": _ID, "label": _TEXT, "aliases": _STRINGS}),
        },
        "challenges": {
            "type": "array",
            "minItems": 1,
            "items": _record(
                ("id", "title", "description", "intro", "items"),
                {
                    "id": _ID,
                    "title": _TEXT,
                    "description": _TEXT,
                    "intro": _TEXT,
                    "weight": _NUMBER,
                    "items": {"type": "array", "items": _ITEM_SCHEMA},
                },
            ),
        },
    },
)

TIERS_SCHEMA: dict[str, Any] = _record(
    ("tiers", "scoring"),
    {
        "tiers": {
            "type": "array",
            "minItems": 1,
            "items": _record(
                ("id", "name", "lower", "upper", "description"),
                {"id": _ID, "name": _TEXT, "lower": _NUMBER, "upper": _NUMBER,
                 "description": _TEXT},
            ),
        },
        "scoring": _record(("min_coverage", "target"),
                           {"min_coverage": _NUMBER, "target": _NUMBER}),
    },
)

GLOSSARY_SCHEMA: dict[str, Any] = _record(
    ("glossary",),
    {
        "glossary": {
            "type": "array",
            "items": _record(("term", "definition"),
                             {"term": _TEXT, "aliases": _STRINGS, "definition": _TEXT}),
        },
    },
)

TRAINING_SCHEMA: dict[str, Any] = _record(
    ("steps",),
    {
        "steps": {
            "type": "array",
            "items": _record(
                ("id", "title", "challenge", "roles", "tiers", "format", "duration_minutes", "why"),
                {
                    "id": _ID,
                    "title": _TEXT,
                    "challenge": {"type": ["string", "array"], "items": _ID, "minItems": 1,
                                  "uniqueItems": True},
                    "roles": _ID_LIST,
                    "tiers": _ID_LIST,
                    "format": _TEXT,
                    "duration_minutes": {"type": "integer"},
                    "why": _TEXT,
                },
            ),
        },
    },
)

# --------------------------------------------------------------------------------------------
# Meaning


def _require_text(document: YamlDocument, path: list[str | int], value: Any, what: str) -> None:
    if isinstance(value, str) and not value.strip():
        raise document.error(path, f"{what} is empty; write the {what}")


def _require_positive(document: YamlDocument, path: list[str | int], value: Any, what: str) -> None:
    if value is not None and not value > 0:
        raise document.error(path, f"{what} must be > 0, got {value!r}; use a positive number "
                                   f"(1 is the default)")


def _unknown(document: YamlDocument, path: list[str | int], kind: str, value: str,
             known: Iterable[str], source: str) -> BankError:
    return document.error(path, f"unknown {kind} {value!r}; known {kind}s "
                                f"(from {source}): {', '.join(known)}")


def _check_bank(document: YamlDocument) -> None:
    data = document.data
    role_ids: list[str] = []
    alias_owner: dict[str, str] = {}
    for index, role in enumerate(data["roles"]):
        path: list[str | int] = ["roles", index]
        if role["id"] in role_ids:
            raise document.error([*path, "id"], f"duplicate role id {role['id']!r}; ids must be unique")
        role_ids.append(role["id"])
        _require_text(document, [*path, "label"], role["label"], "label")
        for position, alias in enumerate(role.get("aliases", [])):
            _require_text(document, [*path, "aliases", position], alias, "alias")
            owner = alias_owner.setdefault(alias.strip().lower(), role["id"])
            if owner != role["id"]:
                raise document.error([*path, "aliases", position],
                                     f"alias {alias!r} is also an alias of role {owner!r}; an "
                                     f"alias must point to one role")

    challenge_ids: list[str] = []
    item_home: dict[str, str] = {}
    for c_index, challenge in enumerate(data["challenges"]):
        path = ["challenges", c_index]
        if challenge["id"] in challenge_ids:
            raise document.error([*path, "id"],
                                 f"duplicate challenge id {challenge['id']!r}; ids must be unique")
        challenge_ids.append(challenge["id"])
        for key in ("title", "description", "intro"):
            _require_text(document, [*path, key], challenge[key], key)
        _require_positive(document, [*path, "weight"], challenge.get("weight"), "weight")
        items = challenge["items"]
        if not MIN_ITEMS_PER_CHALLENGE <= len(items) <= MAX_ITEMS_PER_CHALLENGE:
            raise document.error([*path, "items"],
                                 f"has {len(items)} items; a challenge needs "
                                 f"{MIN_ITEMS_PER_CHALLENGE}–{MAX_ITEMS_PER_CHALLENGE}", key=True)
        for i_index, item in enumerate(items):
            _check_item(document, [*path, "items", i_index], item, challenge["id"], role_ids,
                        item_home)
        asked = {role for item in items for role in item["roles"]}
        for role in role_ids:
            if role not in asked:
                raise document.error(path, f"role {role!r} has no item in this challenge, so its "
                                           f"score would be missing; add {role!r} to an item's "
                                           f"roles or add an item for it")


def _check_item(document: YamlDocument, path: list[str | int], item: dict[str, Any], challenge_id: str,
                role_ids: list[str], item_home: dict[str, str]) -> None:
    item_id = item["id"]
    if item_id in item_home:
        raise document.error([*path, "id"],
                             f"duplicate item id {item_id!r} (also in challenge "
                             f"{item_home[item_id]!r}); item ids must be unique across the bank")
    item_home[item_id] = challenge_id
    _require_text(document, [*path, "text"], item["text"], "text")
    _require_text(document, [*path, "why"], item["why"], "why")
    for position, role in enumerate(item["roles"]):
        if role not in role_ids:
            raise _unknown(document, [*path, "roles", position], "role", role, role_ids,
                           "roles in bank.yml")
    _require_positive(document, [*path, "weight"], item.get("weight"), "weight")
    benchmark = item.get("benchmark")
    if benchmark is not None:
        b_path = [*path, "benchmark"]
        _require_text(document, [*b_path, "label"], benchmark["label"], "benchmark label")
        _require_text(document, [*b_path, "source"], benchmark["source"], "benchmark source")
        if not LIKERT_MIN <= benchmark["threshold"] <= LIKERT_MAX:
            raise document.error([*b_path, "threshold"],
                                 f"benchmark threshold {benchmark['threshold']!r} is outside the "
                                 f"Likert scale; use {LIKERT_MIN}–{LIKERT_MAX}")
        if not 0 <= benchmark["figure"] <= 100:
            raise document.error([*b_path, "figure"],
                                 f"benchmark figure {benchmark['figure']!r} is not a percentage; "
                                 f"use 0–100")


def _check_tiers(document: YamlDocument) -> None:
    bands = document.data["tiers"]
    seen: list[str] = []
    for index, band in enumerate(bands):
        path: list[str | int] = ["tiers", index]
        if band["id"] in seen:
            raise document.error([*path, "id"], f"duplicate tier id {band['id']!r}; ids must be unique")
        seen.append(band["id"])
        _require_text(document, [*path, "name"], band["name"], "name")
        _require_text(document, [*path, "description"], band["description"], "description")
        if not band["lower"] < band["upper"]:
            raise document.error(path, f"lower {band['lower']!r} must be below upper "
                                       f"{band['upper']!r}; list tiers in ascending order")
        if index == 0 and band["lower"] != 0:
            raise document.error([*path, "lower"], f"the first tier must start at 0, not "
                                                   f"{band['lower']!r}, so every score has a tier")
        if index > 0 and band["lower"] != bands[index - 1]["upper"]:
            previous = bands[index - 1]
            raise document.error([*path, "lower"],
                                 f"starts at {band['lower']!r} but tier {previous['id']!r} ends at "
                                 f"{previous['upper']!r}; tiers must be contiguous and ascending "
                                 f"(each lower = the previous upper)")
    if bands[-1]["upper"] != 100:
        raise document.error(["tiers", len(bands) - 1, "upper"],
                             f"the last tier must end at 100, not {bands[-1]['upper']!r}, so tiers "
                             f"cover exactly 0–100")
    scoring = document.data["scoring"]
    if not 0 < scoring["min_coverage"] <= 1:
        raise document.error(["scoring", "min_coverage"],
                             f"min_coverage {scoring['min_coverage']!r} must be in (0, 1], a share "
                             f"of items (e.g. 0.5)")
    if not 0 < scoring["target"] <= 100:
        raise document.error(["scoring", "target"],
                             f"target {scoring['target']!r} must be in (0, 100], a score on the "
                             f"readiness index (e.g. 75)")


def _check_glossary(document: YamlDocument) -> None:
    owner: dict[str, tuple[int, str]] = {}
    for index, entry in enumerate(document.data["glossary"]):
        path: list[str | int] = ["glossary", index]
        _require_text(document, [*path, "definition"], entry["definition"], "definition")
        names = [("term", [*path, "term"], entry["term"])] + [
            ("alias", [*path, "aliases", position], alias)
            for position, alias in enumerate(entry.get("aliases", []))
        ]
        for kind, name_path, name in names:
            _require_text(document, name_path, name, kind)
            first_index, first_term = owner.setdefault(name.strip().lower(), (index, entry["term"]))
            if first_index != index:
                raise document.error(name_path, f"duplicate {kind} {name!r}: already used by term "
                                                f"{first_term!r}; terms and aliases must be unique "
                                                f"so a question finds one definition")


def _check_training(document: YamlDocument, challenge_ids: list[str], role_ids: list[str],
                    tiers: Tiers, target: float) -> None:
    steps = document.data["steps"]
    tier_ids = [band.id for band in tiers.bands]
    seen: list[str] = []
    for index, step in enumerate(steps):
        path: list[str | int] = ["steps", index]
        if step["id"] in seen:
            raise document.error([*path, "id"], f"duplicate step id {step['id']!r}; ids must be unique")
        seen.append(step["id"])
        for key in ("title", "format", "why"):
            _require_text(document, [*path, key], step[key], key)
        for position, challenge in enumerate(_as_list(step["challenge"])):
            if challenge not in challenge_ids:
                at = [*path, "challenge"] + ([position] if isinstance(step["challenge"], list) else [])
                raise _unknown(document, at, "challenge", challenge, challenge_ids, "bank.yml")
        for position, role in enumerate(step["roles"]):
            if role not in role_ids:
                raise _unknown(document, [*path, "roles", position], "role", role, role_ids,
                               "bank.yml")
        for position, tier in enumerate(step["tiers"]):
            if tier not in tier_ids:
                raise _unknown(document, [*path, "tiers", position], "tier", tier, tier_ids,
                               "tiers.yml")
        if not step["duration_minutes"] > 0:
            raise document.error([*path, "duration_minutes"],
                                 f"duration_minutes must be > 0, got {step['duration_minutes']!r}")
    # A gap is any challenge below target; recommend() needs a step for its tier and role.
    gap_tiers = [band.id for band in tiers.bands if band.lower < target]
    covered = {
        (challenge, role, tier)
        for step in steps
        for challenge in _as_list(step["challenge"])
        for role in step["roles"]
        for tier in step["tiers"]
    }
    for challenge in challenge_ids:
        for role in role_ids:
            for tier in gap_tiers:
                if (challenge, role, tier) not in covered:
                    raise BankError(
                        document.path, f"challenge {challenge!r}, role {role!r}",
                        f"no training step for tier {tier!r}, so a gap there gets no "
                        f"recommendation; add {role!r} and {tier!r} to a step for {challenge!r}",
                    )


def _as_list(value: str | list[str]) -> list[str]:
    return [value] if isinstance(value, str) else list(value)


# --------------------------------------------------------------------------------------------
# Building the domain values


def _build_bank(data: dict[str, Any]) -> tuple[str, tuple[Role, ...], tuple[Challenge, ...]]:
    roles = tuple(
        Role(id=role["id"], label=role["label"].strip(),
             aliases=tuple(alias.strip() for alias in role.get("aliases", [])))
        for role in data["roles"]
    )
    challenges = tuple(
        Challenge(
            id=challenge["id"],
            title=challenge["title"].strip(),
            description=challenge["description"].strip(),
            intro=challenge["intro"].strip(),
            weight=float(challenge.get("weight", 1.0)),
            items=tuple(_build_item(item, challenge["id"]) for item in challenge["items"]),
        )
        for challenge in data["challenges"]
    )
    return data["version"], roles, challenges


def _build_item(item: dict[str, Any], challenge_id: str) -> Item:
    benchmark = item.get("benchmark")
    return Item(
        id=item["id"],
        challenge=challenge_id,
        text=item["text"].strip(),
        roles=frozenset(item["roles"]),
        why=item["why"].strip(),
        criterion=item["criterion"],
        reverse=bool(item.get("reverse", False)),
        weight=float(item.get("weight", 1.0)),
        benchmark=None if benchmark is None else Benchmark(
            figure=float(benchmark["figure"]),
            label=benchmark["label"].strip(),
            source=benchmark["source"].strip(),
            rule=benchmark["rule"],
            threshold=int(benchmark["threshold"]),
        ),
    )


def _build_tiers(data: dict[str, Any]) -> tuple[Tiers, ScoringRules]:
    tiers = Tiers(tuple(
        Tier(id=band["id"], name=band["name"].strip(), lower=float(band["lower"]),
             upper=float(band["upper"]), description=band["description"].strip())
        for band in data["tiers"]
    ))
    scoring = data["scoring"]
    return tiers, ScoringRules(min_coverage=float(scoring["min_coverage"]),
                               target=float(scoring["target"]))


def _build_glossary(data: dict[str, Any]) -> tuple[GlossaryEntry, ...]:
    return tuple(
        GlossaryEntry(term=entry["term"].strip(), definition=entry["definition"].strip(),
                      aliases=tuple(alias.strip() for alias in entry.get("aliases", [])))
        for entry in data["glossary"]
    )


def _build_training(data: dict[str, Any]) -> tuple[TrainingStep, ...]:
    return tuple(
        TrainingStep(
            id=step["id"],
            title=step["title"].strip(),
            challenges=tuple(_as_list(step["challenge"])),
            roles=frozenset(step["roles"]),
            tiers=frozenset(step["tiers"]),
            format=step["format"].strip(),
            duration_minutes=int(step["duration_minutes"]),
            why=step["why"].strip(),
        )
        for step in data["steps"]
    )


# --------------------------------------------------------------------------------------------
# Public API


def default_content_dir() -> Path:
    """The default content directory: $READINESS_CONTENT_DIR if set, else the packaged one,
    so a deployment can point at its own edited copy without code changes."""
    configured = os.environ.get(CONTENT_DIR_ENV, "").strip()
    return Path(configured).expanduser() if configured else PACKAGED_CONTENT_DIR


def load_questionnaire(content_dir: Path | None = None, *,
                       bank_file: Path | None = None) -> Questionnaire:
    """Read and validate bank.yml, tiers.yml, glossary.yml and training.yml.

    `content_dir` defaults to `default_content_dir()`; `bank_file` replaces its bank.yml (used to check
    an edited bank before installing it). Raises BankError naming the file, place and problem.
    """
    directory = Path(content_dir) if content_dir is not None else default_content_dir()
    bank_doc = _read_yaml(Path(bank_file) if bank_file is not None else directory / BANK_FILE)
    _check_schema(bank_doc, BANK_SCHEMA)
    _check_bank(bank_doc)
    version, roles, challenges = _build_bank(bank_doc.data)

    tiers_doc = _read_yaml(directory / TIERS_FILE)
    _check_schema(tiers_doc, TIERS_SCHEMA)
    _check_tiers(tiers_doc)
    tiers, rules = _build_tiers(tiers_doc.data)

    glossary_doc = _read_yaml(directory / GLOSSARY_FILE)
    _check_schema(glossary_doc, GLOSSARY_SCHEMA)
    _check_glossary(glossary_doc)

    training_doc = _read_yaml(directory / TRAINING_FILE)
    _check_schema(training_doc, TRAINING_SCHEMA)
    _check_training(training_doc, [c.id for c in challenges], [r.id for r in roles], tiers,
                    rules.target)

    return Questionnaire(
        version=version,
        roles=roles,
        challenges=challenges,
        tiers=tiers,
        rules=rules,
        glossary=_build_glossary(glossary_doc.data),
        training=_build_training(training_doc.data),
    )


def current_questionnaire() -> Questionnaire:
    """The questionnaire of the live content set (readiness.live_content.current_content()):
    reloaded when a content file or $READINESS_CONTENT_DIR changes; an invalid edit keeps the
    last valid questionnaire in service (the problem is logged and shown by /health)."""
    from readiness.live_content import current_content

    return current_content().questionnaire
