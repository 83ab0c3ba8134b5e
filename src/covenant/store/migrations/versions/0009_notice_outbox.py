"""The notice outbox: one row per alert notice and target, sent by delivery's dispatcher.

Revision ID: 0009_notice_outbox
Revises: 0008_worker_state
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009_notice_outbox"
down_revision: str | None = "0008_worker_state"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.create_table(
        "notice_outbox",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("notice_key", sa.String(512), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("target", sa.String(255), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("notice", sa.Text(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("claimed_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("claimed_by", sa.String(64), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_notice_outbox"),
        sa.UniqueConstraint(
            "notice_key", "state", "starts_at", "target", name="uq_notice_outbox_notice"
        ),
    )
    op.create_index("ix_notice_outbox_due", "notice_outbox", ["status", "next_attempt_at"])


def downgrade() -> None:
    op.drop_index("ix_notice_outbox_due", table_name="notice_outbox")
    op.drop_table("notice_outbox")
