"""``covenant db current`` and ``covenant db upgrade``: the store's schema, read and migrated.

Every command that writes migrates the store it opens (``services.store.open_store``); these
two let an operator see and do it on purpose: before rolling out a new version to several
replicas on one PostgreSQL, run ``covenant db upgrade`` once.
"""

from __future__ import annotations

from dataclasses import dataclass

from covenant.errors import NoStoreError
from covenant.store.sqlite_reader import sqlite_file


@dataclass(frozen=True, slots=True, kw_only=True)
class SchemaReport:
    """Where a store stands (``current``) and what this version brings it to (``heads``)."""

    url: str  # the store, its password hidden
    before: tuple[str, ...]  # revisions stamped before (empty: no schema yet)
    after: tuple[str, ...]  # revisions stamped now (``before`` for ``db current``)
    heads: tuple[str, ...]  # this version's newest revisions

    @property
    def behind(self) -> bool:
        return self.after != self.heads

    @property
    def upgraded(self) -> bool:
        return self.before != self.after

    def as_json(self) -> dict[str, object]:
        return {
            "store": self.url,
            "from": list(self.before),
            "to": list(self.after),
            "head": list(self.heads),
            "behind": self.behind,
        }


def database_current(database_url: str) -> SchemaReport:
    """The store's schema revision beside this version's (never writes; a SQLite file that
    does not exist is :class:`NoStoreError`)."""
    from covenant.store.db import create_engine_for, refuse_foreign  # noqa: PLC0415 - SQLAlchemy
    from covenant.store.schema_status import describe, refuse_newer, schema_state  # noqa: PLC0415

    _exists(database_url)
    engine = create_engine_for(database_url)
    try:
        state = schema_state(engine)
        refuse_newer(engine, state)
        if not state.current and engine.dialect.name == "sqlite":
            refuse_foreign(engine)  # another application's tables: not a store behind
        current = tuple(sorted(state.current))
        return SchemaReport(
            url=describe(engine), before=current, after=current, heads=tuple(sorted(state.heads))
        )
    finally:
        engine.dispose()


def database_upgrade(database_url: str) -> SchemaReport:
    """Migrate the store to this version's newest schema (creating it when new); what it was
    and what it is now. A store newer than this version is refused, unchanged."""
    from covenant.store.db import create_engine_for, migrate  # noqa: PLC0415 - SQLAlchemy
    from covenant.store.schema_status import describe, schema_state  # noqa: PLC0415

    engine = create_engine_for(database_url)
    try:
        before = schema_state(engine)
        migrate(engine)
        after = schema_state(engine)
        return SchemaReport(
            url=describe(engine),
            before=tuple(sorted(before.current)),
            after=tuple(sorted(after.current)),
            heads=tuple(sorted(after.heads)),
        )
    finally:
        engine.dispose()


def _exists(database_url: str) -> None:
    path = sqlite_file(database_url)
    if path is not None and not path.exists():
        raise NoStoreError(
            f"no store at {path} yet (`covenant db current` never creates one)",
            hint="create and migrate it with `covenant db upgrade`, or check -w and "
            "COVENANT_DATABASE_URL",
        )
