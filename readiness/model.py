"""Domain values of the questionnaire: frozen, so a loaded bank can be shared safely.

Everything here is built by `readiness.bank` from the YAML content; nothing here reads files.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, field
from typing import Literal, Mapping, Union

import numpy as np

#: Likert scale bounds (1 strongly disagree … 5 strongly agree).
LIKERT_MIN = 1
LIKERT_MAX = 5

#: The answer recorded for "don't know", "n/a" or "skip": asked, but not counted in any score.
NOT_APPLICABLE: Literal["n/a"] = "n/a"

#: What a respondent gave for one item: an int 1–5 or NOT_APPLICABLE.
AnswerValue = Union[int, Literal["n/a"]]


def is_valid_answer(value: object) -> bool:
    """True for 1–5 (ints, not bools) and NOT_APPLICABLE: the only values ever stored."""
    if value == NOT_APPLICABLE:
        return True
    return isinstance(value, int) and not isinstance(value, bool) and LIKERT_MIN <= value <= LIKERT_MAX


@dataclass(frozen=True)
class Role:
    """A respondent role; `aliases` are phrases ("ICU nurse", "CMIO") that mean this role."""

    id: str
    label: str
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class Benchmark:
    """A seed §4 figure an item can be compared with.

    `rule` turns an organisation's answers into a comparable percentage:
    ``at_least`` = share of respondents answering >= `threshold`,
    ``at_most`` = share answering <= `threshold`.
    """

    figure: float
    label: str
    source: str
    rule: str
    threshold: int

    def counts(self, value: int) -> bool:
        """Whether one Likert answer counts towards the comparable percentage."""
        if self.rule == "at_least":
            return value >= self.threshold
        return value <= self.threshold


@dataclass(frozen=True)
class Item:
    """One Likert statement; `reverse` items mean *less* ready when agreed with."""

    id: str
    challenge: str
    text: str
    roles: frozenset[str]
    why: str
    criterion: str
    reverse: bool = False
    weight: float = 1.0
    benchmark: Benchmark | None = None

    def asked_of(self, role: str) -> bool:
        return role in self.roles


@dataclass(frozen=True)
class Challenge:
    """One of the nine adoption challenges of the source study (seed §2.1)."""

    id: str
    title: str
    description: str
    intro: str
    weight: float
    items: tuple[Item, ...]

    def items_for(self, role: str) -> tuple[Item, ...]:
        return tuple(item for item in self.items if item.asked_of(role))


@dataclass(frozen=True)
class Tier:
    """A named band over 0–100: `lower` inclusive, `upper` exclusive (the top band includes 100)."""

    id: str
    name: str
    lower: float
    upper: float
    description: str


@dataclass(frozen=True)
class Tiers:
    """Ordered tier bands covering 0–100 without gaps or overlaps (checked on load)."""

    bands: tuple[Tier, ...]

    @property
    def edges(self) -> tuple[float, ...]:
        """The band rule, in one place: a score belongs to band i where i is the number of
        these edges (every band's lower bound but the first's) that are <= the score. Both
        `position` (one score) and `positions` (an array) apply exactly this."""
        return tuple(band.lower for band in self.bands[1:])

    def position(self, score: float) -> int:
        """Index in `bands` of the band holding `score` (scores above 100 sit in the top band)."""
        return bisect_right(self.edges, score)

    def positions(self, scores: object) -> np.ndarray:
        """`position` of every score of an array, vectorised; -1 where the score is NaN."""
        values = np.asarray(scores, dtype="float64")
        found = np.searchsorted(np.asarray(self.edges, dtype="float64"), values, side="right")
        return np.where(np.isnan(values), -1, found)

    def tier_for(self, score: float) -> Tier:
        return self.bands[self.position(score)]

    def next_above(self, tier: Tier) -> Tier | None:
        ids = [band.id for band in self.bands]
        position = ids.index(tier.id)
        return self.bands[position + 1] if position + 1 < len(self.bands) else None

    def get(self, tier_id: str) -> Tier:
        for band in self.bands:
            if band.id == tier_id:
                return band
        raise KeyError(tier_id)


@dataclass(frozen=True)
class ScoringRules:
    """How scores become an index: `min_coverage` is the share of a challenge's asked items
    that must be answered for it to count in the overall index; `target` is the score a
    challenge is measured against in gap analysis."""

    min_coverage: float
    target: float


@dataclass(frozen=True)
class GlossaryEntry:
    term: str
    definition: str
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class TrainingStep:
    """A catalogue entry: for whom (`roles`), for which challenges, and at which tiers it helps."""

    id: str
    title: str
    challenges: tuple[str, ...]
    roles: frozenset[str]
    tiers: frozenset[str]
    format: str
    duration_minutes: int
    why: str


@dataclass(frozen=True)
class Questionnaire:
    """The whole loaded content: bank, tiers, scoring rules, glossary and training catalogue."""

    version: str
    roles: tuple[Role, ...]
    challenges: tuple[Challenge, ...]
    tiers: Tiers
    rules: ScoringRules
    glossary: tuple[GlossaryEntry, ...] = ()
    training: tuple[TrainingStep, ...] = ()
    _items: Mapping[str, Item] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        index = {item.id: item for challenge in self.challenges for item in challenge.items}
        object.__setattr__(self, "_items", index)

    @property
    def role_ids(self) -> tuple[str, ...]:
        return tuple(role.id for role in self.roles)

    def item(self, item_id: str) -> Item:
        """The item with this id; KeyError names it when unknown."""
        try:
            return self._items[item_id]
        except KeyError:
            raise KeyError(f"unknown item id {item_id!r}") from None

    def has_item(self, item_id: str) -> bool:
        return item_id in self._items

    def challenge(self, challenge_id: str) -> Challenge:
        for challenge in self.challenges:
            if challenge.id == challenge_id:
                return challenge
        raise KeyError(f"unknown challenge id {challenge_id!r}")

    def items_for(self, role: str) -> tuple[Item, ...]:
        """Every item asked of `role`, in the order the bot asks them."""
        return tuple(item for challenge in self.challenges for item in challenge.items_for(role))

    def with_weights(self, overrides: Mapping[str, float]) -> "Questionnaire":
        """A copy with challenge weight overrides applied, strictly (`readiness.weights.weighted_for`)."""
        from readiness.weights import weighted_for

        return weighted_for(self, overrides, strict=True)
