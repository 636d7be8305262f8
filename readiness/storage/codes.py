"""Codes people type and tokens they are sent: one definition of each, and their hashing.

* join codes ("KX7-P2Q") let respondents join an organisation;
* resume codes ("RES-8H3K2P") continue an assessment in another chat;
* pseudonyms ("r-3f9a…") name respondents without naming people;
* report tokens are the secret part of a personal scorecard link;
* admin tokens let an organisation's lead read its scorecard; only a salted scrypt hash is
  stored, compared in constant time.

`readiness.matching` builds its code-finding patterns from `CODE_ALPHABET`, `CODE_SPLIT` and
the lengths here, and a test checks the Rasa regexes in `data/nlu.yml` accept exactly this
alphabet, so a change here cannot leave the chat unable to recognise a code.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets

#: Letters and digits a person can read aloud and type without confusion: no 0/O, no 1/I.
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
#: A regular-expression character class matching one character of `CODE_ALPHABET`.
CODE_CHARACTER = f"[{CODE_ALPHABET}]"
#: Codes are shown as this many characters, a dash, and the rest.
CODE_SPLIT = 3
JOIN_CODE_LENGTH = 6  # shown as "KX7-P2Q"
RESUME_CODE_PREFIX = "RES"
RESUME_CODE_LENGTH = 6  # random characters after the prefix: shown as "RES-8H3K2P"

# scrypt parameters for admin tokens (stored with each hash, so they can change later).
_SCRYPT_N = 2**14
_SCRYPT_R = 8
_SCRYPT_P = 1
_SCRYPT_DKLEN = 32
_SALT_BYTES = 16


def normalise_code(code: str) -> str:
    """The canonical form of a join or resume code as typed by a person.

    Case-insensitive and tolerant of missing or extra dashes and whitespace:
    ``" kx7p2q "`` → ``"KX7-P2Q"``, ``"res 8h3k2p"`` → ``"RES-8H3K2P"``. Both kinds of code are
    three characters, a dash, and the rest. Returns "" when nothing alphanumeric was typed.
    """
    if not isinstance(code, str):
        return ""
    compact = re.sub(r"[^0-9A-Za-z]", "", code).upper()
    if len(compact) <= CODE_SPLIT:
        return compact
    return f"{compact[:CODE_SPLIT]}-{compact[CODE_SPLIT:]}"


def random_code(length: int) -> str:
    """`length` characters drawn uniformly from `CODE_ALPHABET` by a CSPRNG."""
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(length))


def new_join_code() -> str:
    return normalise_code(random_code(JOIN_CODE_LENGTH))


def new_resume_code() -> str:
    return normalise_code(RESUME_CODE_PREFIX + random_code(RESUME_CODE_LENGTH))


def new_pseudonym() -> str:
    return f"r-{secrets.token_hex(6)}"


def new_report_token() -> str:
    return secrets.token_urlsafe(16)


def new_admin_token() -> str:
    return secrets.token_urlsafe(24)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode("ascii")


def _scrypt(token: str, salt: bytes, n: int, r: int, p: int, dklen: int) -> bytes:
    return hashlib.scrypt(
        token.encode("utf-8"), salt=salt, n=n, r=r, p=p, dklen=dklen, maxmem=128 * r * n + 2**20
    )


def hash_admin_token(token: str) -> str:
    """A salted scrypt hash of an admin token: ``scrypt$n$r$p$salt$hash`` (base64url parts)."""
    salt = secrets.token_bytes(_SALT_BYTES)
    digest = _scrypt(token, salt, _SCRYPT_N, _SCRYPT_R, _SCRYPT_P, _SCRYPT_DKLEN)
    return f"scrypt${_SCRYPT_N}${_SCRYPT_R}${_SCRYPT_P}${_b64(salt)}${_b64(digest)}"


#: Hashed once per process; compared against when an organisation does not exist so that a
#: wrong join code costs as much time as a wrong token.
_DUMMY_HASH: str | None = None


def dummy_hash() -> str:
    """A hash no token matches, for equal-cost checks against organisations that do not exist."""
    global _DUMMY_HASH
    if _DUMMY_HASH is None:
        _DUMMY_HASH = hash_admin_token(new_admin_token())
    return _DUMMY_HASH


def verify_token_hash(token: str, stored: str) -> bool:
    """Whether `token` matches a hash made by `hash_admin_token`, compared in constant time."""
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        expected = base64.urlsafe_b64decode(digest.encode("ascii"))
        salt_bytes = base64.urlsafe_b64decode(salt.encode("ascii"))
        actual = _scrypt(token, salt_bytes, int(n), int(r), int(p), len(expected))
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(actual, expected)


def verify_admin_token(token: object, stored: str | None) -> bool:
    """Whether `token` matches `stored`; None (no such organisation) costs the same and fails."""
    if not isinstance(token, str):
        token = ""
    if stored is None:
        verify_token_hash(token, dummy_hash())
        return False
    return verify_token_hash(token, stored)
