"""How a whole message is read with the vocabulary: phrases, numbers, typos, every word placed,
one value agreed on, and how sure the reading is.

A message is a sequence of readings (each a PhraseReading: a value and the values it fits),
fillers, and nothing else; `combine` finds the one value they agree on. Certainty is a property
of the whole message: certain only when every word is accounted for, no hedge was used and the
value comes from a phrase that may be stored on its own.

This module is the whole-message flow (`read`): normalising and spelling the words, numbers,
placing every word (`readings`), agreeing on one value (`combine`), then corrections, lead
answers and questions. What one stretch of words means is in readiness.answers.composition
(degrees, comparatives, negation); how words echo the statement, in readiness.answers.echoes;
parts of a longer reply read on their own (a verdict, a yes for one part), in
readiness.answers.parts.
"""

from __future__ import annotations

import re
from typing import Mapping

from readiness.answers.composition import (
    NotAnAnswer, comparative_at, graded_at, negated_echo, negation_at, phrase_at, post_degree_at, single,
    transparent_at,
)
from readiness.answers.echoes import (
    StatementWords, echo, echo_key, intensive_echo, inverted_echo, negative_echo, statement_words,
)
from readiness.answers.numbers import numbers_and_words
from readiness.answers.positions import counted_share, relative_point, star_rating
from readiness.answers.shapes import (
    bare_negation, between_sides, compared_first, degree_alone, downtoned_number, edge_answer, hedged_side,
    label_against_doubt, mixed, not_knowing_if, not_knowing_whom, range_proposal, renumbered, scaled_reading,
    scoped, stated_part, without_discourse_opener,
)
from readiness.answers.parts import before_reason, split_scope, verdict
from readiness.answers.spelling import corrected, spelled_words
from readiness.answers.tokens import NEGATIVE, OTHER, expands_beyond, tokens
from readiness.answers.vocabulary import NEUTRAL, PhraseReading, Vocabulary
from readiness.model import LIKERT_MAX, LIKERT_MIN, NOT_APPLICABLE, AnswerValue

#: Also importable from here, as before the split (readiness.answers, tests).
__all__ = ["MAX_EXTRA_WORDS", "MAX_NORMALISED", "MAX_WORDS", "NotAnAnswer", "StatementWords",
           "combine", "corrected", "numbers_and_words", "read", "readings", "statement_words"]

#: Messages with more unknown words than this are comments, not answers with an aside.
MAX_EXTRA_WORDS = 3

#: Messages with more words than this are comments, not answers (and the bound keeps reading
#: cheap even when NFKC turns 200 characters into thousands, e.g. U+FDFA).
MAX_WORDS = 24
#: A bare yes or no said this many times is emphatic ("nope nope nope"): the extreme, proposed.
REPEATED = 3
#: Characters after NFKC normalisation beyond which a message is not read at all.
MAX_NORMALISED = 400


# --------------------------------------------------------------------------- words and numbers


