"""Issued statements: ``issued_statements``, one row per issued revision of a customer's
statement for a period (its canonical JSON, digest, HTML, who issued it and when). It starts
empty: no statement was issued before this revision.

Revision ID: 0023_issued_statements
Revises: 0022_worker_health
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0023_issued_statements"
down_revision: str | None = "0022_worker_health"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.create_table(
        "issued_statements",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("customer", sa.String(255), nullable=False),
        sa.Column("period", sa.String(16), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("issued_by", sa.String(255), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("complete", sa.Boolean(), nullable=False),
        sa.Column("digest", sa.String(64), nullable=False),
        sa.Column("document", sa.Text(), nullable=False),
        sa.Column("html", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_issued_statements"),
        sa.UniqueConstraint("customer", "period", "revision", name="uq_issued_statements_customer"),
    )


def downgrade() -> None:
    op.drop_table("issued_statements")
