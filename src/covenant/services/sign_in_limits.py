"""The web UI's sign-in rate limit (``core.sign_in_limits``), kept in the store so that every
process of ``covenant serve`` (and every replica on one PostgreSQL) counts the same failures.

A sign-in names its keys: ``name:<user name>`` for a password sign-in (whether or not the user
exists, so the limit says nothing about which names do) and ``address:<client address>``
always. :func:`check` refuses while any key must wait; :func:`failed` counts a failure for each
key; :func:`succeeded` forgets the name's failures (never the address's: one good password must
not reset an address that is guessing others).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from covenant.core.sign_in_limits import BY_ADDRESS, BY_NAME, Rule, after_failure, seconds_left
from covenant.core.timeutil import require_utc
from covenant.errors import TooManySignInsError
from covenant.services.store import store_failure
from covenant.store import sign_in_limits as repo
from covenant.store.db import write_transaction

DOING = "read or write failed sign-ins"


def keys_of(*, name: str | None, address: str | None) -> list[str]:
    """The keys a sign-in counts against (sorted: rows are locked in one order)."""
    keys = [f"address:{(address or 'unknown')[:200]}"]
    if name is not None:
        keys.append(f"name:{name.strip().lower()[:64]}")
    return sorted(keys)


def rule_of(key: str) -> Rule:
    return BY_NAME if key.startswith("name:") else BY_ADDRESS


def refusal(wait_s: int) -> TooManySignInsError:
    """The error a sign-in that must wait ``wait_s`` seconds answers with."""
    return TooManySignInsError(
        f"too many failed sign-ins for this name or from this address: try again in {wait_s} s",
        retry_after_s=wait_s,
        hint="wait, then sign in again; an admin can check the user with `covenant user list`",
    )


def check(engine: Engine, keys: Sequence[str], *, at: datetime) -> None:
    """Refuse (:class:`TooManySignInsError`) while any of ``keys`` must wait at ``at``."""
    at = require_utc(at)
    try:
        with engine.connect() as conn:
            found = repo.load(conn, keys)
    except SQLAlchemyError as exc:
        raise store_failure(DOING, exc) from exc
    wait = max((seconds_left(f, at) for f in found.values()), default=0)
    if wait > 0:
        raise refusal(wait)


def failed(engine: Engine, keys: Sequence[str], *, at: datetime) -> int:
    """Count one failure at ``at`` for each key; the seconds the sign-in must now wait (0:
    none). Keys without a failure for longer than their window are deleted on the way."""
    at = require_utc(at)
    try:
        with write_transaction(engine) as conn:
            before = repo.lock(conn, keys, at=at)
            wait = 0
            for key in keys:
                now = after_failure(rule_of(key), before.get(key), at)
                repo.save(conn, key, now)
                wait = max(wait, seconds_left(now, at))
            repo.prune(conn, before=at - max(BY_NAME.window, BY_ADDRESS.window))
    except SQLAlchemyError as exc:
        raise store_failure(DOING, exc) from exc
    return wait


def succeeded(engine: Engine, keys: Sequence[str]) -> None:
    """Forget the failures of the sign-in's name (its address keeps its count)."""
    names = [k for k in keys if k.startswith("name:")]
    if not names:
        return
    try:
        with write_transaction(engine) as conn:
            repo.forget(conn, names)
    except SQLAlchemyError as exc:
        raise store_failure(DOING, exc) from exc
