"""Each series read from a metrics source keeps whether its newest read's good (bad) and total
queries matched any series there, and since when one has matched none
(``source_reads.first_found`` … ``total_unmatched_from``), so "no data" can say "the query
matched no series" (a misspelt metric or label) apart from "no events" (a quiet service).

Revision ID: 0020_source_matches
Revises: 0019_ingest_totals
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0020_source_matches"
down_revision: str | None = "0019_ingest_totals"
branch_labels: str | None = None
depends_on: str | None = None

COLUMNS = (
    ("first_found", sa.Boolean()),
    ("first_unmatched_from", sa.BigInteger()),
    ("total_found", sa.Boolean()),
    ("total_unmatched_from", sa.BigInteger()),
)


def upgrade() -> None:
    # NULL on rows of an older store: not known until the next read
    for name, kind in COLUMNS:
        op.add_column("source_reads", sa.Column(name, kind, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("source_reads") as batch:
        for name, _ in reversed(COLUMNS):
            batch.drop_column(name)
