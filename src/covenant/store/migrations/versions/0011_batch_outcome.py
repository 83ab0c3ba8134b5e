"""What a batch refused: the first refused rows and the unmatched counts, kept with the batch so
a retried keyed batch (PUT /api/v1/event-batches/{key}) is answered with the same rows.

Revision ID: 0011_batch_outcome
Revises: 0010_audit_log
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011_batch_outcome"
down_revision: str | None = "0010_audit_log"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    with op.batch_alter_table("ingest_batches") as batch:
        batch.add_column(sa.Column("outcome", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("ingest_batches") as batch:
        batch.drop_column("outcome")
