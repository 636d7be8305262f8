"""Shapes of a message read around the main flow: discourse openers ("yeah nah"), bare
negations ("we don't"), mixed and two-sided answers, ranges
("3 or 4"), decimals and percentages ("3.5", "80%"): the last three only ever proposed.

Why a module of its own: these rules look at the raw text or at the readings as a whole,
before or after readiness.answers.reader places every word; keeping them apart keeps the
whole-message flow short.
"""

from __future__ import annotations

import math
import re
from functools import lru_cache
from typing import Callable, Mapping

from readiness.answers.echoes import echo_key
from readiness.answers.vocabulary import NEUTRAL, PhraseReading, Vocabulary
from readiness.model import LIKERT_MAX, LIKERT_MIN, NOT_APPLICABLE, AnswerValue

#: The first two words of a message, with nothing but spaces between them.
_OPENER = re.compile(r"\s*([^\W\d_]+)\s+([^\W\d_]+)")


def without_discourse_opener(text: str, vocab: Vocabulary) -> str:
    """`text` without a first word that only acknowledges: "yeah" straight before a no ("yeah
    nah", "yeah no"), "nah" before a yes ("nah yeah"). Anything else is returned as is."""
    opener = _OPENER.match(text)
    if opener is None or not vocab.discourse:
        return text
    side = vocab.discourse.get(opener.group(1).casefold())
    second = vocab.phrases.get((opener.group(2).casefold(),))
    if side and second is not None and second.value != NOT_APPLICABLE \
            and second.value != NEUTRAL and (second.value > NEUTRAL) != (side > 0):
        return text[opener.start(2):]
    return text


def _toward_neutral(low: float) -> int:
    """The value of a point between two answers, rounded toward neutral: 3.5 → 3, 4.5 → 4,
    1.5 → 2 (the milder claim, for the respondent to confirm or change)."""
    if low == int(low):
        return int(low)
    down, up = int(low), int(low) + 1
    if low - down == 0.5:
        return down if abs(down - NEUTRAL) < abs(up - NEUTRAL) else up
    return round(low)


def _quintile(share: float) -> int:
    """A share of 0–100 on the scale: 0–20 → 1, 21–40 → 2, 41–60 → 3, 61–80 → 4, 81–100 → 5."""
    return min(LIKERT_MAX, LIKERT_MIN + max(0, math.ceil(share / 20) - 1))


def _as_number(token: str) -> float | None:
    if not token[:1].isdigit() or not all(c.isdigit() or c in ".," for c in token):
        return None
    try:
        return float(token.replace(",", "."))
    except ValueError:
        return None


def scaled_reading(found: list[str], vocab: Vocabulary) -> tuple[int, bool] | None:
    """A number the scale does not hold, and whether the reading is certain: a decimal ("3.5" →
    3, rounded toward neutral), a percentage ("80%" → 4) or a mark out of 10 or 100 ("7/10" →
    4), by quintiles, proposed; "0" or "zero" alone, the lowest point (1), proposed.
    Certain only at either end of the other scale with nothing approximating it ("10/10",
    "0/10", "0%": there is no other point it could mean; "about 0%" is proposed). Only numbers,
    their units and approximations ("about", "like") with fillers; anything else is left to the
    other rules."""
    scaled = _scaled(found, vocab)
    if scaled is None:
        return None
    proposal, share = scaled
    exact = share in (0.0, 100.0) and vocab.approximations.isdisjoint(found)
    return proposal, exact


