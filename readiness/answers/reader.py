"""The rules that read a message with the vocabulary: phrases, numbers, negation, degree words,
comparatives, echoes of the statement, typos, and how sure the reading is.

A message is a sequence of readings (each a PhraseReading: a value and the values it fits),
fillers, and nothing else; `combine` finds the one value they agree on. Certainty is a property
of the whole message: certain only when every word is accounted for, no hedge was used and the
value comes from a phrase that may be stored on its own.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import Mapping

from readiness.answers.tokens import (
    FRACTION_JOINERS, NEGATIVE, OTHER, PERCENT, PERCENT_JOINERS, SLASH, tokens, within_one_edit,
)
from readiness.answers.vocabulary import NEUTRAL, Degree, PhraseReading, Vocabulary
from readiness.model import LIKERT_MAX, LIKERT_MIN, NOT_APPLICABLE, AnswerValue

#: Messages with more unknown words than this are comments, not answers with an aside.
MAX_EXTRA_WORDS = 3

#: Messages with more words than this are comments, not answers (and the bound keeps reading
#: cheap even when NFKC turns 200 characters into thousands, e.g. U+FDFA).
MAX_WORDS = 24
#: Characters after NFKC normalisation beyond which a message is not read at all.
MAX_NORMALISED = 400

#: Not agreeing is disagreeing; not strongly agreeing still agrees (mirror images).
_NEGATION = {4: 2, 2: 4, 5: 4, 1: 2}


class NotAnAnswer(Exception):
    """Internal: the message cannot be read as one answer."""


def _single(value: int, rule: str, certain: bool = True, hedge: bool = False) -> PhraseReading:
    return PhraseReading(value, frozenset({value}), certain=certain, hedge=hedge, rule=rule)


# --------------------------------------------------------------------------- statement words

#: Words of a statement that are never its key word (function words, people, quantities).
_FUNCTION_WORDS = frozenset("""
    about above after again against also been before being below between both could does doing
    down during each every from further have having here into itself just more most much must
    only other ours over same should some such than that their them then there these they this
    those through under until very were what when where which while whom with within would your
    able ones need needs used uses using use something nobody anyone everyone staff people
    patient patients tool tools system systems organisation organization hospital clinical
