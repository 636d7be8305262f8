"""Console sign-ins kept on the server, so that signing out ends a session everywhere.

`console_sessions` holds one row per sign-in: the SHA-256 of the random id in the browser's
signed cookie (never the id itself, never the admin token), when it was made, when it expires
and when it was revoked (signed out). Rows go with their organisation.

Revision ID: 0006
Revises: 0005
Create Date: 2025-01-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "console_sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("session_hash", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.Column("revoked_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["organisation_id"], ["organisations.id"], ondelete="CASCADE",
                                name=op.f("fk_console_sessions_organisation_id_organisations")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_console_sessions")),
        sa.UniqueConstraint("session_hash", name=op.f("uq_console_sessions_session_hash")),
    )
    op.create_index(op.f("ix_console_sessions_organisation_id"), "console_sessions", ["organisation_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_console_sessions_organisation_id"), table_name="console_sessions")
    op.drop_table("console_sessions")
