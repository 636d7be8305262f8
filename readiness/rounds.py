"""Round-to-round comparison: did readiness move between survey rounds (e.g. after training)?

The study's own example is preparedness rising from 60 % before training to 70 % after; here
every challenge's mean score (and every benchmarked percentage) is set side by side per round.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import pandas as pd

from readiness.aggregate import MIN_GROUP_SIZE
from readiness.benchmarks import benchmark_percentages
from readiness.cohort import CohortScores
from readiness.model import Questionnaire


@dataclass(frozen=True)
class RoundTrend:
    """One measure across rounds (None where a round is suppressed or has no scores)."""

    key: str
    values: tuple[float | None, ...]

    @property
    def delta(self) -> float | None:
        """Last round minus the round before it."""
        if len(self.values) < 2 or self.values[-1] is None or self.values[-2] is None:
            return None
        return self.values[-1] - self.values[-2]


@dataclass(frozen=True)
class RoundComparison:
    """Rounds in ascending order with respondents per round; a round with fewer than
    `MIN_GROUP_SIZE` respondents shows no numbers."""

    rounds: tuple[int, ...]
    respondents: tuple[int, ...]
    overall: RoundTrend
    challenges: tuple[RoundTrend, ...]
    benchmarks: tuple[RoundTrend, ...]


def _mean(values: pd.Series) -> float | None:
    present = values.dropna()
    return float(present.mean()) if len(present) else None


def compare_rounds(questionnaire: Questionnaire, cohort: CohortScores,
                   min_size: int = MIN_GROUP_SIZE) -> RoundComparison:
    """Mean overall and challenge scores and benchmark percentages, per round."""
    people = cohort.respondents
    rounds = tuple(sorted(int(r) for r in people["round"].unique()))
    sizes = people.groupby("round").size()
    shown = {r: int(sizes.get(r, 0)) >= min_size for r in rounds}
    by_round = cohort.challenges.groupby(level="round")
    overall = people.groupby("round")["overall"]

    def per_round(pick: Callable[[int], float | None]) -> tuple[float | None, ...]:
        return tuple(pick(r) if shown[r] else None for r in rounds)

    challenges = tuple(
        RoundTrend(c.id, per_round(lambda r, cid=c.id: _mean(by_round.get_group(r)[cid])))
        for c in questionnaire.challenges
    )
    bench_rows = {
        r: {b.item.id: b.percent for b in benchmark_percentages(questionnaire, cohort.items[cohort.items["round"] == r])}
        for r in rounds if shown[r]
    }
    benchmarks = tuple(
        RoundTrend(item_id, per_round(lambda r, i=item_id: bench_rows[r].get(i)))
        for item_id in (next(iter(bench_rows.values())) if bench_rows else {})
    )
    return RoundComparison(
        rounds=rounds,
        respondents=tuple(int(sizes.get(r, 0)) for r in rounds),
        overall=RoundTrend("overall", per_round(lambda r: _mean(overall.get_group(r)))),
        challenges=challenges,
        benchmarks=benchmarks,
    )