def readings(items: list[object], vocab: Vocabulary, keywords: Mapping[str, bool],
             lenient: bool) -> tuple[list[PhraseReading], int]:
    """Every reading in the message and the number of words it could not place.

    Strict (`lenient` False) raises NotAnAnswer at the first word it cannot place; lenient
    skips unknown words (the caller proposes, never stores, such a reading). A dangling "not"
    or a question word is never skipped.
    """
    found: list[PhraseReading] = []
    unknown = 0
    spelled_numbers: list[int] = []  # indices in `found` of number words ("three")
    content = False  # a word of the statement itself was skipped
    universal = False  # … and it was "every", "all": the statement's own quantifier
    i = 0
    while i < len(items):
        item = items[i]
        if isinstance(item, PhraseReading):
            found.append(item)
            i += 1
            continue
        skip = transparent_at(items, i, vocab) if item in vocab.starts else 0
        if skip:
            i += skip  # "none that I know of", "agree, but not strongly", "… I mean just agree"
            continue
        post, post_length = post_degree_at(items, i, vocab) if item in vocab.starts else (0, 0)
        if post and found and (found[-1].rule == "echo" or found[-1].polarity > 0):
            found[-1] = single(post, "degree")  # "I worry about it a lot" = 5, "easy enough" = 4
            i += post_length
            continue
        if lenient and item in vocab.attributive and i + 1 < len(items) and isinstance(items[i + 1], str) \
                and items[i + 1] not in vocab.known_words and items[i + 1] not in vocab.fillers \
                and items[i + 1] not in keywords:
            unknown += 1  # "the wrong button", "one moment": an adjective, not an answer
            i += 1
            continue
        if item in vocab.frequency_words and item in keywords:
            # "sometimes, yes" to "staff sometimes use …": the statement's own word, agreed
            found.append(PhraseReading(4, frozenset({4, 5}), certain=False, rule="frequency echo"))
            i += 1
            continue
        phrase, length = phrase_at(items, i, vocab)
        choice: PhraseReading | None = None
        if item in vocab.absence_words:
            j = i + 1 + (i + 1 < len(items) and items[i + 1] in ("a", "an", "any"))
            denied, denied_length = phrase_at(items, j, vocab)
            if denied_length and denied in vocab.negated and j + denied_length - i > length:
                choice = single(vocab.negated[denied], "negation")  # "no doubt", "without a doubt"
                length = j + denied_length - i
        if item in vocab.absence_words and (run := _statement_run(items, i + 1, keywords, vocab)) \
                and run + 1 > length:
            choice, length = single(1, "absence"), run + 1  # "no agreed process", "no reports this year"
        if item in vocab.negators or (item in vocab.absence_words and i + 1 < len(items) and (
                echo(items[i + 1], keywords, vocab) is not None)):
            negated, negated_length, readable = negation_at(items, i, vocab, keywords)
            if negated_length > length:
                if (not readable or negated is None) and not (length and phrase[0] in vocab.negators):
                    raise NotAnAnswer  # "not neutral", "not yes": unclear
                if readable and negated is not None:  # else "not really" + "no": the phrase
                    choice, length = negated, negated_length
        for rule in (graded_at, comparative_at):
            reading, rule_length = rule(items, i, vocab, keywords)
            if reading is not None and rule_length > length:
                choice, length = reading, rule_length
        if choice is None and length:
            choice = vocab.phrases[phrase]
            if choice.value == NOT_APPLICABLE and any(
                    echo(word, keywords, vocab) is not None or word in keywords for word in phrase):
                # "I don't know" to "I know how to report …": maybe a 1, maybe don't know
                choice = single(NOT_APPLICABLE, "ambiguous echo", certain=False)
        if choice is not None:
            found.append(choice)
            i += length
        elif item in vocab.number_words:
            previous = items[i - 1] if i else None
            if item == "one" and previous in vocab.pronoun_one_after:
                i += 1  # "there is one", "we have one": a pronoun, not the answer 1
                continue
            # "one" is also a pronoun or a count ("one, I think" to "incidents have been
            # reported"): certain only alone or as "a one"
            alone = item != "one" or len(items) == 1 or previous in ("a", "an")
            spelled_numbers.append(len(found))
            found.append(single(vocab.number_words[item], "number", certain=alone))  # type: ignore[index]
            i += 1
        elif item in vocab.fillers:
            i += 1
        elif intensive_echo(item, keywords, vocab) is not None:
            found.append(single(5, "intensive"))  # "terrified" to "I am worried …"
            i += 1
        elif (alone := echo(item, keywords, vocab)) is not None:
            if inverted_echo(item, keywords, vocab):
                raise NotAnAnswer  # the statement negates it: the echo may mean either side
            found.append(PhraseReading(4, frozenset({4, 5}), certain=alone, rule="echo"))
            i += 1
        elif (key := negative_echo(item, keywords, vocab)) is not None:
            found.append(negated_echo(key, keywords))  # "unprepared" to "I feel prepared"
            i += 1
        elif item in vocab.elaborations and found and len(items) - i <= 4:
            break  # "yes, via the intranet": an aside saying how, after the answer
        elif isinstance(item, str) and item in getattr(keywords, "plain", ()) \
                and item not in vocab.question_words and item not in vocab.negators:
            content = True
            universal = universal or item in vocab.universal_words
            i += 1  # a word of the statement itself: "total black box" to "… a black box"
        elif lenient and item not in vocab.negators and item not in vocab.question_words:
            unknown += 1
            i += 1
        else:
            raise NotAnAnswer  # an unknown word, or a dangling "not"
    if content:
        # "all three" to "… access controls, encryption and audit trails": a count in a
        # content reply, not the scale's 3; a digit ("3") is always the scale
        for at in spelled_numbers:
            found[at] = single(found[at].value, "number", certain=False)  # type: ignore[arg-type]
    if universal:
        # "every model, yes" to "Every model I build …": a yes about every one is the strongest
        # agreement, but the quantifier is the statement's own word: proposed, never stored
        others = [r for k, r in enumerate(found) if k not in spelled_numbers] or found
        found = [single(5, "universal", certain=False) if r.value != NOT_APPLICABLE
                 and r.value > NEUTRAL else single(r.value, r.rule, certain=False)  # type: ignore[arg-type]
                 for r in others]
    return found, unknown


