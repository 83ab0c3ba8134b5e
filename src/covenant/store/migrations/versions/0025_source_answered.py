"""Each series read from a metrics source keeps the first minute a read found the source
answering for it (``source_reads.answered_from``: its counters there, even counting nothing),
so a window's data is said to start there — a quiet service's first hours without requests
are covered, not missing — rather than at its first minute with events.

Revision ID: 0025_source_answered
Revises: 0024_ticket_settled_instant
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0025_source_answered"
down_revision: str | None = "0024_ticket_settled_instant"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    # NULL on rows of an older store: not known, the first minute with events is used until
    # a read answers for an earlier one
    op.add_column("source_reads", sa.Column("answered_from", sa.BigInteger(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("source_reads") as batch:
        batch.drop_column("answered_from")