def _scaled(found: list[str], vocab: Vocabulary) -> tuple[int, float | None] | None:
    """The proposal, with the percentage it stands for when the reply gave one on another scale
    ("7/10" → (4, 70.0); "3.5" → (3, None))."""
    allowed = vocab.fillers | vocab.approximations
    said = [word for word in found if word not in allowed]
    if len(said) == 1 and said[0] in vocab.none_words:
        return LIKERT_MIN, None  # "0", "zero": below the scale's lowest point, proposed as the lowest
    # "90 percent agree", "like 80% yes": the share is of agreement
    allowed = allowed | {word for word in found if agreeing(word, vocab)}
    numbers = [(at, value) for at, token in enumerate(found) if (value := _as_number(token)) is not None]
    if not numbers or len(numbers) > 2:
        return None
    at, value = numbers[0]
    rest = found[at + 1:]
    used = 1
    if len(numbers) == 1 and ("." in found[at] or "," in found[at]):
        if not LIKERT_MIN <= value <= LIKERT_MAX:
            return None
        proposal, share = _toward_neutral(value), None
    elif len(numbers) == 1 and (rest[:1] in (["%"], ["percent"]) or rest[:2] == ["per", "cent"]):
        if value > 100:
            return None
        share = value
        proposal, used = _quintile(share), 2 + (rest[:1] == ["per"])
    elif len(numbers) == 2 and numbers[1][1] in (10, 100) and numbers[1][0] > at and (
            rest[:1] == ["/"] or rest[:1] == ["of"] or rest[:2] == ["out", "of"]):
        if value > numbers[1][1]:
            return None
        share = 100 * value / numbers[1][1]
        proposal, used = _quintile(share), numbers[1][0] - at + 1
    else:
        return None
    others = found[:at] + found[at + used:]
    return (proposal, share) if all(word in allowed for word in others) else None


def compared_first(found: list[PhraseReading], items: list[object], vocab: Vocabulary) -> int | None:
    """"closer to disagree than agree", "nearer agree than neutral": two different answers
    compared, the first is the one meant, or the second after "less" (lesser_words: "less agree
    than disagree"); proposed. None for any other shape."""
    if vocab.comparative[1] in items and len(found) == 2 and found[0].value != found[1].value \
            and NOT_APPLICABLE not in (found[0].value, found[1].value):
        lesser = not vocab.lesser_words.isdisjoint(item for item in items if isinstance(item, str))
        return int(found[1 if lesser else 0].value)
    return None


def range_proposal(found: list[PhraseReading], items: list[object], vocab: Vocabulary) -> int | None:
    """A proposal for two neighbouring answers ("3 or 4", "1-2", "between neutral and agree",
    "agree or strongly agree"): the one nearer neutral, the milder claim. Words that fit any
    value ("maybe") are set aside; answers further apart ("2 or 4", "1-5") are no reading,
    except the one point between two ("between 1 and 3" → 2). Two answers compared ("closer to
    agree than neutral") are compared_first's, decided before this is asked."""
    exact = [r for r in found if len(r.fits) == 1]
    said = {r.value for r in exact}
    # "yes, sometimes": a side and a degree, not two points of the scale; but a hedge that fits
    # both points is set aside ("3 or 4 I suppose")
    if any(len(r.fits) != 1 and len(r.fits) < LIKERT_MAX - LIKERT_MIN + 1
           and not ((r.hedge or not r.certain) and said <= r.fits) for r in found):
        return None
    plain = vocab.known_words | vocab.fillers | vocab.approximations | vocab.range_words
    if not all(not isinstance(item, str) or item in plain for item in items):
        return None  # "wait 3 days", "hallucinates sometimes": a number in a comment
    if len(exact) != 2 or any(r.value == NOT_APPLICABLE for r in exact):
        return None
    values = sorted({int(r.value) for r in exact})  # type: ignore[arg-type]
    if len(values) == 2 and values[1] - values[0] == 2 and not vocab.between_words.isdisjoint(
            item for item in items if isinstance(item, str)):
        return values[0] + 1  # "somewhere between 1 and 3": the point between them
    if len(values) != 2 or values[1] - values[0] != 1:
        return None
    if any(isinstance(item, str) and item in vocab.negators for item in items):
        return None  # "not 3 but 4": a correction, not a range
    low, high = values
    return low if abs(low - NEUTRAL) < abs(high - NEUTRAL) else high


#: Not agreeing is disagreeing (mirror images), for "not sure I'd agree" (proposed 2).
_DOUBTED = {4: 2, 5: 4, 2: 4, 1: 2}
#: The first clause of a message, up to a comma, dash or full stop.
_FIRST_CLAUSE = re.compile(r"^\s*[^,;:.!?\u2013\u2014-]+?\s*[,;:.!?\u2013\u2014-]")


