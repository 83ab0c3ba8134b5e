"""The ``/metrics`` page of the worker's latest tick, shared by every server process.

Revision ID: 0013_metrics_snapshots
Revises: 0012_web_users
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013_metrics_snapshots"
down_revision: str | None = "0012_web_users"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.create_table(
        "metrics_snapshots",
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("seq", sa.BigInteger, nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("body", sa.LargeBinary, nullable=False),
        sa.PrimaryKeyConstraint("name", name="pk_metrics_snapshots"),
    )


def downgrade() -> None:
    op.drop_table("metrics_snapshots")
