"""Read-only queries for scorecards, privacy commands and retention."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from readiness.cohort import CONTENT_COLUMNS, FRAME_COLUMNS, TIMING_COLUMNS
from readiness.storage import rows
from readiness.storage.clock import as_utc
from readiness.storage.records import CampaignRow
from readiness.storage.schema import Answer, Assessment, Conversation, Respondent

#: dtypes of `answers_frame` (`readiness.cohort` reads them: categoricals keep memory low).
_FRAME_DTYPES = {
    "respondent": "category",
    "role": "category",
    "department": object,
    "round": "int64",
    "item_id": "category",
    "value": "float64",
    "not_applicable": bool,
    "completed": bool,
    # few distinct values per organisation: categoricals, not a string per answer row
    **{column: "category" for column in CONTENT_COLUMNS},
    **{column: "datetime64[ns, UTC]" for column in TIMING_COLUMNS},
}

#: Columns of `answers_frame`, in order.
ANSWERS_FRAME_COLUMNS = FRAME_COLUMNS + CONTENT_COLUMNS + TIMING_COLUMNS


class Reporting:
    """Read-only queries inside the caller's transaction."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def answers_frame(self, join_code: str, round: int | None = None, audience: str = "staff") -> pd.DataFrame:
        """The organisation's answers in long format, one row per answer, in one query.

        Columns (`readiness.cohort.FRAME_COLUMNS`): respondent (pseudonym), role, department
        (None if not given), round (int), item_id, value (float, NaN for n/a), not_applicable
        (bool), completed (bool: whether the assessment was completed); then
        (`readiness.cohort.CONTENT_COLUMNS`) the assessment's questionnaire_version,
        started_fingerprint, finished_version and finished_fingerprint (categoricals; missing
        where not recorded, e.g. assessments from before revision 0003 or not finished); then
        (`readiness.cohort.TIMING_COLUMNS`) the assessment's started_at and completed_at (UTC
        timestamps; NaT while not completed).
        `round` None means every round. `audience` "staff" (the default) leaves patients out
        (they never enter staff scores); "patient" gives only the patients' survey answers.

        One assessment counts per respondent and round: if a respondent started several in
        the same round, the latest completed one is used, or the latest one if none was
        completed. Assessments without answers have no rows. LookupError for an unknown code.
        """
        respondents = Respondent.__table__.c
        assessments = Assessment.__table__.c
        answers = Answer.__table__.c
        organisation = rows.require_organisation(self._session, join_code)
        in_scope = [respondents.organisation_id == organisation.id]
        if audience == "patient":
            in_scope.append(respondents.audience == "patient")
        elif audience == "staff":
            in_scope.append(respondents.audience.is_(None) | (respondents.audience == "staff"))
        else:
            raise ValueError(f"audience must be 'staff' or 'patient', got {audience!r}")
        if round is not None:
            in_scope.append(assessments.round == round)
        # Rank each respondent's assessments in a round: completed first, then latest.
        ranked = (
            select(
                assessments.id,
                func.row_number()
                .over(
                    partition_by=(assessments.respondent_id, assessments.round),
                    order_by=(assessments.completed_at.is_(None), assessments.id.desc()),
                )
                .label("rank"),
            )
            .join(Respondent.__table__, assessments.respondent_id == respondents.id)
            .where(*in_scope)
            .subquery()
        )
        stmt = (
            select(
                respondents.pseudonym,
                respondents.role,
                respondents.department,
                assessments.round,
                answers.item_id,
                answers.value,
                answers.not_applicable,
                assessments.completed_at.isnot(None),
                assessments.questionnaire_version,
                assessments.started_fingerprint,
                assessments.finished_version,
                assessments.finished_fingerprint,
                assessments.started_at,
                assessments.completed_at,
            )
            .select_from(Respondent.__table__)
            .join(Assessment.__table__, assessments.respondent_id == respondents.id)
            .join(ranked, (ranked.c.id == assessments.id) & (ranked.c.rank == 1))
            .join(Answer.__table__, answers.assessment_id == assessments.id)
            .order_by(assessments.round, respondents.pseudonym, answers.answered_at, answers.id)
        )
        found = self._session.connection().execute(stmt).all()
        frame = pd.DataFrame.from_records(found, columns=list(ANSWERS_FRAME_COLUMNS))
        return frame.astype(_FRAME_DTYPES)

    def campaign_rows(self, join_code: str, round: int) -> list[CampaignRow]:
        """Everyone taking part in `round` of an organisation, finished or not (three queries).

        A respondent is in the round when they have an assessment in it (one counts: the latest
        completed, else the latest, as in `answers_frame`), or when they have consented but
        never started any assessment (they are waiting at the first statement). For assessments
        not completed, the answered statements come along (drop-off). LookupError for an
        unknown code.
        """
        respondents = Respondent.__table__.c
        assessments = Assessment.__table__.c
        answers = Answer.__table__.c
        organisation = rows.require_organisation(self._session, join_code)
        db = self._session.connection()
        ranked = (
            select(
                assessments.id, assessments.respondent_id, assessments.started_at, assessments.completed_at,
                func.row_number().over(
                    partition_by=assessments.respondent_id,
                    order_by=(assessments.completed_at.is_(None), assessments.id.desc()),
                ).label("rank"),
            )
            .join(Respondent.__table__, assessments.respondent_id == respondents.id)
            .where(respondents.organisation_id == organisation.id, assessments.round == round)
            .subquery()
        )
        in_round = db.execute(
            select(ranked.c.id, respondents.role, respondents.department, respondents.consented_at,
                   ranked.c.started_at, ranked.c.completed_at)
            .join(Respondent.__table__, ranked.c.respondent_id == respondents.id)
            .where(ranked.c.rank == 1)
        ).all()
        open_ids = [row[0] for row in in_round if row[5] is None]
        answered: dict[int, set[str]] = {}
        for start in range(0, len(open_ids), 500):
            for assessment_id, item_id in db.execute(
                select(answers.assessment_id, answers.item_id).where(answers.assessment_id.in_(open_ids[start:start + 500]))
            ):
                answered.setdefault(assessment_id, set()).add(item_id)
        anyone = select(assessments.id).where(assessments.respondent_id == respondents.id).exists()
        waiting = db.execute(
            select(respondents.role, respondents.department, respondents.consented_at)
            .where(respondents.organisation_id == organisation.id, ~anyone)
        ).all()
        found = [
            CampaignRow(role, department, as_utc(consented), as_utc(started),
                        None if completed is None else as_utc(completed), frozenset(answered.get(aid, ())))
            for aid, role, department, consented, started, completed in in_round
        ]
        found += [CampaignRow(role, department, as_utc(consented), None, None) for role, department, consented in waiting]
        return found

    def respondent_footprint(self, pseudonym: str) -> dict[str, int] | None:
        """How many assessments, answers and conversations a respondent has (None if unknown)."""
        respondent = rows.respondent_row(self._session, pseudonym)
        if respondent is None:
            return None
        return self._footprint(Respondent.id == respondent.id)

    def organisation_footprint(self, join_code: str) -> dict[str, int]:
        """Respondents, assessments, answers and conversations of an organisation."""
        organisation = rows.require_organisation(self._session, join_code)
        return self._footprint(Respondent.organisation_id == organisation.id)

    def _footprint(self, condition: Any) -> dict[str, int]:
        def count(query: Any) -> int:
            return int(self._session.execute(query).scalar_one())

        return {
            "respondents": count(select(func.count(Respondent.id)).where(condition)),
            "assessments": count(
                select(func.count(Assessment.id))
                .join(Respondent, Assessment.respondent_id == Respondent.id)
                .where(condition)
            ),
            "answers": count(
                select(func.count(Answer.id))
                .join(Assessment, Answer.assessment_id == Assessment.id)
                .join(Respondent, Assessment.respondent_id == Respondent.id)
                .where(condition)
            ),
            "conversations": count(
                select(func.count(Conversation.id))
                .join(Respondent, Conversation.respondent_id == Respondent.id)
                .where(condition)
            ),
        }

    def inactive_respondents(self, before: datetime) -> list[str]:
        """Pseudonyms of respondents whose last activity is before `before` (oldest first).

        Last activity: the latest start or completion of any of their assessments, or their
        consent time if they never started one. A naive `before` is taken to be UTC.
        """
        cutoff = as_utc(before)
        found = self._session.execute(
            select(
                Respondent.pseudonym,
                Respondent.consented_at,
                func.max(Assessment.started_at),
                func.max(Assessment.completed_at),
            )
            .outerjoin(Assessment, Assessment.respondent_id == Respondent.id)
            .group_by(Respondent.id, Respondent.pseudonym, Respondent.consented_at)
        ).all()
        inactive = []
        for pseudonym, consented, started, completed in found:
            # max() over a TypeDecorator column comes back naive from some drivers
            last = max(as_utc(t) for t in (consented, started, completed) if t is not None)
            if last < cutoff:
                inactive.append((last, pseudonym))
        return [pseudonym for _, pseudonym in sorted(inactive)]