""".split())

#: A key word right after one of these is the respondent's own state ("I am worried", "I feel
#: prepared"): a matter of degree, so "not worried" is a plain 2. A negated fact ("not
#: monitored" to "… is monitored") is a plain no: 1.
_PERSONAL = frozenset({"i", "am", "feel", "im", "find"})

#: A key word right after one of these describes the respondent ("I am worried", "I feel
#: prepared", "I know"): repeating it alone is agreement. Other key words need a modifier.
_EXPERIENCER = frozenset({"i", "am", "feel", "is", "are", "be", "find", "we", "was", "im"})


class StatementWords(dict):
    """Key word → whether repeating it alone agrees. `personal`: key words naming the
    respondent's own state at the statement's start ("I am worried", "I feel prepared"), whose
    negation is a plain 2; `role`: words after "I" later on ("the models I build"), which
    presuppose a role: "I don't build models" means the statement does not apply; `plain`:
    every word of the statement, neutral in an answer that repeats it ("total black box")."""

    personal: frozenset[str] = frozenset()
    role: frozenset[str] = frozenset()
    plain: frozenset[str] = frozenset()
    #: Key words after a negative word of the statement ("… so nobody needs a separate login",
    #: "… without asking the staff"): repeating them may mean the opposite, so never certain.
    inverted: frozenset[str] = frozenset()


#: Words of a statement after which its key words are negated.
_STATEMENT_NEGATIONS = frozenset({"without", "not", "no", "nobody", "never", "cannot", "cant",
                                  "none", "neither", "nor", "nothing", "lack", "lacks"})

#: The main clause is the first few words: "I feel adequately involved …".
_OPENING = 4
#: Words after which "I" opens a clause of its own, not a relative one ("If I noticed …").
_CLAUSE_OPENERS = frozenset({"if", "and", "or", "when", "that", "so", "but", "how", "whom",
                             "where", "what", "because", "as", "know"})


@lru_cache(maxsize=512)
def statement_words(text: str) -> Mapping[str, bool]:
    """Key words of a statement → whether repeating the word alone is a certain agreement.

    Generic, no per-item lists: content words of four letters or more that are not function
    words or acronyms (EHR, FDA: terms people ask about), with a note of the words that follow
    "I am / I feel / we are …" (adjectives and verbs describing the respondent).
    """
    found: dict[str, bool] = {}
    personal: set[str] = set()
    role: set[str] = set()
    plain: set[str] = set()
    inverted: set[str] = set()
    negated = False
    previous = ""
    before_previous = ""
    relative = False  # the last "I" began a relative clause: "the models I build"
    for index, match in enumerate(re.finditer(r"[^\W\d_]+(?:'[^\W\d_]+)*", text)):
        raw = match.group()
        word = raw.casefold().replace("'", "")
        plain.add(word)
        negated = negated or word in _STATEMENT_NEGATIONS
        if negated:
            inverted.add(word)
        if word == "i":
            # "If I noticed …" supposes too: not the respondent's own state
            relative = previous == "if" or bool(previous) and previous not in _CLAUSE_OPENERS \
                and not any(mark in text[max(0, match.start() - 2):match.start()] for mark in ",;:")
        after_ly = previous.endswith("ly") and before_previous in _EXPERIENCER
        describes = previous in _EXPERIENCER or after_ly
        if relative and (previous == "i" or (after_ly and before_previous == "i")):
            role.add(word)  # "the tools I use", "the models I build": presupposed
            describes = False
        elif index <= _OPENING and (previous in _PERSONAL or (after_ly and before_previous in _PERSONAL)):
            personal.add(word)
        if len(word) >= 4 and word not in _FUNCTION_WORDS and not (raw.isupper() and len(raw) > 1):
            found[word] = found.get(word, False) or describes
        before_previous, previous = previous, word
    result = StatementWords(found)
    result.personal = frozenset(personal)
    result.role = frozenset(role)
    result.plain = frozenset(plain)
    result.inverted = frozenset(inverted)
    return result


def _inflection_of(word: str, key: str) -> bool:
    if word == key:
        return True
    shared = 0
    for a, b in zip(word, key):
        if a != b:
            break
        shared += 1
    return shared >= 4 and shared >= min(len(word), len(key)) - 2


def _echo_key(word: object, keywords: Mapping[str, bool], vocab: Vocabulary) -> str | None:
    """The key word `word` repeats (inflections and listed synonyms count), or None."""
    if not keywords or not isinstance(word, str) \
            or (len(word) < 4 and not (vocab.synonyms and word in vocab.synonyms)) \
            or (word,) in vocab.phrases \
            or word in vocab.fillers or word in vocab.negators:
        return None
    if word in keywords:
        return word
    family = vocab.synonyms.get(word, ()) if vocab.synonyms else ()
    for key in keywords:
        if _inflection_of(word, key) or any(_inflection_of(key, member) for member in family):
            return key
    return None


def _inverted(word: object, keywords: Mapping[str, bool], vocab: Vocabulary) -> bool:
    """True when `word` repeats a key word the statement negates (see StatementWords)."""
    inverted = getattr(keywords, "inverted", ())
    return bool(inverted) and _echo_key(word, keywords, vocab) in inverted


def _echo(word: object, keywords: Mapping[str, bool], vocab: Vocabulary) -> bool | None:
    """None when `word` does not repeat a key word, else whether repeating it alone is certain.
    Inflections count ("worry" / "worried", "confidence" / "confident"), and so do synonyms
    listed in answer_phrases.yml ("concerned" for "worried", "ready" for "prepared")."""
    key = _echo_key(word, keywords, vocab)
    return None if key is None else keywords[key]


def _negative_echo(word: object, keywords: Mapping[str, bool], vocab: Vocabulary) -> str | None:
    """The key word `word` negates with a prefix ("unprepared", "uninvolved"), or None."""
    if not keywords or not isinstance(word, str):
        return None
    for prefix in vocab.negative_prefixes:
        if word.startswith(prefix) and len(word) - len(prefix) >= 4:
            key = _echo_key(word[len(prefix):], keywords, vocab)
            if key is not None:
                return key
    return None


# --------------------------------------------------------------------------- words and numbers


def corrected(word: str, vocab: Vocabulary) -> str:
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
        if target[0] == word[0] and within_one_edit(word, target)
    ]
    return matches[0] if len(matches) == 1 else word


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
    for token in found:
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
            if current != 100:
                raise NotAnAnswer  # "80%": not a point on this scale
            out.append("totally")
            i += _joiner(following, PERCENT_JOINERS) + 1
            continue
        elif isinstance(values[i], str):
            out.append(values[i])
            i += 1
            continue
        if not LIKERT_MIN <= current <= LIKERT_MAX:
            raise NotAnAnswer  # "0", "9": never coerced to 1 or 5
        out.append(_single(current, "number"))
        i += 1
    return out


# --------------------------------------------------------------------------- readings


def _phrase(items: list[object], start: int, vocab: Vocabulary) -> tuple[tuple[str, ...], int]:
    """The longest vocabulary phrase at `start`, and its length (0 when none)."""
    for length in range(min(vocab.longest_phrase, len(items) - start), 0, -1):
        words = items[start:start + length]
        if all(isinstance(word, str) for word in words) and tuple(words) in vocab.phrases:
            return tuple(words), length  # type: ignore[return-value]
    return (), 0


def _degree(items: list[object], start: int, vocab: Vocabulary) -> tuple[Degree | None, int]:
    for length in range(min(vocab.longest_degree, len(items) - start), 0, -1):
        words = items[start:start + length]
        if all(isinstance(word, str) for word in words) and tuple(words) in vocab.degrees:
            return vocab.degrees[tuple(words)], length  # type: ignore[index]
    return None, 0


def _head(items: list[object], start: int, vocab: Vocabulary,
          keywords: Mapping[str, bool]) -> tuple[int, int]:
    """(polarity, length) of a head at `start`: a polar phrase ("agree", "false", "there") or a
    word echoing the statement ("worried" for "I am worried …"); (0, 0) when none."""
    phrase, length = _phrase(items, start, vocab)
    if length and vocab.phrases[phrase].polarity:
        return vocab.phrases[phrase].polarity, length
    if start < len(items) and _echo(items[start], keywords, vocab) is not None:
        if _inverted(items[start], keywords, vocab):
            return -1, 1  # "always ask us" to "… without asking": the statement negates it
        return 1, 1
    if start < len(items) and _negative_echo(items[start], keywords, vocab) is not None:
        return -1, 1
    if start == len(items) - 1 and items[start] in vocab.negators:
        return -1, 1  # "usually not", "mostly not": a degree of no
    return 0, 0


#: The heads of the scale's own labels ("somewhat agree", "slightly disagree").
_LABEL_HEADS = frozenset({("agree",), ("disagree",)})


def _graded(items: list[object], start: int, vocab: Vocabulary,
            keywords: Mapping[str, bool]) -> tuple[PhraseReading | None, int]:
    """A degree word and the head it grades: "mostly false" = 2, "very much disagree" = 1,
    "rarely true" = 2, "kind of agree" = 4 (a hedge: proposed, not stored)."""
    degree, length = _degree(items, start, vocab)
    if degree is None:
        return None, 0
    polarity, head = _head(items, start + length, vocab, keywords)
    if not polarity:
        return None, 0
    # "they always ask us" to "… bought without asking the staff": 1, but a judgement call
    inverted = head == 1 and _inverted(items[start + length], keywords, vocab)
    value = degree.value if polarity > 0 else LIKERT_MAX + LIKERT_MIN - degree.value
    if degree.hedge or degree.lean:  # "kind of agree" fits 3–5: "neutral, leaning agree" is 3
        fits = frozenset(v for v in (value - 1, value, value + 1) if LIKERT_MIN <= v <= LIKERT_MAX)
        return PhraseReading(value, fits, hedge=degree.hedge, rule="degree",
                             certain=not inverted), length + head
    if inverted:
        return _single(value, "inverted echo", certain=False), length + head
    if tuple(items[start:start + length]) in vocab.label_degrees \
            and tuple(items[start + length:start + length + head]) not in _LABEL_HEADS:
        return _single(value, "degree", certain=False), length + head  # "somewhat true"
    return _single(value, "degree"), length + head


def _comparative(items: list[object], start: int, vocab: Vocabulary,
                 keywords: Mapping[str, bool]) -> tuple[PhraseReading | None, int]:
    """"more yes than no" = 4, "more disagree than agree" = 2 (the two sides must differ)."""
    more, than = vocab.comparative
    if items[start] != more:
        return None, 0
    first, length = _head(items, start + 1, vocab, keywords)
    at = start + 1 + length
    if not first or at >= len(items) or items[at] != than:
        return None, 0
    if at + 1 < len(items) and items[at + 1] in vocab.negators:
        second, other = -first, 1  # "more agree than not"
    else:
        second, other = _head(items, at + 1, vocab, keywords)
    if second != -first:
        return None, 0
    return _single(4 if first > 0 else 2, "comparative"), at + 1 + other - start


def _negated_at(items: list[object], j: int, vocab: Vocabulary, keywords: Mapping[str, bool],
                softened: bool = False) -> tuple[PhraseReading | None, int, bool]:
    """What "not" negates when it starts at `j`: (reading, length, readable)."""
    best: PhraseReading | None = None
    best_length = 0
    readable = True
    phrase, length = _phrase(items, j, vocab)
    if length:
        reading = vocab.phrases[phrase]
        if phrase in vocab.negated:
            best, best_length = _single(vocab.negated[phrase], "negation"), length
        elif reading.negatable:
            best = _single(_NEGATION[int(reading.value)], "negation", certain=reading.certain)
            best_length = length
        else:
            best_length, readable = length, False
    graded, length = _graded(items, j, vocab, keywords)
    if graded is not None and length > best_length:
        degree_words = tuple(items[j:j + length - 1])
        listed = vocab.negated.get(degree_words)  # type: ignore[arg-type]
        value = listed if listed is not None else _NEGATION.get(int(graded.value))
        if value is None:  # "not partly true": unclear
            return None, length, False
        # "not very confident" (listed) is clear; "not completely true" is a judgement call
        best = _single(value, "negation", certain=listed is not None and not graded.hedge)
        best_length, readable = length, True
    if best_length == 0 and j < len(items):
        degree, length = _degree(items, j, vocab)
        at_all = _at_all(items, j, vocab)
        key = _echo_key(items[j], keywords, vocab)
        if key is None and items[j] in getattr(keywords, "role", ()):
            key = items[j]  # "I don't run any": short role verbs count too
        if key is not None and key in getattr(keywords, "inverted", ()):
            raise NotAnAnswer  # "not …" of a word the statement already negates: unclear
        if key is not None:
            best, best_length = _negated_echo(key, keywords, softened), 1
        elif at_all and j + at_all < len(items) and _echo(items[j + at_all], keywords, vocab) is not None:
            best, best_length = _single(1, "negated echo"), at_all + 1  # "not at all involved"
        elif degree is not None and degree.value == LIKERT_MAX:
            # "not strongly", "not completely": agreement short of the extreme, probably
            best, best_length = _single(4, "negated degree", certain=False), length
    return best, best_length, readable


def _at_all(items: list[object], start: int, vocab: Vocabulary) -> int:
    """Length of "at all" / "whatsoever" at `start` (0 when none)."""
    for phrase in vocab.at_all:
        if tuple(items[start:start + len(phrase)]) == phrase:
            return len(phrase)
    return 0


def _negated_echo(key: str, keywords: Mapping[str, bool], softened: bool = False) -> PhraseReading:
    """"not worried" to "I am worried …" is 2; "not monitored" to "… is monitored" denies a
    fact: 1 ("not really monitored": 2); "I don't build models" to "the models I build are
    tested": the statement does not apply (proposed)."""
    if key in getattr(keywords, "role", ()):
        return PhraseReading(NOT_APPLICABLE, frozenset({NOT_APPLICABLE}), certain=False, rule="role")
    if key in getattr(keywords, "personal", ()) or softened:
        return _single(2, "negated echo")
    return PhraseReading(1, frozenset({1, 2}), rule="negated fact")


