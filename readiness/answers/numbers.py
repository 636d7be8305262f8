"""Numbers in a message: digits and number words on the scale ("4", "4/5", "four out of five"),
"100%" as "totally"; other scales, negative and out-of-range numbers are not answers.

Why a module of its own: reading numbers is one step of readiness.answers.reader's flow that
needs only the tokens and the vocabulary's number words.
"""

from __future__ import annotations

from readiness.answers.composition import NotAnAnswer, single
from readiness.answers.tokens import (
    COUNT, FRACTION_JOINERS, NEGATIVE, OTHER, PERCENT, PERCENT_JOINERS, PERCENT_WORDS, SLASH,
)
from readiness.answers.vocabulary import Vocabulary
from readiness.model import LIKERT_MAX, LIKERT_MIN

__all__ = ["numbers_and_words"]

#: After "zero", words that make it a point of some scale ("zero out of five"), not "none".
_SCALE_WORDS = frozenset({"out", "of", "percent", "per"})


def _number(token: str) -> int | str:
    """The int of a number token (other tokens unchanged). Decimals are never answers: 3.5
    lies between two answers, and "4,5" / "1,000" depend on locale conventions."""
    if not "0" <= token[:1] <= "9":  # str.isdigit is also true of "𑁒", "²": words, not numbers
        return token
    if "." in token or "," in token:
        raise NotAnAnswer
    return int(token)


def _joiner(following: list[object], joiners: tuple[tuple[str, ...], ...]) -> int:
    for joiner in joiners:
        if tuple(following[:len(joiner)]) == joiner:
            return len(joiner)
    return 0


def numbers_and_words(found: list[str], vocab: Vocabulary) -> list[object]:
    """Resolve numbers: 1–5 for "4", "4/5", "four out of five"; "totally" for "100%".

    Out-of-range numbers, other scales ("4/10") and negative numbers raise NotAnAnswer. A
    number word on its own stays a word, so that a phrase can claim it ("skip this one").
    """
    values: list[int | str] = []
    for at, token in enumerate(found):
        following = found[at + 1] if at + 1 < len(found) else ""
        if token in vocab.none_words and following.isalpha() and following not in _SCALE_WORDS:
            values.append("no")  # "zero incidents", "0 reports": none, like "no incidents"
            continue
        if token in vocab.number_words and following.isalpha() and following not in _SCALE_WORDS \
                and following not in vocab.known_words and following not in vocab.fillers \
                and following not in vocab.star_words:
            values.append(COUNT)  # "two sessions a month", "we have two patient reps": a count, not a point
            continue
        if token == "hundred" and following in PERCENT_WORDS:
            values.append(100)  # "a hundred percent", "one hundred percent": as "100%"
            continue
        if token == "one" and following == "hundred" and found[at + 2:at + 3] and found[at + 2] in PERCENT_WORDS:
            continue
        if token in (NEGATIVE, OTHER) or token in vocab.out_of_range_words:
            raise NotAnAnswer
        values.append(_number(token))

    def as_int(value: int | str) -> int | None:
        return value if isinstance(value, int) else vocab.number_words.get(value)

    out: list[object] = []
    i = 0
    while i < len(values):
        current = as_int(values[i])
        if current is None:
            if values[i] not in (SLASH, PERCENT):  # a stray "/" or "%" is punctuation
                out.append(values[i])
            i += 1
            continue
        following = values[i + 1:i + 4]
        joined = _joiner(following, FRACTION_JOINERS)
        if joined and len(following) > joined and as_int(following[joined]) is not None:
            if as_int(following[joined]) != LIKERT_MAX:
                raise NotAnAnswer  # "4/10", "10 out of 10": another scale, never rescaled
            i += joined + 1
        elif _joiner(following, PERCENT_JOINERS):
            if current < 100:
                raise NotAnAnswer  # "80%": not a point on this scale ("110%" is emphasis, as 100%)
            out.append("totally")
            i += _joiner(following, PERCENT_JOINERS) + 1
            continue
        elif isinstance(values[i], str):
            out.append(values[i])
            i += 1
            continue
        if not LIKERT_MIN <= current <= LIKERT_MAX:
            raise NotAnAnswer  # "0", "9": never coerced to 1 or 5
        out.append(single(current, "number"))
        i += 1
    return out
