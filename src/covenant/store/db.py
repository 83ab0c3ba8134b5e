"""Open and migrate the store: SQLite by default, PostgreSQL when several processes share it."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import URL, Connection, Engine, make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError

from covenant.config import lock_timeout_s as lock_timeout_s_of_env
from covenant.errors import ReadOnlyStoreError, StoreError
from covenant.store import schema_snapshot
from covenant.store.lock_wait import MIGRATION_LOCK, is_lock_wait, migration_wait_s, refusal
from covenant.store.schema_status import describe, refuse_newer, schema_state
from covenant.store.schema_version import MIGRATIONS, head_revisions
from covenant.store.sqlite_cause import sqlite_cause
from covenant.store.sqlite_reader import (
    AUTOCHECKPOINT_PAGES,
    BUSY_TIMEOUT_MS,
    SQLITE_PRAGMAS,
    WRITE_CHECKPOINT_PAGES,
    execute_waiting,
    make_store_folder,
    read_only_uri,
)

if TYPE_CHECKING:
    from alembic.config import Config


WRITE_OPTION = "covenant_write"
"""Execution option that makes a SQLite transaction start with ``BEGIN IMMEDIATE``."""


def _sqlite_on_connect(dbapi_connection: sqlite3.Connection, _record: Any) -> None:
    # The driver's own transaction handling starts a transaction only before the first
    # INSERT/UPDATE/DELETE, so a read-then-write would read outside the transaction (a lost
    # update under concurrency). Take it over: SQLAlchemy's "begin" event below emits BEGIN.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    try:
        for pragma in SQLITE_PRAGMAS:
            execute_waiting(cursor, pragma)
    finally:
        cursor.close()


_READ_ONLY_PRAGMAS = tuple(p for p in SQLITE_PRAGMAS if "journal_mode" not in p)
"""A read-only connection leaves the journal mode as the file has it (changing it is a write)."""


def _sqlite_read_only_on_connect(dbapi_connection: sqlite3.Connection, _record: Any) -> None:
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    try:
        for pragma in _READ_ONLY_PRAGMAS:
            cursor.execute(pragma)
    finally:
        cursor.close()


def _sqlite_on_begin(conn: Connection) -> None:
    """Every transaction reads one snapshot; a write transaction takes the write lock first.

    A deferred (plain ``BEGIN``) transaction that read and then writes after another writer
    committed fails with "database is locked" instead of overwriting newer data; a transaction
    opened by ``write_transaction`` waits for the lock up front (``busy_timeout``) instead.
    """
    immediate = bool(conn.get_execution_options().get(WRITE_OPTION))
    conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


@contextmanager
def write_transaction(
    engine: Engine,
    *,
    lock_timeout_s: float | None = None,
    subject: str | None = None,
    again: str | None = None,
) -> Iterator[Connection]:
    """A transaction for a read-modify-write of the store (committed on success).

    On SQLite it starts with ``BEGIN IMMEDIATE``: concurrent writers queue for the write lock
    before reading what they will merge into; its commit is synced to disk (``synchronous=FULL``
    in WAL mode) and leaves the checkpoint for later (``WRITE_CHECKPOINT_PAGES``). On PostgreSQL
    it is an ordinary transaction; the writers lock the rows they merge into
    (``buckets.add_counts``).

    Every lock of the transaction is waited for at most ``lock_timeout_s`` seconds (default
    ``COVENANT_LOCK_TIMEOUT``, 10 s; PostgreSQL: ``SET LOCAL lock_timeout``; SQLite: the write
    lock's ``busy_timeout``); a lock not had by then rolls the transaction back and is
    ``lock_wait.StoreLockedError`` naming what was locked and the fix (``subject``: what was
    not done, ``again``: how to do it again; see ``lock_wait.refusal``).
    """
    waited_s = lock_timeout_s_of_env() if lock_timeout_s is None else lock_timeout_s
    waits = max(1, round(waited_s * 1000))
    try:
        with engine.connect() as conn:
            conn.execution_options(**{WRITE_OPTION: True})
            raw = conn.connection.dbapi_connection if engine.dialect.name == "sqlite" else None
            if isinstance(raw, sqlite3.Connection):
                # The commit itself is made durable (the WAL is synced), so the checkpoint,
                # which copies the pages again into the database file and syncs it too, can wait.
                raw.execute("PRAGMA synchronous=FULL")
                raw.execute(f"PRAGMA wal_autocheckpoint={WRITE_CHECKPOINT_PAGES}")
                raw.execute(f"PRAGMA busy_timeout={waits}")
            try:
                with conn.begin():
                    if engine.dialect.name == "postgresql":
                        conn.exec_driver_sql(f"SET LOCAL lock_timeout = {waits}")  # ms
                    yield conn
            finally:
                if isinstance(raw, sqlite3.Connection):
                    with suppress(sqlite3.Error):  # never hide the error that ended it
                        raw.execute("PRAGMA synchronous=NORMAL")
                        raw.execute(f"PRAGMA wal_autocheckpoint={AUTOCHECKPOINT_PAGES}")
                        raw.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    except SQLAlchemyError as exc:
        if not is_lock_wait(exc):
            raise
        url = engine.url.render_as_string(hide_password=True)
        raise refusal(url, exc, waited_s=waited_s, subject=subject, again=again) from exc


@contextmanager
def read_transaction(engine: Engine) -> Iterator[Connection]:
    """A transaction that only reads (one snapshot; committed, having written nothing)."""
    with engine.connect() as conn, conn.begin():
        yield conn


def lock_bounded(engine: Engine, lock_timeout_s: float) -> Engine:
    """``engine`` (its pool shared) whose every transaction on PostgreSQL waits at most
    ``lock_timeout_s`` for a lock (``SET LOCAL lock_timeout``: SQLSTATE 55P03 past it); on
    SQLite ``engine`` itself (readers never wait for a lock in WAL mode)."""
    if engine.dialect.name != "postgresql":
        return engine
    bounded = engine.execution_options()  # its events are its own, not the engine's
    waits = max(1, round(lock_timeout_s * 1000))

    def on_begin(conn: Connection) -> None:
        conn.exec_driver_sql(f"SET LOCAL lock_timeout = {waits}")  # ms

    event.listen(bounded, "begin", on_begin)
    return bounded


def create_engine_for(url: str) -> Engine:
    """An engine for ``url``; for a SQLite file its folder is created and pragmas set on connect.

    PostgreSQL URLs need the ``postgres`` extra (``psycopg``): ``postgresql+psycopg://…``.
    A bad ``COVENANT_LOCK_TIMEOUT`` is refused here, when the store is opened (``serve`` at
    its start), not at the first write or connection.
    """
    lock_timeout_s_of_env()
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise StoreError(
            f"cannot read the database URL {url!r}",
            hint="use sqlite:///path/to/covenant.db or postgresql+psycopg://user@host/db",
        ) from exc
    if parsed.drivername in {"postgres", "postgres+psycopg"}:
        fixed = parsed.set(drivername="postgresql+psycopg").render_as_string(hide_password=True)
        raise StoreError(
            f"cannot open {parsed.render_as_string(hide_password=True)}: 'postgres://' is not a "
            "scheme SQLAlchemy knows",
            hint=f"write the URL with postgresql+psycopg:// instead: {fixed}",
        )
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database
        if database and database != ":memory:" and not database.startswith("file:"):
            make_store_folder(Path(database))
        engine = create_engine(parsed)
        event.listen(engine, "connect", _sqlite_on_connect)
        event.listen(engine, "begin", _sqlite_on_begin)
        return engine
    # a database that does not answer is an error after this long, not a hang
    waits = parsed.get_backend_name() == "postgresql" and "connect_timeout" not in parsed.query
    connect_args = {"connect_timeout": 10} if waits else {}
    try:
        engine = create_engine(parsed, pool_pre_ping=True, connect_args=connect_args)
    except (ArgumentError, ImportError) as exc:
        backend = parsed.get_backend_name()
        raise StoreError(
            f"cannot open {parsed.render_as_string(hide_password=True)}: {exc}",
            hint="for PostgreSQL install the extra: pip install 'covenant[postgres]' and write "
            "postgresql+psycopg://user@host/db"
            if backend == "postgresql"
            else f"install the Python driver of {backend} that the URL names, or use "
            "sqlite:///path/to/covenant.db or postgresql+psycopg://user@host/db (the "
            "databases Covenant is tested on)",
        ) from exc
    if engine.dialect.name == "postgresql":
        event.listen(engine, "connect", _postgresql_on_connect)
    return engine


def _postgresql_on_connect(dbapi_connection: Any, _record: Any) -> None:
    """Every statement of the session waits at most ``COVENANT_LOCK_TIMEOUT`` for a lock (a
    read, too: behind a table another session locked whole, as ``ALTER TABLE`` does); a
    ``write_transaction`` sets its own (``SET LOCAL``), read again when it starts."""
    waits = max(1, round(lock_timeout_s_of_env() * 1000))
    autocommit = dbapi_connection.autocommit
    dbapi_connection.autocommit = True  # not in a transaction of its own
    try:
        dbapi_connection.execute(f"SET lock_timeout = {waits}")  # ms
    finally:
        dbapi_connection.autocommit = autocommit


def sqlite_path(url: str) -> Path | None:
    """The file of a SQLite URL that names one; None for another database, a SQLite database
    in memory or given as a ``file:`` URI, or a URL that cannot be read."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        return None
    database = parsed.database
    if parsed.get_backend_name() != "sqlite" or not database:
        return None
    if database == ":memory:" or database.startswith("file:"):
        return None
    return Path(database)


def read_only_engine(path: Path) -> Engine:
    """An engine that reads the existing SQLite store at ``path`` and never writes it (no
    migration, no journal switch); a store not at the newest schema is refused with the fix."""
    uri = read_only_uri(path)
    engine = create_engine(URL.create("sqlite", database=uri, query={"uri": "true"}))
    event.listen(engine, "connect", _sqlite_read_only_on_connect)
    event.listen(engine, "begin", _sqlite_on_begin)
    if not _at_head(engine):
        engine.dispose()
        raise ReadOnlyStoreError(
            f"the store {path} can only be read, and it needs its schema upgraded first "
            "(it was written by an older Covenant, or it is not a Covenant store)",
            hint="run a writing command once where the store can be written (e.g. `covenant "
            "agreements sync`), or copy the store to a writable place and point "
            "COVENANT_DATABASE_URL at the copy",
        )
    return engine


def is_read_only(engine: Engine) -> bool:
    """True for an engine from :func:`read_only_engine`."""
    return engine.url.get_backend_name() == "sqlite" and "mode=ro" in (engine.url.database or "")


def alembic_config() -> Config:
    """The Alembic config for the packaged migrations (no alembic.ini needed)."""
    from alembic.config import Config  # noqa: PLC0415 - Alembic loads only to migrate

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def _at_head(engine: Engine) -> bool:
    """True when the store is stamped with exactly the packaged heads (nothing to migrate)."""
    try:
        with engine.connect() as connection:
            stamped = {
                row[0]
                for row in connection.execute(text("SELECT version_num FROM alembic_version"))
            }
    except SQLAlchemyError:
        return False  # no schema yet, or unreadable: let Alembic say what is wrong
    return stamped == head_revisions()


def migrate(engine: Engine) -> None:
    """Bring the store's schema to the newest revision (idempotent; one transaction).

    A store already at the newest revision is recognised from its stamp without loading
    Alembic, so opening an up-to-date store costs one query; an empty SQLite store is created
    from the packaged schema snapshot (``schema_snapshot``), also without Alembic. A database
    that does not answer is :class:`StoreUnreachableError`; a store migrated by a newer
    Covenant is :class:`StoreNewerError`, unchanged.
    """
    state = schema_state(engine)
    if state.at_head:
        return
    refuse_newer(engine, state)
    if not state.current and engine.dialect.name == "sqlite":
        if _created(engine):
            return
        refuse_foreign(engine)
    upgrade_with_alembic(engine)


def refuse_foreign(engine: Engine) -> None:
    """A SQLite file with tables but no Covenant stamp is another application's database:
    :class:`StoreError` naming its tables, before Alembic would add Covenant's tables beside
    them (or fail half-way on a table of the same name). A stamp found now is a store another
    process created meanwhile (its tables and stamp are written in one transaction)."""
    try:
        with engine.connect() as connection:
            names = [
                str(row[0])
                for row in connection.execute(
                    text(
                        "SELECT name FROM sqlite_master WHERE type = 'table' "
                        "AND name NOT LIKE 'sqlite_%' ORDER BY name"
                    )
                )
            ]
    except SQLAlchemyError:
        return  # unreadable: Alembic says what is wrong
    if not names or "alembic_version" in names:
        return
    shown = ", ".join(names[:5]) + (f" and {len(names) - 5} more" if len(names) > 5 else "")
    raise StoreError(
        f"the store at {describe(engine)} is not a Covenant store: it holds "
        f"{len(names)} table(s) of another application ({shown}) and no Covenant schema; "
        "nothing was changed",
        hint="move that file away (Covenant creates its store there on the next write), or "
        "point COVENANT_DATABASE_URL at a new file",
    )


def _created(engine: Engine) -> bool:
    """True once the SQLite store is at the packaged heads after creating it from the schema
    snapshot if it was empty (no table, index, view or trigger at all); False, having changed
    nothing, when it is not empty (a table without a stamp: Alembic says what is wrong) or
    the snapshot is not of the packaged heads."""
    snapshot = schema_snapshot.packaged()
    if snapshot is None:
        return False
    try:
        # The same lock as Alembic's migration below: of several processes creating one new
        # store, the first creates it, the later ones wait and then find it stamped.
        with write_transaction(
            engine, lock_timeout_s=migration_wait_s(), subject="the store was not created"
        ) as connection:
            cursor = connection.connection.cursor()
            try:
                return schema_snapshot.create_if_empty(cursor, snapshot)
            finally:
                cursor.close()
    except SQLAlchemyError as exc:
        raise _migration_failed(engine, exc) from exc
    except sqlite3.Error as exc:
        raise StoreError(
            f"cannot create the store at {describe(engine)}: {exc.__class__.__name__}: {exc}",
            hint="check that the store's folder can be written",
        ) from exc


def migration_lock(connection: Connection) -> None:
    """Serialize migrations until ``connection``'s transaction ends (PostgreSQL: an advisory
    transaction lock; SQLite: nothing to do, the write transaction holds the only lock)."""
    if connection.dialect.name == "postgresql":
        connection.execute(text(MIGRATION_LOCK))


def upgrade_with_alembic(engine: Engine) -> None:
    """Run the packaged migrations up to the heads (what :func:`migrate` does for a store
    that is not a new SQLite one; ``schema_snapshot`` runs it to write the snapshot)."""
    from alembic import command  # noqa: PLC0415 - Alembic loads only to migrate
    from alembic.util.exc import CommandError  # noqa: PLC0415

    config = alembic_config()
    try:
        # Several processes may open a new store at once: each migrates in a transaction that
        # first takes the store's write lock (SQLite: BEGIN IMMEDIATE, waiting busy_timeout;
        # PostgreSQL: a transaction-scoped advisory lock), so the later ones wait, then find
        # the stamp at head and change nothing.
        with write_transaction(
            engine, lock_timeout_s=migration_wait_s(), subject="the store's schema was not upgraded"
        ) as connection:
            migration_lock(connection)
            config.attributes["connection"] = connection
            command.upgrade(config, "heads")
    except CommandError as exc:  # a newer Covenant migrated it since the check above
        refuse_newer(engine, schema_state(engine))
        raise StoreError(
            f"cannot migrate the store at {describe(engine)}: {exc}",
            hint="check the store's alembic_version table: it names a revision this version "
            "of Covenant cannot upgrade from",
        ) from exc
    except SQLAlchemyError as exc:
        raise _migration_failed(engine, exc) from exc


# SQLite's words for a file it could not open or write: only then is a cause looked for
_FILE_FAILURES = ("i/o error", "unable to open", "is full", "readonly", "read-only")


def _migration_failed(engine: Engine, exc: SQLAlchemyError) -> StoreError:
    if _refused_as_read_only(exc):
        return _read_only_behind(engine)
    said = f"{exc.__class__.__name__}: {exc.orig if hasattr(exc, 'orig') else exc}"
    path = sqlite_path(engine.url.render_as_string(hide_password=False))
    of_file = any(w in said.lower() for w in _FILE_FAILURES)  # not "database is locked"
    found = None if path is None or not of_file else sqlite_cause(path)
    if found is not None:  # SQLite's "disk I/O error" names neither the file nor the cause
        return StoreError(
            f"cannot migrate the store at {path}: {found[0]} ({said})",
            hint=f"{found[1]}, then run the command again",
        )
    return StoreError(
        f"cannot migrate the store at {describe(engine)}: {said}",
        hint="check that the database is reachable and writable",
    )


def _refused_as_read_only(exc: SQLAlchemyError) -> bool:
    """True when the database refused the migration's write because it can only be read: a
    SQLite file opened read-only or that the user may not write (``SQLITE_READONLY…``), a
    PostgreSQL standby or read-only session (SQLSTATE 25006)."""
    orig = getattr(exc, "orig", None)
    name = getattr(orig, "sqlite_errorname", None)
    if isinstance(name, str) and name.startswith("SQLITE_READONLY"):
        return True
    return getattr(orig, "sqlstate", None) == "25006"


def _read_only_behind(engine: Engine) -> ReadOnlyStoreError:
    """The store can only be read and is behind this version's schema: what to do, naming
    its revision and the newest one (nothing was changed: the migration is one transaction)."""
    heads = ", ".join(sorted(head_revisions()))
    try:
        current = ", ".join(sorted(schema_state(engine).current)) or "(none: no schema yet)"
    except StoreError:
        current = "its revision"
    return ReadOnlyStoreError(
        f"the store at {describe(engine)} can only be read, and its schema needs upgrading "
        f"from {current} to {heads} first (a write); nothing was changed",
        hint="run `covenant db upgrade` once where the store can be written (as a user who may "
        "write the file and its folder; on PostgreSQL the primary, in a read-write session), "
        "or copy the store to a writable place and point COVENANT_DATABASE_URL at the copy",
    )
