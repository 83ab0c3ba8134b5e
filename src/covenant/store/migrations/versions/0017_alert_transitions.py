"""The alert history: one row per transition of an alert (pending, firing, resolved, or a
pending one dropped without firing), appended by the worker in the transaction that saves the
alert's state (``store.alert_transitions``).

Revision ID: 0017_alert_transitions
Revises: 0016_outbox_target_spec
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0017_alert_transitions"
down_revision: str | None = "0016_outbox_target_spec"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.create_table(
        "alert_transitions",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            nullable=False,
            autoincrement=True,
        ),
        sa.Column("key", sa.String(512), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("from_state", sa.String(16), nullable=True),
        sa.Column("to_state", sa.String(16), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("severity", sa.String(32), nullable=False),
        sa.Column("labels", sa.Text(), nullable=False),
        sa.Column("annotations", sa.Text(), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_alert_transitions"),
        sa.UniqueConstraint("key", "at", "to_state", name="uq_alert_transitions_step"),
    )
    op.create_index("ix_alert_transitions_at", "alert_transitions", ["at"])


def downgrade() -> None:
    op.drop_index("ix_alert_transitions_at", table_name="alert_transitions")
    op.drop_table("alert_transitions")
