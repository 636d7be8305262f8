"""Pilot evidence entries: per organisation, round and measure, with who entered it and when.

Values are checked against the measure's rules (`readiness.evidence.check_values`) by the
caller before they get here; this layer stores what it is given, as JSON numbers, and keeps the
entry's source note and the *role* of the person who entered it (never a name).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Mapping

from sqlalchemy import select
from sqlalchemy.orm import Session

from readiness.storage import clock, rows
from readiness.storage.schema import (
    MEASURE_MAX_LENGTH,
    ROLE_MAX_LENGTH,
    SOURCE_MAX_LENGTH,
    EvidenceEntry,
)

#: What `entered_by` is when nobody said: the CLI's default.
DEFAULT_ENTERED_BY = "organisation lead"


@dataclass(frozen=True)
class EvidenceRecord:
    organisation_code: str
    round: int
    measure: str
    values: Mapping[str, float] = field(hash=False)
    source: str | None
    entered_by: str
    entered_at: datetime


def _clean_text(value: str | None, limit: int, what: str, required: bool) -> str | None:
    text = " ".join((value or "").split())
    if not text:
        if required:
            raise ValueError(f"{what} must not be empty")
        return None
    if len(text) > limit:
        raise ValueError(f"{what} is longer than {limit} characters")
    return text


def _record(row: EvidenceEntry, code: str) -> EvidenceRecord:
    return EvidenceRecord(code, int(row.round), row.measure, json.loads(row.values_json), row.source,
                          row.entered_by, row.entered_at)


class EvidenceEntries:
    """Evidence operations inside the caller's transaction."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def set(self, join_code: str, measure: str, values: Mapping[str, float], *, round: int | None = None,
            source: str | None = None, entered_by: str = DEFAULT_ENTERED_BY) -> EvidenceRecord:
        """Store (or replace) the organisation's entry for `measure` in `round` (default: its
        current round). LookupError for an unknown organisation; ValueError for a bad round,
        source note or role."""
        organisation = rows.require_organisation(self._session, join_code)
        chosen = organisation.current_round if round is None else round
        if not isinstance(chosen, int) or isinstance(chosen, bool) or chosen < 1:
            raise ValueError(f"round must be a whole number of 1 or more, got {round!r}")
        name = _clean_text(measure, MEASURE_MAX_LENGTH, "measure", True)
        note = _clean_text(source, SOURCE_MAX_LENGTH, "source note", False)
        who = _clean_text(entered_by, ROLE_MAX_LENGTH, "entered-by role", True)
        data = json.dumps({k: values[k] for k in sorted(values)})
        row = self._session.execute(
            select(EvidenceEntry).where(EvidenceEntry.organisation_id == organisation.id,
                                        EvidenceEntry.round == chosen, EvidenceEntry.measure == name)
        ).scalar_one_or_none()
        if row is None:
            row = EvidenceEntry(organisation_id=organisation.id, round=chosen, measure=name)
            self._session.add(row)
        row.values_json, row.source, row.entered_by, row.entered_at = data, note, who, clock.now()
        self._session.flush()
        return _record(row, organisation.join_code)

    def list(self, join_code: str, round: int | None = None) -> list[EvidenceRecord]:
        """The organisation's entries (one round, or all), by round then measure."""
        organisation = rows.require_organisation(self._session, join_code)
        query = select(EvidenceEntry).where(EvidenceEntry.organisation_id == organisation.id)
        if round is not None:
            query = query.where(EvidenceEntry.round == round)
        found = self._session.execute(query.order_by(EvidenceEntry.round, EvidenceEntry.measure)).scalars()
        return [_record(row, organisation.join_code) for row in found]
