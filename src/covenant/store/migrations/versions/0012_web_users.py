"""The web UI's users (Argon2id password hashes, a role, a customer) and sign-in sessions
(stored as the SHA-256 of their id, with their CSRF token and expiry).

Revision ID: 0012_web_users
Revises: 0011_batch_outcome
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012_web_users"
down_revision: str | None = "0011_batch_outcome"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.create_table(
        "web_users",
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("password_hash", sa.String(255), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("customer", sa.String(255), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(255), nullable=True),
        sa.Column("disabled_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("name", name="pk_web_users"),
    )
    op.create_table(
        "web_sessions",
        sa.Column("id_sha256", sa.String(64), nullable=False),
        sa.Column("csrf", sa.String(64), nullable=False),
        sa.Column("user_name", sa.String(64), nullable=True),
        sa.Column("token_id", sa.String(32), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id_sha256", name="pk_web_sessions"),
    )


def downgrade() -> None:
    op.drop_table("web_sessions")
    op.drop_table("web_users")