def _label(reading: PhraseReading, items: list[object]) -> bool:
    """A reading of the scale's own label ("agree", "strongly disagree"): one value, exact."""
    return len(reading.fits) == 1 and reading.rule in ("phrase", "degree") and reading.value in _DOUBTED \
        and any(item in ("agree", "disagree") for item in items)


_YES, _NO = frozenset({4, 5}), frozenset({1, 2})


def label_against_doubt(text: str, found: list[PhraseReading], items: list[object]
                        ) -> tuple[int, bool] | None:
    """Two readings where the scale's label decides, (value, certain), or None.

    * a bare yes or no, then a label of the other side ("no, I agree", "yes I disagree"): the
      label is what the respondent chose; the yes/no answers the bot, not the statement: the
      label, certain;
    * not knowing straight before a label ("not sure I'd agree", "not sure I agree"): doubt
      about agreeing, proposed as its mirror (2; "… disagree": 4);
    * not knowing, a comma, then a label ("don't know, probably agree"): the label, proposed;
    * a yes, then a flat no that is no label ("sure, dream on", "yeah, in my dreams"): scorn,
      the no, proposed;
    * two answers with a bare no between them ("neutral, no, disagree"): the one typed after the
      no, proposed.
    """
    found = [r for r in found if len(r.fits) < LIKERT_MAX - LIKERT_MIN + 1]  # not "probably"
    if len(found) > 2 and found[0].rule == "leaning" and found[1] == found[0]:
        found = found[1:]  # "no no, I agree": one no said twice
    if len(found) == 3 and found[1].rule == "leaning" and found[1].fits == _NO and all(
            len(r.fits) == 1 and isinstance(r.value, int) for r in (found[0], found[2])):
        return int(found[2].value), False
    if len(found) != 2:
        return None
    first, second = found
    if first.rule == "leaning" and first.fits == _YES and second.value == LIKERT_MIN and second.rule in ("phrase", "hedge") \
            and not _label(second, items):
        return LIKERT_MIN, False
    if not _label(second, items):
        return None
    if first.rule == "leaning" and first.fits in ({4, 5}, {1, 2}) \
            and (first.value > NEUTRAL) != (second.value > NEUTRAL):  # type: ignore[operator]
        return int(second.value), True
    if first.value == NOT_APPLICABLE and first.rule == "phrase":
        clause = _FIRST_CLAUSE.match(text)
        if clause and "agree" not in clause.group().casefold():
            return int(second.value), False  # "don't know, probably agree"
        return _DOUBTED[int(second.value)], False  # "not sure I'd agree"
    return None


def bare_negation(items: list[object], vocab: Vocabulary) -> AnswerValue | None:
    """"no we don't", "there isn't", "we don't have any": a subject, a negation and nothing
    else but fillers is a no (2); "… any" / "… at all" make it none (1)."""
    if not all(isinstance(item, str) for item in items):
        return None
    words: list[str] = items  # type: ignore[assignment]
    first = next((k for k, word in enumerate(words) if word in vocab.negators), None)
    if first is None or not any(w in vocab.subjects or w in vocab.fillers for w in words[:first]):
        return None
    value, end = 2, len(words)
    for phrase in (*vocab.at_all, ("any",), ("one",)):
        if end - len(phrase) > first and tuple(words[end - len(phrase):]) == phrase:
            value, end = 1, end - len(phrase)
            break
    plain = vocab.fillers | vocab.softeners | vocab.subjects | vocab.auxiliaries | vocab.negators
    noes = {word for word in words if (word,) in vocab.phrases
            and vocab.phrases[(word,)].fits == frozenset({1, 2}) and vocab.phrases[(word,)].value == 2}
    return value if all(word in plain or word in noes for word in words[:end]) else None


