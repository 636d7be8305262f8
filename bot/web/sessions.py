"""Console sign-in: signed session cookies, CSRF tokens and the signing secret.

A lead types the organisation's admin token once (`/org/<code>/signin`); the server then sets
`readiness_session`, a cookie signed with itsdangerous (HMAC-SHA1 over a timestamped payload:
the organisation code, a random session id and the session's CSRF token). It is HttpOnly,
SameSite=Lax, Secure when the request came over HTTPS (Sanic's `request.scheme`, which trusts a
proxy's forwarded headers only when the app is configured to), and expires after SESSION_MAX_AGE
seconds (the signature carries the time, so an old cookie is refused even if a browser keeps it).

The signature alone cannot be taken back, so the session id is also recorded on the server
(`Store.open_console_session`, only its hash is kept; never the admin token): a cookie counts
only while its id is there, unexpired and not revoked (`Store.console_session_active`), and
signing out revokes it (`Store.revoke_console_session`). A copy of the cookie taken before
sign-out is refused like an expired one. That check is the caller's (bot.web.scorecards.Guard):
this module only signs and reads.

Every form carries a CSRF token; a POST is accepted only when the token matches the session's
(signed in) or the signed `readiness_csrf` cookie (the sign-in form, before there is a session).

The signing secret is `READINESS_SESSION_SECRET` (at least 32 characters), else a random one
generated once into `<data dir>/session-secret` (mode 0600), so every web worker of one data
folder agrees and a restart keeps people signed in.
"""

from __future__ import annotations

import hmac
import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from itsdangerous import BadSignature, URLSafeTimedSerializer

SESSION_COOKIE = "readiness_session"
CSRF_COOKIE = "readiness_csrf"
#: Seconds a sign-in lasts.
SESSION_MAX_AGE = 8 * 3600
#: Seconds a sign-in form stays valid.
CSRF_MAX_AGE = 2 * 3600
SECRET_ENV = "READINESS_SESSION_SECRET"
SECRET_FILE = "session-secret"
MIN_SECRET_LENGTH = 32


def load_secret(data_dir: Path) -> str:
    """The signing secret: the environment's, else the data folder's (created once, 0600)."""
    configured = os.environ.get(SECRET_ENV, "").strip()
    if configured:
        if len(configured) < MIN_SECRET_LENGTH:
            raise ValueError(f"{SECRET_ENV} must be at least {MIN_SECRET_LENGTH} characters long "
                             "(e.g. `python -c 'import secrets; print(secrets.token_urlsafe(48))'`)")
        return configured
    path = data_dir / SECRET_FILE
    if not path.exists():
        data_dir.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another worker wrote it first
            pass
        else:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(secrets.token_urlsafe(48) + "\n")
    secret = path.read_text(encoding="utf-8").strip()
    if len(secret) < MIN_SECRET_LENGTH:
        raise ValueError(f"{path} holds a secret shorter than {MIN_SECRET_LENGTH} characters: delete it "
                         "and restart (everyone signed in will have to sign in again)")
    return secret


@dataclass(frozen=True)
class Session:
    """A signed-in lead: the organisation (normalised code), the CSRF token of their forms and
    the session id recorded on the server."""

    code: str
    csrf: str
    sid: str


def same(a: str, b: str) -> bool:
    """Constant-time comparison of two tokens."""
    return hmac.compare_digest(a.encode("utf-8"), b.encode("utf-8"))


class Sessions:
    """Issues and reads session and sign-in-form cookies signed with one secret."""

    def __init__(self, secret: str, max_age: int = SESSION_MAX_AGE) -> None:
        self.max_age = max_age
        self._sessions = URLSafeTimedSerializer(secret, salt="readiness.console.session")
        self._forms = URLSafeTimedSerializer(secret, salt="readiness.console.csrf")

    def issue(self, code: str, sid: str) -> tuple[str, Session]:
        """A new session for organisation `code` with server-side id `sid`: (cookie value, session)."""
        session = Session(code=code, csrf=secrets.token_urlsafe(24), sid=sid)
        return self._sessions.dumps({"org": code, "csrf": session.csrf, "sid": sid}), session

    def read(self, cookie: str | None) -> Session | None:
        """The session in a cookie value, or None if missing, forged, expired or without a
        session id (a cookie from before sessions were recorded). Whether the id is still
        open on the server is for the caller to check."""
        if not cookie:
            return None
        try:
            data: Any = self._sessions.loads(cookie, max_age=self.max_age)
        except BadSignature:  # includes SignatureExpired
            return None
        if not isinstance(data, dict) or not all(isinstance(data.get(k), str) for k in ("org", "csrf", "sid")):
            return None
        return Session(code=data["org"], csrf=data["csrf"], sid=data["sid"])

    def form_token(self, cookie: str | None) -> tuple[str, str | None]:
        """The sign-in form's CSRF token: (token, new cookie value or None if the cookie is good)."""
        if cookie:
            try:
                token = self._forms.loads(cookie, max_age=CSRF_MAX_AGE)
                if isinstance(token, str):
                    return token, None
            except BadSignature:
                pass
        token = secrets.token_urlsafe(24)
        return token, self._forms.dumps(token)

    def form_token_ok(self, cookie: str | None, submitted: str) -> bool:
        if not cookie or not submitted:
            return False
        try:
            token = self._forms.loads(cookie, max_age=CSRF_MAX_AGE)
        except BadSignature:
            return False
        return isinstance(token, str) and same(token, submitted)


def cookie_options(secure: bool, max_age: int) -> dict[str, Any]:
    """Attributes of every console cookie (Sanic's cookie keys)."""
    return {"path": "/", "httponly": True, "samesite": "Lax", "secure": secure, "max-age": max_age}
