"""Benchmark view: an organisation's comparable percentage beside the seed study's §4 figure.

Each benchmarked item carries its rule (`Benchmark.counts`): e.g. "answered 3–5" for the 85 %
moderate-to-high confidence in data security. The percentage is over respondents who gave a
1–5 answer to the item ("n/a" is left out, as the study reports shares of those who answered).
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from readiness.model import LIKERT_MAX, LIKERT_MIN, Benchmark, Item, Questionnaire

#: Fewer answers than this and no percentage is shown (same threshold as group suppression).
MIN_ANSWERS = 5


@dataclass(frozen=True)
class BenchmarkResult:
    """One benchmarked item: the organisation's share (None when too few answered) vs the study."""

    item: Item
    benchmark: Benchmark
    answered: int
    counting: int
    percent: float | None

    @property
    def difference(self) -> float | None:
        """Organisation minus study, in percentage points."""
        return None if self.percent is None else self.percent - self.benchmark.figure


def benchmarked_items(questionnaire: Questionnaire) -> tuple[Item, ...]:
    """Items carrying a seed §4 benchmark, in bank order."""
    return tuple(item for c in questionnaire.challenges for item in c.items if item.benchmark)


def benchmark_percentages(questionnaire: Questionnaire, answers: pd.DataFrame,
                          min_answers: int = MIN_ANSWERS) -> tuple[BenchmarkResult, ...]:
    """Comparable percentage per benchmarked item from a long frame with item_id and value.

    `answers` holds one row per answer (value NaN for n/a); rows of other items are ignored.
    """
    results = []
    present = answers[answers["value"].notna()]
    by_item = {item_id: group["value"] for item_id, group in present.groupby("item_id", sort=False)}
    for item in benchmarked_items(questionnaire):
        benchmark = item.benchmark
        assert benchmark is not None
        values = by_item.get(item.id, pd.Series(dtype="float64")).astype("int64")
        rule = {v: benchmark.counts(v) for v in range(LIKERT_MIN, LIKERT_MAX + 1)}
        counting = int(values.map(rule).sum()) if len(values) else 0
        answered = int(len(values))
        percent = 100.0 * counting / answered if answered >= max(1, min_answers) else None
        results.append(BenchmarkResult(item, benchmark, answered, counting, percent))
    return tuple(results)
