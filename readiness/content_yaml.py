"""Reading content YAML with line numbers, and the one error type for content problems.

Every content file (bank, tiers, glossary, training, answer phrases, chat wording, cohort
profiles) is read here with yaml.SafeLoader, keeping the node tree so that any problem found
later (by a JSON Schema or by code) can name the file and the line an editor must fix.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Sequence, Union

import yaml
from jsonschema import Draft7Validator
from jsonschema.exceptions import ValidationError


class ContentError(ValueError):
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




#: The one error type for content problems (BankError is its older name).
BankError = ContentError


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
class YamlDocument:
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

    def error(self, path: YamlPath, problem: str, *, key: bool = False) -> ContentError:
        where, _ = self.locate(path)
        return ContentError(self.path, where, problem, self.line(path, key=key))


#: Environment variable naming another content directory (e.g. a hospital's edited copy).
CONTENT_DIR_ENV = "READINESS_CONTENT_DIR"
#: Every file of a content directory, loaded and validated together (readiness.content_set).
CONTENT_FILE_NAMES = ("bank.yml", "tiers.yml", "glossary.yml", "training.yml",
                      "answer_phrases.yml", "chat.yml", "cohort_profiles.yml", "evidence.yml",
                      "patient.yml")
#: Files a content directory may hold; without them the bot works as before (answer_examples.yml:
#: labelled content replies for the learned proposals, readiness.answers.learned).
OPTIONAL_CONTENT_FILE_NAMES = ("answer_examples.yml",)
MISSING_HINT = (f"the content directory must hold {', '.join(CONTENT_FILE_NAMES)}; "
                f"check {CONTENT_DIR_ENV} or the path you passed")


#: libyaml's loader when PyYAML has it (about ten times faster on the 4,000-line
#: answer_examples.yml); the pure-Python SafeLoader words any problem the same way as ever.
_FAST_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _parse(text: str, loader_class: type) -> tuple[Any, Any, Any]:
    """(root node, data, first duplicate key or None), with `loader_class`."""
    loader = loader_class(text)
    try:
        root = loader.get_single_node()
        # Before construction: it flattens merge keys (<<: *anchor) into the mapping, which
        # would look like duplicates of the keys that override them.
        duplicate = _duplicate_key(root, [], set())
        data = loader.construct_document(root) if root is not None else None
    finally:
        loader.dispose()
    return root, data, duplicate


def read_yaml(path: Path, missing_hint: str | None = None) -> YamlDocument:
    """Parse one file safely (yaml.SafeLoader), reporting unreadable or malformed YAML by line."""
    if not path.is_file():
        raise ContentError(path, "file", f"not found ({missing_hint or MISSING_HINT})")
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ContentError(path, "file", f"cannot be read: {exc}") from exc
    try:
        root, data, duplicate = _parse(text, _FAST_LOADER)
    except yaml.YAMLError:
        root = None  # libyaml's wording differs: the pure-Python parser words the problem
    if root is None:
        try:
            root, data, duplicate = _parse(text, yaml.SafeLoader)
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            line = mark.line + 1 if mark is not None else None
            column = f" (column {mark.column + 1})" if mark is not None else ""
            problem = f"malformed YAML: {exc.problem or exc.context}{column}"
            if exc.context and exc.problem:
                problem += f", {exc.context}"
            problem += "; check indentation, and quote text that contains ': ' or starts with a quote"
            raise ContentError(path, "YAML syntax", problem, line) from exc
        except yaml.YAMLError as exc:
            raise ContentError(path, "YAML syntax", f"malformed YAML: {exc}") from exc
    document = YamlDocument(path, data, root)
    if duplicate is not None:
        at, key, line = duplicate
        where, _ = document.locate(at)
        raise ContentError(path, where, f"key {key!r} appears twice; keep one", line)
    return document


def _duplicate_key(node: yaml.Node | None, path: list[str | int],
                   seen_nodes: set[int]) -> tuple[list[str | int], str, int] | None:
    """The first key written twice in one mapping (YAML silently keeps the last; an editor
    almost never means that): its mapping's path, the key and its line."""
    if node is None or id(node) in seen_nodes:  # an alias already checked where it is anchored
        return None
    seen_nodes.add(id(node))
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key_node, value_node in node.value:
            key = getattr(key_node, "value", None)
            if isinstance(key, str):
                if key in seen and key_node.tag != "tag:yaml.org,2002:merge":
                    return path, key, key_node.start_mark.line + 1
                seen.add(key)
                found = _duplicate_key(value_node, [*path, key], seen_nodes)
                if found is not None:
                    return found
    elif isinstance(node, yaml.SequenceNode):
        for index, child in enumerate(node.value):
            found = _duplicate_key(child, [*path, index], seen_nodes)
            if found is not None:
                return found
    return None


# --------------------------------------------------------------------------------------------
# Structure


_TYPE_NAMES = {
    "string": "text", "number": "a number", "integer": "a whole number", "boolean": "true or false",
    "array": "a list", "object": "a mapping of keys", "null": "empty",
}


def check_schema(document: YamlDocument, schema: dict[str, Any]) -> None:
    """Raise the first structural problem, in file order, as a ContentError."""
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
    raise ContentError(document.path, where, problem, line)


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


