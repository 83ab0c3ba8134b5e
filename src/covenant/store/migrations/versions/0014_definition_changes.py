"""Corrections and maintenance windows recorded in the store: every change made over the API
and every pull back into a workspace (ADR 0006).

Revision ID: 0014_definition_changes
Revises: 0013_metrics_snapshots
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014_definition_changes"
down_revision: str | None = "0013_metrics_snapshots"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.create_table(
        "definition_changes",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("name", sa.String(255), nullable=False),
        sa.Column("seq", sa.Integer, nullable=False),
        sa.Column("action", sa.String(32), nullable=False),
        sa.Column("document", sa.Text, nullable=True),
        sa.Column("content_sha256", sa.String(64), nullable=False),
        sa.Column("replaced_sha256", sa.String(64), nullable=False),
        sa.Column("actor", sa.String(255), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reason", sa.Text, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_definition_changes"),
        sa.UniqueConstraint("kind", "name", "seq", name="uq_definition_changes_kind"),
    )


def downgrade() -> None:
    op.drop_table("definition_changes")
