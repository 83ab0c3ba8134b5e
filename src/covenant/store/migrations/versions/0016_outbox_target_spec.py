"""Each outbox row keeps how its target was reached when the row was routed (the target's
delivery settings as JSON), so the resolution of an alert still reaches a target that was
removed from the workspace, even from a process started after the removal.

Revision ID: 0016_outbox_target_spec
Revises: 0015_sign_in_limits
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0016_outbox_target_spec"
down_revision: str | None = "0015_sign_in_limits"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.add_column("notice_outbox", sa.Column("target_spec", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("notice_outbox") as batch:
        batch.drop_column("target_spec")
