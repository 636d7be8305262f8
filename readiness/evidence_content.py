"""Pilot evidence measures as content (evidence.yml): what is counted, the inputs, the
proportions reported from them, the seed figure and the challenge each informs.

Why content: a hospital may count other things in its pilot (or word them differently), and the
rules that check an entry (counts, "correct ≤ cases") must live with the measure they belong to.
Problems are one `ContentError` naming file:line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from readiness.content_yaml import ContentError, YamlDocument
from readiness.model import Questionnaire

EVIDENCE_FILE = "evidence.yml"
INPUT_KINDS = ("count", "minutes")
_ID = re.compile(r"^[a-z][a-z0-9_]*$")


@dataclass(frozen=True)
class EvidenceInput:
    name: str
    label: str
    kind: str  # count (whole number >= 0) or minutes (number > 0)
    required: bool = True
    at_most: tuple[str, ...] = ()


@dataclass(frozen=True)
class EvidenceProportion:
    """One reported proportion: numerator / denominator, with the seed figure if any."""

    quantity: str
    label: str
    numerator: str
    denominator: str
    seed_percent: float | None = None


@dataclass(frozen=True)
class EvidenceComparison:
    """Two proportions on the same cases; `first_only`/`second_only` are the optional
    discordant counts (first right and second wrong, and the reverse)."""

    first: str
    second: str
    first_only: str | None
    second_only: str | None
    first_name: str
    second_name: str


@dataclass(frozen=True)
class EvidenceRatio:
    """A ratio of two positive inputs (medians), shown as a percentage without an interval."""

    quantity: str
    label: str
    numerator: str
    denominator: str


@dataclass(frozen=True)
class EvidencePerception:
    """The bank statement whose staff share (answers >= at_least) is shown beside a measure."""

    item: str
    at_least: int
    label: str


@dataclass(frozen=True)
class EvidenceMeasure:
    id: str
    title: str
    counts: str
    challenge: str
    inputs: tuple[EvidenceInput, ...]
    proportions: tuple[EvidenceProportion, ...] = ()
    comparison: EvidenceComparison | None = None
    ratio: EvidenceRatio | None = None
    perception: EvidencePerception | None = None
    together: tuple[str, ...] = ()
    source: str | None = None
    also_informs: tuple[str, ...] = ()

    def input(self, name: str) -> EvidenceInput:
        for spec in self.inputs:
            if spec.name == name:
                return spec
        raise KeyError(name)

    @property
    def input_names(self) -> tuple[str, ...]:
        return tuple(spec.name for spec in self.inputs)


def _text(document: YamlDocument, path: list[Any], value: Any, what: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ContentError(document.path, what, "must be non-empty text", document.line(path))
    return " ".join(value.split())


def build_measures(document: YamlDocument, questionnaire: Questionnaire) -> tuple[EvidenceMeasure, ...]:
    """The measures of a parsed evidence.yml, checked against the bank (challenges, items)."""
    data = document.data
    if not isinstance(data, dict) or not isinstance(data.get("measures"), list) or not data["measures"]:
        raise ContentError(document.path, "top level", "expected `measures:` with a list of measures",
                           document.line([]))
    challenges = {c.id for c in questionnaire.challenges}
    measures: list[EvidenceMeasure] = []
    seen: set[str] = set()
    for n, raw in enumerate(data["measures"]):
        path: list[Any] = ["measures", n]
        if not isinstance(raw, dict):
            raise ContentError(document.path, f"measure #{n + 1}", "expected a mapping", document.line(path))
        mid = raw.get("id")
        where = f"measure {mid!r}" if isinstance(mid, str) else f"measure #{n + 1}"

        def fail(problem: str, *at: Any) -> ContentError:
            return ContentError(document.path, where, problem, document.line([*path, *at]))

        if not isinstance(mid, str) or not _ID.match(mid):
            raise fail("id must be snake_case", "id")
        if mid in seen:
            raise fail("duplicate id", "id")
        seen.add(mid)
        for challenge in [raw.get("challenge"), *(raw.get("also_informs") or [])]:
            if challenge not in challenges:
                raise fail(f"challenge {challenge!r} is not in bank.yml; use one of {', '.join(sorted(challenges))}",
                           "challenge")
        inputs = []
        raw_inputs = raw.get("inputs")
        if not isinstance(raw_inputs, list) or not raw_inputs:
            raise fail("needs `inputs:` (a list)", "inputs")
        for k, spec in enumerate(raw_inputs):
            if not isinstance(spec, dict) or not isinstance(spec.get("name"), str) or not _ID.match(spec["name"]):
                raise fail(f"input #{k + 1}: needs a snake_case `name`", "inputs", k)
            if spec.get("kind") not in INPUT_KINDS:
                raise fail(f"input {spec['name']!r}: kind must be one of {', '.join(INPUT_KINDS)}", "inputs", k)
            at_most = spec.get("at_most") or []
            if not isinstance(at_most, list):
                raise fail(f"input {spec['name']!r}: at_most must be a list of input names", "inputs", k)
            inputs.append(EvidenceInput(
                name=spec["name"], label=_text(document, [*path, "inputs", k], spec.get("label"), where),
                kind=spec["kind"], required=bool(spec.get("required", True)), at_most=tuple(at_most)))
        names = {spec.name for spec in inputs}
        if len(names) != len(inputs):
            raise fail("two inputs have the same name", "inputs")
        for spec in inputs:
            for other in spec.at_most:
                if other not in names:
                    raise fail(f"input {spec.name!r}: at_most names unknown input {other!r}", "inputs")
        together = tuple(raw.get("together") or ())
        for name in together:
            if name not in names:
                raise fail(f"together names unknown input {name!r}", "together")

        def known(value: Any, at: list[Any]) -> str:
            if value not in names:
                raise fail(f"{value!r} is not one of its inputs ({', '.join(sorted(names))})", *at)
            return str(value)

        proportions = []
        for k, spec in enumerate(raw.get("proportions") or []):
            seed = spec.get("seed_percent")
            if seed is not None and (not isinstance(seed, (int, float)) or not 0 <= seed <= 100):
                raise fail("seed_percent must be a number from 0 to 100", "proportions", k)
            proportions.append(EvidenceProportion(
                quantity=str(spec.get("quantity")), label=_text(document, [*path, "proportions", k], spec.get("label"), where),
                numerator=known(spec.get("numerator"), ["proportions", k]),
                denominator=known(spec.get("denominator"), ["proportions", k]),
                seed_percent=None if seed is None else float(seed)))
        quantities = {p.quantity for p in proportions}
        comparison = None
        if raw.get("comparison") is not None:
            c = raw["comparison"]
            if c.get("first") not in quantities or c.get("second") not in quantities:
                raise fail("comparison first/second must name two of its proportions", "comparison")
            comparison = EvidenceComparison(
                first=c["first"], second=c["second"],
                first_only=None if c.get("first_only") is None else known(c["first_only"], ["comparison"]),
                second_only=None if c.get("second_only") is None else known(c["second_only"], ["comparison"]),
                first_name=_text(document, [*path, "comparison"], c.get("first_name"), where),
                second_name=_text(document, [*path, "comparison"], c.get("second_name"), where))
        ratio = None
        if raw.get("ratio") is not None:
            r = raw["ratio"]
            ratio = EvidenceRatio(quantity=str(r.get("quantity")), label=_text(document, [*path, "ratio"], r.get("label"), where),
                                  numerator=known(r.get("numerator"), ["ratio"]),
                                  denominator=known(r.get("denominator"), ["ratio"]))
        if not proportions and ratio is None:
            raise fail("needs `proportions:` or a `ratio:`")
        perception = None
        if raw.get("perception") is not None:
            p = raw["perception"]
            item = p.get("item")
            if not isinstance(item, str) or not item:
                raise fail("perception needs the `item:` id of a bank.yml statement", "perception")
            if p.get("at_least") not in (1, 2, 3, 4, 5):
                raise fail("perception at_least must be 1–5", "perception")
            # A statement removed from the bank (a live edit) leaves the measure without a
            # perception beside it rather than refusing the whole content folder.
            if questionnaire.has_item(item):
                perception = EvidencePerception(item, int(p["at_least"]),
                                                _text(document, [*path, "perception"], p.get("label"), where))
        measures.append(EvidenceMeasure(
            id=mid, title=_text(document, [*path, "title"], raw.get("title"), where),
            counts=_text(document, [*path, "counts"], raw.get("counts"), where),
            challenge=raw["challenge"], inputs=tuple(inputs), proportions=tuple(proportions),
            comparison=comparison, ratio=ratio, perception=perception, together=together,
            source=raw.get("source"), also_informs=tuple(raw.get("also_informs") or ())))
    return tuple(measures)
