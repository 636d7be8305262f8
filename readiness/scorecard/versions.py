"""Which questionnaire versions (and bank fingerprints) a scorecard aggregates."""

from __future__ import annotations

from readiness.cohort import VERSION_COLUMN, CohortScores
from readiness.content_set import SHORT_FINGERPRINT

#: Column of the fingerprint that goes with `VERSION_COLUMN`: the bank's when started.
FINGERPRINT_COLUMN = "started_fingerprint"


def short_fingerprint(fingerprint: str) -> str:
    """The part of a bank fingerprint shown to people (as `readiness content check` shows it)."""
    return fingerprint[:SHORT_FINGERPRINT]


def _version_key(version: str) -> tuple[tuple[int, object], ...]:
    """Sort "1.10" after "1.9": numeric parts as numbers, the rest as text."""
    return tuple((0, int(p)) if p.isdigit() else (1, p) for p in version.replace("-", ".").split("."))


def versions(cohort: CohortScores) -> tuple[tuple[str, int], ...]:
    """Respondents per questionnaire version, oldest first (empty when the frame has none)."""
    if VERSION_COLUMN not in cohort.respondents.columns:
        return ()
    counts = cohort.respondents[VERSION_COLUMN].dropna().astype(str).value_counts()
    return tuple((v, int(counts[v])) for v in sorted(counts.index, key=_version_key))


def version_fingerprints(cohort: CohortScores) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """The short bank fingerprints respondents started under, per questionnaire version (most
    respondents first). Several under one version mean the bank was edited without changing
    its `version`; versions with no recorded fingerprint (assessments from before fingerprints
    were stored) are left out."""
    people = cohort.respondents
    if VERSION_COLUMN not in people.columns or FINGERPRINT_COLUMN not in people.columns:
        return ()
    known = people[[VERSION_COLUMN, FINGERPRINT_COLUMN]].dropna().astype(str)
    if known.empty:
        return ()
    short = known[FINGERPRINT_COLUMN].map(short_fingerprint)
    counts = known.assign(short=short).groupby([VERSION_COLUMN, "short"]).size()
    found = []
    for version in sorted(set(known[VERSION_COLUMN]), key=_version_key):
        seen = counts.loc[version]
        ranked = sorted(seen.index, key=lambda fingerprint: (-int(seen[fingerprint]), fingerprint))
        found.append((version, tuple(ranked)))
    return tuple(found)
