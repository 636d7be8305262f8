"""The organisation's answer-quality setting: whether flagged assessments are left out.

`organisations.exclude_flagged` is nullable: NULL (every organisation before this revision)
means the default, flagged assessments are included in the figures and reported.

Revision ID: 0004
Revises: 0003
Create Date: 2025-01-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("organisations", sa.Column("exclude_flagged", sa.Boolean(create_constraint=False), nullable=True))


def downgrade() -> None:
    # Plain ALTER TABLE … DROP COLUMN (SQLite >= 3.35), as in 0003: batch mode would recreate
    # `organisations`, and dropping it with foreign keys on cascades to every respondent.
    op.drop_column("organisations", "exclude_flagged")
