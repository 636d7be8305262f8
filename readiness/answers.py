"""Free-text Likert answers: the deterministic fallback behind Rasa's NLU, and the scale labels.

`parse_answer` turns what a respondent typed ("4", "4 out of 5", "mostly agree", "stongly
disagree", "don't know") into the value stored for a statement: an int 1–5, NOT_APPLICABLE,
or None when the message is not an answer and the bot should ask again.

Why deterministic, and why so strict: the stored value must be exactly what the respondent
meant, because it feeds the organisation's readiness scores. A statistical guess that turns
"why do you ask?" or "3 or 4" into a number silently corrupts a score; asking again costs one
turn. So the parser only answers when the *whole* message is answer vocabulary, filler words
("I'd say", "rating:") and at most one consistent value; anything it cannot fully account for
(an unknown word, an out-of-range or fractional number, two different values) is None. The
same text always gives the same value, which keeps answers reproducible and testable.

The wording lives in ``answer_phrases.yml`` (content, not code), loaded and checked with the
other content files by readiness.content_set (so $READINESS_CONTENT_DIR and live edits apply);
the rules that combine phrases live here. `LIKERT_LABELS` and
`likert_label` are the one place the scale's labels are defined (bot buttons, scorecards).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Mapping

from readiness.model import LIKERT_MAX, LIKERT_MIN, NOT_APPLICABLE, AnswerValue, is_valid_answer

__all__ = [
    "LIKERT_LABELS",
    "MAX_ANSWER_LENGTH",
    "NOT_APPLICABLE_LABEL",
    "PhraseError",
    "Vocabulary",
    "build_vocabulary",
    "likert_label",
    "parse_answer",
]

#: Labels of 1 … 5, in order.
LIKERT_LABELS: tuple[str, ...] = (
    "Strongly disagree",
    "Disagree",
    "Neutral",
    "Agree",
    "Strongly agree",
)

#: Label of NOT_APPLICABLE (also the text of the bot's "don't know" button).
NOT_APPLICABLE_LABEL = "Don't know"

#: Longer messages are never answers. A Likert answer is a few words ("I'd say a 4, mostly
#: agree" is 28 characters); a long message is a comment or a question that may merely
#: contain numbers or agreement words ("we agree on 3 of the 5 policies, but …"), and the
#: bound also keeps parsing cheap whatever a client sends (100 KB is rejected in O(1)).
MAX_ANSWER_LENGTH = 200

_PHRASES_FILE = "answer_phrases.yml"
_NEUTRAL = (LIKERT_MIN + LIKERT_MAX) // 2


def likert_label(value: AnswerValue) -> str:
    """The label of a stored answer: "Strongly disagree" … "Strongly agree", or "Don't know".

    Raises ValueError for anything that is not a valid answer (see model.is_valid_answer).
    """
    if not is_valid_answer(value):
        raise ValueError(f"not a Likert answer: {value!r}")
    if value == NOT_APPLICABLE:
        return NOT_APPLICABLE_LABEL
    return LIKERT_LABELS[int(value) - LIKERT_MIN]


# --------------------------------------------------------------------------- vocabulary


@dataclass(frozen=True)
class _Reading:
    """What one phrase says: its own `value` and the values it is consistent with."""

    value: AnswerValue
    fits: frozenset


@dataclass(frozen=True)
class Vocabulary:
    """The parser's answer vocabulary: answer_phrases.yml, checked and indexed by token tuples."""

    phrases: Mapping[tuple[str, ...], _Reading]
    longest_phrase: int
    negators: frozenset[str]
    softeners: frozenset[str]
    negated: Mapping[tuple[str, ...], int]
    fillers: frozenset[str]
    number_words: Mapping[str, int]
    out_of_range_words: frozenset[str]
    symbols: Mapping[str, str]
    known_words: frozenset[str]
    typo_targets: tuple[str, ...]
    never_correct: frozenset[str]


def _words(phrase: str) -> tuple[str, ...]:
    """A vocabulary phrase as the parser's tokens (same normalisation as messages)."""
    return tuple(_tokens(phrase))


class PhraseError(ValueError):
    """answer_phrases.yml is unusable: `problem` says why, `path` is where in the YAML (mapping
    keys and list indexes from the top) so the content gate can give the line."""

    def __init__(self, problem: str, path: tuple[object, ...] = ()) -> None:
        self.problem = problem
        self.path = path
        super().__init__(f"{_PHRASES_FILE}: {problem}")


def _value(key: object, where: str, path: tuple[object, ...]) -> AnswerValue:
    if key == NOT_APPLICABLE:
        return NOT_APPLICABLE
    if isinstance(key, bool) or not isinstance(key, int) or not is_valid_answer(key):
        raise PhraseError(f"{where}: {key!r} is not 1–5 or {NOT_APPLICABLE!r}", path)
    return key


