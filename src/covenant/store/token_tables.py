"""The API token table (SQLAlchemy 2 Core), on the store's shared ``metadata``.

Migration ``0007_api_tokens`` creates it. A token is never stored: only the SHA-256 of its
secret part (see ``store.tokens``). ``id`` is the token's public part, shown by ``covenant
token list`` and used to revoke it.
"""

from __future__ import annotations

from sqlalchemy import Column, String, Table

from covenant.store.tables import UtcDateTime, metadata

api_tokens = Table(
    "api_tokens",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("secret_sha256", String(64), nullable=False),
    Column("role", String(16), nullable=False),
    Column("customer", String(255), nullable=True),  # set for (and only for) role customer
    Column("label", String(255), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("created_by", String(255), nullable=True),
    Column("expires_at", UtcDateTime, nullable=False),
    Column("revoked_at", UtcDateTime, nullable=True),
)