def _statement_run(items: list[object], start: int, keywords: Mapping[str, bool],
                   vocab: Vocabulary) -> int:
    """Length of the words of the statement from `start` ("agreed process", "monitoring after
    go live"), when one of them is a key word; 0 otherwise."""
    plain = getattr(keywords, "plain", ())

    def statement_word(word: object, first: bool) -> bool:
        if not isinstance(word, str) or word in vocab.negators or word in vocab.question_words:
            return False
        if (word,) in vocab.phrases:
            return first and word in plain  # "no agreed process": the statement's own "agreed"
        return word in plain or word in vocab.fillers or echo_key(word, keywords, vocab) is not None

    end = start
    while end < len(items) and statement_word(items[end], end == start):
        end += 1
    while end > start and items[end - 1] in vocab.fillers:
        end -= 1  # "no reports this" leaves "this" to the rest
    keyed = any(echo_key(word, keywords, vocab) or word in keywords for word in items[start:end])
    for phrase in vocab.at_all if keyed else ():
        if tuple(items[end:end + len(phrase)]) == phrase:
            return end + len(phrase) - start  # "no audit trail at all"
    return end - start if keyed else 0


def _now_after_past(items: list[object], keywords: Mapping[str, bool], vocab: Vocabulary
                    ) -> AnswerValue | None:
    """What holds now in "I used to agree but not anymore" (2), "at first no but now yes" (4):
    the part after a contrast that follows a marker of the past; "not anymore" there takes back
    the part before it (agree → 2, disagree → 4). None without that shape."""
    past = next((k for k in range(len(items) - 1) if tuple(items[k:k + 2]) in vocab.past_markers), None)
    if past is None:
        return None
    contrast = next((k for k, item in enumerate(items) if k > past + 1 and (
        item in vocab.contrasts or item in vocab.now_words)), None)  # "… but", "…, now I disagree"
    if contrast is None:
        return None
    after = tuple(item for item in items[contrast + 1:] if item not in vocab.fillers)
    if after in vocab.no_longer:
        before = _strict(items[past + 2:contrast], keywords, vocab)[0]
        return None if before in (None, NEUTRAL, NOT_APPLICABLE) else (2 if before > NEUTRAL else 4)  # type: ignore[operator]
    return _strict(items[contrast + 1:], keywords, vocab)[0]


def _clause(text: str, keywords: Mapping[str, bool], vocab: Vocabulary) -> tuple[AnswerValue | None, bool]:
    """The certain reading of a clause on its own (for readiness.answers.shapes.edge_answer)."""
    try:
        items = numbers_and_words(spelled_words(tokens(text, vocab.symbols), vocab), vocab)
    except NotAnAnswer:
        return None, False
    value, certain, _ = _strict(items, keywords, vocab)
    return value, certain


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