def build_vocabulary(data: object) -> Vocabulary:
    """Check and index the parsed answer_phrases.yml; raises PhraseError naming what is wrong
    and where (used by readiness.content_set, which loads it with the other content files)."""
    if not isinstance(data, dict):
        raise PhraseError("expected a mapping at the top level")

    def section(name: str, kind: type) -> object:
        if not isinstance(data.get(name), kind):
            raise PhraseError(f"{name!r} must be a {kind.__name__}", (name,) if name in data else ())
        return data[name]

    phrases: dict[tuple[str, ...], _Reading] = {}

    def add(phrase: object, reading: _Reading, where: str, path: tuple[object, ...]) -> None:
        if not isinstance(phrase, str):  # bare yes/no in YAML are booleans
            raise PhraseError(f"{where}: {phrase!r} is not text (quote it)", path)
        words = _words(phrase)
        if not words or not all(word == "n/a" or word.isalpha() for word in words):
            raise PhraseError(f"{where}: {phrase!r} must be words, not numbers", path)
        if words in phrases:
            raise PhraseError(f"{where}: phrase {phrase!r} is listed twice", path)
        phrases[words] = reading

    for key, listed in section("answers", dict).items():
        value = _value(key, "answers", ("answers", key))
        if not isinstance(listed, list):
            raise PhraseError(f"answers {key}: must be a list of phrases", ("answers", key))
        for position, phrase in enumerate(listed):
            add(phrase, _Reading(value, frozenset({value})), f"answers {key}",
                ("answers", key, position))

    for index, group in enumerate(section("leaning", list)):
        at: tuple[object, ...] = ("leaning", index)
        if not isinstance(group, dict):
            raise PhraseError(f"leaning: {group!r} must be a mapping", at)
        value = _value(group.get("value"), "leaning", (*at, "value"))
        fits = frozenset(_value(v, "leaning fits", (*at, "fits", n))
                         for n, v in enumerate(group.get("fits", ())))
        if value not in fits:
            raise PhraseError(f"leaning {value!r} must fit its own value", (*at, "fits"))
        for position, phrase in enumerate(group.get("phrases", ())):
            add(phrase, _Reading(value, fits), f"leaning {value}", (*at, "phrases", position))

    negated: dict[tuple[str, ...], int] = {}
    for key, listed in section("negatable", dict).items():
        value = _value(key, "negatable", ("negatable", key))
        if value == NOT_APPLICABLE:
            raise PhraseError("negatable: a negation cannot mean n/a", ("negatable", key))
        for position, phrase in enumerate(listed):
            words = _words(str(phrase))
            at = ("negatable", key, position)
            if words not in phrases:
                raise PhraseError(f"negatable phrase {phrase!r} is not an answer", at)
            if words in negated:
                raise PhraseError(f"negatable phrase {phrase!r} is listed twice", at)
            negated[words] = value

    def word_set(name: str) -> frozenset[str]:
        found = set()
        for position, word in enumerate(section(name, list)):
            if not isinstance(word, str):
                raise PhraseError(f"{name}: {word!r} is not text (quote it)", (name, position))
            words = _words(word)
            if len(words) != 1:
                raise PhraseError(f"{name}: {word!r} must be one word", (name, position))
            found.add(words[0])
        return frozenset(found)

    number_words = {}
    for word, number in section("number_words", dict).items():
        words = _words(str(word))
        if len(words) != 1 or isinstance(number, bool) or not is_valid_answer(number) \
                or number == NOT_APPLICABLE:
            raise PhraseError(f"number_words: {word!r}: {number!r}", ("number_words", word))
        number_words[words[0]] = number

    symbols = {str(symbol): str(text) for symbol, text in section("symbols", dict).items()}
    negators = word_set("negators")
    softeners = word_set("negation_softeners")
    fillers = word_set("fillers")
    out_of_range = word_set("out_of_range_words")
    never_correct = word_set("never_correct")
    phrase_words = {word for words in phrases for word in words}
    known = frozenset(
        phrase_words | negators | softeners | fillers | set(number_words) | out_of_range
        | set(_FRACTION_WORDS) | set(_PERCENT_WORDS)
    )
    targets = tuple(sorted(word_set("typo_targets")))
    unknown_targets = [target for target in targets if target not in phrase_words]
    if unknown_targets:
        raise PhraseError(f"typo_targets not used in any phrase: {unknown_targets}",
                          ("typo_targets",))
    clashes = sorted(word for word in fillers if (word,) in phrases or word in negators)
    if clashes:
        raise PhraseError(f"fillers that are also answers or negators: {clashes}", ("fillers",))
    if not phrases:
        raise PhraseError("no answer phrases at all; list some under 'answers'", ("answers",))

    return Vocabulary(
        phrases=phrases,
        longest_phrase=max(len(words) for words in phrases),
        negators=negators,
        softeners=softeners,
        negated=negated,
        fillers=fillers,
        number_words=number_words,
        out_of_range_words=out_of_range,
        symbols=symbols,
        known_words=known,
        typo_targets=targets,
        never_correct=never_correct,
    )