def _negation(items: list[object], start: int, vocab: Vocabulary,
              keywords: Mapping[str, bool]) -> tuple[PhraseReading | None, int, bool]:
    """"not" + softeners + what it negates: (reading, length, readable).

    By rule, not by listing negated phrases: any polar phrase, graded head or statement echo is
    mirrored (not agree = 2, not disagree = 4, not strongly agree = 4, not worried = 2); the
    `negatable` section lists the exceptions ("not always" = 3); "… at all" makes 2 into 1.
    `readable` is False when the negated words are an answer the rule cannot negate
    ("not neutral", "not yes"). Softeners may sit between ("I don't really agree", "I can't
    say I agree"); the longest reading wins ("I don't think so" negates "think so").
    """
    best: tuple[PhraseReading | None, int, bool] = (None, 0, True)
    j = start + 1
    while True:
        reading, length, readable = _negated_at(items, j, vocab, keywords, j > start + 1)
        total = j + length - start
        if length and (total > best[1] or total == best[1] and reading is not None
                       and reading.certain and (best[0] is None or not best[0].certain)):
            best = (reading, j + length - start, readable)
        if j >= len(items) or items[j] not in vocab.softeners:
            break
        j += 1
    reading, length, readable = best
    if reading is None:
        rest = items[start + 1:]
        if start > 0 and all(isinstance(w, str) and (w in vocab.fillers or w in vocab.softeners)
                             for w in items[:start] + rest):
            # "we don't", "I'm not", "I wouldn't say that": a bare no, after a subject
            return _single(2, "bare negation"), len(items) - start, True
        return best
    end = start + length
    if reading.rule == "role" and all(isinstance(w, str) and (w,) not in vocab.phrases
                                      and w not in vocab.negators for w in items[end:]):
        end = len(items)  # "I don't build models", "… any AI systems": the rest says what
    at_all = _at_all(items, end, vocab)
    if at_all and reading.value in (1, 2):  # "not true at all", "no confidence whatsoever"
        certain = reading.certain
        reading, end = _single(1, reading.rule, certain=certain), end + at_all
    return reading, end - start, True


