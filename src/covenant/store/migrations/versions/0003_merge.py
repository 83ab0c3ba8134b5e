"""Join the agreements and records branches into one line of history.

Revision ID: 0003_merge
Revises: 0002_agreements, 0002_records
"""

from __future__ import annotations

revision = "0003_merge"
down_revision: tuple[str, ...] | None = ("0002_agreements", "0002_records")
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Nothing to change: both branches' tables are already in place."""


def downgrade() -> None:
    """Nothing to undo."""
