"""The web UI's tables (SQLAlchemy 2 Core): its users and their sign-in sessions.

Migration ``0012_web_users`` creates them. A user's password is stored only as an Argon2id
hash (``services.users``); a session's id is stored only as its SHA-256, like an API token's
secret: the cookie that holds it is the only copy of the id.
"""

from __future__ import annotations

from sqlalchemy import Column, String, Table

from covenant.store.tables import UtcDateTime, metadata

web_users = Table(
    "web_users",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("password_hash", String(255), nullable=False),  # Argon2id, PHC string form
    Column("role", String(16), nullable=False),
    Column("customer", String(255), nullable=True),  # set for (and only for) role customer
    Column("created_at", UtcDateTime, nullable=False),
    Column("created_by", String(255), nullable=True),
    Column("disabled_at", UtcDateTime, nullable=True),
)

web_sessions = Table(
    "web_sessions",
    metadata,
    Column("id_sha256", String(64), primary_key=True),
    Column("csrf", String(64), nullable=False),  # the session's form token (not a secret key)
    Column("user_name", String(64), nullable=True),  # signed in with a password, or
    Column("token_id", String(32), nullable=True),  # with an API token (checked per request)
    Column("created_at", UtcDateTime, nullable=False),
    Column("expires_at", UtcDateTime, nullable=False),
)
