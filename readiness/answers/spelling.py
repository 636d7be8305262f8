"""How a message's words are spelled before they are read: aliases ("y" → "yes"), letters
typed over and over ("yesss"), words split by a space or hyphen ("dis-agree") and one-edit
typos ("agre"). Kept apart from readiness.answers.reader, which reads the spelled words.
"""

from __future__ import annotations

import re

from readiness.answers.tokens import within_one_edit
from readiness.answers.vocabulary import Vocabulary

__all__ = ["corrected", "spelled_words"]


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


def spelled_words(found: list[str], vocab: Vocabulary) -> list[str]:
    """Tokens with aliases expanded ("y" → "yes", "probs" → "probably"), letters typed over and
    over squeezed ("yesss", "noooo") and one-edit typos corrected."""
    out: list[str] = []
    found = _rejoined(found, vocab)
    for token in found:
        if token not in vocab.known_words and len(token) > 2 and _REPEATS.search(token):
            for squeezed in (_REPEATS.sub(r"\1", token), _REPEATS.sub(r"\1\1", token)):
                if squeezed in vocab.known_words or squeezed in vocab.aliases:
                    token = squeezed
                    break
        elif token not in vocab.known_words and len(token) > 2 and token[-1] == token[-2] \
                and (token[:-1],) in vocab.phrases:
            token = token[:-1]  # "noo", "yess": a last letter typed twice, of an answer word
        meant = vocab.aliases.get(token) if vocab.aliases else None
        if meant is not None:
            out.extend(meant)
        else:
            out.append(corrected(token, vocab))
    return out


_REPEATS = re.compile(r"([^\W\d_])\1{2,}")


def _rejoined(found: list[str], vocab: Vocabulary) -> list[str]:
    """A word split by a space or a hyphen ("dis-agree", "some what"), joined again when only
    the joined form is a word of the vocabulary."""
    out: list[str] = []
    at = 0
    while at < len(found):
        token = found[at]
        if at + 1 < len(found) and token not in vocab.known_words and token.isalpha() \
                and (joined := token + found[at + 1]) in vocab.known_words:
            out.append(joined)
            at += 2
            continue
        out.append(token)
        at += 1
    return out
