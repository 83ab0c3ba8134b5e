"""Use cases of the web UI's sign-in: users with passwords, and sessions.

A user has a name, a role (the API's four) and, for ``customer``, the one customer it is bound
to. Its password is kept only as an Argon2id hash (argon2-cffi's defaults: 64 MiB of memory,
3 passes, 4 lanes, a 16-byte random salt): Argon2id is memory-hard, so guessing passwords from
a stolen hash costs memory as well as time on every guess. People choose passwords, which can
be guessed; API tokens are 256 random bits and need no slow hash (``store.tokens``).

A session is started by a password or an API token. Its id (256 random bits) lives only in the
browser's cookie; the store keeps its SHA-256, its CSRF token and its expiry. Each request
checks the session again against its user (disabled?) or token (revoked? expired?), so turning
a user or a token off ends its sessions at once. Making and disabling a user is audited.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from covenant.core.access import Principal, Role
from covenant.core.timeutil import require_utc, utc_iso
from covenant.errors import (
    AuthenticationError,
    ConflictError,
    InputError,
    NotFoundError,
)
from covenant.services.store import store_failure
from covenant.store import audit
from covenant.store import users as repo
from covenant.store.audit import UNKNOWN_ACTOR
from covenant.store.db import write_transaction
from covenant.store.tokens import load_token
from covenant.store.users import StoredUser

SESSION_LENGTH = timedelta(hours=12)
MIN_PASSWORD = 12
MAX_PASSWORD = 1024
_NAME = re.compile(r"^[a-z0-9][a-z0-9._@-]{0,63}$")
_HASHER = PasswordHasher()  # Argon2id with the library's (RFC 9106 low-memory) parameters
# compared against when no such user exists, so a wrong name costs what a wrong password does
_NOBODY = _HASHER.hash(secrets.token_urlsafe(16))
SIGN_IN_FAILED = "the name or the password is wrong, or the user is disabled"


@dataclass(frozen=True, slots=True, kw_only=True)
class Session:
    """A live session: who it speaks for, its form token, and how the audit log names it."""

    principal: Principal
    csrf: str
    actor: str  # user:NAME or token:ID
    label: str  # shown in the page header


def user_document(user: StoredUser) -> dict[str, object]:
    """A user as the audit log keeps it: everything but its password hash."""
    return {
        "name": user.name,
        "role": user.role.value,
        "customer": user.customer,
        "created_at": user.created_at,
        "created_by": user.created_by,
        "disabled_at": user.disabled_at,
    }


def user_json(user: StoredUser) -> dict[str, object]:
    """A user as ``covenant user list --format json`` prints it and the API answers it (never
    its password or hash): name, role, customer, when and by whom made, when disabled, state."""
    return {
        "name": user.name,
        "role": user.role.value,
        "customer": user.customer,
        "created_at": utc_iso(user.created_at),
        "created_by": user.created_by,
        "disabled_at": None if user.disabled_at is None else utc_iso(user.disabled_at),
        "state": "active" if user.disabled_at is None else "disabled",
    }


def users_json(users: Sequence[StoredUser]) -> dict[str, object]:
    """The list as ``covenant user list --format json`` prints it and ``GET /users`` answers it:
    the rows under ``items``, every list's key, and (the same rows) under ``users``, the key it
    had alone before stop 44."""
    rows = [user_json(u) for u in users]
    return {"items": rows, "users": rows}


def new_password() -> str:
    """A password for an admin to hand on when none was chosen: 144 random bits as 24 URL-safe
    characters (more than :data:`MIN_PASSWORD`)."""
    return secrets.token_urlsafe(18)


def create_user(
    engine: Engine,
    *,
    name: str,
    password: str,
    role: str,
    customer: str | None,
    customers: Collection[str],
    at: datetime,
    created_by: str | None = None,
) -> StoredUser:
    """A new user with ``role`` (a customer user bound to one of ``customers``)."""
    at = require_utc(at)
    if not _NAME.match(name):
        raise InputError(
            f"user name {name!r} is not 1-64 lower-case letters, digits or . _ @ -",
            hint="give a name like alice or ops.team",
        )
    try:
        kind = Role(role)
    except ValueError:
        raise InputError.naming(
            "role {given!r} is not one of {known}",
            hint="give {user_role} admin, editor, viewer or customer",
            given=role,
            known=", ".join(r.value for r in Role),
        ) from None
    if (kind is Role.CUSTOMER) != bool(customer):
        raise InputError.naming(
            "a customer user needs {user_customer}; the other roles see every customer",
            hint="give {user_role} customer with {user_customer} NAME, or leave out "
            "{user_customer}",
        )
    if customer is not None and customer not in customers:
        known = ", ".join(sorted(customers)) or "none"
        raise NotFoundError(
            f"customer {customer!r} is not defined in the workspace (customers: {known})",
            hint="give the metadata.name of one of the workspace's Customer definitions",
        )
    if not MIN_PASSWORD <= len(password) <= MAX_PASSWORD:
        raise InputError(
            f"the password has {len(password)} characters; it needs {MIN_PASSWORD} to "
            f"{MAX_PASSWORD}",
            hint="choose a longer pass phrase",
        )
    hashed = _HASHER.hash(password)
    try:
        with write_transaction(engine) as conn:
            if repo.load_user(conn, name=name) is not None:
                raise ConflictError.naming(
                    "a user named {name!r} exists already",
                    hint="choose another name, or disable the old one ({user_disable})",
                    name=name,
                )
            user = repo.insert_user(
                conn,
                name=name,
                password_hash=hashed,
                role=kind,
                customer=customer,
                at=at,
                created_by=created_by,
            )
            audit.append(
                conn,
                actor=created_by or UNKNOWN_ACTOR,
                action="created",
                entity_kind="user",
                entity_id=name,
                before=None,
                after=user_document(user),
                at=at,
            )
    except IntegrityError:
        raise ConflictError(f"a user named {name!r} exists already") from None
    except SQLAlchemyError as exc:
        raise store_failure("read or write web users or sessions", exc) from exc
    return user


def list_users(engine: Engine) -> list[StoredUser]:
    try:
        with engine.connect() as conn:
            return repo.load_users(conn)
    except SQLAlchemyError as exc:
        raise store_failure("read or write web users or sessions", exc) from exc


def disable_user(
    engine: Engine, *, name: str, at: datetime, actor: str | None = None
) -> StoredUser:
    """Refuse the user's sign-ins from now on and end its sessions."""
    at = require_utc(at)
    try:
        with write_transaction(engine) as conn:
            before = repo.load_user(conn, name=name)
            if before is None:
                raise NotFoundError.naming(
                    "no user is named {name!r}", hint="{user_list} shows the users", name=name
                )
            if before.disabled_at is not None:
                return before
            repo.disable_user(conn, name=name, at=at)
            after = repo.load_user(conn, name=name)
            audit.append(
                conn,
                actor=actor or UNKNOWN_ACTOR,
                action="disabled",
                entity_kind="user",
                entity_id=name,
                before=user_document(before),
                after=None if after is None else user_document(after),
                at=at,
            )
    except SQLAlchemyError as exc:
        raise store_failure("read or write web users or sessions", exc) from exc
    assert after is not None
    return after


