"""How vocabulary phrases compose: degree words on a head ("mostly false", "very much disagree"),
comparatives ("more yes than no"), and negation of any polar phrase, graded head or echo of the
statement ("not agree", "not very confident", "not worried at all").

Why a module of its own: these rules read a stretch of words starting at one position and
return one PhraseReading for it; they know nothing of the whole message (unknown words, hedges,
corrections, questions), which readiness.answers.reader decides. Keeping them apart keeps each
rule in one place and both modules small.
"""

from __future__ import annotations

from typing import Mapping

from readiness.answers.echoes import echo, echo_key, inverted_echo, negative_echo
from readiness.answers.vocabulary import NEUTRAL, Degree, PhraseReading, Vocabulary
from readiness.model import LIKERT_MAX, LIKERT_MIN, NOT_APPLICABLE

#: Not agreeing is disagreeing; not strongly agreeing still agrees (mirror images).
_NEGATION = {4: 2, 2: 4, 5: 4, 1: 2}


class NotAnAnswer(Exception):
    """Internal: the message cannot be read as one answer."""


def single(value: int, rule: str, certain: bool = True, hedge: bool = False) -> PhraseReading:
    """A reading that fits its own value only (a number, a negation, a graded head)."""
    return PhraseReading(value, frozenset({value}), certain=certain, hedge=hedge, rule=rule)


def phrase_at(items: list[object], start: int, vocab: Vocabulary) -> tuple[tuple[str, ...], int]:
    """The longest vocabulary phrase at `start`, and its length (0 when none)."""
    found = _longest_at(items, start, vocab.phrases, vocab.phrase_firsts)
    return (found, len(found)) if found else ((), 0)


def _longest_at(items: list[object], start: int, keys: Mapping[tuple[str, ...], object],
                firsts: Mapping[str, int]) -> tuple[str, ...]:
    """The longest key of `keys` (word tuples) at `start`; () when none. Only lengths a key
    starting with that word has are tried, and only over plain words."""
    first = items[start] if start < len(items) else None
    if not isinstance(first, str) or first not in firsts:
        return ()
    end = start + 1
    limit = min(len(items), start + firsts[first])
    while end < limit and isinstance(items[end], str):
        end += 1
    for stop in range(end, start, -1):
        words = tuple(items[start:stop])
        if words in keys:
            return words  # type: ignore[return-value]
    return ()


def _degree(items: list[object], start: int, vocab: Vocabulary) -> tuple[Degree | None, int]:
    found = _longest_at(items, start, vocab.degrees, vocab.degree_firsts)
    return (vocab.degrees[found], len(found)) if found else (None, 0)


def _head(items: list[object], start: int, vocab: Vocabulary,
          keywords: Mapping[str, bool]) -> tuple[int, int]:
    """(polarity, length) of a head at `start`: a polar phrase ("agree", "false", "there") or a
    word echoing the statement ("worried" for "I am worried …"); (0, 0) when none."""
    phrase, length = phrase_at(items, start, vocab)
    if length and vocab.phrases[phrase].polarity:
        return vocab.phrases[phrase].polarity, length
    if start < len(items) and echo(items[start], keywords, vocab) is not None:
        if inverted_echo(items[start], keywords, vocab):
            return -1, 1  # "always ask us" to "… without asking": the statement negates it
        return 1, 1
    if start < len(items) and negative_echo(items[start], keywords, vocab) is not None:
        return -1, 1
    if start == len(items) - 1 and items[start] in vocab.negators:
        return -1, 1  # "usually not", "mostly not": a degree of no
    return 0, 0


#: The heads of the scale's own labels ("somewhat agree", "slightly disagree").
_LABEL_HEADS = frozenset({("agree",), ("disagree",)})
_ARTICLES = frozenset({"a", "an"})


def _mild_label(items: list[object], at: int, head: int, vocab: Vocabulary,
                keywords: Mapping[str, bool]) -> bool:
    """True when a hedge grades the scale's own label ("kind of agree", "sort of disagree") or
    the respondent's own state the statement names ("a bit worried" to "I am worried …"):
    hedged agreement is still agreement, the mildest on the scale (4 or 2), not a guess."""
    if tuple(items[at:at + head]) in _LABEL_HEADS:
        return True
    if head != 1:
        return False
    key = echo_key(items[at], keywords, vocab)
    return key is not None and key in getattr(keywords, "personal", ())


