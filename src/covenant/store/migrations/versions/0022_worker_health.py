"""The worker's own health, kept in the store so every server process serves the same
``/metrics`` samples and the counts go on across restarts: ``worker_health`` (one row: ticks
by outcome, the latest tick's instant and duration, the latest completed tick's instant),
``source_health`` (per DataSource, when a read last returned data) and ``source_read_errors``
(per DataSource and error code, the series reads that failed). They start empty: nothing
before this revision was counted.

Revision ID: 0022_worker_health
Revises: 0021_ticket_settled
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0022_worker_health"
down_revision: str | None = "0021_ticket_settled"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.create_table(
        "worker_health",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("ticks_ok", sa.BigInteger(), nullable=False),
        sa.Column("ticks_problems", sa.BigInteger(), nullable=False),
        sa.Column("ticks_failed", sa.BigInteger(), nullable=False),
        sa.Column("last_tick_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_tick_s", sa.Float(), nullable=False),
        sa.Column("last_success_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_worker_health"),
    )
    op.create_table(
        "source_health",
        sa.Column("source", sa.String(255), nullable=False),
        sa.Column("last_success_s", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("source", name="pk_source_health"),
    )
    op.create_table(
        "source_read_errors",
        sa.Column("source", sa.String(255), nullable=False),
        sa.Column("code", sa.String(64), nullable=False),
        sa.Column("errors", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("source", "code", name="pk_source_read_errors"),
    )


def downgrade() -> None:
    op.drop_table("source_read_errors")
    op.drop_table("source_health")
    op.drop_table("worker_health")
