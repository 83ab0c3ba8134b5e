"""Every recorded batch summed in one row (``ingest_totals``), kept when a batch is recorded,
so a /metrics scrape reads one row instead of summing ``ingest_batches`` (never pruned). The
row is filled from the batches already recorded.

Revision ID: 0019_ingest_totals
Revises: 0018_source_query
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0019_ingest_totals"
down_revision: str | None = "0018_source_query"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.create_table(
        "ingest_totals",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("batches", sa.BigInteger(), nullable=False),
        sa.Column("rows_ingested", sa.BigInteger(), nullable=False),
        sa.Column("rows_rejected", sa.BigInteger(), nullable=False),
        sa.Column("last_batch_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("events_max", sa.BigInteger(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_ingest_totals"),
    )
    # the sums of the batches already recorded, in SQL (no batch is loaded into Python); no
    # batch, no row: the totals read zero and the first batch inserts the row
    op.execute(
        "INSERT INTO ingest_totals "
        "(id, batches, rows_ingested, rows_rejected, last_batch_at, events_max) "
        "SELECT 1, count(*), coalesce(sum(rows_ingested), 0), coalesce(sum(rows_rejected), 0),"
        " max(ingested_at), max(events_max) FROM ingest_batches HAVING count(*) > 0"
    )


def downgrade() -> None:
    op.drop_table("ingest_totals")
