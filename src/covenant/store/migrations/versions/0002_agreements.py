"""Agreements: agreements, their versions (canonical content + hash) and the event history.

Revision ID: 0002_agreements
Revises: 0001
Create Date: 2026-01-15
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002_agreements"
down_revision: str | None = "0001"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.create_table(
        "agreements",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("name", sa.String(255), nullable=False),
        sa.Column("customer", sa.String(255), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_agreements"),
        sa.UniqueConstraint("name", name="uq_agreements_name"),
    )
    op.create_table(
        "agreement_versions",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("agreement_id", sa.Integer, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("status", sa.String(32), nullable=False),
        sa.Column("effective_from", sa.DateTime(timezone=True), nullable=False),
        sa.Column("effective_to", sa.DateTime(timezone=True), nullable=True),
        sa.Column("content", sa.Text, nullable=False),
        sa.Column("content_sha256", sa.String(64), nullable=False),
        sa.Column("first_seen", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_agreement_versions"),
        sa.ForeignKeyConstraint(
            ["agreement_id"],
            ["agreements.id"],
            name="fk_agreement_versions_agreement_id_agreements",
            ondelete="RESTRICT",
        ),
        sa.UniqueConstraint("agreement_id", "version", name="uq_agreement_versions_agreement_id"),
    )
    op.create_table(
        "agreement_events",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("agreement_id", sa.Integer, nullable=False),
        sa.Column("seq", sa.Integer, nullable=False),
        sa.Column("version", sa.Integer, nullable=True),
        sa.Column("event", sa.String(32), nullable=False),
        sa.Column("from_status", sa.String(32), nullable=True),
        sa.Column("to_status", sa.String(32), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(255), nullable=True),
        sa.Column("details", sa.Text, nullable=False),
        sa.Column("prev_hash", sa.String(64), nullable=True),
        sa.Column("hash", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_agreement_events"),
        sa.ForeignKeyConstraint(
            ["agreement_id"],
            ["agreements.id"],
            name="fk_agreement_events_agreement_id_agreements",
            ondelete="RESTRICT",
        ),
        sa.UniqueConstraint("agreement_id", "seq", name="uq_agreement_events_agreement_id"),
    )


def downgrade() -> None:
    op.drop_table("agreement_events")
    op.drop_table("agreement_versions")
    op.drop_table("agreements")
