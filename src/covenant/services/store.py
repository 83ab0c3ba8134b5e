"""Open the store: the one use case every command that reads or writes data starts with.

Kept apart from ``services.ingest`` so a command that only reads (``evaluate``) does not load
the event-file readers (pyarrow) to open it; ``open_reader`` does not load SQLAlchemy either
when the store is the workspace's up-to-date SQLite file.

Commands that write (ingest, agreements sync, demo) call :func:`open_store`, which creates and
migrates the store. Commands that only read call :func:`open_existing` or :func:`open_reader`:
they never create a store (a missing one is :class:`~covenant.errors.NoStoreError`), and a
store that cannot be written (a read-only file system) is opened read-only.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeVar

from covenant.errors import NoStoreError, ReadOnlyStoreError, StoreError
from covenant.store.sqlite_reader import (
    SqliteReader,
    can_write,
    open_sqlite_reader,
    sqlite_file,
)

if TYPE_CHECKING:
    from collections.abc import Callable

    from sqlalchemy.engine import Engine
    from sqlalchemy.exc import SQLAlchemyError


def store_failure(doing: str, exc: SQLAlchemyError) -> StoreError:
    """A driver error met while ``doing`` something in the store, as the user sees it: the
    database's reason and its cause (:mod:`services.store_refusals`), never the driver's
    class name."""
    from covenant.services.store_refusals import failure  # noqa: PLC0415 - SQLAlchemy

    return failure(
        doing,
        exc,
        hint="check that the store is reachable and migrated (a writing command migrates it)",
    )


def open_store(database_url: str) -> Engine:
    """An engine on the store at ``database_url``, migrated to the newest schema."""
    from covenant.store.db import create_engine_for, migrate  # noqa: PLC0415 - SQLAlchemy

    engine = create_engine_for(database_url)
    try:
        migrate(engine)
    except BaseException:
        engine.dispose()  # close the connection it opened (a refused or unreachable store)
        raise
    return engine


def store_missing(database_url: str) -> bool:
    """True when ``database_url`` names a SQLite store file that does not exist (yet)."""
    path = sqlite_file(database_url)
    return path is not None and not path.exists()


T = TypeVar("T")


def listed(database_url: str, read: Callable[[Engine], list[T]]) -> list[T]:
    """What ``read`` lists from the store of ``database_url`` for a command that only reads:
    nothing when there is no store (none is created); an older shared store is refused, not
    migrated (:func:`open_existing`)."""
    if store_missing(database_url):
        return []
    engine = open_existing(database_url)
    try:
        return read(engine)
    finally:
        engine.dispose()


def empty_store() -> Engine:
    """An empty store in memory, at the newest schema: what a command that only reads and
    answers "no data" before any data (``evaluate``) reads when there is no store, so that it
    creates none."""
    return open_store("sqlite://")


def open_existing(database_url: str) -> Engine:
    """An engine on the existing store at ``database_url``, for a command that only reads.

    A SQLite store is never created: a missing file is :class:`NoStoreError` with the fix. One
    that can be written is opened as :func:`open_store` opens it (migrated if it is older); one
    that cannot (a read-only file system, no permission) is opened read-only. A server's store
    (PostgreSQL) is never migrated by a command that only reads (see :func:`_server_store`).
    """
    from covenant.store.db import read_only_engine, sqlite_path  # noqa: PLC0415 - SQLAlchemy

    path = sqlite_path(database_url)
    if path is None:
        return _server_store(database_url)
    if path.is_dir():
        from covenant.errors import StoreUnreachableError  # noqa: PLC0415
        from covenant.store.sqlite_cause import sqlite_cause  # noqa: PLC0415

        cause, fix = sqlite_cause(path) or (f"{path} is a folder", "")
        raise StoreUnreachableError(f"cannot open the store: {cause}", hint=fix)
    if not path.is_file():
        raise NoStoreError(
            f"no store at {path}: nothing has been ingested or synced into this workspace "
            "yet (a command that only reads never creates one)",
            hint="check -w, ingest data first (`covenant ingest events FILE -w WORKSPACE`, "
            "`covenant agreements sync -w WORKSPACE`), or set COVENANT_DATABASE_URL to the "
            "store to read",
        )
    if can_write(path):
        return open_store(database_url)
    return read_only_engine(path)


def _server_store(database_url: str) -> Engine:
    """A server's store (PostgreSQL) as it is, for a command that only reads.

    Such a store is shared by every replica and process that points at it: a reading command
    never migrates it (an older replica may still be running against it; migrating is
    ``covenant db upgrade``'s decision, or a writing command's). A store behind this version's
    schema is :class:`ReadOnlyStoreError` naming that fix, a newer one :class:`StoreNewerError`,
    an unreachable one :class:`StoreUnreachableError`. A database without any Covenant schema
    yet is created as :func:`open_store` creates it (there is nothing to migrate).
    """
    from covenant.store.db import create_engine_for  # noqa: PLC0415 - SQLAlchemy
    from covenant.store.schema_status import describe, refuse_newer, schema_state  # noqa: PLC0415

    engine = create_engine_for(database_url)
    try:
        state = schema_state(engine)
        if not state.current:
            engine.dispose()
            return open_store(database_url)
        refuse_newer(engine, state)
        if not state.at_head:
            raise ReadOnlyStoreError(
                f"the store at {describe(engine)} is at schema revision "
                f"{', '.join(sorted(state.current))}, behind this version's "
                f"{', '.join(sorted(state.heads))}: a command that only reads does not migrate "
                "a shared store, so nothing was read or changed",
                hint="run `covenant db upgrade` once (then roll this version out to every "
                "replica), or use the Covenant version that migrated the store",
            )
    except BaseException:
        engine.dispose()
        raise
    return engine


def open_reader(database_url: str) -> Engine | SqliteReader:
    """The store at ``database_url`` to read bucket counts from: an existing SQLite file at the
    newest schema through ``sqlite3`` alone, anything else as :func:`open_existing` opens it
    (never created)."""
    reader = open_sqlite_reader(database_url)
    return reader if reader is not None else open_existing(database_url)
