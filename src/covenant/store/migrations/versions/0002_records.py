"""Records: support tickets and incidents (upserted by id).

Revision ID: 0002_records
Revises: 0001
Create Date: 2026-02-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002_records"
down_revision: str | None = "0001"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.create_table(
        "tickets",
        sa.Column("id", sa.String(255), nullable=False),
        sa.Column("customer", sa.String(255), nullable=False),
        sa.Column("priority", sa.String(64), nullable=False),
        sa.Column("created", sa.DateTime(timezone=True), nullable=False),
        sa.Column("first_response", sa.DateTime(timezone=True), nullable=True),
        sa.Column("resolved", sa.DateTime(timezone=True), nullable=True),
        sa.Column("history", sa.Text, nullable=False),
        sa.Column("content_sha256", sa.String(64), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_tickets"),
    )
    op.create_index("ix_tickets_customer_created", "tickets", ["customer", "created"])
    op.create_index("ix_tickets_created", "tickets", ["created"])
    op.create_table(
        "incidents",
        sa.Column("id", sa.String(255), nullable=False),
        sa.Column("services", sa.Text, nullable=False),
        sa.Column("start_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("end_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("severity", sa.String(64), nullable=False),
        sa.Column("customer_caused", sa.Boolean, nullable=False),
        sa.Column("force_majeure", sa.Boolean, nullable=False),
        sa.Column("planned_maintenance", sa.Boolean, nullable=False),
        sa.Column("customers", sa.Text, nullable=False),
        sa.Column("content_sha256", sa.String(64), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_incidents"),
    )
    op.create_index("ix_incidents_start_at", "incidents", ["start_at"])
    op.create_index("ix_incidents_end_at", "incidents", ["end_at"])


def downgrade() -> None:
    op.drop_index("ix_incidents_end_at", table_name="incidents")
    op.drop_index("ix_incidents_start_at", table_name="incidents")
    op.drop_table("incidents")
    op.drop_index("ix_tickets_created", table_name="tickets")
    op.drop_index("ix_tickets_customer_created", table_name="tickets")
    op.drop_table("tickets")
