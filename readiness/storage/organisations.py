"""Organisations: creation, weights, survey rounds and deletion (on one Session)."""

from __future__ import annotations

import json
from typing import Mapping

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from readiness.storage import clock, rows
from readiness.storage.checks import clean_name, clean_weights
from readiness.storage.codes import hash_admin_token, new_admin_token, new_join_code, normalise_code
from readiness.storage.records import OrganisationRecord, organisation_record
from readiness.storage.schema import Assessment, Organisation, Respondent


class Organisations:
    """Organisation operations inside the caller's transaction."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def create(
        self, name: str, weights: Mapping[str, float] | None = None
    ) -> tuple[OrganisationRecord, str]:
        """A new organisation and its admin token (plaintext, shown once; only a hash is kept)."""
        cleaned_name = clean_name(name)
        cleaned_weights = clean_weights(weights)
        token = new_admin_token()
        token_hash = hash_admin_token(token)  # slow on purpose: before touching the database
        row = Organisation(
            name=cleaned_name,
            join_code=rows.unused(self._session, Organisation.join_code, new_join_code),
            admin_token_hash=token_hash,
            weights_json=json.dumps(cleaned_weights, sort_keys=True),
            current_round=1,
            created_at=clock.now(),
        )
        self._session.add(row)
        self._session.flush()
        return organisation_record(row, 0), token

    def list_all(self) -> list[OrganisationRecord]:
        """Every organisation with its respondent count, oldest first."""
        found = self._session.execute(rows.select_organisations().order_by(Organisation.id)).all()
        return [organisation_record(row, count) for row, count in found]

    def get(self, join_code: str) -> OrganisationRecord | None:
        """The organisation with this join code (as typed: any case, dashes, spaces) or None."""
        code = normalise_code(join_code)
        if not code:
            return None
        found = self._session.execute(
            rows.select_organisations().where(Organisation.join_code == code)
        ).first()
        return None if found is None else organisation_record(found[0], found[1])

    def admin_token_hash(self, join_code: str) -> str | None:
        """The stored admin token hash, or None for an unknown organisation."""
        organisation = rows.organisation_row(self._session, join_code)
        return None if organisation is None else str(organisation.admin_token_hash)

    def set_weights(self, join_code: str, weights: Mapping[str, float]) -> OrganisationRecord:
        """Replace the organisation's challenge weight overrides ({} resets to the bank's)."""
        cleaned = clean_weights(weights)
        organisation = rows.require_organisation(self._session, join_code)
        organisation.weights_json = json.dumps(cleaned, sort_keys=True)
        self._session.flush()
        row, count = self._session.execute(
            rows.select_organisations().where(Organisation.id == organisation.id)
        ).one()
        return organisation_record(row, count)

    def set_exclude_flagged(self, join_code: str, exclude: bool) -> OrganisationRecord:
        """Whether assessments with answer-quality flags are left out of the scorecard."""
        organisation = rows.require_organisation(self._session, join_code)
        organisation.exclude_flagged = bool(exclude)
        self._session.flush()
        row, count = self._session.execute(
            rows.select_organisations().where(Organisation.id == organisation.id)
        ).one()
        return organisation_record(row, count)

    def start_new_round(self, join_code: str) -> int:
        """Advance the organisation to its next survey round and return the new round number.

        Assessments already started keep their round; new ones get the new round. The increment
        runs in the database, so two leads starting a round at once advance it twice.
        """
        organisation = rows.require_organisation(self._session, join_code)
        self._session.execute(
            update(Organisation)
            .where(Organisation.id == organisation.id)
            .values(current_round=Organisation.current_round + 1)
            .execution_options(synchronize_session=False)
        )
        return int(
            self._session.execute(
                select(Organisation.current_round).where(Organisation.id == organisation.id)
            ).scalar_one()
        )

    def rounds(self, join_code: str) -> list[int]:
        """The rounds in which the organisation's respondents started assessments, ascending."""
        organisation = rows.require_organisation(self._session, join_code)
        result = self._session.execute(
            select(Assessment.round)
            .join(Respondent, Assessment.respondent_id == Respondent.id)
            .where(Respondent.organisation_id == organisation.id)
            .distinct()
            .order_by(Assessment.round)
        ).scalars()
        return [int(r) for r in result]

    def conversation_ids(self, join_code: str) -> list[str]:
        """Every conversation id used by the organisation's respondents; LookupError if unknown."""
        organisation = rows.require_organisation(self._session, join_code)
        return rows.conversation_ids(self._session, Respondent.organisation_id == organisation.id)

    def purge(self, join_code: str) -> int:
        """Delete an organisation with all its respondents, assessments, answers and
        conversation ids (read `conversation_ids` first, for the tracker).

        Returns the number of respondents removed; LookupError for an unknown code.
        """
        organisation = rows.require_organisation(self._session, join_code)
        removed = self._session.execute(
            delete(Respondent).where(Respondent.organisation_id == organisation.id)
        ).rowcount
        self._session.execute(delete(Organisation).where(Organisation.id == organisation.id))
        return int(removed)
