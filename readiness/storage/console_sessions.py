"""Console sign-ins kept on the server (table `console_sessions`, revision 0006).

A sign-in gets a random session id (`secrets.token_urlsafe`), which goes into the browser's
signed cookie; the database keeps only its SHA-256, so a copy of the table opens nothing. Signing
out revokes the row: a copy of the cookie taken before is refused from then on, not only when
its signature's timestamp runs out. Expired and revoked rows older than a day are deleted when
a new session is opened, so the table stays small.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from sqlalchemy import delete, or_, select
from sqlalchemy.orm import Session

from readiness.storage import clock, rows
from readiness.storage.schema import ConsoleSession

#: How long an ended (expired or revoked) session's row is kept before it is deleted.
ENDED_KEPT = timedelta(days=1)
#: Longest id accepted from a cookie (token_urlsafe(32) is 43 characters).
MAX_ID_LENGTH = 128


def _hash(session_id: str) -> str:
    return hashlib.sha256(session_id.encode("utf-8")).hexdigest()


class ConsoleSessions:
    """Console session operations inside the caller's transaction."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def open(self, join_code: str, lifetime_seconds: int) -> str:
        """A new session id for the organisation, valid for `lifetime_seconds`.
        LookupError for an unknown organisation."""
        organisation = rows.require_organisation(self._session, join_code)
        now = clock.now()
        cutoff = now - ENDED_KEPT
        self._session.execute(delete(ConsoleSession).where(or_(
            ConsoleSession.expires_at < cutoff, ConsoleSession.revoked_at < cutoff)))
        session_id = secrets.token_urlsafe(32)
        self._session.add(ConsoleSession(
            organisation_id=organisation.id, session_hash=_hash(session_id), created_at=now,
            expires_at=now + timedelta(seconds=lifetime_seconds)))
        self._session.flush()
        return session_id

    def _row(self, session_id: str) -> ConsoleSession | None:
        if not isinstance(session_id, str) or not session_id or len(session_id) > MAX_ID_LENGTH:
            return None
        return self._session.execute(
            select(ConsoleSession).where(ConsoleSession.session_hash == _hash(session_id))
        ).scalar_one_or_none()

    def active(self, join_code: str, session_id: str) -> bool:
        """Whether `session_id` is a session of this organisation, not revoked, not expired."""
        row = self._row(session_id)
        if row is None or row.revoked_at is not None or row.expires_at <= clock.now():
            return False
        organisation = rows.organisation_row(self._session, join_code)
        return organisation is not None and organisation.id == row.organisation_id

    def revoke(self, session_id: str) -> bool:
        """End the session (signing out). False if there was no such session or it had ended."""
        row = self._row(session_id)
        if row is None or row.revoked_at is not None:
            return False
        row.revoked_at = clock.now()
        self._session.flush()
        return True
