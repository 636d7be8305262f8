"""Checks of values a caller can get wrong: one rule per stored field, in one place.

Each `clean_*` returns the value as stored or raises ValueError naming the value and how to fix
it, before anything is written.
"""

from __future__ import annotations

import math
from typing import Mapping

from readiness.model import NOT_APPLICABLE, is_valid_answer
from readiness.storage.schema import (
    DEPARTMENT_MAX_LENGTH,
    FINGERPRINT_MAX_LENGTH,
    ITEM_ID_MAX_LENGTH,
    NAME_MAX_LENGTH,
    ROLE_MAX_LENGTH,
    SENDER_ID_MAX_LENGTH,
    VERSION_MAX_LENGTH,
)


def clean_name(name: object) -> str:
    if not isinstance(name, str) or not name.strip():
        raise ValueError("organisation name must be a non-empty text, e.g. 'St Mary's Hospital'")
    cleaned = name.strip()
    if len(cleaned) > NAME_MAX_LENGTH:
        raise ValueError(
            f"organisation name is {len(cleaned)} characters long; "
            f"shorten it to at most {NAME_MAX_LENGTH}"
        )
    return cleaned


def clean_role(role: object) -> str:
    if not isinstance(role, str) or not role.strip():
        raise ValueError("role must be a non-empty role id, e.g. 'clinician'")
    cleaned = role.strip()
    if len(cleaned) > ROLE_MAX_LENGTH:
        raise ValueError(f"role {cleaned[:20]!r}… is longer than {ROLE_MAX_LENGTH} characters")
    return cleaned


def clean_department(department: object) -> str | None:
    """None or blank means "no department"."""
    if department is None:
        return None
    if not isinstance(department, str):
        raise ValueError(f"department must be text, got {type(department).__name__}")
    cleaned = department.strip()
    if not cleaned:
        return None
    if len(cleaned) > DEPARTMENT_MAX_LENGTH:
        raise ValueError(
            f"department is {len(cleaned)} characters long; "
            f"shorten it to at most {DEPARTMENT_MAX_LENGTH}"
        )
    return cleaned


def is_valid_sender_id(sender_id: object) -> bool:
    """Whether a chat conversation id can be stored (non-blank text of bounded length)."""
    return (
        isinstance(sender_id, str)
        and bool(sender_id.strip())
        and len(sender_id) <= SENDER_ID_MAX_LENGTH
    )


def clean_sender_id(sender_id: object) -> str:
    if not isinstance(sender_id, str) or not is_valid_sender_id(sender_id):
        raise ValueError(
            "sender_id must be the non-empty id of the chat conversation, "
            f"at most {SENDER_ID_MAX_LENGTH} characters"
        )
    return sender_id


def clean_version(version: object, what: str = "questionnaire_version") -> str:
    if not isinstance(version, str) or not version.strip():
        raise ValueError(f"{what} must be a non-empty text, e.g. '1.0'")
    cleaned = version.strip()
    if len(cleaned) > VERSION_MAX_LENGTH:
        raise ValueError(f"{what} is longer than {VERSION_MAX_LENGTH} characters")
    return cleaned


def clean_fingerprint(fingerprint: object, what: str = "fingerprint") -> str | None:
    """None (not known) or the content fingerprint: non-blank text of at most 64 characters."""
    if fingerprint is None:
        return None
    if not isinstance(fingerprint, str) or not fingerprint.strip():
        raise ValueError(f"{what} must be None or the content's fingerprint (a hex digest)")
    cleaned = fingerprint.strip()
    if len(cleaned) > FINGERPRINT_MAX_LENGTH:
        raise ValueError(f"{what} is longer than {FINGERPRINT_MAX_LENGTH} characters")
    return cleaned


def clean_item_id(item_id: object) -> str:
    if not isinstance(item_id, str) or not item_id.strip():
        raise ValueError(f"item id must be a non-empty text, got {item_id!r}")
    if len(item_id) > ITEM_ID_MAX_LENGTH:
        raise ValueError(
            f"item id {item_id[:20]!r}… is longer than {ITEM_ID_MAX_LENGTH} characters"
        )
    return item_id


def clean_weights(weights: Mapping[str, float] | None) -> dict[str, float]:
    """Challenge id → weight > 0. Whether the ids exist is checked against the bank by
    `Questionnaire.with_weights`; storage only guarantees well-formed numbers."""
    if weights is None:
        return {}
    if not isinstance(weights, Mapping):
        raise ValueError("weights must be a mapping of challenge id to a number > 0")
    cleaned: dict[str, float] = {}
    for challenge_id, weight in weights.items():
        if not isinstance(challenge_id, str) or not challenge_id.strip():
            raise ValueError(f"weight key must be a challenge id, got {challenge_id!r}")
        if (
            isinstance(weight, bool)
            or not isinstance(weight, (int, float))
            or not math.isfinite(weight)
            or not weight > 0
        ):
            raise ValueError(
                f"weight for challenge {challenge_id!r} must be a finite number > 0, got {weight!r}"
            )
        cleaned[challenge_id] = float(weight)
    return cleaned


def check_answer(item_id: object, value: object) -> tuple[str, int | None, bool]:
    """(item id, stored value, not_applicable) or ValueError naming the bad answer."""
    item = clean_item_id(item_id)
    if not is_valid_answer(value):
        raise ValueError(
            f"answer {value!r} for item {item!r} is not valid: "
            f"give a whole number from 1 to 5 or {NOT_APPLICABLE!r}"
        )
    if value == NOT_APPLICABLE:
        return item, None, True
    return item, int(value), False  # type: ignore[call-overload]