def graded_at(items: list[object], start: int, vocab: Vocabulary,
            keywords: Mapping[str, bool]) -> tuple[PhraseReading | None, int]:
    """A degree word and the head it grades: "mostly false" = 2, "very much disagree" = 1,
    "rarely true" = 2, "kind of true" = 4 (a hedge: proposed, not stored; on a scale label
    or the respondent's own state, "kind of agree", the mildest value, stored)."""
    degree, length = _degree(items, start, vocab)
    if degree is None:
        return None, 0
    if degree.lean and start + length < len(items) and items[start + length] in _ARTICLES:
        length += 1  # "more of a yes", "more like a 4"
    if degree.lean and start + length < len(items):
        number = items[start + length]
        if isinstance(number, PhraseReading) and number.rule == "number":
            value = int(number.value)  # "closer to 2", "more like a 4": that number, roughly
            fits = frozenset(v for v in (value - 1, value, value + 1) if LIKERT_MIN <= v <= LIKERT_MAX)
            return PhraseReading(value, fits, rule="leaning"), length + 1
    polarity, head = _head(items, start + length, vocab, keywords)
    if not polarity:
        return None, 0
    # "they always ask us" to "… bought without asking the staff": 1, but a judgement call
    inverted = head == 1 and inverted_echo(items[start + length], keywords, vocab)
    value = degree.value if polarity > 0 else LIKERT_MAX + LIKERT_MIN - degree.value
    if degree.hedge and not inverted and _mild_label(items, start + length, head, vocab, keywords):
        return single(value, "degree"), length + head  # "kind of agree" = 4, "kinda worried" = 4
    if degree.hedge or degree.lean:  # "kind of true" fits 3–5: "neutral, leaning agree" is 3
        fits = frozenset(v for v in (value - 1, value, value + 1) if LIKERT_MIN <= v <= LIKERT_MAX)
        return PhraseReading(value, fits, hedge=degree.hedge, rule="degree",
                             certain=not inverted), length + head
    if inverted:
        return single(value, "inverted echo", certain=False), length + head
    if tuple(items[start:start + length]) in vocab.label_degrees \
            and tuple(items[start + length:start + length + head]) not in _LABEL_HEADS:
        return single(value, "degree", certain=False), length + head  # "somewhat true"
    return single(value, "degree"), length + head


