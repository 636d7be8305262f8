"""Shapes of a message read around the main flow: discourse openers ("yeah nah"), and later
ranges and percentages.

Why a module of its own: these rules look at the raw text or at the readings as a whole,
before or after readiness.answers.reader places every word; keeping them apart keeps the
whole-message flow short.
"""

from __future__ import annotations

import re

from readiness.answers.vocabulary import NEUTRAL, Vocabulary
from readiness.model import NOT_APPLICABLE

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
