"""API token repository: stored hashed, looked up by their public id, compared in constant time.

A token reads ``cvt_<id>.<secret>``: ``id`` (12 URL-safe characters, never a leading ``-``, so
it can be passed on a command line) is public and names the row; ``secret`` (43 URL-safe
characters, 256 random bits from :func:`secrets.token_urlsafe`) is shown once, when the token
is made, and only its SHA-256 is stored.

Why a plain SHA-256 and not a slow password hash (bcrypt, scrypt, Argon2): those slow down
guessing a *low-entropy* secret from a stolen hash. A 256-bit random secret cannot be guessed
whatever the hash costs, so a fast hash loses nothing and keeps checking a token on every
request at a microsecond. The stored hash is compared with :func:`hmac.compare_digest`, so the
time taken does not tell how much of a guessed secret was right.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from covenant.core.access import Role
from covenant.store.token_tables import api_tokens

PREFIX = "cvt_"
ID_BYTES = 9  # 12 characters
SECRET_BYTES = 32  # 43 characters, 256 bits


@dataclass(frozen=True, slots=True, kw_only=True)
class StoredToken:
    id: str
    role: Role
    customer: str | None
    label: str
    created_at: datetime
    created_by: str | None
    expires_at: datetime
    revoked_at: datetime | None

    def state(self, at: datetime) -> str:
        """``active``, ``expired`` or ``revoked`` at ``at``."""
        if self.revoked_at is not None and self.revoked_at <= at:
            return "revoked"
        return "expired" if self.expires_at <= at else "active"


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def new_token() -> tuple[str, str, str]:
    """A fresh token: ``(id, secret, the token text to hand over)``."""
    token_id = secrets.token_urlsafe(ID_BYTES)
    while token_id.startswith("-"):  # `covenant token revoke -Wx…` would read it as an option
        token_id = secrets.token_urlsafe(ID_BYTES)
    secret = secrets.token_urlsafe(SECRET_BYTES)
    return token_id, secret, f"{PREFIX}{token_id}.{secret}"


def split_token(text: str) -> tuple[str, str] | None:
    """``(id, secret)`` of a presented token, or None when it is not of the token's form."""
    if not text.startswith(PREFIX):
        return None
    token_id, dot, secret = text.removeprefix(PREFIX).partition(".")
    if not dot or not token_id or not secret or len(token_id) > 32 or len(secret) > 128:
        return None
    return token_id, secret


def _row(row: sa.RowMapping) -> StoredToken:
    return StoredToken(
        id=row["id"],
        role=Role(row["role"]),
        customer=row["customer"],
        label=row["label"],
        created_at=row["created_at"],
        created_by=row["created_by"],
        expires_at=row["expires_at"],
        revoked_at=row["revoked_at"],
    )


def _columns() -> list[sa.Column[object]]:
    return [c for c in api_tokens.c if c.name != "secret_sha256"]


def insert_token(
    conn: Connection,
    *,
    token_id: str,
    secret: str,
    role: Role,
    customer: str | None,
    label: str,
    at: datetime,
    created_by: str | None,
    expires_at: datetime,
) -> StoredToken:
    values = {
        "id": token_id,
        "role": role.value,
        "customer": customer,
        "label": label,
        "created_at": at,
        "created_by": created_by,
        "expires_at": expires_at,
        "revoked_at": None,
    }
    conn.execute(sa.insert(api_tokens).values(secret_sha256=digest(secret), **values))
    return _row(values)  # type: ignore[arg-type]


def load_tokens(conn: Connection) -> list[StoredToken]:
    rows = conn.execute(sa.select(*_columns()).order_by(api_tokens.c.created_at, api_tokens.c.id))
    return [_row(r) for r in rows.mappings()]


def load_token(conn: Connection, *, token_id: str) -> StoredToken | None:
    row = conn.execute(sa.select(*_columns()).where(api_tokens.c.id == token_id)).mappings().first()
    return None if row is None else _row(row)


def matching_token(conn: Connection, *, token_id: str, secret: str) -> StoredToken | None:
    """The stored token with this id whose secret hashes to the stored hash, else None."""
    row = conn.execute(sa.select(api_tokens).where(api_tokens.c.id == token_id)).mappings().first()
    if row is None:
        hmac.compare_digest(digest(secret), digest(""))  # the same work either way
        return None
    if not hmac.compare_digest(digest(secret), str(row["secret_sha256"])):
        return None
    return _row(row)


def revoke(conn: Connection, *, token_id: str, at: datetime) -> None:
    conn.execute(
        sa.update(api_tokens)
        .where(api_tokens.c.id == token_id, api_tokens.c.revoked_at.is_(None))
        .values(revoked_at=at)
    )
