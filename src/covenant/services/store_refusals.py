"""A file's write the store refused, said in plain words: the file, the store, the database's
own reason (its first line: no driver traceback, no PL/pgSQL context) and a fix that fits the
cause — a constraint or rule of the database violated, the database unreachable or the
connection lost, the disk full, the store read-only, the store held by another writer.
Nothing of the file is written in any case (its write is one transaction)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError, IntegrityError, SQLAlchemyError

from covenant.errors import ReadOnlyStoreError, StoreError, StoreUnreachableError
from covenant.store.lock_wait import (
    StoreLockedError,
    is_lock_wait,
    reason_of,
    refusal,
    refusal_without_store,
)

__all__ = ["failure", "lock_wait_refused", "outage", "store_errors", "write_refused"]


@dataclass(frozen=True)
class _Cause:
    what: str  # said after the database's reason, in brackets
    fix: str  # what to do before ingesting the file again
    error: type[StoreError] = StoreError


_CONSTRAINT = _Cause(
    "a constraint of the database was violated",
    "find the record and the rule the database names (a constraint or trigger added outside "
    "Covenant, or another tool's rows), fix the record or that rule",
)
_RULE = _Cause(
    "a rule of the database's own refused it",
    "the message is the database's (a trigger or rule added outside Covenant): fix the "
    "records it names or that rule",
)
_UNREACHABLE = _Cause(
    "the connection to the database was lost",
    "check that the database is running and reachable from here (COVENANT_DATABASE_URL: host, "
    "port, database, user)",
    StoreUnreachableError,
)
_FULL = _Cause(
    "the disk that holds the database is full",
    "free space on the disk that holds the database (or raise its size limit or quota)",
)
_READ_ONLY = _Cause(
    "the store can only be read",
    "point COVENANT_DATABASE_URL at a store that can be written (the primary, not a "
    "read-only replica or transaction; a file and folder this user may write)",
    ReadOnlyStoreError,
)
_BUSY = _Cause(
    "another writer held the store",
    "wait for the other writer (an ingest, an issue, a migration) to finish",
)
_SQLITE_BUSY = _Cause(
    "another process held the store's write lock longer than Covenant waits for it",
    _BUSY.fix,
)
_OTHER = _Cause(
    "the database's own reason",
    "fix what the database names (its log says more)",
)

# SQLSTATE classes and codes (PostgreSQL, appendix A)
_BY_STATE = {
    "23": _CONSTRAINT,
    "08": _UNREACHABLE,  # connection exception
    "57P01": _UNREACHABLE,  # admin_shutdown: the connection was terminated
    "57P02": _UNREACHABLE,  # crash_shutdown
    "57P03": _UNREACHABLE,  # cannot_connect_now
    "53100": _FULL,  # disk_full
    "25006": _READ_ONLY,  # read_only_sql_transaction (a standby, a read-only transaction)
    "40001": _BUSY,  # serialization_failure
    "40P01": _BUSY,  # deadlock_detected
    "55P03": _BUSY,  # lock_not_available (lock_timeout)
    "57014": _BUSY,  # query_canceled (statement_timeout)
    "P0001": _RULE,  # raise_exception (a PL/pgSQL RAISE)
}
# SQLite's primary result codes (sqlite3's ``sqlite_errorname``, extended names start with them)
_BY_SQLITE = {
    "SQLITE_CONSTRAINT": _CONSTRAINT,
    "SQLITE_FULL": _FULL,
    "SQLITE_READONLY": _READ_ONLY,
    "SQLITE_BUSY": _SQLITE_BUSY,  # the busy_timeout (sqlite_reader.BUSY_TIMEOUT_MS) ran out
    "SQLITE_LOCKED": _BUSY,
    "SQLITE_CANTOPEN": _UNREACHABLE,
    "SQLITE_IOERR": _Cause(
        "the database's file could not be read or written",
        "check the disk and the file system that hold the store",
    ),
}

# the causes that are the store's state at the moment (retrying may succeed), not a bug
_OUTAGES = (_UNREACHABLE, _FULL, _READ_ONLY, _BUSY, _SQLITE_BUSY)


def write_refused(
    engine: Engine,
    exc: SQLAlchemyError,
    *,
    file: str | None = None,
    subject: str | None = None,
    again: str | None = None,
    nothing: str | None = None,
) -> StoreError:
    """The error to raise for ``exc``, raised by the write of ``file`` (a file's name) — or of
    something else, ``subject`` said first (``initech 2026-11 was not issued``), ``nothing``
    what was not written (default: nothing of this file, or of it) and ``again`` the way to do
    it again (``issue it again``; default: retry)."""
    reason, cause = _reason(exc)
    url = engine.url.render_as_string(hide_password=True)
    prefix = f"{file}: " if file else f"{subject}: " if subject else ""
    again = again or (f"ingest {file} again" if file else "retry")
    nothing = nothing or f"nothing of {'this file' if file else 'it'} was written"
    return cause.error(
        f"{prefix}the store at {url} refused the write: {reason} ({cause.what})",
        hint=f"{nothing}; {cause.fix}, then {again}",
    )


def lock_wait_refused(
    engine: Engine,
    exc: BaseException,
    *,
    subject: str,
    locked: str,
    waited_s: float,
    again: str,
) -> StoreError | None:
    """The error to raise when ``exc`` says a lock was not had within the wait (PostgreSQL's
    ``lock_timeout``: 55P03; SQLite's ``busy_timeout``: ``SQLITE_BUSY``), None for any other
    error: ``subject`` was not done (``initech 2026-11 was not issued``) because another
    session held ``locked`` (what was waited for) longer than ``waited_s`` seconds. ``exc``
    may be a ``StoreError`` raised from the driver's error (a read's ``store_failure``, a
    ``write_transaction``'s ``StoreLockedError``)."""
    if not is_lock_wait(exc):
        return None
    url = engine.url.render_as_string(hide_password=True)
    return refusal(url, exc, waited_s=waited_s, locked=locked, subject=subject, again=again)


def failure(doing: str, exc: SQLAlchemyError, *, hint: str) -> StoreError:
    """The error to raise for ``exc``, met while ``doing`` something in the store (``read the
    audit log``): the database's reason and its cause, not the driver's class; ``hint`` when
    the cause is none of those known."""
    if getattr(getattr(exc, "orig", None), "sqlstate", None) == "55P03":
        # PostgreSQL's lock_timeout: every session's is COVENANT_LOCK_TIMEOUT (store.db)
        return refusal_without_store(exc, doing=doing)
    reason, cause = _reason(exc)
    fix = hint if cause is _OTHER else f"{cause.fix}, then retry"
    return cause.error(f"cannot {doing}: {reason} ({cause.what})", hint=fix)


def outage(doing: str, exc: BaseException) -> StoreError | None:
    """:func:`failure` for a driver error that is the store's state, not a bug — the connection
    lost (a restart, a failover, ``pg_terminate_backend``), the disk full, the store read-only
    or held by another writer: the request may succeed when retried. None for any other error
    (a constraint, a rule, an unknown reason), which stays the caller's unexpected error."""
    if not isinstance(exc, SQLAlchemyError) or _reason(exc)[1] not in _OUTAGES:
        return None
    return failure(doing, exc, hint="")


def _reason(exc: SQLAlchemyError) -> tuple[str, _Cause]:
    """The database's reason (its first line: ``lock_wait.reason_of``) and the cause it tells."""
    reason = reason_of(exc)
    orig = getattr(exc, "orig", None)
    state = getattr(orig, "sqlstate", None)
    if isinstance(state, str):
        cause = _BY_STATE.get(state) or _BY_STATE.get(state[:2])
        if cause is not None:
            return reason, cause
    name = getattr(orig, "sqlite_errorname", None)
    if isinstance(name, str):
        for prefix, cause in _BY_SQLITE.items():
            if name.startswith(prefix):
                return reason, cause
    if isinstance(exc, IntegrityError):
        return reason, _CONSTRAINT
    if isinstance(exc, DBAPIError) and (exc.connection_invalidated or _client_side(orig)):
        return reason, _UNREACHABLE
    return reason, _OTHER


def _client_side(orig: object) -> bool:
    """A psycopg ``OperationalError`` without a SQLSTATE: libpq's own — the server refused the
    connection, is down, or closed it — not an error the server answered."""
    kind = type(orig)
    return (
        kind.__module__.startswith("psycopg")
        and kind.__name__ == "OperationalError"
        and getattr(orig, "sqlstate", None) is None
    )


@contextmanager
def store_errors(
    engine: Engine,
    *,
    file: str | None = None,
    subject: str | None = None,
    nothing: str | None = None,
    again: str | None = None,
) -> Iterator[None]:
    """Driver errors (SQLAlchemy's) raised inside as :func:`write_refused`'s ``StoreError``
    (``subject``, ``nothing`` and ``again``: its words for what is not a file, such as a keyed
    batch). A duplicate batch's ``IntegrityError`` is told apart by the callers, inside."""
    try:
        yield
    except StoreLockedError as exc:  # the lock wait of its write_transaction: named with the file
        if file is None:
            raise
        url = engine.url.render_as_string(hide_password=True)
        raise refusal(
            url,
            exc,
            waited_s=exc.waited_s,
            locked=exc.locked,
            subject=f"{file} was not ingested",
            again=f"ingest {file} again",
        ) from exc.__cause__
    except SQLAlchemyError as exc:
        raise write_refused(
            engine, exc, file=file, subject=subject, nothing=nothing, again=again
        ) from exc
