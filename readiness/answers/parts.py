"""Parts of a longer reply read on their own: the verdict after an explanation ("… we are
nowhere near this. Strongly disagree."), the answer before a reason ("2 since the last update
broke things"), and a yes for one named part with a limit for the rest ("encryption yes, audit
trails only on prod"). The reader (readiness.answers.reader) calls these when the whole reply
has no reading, or before it reads the whole; everything found here is only proposed.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Callable, Mapping

from readiness.answers.shapes import agreeing
from readiness.answers.spelling import spelled_words
from readiness.answers.tokens import NEGATIVE, tokens
from readiness.answers.vocabulary import Vocabulary
from readiness.model import AnswerValue

__all__ = ["before_reason", "closing_part", "split_scope", "verdict"]


#: "encryption yes, audit trails only on prod": a part named, its yes, a comma, then the rest.
_SCOPED_YES = re.compile(r"^\s*([^,;:.!?()\u2013\u2014]{1,60}?)\s*[,;]\s*(\S.*)$", re.DOTALL)


def split_scope(text: str, vocab: Vocabulary) -> bool:
    """True for a yes to one part named before it and a no, a limit or an absence for the rest
    ("encryption yes, audit trails only on prod", "for consultants yes, nurses get nothing"):
    partly (3), proposed. The yes must follow a word of its own (a part of the statement, not
    a degree or a filler: "mostly yes, nobody asks nights" stays a yes)."""
    found = _SCOPED_YES.match(text)
    if found is None:
        return False
    head = tokens(found.group(1), vocab.symbols)
    if len(head) < 2 or not agreeing(head[-1], vocab) or not any(
            word not in vocab.known_words and word not in vocab.fillers for word in head[:-1]):
        return False
    limiting = vocab.negators | vocab.absence_words | vocab.restrictive_words | vocab.partial_words
    return any(word in limiting or word == NEGATIVE for word in tokens(found.group(2), vocab.symbols))


@lru_cache(maxsize=8)
def _reason_pattern(words: frozenset[str]) -> re.Pattern[str] | None:
    if not words:
        return None
    return re.compile(r"\b(?:" + "|".join(map(re.escape, sorted(words, key=len, reverse=True))) + r")\b")


def before_reason(text: str, vocab: Vocabulary) -> str | None:
    """The words before the first reason word ("2 since the last update broke things" → "2"),
    when there are words on both sides; None otherwise. A reason says why, not how much."""
    pattern = _reason_pattern(vocab.reason_words)
    flat = re.sub(r"['\u2019]", "", text.lower())
    found = pattern.search(flat) if pattern is not None else None
    if found is None:
        return None
    before, after = flat[:found.start()].strip(" ,:;-\u2013\u2014"), flat[found.end():].strip()
    return before if before and after else None


#: Where a long reply's last part starts: after a sentence's end, a colon, a semicolon or a comma.
_LAST_PART = re.compile(r"^(.*[.!;:,\u2013\u2014]\s+|.*\s-\s)(\S[^.!;:,\u2013\u2014]*?)[\s.!;:,]*$", re.DOTALL)


def closing_part(text: str) -> str | None:
    """The last sentence or clause of a reply that has more than one ("… we are nowhere near
    this. Strongly disagree." → "Strongly disagree"), or None. A manager's explanation often
    ends with its verdict."""
    found = _LAST_PART.match(text.strip())
    return found.group(2).strip() if found is not None else None


#: Readings of a part that lean on the rest of the reply: "…, no idea where they are" says which
#: part of the statement is not known only together with what came before.
_NOT_VERDICTS = frozenset({"knowing", "not knowing"})


def _all_known(part: str, keywords: Mapping[str, bool], vocab: Vocabulary) -> bool:
    """True when every word of `part` is vocabulary, a statement word or a number: only then
    can it be read as certain (a cheap test before reading it, since most parts of a content
    reply are not)."""
    return all(word in vocab.known_words or word in vocab.fillers or word in keywords or word.isdigit()
               for word in spelled_words(tokens(part, vocab.symbols), vocab))


def verdict(text: str, keywords: Mapping[str, bool], vocab: Vocabulary,
            read_part: Callable[[str], tuple[AnswerValue | None, bool, str]],
            lead: Callable[[], AnswerValue | None] | None = None) -> AnswerValue | None:
    """The answer a reply with no reading of its own states in one part, read as certain on
    its own: before a reason ("2 since the last update broke things"), in its last sentence or
    clause ("… we are nowhere near this. Strongly disagree."), or, for a reply too long to read
    whole, in its opening clause. None when no part does, or when two parts disagree. A
    number word alone is a count ("…, two"), not a verdict. `read_part` is the reader's reading
    of a part, `lead` its certain opening clause (given for a reply too long to read whole)."""
    found = set()
    for part in (before_reason(text, vocab), closing_part(text)):
        if part is not None and _all_known(part, keywords, vocab):
            said, sure, rule = read_part(part)
            if said is not None and sure and rule not in _NOT_VERDICTS and (
                    rule != "number" or any(char.isdigit() for char in part)):
                found.add(said)
    opening = lead() if lead is not None else None
    if opening is not None:
        found.add(opening)
    return found.pop() if len(found) == 1 else None