#: After these, "one" is a pronoun: "there is one", "we have one", "every one".
_PRONOUN_ONE = frozenset({"is", "have", "has", "was", "got", "there", "every", "each", "no", "any",
                          "the", "this", "that", "which", "theres", "its"})


def readings(items: list[object], vocab: Vocabulary, keywords: Mapping[str, bool],
             lenient: bool) -> tuple[list[PhraseReading], int]:
    """Every reading in the message and the number of words it could not place.

    Strict (`lenient` False) raises NotAnAnswer at the first word it cannot place; lenient
    skips unknown words (the caller proposes, never stores, such a reading). A dangling "not"
    or a question word is never skipped.
    """
    found: list[PhraseReading] = []
    unknown = 0
    i = 0
    while i < len(items):
        item = items[i]
        if isinstance(item, PhraseReading):
            found.append(item)
            i += 1
            continue
        phrase, length = _phrase(items, i, vocab)
        choice: PhraseReading | None = None
        if item in vocab.negators or (item == "no" and i + 1 < len(items) and (
                _echo(items[i + 1], keywords, vocab) is not None)):
            negated, negated_length, readable = _negation(items, i, vocab, keywords)
            if negated_length > length:
                if not readable or negated is None:
                    raise NotAnAnswer  # "not neutral", "not yes": unclear
                choice, length = negated, negated_length
        for rule in (_graded, _comparative):
            reading, rule_length = rule(items, i, vocab, keywords)
            if reading is not None and rule_length > length:
                choice, length = reading, rule_length
        if choice is None and length:
            choice = vocab.phrases[phrase]
            if choice.value == NOT_APPLICABLE and any(
                    _echo(word, keywords, vocab) is not None or word in keywords for word in phrase):
                # "I don't know" to "I know how to report …": maybe a 1, maybe don't know
                choice = _single(NOT_APPLICABLE, "ambiguous echo", certain=False)
        if choice is not None:
            found.append(choice)
            i += length
        elif item in vocab.number_words:
            previous = items[i - 1] if i else None
            if item == "one" and previous in _PRONOUN_ONE:
                i += 1  # "there is one", "we have one": a pronoun, not the answer 1
                continue
            # "one" is also a pronoun or a count ("one, I think" to "incidents have been
            # reported"): certain only alone or as "a one"
            alone = item != "one" or len(items) == 1 or previous in ("a", "an")
            found.append(_single(vocab.number_words[item], "number", certain=alone))  # type: ignore[index]
            i += 1
        elif item in vocab.fillers:
            i += 1
        elif (alone := _echo(item, keywords, vocab)) is not None:
            if _inverted(item, keywords, vocab):
                raise NotAnAnswer  # the statement negates it: the echo may mean either side
            found.append(PhraseReading(4, frozenset({4, 5}), certain=alone, rule="echo"))
            i += 1
        elif (key := _negative_echo(item, keywords, vocab)) is not None:
            found.append(_negated_echo(key, keywords))  # "unprepared" to "I feel prepared"
            i += 1
        elif item in vocab.elaborations and found and len(items) - i <= 4:
            break  # "yes, via the intranet": an aside saying how, after the answer
        elif isinstance(item, str) and item in getattr(keywords, "plain", ()) \
                and item not in vocab.question_words and item not in vocab.negators:
            i += 1  # a word of the statement itself: "total black box" to "… a black box"
        elif lenient and item not in vocab.negators and item not in vocab.question_words:
            unknown += 1
            i += 1
        else:
            raise NotAnAnswer  # an unknown word, or a dangling "not"
    return found, unknown


