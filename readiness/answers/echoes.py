"""Words of the statement being asked, and how an answer repeats them ("worried" to "I am
worried that …", "unprepared" to "I feel prepared").

Why a module of its own: echoes depend only on the statement's text and the vocabulary's
synonyms and prefixes, not on how phrases combine; the composition rules
(readiness.answers.composition) and the reader (readiness.answers.reader) both ask the same
questions of a word ("does it repeat a key word? is repeating it alone certain? does the
statement negate it?"), and the answers live here once.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Iterable, Mapping

from readiness.answers.vocabulary import Vocabulary

#: Words of a statement that are never its key word (function words, people, quantities).
_FUNCTION_WORDS = frozenset("""
    about above after again against also been before being below between both could does doing like
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
    #: First four letters → the key words starting with them (echo_key's index of inflections).
    prefixes: Mapping[str, tuple[str, ...]] | None = None
    #: The statement names two things or more ("the material and the time", "clinicians and
    #: nurses"): "neither" may be about them rather than the scale's middle.
    coordinated: bool = False


#: Words of a statement after which its key words are negated.
_STATEMENT_NEGATIONS = frozenset({"without", "not", "no", "nobody", "never", "cannot", "cant",
                                  "none", "neither", "nor", "nothing", "lack", "lacks"})

#: Nouns naming a problem: the words that modify them are what the problem is about, so an
#: answer repeating them may mean the opposite ("very secure" to "I am worried that our tools
#: could have security weaknesses", "no security" to "… privacy or security incidents").
_PROBLEM_NOUNS = frozenset("""
    weakness weaknesses vulnerability vulnerabilities incident incidents breach breaches risk risks
    gap gaps flaw flaws failure failures error errors threat threats problem problems issue issues
    hole holes leak leaks attack attacks
""".split())

#: Verbs that end a clause describing a problem noun: "incidents involving our tools have been …".
_AUXILIARIES = frozenset({"have", "has", "had", "are", "is", "was", "were", "been", "be", "can", "could"})

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
    sequence: list[str] = []
    for index, match in enumerate(re.finditer(r"[^\W\d_]+(?:'[^\W\d_]+)*", text)):
        raw = match.group()
        word = raw.casefold().replace("'", "")
        plain.add(word)
        sequence.append(word)
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
    inverted |= _beside_the_claim(text, sequence, found)
    result = StatementWords(found)
    result.personal = frozenset(personal)
    result.role = frozenset(role)
    result.plain = frozenset(plain)
    result.inverted = frozenset(inverted)
    result.coordinated = bool({"and", "or"} & plain)
    prefixes: dict[str, tuple[str, ...]] = {}
    for key in found:
        prefixes[key[:_SHARED]] = prefixes.get(key[:_SHARED], ()) + (key,)
    result.prefixes = prefixes
    return result


def _beside_the_claim(text: str, sequence: list[str], found: Mapping[str, bool]) -> set[str]:
    """Key words that are not what the statement claims, so that an answer repeating them may
    mean the opposite: words naming what a problem is about ("security weaknesses", "privacy or
    security incidents") or what it does ("… that expose patient records", "incidents involving
    …", up to the statement's own verb), and words of a leading supposition ("When an AI
    tool fails or is slow, I know …", "If I noticed …")."""
    beside: set[str] = set()
    for at, word in enumerate(sequence):
        if word not in _PROBLEM_NOUNS:
            continue
        before = at - 1
        while before >= 0 and sequence[before] in found:
            beside.add(sequence[before])
            coordinated = before >= 2 and sequence[before - 1] in ("or", "and")
            before = before - 2 if coordinated else -1
        after = at + 1
        if after < len(sequence) and (sequence[after] in ("that", "which") or sequence[after].endswith("ing")):
            while after < len(sequence) and sequence[after] not in _AUXILIARIES:
                if sequence[after] in found:
                    beside.add(sequence[after])
                after += 1
    opening = _LEADING_CLAUSE.match(text)
    if opening:
        beside.update(word for word in re.findall(r"[a-z]+", opening.group(1).casefold().replace("'", ""))
                      if word in found)
    return beside


_LEADING_CLAUSE = re.compile(r"\s*(?:if|when|whenever)\b([^,;]*)[,;]", re.IGNORECASE)


