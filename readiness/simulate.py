"""Synthetic cohorts: realistic respondents for demos, tests and load, from YAML profiles.

Answers come from a latent readiness per respondent × challenge (sharing a general factor per
respondent), cut into Likert answers with per-item thresholds so each item's marginal answer
distribution is exactly its profile's (a Gaussian copula). That is what lets the `seed-study`
profile reproduce the study's §4 percentages while answers within a challenge stay correlated.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Mapping

import numpy as np
import pandas as pd
import yaml
from scipy.stats import norm

from readiness.cohort import CATEGORICAL_COLUMNS, FRAME_COLUMNS
from readiness.model import LIKERT_MAX, LIKERT_MIN, NOT_APPLICABLE, Item, Questionnaire

if TYPE_CHECKING:
    from readiness.storage import Store

PROFILES_FILE = Path(__file__).resolve().parent / "content" / "cohort_profiles.yml"
#: Respondents written per progress report.
BATCH_SIZE = 50

Distribution = tuple[float, float, float, float, float]


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

    def distribution(self, item: Item) -> Distribution:
        """The item's own distribution, else its challenge's or the default (mirrored for
        reverse items, so agreeing with them stays the less-ready answer)."""
        if item.id in self.items:
            return self.items[item.id]
        base = self.challenges.get(item.challenge, self.default)
        return tuple(reversed(base)) if item.reverse else base  # type: ignore[return-value]


def _distribution(where: str, value: Any) -> Distribution:
    if (not isinstance(value, list) or len(value) != LIKERT_MAX - LIKERT_MIN + 1
            or not all(isinstance(p, (int, float)) and p >= 0 for p in value)
            or abs(sum(value) - 1.0) > 1e-6):
        raise ValueError(f"{where}: expected five shares of answers 1–5 summing to 1, got {value!r}")
    return tuple(float(p) for p in value)  # type: ignore[return-value]


def _shares(where: str, value: Any) -> tuple[tuple[str, float], ...]:
    if not isinstance(value, dict) or not value:
        raise ValueError(f"{where}: expected a mapping of name → share")
    total = sum(value.values())
    return tuple((str(k), float(v) / total) for k, v in value.items())


def load_profiles(path: Path = PROFILES_FILE) -> dict[str, CohortProfile]:
    """Every profile in the YAML file, by name; ValueError names a malformed entry."""
    data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    profiles = {}
    for name, spec in (data.get("profiles") or {}).items():
        where = f"{path}: profile {name!r}"
        departments = {role: _shares(f"{where} departments.{role}", shares)
                       for role, shares in (spec.get("departments") or {"default": {"General": 1}}).items()}
        profiles[name] = CohortProfile(
            name=name,
            description=str(spec.get("description", "")),
            roles=_shares(f"{where} roles", spec.get("roles")),
            departments=departments,
            department_missing=float(spec.get("department_missing", 0.0)),
            not_applicable=float(spec.get("not_applicable", 0.0)),
            correlation=float(spec.get("correlation", 0.5)),
            general=float(spec.get("general", 0.3)),
            default=_distribution(f"{where} default", spec.get("default")),
            challenges={k: _distribution(f"{where} challenges.{k}", v)
                        for k, v in (spec.get("challenges") or {}).items()},
            items={k: _distribution(f"{where} items.{k}", v) for k, v in (spec.get("items") or {}).items()},
            role_shifts={role: {c: float(s) for c, s in shifts.items()}
                         for role, shifts in (spec.get("role_shifts") or {}).items()},
        )
    return profiles


def get_profile(name: str, path: Path = PROFILES_FILE) -> CohortProfile:
    """The named profile; ValueError listing the known names otherwise."""
    profiles = load_profiles(path)
    if name not in profiles:
        raise ValueError(f"unknown cohort profile {name!r}; known profiles: {', '.join(profiles)}")
    return profiles[name]


def check_profile(questionnaire: Questionnaire, profile: CohortProfile) -> None:
    """ValueError naming any role, challenge or item of the profile unknown to the bank."""
    challenges = {c.id for c in questionnaire.challenges}
    for role, _ in profile.roles:
        if role not in questionnaire.role_ids:
            raise ValueError(f"profile {profile.name!r}: unknown role {role!r}")
    for role, shifts in profile.role_shifts.items():
        for challenge in shifts:
            if challenge not in challenges:
                raise ValueError(f"profile {profile.name!r}: unknown challenge {challenge!r} in role_shifts.{role}")
    for challenge in profile.challenges:
        if challenge not in challenges:
            raise ValueError(f"profile {profile.name!r}: unknown challenge {challenge!r}")
    for item_id in profile.items:
        if not questionnaire.has_item(item_id):
            raise ValueError(f"profile {profile.name!r}: unknown item {item_id!r}")


def synthetic_answers(questionnaire: Questionnaire, profile: CohortProfile, respondents: int,
                      seed: int = 0, round: int = 1) -> pd.DataFrame:
    """A synthetic cohort in the long answers-frame format (`Store.answers_frame`), all
    completed; respondents are numbered s-000001 ….
    """
    check_profile(questionnaire, profile)
    rng = np.random.default_rng(seed)
    role_ids = [r for r, _ in profile.roles]
    roles = rng.choice(role_ids, size=respondents, p=[p for _, p in profile.roles])
    departments = np.empty(respondents, dtype=object)
    for role in role_ids:
        mask = roles == role
        shares = profile.departments.get(role, profile.departments.get("default"))
        if shares is None or not mask.any():
            continue
        departments[mask] = rng.choice([d for d, _ in shares], size=int(mask.sum()), p=[p for _, p in shares])
    departments[rng.random(respondents) < profile.department_missing] = None

    n_challenges = len(questionnaire.challenges)
    general = rng.standard_normal(respondents)[:, None]
    factors = (np.sqrt(profile.general) * general
               + np.sqrt(1 - profile.general) * rng.standard_normal((respondents, n_challenges)))
    for role, shifts in profile.role_shifts.items():
        mask = roles == role
        for position, challenge in enumerate(questionnaire.challenges):
            factors[mask, position] += shifts.get(challenge.id, 0.0)
    position_of = {c.id: n for n, c in enumerate(questionnaire.challenges)}

    names = np.array([f"s-{n:06d}" for n in range(1, respondents + 1)], dtype=object)
    parts = []
    for challenge in questionnaire.challenges:
        for item in challenge.items:
            asked = np.isin(roles, list(item.roles))
            if not asked.any():
                continue
            who = np.flatnonzero(asked)
            latent = (np.sqrt(profile.correlation) * factors[who, position_of[item.challenge]]
                      + np.sqrt(1 - profile.correlation) * rng.standard_normal(len(who)))
            if item.reverse:
                latent = -latent
            cuts = norm.ppf(np.cumsum(profile.distribution(item))[:-1])
            values = (LIKERT_MIN + np.searchsorted(cuts, latent)).astype("float64")
            values[rng.random(len(who)) < profile.not_applicable] = np.nan
            parts.append(pd.DataFrame({"row": who, "item_id": item.id, "value": values}))
    long = pd.concat(parts, ignore_index=True).sort_values(["row"], kind="stable")
    rows = long["row"].to_numpy()
    frame = pd.DataFrame({
        "respondent": names[rows],
        "role": roles[rows].astype(object),
        "department": departments[rows],
        "round": np.full(len(rows), round, dtype="int64"),
        "item_id": long["item_id"].to_numpy(dtype=object),
        "value": long["value"].to_numpy(dtype="float64"),
        "not_applicable": long["value"].isna().to_numpy(),
        "completed": np.ones(len(rows), dtype=bool),
    })
    frame = frame.astype({column: "category" for column in CATEGORICAL_COLUMNS})
    return frame[list(FRAME_COLUMNS)].reset_index(drop=True)


def simulate(store: "Store", join_code: str, questionnaire: Questionnaire, profile: CohortProfile,
             respondents: int, seed: int = 0, *,
             progress: Callable[[int], None] | None = None) -> int:
    """Write `respondents` completed synthetic respondents into the organisation's current
    round through the bot's storage path (create_respondent → start_assessment →
    record_answers → complete_assessment). Returns how many were written.

    LookupError for an unknown organisation; ValueError for a bad count or profile.
    """
    if respondents < 1:
        raise ValueError(f"--respondents must be at least 1, got {respondents}")
    organisation = store.get_organisation(join_code)
    if organisation is None:
        raise LookupError(f"no organisation has the join code {join_code!r}")
    frame = synthetic_answers(questionnaire, profile, respondents, seed)
    written = 0
    for _name, answers in frame.groupby("respondent", sort=True):
        first = answers.iloc[0]
        record = store.create_respondent(
            str(first["role"]), organisation_code=organisation.join_code,
            department=None if first["department"] is None else str(first["department"]),
        )
        assessment = store.start_assessment(record.pseudonym, questionnaire.version)
        store.record_answers(assessment.id, {
            item_id: NOT_APPLICABLE if np.isnan(value) else int(value)
            for item_id, value in zip(answers["item_id"], answers["value"])
        })
        store.complete_assessment(assessment.id)
        written += 1
        if progress is not None and (written % BATCH_SIZE == 0 or written == respondents):
            progress(written)
    return written
