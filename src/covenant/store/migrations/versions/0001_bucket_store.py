"""Bucket store: series, day chunks of (good, total) counts, ingestion batches.

Revision ID: 0001
Revises:
Create Date: 2026-01-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision: str | None = None
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.create_table(
        "series",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("key", sa.String(255), nullable=False),
        sa.Column("step_s", sa.Integer, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_series"),
        sa.UniqueConstraint("key", name="uq_series_key"),
    )
    op.create_table(
        "bucket_chunks",
        sa.Column("series_id", sa.Integer, nullable=False),
        sa.Column("day", sa.BigInteger, nullable=False),
        sa.Column("itemsize", sa.SmallInteger, nullable=False),
        sa.Column("counts", sa.LargeBinary, nullable=False),
        sa.Column("good_sum", sa.BigInteger, nullable=False),
        sa.Column("total_sum", sa.BigInteger, nullable=False),
        sa.PrimaryKeyConstraint("series_id", "day", name="pk_bucket_chunks"),
        sa.ForeignKeyConstraint(
            ["series_id"],
            ["series.id"],
            name="fk_bucket_chunks_series_id_series",
            ondelete="CASCADE",
        ),
    )
    op.create_table(
        "ingest_batches",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("source_sha256", sa.String(64), nullable=False),
        sa.Column("filename", sa.String(1024), nullable=False),
        sa.Column("rows_read", sa.BigInteger, nullable=False),
        sa.Column("rows_ingested", sa.BigInteger, nullable=False),
        sa.Column("rows_rejected", sa.BigInteger, nullable=False),
        sa.Column("events_min", sa.BigInteger, nullable=True),
        sa.Column("events_max", sa.BigInteger, nullable=True),
        sa.Column("ingested_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_ingest_batches"),
        sa.UniqueConstraint("source_sha256", name="uq_ingest_batches_source_sha256"),
    )


def downgrade() -> None:
    op.drop_table("ingest_batches")
    op.drop_table("bucket_chunks")
    op.drop_table("series")
