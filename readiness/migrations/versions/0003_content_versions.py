"""Which content each assessment was started and finished under.

`questionnaire_version` (already there) is the bank's `version` at the start; this adds the
bank's fingerprint at the start, and version and fingerprint at completion. All nullable:
assessments from before this revision have no fingerprints, and nothing is finished until it
is completed.

Revision ID: 0003
Revises: 0002
Create Date: 2025-01-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


#: (name, type) of the new columns of `assessments`.
_COLUMNS = (
    ("started_fingerprint", sa.String(64)),
    ("finished_fingerprint", sa.String(64)),
    ("finished_version", sa.String(40)),
)


def upgrade() -> None:
    for name, type_ in _COLUMNS:
        op.add_column("assessments", sa.Column(name, type_, nullable=True))


def downgrade() -> None:
    # Plain ALTER TABLE … DROP COLUMN (SQLite >= 3.35), not batch mode: batch mode would
    # recreate `assessments`, and dropping the old table with foreign keys on deletes every
    # answer through ON DELETE CASCADE.
    for name, _ in reversed(_COLUMNS):
        op.drop_column("assessments", name)
