"""Web UI users and sessions: rows in, rows out (``services.users`` decides and hashes)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from covenant.core.access import Role
from covenant.store.web_tables import web_sessions, web_users


@dataclass(frozen=True, slots=True, kw_only=True)
class StoredUser:
    name: str
    role: Role
    customer: str | None
    created_at: datetime
    created_by: str | None
    disabled_at: datetime | None


@dataclass(frozen=True, slots=True, kw_only=True)
class StoredSession:
    csrf: str
    user_name: str | None
    token_id: str | None
    created_at: datetime
    expires_at: datetime


def session_digest(session_id: str) -> str:
    return hashlib.sha256(session_id.encode("utf-8")).hexdigest()


def _user(row: sa.RowMapping) -> StoredUser:
    return StoredUser(
        name=row["name"],
        role=Role(row["role"]),
        customer=row["customer"],
        created_at=row["created_at"],
        created_by=row["created_by"],
        disabled_at=row["disabled_at"],
    )


def _user_columns() -> list[sa.Column[object]]:
    return [c for c in web_users.c if c.name != "password_hash"]


def insert_user(
    conn: Connection,
    *,
    name: str,
    password_hash: str,
    role: Role,
    customer: str | None,
    at: datetime,
    created_by: str | None,
) -> StoredUser:
    values = {
        "name": name,
        "role": role.value,
        "customer": customer,
        "created_at": at,
        "created_by": created_by,
        "disabled_at": None,
    }
    conn.execute(sa.insert(web_users).values(password_hash=password_hash, **values))
    return _user(values)  # type: ignore[arg-type]


def load_users(conn: Connection) -> list[StoredUser]:
    rows = conn.execute(sa.select(*_user_columns()).order_by(web_users.c.name))
    return [_user(r) for r in rows.mappings()]


def load_user(conn: Connection, *, name: str) -> StoredUser | None:
    row = conn.execute(sa.select(*_user_columns()).where(web_users.c.name == name))
    found = row.mappings().first()
    return None if found is None else _user(found)


def password_hash(conn: Connection, *, name: str) -> str | None:
    found = conn.execute(
        sa.select(web_users.c.password_hash).where(web_users.c.name == name)
    ).scalar_one_or_none()
    return None if found is None else str(found)


def set_password_hash(conn: Connection, *, name: str, password_hash: str) -> None:
    conn.execute(
        sa.update(web_users).where(web_users.c.name == name).values(password_hash=password_hash)
    )


def disable_user(conn: Connection, *, name: str, at: datetime) -> None:
    conn.execute(
        sa.update(web_users)
        .where(web_users.c.name == name, web_users.c.disabled_at.is_(None))
        .values(disabled_at=at)
    )
    conn.execute(sa.delete(web_sessions).where(web_sessions.c.user_name == name))


def insert_session(
    conn: Connection,
    *,
    session_id: str,
    csrf: str,
    user_name: str | None,
    token_id: str | None,
    at: datetime,
    expires_at: datetime,
) -> None:
    conn.execute(
        sa.insert(web_sessions).values(
            id_sha256=session_digest(session_id),
            csrf=csrf,
            user_name=user_name,
            token_id=token_id,
            created_at=at,
            expires_at=expires_at,
        )
    )
    # expired sessions are removed as new ones start: the table holds only live ones
    conn.execute(sa.delete(web_sessions).where(web_sessions.c.expires_at <= at))


def load_session(conn: Connection, *, session_id: str) -> StoredSession | None:
    row = (
        conn.execute(
            sa.select(web_sessions).where(web_sessions.c.id_sha256 == session_digest(session_id))
        )
        .mappings()
        .first()
    )
    if row is None:
        return None
    return StoredSession(
        csrf=row["csrf"],
        user_name=row["user_name"],
        token_id=row["token_id"],
        created_at=row["created_at"],
        expires_at=row["expires_at"],
    )


def delete_session(conn: Connection, *, session_id: str) -> None:
    conn.execute(
        sa.delete(web_sessions).where(web_sessions.c.id_sha256 == session_digest(session_id))
    )
