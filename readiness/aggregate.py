"""Organisation statistics over scored respondents: summaries, group breakdowns, suppression and
role disagreement.

Privacy rule, found here only: a group (a role, a department) with fewer than
`MIN_GROUP_SIZE` respondents is never broken out; callers list it as suppressed instead.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from readiness.cohort import CohortScores
from readiness.model import Questionnaire

#: Smallest group shown on its own: fewer respondents could be recognised from their answers.
MIN_GROUP_SIZE = 5
#: Points between two roles' mean challenge scores from which the gap is flagged.
DISAGREEMENT_POINTS = 20.0


@dataclass(frozen=True)
class ScoreSummary:
    """Distribution of one score over respondents; `tiers` counts respondents per tier id."""

    n: int
    mean: float | None
    median: float | None
    spread: float | None  # sample standard deviation
    tiers: tuple[tuple[str, int], ...]


@dataclass(frozen=True)
class GroupScores:
    """Mean scores of one unsuppressed group; `challenges` follows the bank's challenge order."""

    key: str | None
    n: int
    overall: float | None
    challenges: tuple[float | None, ...]


@dataclass(frozen=True)
class Breakdown:
    """Groups of one kind ("role" or "department"): those shown and the keys suppressed."""

    kind: str
    shown: tuple[GroupScores, ...]
    suppressed: tuple[str | None, ...]


@dataclass(frozen=True)
class Disagreement:
    """Two roles whose mean scores on a challenge are far apart (`higher` rates it higher)."""

    challenge_id: str
    higher: str
    lower: str
    higher_score: float
    lower_score: float

    @property
    def points(self) -> float:
        return self.higher_score - self.lower_score


def _value(x: float) -> float | None:
    return None if x is None or (isinstance(x, float) and np.isnan(x)) else float(x)


def summarise(questionnaire: Questionnaire, scores: pd.Series) -> ScoreSummary:
    """n, mean, median, standard deviation and tier counts of the non-missing scores."""
    values = np.asarray(scores, dtype="float64")
    present = values[~np.isnan(values)]
    bands = questionnaire.tiers.bands
    counts = np.bincount(questionnaire.tiers.positions(present), minlength=len(bands))
    tiers = tuple((band.id, int(counts[n])) for n, band in enumerate(bands))
    if present.size == 0:
        return ScoreSummary(0, None, None, None, tiers)
    return ScoreSummary(
        n=int(present.size),
        mean=float(present.mean()),
        median=float(np.median(present)),
        spread=float(present.std(ddof=1)) if present.size > 1 else None,
        tiers=tiers,
    )


#: Group key of respondents who gave no department (None in the frame).
NOT_GIVEN = "\x00none"


def group_keys(cohort: CohortScores, by: str) -> pd.Series:
    """Each respondent's `by` key ("role" or "department"), `NOT_GIVEN` for a missing one."""
    people = cohort.respondents
    return people[by].astype(object).where(people[by].notna(), NOT_GIVEN)


def breakdown(questionnaire: Questionnaire, cohort: CohortScores, by: str,
              min_size: int = MIN_GROUP_SIZE, hidden: frozenset = frozenset()) -> Breakdown:
    """Mean overall and challenge scores per `by` group ("role" or "department").

    Groups with fewer than `min_size` respondents, and the keys in `hidden` (complementary
    suppression, `readiness.suppression`; `NOT_GIVEN` for no department), are suppressed; shown
    groups are ordered by size (largest first), then name.
    """
    people = cohort.respondents
    keys = group_keys(cohort, by)
    sizes = keys.value_counts()
    shown_keys = sorted((k for k, n in sizes.items() if n >= min_size and k not in hidden),
                        key=lambda k: (-sizes[k], str(k)))
    small = sorted((k for k, n in sizes.items() if n < min_size or k in hidden), key=str)
    challenge_means = cohort.challenges.reset_index(drop=True).groupby(keys.to_numpy()).mean()
    overall_means = people["overall"].groupby(keys.to_numpy()).mean()
    ids = [c.id for c in questionnaire.challenges]

    def real(key: str) -> str | None:
        return None if key == NOT_GIVEN else key

    shown = tuple(
        GroupScores(
            key=real(key),
            n=int(sizes[key]),
            overall=_value(overall_means.get(key, np.nan)),
            challenges=tuple(_value(challenge_means.at[key, cid]) for cid in ids),
        )
        for key in shown_keys
    )
    return Breakdown(by, shown, tuple(real(k) for k in small))


def role_disagreements(questionnaire: Questionnaire, roles: Breakdown,
                       threshold: float = DISAGREEMENT_POINTS) -> tuple[Disagreement, ...]:
    """Per challenge, the highest- and lowest-scoring shown roles when ≥ `threshold` apart.

    Only unsuppressed roles take part, so a flag never reveals a small group's answers.
    Largest gaps first.
    """
    found = []
    for position, challenge in enumerate(questionnaire.challenges):
        scored = [(g.challenges[position], g.key) for g in roles.shown if g.challenges[position] is not None]
        if len(scored) < 2:
            continue
        high = max(scored, key=lambda s: s[0])
        low = min(scored, key=lambda s: s[0])
        if high[0] - low[0] >= threshold:
            found.append(Disagreement(challenge.id, str(high[1]), str(low[1]), high[0], low[0]))
    return tuple(sorted(found, key=lambda d: -d.points))
