"""Loading and validation of the questionnaire content (YAML) into frozen domain values.

Questions, weights, tiers, the glossary and the training catalogue are data so that content
editors can change them without touching code. This module is the one gate all content passes
through: structure is checked with a JSON Schema (Draft 7), meaning with code, and every
problem becomes a `BankError` naming the file, the line where known, the item (or other
place) and what to do about it.
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Sequence, Union

import yaml
from jsonschema import Draft7Validator
from jsonschema.exceptions import ValidationError

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
#: Environment variable naming another content directory (e.g. a hospital's edited copy).
CONTENT_DIR_ENV = "READINESS_CONTENT_DIR"

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


class BankError(ValueError):
    """A content problem: `file` and `where` (e.g. "item 'privacy_confidence'") say where,
    `problem` says what is wrong and, where useful, how to fix it; `line` is the YAML line
    (1-based) when known."""

    def __init__(self, file: str | os.PathLike[str], where: str, problem: str,
                 line: int | None = None) -> None:
        self.file = str(file)
        self.where = where
        self.problem = problem
        self.line = line
        super().__init__(self.__str__())

    def __str__(self) -> str:
        location = f"{self.file}:{self.line}" if self.line else self.file
        return f"{location}: {self.where}: {self.problem}"

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.file, self.where, self.problem, self.line))


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

#: How a list entry is named in messages: list key -> (kind, key holding its name).
_ENTITIES = {
    "roles": ("role", "id"),
    "challenges": ("challenge", "id"),
    "items": ("item", "id"),
    "tiers": ("tier", "id"),
    "glossary": ("term", "term"),
    "steps": ("step", "id"),
}

#: A position in a YAML document: mapping keys and list indexes from the top.
YamlPath = Sequence[Union[str, int]]


# --------------------------------------------------------------------------------------------
# Reading YAML with line numbers


@dataclass(frozen=True)
class _Document:
    """One parsed content file: its data plus the YAML node tree, kept for line numbers."""

    path: Path
    data: Any
    root: yaml.Node | None

    def node(self, path: YamlPath, *, key: bool = False) -> yaml.Node | None:
        """The node at `path` (the key node of its last step when `key`); None if absent."""
        node = self.root
        for position, step in enumerate(path):
            last = position == len(path) - 1
            if isinstance(node, yaml.MappingNode):
                for key_node, value_node in node.value:
                    if getattr(key_node, "value", None) == str(step):
                        node = key_node if (key and last) else value_node
                        break
                else:
                    return node
            elif isinstance(node, yaml.SequenceNode) and isinstance(step, int):
                if step >= len(node.value):
                    return node
                node = node.value[step]
            else:
                return node
        return node

    def line(self, path: YamlPath, *, key: bool = False) -> int | None:
        node = self.node(path, key=key)
        return node.start_mark.line + 1 if node is not None else None

    def locate(self, path: YamlPath) -> tuple[str, list[str | int]]:
        """Name the innermost item/challenge/role/… on `path`; the rest of the path is a field."""
        where = "top level"
        rest: list[str | int] = []
        value = self.data
        for depth, step in enumerate(path):
            list_key = path[depth - 1] if depth else None
            entity = _ENTITIES.get(str(list_key)) if (
                depth == 1 or (depth == 3 and list_key == "items" and path[0] == "challenges")
            ) else None
            if isinstance(value, list) and isinstance(step, int) and step < len(value):
                value = value[step]
            elif isinstance(value, dict) and step in value:
                value = value[step]
            else:
                value = None
            if entity is not None and isinstance(step, int):
                name = value.get(entity[1]) if isinstance(value, dict) else None
                if isinstance(name, str) and name.strip():
                    where = f"{entity[0]} {name!r}"
                elif where == "top level":
                    where = f"{entity[0]} #{step + 1}"
                else:
                    where = f"{entity[0]} #{step + 1} of {where}"
                rest = []
            elif depth == 0 and step == "scoring":
                where = "scoring"
            else:
                rest.append(step)
        return where, rest

    def error(self, path: YamlPath, problem: str, *, key: bool = False) -> BankError:
        where, _ = self.locate(path)
        return BankError(self.path, where, problem, self.line(path, key=key))


def _read_yaml(path: Path) -> _Document:
    """Parse one file safely (yaml.SafeLoader), reporting unreadable or malformed YAML by line."""
    if not path.is_file():
        hint = (f"the content directory must hold {', '.join(CONTENT_FILES)}; "
                f"check {CONTENT_DIR_ENV} or the path you passed")
        raise BankError(path, "file", f"not found ({hint})")
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise BankError(path, "file", f"cannot be read: {exc}") from exc
    loader = yaml.SafeLoader(text)
    try:
        root = loader.get_single_node()
        data = loader.construct_document(root) if root is not None else None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        column = f" (column {mark.column + 1})" if mark is not None else ""
        problem = f"malformed YAML: {exc.problem or exc.context}{column}"
        if exc.context and exc.problem:
            problem += f", {exc.context}"
        problem += "; check indentation, and quote text that contains ': ' or starts with a quote"
        raise BankError(path, "YAML syntax", problem, line) from exc
    except yaml.YAMLError as exc:
        raise BankError(path, "YAML syntax", f"malformed YAML: {exc}") from exc
    finally:
        loader.dispose()
    document = _Document(path, data, root)
    _check_duplicate_keys(document, root, [])
    return document


def _check_duplicate_keys(document: _Document, node: yaml.Node | None, path: list[str | int]) -> None:
    """YAML silently keeps the last of two equal keys; an editor almost never means that."""
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key_node, value_node in node.value:
            key = getattr(key_node, "value", None)
            if isinstance(key, str):
                if key in seen:
                    where, _ = document.locate(path)
                    raise BankError(document.path, where,
                                    f"key {key!r} appears twice; keep one",
                                    key_node.start_mark.line + 1)
                seen.add(key)
                _check_duplicate_keys(document, value_node, [*path, key])
    elif isinstance(node, yaml.SequenceNode):
        for index, child in enumerate(node.value):
            _check_duplicate_keys(document, child, [*path, index])


# --------------------------------------------------------------------------------------------
# Structure


_TYPE_NAMES = {
    "string": "text", "number": "a number", "integer": "a whole number", "boolean": "true or false",
    "array": "a list", "object": "a mapping of keys", "null": "empty",
}


def _check_schema(document: _Document, schema: dict[str, Any]) -> None:
    """Raise the first structural problem, in file order, as a BankError."""
    errors = list(Draft7Validator(schema).iter_errors(document.data))
    if not errors:
        return

    def order(error: ValidationError) -> tuple[int, int]:
        return (document.line(list(error.absolute_path)) or 0, -len(error.absolute_path))

    error = min(errors, key=order)
    path = list(error.absolute_path)
    where, rest = document.locate(path)
    field = "".join(f"[{step}]" if isinstance(step, int) else f".{step}" for step in rest).lstrip(".")
    problem, key_path = _schema_problem(error, field)
    line = document.line(key_path if key_path is not None else path,
                         key=key_path is not None)
    raise BankError(document.path, where, problem, line)


def _schema_problem(error: ValidationError, field: str) -> tuple[str, list[str | int] | None]:
    """A readable message for one schema error, and the path of the offending key if any."""
    path = list(error.absolute_path)
    subject = f"{field!r}" if field else "this entry"
    instance = error.instance
    if error.validator == "additionalProperties" and isinstance(instance, dict):
        allowed = list(error.schema.get("properties", {}))
        unknown = [key for key in instance if key not in allowed]
        keys = ", ".join(repr(key) for key in unknown)
        return (f"unknown key {keys} (a typo?); allowed keys: {', '.join(allowed)}",
                [*path, str(unknown[0])] if unknown else None)
    if error.validator == "required" and isinstance(instance, dict):
        missing = [key for key in error.validator_value if key not in instance]
        inside = f" in {field!r}" if field else ""
        unknown = [key for key in instance if key not in error.schema.get("properties", {})]
        typo = f" (is {', '.join(repr(key) for key in unknown)} a typo?)" if unknown else ""
        return f"missing required key {', '.join(repr(key) for key in missing)}{inside}{typo}", None
    if error.validator == "type":
        expected = error.validator_value
        names = [_TYPE_NAMES.get(name, name) for name in
                 (expected if isinstance(expected, list) else [expected])]
        if not field and not path:
            return f"the file must be {' or '.join(names)} at the top, got {instance!r}", None
        hint = ""
        if "text" in names and isinstance(instance, (int, float)):
            hint = " (put it in quotes)"
        return f"{subject} must be {' or '.join(names)}, got {instance!r}{hint}", None
    if error.validator == "enum":
        options = ", ".join(repr(option) for option in error.validator_value)
        return f"{subject} is {instance!r}, which is not one of: {options}", None
    if error.validator == "pattern":
        return (f"{subject} is {instance!r}; ids must be snake_case (lowercase letters, digits "
                f"and underscores, starting with a letter)", None)
    if error.validator == "minItems":
        return f"{subject} must list at least {error.validator_value} entry", None
    if error.validator == "uniqueItems":
        return f"{subject} lists the same value twice; remove the repeat", None
    return f"{subject}: {error.message}", None


# --------------------------------------------------------------------------------------------
# Meaning


def _require_text(document: _Document, path: list[str | int], value: Any, what: str) -> None:
    if isinstance(value, str) and not value.strip():
        raise document.error(path, f"{what} is empty; write the {what}")


def _require_positive(document: _Document, path: list[str | int], value: Any, what: str) -> None:
    if value is not None and not value > 0:
        raise document.error(path, f"{what} must be > 0, got {value!r}; use a positive number "
                                   f"(1 is the default)")


def _unknown(document: _Document, path: list[str | int], kind: str, value: str,
             known: Iterable[str], source: str) -> BankError:
    return document.error(path, f"unknown {kind} {value!r}; known {kind}s "
                                f"(from {source}): {', '.join(known)}")


def _check_bank(document: _Document) -> None:
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


def _check_item(document: _Document, path: list[str | int], item: dict[str, Any], challenge_id: str,
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


def _check_tiers(document: _Document) -> None:
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


def _check_glossary(document: _Document) -> None:
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


def _check_training(document: _Document, challenge_ids: list[str], role_ids: list[str],
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


_cache_lock = threading.Lock()
_cache: tuple[tuple[Any, ...], Questionnaire] | None = None


def _signature(directory: Path) -> tuple[Any, ...]:
    """What identifies the content on disk: the directory plus each file's stat fingerprint."""
    parts: list[Any] = [str(directory)]
    for name in CONTENT_FILES:
        try:
            stat = os.stat(directory / name)
        except OSError:
            parts.append(None)
        else:
            parts.append((stat.st_mtime_ns, stat.st_size, stat.st_ino))
    return tuple(parts)


def current_questionnaire() -> Questionnaire:
    """The default questionnaire, cached; reloaded when a content file or $READINESS_CONTENT_DIR
    changes, so an edited bank takes effect in a running action server without a restart.

    Costs four os.stat calls when nothing changed. A broken edit raises BankError (the last
    good content is not served silently); run `readiness questionnaire check` before saving.
    """
    global _cache
    directory = default_content_dir()
    signature = _signature(directory)
    cached = _cache
    if cached is not None and cached[0] == signature:
        return cached[1]
    with _cache_lock:
        if _cache is not None and _cache[0] == signature:
            return _cache[1]
        questionnaire = load_questionnaire(directory)
        _cache = (signature, questionnaire)
        return questionnaire