def comparative_at(items: list[object], start: int, vocab: Vocabulary,
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
    return single(4 if first > 0 else 2, "comparative"), at + 1 + other - start


def _negated_at(items: list[object], j: int, vocab: Vocabulary, keywords: Mapping[str, bool],
                softened: bool = False) -> tuple[PhraseReading | None, int, bool]:
    """What "not" negates when it starts at `j`: (reading, length, readable)."""
    best: PhraseReading | None = None
    best_length = 0
    readable = True
    at_all = _at_all(items, j, vocab)
    if at_all and j + at_all < len(items):
        # "not a bit worried", "not at all true": the extreme, before any hedge ("a bit") reads
        if echo(items[j + at_all], keywords, vocab) is not None:
            return single(1, "negated echo"), at_all + 1, True
        polarity, head = _head(items, j + at_all, vocab, keywords)
        if polarity > 0:
            return single(1, "negation"), at_all + head, True
    phrase, length = phrase_at(items, j, vocab)
    if length and phrase in vocab.whole_degrees and not vocab.phrases[phrase].negatable:
        length = 0  # "not completely", "not fully": a degree of the whole (below), not "no"
    if length:
        reading = vocab.phrases[phrase]
        if phrase in vocab.negated:
            best, best_length = single(vocab.negated[phrase], "negation"), length
        elif reading.negatable:
            # "not strongly agree" keeps its label (4); "not exactly", "not absolutely" deny an
            # emphatic yes without saying how far: a judgement, proposed
            emphatic = int(reading.value) == 5 and not any(
                getattr(vocab.phrases.get((word,)), "polarity", 0) for word in phrase)
            best = single(_NEGATION[int(reading.value)], "negation", certain=reading.certain and not emphatic)
            best_length = length
        else:
            best_length, readable = length, False
    graded, length = graded_at(items, j, vocab, keywords)
    if graded is not None and length > best_length:
        degree_words = tuple(items[j:j + length - 1])
        listed = vocab.negated.get(degree_words)  # type: ignore[arg-type]
        value = listed if listed is not None else _NEGATION.get(int(graded.value))
        if value is None:  # "not partly true": unclear
            return None, length, False
        # "not very confident" (listed) is clear; "not completely true" is a judgement call
        best = single(value, "negation", certain=listed is not None and not graded.hedge)
        best_length, readable = length, True
    if best_length == 0 and j < len(items):
        degree, length = _degree(items, j, vocab)
        key = echo_key(items[j], keywords, vocab)
        if key is None and items[j] in getattr(keywords, "role", ()):
            key = items[j]  # "I don't run any": short role verbs count too
        if key is not None and key in getattr(keywords, "inverted", ()):
            raise NotAnAnswer  # "not …" of a word the statement already negates: unclear
        if key is not None:
            best, best_length = negated_echo(key, keywords, softened), 1
        elif isinstance(items[j], str) and items[j].endswith("ly") and len(items[j]) > 5 \
                and items[j] not in vocab.known_words and degree is None:
            # "not routinely", "not formally": a no as to how, probably (proposed)
            best = PhraseReading(2, frozenset({1, 2}), certain=False, rule="negated manner")
            best_length = 1
        elif degree is not None and degree.value == LIKERT_MAX:
            # "not strongly": agreement short of the extreme, probably; "not entirely": partly.
            # Either fits the side named elsewhere ("disagree, but not strongly" = 2)
            whole = tuple(items[j:j + length]) in vocab.whole_degrees
            best = PhraseReading(3 if whole else 4, frozenset({2, 3, 4} if whole else {2, 4}),
                                 certain=False, rule="negated degree")
            best_length = length
    return best, best_length, readable


def _at_all(items: list[object], start: int, vocab: Vocabulary) -> int:
    """Length of "at all" / "whatsoever" at `start` (0 when none)."""
    for phrase in vocab.at_all:
        if tuple(items[start:start + len(phrase)]) == phrase:
            return len(phrase)
    return 0


def negated_echo(key: str, keywords: Mapping[str, bool], softened: bool = False) -> PhraseReading:
    """"not worried" to "I am worried …" is 2; "not monitored" to "… is monitored" denies a
    fact: 1 ("not really monitored": 2); "I don't build models" to "the models I build are
    tested": the statement does not apply (proposed)."""
    if key in getattr(keywords, "role", ()):
        return PhraseReading(NOT_APPLICABLE, frozenset({NOT_APPLICABLE}), certain=False, rule="role")
    if key in getattr(keywords, "personal", ()) or softened:
        return single(2, "negated echo")
    return PhraseReading(1, frozenset({1, 2}), rule="negated fact")


def negation_at(items: list[object], start: int, vocab: Vocabulary,
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
    negated_from = j = start + 1
    while True:
        reading, length, readable = _negated_at(items, j, vocab, keywords, j > start + 1)
        total = j + length - start
        if length and (total > best[1] or total == best[1] and reading is not None
                       and reading.certain and (best[0] is None or not best[0].certain)):
            best, negated_from = (reading, j + length - start, readable), j
        if j >= len(items) or items[j] not in vocab.softeners:
            break
        j += 1
    reading, length, readable = best
    if reading is None:
        rest = items[start + 1:]
        if start > 0 and all(isinstance(w, str) and (w in vocab.fillers or w in vocab.softeners)
                             for w in items[:start] + rest):
            # "we don't", "I'm not", "I wouldn't say that": a bare no, after a subject
            return single(2, "bare negation"), len(items) - start, True
        return best
    end = start + length
    if items[start] in vocab.absence_words and reading.rule == "negated echo":
        reading = single(1, "absence")  # "no concerns", "no confidence": none at all, not "not"
    if reading.rule == "role" and all(isinstance(w, str) and (w,) not in vocab.phrases
                                      and w not in vocab.negators for w in items[end:]):
        end = len(items)  # "I don't build models", "… any AI systems": the rest says what
    if reading.value in (2, 4) and not vocab.hedging_softeners.isdisjoint(items[start + 1:negated_from]) \
            and getattr(vocab.phrases.get(phrase_at(items, negated_from, vocab)[0]), "value", None) not in (1, 5):
        # "not quite agree", "I don't quite agree": almost, or mildly not; "not quite strongly
        # agree" stays the step below the extreme
        reading = PhraseReading(NEUTRAL, frozenset({2, 3, 4}), certain=False, hedge=True, rule="negated degree")
    at_all = _at_all(items, end, vocab)
    if at_all and reading.value in (1, 2):  # "not true at all", "no confidence whatsoever"
        certain = reading.certain
        reading, end = single(1, reading.rule, certain=certain), end + at_all
    return reading, end - start, True


def transparent_at(items: list[object], start: int, vocab: Vocabulary) -> int:
    """Length of words at `start` that leave the answer as it is: a qualifier of knowledge
    ("that I know of"), a contrast ("but") and a self-correction made of no answer words
    ("I mean"); 0 when none."""
    item = items[start]
    if item in vocab.contrasts:
        return 1
    for phrases, plain in ((vocab.qualifiers, True), (vocab.corrections, False)):
        for phrase in phrases:
            if phrase[0] != item:
                continue
            if tuple(items[start:start + len(phrase)]) == phrase and (plain or all(
                    (word,) not in vocab.phrases for word in phrase)
                    and any(word in vocab.question_words for word in phrase)):
                return len(phrase)
    return 0


def post_degree_at(items: list[object], start: int, vocab: Vocabulary) -> tuple[int, int]:
    """(value, length) of a degree phrase after what it grades ("a lot", "enough"), or (0, 0)."""
    item = items[start]
    for phrase, value in (vocab.post_degrees or {}).items():
        if phrase[0] == item and tuple(items[start:start + len(phrase)]) == phrase:
            return value, len(phrase)
    return 0, 0