#: Older private name, kept for tests that check the builder directly.
_build_vocabulary = build_vocabulary


# --------------------------------------------------------------------------- tokenising

#: Apostrophe and dash look-alikes, folded before tokenising; "_" (markdown _4_) is spacing.
_FOLD = str.maketrans({
    "_": " ",
    "\u2019": "'", "\u2018": "'", "\u02bc": "'", "\u0060": "'", "\u00b4": "'",
    "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-",
    "\u2015": "-", "\u2212": "-", "\ufe63": "-",
})

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

_LETTERS = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)*")

#: Marker tokens that cannot collide with words (words never contain "<").
_NEGATIVE = "<negative>"
_OTHER = "<other>"
_SLASH = "/"
_PERCENT = "%"

#: "4/5", "4 of 5", "4 out of 5"; "100%", "100 percent", "100 per cent".
_FRACTION_JOINERS = ((_SLASH,), ("of",), ("out", "of"))
_PERCENT_JOINERS = ((_PERCENT,), ("percent",), ("per", "cent"))
_FRACTION_WORDS = ("of", "out")
_PERCENT_WORDS = ("percent", "per", "cent")


def _tokens(text: str, symbols: Mapping[str, str] | None = None) -> list[str]:
    """Lower-case tokens of `text`: words without apostrophes, numbers, "/", "%", markers."""
    text = unicodedata.normalize("NFKC", text)
    for symbol, replacement in (symbols or {}).items():
        if symbol in text:
            text = text.replace(symbol, f" {replacement} ")
    text = text.casefold().translate(_FOLD)
    found = []
    for match in _TOKEN.finditer(text):
        kind = match.lastgroup
        if kind == "na":
            found.append("n/a")
        elif kind == "negative":
            found.append(_NEGATIVE)
        elif kind == "word":
            word = match.group()
            # Letters only: words with digits ("4th", "a4") and other scripts' digits are
            # nothing the vocabulary could mean.
            found.append(word.replace("'", "") if _LETTERS.fullmatch(word) else _OTHER)
        else:
            found.append(match.group())
    return found


# --------------------------------------------------------------------------- typos


def _within_one_edit(word: str, target: str) -> bool:
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


def _corrected(word: str, vocab: Vocabulary) -> str:
    """`word`, or the one typo target it is a plausible misspelling of."""
    if (
        word in vocab.known_words
        or word in vocab.never_correct
        or len(word) < 4
        or not word.isalpha()
    ):
        return word
    matches = [
        target for target in vocab.typo_targets
        if target[0] == word[0] and _within_one_edit(word, target)
    ]
    return matches[0] if len(matches) == 1 else word


# --------------------------------------------------------------------------- parsing


class _NotAnAnswer(Exception):
    """Internal: the message cannot be read as one answer."""


def _number(token: str) -> int | str:
    """The int of a number token (other tokens unchanged).

    Decimals are never answers: 3.5 lies between two answers, and "4,5" / "1,000" / "4.0"
    depend on locale conventions; asking again is cheaper than guessing.
    """
    if not token[:1].isdigit():
        return token
    if "." in token or "," in token:
        raise _NotAnAnswer
    return int(token)


def _joiner(following: list[object], joiners: tuple[tuple[str, ...], ...]) -> int:
    """How many of `following` form one of `joiners` ("out", "of"), or 0."""
    for joiner in joiners:
        if tuple(following[:len(joiner)]) == joiner:
            return len(joiner)
    return 0


