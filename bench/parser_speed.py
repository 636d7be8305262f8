"""How long the answer reader takes on typical and hostile inputs (prints microseconds per call).

The vocabulary is passed explicitly, as the dialogue does, so the numbers are the reader's own
(not the live content's change check)."""

from __future__ import annotations

import statistics
import time
import timeit
from pathlib import Path

import yaml

from readiness.answers import MAX_ANSWER_LENGTH, read_answer
from readiness.answers.tokens import forget_tokens
from readiness.bank import current_questionnaire
from readiness.live_content import current_content

CASES = {
    "digit": "4",
    "phrase": "I'd say strongly agree",
    "typo": "stongly disagre",
    "negation": "I don't really agree",
    "degree": "mostly false",
    "hedge": "kind of agree",
    "extra words": "yes, I work in the ICU",
    "statement echo": "yeah somewhat worried tbh",
    # a fact, no answer words: the rules leave it and the learned model proposes (fitted first)
    "learned proposal": "pen tests every year and we pass them",
    "learned, 24 words": " ".join(["the", "servers", "fall", "over", "every", "monday"] * 4),
    "100 KB digits": "4" * 100_000,
    "100 KB emoji": "\U0001F44D" * 100_000,
    "cutoff NFKC worst case": "\ufdfa" * MAX_ANSWER_LENGTH,
    "cutoff negations": "not " * (MAX_ANSWER_LENGTH // 4),
    "cutoff words": "very much " * (MAX_ANSWER_LENGTH // 10),
}

if __name__ == "__main__":
    vocabulary = current_content().vocabulary  # loaded once, as the bot does at start-up
    if vocabulary.reply_model is not None:
        vocabulary.reply_model.fitted()  # fitted once, as the action server does at start-up
    statement = next(item for c in current_questionnaire().challenges for item in c.items
                     if item.id == "privacy_vulnerability_concern")
    for name, text in CASES.items():
        runs = 500
        # the reader keeps the last few texts' tokens: forgotten each run, so every run is a new text
        seconds = timeit.timeit(lambda: (forget_tokens(), read_answer(text, statement, vocabulary)),
                                number=runs) / runs
        print(f"{name:28s} {seconds * 1e6:10.1f} µs  -> {read_answer(text, statement, vocabulary)}")

    # every case of the evaluation files, typed to its statement (generic ones to the one above)
    folder = Path(__file__).resolve().parent.parent / "tests" / "data"
    questionnaire = current_questionnaire()
    cases = [(case["text"], questionnaire.item(case["item"]) if case.get("item") else statement)
             for path in sorted(folder.glob("answers_*.yml"))
             for case in yaml.safe_load(path.read_text(encoding="utf-8"))["cases"]]
    # five passes over all cases (a text's cached tokens are long gone when it comes round
    # again); each case's time is its fastest pass, which is the least disturbed by the machine
    times = [float("inf")] * len(cases)
    for _ in range(5):
        for number, (text, item) in enumerate(cases):
            started = time.perf_counter()
            read_answer(text, item, vocabulary)
            times[number] = min(times[number], (time.perf_counter() - started) * 1e6)
    times.sort()
    print(f"\nall {len(times)} evaluation cases: mean {statistics.mean(times):.0f} µs, median "
          f"{times[len(times) // 2]:.0f}, p95 {times[int(len(times) * 0.95)]:.0f}, "
          f"p99 {times[int(len(times) * 0.99)]:.0f}, max {times[-1]:.0f}")
