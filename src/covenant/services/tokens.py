"""Use cases on API tokens: create (shown once), list, revoke, and authenticate a request.

See ``store.tokens`` for the token's form and why its secret is stored as a SHA-256. Making and
revoking a token is recorded in the audit log (``store.audit``) in the same transaction; the
token's secret and its hash never are.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from covenant.core.access import Principal, Role
from covenant.core.timeutil import require_utc
from covenant.errors import AuthenticationError, InputError, NotFoundError
from covenant.services.store import store_failure
from covenant.store import audit
from covenant.store import tokens as repo
from covenant.store.audit import UNKNOWN_ACTOR
from covenant.store.db import write_transaction
from covenant.store.tokens import StoredToken

DEFAULT_EXPIRY = timedelta(days=90)
LONGEST_EXPIRY = timedelta(days=3 * 366)
_DURATION = re.compile(r"^(\d{1,6})([hdw])$")
_UNITS = {"h": timedelta(hours=1), "d": timedelta(days=1), "w": timedelta(weeks=1)}
EXPIRES_FORMS = (
    "a duration (12h, 90d, 8w), a date (2027-03-01, midnight UTC) or an instant with Z or an offset"
)


@dataclass(frozen=True, slots=True, kw_only=True)
class CreatedToken:
    token: StoredToken
    text: str  # the whole token, shown once: only its hash is kept


def parse_expiry(text: str | None, *, at: datetime) -> datetime:
    """When a token made at ``at`` expires: ``text`` is a duration after ``at``, a date or an
    instant; None is :data:`DEFAULT_EXPIRY` after ``at``. Within three years, in the future."""
    at = require_utc(at)
    if text is None:
        return at + DEFAULT_EXPIRY
    cleaned = text.strip()
    found = _DURATION.match(cleaned)
    if found:
        moment = at + int(found[1]) * _UNITS[found[2]]
    else:
        try:
            parsed = datetime.fromisoformat(cleaned)
        except ValueError:
            raise InputError.naming(
                "{expires} {text!r} is not a duration, a date or an instant",
                hint="give {forms}",
                text=text,
                forms=EXPIRES_FORMS,
            ) from None
        if len(cleaned) == 10:  # a date
            parsed = parsed.replace(tzinfo=UTC)
        if parsed.tzinfo is None:
            raise InputError.naming(
                "{expires} {text!r} has no time zone",
                hint="end it with Z or an offset (+01:00)",
                text=text,
            )
        moment = parsed.astimezone(UTC)
    if moment <= at:
        raise InputError.naming(
            "{expires} {text!r} is not in the future",
            hint="give {forms}",
            text=text,
            forms=EXPIRES_FORMS,
        )
    if moment - at > LONGEST_EXPIRY:
        raise InputError.naming(
            "{expires} {text!r} is more than three years away",
            text=text,
            hint="make a token that expires sooner and a new one when it does",
        )
    return moment.replace(microsecond=0)


def create_token(
    engine: Engine,
    *,
    role: str,
    customer: str | None,
    expires_at: datetime,
    at: datetime,
    customers: Collection[str],
    label: str = "",
    created_by: str | None = None,
) -> CreatedToken:
    """A new token with ``role`` (and, for ``customer``, one of ``customers``), stored hashed."""
    at = require_utc(at)
    try:
        kind = Role(role)
    except ValueError:
        raise InputError.naming(
            "role {given!r} is not one of {known}",
            hint="give {token_role} admin, editor, viewer or customer",
            given=role,
            known=", ".join(r.value for r in Role),
        ) from None
    if kind is Role.CUSTOMER and not customer:
        raise InputError.naming(
            "a customer token needs the customer it is for",
            hint="give {token_customer} NAME (a Customer of the workspace)",
        )
    if kind is not Role.CUSTOMER and customer:
        raise InputError.naming(
            "only a customer token is bound to a customer; role {role} sees every one",
            hint="leave out {token_customer}, or give {token_role} customer",
            role=kind.value,
        )
    if customer is not None and customer not in customers:
        known = ", ".join(sorted(customers)) or "none"
        raise NotFoundError(
            f"customer {customer!r} is not defined in the workspace (customers: {known})",
            hint="give the metadata.name of one of the workspace's Customer definitions",
        )
    if len(label) > 255:
        raise InputError("the token's label is longer than 255 characters", hint="shorten it")
    token_id, secret, text = repo.new_token()
    try:
        with write_transaction(engine) as conn:
            stored = repo.insert_token(
                conn,
                token_id=token_id,
                secret=secret,
                role=kind,
                customer=customer,
                label=label,
                at=at,
                created_by=created_by,
                expires_at=require_utc(expires_at),
            )
            audit.append(
                conn,
                actor=created_by or UNKNOWN_ACTOR,
                action="created",
                entity_kind="token",
                entity_id=token_id,
                before=None,
                after=token_document(stored),
                at=at,
            )
    except SQLAlchemyError as exc:
        raise store_failure("read or write API tokens", exc) from exc
    return CreatedToken(token=stored, text=text)


def token_document(token: StoredToken) -> dict[str, object]:
    """A token as the audit log keeps it: everything but its secret."""
    return {
        "id": token.id,
        "role": token.role.value,
        "customer": token.customer,
        "label": token.label,
        "created_at": token.created_at,
        "created_by": token.created_by,
        "expires_at": token.expires_at,
        "revoked_at": token.revoked_at,
    }


def list_tokens(engine: Engine) -> list[StoredToken]:
    """Every token ever made (revoked and expired ones too), oldest first, without secrets."""
    try:
        with engine.connect() as conn:
            return repo.load_tokens(conn)
    except SQLAlchemyError as exc:
        raise store_failure("read or write API tokens", exc) from exc


def revoke_token(
    engine: Engine, *, token_id: str, at: datetime, actor: str = UNKNOWN_ACTOR
) -> StoredToken:
    """Revoke the token ``token_id`` from ``at`` on (a token revoked before stays so)."""
    at = require_utc(at)
    token_id = token_id.removeprefix(repo.PREFIX).partition(".")[0]
    try:
        with write_transaction(engine) as conn:
            found = repo.load_token(conn, token_id=token_id)
            if found is None:
                raise NotFoundError(
                    f"no API token has the id {token_id!r}",
                    hint="`covenant token list` shows every token's id",
                )
            repo.revoke(conn, token_id=token_id, at=at)
            revoked = repo.load_token(conn, token_id=token_id)
            if revoked is not None and revoked.revoked_at != found.revoked_at:
                audit.append(
                    conn,
                    actor=actor,
                    action="revoked",
                    entity_kind="token",
                    entity_id=token_id,
                    before=token_document(found),
                    after=token_document(revoked),
                    at=at,
                )
    except SQLAlchemyError as exc:
        raise store_failure("read or write API tokens", exc) from exc
    assert revoked is not None
    return revoked


def authenticate(engine: Engine, *, presented: str | None, at: datetime) -> Principal:
    """The principal of a presented token; :class:`AuthenticationError` when it is missing,
    malformed, unknown, revoked or expired (the message says which only to its holder)."""
    return principal_of(find_token(engine, presented=presented), at=at)


_HINT = "send the header `Authorization: Bearer <token>`; `covenant token create` makes one"


def find_token(engine: Engine, *, presented: str | None) -> StoredToken:
    """The stored token a presented one stands for, whatever its state (revoked, expired);
    :class:`AuthenticationError` when it is missing, malformed or unknown."""
    if not presented:
        raise AuthenticationError("this route needs an API token", hint=_HINT)
    parts = repo.split_token(presented)
    if parts is None:
        raise AuthenticationError("the API token is not a Covenant token (cvt_…)", hint=_HINT)
    try:
        with engine.connect() as conn:
            token = repo.matching_token(conn, token_id=parts[0], secret=parts[1])
    except SQLAlchemyError as exc:
        raise store_failure("read or write API tokens", exc) from exc
    if token is None:
        raise AuthenticationError("the API token is not known", hint=_HINT)
    return token


def principal_of(token: StoredToken, *, at: datetime) -> Principal:
    """Who ``token`` speaks for at ``at``; :class:`AuthenticationError` when it is revoked or
    expired then."""
    state = token.state(require_utc(at))
    if state != "active":
        raise AuthenticationError(
            f"the API token {token.id} is {state}", hint="ask an admin for a new token"
        )
    return Principal(token_id=token.id, role=token.role, customer=token.customer)