def combine(found: list[PhraseReading]) -> tuple[AnswerValue | None, PhraseReading | None]:
    """One value all readings agree on (and the reading that gave it), or (None, None).

    Each reading fits a set of values; the message's value must fit all of them and be some
    reading's own value. "yes, 4" → 4; "yes, 3" → None; "yes, definitely" → 5 (when several
    values remain, all on one side of neutral, the strongest wins).
    """
    if not found:
        return None, None
    shared = frozenset.intersection(*(reading.fits for reading in found))
    candidates = {reading.value for reading in found if reading.value in shared}
    value: AnswerValue | None = None
    if len(candidates) == 1:
        value = candidates.pop()
    elif candidates and all(v != NOT_APPLICABLE for v in candidates):
        if all(v > NEUTRAL for v in candidates):
            value = max(candidates)
        elif all(v < NEUTRAL for v in candidates):
            value = min(candidates)
    if value is None:
        return None, None
    sources = [reading for reading in found if reading.value == value]
    return value, next((r for r in sources if r.certain), sources[0])


def _spelled(found: list[str], vocab: Vocabulary) -> list[str]:
    """Tokens with aliases expanded ("y" → "yes", "probs" → "probably"), letters typed over and
    over squeezed ("yesss", "noooo") and one-edit typos corrected."""
    out: list[str] = []
    for token in found:
        if token not in vocab.known_words and len(token) > 2 and _REPEATS.search(token):
            for squeezed in (_REPEATS.sub(r"\1", token), _REPEATS.sub(r"\1\1", token)):
                if squeezed in vocab.known_words or squeezed in vocab.aliases:
                    token = squeezed
                    break
        meant = vocab.aliases.get(token) if vocab.aliases else None
        if meant is not None:
            out.extend(meant)
        else:
            out.append(corrected(token, vocab))
    return out


