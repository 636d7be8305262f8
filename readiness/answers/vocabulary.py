"""answer_phrases.yml, checked and indexed: what each phrase, modifier and negation means.

The wording is content (editors change it without touching code); the rules that combine it
live in readiness.answers.reader, .composition and .echoes. Every problem is a PhraseError with
the YAML path, which the content gate (readiness.content_set) turns into file:line.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

from readiness.answers.tokens import FRACTION_WORDS, PERCENT_WORDS, words
from readiness.model import LIKERT_MAX, LIKERT_MIN, NOT_APPLICABLE, AnswerValue, is_valid_answer

PHRASES_FILE = "answer_phrases.yml"
NEUTRAL = (LIKERT_MIN + LIKERT_MAX) // 2
_POLAR = frozenset({1, 2, 4, 5})


@dataclass(frozen=True)
class PhraseReading:
    """What one phrase says.

    `value` is its own reading and `fits` the values it is consistent with ("yes" is 4 but
    fits 5 in "yes, strongly agree"). `certain`: the phrase alone may be stored as is (False:
    "probably" alone is only a proposal). `hedge`: any message holding it is only a proposal
    ("kind of"). `polarity` is +1/-1 for heads that degree words modify ("agree", "false"),
    else 0. `negatable`: "not" + this phrase is read by the negation rule.
    """

    value: AnswerValue
    fits: frozenset
    certain: bool = True
    hedge: bool = False
    polarity: int = 0
    negatable: bool = False
    rule: str = "phrase"


@dataclass(frozen=True)
class Degree:
    """A degree word before a head: `value` on a positive head, its mirror on a negative one."""

    value: int
    hedge: bool = False
    #: "leaning", "closer to": the side is clear, the strength not ("neutral, leaning agree").
    lean: bool = False


@dataclass(frozen=True)
class Vocabulary:
    """The parser's answer vocabulary: answer_phrases.yml, checked and indexed by token tuples."""

    phrases: Mapping[tuple[str, ...], PhraseReading]
    longest_phrase: int
    negators: frozenset[str]
    softeners: frozenset[str]
    negated: Mapping[tuple[str, ...], int]
    degrees: Mapping[tuple[str, ...], Degree]
    longest_degree: int
    comparative: tuple[str, str]
    fillers: frozenset[str]
    number_words: Mapping[str, int]
    out_of_range_words: frozenset[str]
    symbols: Mapping[str, str]
    known_words: frozenset[str]
    typo_targets: tuple[str, ...]
    never_correct: frozenset[str]
    question_words: frozenset[str]
    #: Spellings and abbreviations below the typo rule's reach ("y", "dk", "probs") → tokens.
    aliases: Mapping[str, tuple[str, ...]] = None  # type: ignore[assignment]
    #: Words after which a respondent corrects themself ("4, sorry 2"): the last answer counts.
    corrections: frozenset[tuple[str, ...]] = frozenset()
    #: Words that open a question ("is 5 strongly agree?"): such a message is never an answer.
    question_openers: frozenset[str] = frozenset()
    #: "we do", "it is": a subject and an auxiliary alone affirm the statement.
    subjects: frozenset[str] = frozenset()
    auxiliaries: frozenset[str] = frozenset()
    #: Frequency words: relative to a statement that itself says "sometimes", only proposals.
    frequency_words: frozenset[str] = frozenset()
    #: Word families that echo one another in a statement ("concerned" for "worried").
    synonyms: Mapping[str, frozenset[str]] = None  # type: ignore[assignment]
    #: Prefixes that negate an echoed word ("unprepared" to "I feel prepared").
    negative_prefixes: tuple[str, ...] = ()
    #: Words that make "not …" / "no …" an extreme ("not at all", "no … whatsoever").
    at_all: frozenset[tuple[str, ...]] = frozenset()
    #: Degree words that are scale labels with agree/disagree ("somewhat agree" = 4) but a
    #: judgement call on other heads ("somewhat true": 3 or 4?): proposed there.
    label_degrees: frozenset[tuple[str, ...]] = frozenset()
    #: Words opening an aside after an answer ("yes, via the intranet"): the aside is read as is.
    elaborations: frozenset[str] = frozenset()
    #: Proposals for content replies the rules leave unread (readiness.answers.learned, from
    #: answer_examples.yml); set by the content gate, None when the folder has no examples.
    reply_model: Any = None
    #: Answer word → statement words it contradicts ("clunky" to "… easy and intuitive").
    antonyms: Mapping[str, frozenset[str]] = None  # type: ignore[assignment]
    #: Degree words after the word they grade ("I worry about it a lot" = 5, "easy enough" = 4).
    post_degrees: Mapping[tuple[str, ...], int] = None  # type: ignore[assignment]
    #: Words joining two parts of an answer ("agree, but not strongly"); a part after the last
    #: one must itself be answer vocabulary for the message to be certain.
    contrasts: frozenset[str] = frozenset()
    #: Laughter after a question echoing the statement ("involved? lol"): scorn, a no.
    laughter: frozenset[str] = frozenset()
    #: Fillers with a judgement of their own ("low", "weak"): a degree beside them grades them.
    evaluative_fillers: frozenset[str] = frozenset()
    #: "neither": to a statement naming two things it may mean neither of them, not the middle.
    coordination_words: frozenset[str] = frozenset()
    #: Marks of scorn (an eye-roll): with them an agreeing reading means its opposite.
    scorn_marks: frozenset[str] = frozenset()
    #: Softeners that leave a negation in doubt: "I don't quite agree" is a 2 or a 3.
    hedging_softeners: frozenset[str] = frozenset()
    #: Phrases after which a long reply states its answer ("… so I'll go with disagree").
    answer_markers: frozenset[tuple[str, ...]] = frozenset()
    #: Phrases that only say how the respondent knows ("none that I know of", "as far as I
    #: know"): read as fillers.
    qualifiers: frozenset[tuple[str, ...]] = frozenset()
    #: Words that restrict an answer to a part ("only", "except", "in theory"): never certain
    #: after an answer, and a partial answer (3) is proposed.
    partial_words: frozenset[str] = frozenset()
    #: Words in a comment after an answer that may take it back ("yes, it's a mess").
    reservations: frozenset[str] = frozenset()
    #: "no" / "without" before a `negatable` phrase deny it ("no doubt" = 5).
    absence_words: frozenset[str] = frozenset()
    #: Quantifiers over the whole ("every", "all"): repeating the statement's own is a proposal.
    universal_words: frozenset[str] = frozenset()
    #: First words of the phrases and of the degree words: most words start neither, and the
    #: longest-match scans skip them at once (keeps the reader well under 0.2 ms per answer).
    phrase_firsts: Mapping[str, int] = None  # type: ignore[assignment]  # first word → longest
    degree_firsts: Mapping[str, int] = None  # type: ignore[assignment]
    #: Nouns that frame an answer ("my answer is 4", "score: agree"): without a number or a
    #: scale word beside them they are content ("no, just the answer"), never certain.
    frame_words: frozenset[str] = frozenset()
    #: Openers that only acknowledge when straight before the other side ("yeah nah"): word →
    #: the side it would mean alone (+1 yes, -1 no).
    discourse: Mapping[str, int] = None  # type: ignore[assignment]
    #: Answer word → statement words it says at the extreme ("terrified" to "I am worried …").
    intensives: Mapping[str, frozenset[str]] = None  # type: ignore[assignment]
    #: Words around an approximate number ("about 60%", "like 7/10"): only for proposals.
    approximations: frozenset[str] = frozenset()
    #: Words joining two neighbouring answers ("between 3 and 4", "3 to 4"): only proposed.
    range_words: frozenset[str] = frozenset()
    #: Degrees of the whole ("entirely", "completely"): "not entirely" alone is partly (3).
    whole_degrees: frozenset[tuple[str, ...]] = frozenset()
    #: Words after not knowing that say what is not known ("no idea if …"): don't know, proposed.
    unknowing_joiners: frozenset[str] = frozenset()
    #: Words of a don't-know that says the respondent does not know ("no idea"): to a statement
    #: about knowing, that may be the answer (1) as well as a don't know, so only proposed.
    not_knowing_words: frozenset[str] = frozenset()
    #: Two-word markers of the past ("used to"): before a contrast, the part after it holds now.
    past_markers: frozenset[tuple[str, ...]] = frozenset()
    #: "not anymore": after a past and a contrast, it takes back what held before.
    no_longer: frozenset[tuple[str, ...]] = frozenset()
    #: Answer words that are adjectives before an unknown noun ("wrong button", "one moment").
    attributive: frozenset[str] = frozenset()
    #: Words short of a number ("hardly a 5"): a step toward neutral, proposed.
    downtoners: frozenset[tuple[str, ...]] = frozenset()
    #: Degrees that grade an adjective ("very", "quite"): alone, the respondent's own state.
    state_degrees: frozenset[tuple[str, ...]] = frozenset()
    #: Whole messages that are never an answer, whatever the statement ("test", "hello").
    never_answers: frozenset[tuple[str, ...]] = frozenset()
    #: Words of the present after a past ("used to agree, now I disagree"): what holds now follows.
    now_words: frozenset[str] = frozenset()
    #: Words restricting a comment to a part ("only", "just"): a proposed agreement becomes 2.
    restrictive_words: frozenset[str] = frozenset()
    #: Words saying a thing holds in name only ("in theory yes", "on paper"): agreement becomes 3.
    nominal_words: frozenset[str] = frozenset()
    #: Number words that mean none before a noun ("zero incidents" = "no incidents").
    none_words: frozenset[str] = frozenset()
    #: Places beside a named point ("below", "one step down from"; "above", "more than").
    points_below: frozenset[tuple[str, ...]] = frozenset()
    points_above: frozenset[tuple[str, ...]] = frozenset()
    #: "short of", "wouldn't go as far as": a step from the named point toward neutral.
    points_short: frozenset[tuple[str, ...]] = frozenset()
    #: Words of the step itself ("slightly", "one notch") and words naming the scale's middle.
    points_step: frozenset[str] = frozenset()
    midpoints: frozenset[str] = frozenset()
    #: "between 1 and 3": the point between two named ones, proposed.
    between_words: frozenset[str] = frozenset()
    #: A star symbol read as a word: "⭐⭐⭐⭐" is four of them, a rating out of five.
    star_words: frozenset[str] = frozenset()
    #: All places of the three kinds above (relative_point looks them up together).
    points_places: frozenset[tuple[str, ...]] = frozenset()
    #: Words before a count out of a whole ("in 3 of …") and between "of" and the whole ("of our").
    count_lead_ins: frozenset[str] = frozenset()
    count_determiners: frozenset[str] = frozenset()
    #: Words joining a clause of its own to an answer ("…, and I'm the queen").
    clause_joiners: frozenset[str] = frozenset()
    #: Words about answering itself: never an echo of the statement ("not answering").
    never_echoes: frozenset[str] = frozenset()
    #: "less agree than disagree": the answer after "than" is the one meant.
    lesser_words: frozenset[str] = frozenset()
    #: Words opening a reason, which ends a stated answer ("going with neutral because …").
    reason_words: frozenset[str] = frozenset()
    #: After these, "one" is a pronoun ("there is one", "tough one"), not the answer 1.
    pronoun_one_after: frozenset[str] = frozenset()
    #: Refusing to answer ("not answering", "won't answer"): anywhere in a message, not an answer.
    refusals: frozenset[tuple[str, ...]] = frozenset()
    refusal_firsts: Mapping[str, int] = None  # type: ignore[assignment]  # first word → longest
    #: First words of qualifiers, contrasts, corrections and post-degrees (a quick look-up).
    starts: frozenset[str] = frozenset()


