"""Answers given as a place on the scale rather than a point of it: "one step down from
neutral", "just above the middle", "more than 3 less than 5", "⭐⭐⭐⭐".

Why a module of its own: these replies name a point only to step off it, so the phrase
readings would take the named point ("neutral" → 3) for the answer. The step is always one
point, and the reading is always a proposal: "below agree" may mean 2 or 3 to someone else.
"""

from __future__ import annotations

from readiness.answers.tokens import COUNT
from readiness.answers.vocabulary import NEUTRAL, PhraseReading, Vocabulary
from readiness.model import LIKERT_MAX, LIKERT_MIN

__all__ = ["counted_share", "relative_point", "star_rating"]


def relative_point(items: list[object], vocab: Vocabulary) -> tuple[int, bool, str] | None:
    """The point one step below or above a named one, proposed: "a notch below strongly agree"
    (4), "slightly under the middle" (2), "wouldn't go as far as strongly disagree" (a step
    toward neutral: 2); two bounds must leave one point ("more than 3 less than 5" → 4). Only
    step words (points_step) and fillers around the relations; None for any other shape or
    beyond the scale's ends."""
    places = vocab.points_places
    if not places:
        return None
    low, high, relations, at = LIKERT_MIN, LIKERT_MAX, 0, 0
    while at < len(items):
        while at < len(items) and _phrase_at(items, at, places) is None and _step_word(items[at], vocab):
            at += 1  # "one step", "slightly"; "down" is a filler too, but "down from" a place
        if at == len(items) and relations:
            break
        relation = _phrase_at(items, at, places)
        if relation is None:
            return None
        at += len(relation)
        while at < len(items) and items[at] in ("a", "an", "the"):
            at += 1
        point, length = _named_point(items, at, vocab)
        if point is None:
            return None
        at += length
        relations += 1
        if relation in vocab.points_short and point == NEUTRAL:
            return None  # short of neutral is either side
        if relation in vocab.points_below or (relation in vocab.points_short and point > NEUTRAL):
            high = min(high, point - 1)
        else:
            low = max(low, point + 1)
    if relations == 0 or low > high or (relations > 1 and low != high):
        return None
    return (high if relations == 1 and high < LIKERT_MAX else low), False, "relative point"


def star_rating(items: list[object], vocab: Vocabulary) -> tuple[int, bool, str] | None:
    """"⭐⭐⭐⭐" (read as four star words): that many points out of five, proposed."""
    words = [item for item in items if not (isinstance(item, str) and item in vocab.fillers)]
    if words and all(word in vocab.star_words for word in words) and LIKERT_MIN <= len(words) <= LIKERT_MAX:
        return len(words), False, "stars"
    return None


def counted_share(words: list[str], vocab: Vocabulary) -> int | None:
    """"2 of our 7 tools", "in 3 of the last 12 projects": a count out of a whole (larger than
    the scale, so not an answer on it), proposed as the share it is — none 1, all 5, and in
    between never an end (a count says how many, not how strongly): under 40 % 2, to 60 % 3,
    more 4. Anything may follow the whole; only fillers, approximations and a few words like
    "in" or "only" (count_lead_ins) may come before the count."""
    at = 0
    while at < len(words) and (words[at] in vocab.fillers or words[at] in vocab.approximations
                               or words[at] in vocab.count_lead_ins):
        at += 1
    if at >= len(words) or not words[at].isdigit():
        return None
    part, at = int(words[at]), at + 1
    if words[at:at + 1] == ["of"]:
        at += 1
    elif words[at:at + 2] == ["out", "of"]:
        at += 2
    else:
        return None
    while at < len(words) and words[at] in vocab.count_determiners:
        at += 1
    if at >= len(words) or not words[at].isdigit():
        return None
    whole = int(words[at])
    if whole <= LIKERT_MAX or part > whole:
        return None
    share = part / whole
    return LIKERT_MIN if part == 0 else LIKERT_MAX if part == whole else 2 if share < 0.4 else 3 if share <= 0.6 else 4


def _step_word(item: object, vocab: Vocabulary) -> bool:
    return isinstance(item, str) and (item in vocab.points_step or item == COUNT or item in vocab.fillers)


def _phrase_at(items: list[object], at: int, phrases: frozenset[tuple[str, ...]]) -> tuple[str, ...] | None:
    for length in range(min(6, len(items) - at), 0, -1):
        words = tuple(items[at:at + length])
        if words in phrases:
            return words  # type: ignore[return-value]
    return None


def _named_point(items: list[object], at: int, vocab: Vocabulary) -> tuple[int | None, int]:
    """The point named at `at` (a number 1-5, a label, a word for the middle) and its length."""
    if at >= len(items):
        return None, 0
    first = items[at]
    if isinstance(first, PhraseReading):
        return (int(first.value), 1) if first.rule == "number" and isinstance(first.value, int) else (None, 0)
    if first in vocab.midpoints:
        return NEUTRAL, 1
    for length in range(min(vocab.longest_phrase, len(items) - at), 0, -1):
        words = tuple(items[at:at + length])
        if not all(isinstance(word, str) for word in words):
            continue
        reading = vocab.phrases.get(words)  # type: ignore[arg-type]
        if reading is not None and reading.rule == "phrase" and isinstance(reading.value, int) \
                and reading.certain and not reading.hedge:
            return reading.value, length
    return None, 0