_REPEATS = re.compile(r"([^\W\d_])\1{2,}")


def _last_correction(items: list[object], vocab: Vocabulary) -> int:
    """Index just after the last self-correction ("4, sorry 2", "agree - no wait, disagree"),
    or 0 when there is none."""
    after = 0
    for start in range(len(items)):
        for phrase in vocab.corrections:
            if tuple(items[start:start + len(phrase)]) == phrase and start + len(phrase) > after:
                after = start + len(phrase)
    return after if after < len(items) else 0


def _strict(items: list[object], keywords: Mapping[str, bool], vocab: Vocabulary
            ) -> tuple[AnswerValue | None, bool, str]:
    """The certain reading of `items` alone (no unknown words), or (None, False, "")."""
    try:
        found, _ = readings(items, vocab, keywords, lenient=False)
    except NotAnAnswer:
        return None, False, ""
    value, source = combine(found)
    if value is None or source is None:
        return None, False, ""
    return value, source.certain and not any(r.hedge for r in found), source.rule


#: The first clause of a longer message: "I strongly disagree, nobody here has ever …".
_LEAD = re.compile(r"^\s*([^,;:.!?()\u2013\u2014]{1,40}?)\s*(?:[,;:.!?()\u2013\u2014]|\s-\s|\s+but\s)")


