"""Scorecard speed: aggregation + HTML render for a 10,000-respondent cohort, vectorised vs a
per-respondent Python loop (readiness.scoring.score_profile) computing the same per-challenge
numbers. Prints both times and the ratio; targets: < 1 s and ≥ 20×. Then the PDF of the same
scorecard (WeasyPrint, paged media): render time and page count; target < 3 s.

    .venv/bin/python bench/scorecard_speed.py [--respondents 10000] [--repeat 3]

The cohort is synthetic (readiness.simulate, profile `typical`), built in memory in the
`Store.answers_frame` format; no database is involved in the timing.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections import Counter

import numpy as np

from readiness.aggregate import summarise
from readiness.bank import current_questionnaire
from readiness.cohort import CATEGORICAL_COLUMNS, score_cohort
from readiness.export import render_html, render_pdf
from readiness.scorecard import organisation_scorecard
from readiness.scoring import score_profile
from readiness.simulate import get_profile, synthetic_answers


def loop_challenge_numbers(questionnaire, frame) -> dict[str, tuple]:  # type: ignore[no-untyped-def]
    """The straightforward way: rows → dict per respondent → score_profile → per challenge (and
    overall) mean, median, standard deviation and respondents per tier, as in the scorecard's
    challenge table."""
    answers: dict[str, dict[str, object]] = {}
    roles: dict[str, str] = {}
    for row in frame.itertuples(index=False):
        answers.setdefault(row.respondent, {})[row.item_id] = "n/a" if row.value != row.value else int(row.value)
        roles[row.respondent] = row.role
    scores: dict[str, list[float]] = {c.id: [] for c in questionnaire.challenges}
    scores["overall"] = []
    for respondent, given in answers.items():
        profile = score_profile(questionnaire, roles[respondent], given)
        for result in profile.challenges:
            if result.score is not None:
                scores[result.challenge_id].append(result.score)
        if profile.overall is not None:
            scores["overall"].append(profile.overall)
    numbers = {}
    for key, values in scores.items():
        tiers = Counter(questionnaire.tiers.tier_for(v).id for v in values)
        numbers[key] = (statistics.fmean(values), statistics.median(values), statistics.stdev(values),
                        tuple(tiers.get(band.id, 0) for band in questionnaire.tiers.bands))
    return numbers


def vector_challenge_numbers(questionnaire, frame) -> dict[str, tuple]:  # type: ignore[no-untyped-def]
    """The same numbers, vectorised (what organisation_scorecard uses)."""
    cohort = score_cohort(questionnaire, frame)
    numbers = {}
    for key in [c.id for c in questionnaire.challenges] + ["overall"]:
        column = cohort.respondents["overall"] if key == "overall" else cohort.challenges[key]
        s = summarise(questionnaire, column)
        numbers[key] = (s.mean, s.median, s.spread, tuple(n for _, n in s.tiers))
    return numbers


def _pages(pdf: bytes) -> str:
    """The page count (poppler's pdfinfo), or "?" without it."""
    import re
    import shutil
    import subprocess

    if shutil.which("pdfinfo") is None:
        return "?"
    info = subprocess.run(["pdfinfo", "-"], input=pdf, capture_output=True, check=False).stdout.decode()
    found = re.search(r"Pages:\s+(\d+)", info)
    return found.group(1) if found else "?"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--respondents", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    questionnaire = current_questionnaire()
    frame = synthetic_answers(questionnaire, get_profile("typical"), args.respondents, seed=1)
    print(f"cohort: {args.respondents} respondents, {len(frame)} answer rows, "
          f"{len(questionnaire.challenges)} challenges")

    aggregate, render, full = [], [], []
    for _ in range(args.repeat):
        start = time.perf_counter()
        card = organisation_scorecard(questionnaire, frame, name="Benchmark Hospital")
        middle = time.perf_counter()
        html = render_html(card)
        end = time.perf_counter()
        aggregate.append(middle - start)
        render.append(end - middle)
        full.append(end - start)

    vector_times = []
    for _ in range(args.repeat):
        start = time.perf_counter()
        vector = vector_challenge_numbers(questionnaire, frame)
        vector_times.append(time.perf_counter() - start)
    vector_time = min(vector_times)

    # The loop gets its fastest input (plain strings, converted outside the timing) and its
    # best of `repeat` runs, so the ratio is not flattered by categoricals or a noisy run.
    plain = frame.astype({column: object for column in CATEGORICAL_COLUMNS})
    loop_times = []
    for _ in range(args.repeat):
        start = time.perf_counter()
        loop = loop_challenge_numbers(questionnaire, plain)
        loop_times.append(time.perf_counter() - start)
    loop_time = min(loop_times)

    worst = max(abs(a - b) for key in loop for a, b in zip(loop[key][:3], vector[key][:3]))
    assert worst < 1e-9, f"vectorised and loop numbers differ by {worst}"
    assert all(loop[key][3] == vector[key][3] for key in loop), "tier counts differ"
    assert abs(card.overall - loop["overall"][0]) < 1e-9

    best = min(full)
    print(f"full scorecard (aggregation + HTML render): median {statistics.median(full):.3f} s, "
          f"best {best:.3f} s  [aggregation {min(aggregate):.3f} s, render {min(render):.3f} s, "
          f"{len(html) // 1024} KiB HTML]; also computes breakdowns, α, rwg(j), benchmarks, plan")
    print(f"per-challenge numbers (mean, median, SD, tier counts; 9 challenges + overall):")
    print(f"  vectorised (score_cohort + summarise): {vector_time:.3f} s")
    print(f"  per-respondent Python loop (score_profile + statistics): {loop_time:.3f} s")
    print(f"  ratio: {loop_time / vector_time:.1f}x   (max difference {worst:.1e}, tier counts equal)")
    print(f"loop vs the full scorecard: {loop_time / best:.1f}x")
    print(f"targets: scorecard < 1 s: {'met' if best < 1 else 'NOT met'}; "
          f">= 20x on the same numbers: {'met' if loop_time / vector_time >= 20 else 'NOT met'}")

    pdf_times = []
    for _ in range(args.repeat):
        start = time.perf_counter()
        pdf = render_pdf(card)
        pdf_times.append(time.perf_counter() - start)
    pages = _pages(pdf)
    print(f"PDF (WeasyPrint, from the built scorecard): median {statistics.median(pdf_times):.3f} s, "
          f"best {min(pdf_times):.3f} s, {len(pdf) // 1024} KiB, {pages} pages; "
          f"target < 3 s: {'met' if min(pdf_times) < 3 else 'NOT met'}")


if __name__ == "__main__":
    main()