class PhraseError(ValueError):
    """answer_phrases.yml is unusable: `problem` says why, `path` is where in the YAML (mapping
    keys and list indexes from the top) so the content gate can give the line."""

    def __init__(self, problem: str, path: tuple[object, ...] = ()) -> None:
        self.problem = problem
        self.path = path
        super().__init__(f"{PHRASES_FILE}: {problem}")


def _value(key: object, where: str, path: tuple[object, ...]) -> AnswerValue:
    if key == NOT_APPLICABLE:
        return NOT_APPLICABLE
    if isinstance(key, bool) or not isinstance(key, int) or not is_valid_answer(key):
        raise PhraseError(f"{where}: {key!r} is not 1–5 or {NOT_APPLICABLE!r}", path)
    return key


def _flag(group: dict, name: str, default: bool, at: tuple[object, ...]) -> bool:
    value = group.get(name, default)
    if not isinstance(value, bool):
        raise PhraseError(f"{name} must be true or false, not {value!r}", (*at, name))
    return value


def _discourse(section: object) -> dict[str, int]:
    """The `discourse` section: {"yes": [...], "no": [...]} → word → +1 / -1."""
    if not isinstance(section, dict) or not set(section) <= {"yes", "no"} or not all(
            isinstance(listed, list) for listed in section.values()):
        raise PhraseError("discourse: a mapping of \"yes\" and \"no\" to word lists", ("discourse",))
    return {words(str(word))[0]: 1 if side == "yes" else -1
            for side, listed in section.items() for word in listed if words(str(word))}