def _lead_answer(text: str, keywords: Mapping[str, bool], vocab: Vocabulary) -> AnswerValue | None:
    """The answer a message opens with before a comment, when that clause alone is certain."""
    match = _LEAD.match(text)
    if match is None:
        return None
    try:
        items = numbers_and_words(_spelled(tokens(match.group(1), vocab.symbols), vocab), vocab)
    except NotAnAnswer:
        return None
    value, certain, _ = _strict(items, keywords, vocab)
    return value if certain else None


def _not_knowing_whom(items: list[object], keywords: Mapping[str, bool], vocab: Vocabulary
                      ) -> AnswerValue | None:
    """"no idea who", "not sure where they are" to a statement about knowing whom to tell or
    where to find something: 1 (not knowing is the answer, not "don't know")."""
    if not any(_echo_key("know", {key: True}, vocab) for key in keywords):
        return None
    for at, item in enumerate(items):
        if isinstance(item, str) and item in vocab.question_words:
            if item in ("how", "where", "who", "whom", "which", "what", "when") and at:
                value, certain, _ = _strict(items[:at], keywords, vocab)
                if value == NOT_APPLICABLE:
                    return 1
            return None
    return None


def read(text: str, keywords: Mapping[str, bool], vocab: Vocabulary) -> tuple[AnswerValue | None, bool, str]:
    """(value, certain, rule) for a message already checked for length and type."""
    stripped = text.strip()
    if stripped.startswith("/"):
        return None, False, "command"
    asking = stripped.endswith("?")
    if asking:
        # "EHR?", "worried?": a question, even when it repeats the statement; only a message
        # that is wholly answer vocabulary ("4?") is still read, and only proposed.
        keywords = {}
    if len(unicodedata.normalize("NFKC", text)) > MAX_NORMALISED:
        return None, False, "too many words"
    found_tokens = tokens(text, vocab.symbols)
    if len(found_tokens) > MAX_WORDS:
        return None, False, "too many words"
    if asking and found_tokens and found_tokens[0] in vocab.question_openers:
        return None, False, "question"  # "is 5 strongly agree?", "does 4 mean agree?"
    try:
        items = numbers_and_words(_spelled(found_tokens, vocab), vocab)
    except NotAnAnswer:
        return None, False, "not an answer"
    try:
        found, unknown = readings(items, vocab, keywords, lenient=False)
    except NotAnAnswer:
        if asking:
            return None, False, "question"
        try:
            found, unknown = readings(items, vocab, keywords, lenient=True)
        except NotAnAnswer:
            found, unknown = [], 0
        unknowing = _not_knowing_whom(items, keywords, vocab)
        if unknowing is not None:
            return unknowing, True, "not knowing"
        if unknown > MAX_EXTRA_WORDS or not found:
            lead = _lead_answer(text, keywords, vocab)
            if lead is not None:
                return lead, False, "lead answer"
            return None, False, "not an answer"
    value, source = combine(found)
    if value is None and len(found) > 1:
        after = _last_correction(items, vocab)
        if after:  # "4, sorry 2": the last answer counts
            value, certain, _ = _strict(items[after:], keywords, vocab)
            if value is not None:
                return value, certain and not unknown and not asking, "correction"
    if value is None and not found and not unknown:
        words = set(item for item in items if isinstance(item, str))
        if words & vocab.subjects and words & vocab.auxiliaries:
            return 4, not asking, "bare affirmation"  # "we do", "it is", "yes we have"
    if value is None or source is None:
        return None, False, "not an answer" if not found else "contradiction"
    if unknown:
        return value, False, "extra words"
    if any(reading.hedge for reading in found):
        return value, False, "hedge"
    if asking:
        return value, False, "question"  # "4?": perhaps; ask to confirm
    if keywords and vocab.frequency_words and not vocab.frequency_words.isdisjoint(keywords) \
            and any(isinstance(item, str) and item in vocab.frequency_words for item in items):
        return value, False, "frequency"  # "often" to "staff sometimes use …": relative
    return value, source.certain, source.rule