def check_password(engine: Engine, *, name: str, password: str) -> StoredUser:
    """The active user whose password this is; :class:`AuthenticationError` otherwise (one
    message whatever was wrong, and an Argon2 check's work even for an unknown name)."""
    try:
        with engine.connect() as conn:
            stored = repo.password_hash(conn, name=name)
            user = repo.load_user(conn, name=name) if stored is not None else None
    except SQLAlchemyError as exc:
        raise store_failure("read or write web users or sessions", exc) from exc
    try:
        _HASHER.verify(stored or _NOBODY, password[:MAX_PASSWORD])
        matched = stored is not None
    except (VerificationError, InvalidHashError):
        matched = False
    if not matched or user is None or user.disabled_at is not None:
        raise AuthenticationError(SIGN_IN_FAILED, hint="ask an admin: `covenant user list`")
    if stored is not None and _HASHER.check_needs_rehash(stored):
        with write_transaction(engine) as conn:
            repo.set_password_hash(conn, name=name, password_hash=_HASHER.hash(password))
    return user


def start_session(
    engine: Engine,
    *,
    at: datetime,
    user_name: str | None = None,
    token_id: str | None = None,
    length: timedelta = SESSION_LENGTH,
) -> str:
    """A new session for a user or a token; returns its id (for the cookie, never stored)."""
    session_id = secrets.token_urlsafe(32)
    try:
        with write_transaction(engine) as conn:
            repo.insert_session(
                conn,
                session_id=session_id,
                csrf=secrets.token_urlsafe(32),
                user_name=user_name,
                token_id=token_id,
                at=require_utc(at),
                expires_at=require_utc(at) + length,
            )
    except SQLAlchemyError as exc:
        raise store_failure("read or write web users or sessions", exc) from exc
    return session_id


def find_session(engine: Engine, *, session_id: str | None, at: datetime) -> Session | None:
    """The live session of a cookie's id, checked against its user or token at ``at``; None
    when there is none, it expired, or its user or token is turned off."""
    if not session_id or len(session_id) > 128:
        return None
    at = require_utc(at)
    try:
        with engine.connect() as conn:
            found = repo.load_session(conn, session_id=session_id)
            if found is None or found.expires_at <= at:
                return None
            if found.user_name is not None:
                user = repo.load_user(conn, name=found.user_name)
                if user is None or user.disabled_at is not None:
                    return None
                principal = Principal(
                    token_id=f"user:{user.name}", role=user.role, customer=user.customer
                )
                return Session(
                    principal=principal,
                    csrf=found.csrf,
                    actor=f"user:{user.name}",
                    label=user.name,
                )
            token = None if found.token_id is None else load_token(conn, token_id=found.token_id)
    except SQLAlchemyError as exc:
        raise store_failure("read or write web users or sessions", exc) from exc
    if token is None or token.state(at) != "active":
        return None
    principal = Principal(token_id=token.id, role=token.role, customer=token.customer)
    return Session(
        principal=principal,
        csrf=found.csrf,
        actor=f"token:{token.id}",
        label=token.label or f"token {token.id}",
    )


def end_session(engine: Engine, *, session_id: str | None) -> None:
    if not session_id or len(session_id) > 128:
        return
    try:
        with write_transaction(engine) as conn:
            repo.delete_session(conn, session_id=session_id)
    except SQLAlchemyError as exc:
        raise store_failure("read or write web users or sessions", exc) from exc