def _last_correction(items: list[object], vocab: Vocabulary) -> list[int]:
    """Indices just after the last self-correction ("4, sorry 2", "agree - no wait, disagree"),
    longest marker first, or [] when there is none: "actually no idea" is "actually" + "no
    idea" when "actually no" + "idea" reads as nothing. A marker ending the message lends its
    last word to the answer: "yes, actually no" is corrected to "no"."""
    found = [(start, start + len(phrase)) for start, item in enumerate(items)
             if isinstance(item, str) and item in vocab.starts for phrase in vocab.corrections
             if start + len(phrase) < len(items) and tuple(items[start:start + len(phrase)]) == phrase]
    if not found:
        return []
    last_start = max(found, key=lambda pair: pair[1])[0]
    return sorted({end for start, end in found if start == last_start}, reverse=True)


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


def _emphatic(reading: PhraseReading) -> bool:
    """An emphasis word ("absolutely", "definitely", "fully"): alone a 5, it fits any value and
    beside a label takes that label to its extreme ("disagree fully" = 1); a number stays."""
    return reading.rule == "leaning" and reading.value == LIKERT_MAX and len(reading.fits) == LIKERT_MAX


#: What a bare "no" / "nope" fits: a no, strong or not (not the scale's own "disagree").
_NO_FITS = frozenset({1, 2})

#: A first clause naming the scale itself ("strongly agree", "I disagree", "4"), not a yes or no.
_LABELLED = re.compile(r"^[^,;:.!?]*\b(?:agree|disagree|neutral|[1-5])\b[^,;:.!?]*(?:[,;:.!?]|\s[-\u2013\u2014]\s)",
                       re.IGNORECASE)
#: The first clause of a longer message: "I strongly disagree, nobody here has ever …".
_LEAD = re.compile(r"^\s*([^,;:.!?()\u2013\u2014]{1,40}?)\s*(?:[,;:.!?()\u2013\u2014]|\s-\s|\s+but\s)")


def _lead_answer(text: str, keywords: Mapping[str, bool], vocab: Vocabulary
                 ) -> tuple[AnswerValue | None, bool]:
    """The answer a message opens with before a comment, when that clause alone is certain,
    and whether the comment leaves it certain (`_plain_aside`)."""
    match = _LEAD.match(text)
    if match is None:
        return None, False
    try:
        items = numbers_and_words(spelled_words(tokens(match.group(1), vocab.symbols), vocab), vocab)
    except NotAnAnswer:
        return None, False
    value, certain, rule = _strict(items, keywords, vocab)
    if not certain:
        return None, False
    separator = match.group(0)[len(match.group(1)):].strip()
    if separator == "?":
        return None, False  # "confident? I've seen it miss fractures": the statement asked back
    if rule == "number" and not any(char.isdigit() for char in match.group(1)):
        return value, False  # "three, everywhere": a count with a comment, not the scale's 3
    if value == 2 and all(isinstance(item, str) and (item in vocab.fillers or (
            item,) in vocab.phrases and vocab.phrases[(item,)].fits == _NO_FITS) for item in items):
        # "no, the helpdesk": a bare "no" may refute something else than the statement
        # (who to ask, which tool); only a scale word or a degree keeps the comment plain
        return value, False
    # only after a comma or a dash: "yes, the helpdesk", not "4; DROP TABLE answers"
    return value, separator in (",", "-", "\u2013", "\u2014") and _plain_aside(
        text[match.end():], keywords, vocab)


def _holds_phrase(words: list[str], phrases: frozenset[tuple[str, ...]], firsts: Mapping[str, int]) -> bool:
    """True when one of `phrases` stands anywhere in `words` (`firsts`: first word → longest)."""
    return any(tuple(words[at:at + length]) in phrases
               for at, word in enumerate(words) if word in firsts
               for length in range(1, firsts[word] + 1))


