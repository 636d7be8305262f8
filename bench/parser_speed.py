"""How long the answer parser takes on typical and hostile inputs (prints microseconds per call)."""

from __future__ import annotations

import timeit

from readiness.answers import MAX_ANSWER_LENGTH, parse_answer

CASES = {
    "digit": "4",
    "phrase": "I'd say strongly agree",
    "typo": "stongly disagre",
    "100 KB digits": "4" * 100_000,
    "100 KB emoji": "\U0001F44D" * 100_000,
    "cutoff NFKC worst case": "\ufdfa" * MAX_ANSWER_LENGTH,
    "cutoff negations": "not " * (MAX_ANSWER_LENGTH // 4),
}

if __name__ == "__main__":
    parse_answer("4")  # load the content set once (the bot does this at start-up)
    for name, text in CASES.items():
        runs = 200
        seconds = timeit.timeit(lambda: parse_answer(text), number=runs) / runs
        print(f"{name:28s} {seconds * 1e6:10.1f} µs  -> {parse_answer(text)!r}")
