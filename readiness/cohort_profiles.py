"""Synthetic-cohort profiles (cohort_profiles.yml): checked and built into frozen values.

Kept apart from readiness.simulate (numpy, scipy) so the content gate stays light: the action
server loads these with the rest of the content but only `readiness simulate` uses them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

from readiness.model import LIKERT_MAX, LIKERT_MIN, Item

PROFILES_FILE_NAME = "cohort_profiles.yml"

Distribution = tuple[float, float, float, float, float]


@dataclass(frozen=True)
class EvidenceOutcome:
    """One outcome of a simulated pilot unit (a case, a session) with its probability and the
    evidence inputs it adds one to (e.g. "AI right, clinician wrong" → ai_correct, ai_only_correct)."""

    probability: float
    counts: tuple[str, ...]


@dataclass(frozen=True)
class EvidenceSimulation:
    """A simulated pilot measure: `per_respondent` units of input `over` per synthetic
    respondent (the pilot grows with the cohort), each unit falling into one outcome."""

    measure: str
    over: str
    per_respondent: float
    outcomes: tuple[EvidenceOutcome, ...]


@dataclass(frozen=True)
class CohortProfile:
    """One synthetic-cohort profile (see the comments in cohort_profiles.yml)."""

    name: str
    description: str
    roles: tuple[tuple[str, float], ...]
    departments: Mapping[str, tuple[tuple[str, float], ...]]
    department_missing: float
    not_applicable: float
    correlation: float
    general: float
    default: Distribution
    challenges: Mapping[str, Distribution]
    items: Mapping[str, Distribution]
    role_shifts: Mapping[str, Mapping[str, float]]
    evidence: tuple[EvidenceSimulation, ...] = ()

    def distribution(self, item: Item) -> Distribution:
        """The item's own distribution, else its challenge's or the default (mirrored for
        reverse items, so agreeing with them stays the less-ready answer)."""
        if item.id in self.items:
            return self.items[item.id]
        base = self.challenges.get(item.challenge, self.default)
        return tuple(reversed(base)) if item.reverse else base  # type: ignore[return-value]


class ProfileError(ValueError):
    """cohort_profiles.yml is unusable: `problem` says why, `path` is where in the YAML (keys
    from the top) so the content gate can give the line."""

    def __init__(self, problem: str, path: tuple[object, ...] = ()) -> None:
        self.problem = problem
        self.path = path
        super().__init__(f"{PROFILES_FILE_NAME}: {problem}")


#: The keys a profile may have (see the comments in cohort_profiles.yml).
PROFILE_KEYS = ("description", "roles", "departments", "department_missing", "not_applicable",
                "correlation", "general", "default", "challenges", "items", "role_shifts", "evidence")


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _distribution(where: str, value: Any, path: tuple[object, ...] = ()) -> Distribution:
    if (not isinstance(value, list) or len(value) != LIKERT_MAX - LIKERT_MIN + 1
            or not all(_number(p) and p >= 0 for p in value)
            or abs(sum(value) - 1.0) > 1e-6):
        raise ProfileError(f"{where}: expected five shares of answers 1–5 summing to 1, got {value!r}",
                           path)
    return tuple(float(p) for p in value)  # type: ignore[return-value]


def _shares(where: str, value: Any, path: tuple[object, ...] = ()) -> tuple[tuple[str, float], ...]:
    if (not isinstance(value, dict) or not value
            or not all(_number(v) and v >= 0 for v in value.values()) or sum(value.values()) <= 0):
        raise ProfileError(f"{where}: expected a mapping of name → share (numbers ≥ 0, not all 0), "
                           f"got {value!r}", path)
    total = sum(value.values())
    return tuple((str(k), float(v) / total) for k, v in value.items())


def _fraction(where: str, value: Any, default: float, path: tuple[object, ...]) -> float:
    if value is None:
        return default
    if not _number(value) or not 0 <= value <= 1:
        raise ProfileError(f"{where}: expected a share between 0 and 1, got {value!r}", path)
    return float(value)


def _mapping(where: str, value: Any, path: tuple[object, ...]) -> dict[Any, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ProfileError(f"{where}: expected a mapping, got {value!r}", path)
    return value


def _evidence(where: str, value: Any, path: tuple[object, ...]) -> tuple[EvidenceSimulation, ...]:
    """The profile's simulated pilot (measure ids and input names are checked against
    evidence.yml when the profile is used, as the bank ids are)."""
    simulations = []
    for measure, spec in _mapping(where, value, path).items():
        at, here = (*path, measure), f"{where}.{measure}"
        spec = _mapping(here, spec, at)
        unknown = [key for key in spec if key not in ("over", "per_respondent", "outcomes")]
        if unknown:
            raise ProfileError(f"{here}: unknown key {unknown[0]!r}; allowed keys: over, per_respondent, outcomes",
                               (*at, unknown[0]))
        if not isinstance(spec.get("over"), str) or not spec["over"]:
            raise ProfileError(f"{here}: 'over' must name the input counted in units (e.g. cases)", at)
        per = spec.get("per_respondent")
        if not _number(per) or per <= 0:
            raise ProfileError(f"{here}: per_respondent must be a number above 0, got {per!r}", (*at, "per_respondent"))
        outcomes = spec.get("outcomes")
        if (not isinstance(outcomes, list) or not outcomes
                or not all(isinstance(o, dict) and _number(o.get("p")) and o["p"] >= 0
                           and isinstance(o.get("counts", []), list) for o in outcomes)
                or abs(sum(o["p"] for o in outcomes) - 1.0) > 1e-6):
            raise ProfileError(f"{here}: outcomes must be a list of {{p: share, counts: [inputs]}} with shares "
                               "summing to 1", (*at, "outcomes"))
        simulations.append(EvidenceSimulation(
            str(measure), spec["over"], float(per),
            tuple(EvidenceOutcome(float(o["p"]), tuple(str(c) for c in o.get("counts", []))) for o in outcomes)))
    return tuple(simulations)


def build_profiles(data: Any) -> dict[str, CohortProfile]:
    """Check and build every profile of a parsed cohort_profiles.yml, by name; ProfileError
    names a malformed entry and its place. Role, challenge and item ids are checked against
    the bank when a profile is used (check_profile), so removing a statement from the bank
    does not make the content folder invalid."""
    if not isinstance(data, dict) or not isinstance(data.get("profiles"), dict) or not data["profiles"]:
        raise ProfileError("expected a mapping with 'profiles': name → profile",
                           ("profiles",) if isinstance(data, dict) and "profiles" in data else ())
    profiles = {}
    for name, spec in data["profiles"].items():
        at: tuple[object, ...] = ("profiles", name)
        where = f"profile {name!r}"
        if not isinstance(spec, dict):
            raise ProfileError(f"{where}: expected a mapping of settings", at)
        unknown = [key for key in spec if key not in PROFILE_KEYS]
        if unknown:
            raise ProfileError(f"{where}: unknown key {unknown[0]!r} (a typo?); allowed keys: "
                               f"{', '.join(PROFILE_KEYS)}", (*at, unknown[0]))
        for key in ("roles", "default"):
            if key not in spec:
                raise ProfileError(f"{where}: missing required key {key!r}", at)
        departments = {
            role: _shares(f"{where} departments.{role}", shares, (*at, "departments", role))
            for role, shares in (_mapping(f"{where} departments", spec.get("departments"),
                                          (*at, "departments")) or {"default": {"General": 1}}).items()
        }
        role_shifts = {}
        for role, shifts in _mapping(f"{where} role_shifts", spec.get("role_shifts"),
                                     (*at, "role_shifts")).items():
            shifts = _mapping(f"{where} role_shifts.{role}", shifts, (*at, "role_shifts", role))
            for challenge, shift in shifts.items():
                if not _number(shift):
                    raise ProfileError(f"{where} role_shifts.{role}.{challenge}: expected a number "
                                       f"of standard deviations, got {shift!r}",
                                       (*at, "role_shifts", role, challenge))
            role_shifts[str(role)] = {str(c): float(s) for c, s in shifts.items()}
        profiles[str(name)] = CohortProfile(
            name=str(name),
            description=str(spec.get("description", "")),
            roles=_shares(f"{where} roles", spec.get("roles"), (*at, "roles")),
            departments=departments,
            department_missing=_fraction(f"{where} department_missing", spec.get("department_missing"),
                                         0.0, (*at, "department_missing")),
            not_applicable=_fraction(f"{where} not_applicable", spec.get("not_applicable"), 0.0,
                                     (*at, "not_applicable")),
            correlation=_fraction(f"{where} correlation", spec.get("correlation"), 0.5,
                                  (*at, "correlation")),
            general=_fraction(f"{where} general", spec.get("general"), 0.3, (*at, "general")),
            default=_distribution(f"{where} default", spec.get("default"), (*at, "default")),
            challenges={str(k): _distribution(f"{where} challenges.{k}", v, (*at, "challenges", k))
                        for k, v in _mapping(f"{where} challenges", spec.get("challenges"),
                                             (*at, "challenges")).items()},
            items={str(k): _distribution(f"{where} items.{k}", v, (*at, "items", k))
                   for k, v in _mapping(f"{where} items", spec.get("items"), (*at, "items")).items()},
            role_shifts=role_shifts,
            evidence=_evidence(f"{where} evidence", spec.get("evidence"), (*at, "evidence")),
        )
    return profiles