def mixed(text: str, items: list[object], found: list[PhraseReading], vocab: Vocabulary) -> bool:
    """A yes on one part and a no on another ("encryption yes, audit trails no", "we have a
    roadmap but no budget"): parts joined by a contrast or a comma, naming what they are about."""
    sides = {reading.value > NEUTRAL for reading in found
             if reading.value != NOT_APPLICABLE and reading.value != NEUTRAL}
    joined = any(item in vocab.contrasts for item in items) or bool(re.search(r"[,;]", text))
    topic = any(isinstance(item, str) and item not in vocab.known_words and item not in vocab.negators
                for item in items)
    return len(sides) == 2 and joined and topic


def between_sides(found: list[PhraseReading]) -> AnswerValue | None:
    """A proposal for two readings that only seem to disagree: "don't agree, don't disagree"
    (a negation of each side) is neutral; "not sure, maybe 3" (not knowing, then a number) is
    the number. Never certain: the respondent confirms. Two neighbouring answers ("3 or 4")
    stay unread: the respondent picks one."""
    values = {reading.value for reading in found}
    numbers = [reading for reading in found if reading.rule == "number"]
    if len(numbers) == 1 and NOT_APPLICABLE in values and all(
            reading.value == NOT_APPLICABLE or numbers[0].value in reading.fits for reading in found):
        return numbers[0].value  # "maybe" and the like fit the number
    if values == {2, 4} and all(reading.rule == "negation" for reading in found):
        return NEUTRAL
    return None


def hedged_side(found: list[PhraseReading]) -> AnswerValue | None:
    """A side said with a doubt or a limit: "I think yes but not sure", "not sure, probably
    no" (one side and not knowing) propose that side's milder answer (4 or 2); "yes partially",
    "yes to some extent" (one side and "partly") propose partly (3). Proposed only: the
    respondent confirms. Both sides, or nothing but doubt, stay unread."""
    sided = [reading for reading in found if reading.value not in (NEUTRAL, NOT_APPLICABLE)
             and not {1, 5} <= reading.fits]  # "probably" alone fits any side: it leans, no more
    others = {reading.value for reading in found if reading.value in (NEUTRAL, NOT_APPLICABLE)}
    if not sided or not others or len({int(reading.value) > NEUTRAL for reading in sided}) != 1:
        return None
    if NEUTRAL in others:
        return NEUTRAL
    return 4 if int(sided[0].value) > NEUTRAL else 2


def degree_alone(items: list[object], keywords: Mapping[str, bool], vocab: Vocabulary
                 ) -> tuple[int, bool, str] | None:
    """"very", "quite" alone to a statement about the respondent's own state ("I feel confident
    …"): the degree of that state ("very confident" = 5), certain. To any other statement it
    is proposed as the degree of agreement ("quite" = 4, "moderately" = 4)."""
    personal = bool(getattr(keywords, "personal", ()))
    if any(isinstance(item, str) and item in vocab.evaluative_fillers for item in items):
        return None  # "very low", "quite afraid": the degree grades the filler, not the statement
    words = tuple(item for item in items if not (isinstance(item, str) and item in vocab.fillers))
    if words not in vocab.state_degrees and (personal or words not in vocab.label_degrees):
        return None  # "strongly" alone: strongly what? agree or disagree
    degree = vocab.degrees.get(words)  # type: ignore[arg-type]
    if degree is None or degree.hedge or degree.lean or words in vocab.phrases:
        return None
    # to any other statement "quite", "moderately" alone are most likely its degree: proposed
    return degree.value, personal, "degree alone"


def not_knowing_if(items: list[object], vocab: Vocabulary) -> tuple[AnswerValue, bool, str] | None:
    """"no idea if it was validated", "not sure whether we do": not knowing what the statement
    says is don't know, proposed (the respondent may mean that it was not)."""
    start = next((k for k, item in enumerate(items) if not (isinstance(item, str) and item in vocab.fillers)), None)
    if start is None:
        return None
    for length in range(min(vocab.longest_phrase, len(items) - start), 0, -1):
        words = tuple(items[start:start + length])
        reading = vocab.phrases.get(words) if all(isinstance(w, str) for w in words) else None  # type: ignore[arg-type]
        if reading is not None:
            after = items[start + length:start + length + 1]
            if reading.value == NOT_APPLICABLE and after and after[0] in vocab.unknowing_joiners:
                return NOT_APPLICABLE, False, "not knowing if"
            return None
    return None