def _longest_by_first(keys: Mapping[tuple[str, ...], object]) -> dict[str, int]:
    longest: dict[str, int] = {}
    for found in keys:
        longest[found[0]] = max(longest.get(found[0], 0), len(found))
    return longest


def build_vocabulary(data: object) -> Vocabulary:
    """Check and index the parsed answer_phrases.yml; raises PhraseError naming what is wrong
    and where (used by readiness.content_set, which loads it with the other content files)."""
    if not isinstance(data, dict):
        raise PhraseError("expected a mapping at the top level")

    def section(name: str, kind: type) -> object:
        if not isinstance(data.get(name), kind):
            raise PhraseError(f"{name!r} must be a {kind.__name__}", (name,) if name in data else ())
        return data[name]

    def phrase_words(phrase: object, where: str, path: tuple[object, ...]) -> tuple[str, ...]:
        if not isinstance(phrase, str):  # bare yes/no in YAML are booleans
            raise PhraseError(f"{where}: {phrase!r} is not text (quote it)", path)
        found = words(phrase)
        if not found or not all(word == "n/a" or word.isalpha() for word in found):
            raise PhraseError(f"{where}: {phrase!r} must be words, not numbers", path)
        return found

    phrases: dict[tuple[str, ...], PhraseReading] = {}

    def add(phrase: object, reading: PhraseReading, where: str, path: tuple[object, ...]) -> None:
        found = phrase_words(phrase, where, path)
        if found in phrases:
            raise PhraseError(f"{where}: phrase {phrase!r} is listed twice", path)
        phrases[found] = reading

    for key, listed in section("answers", dict).items():
        value = _value(key, "answers", ("answers", key))
        if not isinstance(listed, list):
            raise PhraseError(f"answers {key}: must be a list of phrases", ("answers", key))
        for position, phrase in enumerate(listed):
            add(phrase, PhraseReading(value, frozenset({value}), negatable=value in _POLAR),
                f"answers {key}", ("answers", key, position))

    for name in ("leaning", "uncertain"):
        for index, group in enumerate(section(name, list)):
            at: tuple[object, ...] = (name, index)
            if not isinstance(group, dict):
                raise PhraseError(f"{name}: {group!r} must be a mapping", at)
            value = _value(group.get("value"), name, (*at, "value"))
            fits = frozenset(_value(v, f"{name} fits", (*at, "fits", n))
                             for n, v in enumerate(group.get("fits", (value,))))
            if value not in fits:
                raise PhraseError(f"{name} {value!r} must fit its own value", (*at, "fits"))
            hedge = name == "uncertain"
            reading = PhraseReading(
                value, fits,
                certain=not hedge and _flag(group, "certain", True, at),
                hedge=hedge,
                negatable=_flag(group, "negatable", False, at) and value in _POLAR,
                rule="hedge" if hedge else "leaning",
            )
            listed = group.get("phrases")
            if not isinstance(listed, list) or not listed:
                # a group whose phrases were lost in an edit would silently read nothing
                raise PhraseError(f"{name} {value!r}: 'phrases' must be a non-empty list", (*at, "phrases"))
            for position, phrase in enumerate(listed):
                add(phrase, reading, f"{name} {value}", (*at, "phrases", position))

    for position, phrase in enumerate(section("heads", list)):
        at = ("heads", position)
        found = phrase_words(phrase, "heads", at)
        reading = phrases.get(found)
        if reading is None or reading.value not in (2, 4):
            raise PhraseError(f"heads: {phrase!r} must be an answer phrase meaning 2 or 4", at)
        phrases[found] = PhraseReading(
            reading.value, reading.fits, reading.certain, reading.hedge,
            polarity=1 if reading.value > NEUTRAL else -1, negatable=reading.negatable,
            rule=reading.rule)

    degrees: dict[tuple[str, ...], Degree] = {}
    for key, listed in section("degrees", dict).items():
        hedge = key == "hedges"
        lean = key == "leaning"
        value = 4 if hedge or lean else _value(key, "degrees", ("degrees", key))
        if value == NOT_APPLICABLE:
            raise PhraseError("degrees: a degree is 1–5", ("degrees", key))
        if not isinstance(listed, list):
            raise PhraseError(f"degrees {key}: must be a list of words", ("degrees", key))
        for position, phrase in enumerate(listed):
            at = ("degrees", key, position)
            found = phrase_words(phrase, f"degrees {key}", at)
            if found in degrees:
                raise PhraseError(f"degrees: {phrase!r} is listed twice", at)
            degrees[found] = Degree(int(value), hedge, lean)

    negated: dict[tuple[str, ...], int] = {}
    for key, listed in section("negatable", dict).items():
        value = _value(key, "negatable", ("negatable", key))
        if value == NOT_APPLICABLE:
            raise PhraseError("negatable: a negation cannot mean n/a", ("negatable", key))
        for position, phrase in enumerate(listed):
            found = words(str(phrase))
            at = ("negatable", key, position)
            if found not in phrases and found not in degrees:
                raise PhraseError(f"negatable phrase {phrase!r} is not an answer or degree word", at)
            if found in negated:
                raise PhraseError(f"negatable phrase {phrase!r} is listed twice", at)
            negated[found] = value

    def word_set(name: str, optional: bool = False) -> frozenset[str]:
        found = set()
        if optional and name not in data:
            return frozenset()
        for position, word in enumerate(section(name, list)):
            if not isinstance(word, str):
                raise PhraseError(f"{name}: {word!r} is not text (quote it)", (name, position))
            tokens = words(word)
            if len(tokens) != 1:
                raise PhraseError(f"{name}: {word!r} must be one word", (name, position))
            found.add(tokens[0])
        return frozenset(found)

    number_words = {}
    for word, number in section("number_words", dict).items():
        tokens = words(str(word))
        if len(tokens) != 1 or isinstance(number, bool) or not is_valid_answer(number) \
                or number == NOT_APPLICABLE:
            raise PhraseError(f"number_words: {word!r}: {number!r}", ("number_words", word))
        number_words[tokens[0]] = number

    comparative = section("comparative", list)
    if len(comparative) != 2 or not all(isinstance(w, str) and len(words(w)) == 1
                                        for w in comparative):
        raise PhraseError("comparative: two words, like [more, than]", ("comparative",))
    more, than = (words(w)[0] for w in comparative)

    symbols = {str(symbol): str(text) for symbol, text in section("symbols", dict).items()}

    def phrase_set(name: str) -> frozenset[tuple[str, ...]]:
        if name not in data:
            return frozenset()
        return frozenset(phrase_words(p, name, (name, n)) for n, p in enumerate(section(name, list)))

    aliases: dict[str, tuple[str, ...]] = {}
    for word, meant in (section("aliases", dict).items() if "aliases" in data else ()):
        at = ("aliases", word)
        found, target = words(str(word)), words(str(meant)) if isinstance(meant, str) else ()
        if len(found) != 1 or not target:
            raise PhraseError(f"aliases: {word!r}: {meant!r} must be one word and its meaning (quote yes/no)", at)
        aliases[found[0]] = target
    synonyms: dict[str, set[str]] = {}
    for index, family in enumerate(section("synonyms", list) if "synonyms" in data else ()):
        if not isinstance(family, list) or len(family) < 2 or not all(isinstance(w, str) for w in family):
            raise PhraseError("synonyms: each family is a list of two words or more", ("synonyms", index))
        members = {words(w)[0] for w in family if len(words(w)) == 1}
        for member in members:
            synonyms.setdefault(member, set()).update(members)
    antonyms: dict[str, set[str]] = {}
    for index, pair in enumerate(section("antonyms", list) if "antonyms" in data else ()):
        at = ("antonyms", index)
        if not isinstance(pair, dict) or not all(
                isinstance(pair.get(k), list) and pair[k] for k in ("statement", "answer")):
            raise PhraseError("antonyms: each entry needs 'statement' and 'answer' word lists", at)
        said = {words(str(w))[0] for w in pair["statement"] if len(words(str(w))) == 1}
        for word in pair["answer"]:
            if len(words(str(word))) != 1:
                raise PhraseError(f"antonyms: {word!r} must be one word", (*at, "answer"))
            antonyms.setdefault(words(str(word))[0], set()).update(said)
    intensives: dict[str, set[str]] = {}
    for index, pair in enumerate(section("intensives", list) if "intensives" in data else ()):
        at = ("intensives", index)
        if not isinstance(pair, dict) or not all(
                isinstance(pair.get(k), list) and pair[k] for k in ("statement", "answer")):
            raise PhraseError("intensives: each entry needs 'statement' and 'answer' word lists", at)
        said = {words(str(w))[0] for w in pair["statement"] if len(words(str(w))) == 1}
        for word in pair["answer"]:
            if len(words(str(word))) != 1:
                raise PhraseError(f"intensives: {word!r} must be one word", (*at, "answer"))
            intensives.setdefault(words(str(word))[0], set()).update(said)
    post_degrees: dict[tuple[str, ...], int] = {}
    for key, listed in (section("post_degrees", dict).items() if "post_degrees" in data else ()):
        value = _value(key, "post_degrees", ("post_degrees", key))
        if value == NOT_APPLICABLE or not isinstance(listed, list):
            raise PhraseError("post_degrees: a value 1–5 and a list of phrases", ("post_degrees", key))
        for position, phrase in enumerate(listed):
            post_degrees[phrase_words(phrase, "post_degrees", ("post_degrees", key, position))] = value
    qualifiers = phrase_set("qualifiers")
    points_below, points_above = phrase_set("points_below"), phrase_set("points_above")
    points_short = phrase_set("points_short")
    refusals = phrase_set("refusals")
    contrasts = word_set("contrasts", optional=True)
    laughter = word_set("laughter", optional=True)
    answer_markers = phrase_set("answer_markers")
    partial_words = word_set("partial_words", optional=True)
    prefixes = word_set("negative_prefixes", optional=True)
    negators = word_set("negators")
    softeners = word_set("negation_softeners")
    fillers = word_set("fillers")
    out_of_range = word_set("out_of_range_words")
    never_correct = word_set("never_correct")
    question_words = word_set("question_words")
    used = {word for found in phrases for word in found}
    corrections = phrase_set("corrections")
    at_all = phrase_set("at_all")
    known = frozenset(
        used | negators | softeners | fillers | set(number_words) | out_of_range
        | {word for found in degrees for word in found} | {more, than}
        | set(FRACTION_WORDS) | set(PERCENT_WORDS)
        | {word for found in corrections | at_all | qualifiers | set(post_degrees) for word in found}
        | contrasts | set(word_set("absence_words", optional=True))
    )
    unknown_aliases = sorted(word for word, meant in aliases.items()
                             if not all(w in known or w == "n/a" for w in meant))
    if unknown_aliases:
        raise PhraseError(f"aliases whose meaning uses words of no phrase: {unknown_aliases}", ("aliases",))
    targets = tuple(sorted(word_set("typo_targets")))
    unknown_targets = [target for target in targets if target not in known]
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
        longest_phrase=max(len(found) for found in phrases),
        negators=negators,
        softeners=softeners,
        negated=negated,
        degrees=degrees,
        longest_degree=max((len(found) for found in degrees), default=0),
        phrase_firsts=_longest_by_first(phrases),
        degree_firsts=_longest_by_first(degrees),
        comparative=(more, than),
        fillers=fillers,
        number_words=number_words,
        out_of_range_words=out_of_range,
        symbols=symbols,
        known_words=known,
        typo_targets=targets,
        never_correct=never_correct,
        question_words=question_words,
        aliases=aliases,
        corrections=corrections,
        question_openers=word_set("question_openers", optional=True),
        subjects=word_set("subjects", optional=True),
        auxiliaries=word_set("auxiliaries", optional=True),
        frequency_words=word_set("frequency_words", optional=True),
        synonyms={word: frozenset(family) for word, family in synonyms.items()},
        negative_prefixes=tuple(sorted(prefixes, key=len, reverse=True)),
        at_all=at_all or frozenset({("at", "all")}),
        elaborations=word_set("elaborations", optional=True),
        label_degrees=phrase_set("label_degrees"),
        antonyms={word: frozenset(said) for word, said in antonyms.items()},
        post_degrees=post_degrees,
        contrasts=contrasts,
        laughter=laughter,
        hedging_softeners=word_set("hedging_softeners", optional=True),
        scorn_marks=word_set("scorn_marks", optional=True),
        coordination_words=word_set("coordination_words", optional=True),
        evaluative_fillers=word_set("evaluative_fillers", optional=True),
        answer_markers=answer_markers,
        qualifiers=qualifiers,
        partial_words=partial_words,
        reservations=word_set("reservations", optional=True),
        absence_words=word_set("absence_words", optional=True),
        universal_words=word_set("universal_words", optional=True),
        frame_words=word_set("frame_words", optional=True),
        approximations=word_set("approximations", optional=True),
        range_words=word_set("range_words", optional=True),
        whole_degrees=phrase_set("whole_degrees"),
        unknowing_joiners=word_set("unknowing_joiners", optional=True),
        not_knowing_words=word_set("not_knowing_words", optional=True),
        past_markers=frozenset(p for p in phrase_set("past_markers") if len(p) == 2),
        no_longer=phrase_set("no_longer"),
        attributive=word_set("attributive", optional=True),
        downtoners=phrase_set("downtoners"),
        state_degrees=phrase_set("state_degrees"),
        never_answers=phrase_set("never_answers"),
        now_words=word_set("now_words", optional=True),
        restrictive_words=word_set("restrictive_words", optional=True),
        nominal_words=word_set("nominal_words", optional=True),
        none_words=frozenset(word_set("none_words", optional=True)),
        points_below=points_below,
        points_above=points_above,
        points_short=points_short,
        points_places=points_below | points_above | points_short,
        count_lead_ins=word_set("count_lead_ins", optional=True),
        count_determiners=word_set("count_determiners", optional=True),
        clause_joiners=word_set("clause_joiners", optional=True),
        never_echoes=word_set("never_echoes", optional=True),
        lesser_words=word_set("lesser_words", optional=True),
        reason_words=word_set("reason_words", optional=True),
        pronoun_one_after=word_set("pronoun_one_after", optional=True),
        refusals=refusals,
        refusal_firsts=_longest_by_first(dict.fromkeys(refusals)),
        points_step=word_set("points_step", optional=True),
        midpoints=word_set("midpoints", optional=True),
        between_words=word_set("between_words", optional=True),
        star_words=word_set("star_words", optional=True),
        discourse=_discourse(data.get("discourse", {})),
        intensives={word: frozenset(said) for word, said in intensives.items()},
        starts=frozenset(phrase[0] for phrase in (*qualifiers, *corrections, *post_degrees)) | contrasts,
    )
