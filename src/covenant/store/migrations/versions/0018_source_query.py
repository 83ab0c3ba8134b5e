"""Each series read from a metrics source keeps the SHA-256 of the queries it was read with
(``source_reads.query_sha256``), so counts read with a query that has since changed are
dropped and read again instead of being summed with the new query's.

Revision ID: 0018_source_query
Revises: 0017_alert_transitions
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0018_source_query"
down_revision: str | None = "0017_alert_transitions"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    # NULL on rows of an older store: their query is not known, the next read adopts its own
    op.add_column("source_reads", sa.Column("query_sha256", sa.String(64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("source_reads") as batch:
        batch.drop_column("query_sha256")