def downtoned_number(items: list[object], vocab: Vocabulary) -> int | None:
    """"hardly a 5", "not quite a 4": a step short of the number, toward neutral (proposed);
    None for any other shape, or for 3 (short of neutral is either side)."""
    words = [item for item in items if not (isinstance(item, str) and item in vocab.fillers)]
    before = tuple(item for item in items[:-1] if item not in ("a", "an"))  # "not really a 5"
    if len(words) < 2 or not isinstance(words[-1], PhraseReading) or words[-1].rule != "number" \
            or (tuple(words[:-1]) not in vocab.downtoners and before not in vocab.downtoners):
        return None
    number = int(words[-1].value)  # type: ignore[arg-type]
    return None if number == NEUTRAL else number - 1 if number > NEUTRAL else number + 1


#: The last clause of a message, after a comma or dash: "there's a policy on the intranet, yes".
_LAST_CLAUSE = re.compile(r"[,;\u2013\u2014]\s*([^,;\u2013\u2014]{1,30}?)[.!\s]*$|\s-\s+([^,;-]{1,30}?)[.!\s]*$")


def edge_answer(text: str, items: list[object], vocab: Vocabulary,
                clause: Callable[[str], tuple[AnswerValue | None, bool]]) -> AnswerValue | None:
    """A proposal for a content reply framed by a bare yes or no: opening with one ("yes theres
    a form on the intranet", "no it highlights the region") or closing with a certain answer
    after a comma ("there's a policy on the intranet, yes"; `clause` reads that part alone).
    Never certain: the content may restrict or take back the answer. No negation in the last
    clause ("…, not ethnicity yet" negates a part, not the statement)."""
    first = items[0] if items else None
    reading = vocab.phrases.get((first,)) if isinstance(first, str) and first not in vocab.attributive else None
    longer = len(items) > 1 and isinstance(items[1], str) and (first, items[1]) in vocab.phrases
    if reading is not None and not longer and reading.rule == "leaning" and reading.fits in ({4, 5}, {1, 2}):
        return reading.value
    last = _LAST_CLAUSE.search(text)
    if last is None:
        return None
    part = last.group(1) or last.group(2)
    if any(word.strip(".,!'").casefold().replace("'", "") in vocab.negators for word in part.split()):
        return None
    value, certain = clause(part)
    return value if certain else None


def scoped(value: AnswerValue, items: list[object], vocab: Vocabulary) -> AnswerValue:
    """A proposal adjusted for the scope words of a comment: a restriction ("funded for doctors
    only", "only on the vendor's data") holds for a part, so agreement becomes 2; in name only
    ("in theory yes", "agree in principle"), partly (3); "all" /
    "everything" with agreement ("all logged in the audit table") becomes 5. Never a negation."""
    words = {item for item in items if isinstance(item, str)}
    if value == NOT_APPLICABLE or not words.isdisjoint(vocab.negators):
        return value
    if value > NEUTRAL and not words.isdisjoint(vocab.nominal_words):  # type: ignore[operator]
        return NEUTRAL
    restricted = words - vocab.known_words - vocab.fillers - vocab.restrictive_words
    if value >= NEUTRAL and restricted and not words.isdisjoint(vocab.restrictive_words):  # type: ignore[operator]
        return 2  # "yes only" restricts nothing: the yes stays
    if value > NEUTRAL and not words.isdisjoint(vocab.universal_words):  # type: ignore[operator]
        return 5
    return value


#: Words that take back a number typed just before: "3 no 2", "4 nope 3".
_TAKEN_BACK = frozenset({"no", "nope", "nah"})


def renumbered(items: list[object], vocab: Vocabulary) -> AnswerValue | None:
    """The second number of "3 no 2", "4, nope, 3": a number taken back by a bare no and
    another typed after it (proposed; the respondent confirms)."""
    said = [item for item in items if not (isinstance(item, str) and item in vocab.fillers)]
    if len(said) != 3 or not isinstance(said[1], str) or said[1] not in _TAKEN_BACK:
        return None
    first, second = (_point(item, vocab) for item in (said[0], said[2]))
    return second if first is not None else None


