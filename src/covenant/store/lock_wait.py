"""How long a write waits for a lock another session holds, and the refusal when it is not had.

Every write of the store waits at most ``COVENANT_LOCK_TIMEOUT`` seconds (default 10) for a
lock (``db.write_transaction`` applies it: PostgreSQL's ``SET LOCAL lock_timeout``, SQLite's
``busy_timeout`` for its write lock, ``BEGIN IMMEDIATE``); a lock not had by then ends the
transaction (nothing of it is written) and is :class:`StoreLockedError` (``store-error``)
naming what was locked, the store, the database's reason and the fix: retry once the other
writer is done, or wait longer. :func:`refusal` words it, for ``write_transaction`` and for a
caller that names its own subject (an issue: "initech 2026-11 was not issued").
"""

from __future__ import annotations

import re
import sqlite3

from covenant.config import LOCK_TIMEOUT_ENV, default_lock_timeout_said, lock_timeout_s
from covenant.errors import StoreError

SCHEMA_KEY = "('x' || substr(md5(coalesce(current_schema(), '')), 1, 8))::bit(32)::integer"
"""The store's schema as an int4 (SQL): the second half of its advisory locks' keys, so stores
in different schemas of one database (two workspaces, two tests) never wait for each other."""


def schema_lock(key: int) -> str:
    """The statement taking the transaction-scoped advisory lock ``key`` (an int4: what is
    locked) of the session's store (its schema, :data:`SCHEMA_KEY`)."""
    return f"SELECT pg_advisory_xact_lock(CAST({key} AS integer), {SCHEMA_KEY})"


MIGRATION_LOCK_KEY = 0x636F766D  # "covm": a PostgreSQL migration's advisory lock (per schema)
MIGRATION_LOCK = schema_lock(MIGRATION_LOCK_KEY)
MIGRATION_WAIT_S = 60.0
"""A migration waits at least this long (:func:`migration_wait_s`): a first migration on a
loaded machine holds the lock for seconds, and the others queue behind it (then find the
schema at head); a shorter ``COVENANT_LOCK_TIMEOUT`` would refuse every process but one."""

WRITE_LOCK = "the store's write lock (one for the whole SQLite file)"
AUDIT_LOG = "the audit log (every audited change takes it: another issue, an agreements sync)"
_MIGRATION = "the store's migration lock (another process is upgrading its schema)"
_TABLE = re.compile(r'\b(?:INTO|UPDATE|FROM|TABLE)\s+"?([A-Za-z_][A-Za-z0-9_]*)', re.IGNORECASE)
_RELATION = re.compile(r'relation "([^"]+)"')


class StoreLockedError(StoreError):
    """A lock on what a write needs was held by another session for longer than the write
    waits (``COVENANT_LOCK_TIMEOUT``); nothing of the write was written. ``store-error``."""

    def __init__(self, message: str, *, hint: str, locked: str, waited_s: float) -> None:
        super().__init__(message, hint=hint)
        self.locked = locked
        self.waited_s = waited_s


def _driver_error(exc: BaseException) -> BaseException | None:
    """The driver's own error under ``exc`` (SQLAlchemy's ``orig``, a ``StoreError``'s cause)."""
    seen = exc
    for _ in range(3):
        orig = getattr(seen, "orig", None)
        if orig is not None:
            return orig  # type: ignore[no-any-return]
        if isinstance(seen, sqlite3.Error) or getattr(seen, "sqlstate", None) is not None:
            return seen
        if seen.__cause__ is None:
            return None
        seen = seen.__cause__
    return None


def is_lock_wait(exc: BaseException) -> bool:
    """True when ``exc`` says a lock was not had within the wait: PostgreSQL's
    ``lock_not_available`` (55P03, ``lock_timeout``), SQLite's ``SQLITE_BUSY`` (its
    ``busy_timeout`` ran out) or ``SQLITE_LOCKED``."""
    orig = _driver_error(exc)
    if orig is None:
        return False
    if getattr(orig, "sqlstate", None) == "55P03":
        return True
    name = getattr(orig, "sqlite_errorname", None)
    return isinstance(name, str) and name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED"))


