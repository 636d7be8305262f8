"""Which questionnaire versions a scorecard aggregates."""

from __future__ import annotations

from readiness.cohort import VERSION_COLUMN, CohortScores


def _version_key(version: str) -> tuple[tuple[int, object], ...]:
    """Sort "1.10" after "1.9": numeric parts as numbers, the rest as text."""
    return tuple((0, int(p)) if p.isdigit() else (1, p) for p in version.replace("-", ".").split("."))


def versions(cohort: CohortScores) -> tuple[tuple[str, int], ...]:
    """Respondents per questionnaire version, oldest first (empty when the frame has none)."""
    if VERSION_COLUMN not in cohort.respondents.columns:
        return ()
    counts = cohort.respondents[VERSION_COLUMN].dropna().astype(str).value_counts()
    return tuple((v, int(counts[v])) for v in sorted(counts.index, key=_version_key))