#: Letters an inflection shares with its key word at least ("worry" / "worried").
_SHARED = 4


def _inflection_of(word: str, key: str) -> bool:
    if word == key:
        return True
    shared = 0
    for a, b in zip(word, key):
        if a != b:
            break
        shared += 1
    return shared >= _SHARED and shared >= min(len(word), len(key)) - 2


def echo_key(word: object, keywords: Mapping[str, bool], vocab: Vocabulary) -> str | None:
    """The key word `word` repeats (inflections and listed synonyms count), or None."""
    if not keywords or not isinstance(word, str) \
            or (len(word) < 4 and not (vocab.synonyms and word in vocab.synonyms)) \
            or (word,) in vocab.phrases \
            or word in vocab.fillers or word in vocab.negators or word in vocab.never_echoes:
        return None
    if word in keywords:
        return word
    family = vocab.synonyms.get(word, ()) if vocab.synonyms else ()
    prefixes = getattr(keywords, "prefixes", None)
    if prefixes is None:  # a plain mapping (tests): try every key word
        candidates: Iterable[str] = keywords
    else:  # an inflection shares its first four letters: only those key words, in order
        found = set(prefixes.get(word[:_SHARED], ()))
        for member in family:
            found.update(prefixes.get(member[:_SHARED], ()))
        if not found:
            return None
        candidates = [key for key in keywords if key in found]
    for key in candidates:
        if _inflection_of(word, key) or any(_inflection_of(key, member) for member in family):
            return key
    return None


def inverted_echo(word: object, keywords: Mapping[str, bool], vocab: Vocabulary) -> bool:
    """True when `word` repeats a key word the statement negates (see StatementWords)."""
    inverted = getattr(keywords, "inverted", ())
    return bool(inverted) and echo_key(word, keywords, vocab) in inverted


def echo(word: object, keywords: Mapping[str, bool], vocab: Vocabulary) -> bool | None:
    """None when `word` does not repeat a key word, else whether repeating it alone is certain.
    Inflections count ("worry" / "worried", "confidence" / "confident"), and so do synonyms
    listed in answer_phrases.yml ("concerned" for "worried", "ready" for "prepared")."""
    key = echo_key(word, keywords, vocab)
    if key is None:
        return None
    # alone, only the statement's own form or a listed synonym agrees: "tested" to "… are
    # tested" does, "test" (a word of its own: "test", "just a test") is only proposed
    return keywords[key] and (word == key or bool(vocab.synonyms) and word in vocab.synonyms)



def negative_echo(word: object, keywords: Mapping[str, bool], vocab: Vocabulary) -> str | None:
    """The key word `word` negates with a prefix ("unprepared", "uninvolved"), or None."""
    if not keywords or not isinstance(word, str):
        return None
    for prefix in vocab.negative_prefixes:
        if word.startswith(prefix) and len(word) - len(prefix) >= 4:
            key = echo_key(word[len(prefix):], keywords, vocab)
            if key is not None:
                return key
    return antonym_echo(word, keywords, vocab)


def antonym_echo(word: str, keywords: Mapping[str, bool], vocab: Vocabulary) -> str | None:
    """The statement's key word that `word` contradicts ("clunky" to "… easy and intuitive"),
    or None; never when the statement negates that word or also holds a word of the answer's
    own side (then the answer may mean either side)."""
    opposed = vocab.antonyms.get(word) if vocab.antonyms else None
    if not opposed:
        return None
    plain = getattr(keywords, "plain", ())
    if any(vocab.antonyms.get(said, frozenset()) & opposed for said in plain):
        return None  # the statement itself speaks of both sides
    for said in sorted(opposed):
        key = echo_key(said, keywords, vocab)
        if key is not None:
            return None if key in getattr(keywords, "inverted", ()) else key
    return None


def intensive_echo(word: object, keywords: Mapping[str, bool], vocab: Vocabulary) -> str | None:
    """The statement's key word that `word` says at its extreme ("terrified" to "I am worried
    …"), or None; never when the statement negates that word."""
    said = vocab.intensives.get(word) if vocab.intensives and isinstance(word, str) else None
    if not said or not keywords:
        return None
    for member in sorted(said):
        key = echo_key(member, keywords, vocab)
        if key is not None:
            return None if key in getattr(keywords, "inverted", ()) else key
    return None
