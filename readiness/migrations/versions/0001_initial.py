"""The schema as first released: organisations, respondents, assessments, answers.

Frozen copy of what `Base.metadata.create_all` made before migrations existed (names follow the
naming convention of readiness.storage.schema), so databases created then are stamped with this
revision and upgraded from here.

Revision ID: 0001
Revises:
Create Date: 2025-01-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "organisations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("join_code", sa.String(16), nullable=False),
        sa.Column("admin_token_hash", sa.String(255), nullable=False),
        sa.Column("weights_json", sa.Text(), nullable=False),
        sa.Column("current_round", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint("current_round >= 1", name=op.f("ck_organisations_current_round_positive")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_organisations")),
        sa.UniqueConstraint("join_code", name=op.f("uq_organisations_join_code")),
    )
    op.create_table(
        "respondents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("pseudonym", sa.String(32), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=True),
        sa.Column("role", sa.String(64), nullable=False),
        sa.Column("department", sa.String(80), nullable=True),
        sa.Column("sender_id", sa.String(255), nullable=True),
        sa.Column("consented_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"], ["organisations.id"],
            name=op.f("fk_respondents_organisation_id_organisations"), ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_respondents")),
        sa.UniqueConstraint("pseudonym", name=op.f("uq_respondents_pseudonym")),
        sa.UniqueConstraint("sender_id", name=op.f("uq_respondents_sender_id")),
    )
    op.create_index(op.f("ix_respondents_organisation_id"), "respondents", ["organisation_id"])
    op.create_table(
        "assessments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("respondent_id", sa.Integer(), nullable=False),
        sa.Column("round", sa.Integer(), nullable=False),
        sa.Column("questionnaire_version", sa.String(40), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=False),
        sa.Column("completed_at", sa.DateTime(), nullable=True),
        sa.Column("resume_code", sa.String(16), nullable=False),
        sa.Column("report_token", sa.String(64), nullable=False),
        sa.CheckConstraint("round >= 1", name=op.f("ck_assessments_round_positive")),
        sa.ForeignKeyConstraint(
            ["respondent_id"], ["respondents.id"],
            name=op.f("fk_assessments_respondent_id_respondents"), ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assessments")),
        sa.UniqueConstraint("report_token", name=op.f("uq_assessments_report_token")),
        sa.UniqueConstraint("resume_code", name=op.f("uq_assessments_resume_code")),
    )
    op.create_index(op.f("ix_assessments_respondent_id"), "assessments", ["respondent_id"])
    op.create_table(
        "answers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("assessment_id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.String(100), nullable=False),
        sa.Column("value", sa.Integer(), nullable=True),
        sa.Column(
            "not_applicable",
            sa.Boolean(create_constraint=True, name=op.f("ck_answers_not_applicable_bool")),
            nullable=False,
        ),
        sa.Column("answered_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            "(not_applicable AND value IS NULL) OR "
            "(NOT not_applicable AND value IS NOT NULL AND value BETWEEN 1 AND 5)",
            name=op.f("ck_answers_value_xor_not_applicable"),
        ),
        sa.ForeignKeyConstraint(
            ["assessment_id"], ["assessments.id"],
            name=op.f("fk_answers_assessment_id_assessments"), ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_answers")),
        sa.UniqueConstraint("assessment_id", "item_id", name=op.f("uq_answers_assessment_item")),
    )


def downgrade() -> None:
    op.drop_table("answers")
    op.drop_index(op.f("ix_assessments_respondent_id"), table_name="assessments")
    op.drop_table("assessments")
    op.drop_index(op.f("ix_respondents_organisation_id"), table_name="respondents")
    op.drop_table("respondents")
    op.drop_table("organisations")
