"""Synthetic cohorts: realistic respondents for demos, tests and load, from YAML profiles.

Answers come from a latent readiness per respondent × challenge (sharing a general factor per
respondent), cut into Likert answers with per-item thresholds so each item's marginal answer
distribution is exactly its profile's (a Gaussian copula). That is what lets the `seed-study`
profile reproduce the study's §4 percentages while answers within a challenge stay correlated.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Callable

import numpy as np
import pandas as pd
from scipy.stats import norm

from readiness.content_set import bank_fingerprint
from readiness.cohort import CATEGORICAL_COLUMNS, FRAME_COLUMNS
from readiness.cohort_profiles import (  # noqa: F401  (re-exported: the profile values live there)
    PROFILE_KEYS,
    CohortProfile,
    Distribution,
    ProfileError,
    build_profiles,
)
from readiness.evidence import check_values
from readiness.evidence_content import EvidenceMeasure
from readiness.model import LIKERT_MIN, NOT_APPLICABLE, Questionnaire

if TYPE_CHECKING:
    from readiness.storage import Store

#: Who entered simulated evidence (an entry by anyone else is never replaced by a simulation).
SIMULATED_BY = "simulation"

PROFILES_FILE = Path(__file__).resolve().parent / "content" / "cohort_profiles.yml"
#: Respondents written per progress report.
BATCH_SIZE = 50


def load_profiles(path: Path | None = None) -> dict[str, CohortProfile]:
    """Every profile by name: of the live content set (readiness.live_content) by default, or
    of the YAML file `path` (ContentError naming file:line and the problem)."""
    if path is None:
        from readiness.live_content import current_content

        return dict(current_content().cohort_profiles)
    from readiness.content_set import load_cohort_profiles

    return load_cohort_profiles(Path(path))


def get_profile(name: str, path: Path | None = None) -> CohortProfile:
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
    record_answers → complete_assessment, one transaction per respondent, under the bank's
    version and fingerprint). Returns how many were written.

    LookupError for an unknown organisation; ValueError for a bad count or profile.
    """
    if respondents < 1:
        raise ValueError(f"--respondents must be at least 1, got {respondents}")
    organisation = store.get_organisation(join_code)
    if organisation is None:
        raise LookupError(f"no organisation has the join code {join_code!r}")
    frame = synthetic_answers(questionnaire, profile, respondents, seed)
    fingerprint = bank_fingerprint(questionnaire)
    written = 0
    for _name, answers in frame.groupby("respondent", sort=True):
        first = answers.iloc[0]
        with store.unit() as unit:  # one respondent, whole or not at all
            record = unit.create_respondent(
                str(first["role"]), organisation_code=organisation.join_code,
                department=None if first["department"] is None else str(first["department"]),
            )
            assessment = unit.start_assessment(record.pseudonym, questionnaire.version, fingerprint)
            unit.record_answers(assessment.id, {
                item_id: NOT_APPLICABLE if np.isnan(value) else int(value)
                for item_id, value in zip(answers["item_id"], answers["value"])
            })
            unit.complete_assessment(assessment.id, version=questionnaire.version, fingerprint=fingerprint)
        written += 1
        if progress is not None and (written % BATCH_SIZE == 0 or written == respondents):
            progress(written)
    return written


def synthetic_evidence(measures: tuple[EvidenceMeasure, ...], profile: CohortProfile, respondents: int,
                       seed: int = 0) -> dict[str, dict[str, float]]:
    """The profile's simulated pilot counts per measure, sized to the cohort: per measure,
    round(per_respondent × respondents) units, each drawn into one outcome (a multinomial), an
    input counting the units whose outcome names it. Checked like a lead's entry (`check_values`);
    ValueError names a measure or input the evidence content does not have."""
    known = {m.id: m for m in measures}
    rng = np.random.default_rng([seed, 7])  # its own stream: the answers stay as they were
    drawn: dict[str, dict[str, float]] = {}
    for spec in profile.evidence:
        measure = known.get(spec.measure)
        if measure is None:
            raise ValueError(f"profile {profile.name!r}: unknown evidence measure {spec.measure!r}")
        names = set(measure.input_names)
        for name in (spec.over, *(c for o in spec.outcomes for c in o.counts)):
            if name not in names:
                raise ValueError(f"profile {profile.name!r}: evidence {spec.measure} has no input {name!r}")
        units = max(1, round(spec.per_respondent * respondents))
        falls = rng.multinomial(units, [o.probability for o in spec.outcomes])
        values: dict[str, float] = {spec.over: units}
        for outcome, count in zip(spec.outcomes, falls):
            for name in outcome.counts:
                values[name] = values.get(name, 0) + int(count)
        try:
            drawn[spec.measure] = check_values(measure, values)
        except ValueError as error:
            raise ValueError(f"profile {profile.name!r}: {error}") from None
    return drawn


def simulate_evidence(store: "Store", join_code: str, measures: tuple[EvidenceMeasure, ...],
                      profile: CohortProfile, respondents: int, seed: int = 0) -> tuple[str, ...]:
    """Enter the profile's simulated pilot evidence for the organisation's current round, marked
    as entered by "simulation" with a source naming the profile and seed. A measure someone else
    entered for that round is left as it is. Returns the measures written."""
    organisation = store.get_organisation(join_code)
    if organisation is None:
        raise LookupError(f"no organisation has the join code {join_code!r}")
    entered = {e.measure: e.entered_by for e in store.evidence(join_code, organisation.current_round)}
    written = []
    for measure, values in synthetic_evidence(measures, profile, respondents, seed).items():
        if entered.get(measure, SIMULATED_BY) != SIMULATED_BY:
            continue
        store.set_evidence(join_code, measure, values, round=organisation.current_round,
                           source=f"simulated pilot, profile {profile.name}, seed {seed}", entered_by=SIMULATED_BY)
        written.append(measure)
    return tuple(written)
