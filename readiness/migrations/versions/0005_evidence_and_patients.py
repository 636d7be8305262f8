"""Pilot evidence entries, and the audience of a respondent (staff or patient).

`evidence_entries` holds the counts an organisation's lead enters per measure and round
(evidence.yml), with a source note and who entered it when (a role, not a name).
`respondents.audience` is nullable: NULL (every respondent before this revision) means staff.

Revision ID: 0005
Revises: 0004
Create Date: 2025-01-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("respondents", sa.Column("audience", sa.String(16), nullable=True))
    op.create_table(
        "evidence_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("round", sa.Integer(), nullable=False),
        sa.Column("measure", sa.String(64), nullable=False),
        sa.Column("values_json", sa.Text(), nullable=False),
        sa.Column("source", sa.String(500), nullable=True),
        sa.Column("entered_by", sa.String(64), nullable=False),
        sa.Column("entered_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint("round >= 1", name=op.f("ck_evidence_entries_round_positive")),
        sa.ForeignKeyConstraint(["organisation_id"], ["organisations.id"], ondelete="CASCADE",
                                name=op.f("fk_evidence_entries_organisation_id_organisations")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_evidence_entries")),
        sa.UniqueConstraint("organisation_id", "round", "measure", name="uq_evidence_entries_org_round_measure"),
    )
    op.create_index(op.f("ix_evidence_entries_organisation_id"), "evidence_entries", ["organisation_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_evidence_entries_organisation_id"), table_name="evidence_entries")
    op.drop_table("evidence_entries")
    # Plain DROP COLUMN (SQLite >= 3.35), as in 0003/0004: batch mode would recreate the table.
    op.drop_column("respondents", "audience")