def _numbers_and_words(tokens: list[str], vocab: Vocabulary) -> list[object]:
    """Resolve numbers: 1–5 for "4", "4/5", "four out of five"; "totally" for "100%".

    Out-of-range numbers, other scales ("4/10") and negative numbers raise _NotAnAnswer.
    Returns words (str) and readings (_Reading) in message order. A number word on its own
    stays a word, so that a phrase can claim it ("skip this one"); `_readings` reads it as a
    number when no phrase does.
    """
    values: list[int | str] = []
    for token in tokens:
        if token in (_NEGATIVE, _OTHER) or token in vocab.out_of_range_words:
            raise _NotAnAnswer
        values.append(_number(token))

    def as_int(value: int | str) -> int | None:
        return value if isinstance(value, int) else vocab.number_words.get(value)

    out: list[object] = []
    i = 0
    while i < len(values):
        current = as_int(values[i])
        if current is None:
            if values[i] not in (_SLASH, _PERCENT):  # a stray "/" or "%" is punctuation
                out.append(values[i])
            i += 1
            continue
        following = values[i + 1:i + 4]
        joined = _joiner(following, _FRACTION_JOINERS)
        if joined and len(following) > joined and as_int(following[joined]) is not None:
            if as_int(following[joined]) != LIKERT_MAX:
                raise _NotAnAnswer  # "4/10", "10 out of 10": another scale, never rescaled
            i += joined + 1  # skip "/" or "out of" and the 5; the numerator is read below
        elif _joiner(following, _PERCENT_JOINERS):
            if current != 100:
                raise _NotAnAnswer  # "80%": not a point on this scale
            out.append("totally")
            i += _joiner(following, _PERCENT_JOINERS) + 1
            continue
        elif isinstance(values[i], str):
            out.append(values[i])  # a number word on its own
            i += 1
            continue
        if not LIKERT_MIN <= current <= LIKERT_MAX:
            raise _NotAnAnswer  # "0", "9": never coerced to 1 or 5
        out.append(_Reading(current, frozenset({current})))
        i += 1
    return out


def _match(items: list[object], start: int, vocab: Vocabulary) -> tuple[tuple[str, ...], int]:
    """The longest vocabulary phrase at `start`, and its length (0 when none)."""
    for length in range(min(vocab.longest_phrase, len(items) - start), 0, -1):
        words = items[start:start + length]
        if all(isinstance(word, str) for word in words) and tuple(words) in vocab.phrases:
            return tuple(words), length
    return (), 0


def _readings(items: list[object], vocab: Vocabulary) -> list[_Reading]:
    """Every reading in the message; raises _NotAnAnswer at the first word it cannot place."""
    readings: list[_Reading] = []
    i = 0
    while i < len(items):
        item = items[i]
        if isinstance(item, _Reading):
            readings.append(item)
            i += 1
            continue
        phrase, length = _match(items, i, vocab)
        # A negation wins when it covers more words: "not really agree" is "not" + "agree".
        if item in vocab.negators:
            j = i + 1
            while j < len(items) and items[j] in vocab.softeners:
                j += 1
            negated_phrase, negated_length = _match(items, j, vocab)
            if negated_length and j + negated_length - i > length:
                if negated_phrase not in vocab.negated:
                    raise _NotAnAnswer  # "not neutral", "not yes": unclear
                value = vocab.negated[negated_phrase]
                readings.append(_Reading(value, frozenset({value})))
                i = j + negated_length
                continue
        if length:
            readings.append(vocab.phrases[phrase])
            i += length
        elif item in vocab.number_words:
            number = vocab.number_words[item]
            readings.append(_Reading(number, frozenset({number})))
            i += 1
        elif item in vocab.fillers:
            i += 1
        else:
            raise _NotAnAnswer  # an unknown word, or a dangling "not"
    return readings


def _combine(readings: list[_Reading]) -> AnswerValue | None:
    """One value all readings agree on, or None.

    Each reading fits a set of values; the message's value must fit all of them and be some
    reading's own value. "yes, 4" → 4; "yes, 3" → None; "yes, definitely" → 5 (when several
    values remain, all on one side of neutral, the strongest wins).
    """
    if not readings:
        return None
    shared = frozenset.intersection(*(reading.fits for reading in readings))
    candidates = {reading.value for reading in readings if reading.value in shared}
    if len(candidates) == 1:
        return candidates.pop()
    if candidates and all(value != NOT_APPLICABLE for value in candidates):
        if all(value > _NEUTRAL for value in candidates):
            return max(candidates)
        if all(value < _NEUTRAL for value in candidates):
            return min(candidates)
    return None


def _live_vocabulary() -> Vocabulary:
    """The current content set's vocabulary (imported late: the content gate imports us)."""
    from readiness.live_content import current_content

    return current_content().vocabulary


def parse_answer(text: str, vocabulary: Vocabulary | None = None) -> AnswerValue | None:
    """The Likert answer in a free-text message: 1–5, NOT_APPLICABLE, or None (ask again).

    `vocabulary` defaults to the live content's (answer_phrases.yml of the current content
    set). Never raises. None means "not an answer": empty, too long (> MAX_ANSWER_LENGTH), an
    unknown word, a number outside 1–5 or on another scale, a fraction like 3.5, a
    negation it cannot read, or two different values ("3 or 4", "agree, disagree").
    """
    if not isinstance(text, str) or len(text) > MAX_ANSWER_LENGTH:
        return None
    vocab = vocabulary if vocabulary is not None else _live_vocabulary()
    try:
        tokens = [_corrected(token, vocab) for token in _tokens(text, vocab.symbols)]
        items = _numbers_and_words(tokens, vocab)
        return _combine(_readings(items, vocab))
    except _NotAnAnswer:
        return None
