"""Deterministic matching of free text to roles, glossary terms and codes.

These come from the bank's YAML (role aliases, glossary aliases), so adding an alias there is
enough: no retraining. Matches use whole words and prefer the longest phrase, so "nurse
informatics lead" is not read as the shorter "lead".
"""

from __future__ import annotations

import re
from typing import Iterable

from readiness.model import GlossaryEntry, Questionnaire, Role
from readiness.storage.codes import (
    CODE_CHARACTER,
    CODE_SPLIT,
    JOIN_CODE_LENGTH,
    RESUME_CODE_LENGTH,
    RESUME_CODE_PREFIX,
)

#: Join codes look like KX7-P2Q; resume codes like RES-8H3K2P (alphabet: `CODE_ALPHABET`).
JOIN_CODE = re.compile(
    rf"(?<![A-Z0-9])({CODE_CHARACTER}{{{CODE_SPLIT}}})-?"
    rf"({CODE_CHARACTER}{{{JOIN_CODE_LENGTH - CODE_SPLIT}}})(?![A-Z0-9])"
)
RESUME_CODE = re.compile(
    rf"(?<![A-Z0-9]){RESUME_CODE_PREFIX}-?({CODE_CHARACTER}{{{RESUME_CODE_LENGTH}}})(?![A-Z0-9])"
)

#: Longest input worth matching: longer messages are not a role, a term or a code.
MAX_TEXT = 500


def _words(text: str) -> str:
    """Lower-case, punctuation to spaces, single-spaced, padded: whole-word `in` tests work."""
    cleaned = re.sub(r"[^\w]+", " ", text.lower().replace("_", " "))
    return f" {' '.join(cleaned.split())} "


def _best(text: str, candidates: Iterable[tuple[str, object]]) -> object | None:
    haystack = _words(text[:MAX_TEXT])
    best: tuple[int, object] | None = None
    for phrase, value in candidates:
        needle = _words(phrase)
        if needle.strip() and needle in haystack and (best is None or len(needle) > best[0]):
            best = (len(needle), value)
    return None if best is None else best[1]


def match_role(questionnaire: Questionnaire, text: str) -> Role | None:
    """The role whose id, label or alias appears in `text` (longest match wins)."""
    candidates = (
        (phrase, role)
        for role in questionnaire.roles
        for phrase in (role.id, role.label, *role.aliases)
    )
    found = _best(text, candidates)
    return found if isinstance(found, Role) else None


def find_glossary_entry(questionnaire: Questionnaire, text: str) -> GlossaryEntry | None:
    """The glossary entry whose term or alias appears in `text` (longest match wins)."""
    candidates = (
        (phrase, entry) for entry in questionnaire.glossary for phrase in (entry.term, *entry.aliases)
    )
    found = _best(text, candidates)
    return found if isinstance(found, GlossaryEntry) else None


def join_code_candidates(text: str) -> list[str]:
    """Possible join codes in `text`, normalised to ABC-DEF; dashed or digit-bearing ones first."""
    found = [f"{a}-{b}" for a, b in JOIN_CODE.findall(text[:MAX_TEXT].upper())]
    likely = [code for code in found if any(ch.isdigit() for ch in code)]
    return likely + [code for code in found if code not in likely]


def find_resume_code(text: str) -> str | None:
    """A resume code in `text`, normalised to RES-XXXXXX."""
    match = RESUME_CODE.search(text[:MAX_TEXT].upper())
    return f"{RESUME_CODE_PREFIX}-{match.group(1)}" if match else None
