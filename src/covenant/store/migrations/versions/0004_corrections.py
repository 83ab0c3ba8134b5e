"""Corrections: the audit of every SLO correction applied, one row per content revision.

Revision ID: 0004_corrections
Revises: 0003_merge
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004_corrections"
down_revision: str | None = "0003_merge"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.create_table(
        "correction_revisions",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("name", sa.String(255), nullable=False),
        sa.Column("revision", sa.Integer, nullable=False),
        sa.Column("content", sa.Text, nullable=False),
        sa.Column("content_sha256", sa.String(64), nullable=False),
        sa.Column("author", sa.String(255), nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("origin", sa.String(1024), nullable=False),
        sa.Column("first_seen", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_correction_revisions"),
        sa.UniqueConstraint("name", "revision", name="uq_correction_revisions_name"),
        sa.UniqueConstraint("name", "content_sha256", name="uq_correction_revisions_content"),
    )


def downgrade() -> None:
    op.drop_table("correction_revisions")
