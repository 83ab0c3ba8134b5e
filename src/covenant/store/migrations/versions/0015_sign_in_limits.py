"""Failed sign-ins of the web UI per user name and per client address (the sign-in rate limit,
``core.sign_in_limits``), shared by every process on the store.

Revision ID: 0015_sign_in_limits
Revises: 0014_definition_changes
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015_sign_in_limits"
down_revision: str | None = "0014_definition_changes"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.create_table(
        "sign_in_failures",
        sa.Column("key", sa.String(300), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("last_failure_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("blocked_until", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("key", name="pk_sign_in_failures"),
    )
    op.create_index("ix_sign_in_failures_last", "sign_in_failures", ["last_failure_at"])


def downgrade() -> None:
    op.drop_index("ix_sign_in_failures_last", table_name="sign_in_failures")
    op.drop_table("sign_in_failures")
