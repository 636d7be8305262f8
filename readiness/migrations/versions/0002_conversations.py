"""Every chat conversation a respondent has used, so that all their tracker events can be deleted.

`respondents.sender_id` holds only the latest conversation (resuming in a new chat replaces it);
`conversations` keeps each one. Backfilled from `respondents.sender_id` (created_at = consent
time, the best time known for those).

One row per (respondent, conversation): a conversation id is unique per respondent, not
globally, because "resume RES-…" can move a conversation from one respondent to another, and
then it holds chat of both; deleting either respondent must delete its events.

Revision ID: 0002
Revises: 0001
Create Date: 2025-01-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "conversations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("respondent_id", sa.Integer(), nullable=False),
        sa.Column("sender_id", sa.String(255), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["respondent_id"], ["respondents.id"],
            name=op.f("fk_conversations_respondent_id_respondents"), ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_conversations")),
        sa.UniqueConstraint(
            "respondent_id", "sender_id", name=op.f("uq_conversations_respondent_sender")
        ),
    )
    op.create_index(op.f("ix_conversations_sender_id"), "conversations", ["sender_id"])
    op.execute(
        "INSERT INTO conversations (respondent_id, sender_id, created_at) "
        "SELECT id, sender_id, consented_at FROM respondents WHERE sender_id IS NOT NULL "
        "ORDER BY id"
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_conversations_sender_id"), table_name="conversations")
    op.drop_table("conversations")
