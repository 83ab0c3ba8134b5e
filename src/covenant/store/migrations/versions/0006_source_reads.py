"""Source reads: per series read from a metrics source, how far it was read and its last error.

Revision ID: 0006_source_reads
Revises: 0005_bucket_sums_index
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006_source_reads"
down_revision: str | None = "0005_bucket_sums_index"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.create_table(
        "source_reads",
        sa.Column("series_id", sa.Integer, nullable=False),
        sa.Column("source", sa.String(255), nullable=False),
        sa.Column("read_until", sa.BigInteger, nullable=True),
        sa.Column("error_code", sa.String(64), nullable=True),
        sa.Column("error", sa.Text, nullable=True),
        sa.Column("error_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("series_id", name="pk_source_reads"),
        sa.ForeignKeyConstraint(
            ["series_id"],
            ["series.id"],
            name="fk_source_reads_series_id_series",
            ondelete="CASCADE",
        ),
    )


def downgrade() -> None:
    op.drop_table("source_reads")
