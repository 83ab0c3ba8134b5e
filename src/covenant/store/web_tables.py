"""The web UI's tables (SQLAlchemy 2 Core): its users, their sign-in sessions, and failed
sign-ins (the rate limit).

Migration ``0012_web_users`` creates them. A user's password is stored only as an Argon2id
hash (``services.users``); a session's id is stored only as its SHA-256, like an API token's
secret: the cookie that holds it is the only copy of the id.
"""

from __future__ import annotations

from sqlalchemy import Column, Index, Integer, String, Table

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

# failed sign-ins per key (``address:<client address>``, ``name:<user name>``,
# ``here:<user name>@<client address>``: ``services.sign_in_limits``), shared by
# every process on the store (``core.sign_in_limits``); migration ``0015_sign_in_limits``
sign_in_failures = Table(
    "sign_in_failures",
    metadata,
    Column("key", String(300), primary_key=True),
    Column("failures", Integer, nullable=False),
    Column("last_failure_at", UtcDateTime, nullable=False),
    Column("blocked_until", UtcDateTime, nullable=True),
    Index("ix_sign_in_failures_last", "last_failure_at"),  # forgetting old keys
)
