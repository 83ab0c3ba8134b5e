"""A covering index of the per-day sums, so whole days are summed without reading the blobs.

Revision ID: 0005_bucket_sums_index
Revises: 0004_corrections
"""

from __future__ import annotations

from alembic import op

revision = "0005_bucket_sums_index"
down_revision: str | None = "0004_corrections"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.create_index(
        "ix_bucket_chunks_sums",
        "bucket_chunks",
        ["series_id", "day", "good_sum", "total_sum"],
    )


def downgrade() -> None:
    op.drop_index("ix_bucket_chunks_sums", table_name="bucket_chunks")