def _plain_aside(rest: str, keywords: Mapping[str, bool], vocab: Vocabulary) -> bool:
    """True when a comment after an answer only says how, where or why ("yes, the helpdesk",
    "agree, our security team audits everything"): no answer words, no negation, no question,
    no restriction or reservation that could take the answer back."""
    found = spelled_words(tokens(rest, vocab.symbols), vocab)
    if "?" in rest or not found or len(found) > MAX_WORDS:
        return False
    blocking = (vocab.negators | vocab.question_words | vocab.partial_words | vocab.reservations
                | vocab.contrasts | {word for phrase in vocab.corrections for word in phrase})
    if any(word in blocking or word in (NEGATIVE, OTHER) or word[:1].isdigit() for word in found):
        return False
    if found[0] in vocab.subjects or (found[0] in vocab.clause_joiners and found[1:2] and found[1] in vocab.subjects):
        # a clause opening with a subject of its own ("yes, it fizzled out", "agree, we stopped
        # it") says more than how or where and may take the answer back: proposed
        return False
    try:
        readings_found, _ = readings(numbers_and_words(found, vocab), vocab, keywords, lenient=True)
    except NotAnAnswer:
        return False
    return not readings_found


#: "no" and a pause: what follows may be a clause of its own.
_NO_THEN_PAUSE = re.compile(r"\bno\s*[,;:.!\u2013\u2014-]", re.IGNORECASE)
#: A few words of the statement asked back, then the answer: "worried? no, …", "adequately? barely".
_ECHO_QUESTION = re.compile(r"^\s*([^?]{1,40})\?\s*(\S.*)$", re.DOTALL)

#: "no" straight after a negated verb, ending its clause ("I dont no", "don't no."): the typo
#: of "know" ("I don't, no" has a comma; "don't no way" goes on).
_NEGATED_NO = re.compile(r"\b((?:do|did|does)(?:n['\u2019]?t|\s+not)|not)\s+no\b(?!\s+\w)", re.IGNORECASE)


def read(text: str, keywords: Mapping[str, bool], vocab: Vocabulary) -> tuple[AnswerValue | None, bool, str]:
    """(value, certain, rule) for a message already checked for length and type."""
    value, certain, rule = _read(text, keywords, vocab)
    if value is None and rule in ("not an answer", "contradiction", "too many words"):
        stated = stated_part(text, vocab)  # "… so I'll go with disagree I think"
        if stated is not None:
            said, _, _ = _read(stated, keywords, vocab)
            if said is not None:
                return said, False, "stated answer"  # the rest is not read: proposed
        if rule != "contradiction" and not text.rstrip().endswith("?"):
            said = verdict(text, keywords, vocab, lambda part: _read(part, keywords, vocab),
                           (lambda: _lead_answer(text, keywords, vocab)[0]) if rule == "too many words" else None)
            if said is not None:
                return said, False, "verdict"  # the rest is not read: proposed
    if value == NOT_APPLICABLE and certain and "know" in keywords \
            and not vocab.not_knowing_words.isdisjoint(tokens(text, vocab.symbols)):
        # "no idea" to "I know whom to tell": not knowing whom, or not knowing the answer
        return LIKERT_MIN, False, "not knowing"
    return value, certain, rule


