"""Where a store's schema stands against this version's migrations: ``covenant db current`` and
``covenant db upgrade`` (``services.database``) read it, ``db.migrate`` refuses a newer one."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import SQLAlchemyError

from covenant.errors import StoreNewerError, StoreUnreachableError
from covenant.store.schema_version import head_revisions, known_revisions


@dataclass(frozen=True, slots=True)
class SchemaState:
    """The store's stamped revisions beside the packaged ones."""

    current: frozenset[str]  # empty: no schema yet (a new store)
    heads: frozenset[str]

    @property
    def newer(self) -> frozenset[str]:
        """Revisions stamped in the store that this version of Covenant does not know."""
        return self.current - known_revisions()

    @property
    def at_head(self) -> bool:
        return self.current == self.heads

    @property
    def behind(self) -> bool:
        return not self.at_head and not self.newer


def describe(engine: Engine) -> str:
    return engine.url.render_as_string(hide_password=True)


def connect(engine: Engine) -> Connection:
    """A connection to the store, or :class:`StoreUnreachableError` with the fix."""
    try:
        return engine.connect()
    except SQLAlchemyError as exc:
        reason = str(getattr(exc, "orig", None) or exc).strip()
        first = reason.splitlines()[0] if reason else type(exc).__name__
        raise StoreUnreachableError(
            f"cannot connect to the store at {describe(engine)}: {first}",
            hint=_unreachable_hint(engine, first),
        ) from exc


def _unreachable_hint(engine: Engine, reason: str) -> str:
    if engine.url.get_backend_name() != "sqlite":
        return (
            "check COVENANT_DATABASE_URL (host, port, database, user) and that the database "
            "server is running and accepts connections from here"
        )
    path = engine.url.database or ""
    if "not a database" in reason or "malformed" in reason:
        return (
            f"{path} is not a Covenant store or is damaged: restore it from a backup, or move "
            "it away and ingest again into a new one (a command that writes creates it)"
        )
    from covenant.store.sqlite_cause import sqlite_cause  # noqa: PLC0415

    found = sqlite_cause(Path(path)) if path else None
    if found is not None:
        return f"{found[0]}: {found[1]}"
    return f"check that {path} can be read and written here (its folder and permissions)"


def stamped(connection: Connection) -> frozenset[str]:
    """The revisions in the store's ``alembic_version`` (empty when it has none yet)."""
    try:
        rows = connection.execute(text("SELECT version_num FROM alembic_version")).all()
    except SQLAlchemyError:
        connection.rollback()  # no such table: a store without a schema yet
        return frozenset()
    return frozenset(str(row[0]) for row in rows)


def schema_state(engine: Engine) -> SchemaState:
    """The store's revisions and the packaged heads (connecting; never writing)."""
    with connect(engine) as connection:
        current = stamped(connection)
    return SchemaState(current=current, heads=head_revisions())


def refuse_newer(engine: Engine, state: SchemaState) -> None:
    """:class:`StoreNewerError` when the store was migrated by a newer Covenant."""
    if state.newer:
        raise StoreNewerError(
            f"the store at {describe(engine)} has a schema this version of Covenant does not "
            f"know (revision {', '.join(sorted(state.newer))}): it was written by a newer "
            "Covenant",
            hint="upgrade Covenant (every replica) to the version that migrated the store, or "
            "point COVENANT_DATABASE_URL at another store",
        )
