"""Worker state: the bucket write journal and the alert states.

Revision ID: 0008_worker_state
Revises: 0007_api_tokens
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008_worker_state"
down_revision: str | None = "0007_api_tokens"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.create_table(
        "bucket_writes",
        sa.Column(
            "seq",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            nullable=False,
            autoincrement=True,
        ),
        sa.Column("series_id", sa.Integer, nullable=False),
        sa.Column("lo", sa.BigInteger, nullable=False),
        sa.Column("hi", sa.BigInteger, nullable=False),
        sa.PrimaryKeyConstraint("seq", name="pk_bucket_writes"),
    )
    op.create_table(
        "alert_states",
        sa.Column("key", sa.String(512), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("severity", sa.String(32), nullable=False),
        sa.Column("labels", sa.Text, nullable=False),
        sa.Column("annotations", sa.Text, nullable=False),
        sa.Column("targets", sa.Text, nullable=False),
        sa.Column("pending_since", sa.DateTime(timezone=True), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key", name="pk_alert_states"),
    )


def downgrade() -> None:
    op.drop_table("alert_states")
    op.drop_table("bucket_writes")