def _is_sqlite(exc: BaseException) -> bool:
    return isinstance(_driver_error(exc), sqlite3.Error)


def reason_of(exc: BaseException) -> str:
    """The database's reason (its first line: no driver traceback, no context)."""
    orig = _driver_error(exc)
    diag = getattr(orig, "diag", None)
    text = getattr(diag, "message_primary", None) or str(orig if orig is not None else exc)
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    return lines[0] if lines else type(exc).__name__


def locked_of(exc: BaseException) -> str:
    """What the write waited for, as far as the error tells: SQLite's write lock; on
    PostgreSQL the audit log's or the migration's advisory lock, else the table named by the
    database (``while locking tuple … in relation "x"``) or by the statement that waited."""
    if _is_sqlite(exc):
        return WRITE_LOCK
    statement = str(getattr(exc, "statement", None) or "")
    params = getattr(exc, "params", None)
    if "pg_advisory" in statement:
        from covenant.store.audit import LOCK_KEY  # noqa: PLC0415 - the audit log imports db

        keys = set(params.values()) if isinstance(params, dict) else set()
        if LOCK_KEY in keys or str(LOCK_KEY) in statement:
            return AUDIT_LOG
        if MIGRATION_LOCK_KEY in keys or str(MIGRATION_LOCK_KEY) in statement:
            return _MIGRATION
        return "an advisory lock another session holds"
    context = getattr(getattr(_driver_error(exc), "diag", None), "context", None) or ""
    found = _RELATION.search(context) or _TABLE.search(statement)
    if found is None:
        return "a table or rows it writes"
    return f"the table {found[1]}"


def refusal(
    url: str | None,
    exc: BaseException,
    *,
    waited_s: float,
    locked: str | None = None,
    subject: str | None = None,
    again: str | None = None,
) -> StoreLockedError:
    """The error to raise for the lock wait ``exc`` (:func:`is_lock_wait`) of a write to the
    store at ``url`` (its password hidden; None: not said) that waited ``waited_s`` seconds:
    ``subject`` says what was not done (default: nothing was written), ``locked`` what was
    waited for (default :func:`locked_of`), ``again`` how to do it again (default: retry)."""
    sqlite = _is_sqlite(exc)
    locked = locked or locked_of(exc)
    who = "another process" if sqlite else "another session"
    return StoreLockedError(
        f"{subject or 'nothing was written'}: {who} held a lock on {locked}"
        f"{'' if url is None else f' in the store at {url}'} for longer than {waited_s:g} s "
        f"({reason_of(exc)})",
        hint=f"nothing of it was written; wait for the other {'writer' if sqlite else 'session'}"
        " to end its transaction (an ingest, an issue, an agreements sync, a migration"
        f"{'' if sqlite else '; pg_stat_activity names the session'}), then {again or 'retry'}"
        f"; or raise {LOCK_TIMEOUT_ENV} to wait longer (seconds, {default_lock_timeout_said()})",
        locked=locked,
        waited_s=waited_s,
    )


def migration_wait_s() -> float:
    """How long a migration waits for the store's lock: ``COVENANT_LOCK_TIMEOUT`` when it is
    longer than :data:`MIGRATION_WAIT_S` (a raised setting reaches migrations too, as the
    refusal's fix says), else that floor."""
    return max(MIGRATION_WAIT_S, lock_timeout_s())


def refusal_without_store(exc: BaseException, *, doing: str) -> StoreLockedError:
    """:func:`refusal` for ``exc`` met while ``doing`` something in the store (``read the audit
    log``) where the store is not known: it waited ``COVENANT_LOCK_TIMEOUT`` as set now."""
    return refusal(None, exc, waited_s=lock_timeout_s(), subject=f"cannot {doing}")