def _point(item: object, vocab: Vocabulary) -> int | None:
    """A number on the scale, typed ("4") or spelled ("four"), or None."""
    if isinstance(item, PhraseReading):
        return item.value if item.rule == "number" and isinstance(item.value, int) else None
    return vocab.number_words.get(item) if isinstance(item, str) else None


@lru_cache(maxsize=8)
def _marker_pattern(markers: frozenset[tuple[str, ...]]) -> re.Pattern[str] | None:
    if not markers:
        return None
    alternatives = sorted((r"\W+".join(map(re.escape, marker)) for marker in markers), key=len, reverse=True)
    return re.compile(r"\b(?:" + "|".join(alternatives) + r")\b")


def agreeing(word: str, vocab: Vocabulary) -> bool:
    """A one-word plain agreement ("agree", "yes"): the share beside it is of agreement."""
    reading = vocab.phrases.get((word,))
    return reading is not None and reading.value == 4 and reading.polarity > 0


def stated_part(text: str, vocab: Vocabulary) -> str | None:
    """The part of a reply after the last phrase that states its answer (and has words after
    it), to the end of that sentence or a contrast ("… part of me wants to say yes, so I'll go
    with disagree I think" → "disagree I think"); None without such a phrase. Apostrophes are
    dropped as the tokens drop them."""
    pattern = _marker_pattern(vocab.answer_markers)
    if pattern is None:
        return None
    flat = re.sub(r"['\u2019]", "", text.lower())
    ends = "|".join([r"[.!;]\s", r"[.!;]$", *(rf"\b{re.escape(word)}\b"
                                             for word in sorted(vocab.contrasts | vocab.reason_words))])
    for marker in reversed(list(pattern.finditer(flat))):
        # "so... strongly agree": the pause after the marker is not the end of its sentence
        stated = re.split(ends, flat[marker.end():].lstrip(" ,:-.\u2026"), maxsplit=1)[0].strip(" ,:-")
        if stated:
            return stated  # "… I don't think so": an empty last part gives way to an earlier one
    return None


_WHO = frozenset({"who", "whom"})


def not_knowing_whom(items: list[object], keywords: Mapping[str, bool], vocab: Vocabulary,
                     strict: Callable[[list[object]], tuple[AnswerValue | None, bool]]) -> AnswerValue | None:
    """"no idea who", "not sure where they are" to a statement about knowing whom to tell or
    where to find something: 1 (not knowing is the answer, not "don't know"). `strict` reads
    the words before the question word on their own (the reader's certain reading)."""
    if not any(isinstance(item, str) and item in vocab.question_words for item in items) \
            or any(item in vocab.contrasts for item in items) \
            or not any(echo_key("know", {key: True}, vocab) for key in keywords):
        return None  # "we have them but I don't know where": a part, not a no
    for at, item in enumerate(items):
        if isinstance(item, str) and item in vocab.question_words:
            if any(later in vocab.question_words for later in items[at + 1:]):
                return None  # "I don't know what EHR means": a question about a term
            asked = getattr(keywords, "plain", None)
            if asked is not None and item not in asked and not (
                    item in _WHO and not _WHO.isdisjoint(asked)):
                return None  # "not sure what you're asking" to "I know whom to contact": not that
            if item in ("how", "where", "who", "whom", "which", "what", "when") and at:
                value, certain = strict(items[:at])
                if value == NOT_APPLICABLE:
                    # "we have them, no idea where they are": a yes to the statement's other part
                    stated = getattr(keywords, "plain", frozenset())
                    claimed = any(isinstance(w, str) and (w in keywords or (w in stated and w not in vocab.fillers))
                                  and echo_key(w, {"know": True}, vocab) is None for w in items[:at])
                    return None if claimed else 1
                plain = getattr(keywords, "plain", ())
                if value == 4 and certain and item in plain and all(
                        isinstance(w, str) and (w in plain or w in vocab.fillers) for w in items[at + 1:]):
                    return 4  # "I know how", "I know where to find them"
            return None
    return None
