"""The web UI's sign-in rate limit (``core.sign_in_limits``), kept in the store so that every
process of ``covenant serve`` (and every replica on one PostgreSQL) counts the same failures.

A sign-in names its keys: ``address:<client address>`` always; for a password sign-in (whether
or not the user exists, so the limit says nothing about which names do) also
``name:<user name>`` (every address's failures for the name) and ``here:<user name>@<client
address>`` (this address's). :func:`check` refuses while the sign-in must wait
(``core.sign_in_limits.seconds_to_wait``: the name's count over every address holds back only
addresses that failed for it); :func:`failed` counts a failure for each key; :func:`succeeded`
forgets the name's failures (never the address's: one good password must not reset an address
that is guessing others).

The client address is the one the server sees: the TCP peer, or behind a trusted reverse proxy
the client it names (``covenant serve --trusted-proxies``, ``api.serving.server_config``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from covenant.core.sign_in_limits import (
    BY_ADDRESS,
    BY_NAME,
    Failures,
    Rule,
    after_failure,
    seconds_to_wait,
)
from covenant.core.timeutil import require_utc
from covenant.errors import TooManySignInsError
from covenant.services.store import store_failure
from covenant.store import sign_in_limits as repo
from covenant.store.db import write_transaction

DOING = "read or write failed sign-ins"


def keys_of(*, name: str | None, address: str | None) -> list[str]:
    """The keys a sign-in counts against (sorted: rows are locked in one order)."""
    where = (address or "unknown")[:200]
    keys = [f"address:{where}"]
    if name is not None:
        named = name.strip().lower()[:64]
        keys += [f"name:{named}", f"here:{named}@{where}"]
    return sorted(keys)


def rule_of(key: str) -> Rule:
    return BY_ADDRESS if key.startswith("address:") else BY_NAME


def _wait(keys: Sequence[str], found: Mapping[str, Failures], at: datetime) -> int:
    def of(prefix: str) -> Failures | None:
        return next((found.get(k) for k in keys if k.startswith(prefix)), None)

    return seconds_to_wait(
        address=of("address:"), name_here=of("here:"), name_anywhere=of("name:"), at=at
    )


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
    wait = _wait(keys, found, at)
    if wait > 0:
        raise refusal(wait)


def failed(engine: Engine, keys: Sequence[str], *, at: datetime) -> int:
    """Count one failure at ``at`` for each key; the seconds the sign-in must now wait (0:
    none). Keys without a failure for longer than their window are deleted on the way."""
    at = require_utc(at)
    try:
        with write_transaction(engine) as conn:
            before = repo.lock(conn, keys, at=at)
            after: dict[str, Failures] = {}
            for key in keys:
                after[key] = after_failure(rule_of(key), before.get(key), at)
                repo.save(conn, key, after[key])
            wait = _wait(keys, after, at)
            repo.prune(conn, before=at - max(BY_NAME.window, BY_ADDRESS.window))
    except SQLAlchemyError as exc:
        raise store_failure(DOING, exc) from exc
    return wait


def succeeded(engine: Engine, keys: Sequence[str]) -> None:
    """Forget the failures of the sign-in's name, from this address and from every address
    (the address keeps its count)."""
    names = [k for k in keys if not k.startswith("address:")]
    if not names:
        return
    try:
        with write_transaction(engine) as conn:
            repo.forget(conn, names)
    except SQLAlchemyError as exc:
        raise store_failure(DOING, exc) from exc
