"""Round-to-round comparison: did readiness move between survey rounds (e.g. after training)?

The study's own example is preparedness rising from 60 % before training to 70 % after; here
every challenge's mean score (and every benchmarked percentage) is set side by side per round,
and the latest round's change from the one before carries a 95 % interval: Welch's interval for
a difference of two means (the index, the challenges) and Newcombe's hybrid score interval for
a difference of two independent proportions (the benchmarks). Only a change whose interval
excludes zero is called a change (`change_words`); a round of new respondents is a new sample,
so the rounds are treated as independent groups.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable

import numpy as np
import pandas as pd
from scipy import stats

from readiness.aggregate import MIN_GROUP_SIZE
from readiness.benchmarks import BenchmarkResult, benchmark_percentages
from readiness.cohort import CohortScores
from readiness.evidence import newcombe_unpaired
from readiness.model import Questionnaire

#: Two-sided confidence level of every round-to-round interval.
LEVEL = 0.95


@dataclass(frozen=True)
class RoundChange:
    """Latest round minus the one before, with its 95 % interval and the n behind each side
    (respondents with a score for a mean; respondents who answered, for a percentage)."""

    difference: float
    low: float
    high: float
    n_previous: int
    n_latest: int
    method: str

    @property
    def is_clear(self) -> bool:
        """True when the interval excludes zero: only then is the change called a change."""
        return self.low > 0 or self.high < 0


@dataclass(frozen=True)
class RoundTrend:
    """One measure across rounds (None where a round is suppressed or has no scores) and the
    latest change (None when either of the last two rounds shows no value)."""

    key: str
    values: tuple[float | None, ...]
    change: RoundChange | None = None

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


def welch_interval(previous: np.ndarray | pd.Series, latest: np.ndarray | pd.Series,
                   level: float = LEVEL) -> tuple[float, float, float]:
    """mean(latest) − mean(previous) with Welch's interval (unequal variances, Welch–
    Satterthwaite df): (difference, low, high). Each side needs at least two values."""
    a = np.asarray(previous, dtype="float64")
    b = np.asarray(latest, dtype="float64")
    if len(a) < 2 or len(b) < 2:
        raise ValueError("Welch's interval needs at least two values in each group")
    difference = float(b.mean() - a.mean())
    va, vb = float(a.var(ddof=1)) / len(a), float(b.var(ddof=1)) / len(b)
    se = math.sqrt(va + vb)
    if se == 0.0:  # both groups constant: no spread, no uncertainty to show
        return difference, difference, difference
    df = (va + vb) ** 2 / (va ** 2 / (len(a) - 1) + vb ** 2 / (len(b) - 1))
    half = float(stats.t.ppf(0.5 + level / 2, df)) * se
    return difference, difference - half, difference + half


def mean_change(previous: pd.Series, latest: pd.Series) -> RoundChange | None:
    """Welch change of a mean score (points on 0–100); None when a side has < 2 scores."""
    a, b = previous.dropna(), latest.dropna()
    if len(a) < 2 or len(b) < 2:
        return None
    d, low, high = welch_interval(a, b)
    return RoundChange(d, low, high, len(a), len(b), "Welch")


def share_change(previous: BenchmarkResult, latest: BenchmarkResult) -> RoundChange | None:
    """Newcombe change of a benchmark share (percentage points); None when a side is hidden."""
    if previous.percent is None or latest.percent is None:
        return None
    d, low, high = newcombe_unpaired(latest.counting, latest.answered, previous.counting, previous.answered)
    return RoundChange(100 * d, 100 * low, 100 * high, previous.answered, latest.answered, "Newcombe")


def _signed_points(value: float) -> str:
    text = f"{value:+.1f}"
    return "0.0" if text in ("+0.0", "-0.0") else text.replace("-", "−")


def change_words(change: RoundChange | None) -> str:
    """The change as a hospital lead reads it: "up 10.2 points (95 % CI 7.1 to 13.3)", "down …",
    or "within noise (−2.0 to +3.1)" when the interval includes zero; "–" when there is none."""
    if change is None:
        return "–"
    if not change.is_clear:
        return f"within noise ({_signed_points(change.low)} to {_signed_points(change.high)})"
    direction = "up" if change.difference > 0 else "down"
    low, high = (change.low, change.high) if change.difference > 0 else (-change.high, -change.low)
    return f"{direction} {abs(change.difference):.1f} points (95 % CI {low:.1f} to {high:.1f})"


def _mean(values: pd.Series) -> float | None:
    present = values.dropna()
    return float(present.mean()) if len(present) else None


def compare_rounds(questionnaire: Questionnaire, cohort: CohortScores,
                   min_size: int = MIN_GROUP_SIZE) -> RoundComparison:
    """Mean overall and challenge scores and benchmark percentages, per round, and the latest
    round's change from the one before with its 95 % interval."""
    people = cohort.respondents
    rounds = tuple(sorted(int(r) for r in people["round"].unique()))
    sizes = people.groupby("round").size()
    shown = {r: int(sizes.get(r, 0)) >= min_size for r in rounds}
    last_two = rounds[-2:] if len(rounds) >= 2 and all(shown[r] for r in rounds[-2:]) else ()
    by_round = cohort.challenges.groupby(level="round")
    overall = people.groupby("round")["overall"]

    def per_round(pick: Callable[[int], float | None]) -> tuple[float | None, ...]:
        return tuple(pick(r) if shown[r] else None for r in rounds)

    def mean_trend(key: str, scores: Callable[[int], pd.Series]) -> RoundTrend:
        change = mean_change(scores(last_two[0]), scores(last_two[1])) if last_two else None
        return RoundTrend(key, per_round(lambda r: _mean(scores(r))), change)

    challenges = tuple(
        mean_trend(c.id, lambda r, cid=c.id: by_round.get_group(r)[cid]) for c in questionnaire.challenges
    )
    bench_rows: dict[int, dict[str, BenchmarkResult]] = {
        r: {b.item.id: b for b in benchmark_percentages(questionnaire, cohort.items[cohort.items["round"] == r])}
        for r in rounds if shown[r]
    }

    def bench_trend(item_id: str) -> RoundTrend:
        values = per_round(lambda r: bench_rows[r][item_id].percent if item_id in bench_rows[r] else None)
        pair = [bench_rows[r].get(item_id) for r in last_two]
        change = share_change(pair[0], pair[1]) if len(pair) == 2 and None not in pair else None  # type: ignore[arg-type]
        return RoundTrend(item_id, values, change)

    benchmarks = tuple(bench_trend(item_id) for item_id in (next(iter(bench_rows.values())) if bench_rows else {}))
    return RoundComparison(
        rounds=rounds,
        respondents=tuple(int(sizes.get(r, 0)) for r in rounds),
        overall=mean_trend("overall", lambda r: overall.get_group(r)),
        challenges=challenges,
        benchmarks=benchmarks,
    )
