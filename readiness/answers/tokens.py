"""Tokenising a message the way the answer vocabulary is written, and one-edit typo distance."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import Mapping

#: Apostrophe and dash look-alikes, folded before tokenising; "_" (markdown _4_) is spacing.
_FOLD = str.maketrans({
    "_": " ",
    "\u2019": "'", "\u2018": "'", "\u02bc": "'", "\u0060": "'", "\u00b4": "'",
    "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-",
    "\u2015": "-", "\u2212": "-", "\ufe63": "-",
})

#: "50/50", "50-50", "50 50": even odds, read as the words "fifty fifty" (a phrase).
_EVEN = re.compile(r"(?<![\w.,])50\s*[/-]?\s*50(?![\w.,%])")

_TOKEN = re.compile(
    r"""
    (?P<na>(?<!\w)n\s?[/.]\s?a(?!\w)\.?)              # n/a, n.a., N / A
    | (?P<negative>(?<!\w)-(?=[0-9]))                # a minus right before a digit: -1
    | (?P<number>(?<!\w)[0-9]+(?:[.,][0-9]+)?(?!\w))  # 4; 3.5, 4,5, 1,000 (not answers)
    | (?P<word>\w+(?:'\w+)*)                         # don't; also 4th, a4, ٤
    | (?P<symbol>[/%])                                # for 4/5 and 100%
    """,
    re.VERBOSE,
)

_ISH = re.compile(r"[0-9]ish")
_LETTERS = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)*")

#: Marker tokens that cannot collide with words (words never contain "<").
NEGATIVE = "<negative>"
OTHER = "<other>"
#: A number word that counts something ("two sessions a month"): a word of the content, never an answer.
COUNT = "<count>"
SLASH = "/"
PERCENT = "%"

#: "4/5", "4 of 5", "4 out of 5"; "100%", "100 percent", "100 per cent".
FRACTION_JOINERS = ((SLASH,), ("of",), ("out", "of"))
PERCENT_JOINERS = ((PERCENT,), ("percent",), ("per", "cent"))
FRACTION_WORDS = ("of", "out")
PERCENT_WORDS = ("percent", "per", "cent")


def expands_beyond(text: str, limit: int) -> bool:
    """Whether NFKC makes the text longer than `limit` ("ﷺ" becomes 18 characters), counted
    character by character and stopped at the limit: normalising a whole message of such
    characters costs ~0.2 ms, the count a tenth of that."""
    if text.isascii():
        return len(text) > limit
    total = 0
    for char in text:
        total += 1 if char.isascii() else len(unicodedata.normalize("NFKC", char))
        if total > limit:
            return True
    return False


def tokens(text: str, symbols: Mapping[str, str] | None = None) -> list[str]:
    """Lower-case tokens of `text`: words without apostrophes, numbers, "/", "%", markers.

    One reading asks for the tokens of the same text several times (the rules, the laughter
    check, the learned proposal), so the last few texts' tokens are kept."""
    global _LAST_SYMBOLS
    if not symbols:
        return list(_tokens(text, ()))
    last = _LAST_SYMBOLS  # read once: another thread may replace it meanwhile
    if last[0] is not symbols:  # one vocabulary's symbols, asked for again and again
        last = _LAST_SYMBOLS = (symbols, tuple(symbols.items()))
    return list(_tokens(text, last[1]))


#: The last symbols mapping seen and its items (hashable, for the cache of tokens).
_LAST_SYMBOLS: tuple[object, tuple[tuple[str, str], ...]] = (None, ())


def forget_tokens() -> None:
    """Empty the cache of recent texts' tokens (benchmarks time readings of new texts)."""
    _tokens.cache_clear()


@lru_cache(maxsize=64)
def _tokens(text: str, symbols: tuple[tuple[str, str], ...]) -> tuple[str, ...]:
    text = unicodedata.normalize("NFKC", text)
    for symbol, replacement in symbols:
        if symbol in text:
            text = text.replace(symbol, f" {replacement} ")
    if "50" in text:
        text = _EVEN.sub(" fifty fifty ", text)
    text = text.casefold().translate(_FOLD)
    found = []
    for match in _TOKEN.finditer(text):
        kind = match.lastgroup
        if kind == "word":
            word = match.group()
            if word.isalpha():  # the common case, and a subset of _LETTERS
                found.append(word)
            # Letters only: words with digits ("4th", "a4") and other scripts' digits are
            # nothing the vocabulary could mean.
            elif _ISH.fullmatch(word):  # "3ish": the number and a hedge
                found.extend((word[:-3], "ish"))
            else:
                found.append(word.replace("'", "") if _LETTERS.fullmatch(word) else OTHER)
        elif kind == "na":
            found.append("n/a")
        elif kind == "negative":
            found.append(NEGATIVE)
        else:
            found.append(match.group())
    return tuple(found)


def words(phrase: str) -> tuple[str, ...]:
    """A vocabulary phrase as the parser's tokens (same normalisation as messages)."""
    return tuple(tokens(phrase))


def within_one_edit(word: str, target: str) -> bool:
    """True when one insertion, deletion, substitution or swap of neighbours turns
    `word` into `target` (or they are equal)."""
    if word == target:
        return True
    lw, lt = len(word), len(target)
    if abs(lw - lt) > 1:
        return False
    if lw == lt:
        diffs = [i for i in range(lw) if word[i] != target[i]]
        if len(diffs) == 1:
            return True
        return (
            len(diffs) == 2
            and diffs[1] == diffs[0] + 1
            and word[diffs[0]] == target[diffs[1]]
            and word[diffs[1]] == target[diffs[0]]
        )
    shorter, longer = (word, target) if lw < lt else (target, word)
    for i in range(len(longer)):
        if longer[:i] + longer[i + 1:] == shorter:
            return True
    return False