def _read(text: str, keywords: Mapping[str, bool], vocab: Vocabulary) -> tuple[AnswerValue | None, bool, str]:
    meant = _NEGATED_NO.sub(r"\1 know", text)
    if meant != text:
        # "I dont no" is "I don't know", but "no" is a word too: proposed, never stored as is
        value, _, _ = read(meant, keywords, vocab)
        return value, False, "typo"
    text = without_discourse_opener(text, vocab)  # "yeah nah": the no stays
    echoed = _ECHO_QUESTION.match(text) if keywords else None
    if echoed and all(word in getattr(keywords, "plain", ()) or word in vocab.fillers
                      for word in tokens(echoed.group(1), vocab.symbols)):
        value, _, _ = read(echoed.group(2), keywords, vocab)
        if value is not None:  # "adequately? barely", "worried? no, we pen-test": proposed
            return value, False, "echo question"
        tail = tokens(echoed.group(2), vocab.symbols)
        if tail and all(word in vocab.laughter or word in vocab.fillers for word in tail) \
                and not vocab.laughter.isdisjoint(tail):
            return 2, False, "echo scorn"  # "involved? lol": the echoed claim laughed off, proposed
    stripped = text.strip()
    if stripped.startswith("/"):
        return None, False, "command"
    asking = stripped.endswith("?")
    if asking:
        # "EHR?", "worried?": a question, even when it repeats the statement; only a message
        # that is wholly answer vocabulary ("4?") is still read, and only proposed.
        keywords = {}
    if expands_beyond(text, MAX_NORMALISED):
        return None, False, "too many words"
    found_tokens = tokens(text, vocab.symbols)
    if len(found_tokens) > MAX_WORDS:
        return None, False, "too many words"
    if found_tokens and found_tokens[0] in vocab.question_openers and (asking or (
            len(found_tokens) > 2 and found_tokens[1] in vocab.subjects | {"you"} and "?" not in text)):
        return None, False, "question"  # "is 5 strongly agree?", "is this the right survey"
    spelled = spelled_words(found_tokens, vocab)
    if tuple(spelled) in vocab.never_answers:
        return None, False, "never an answer"  # "test", "hello": even to "We test AI …"
    if vocab.refusals and _holds_phrase(spelled, vocab.refusals, vocab.refusal_firsts):
        return None, False, "refusal"  # "I'm not answering that": asked again, skip offered
    try:
        items = numbers_and_words(spelled, vocab)
    except NotAnAnswer:
        scaled = scaled_reading(spelled, vocab)  # "3.5", "80%", "7/10": proposed; "10/10" certain
        if scaled is None:
            counted = counted_share(spelled, vocab)  # "2 of our 7 tools": a share, proposed
            return counted, False, "not an answer" if counted is None else "counted share"
        return scaled[0], scaled[1] and not asking, "scaled"
    if split_scope(text, vocab):
        return NEUTRAL, False, "mixed"  # "encryption yes, audit trails only on prod": partly, proposed
    shaped = degree_alone(items, keywords, vocab) or relative_point(items, vocab) or star_rating(items, vocab) or (
        not_knowing_if(items, vocab) if not vocab.unknowing_joiners.isdisjoint(spelled) else None)
    if shaped is not None:
        return shaped[0], shaped[1] and not asking, shaped[2]
    try:
        found, unknown = readings(items, vocab, keywords, lenient=False)
    except NotAnAnswer:
        if asking:
            return None, False, "question"
        bare = bare_negation(items, vocab)
        if bare is not None:
            return bare, True, "bare negation"
        try:
            found, unknown = readings(items, vocab, keywords, lenient=True)
        except NotAnAnswer:
            found, unknown = [], 0
        unknowing = not_knowing_whom(items, keywords, vocab, lambda part: _strict(part, keywords, vocab)[:2])
        if unknowing is not None:
            return unknowing, True, "knowing" if unknowing == 4 else "not knowing"
        if unknown > MAX_EXTRA_WORDS or not found:
            lead, plain = _lead_answer(text, keywords, vocab)
            if lead is not None:
                return lead, plain, "lead answer"
            opening = next((item for item in items if item not in vocab.fillers), None)
            if opening in vocab.partial_words and not found:
                return scoped(NEUTRAL, items, vocab), False, "partial"  # "some via FHIR": partly
            edge = edge_answer(text, items, vocab, lambda clause: _clause(clause, keywords, vocab))
            if edge is not None:
                return edge, False, "edge answer"  # "yes theres a form on the intranet"
            return None, False, "not an answer"
    now = _now_after_past(items, keywords, vocab)
    if now is not None:
        return now, False, "past"  # "I used to agree but not anymore": what holds now, proposed
    short = downtoned_number(items, vocab)
    if short is not None:
        return short, False, "short of"  # "hardly a 5", "not quite a 4": a step down, proposed
    compared = compared_first(found, items, vocab)
    if compared is not None:
        return compared, False, "range"  # "closer to agree than neutral": proposed
    value, source = combine(found)
    if value in (2, 4) and source is not None and (source.rule in ("phrase", "leaning") or (
            value == 2 and source.rule == "negation")) and any(_emphatic(reading) for reading in found):
        # "agree absolutely", "disagree fully", "I absolutely don't agree"
        value = LIKERT_MIN if value == 2 else LIKERT_MAX
    if value is None and len(found) > 1:
        for after in _last_correction(items, vocab):  # "4, sorry 2": the last answer counts
            rest = items[after:]
            # "disagree (meant agree, fat fingers)": a marker closing the correction is no answer
            closing = max((len(p) for p in vocab.corrections if len(p) < len(rest) and tuple(rest[-len(p):]) == p),
                          default=0)
            value, certain, _ = _strict(rest[:len(rest) - closing], keywords, vocab)
            if value is not None:
                return value, certain and not unknown and not asking, "correction"
        taken_back = renumbered(items, vocab)
        if taken_back is not None:
            return taken_back, False, "correction"  # "3 no 2": the second number, proposed
        if {reading.value for reading in found} == {NOT_APPLICABLE, NEUTRAL}:
            return NEUTRAL, False, "unsure middle"  # "no idea, put neutral": the middle, proposed
        if mixed(text, items, found, vocab):
            lead, _ = _lead_answer(text, keywords, vocab)
            if lead is not None and _LABELLED.match(text):
                return lead, False, "lead answer"  # "strongly agree, never had a problem": a comment
            return NEUTRAL, False, "mixed"  # propose "partly", never guess one side
        between = between_sides(found)
        if between is not None:
            return between, False, "between"
        decided = label_against_doubt(text, found, items)
        if decided is not None:
            return decided[0], decided[1] and not unknown and not asking, "label"
        neighbours = range_proposal(found, items, vocab)
        if neighbours is not None:
            return neighbours, False, "range"  # "3 or 4": the milder one, proposed
        hedged = hedged_side(found) if not unknown else None
        if hedged is not None:
            return hedged, False, "hedged side"  # "yes partially", "I think yes but not sure"
    if value is None and not found and not unknown:
        words = set(item for item in items if isinstance(item, str))
        if words & vocab.subjects and words & vocab.auxiliaries:
            # "we do", "it is": certain; with other words ("I have to go") only proposed
            rest = words - vocab.subjects - vocab.auxiliaries
            return 4, not asking and not rest, "bare affirmation"
    if value is None or source is None:
        return None, False, "not an answer" if not found else "contradiction"
    if unknown:
        lead, plain = _lead_answer(text, keywords, vocab)
        if lead == value and plain and not asking:
            return value, True, "lead answer"  # "yes, the helpdesk"
        reason = before_reason(text, vocab)
        if reason is not None and not asking:
            said, sure, _ = _read(reason, keywords, vocab)
            if said is not None and sure:
                return said, False, "reason"  # "neutral cos I've only been here 3 weeks": proposed
        return scoped(value, items, vocab), False, "extra words"
    if any(reading.hedge for reading in found):
        return value, False, "hedge"
    if asking:
        return value, False, "question"  # "4?": perhaps; ask to confirm
    contrast = max((k for k, item in enumerate(items) if item in vocab.contrasts), default=None)
    if contrast is not None and not _strict(items[contrast + 1:], keywords, vocab)[0]:
        return value, False, "reservation"  # "agree, but": what follows the "but" is missing
    if keywords and vocab.frequency_words and not vocab.frequency_words.isdisjoint(keywords) \
            and any(isinstance(item, str) and item in vocab.frequency_words for item in items):
        return value, False, "frequency"  # "often" to "staff sometimes use …": relative
    if source.rule == "leaning" and len(found) >= REPEATED and all(
            reading.rule == "leaning" and reading.value == value for reading in found):
        return (1 if value < NEUTRAL else 5), False, "repeated"  # "no no no": emphatic, proposed
    if source.rule == "absence" and _NO_THEN_PAUSE.search(text):
        return value, False, "absence"  # "no, agreed process …": the no may stand alone
    return value, source.certain, source.rule
