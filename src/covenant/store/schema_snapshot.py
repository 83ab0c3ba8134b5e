"""The schema of a new SQLite store, written down once so that creating one needs no Alembic.

``db.migrate`` creates an empty SQLite store (a new file, or ``sqlite://`` in memory) from
``schema_sqlite.json`` beside this module: the ``sql`` of every table, index, trigger and view
of a store migrated to the newest revision by Alembic, in the order SQLite holds them
(``sqlite_master``), the persistent pragmas the migrations could set, and the revisions it is
stamped with. Executed in one write transaction, these give the very schema Alembic would
(tests/store/test_schema_snapshot.py compares the two); loading Alembic and running every
migration cost a quarter to half a second. A store that is not empty, and PostgreSQL, are
migrated by Alembic as before.

The file is written by ``python -m covenant.store.schema_snapshot --write`` (``make
schema-snapshot``): it migrates a new temporary store with Alembic and reads its schema back.
``--check`` (``make check``) fails when the committed file differs from a fresh one — after a
new migration, until the file is written again. A file whose revisions are not the packaged
heads is never used: a store is then migrated by Alembic, as before.
"""

from __future__ import annotations

import json
import sqlite3
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from covenant.store.schema_version import head_revisions

SNAPSHOT_FILE = "schema_sqlite.json"
REGENERATE = "make schema-snapshot"
PRAGMAS = ("auto_vacuum", "application_id", "user_version")
"""The persistent settings of a SQLite file that ``sqlite_master`` does not show (the journal
mode is set by every connection, ``sqlite_reader.SQLITE_PRAGMAS``)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Snapshot:
    """A store's schema: its revisions, persistent pragmas and DDL in creation order."""

    heads: tuple[str, ...]
    pragmas: dict[str, int]
    statements: tuple[str, ...]


def snapshot_path() -> Path:
    return Path(__file__).with_name(SNAPSHOT_FILE)


def loads(text: str) -> Snapshot:
    data = json.loads(text)
    return Snapshot(
        heads=tuple(data["heads"]),
        pragmas={str(name): int(value) for name, value in data["pragmas"].items()},
        statements=tuple(data["statements"]),
    )


def dumps(snapshot: Snapshot) -> str:
    """The file's text, JSON with one statement a line (a changed table shows as one line)."""
    data = {
        "heads": list(snapshot.heads),
        "pragmas": dict(sorted(snapshot.pragmas.items())),
        "statements": list(snapshot.statements),
    }
    return json.dumps(data, indent=1) + "\n"


@cache
def packaged() -> Snapshot | None:
    """The packaged snapshot, if it is of the packaged heads (None: use Alembic instead)."""
    try:
        snapshot = loads(snapshot_path().read_text(encoding="utf-8"))
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return snapshot if frozenset(snapshot.heads) == head_revisions() else None


def apply(cursor: Any, snapshot: Snapshot) -> None:
    """Create the schema of ``snapshot`` in an empty store, inside the caller's transaction
    (``cursor`` is a DB-API cursor: ``sqlite3``'s or SQLAlchemy's)."""
    for name, value in sorted(snapshot.pragmas.items()):
        cursor.execute(f"PRAGMA {name}={int(value)}")
    for statement in snapshot.statements:
        cursor.execute(statement)
    for head in snapshot.heads:
        cursor.execute("INSERT INTO alembic_version (version_num) VALUES (?)", (head,))


def create_if_empty(cursor: Any, snapshot: Snapshot) -> bool:
    """Inside the caller's write transaction (which holds the store's write lock: ``BEGIN
    IMMEDIATE``), create the schema of ``snapshot`` if the store is empty (no table, index,
    view or trigger at all) and say True; a store that is not empty is left as it is: True
    when it is stamped with the snapshot's heads (another process created it first, while
    this one waited for the lock), else False (a foreign or older store: Alembic says what is
    wrong). ``db.migrate`` and ``sqlite_writer.create_sqlite_store`` both create a store so."""
    cursor.execute("SELECT count(*) FROM sqlite_master")
    if cursor.fetchone()[0]:
        return stamped(cursor) == frozenset(snapshot.heads)
    apply(cursor, snapshot)
    return True


def stamped(cursor: Any) -> frozenset[str]:
    """The revisions stamped in the store on ``cursor`` (empty without a stamp table)."""
    cursor.execute(
        "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'alembic_version'"
    )
    if not cursor.fetchone()[0]:
        return frozenset()
    cursor.execute("SELECT version_num FROM alembic_version")
    return frozenset(str(row[0]) for row in cursor.fetchall())


def read(conn: sqlite3.Connection) -> Snapshot:
    """The schema of the store on ``conn``: refused if a table other than the stamp holds
    rows (a migration that writes rows needs more than DDL here)."""
    rows = conn.execute(
        "SELECT type, name, sql FROM sqlite_master "
        "WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY rowid"
    ).fetchall()
    for kind, name, _sql in rows:
        if kind != "table" or name == "alembic_version":
            continue
        if conn.execute(f'SELECT 1 FROM "{name}" LIMIT 1').fetchone() is not None:
            raise RuntimeError(
                f"the migrations write rows into {name}: the schema snapshot holds only the "
                "schema; teach covenant.store.schema_snapshot to copy them"
            )
    heads = sorted(row[0] for row in conn.execute("SELECT version_num FROM alembic_version"))
    pragmas = {name: int(conn.execute(f"PRAGMA {name}").fetchone()[0]) for name in PRAGMAS}
    return Snapshot(heads=tuple(heads), pragmas=pragmas, statements=tuple(row[2] for row in rows))


def generate() -> Snapshot:
    """The schema of a new store migrated by Alembic (loads Alembic)."""
    import tempfile  # noqa: PLC0415 - only to write the snapshot

    from covenant.store.db import create_engine_for, upgrade_with_alembic  # noqa: PLC0415

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "covenant.db"
        engine = create_engine_for(f"sqlite:///{path}")
        try:
            upgrade_with_alembic(engine)
        finally:
            engine.dispose()
        conn = sqlite3.connect(path)
        try:
            return read(conn)
        finally:
            conn.close()


def check(path: Path, fresh: str) -> int:
    """0 when the snapshot at ``path`` is ``fresh``; else 1, with the fix on stderr."""
    try:
        committed = path.read_text(encoding="utf-8")
    except OSError as exc:
        print(f"cannot read {path}: {exc.strerror}: run `{REGENERATE}`", file=sys.stderr)
        return 1
    if committed == fresh:
        return 0
    print(
        f"{path.name} is out of date (a migration was added or changed): run `{REGENERATE}` "
        "and commit it",
        file=sys.stderr,
    )
    return 1


def main(argv: Sequence[str]) -> int:
    if list(argv) not in (["--write"], ["--check"]):
        print("usage: python -m covenant.store.schema_snapshot --write | --check", file=sys.stderr)
        return 2
    fresh = dumps(generate())
    if list(argv) == ["--write"]:
        snapshot_path().write_text(fresh, encoding="utf-8")
        print(f"wrote {snapshot_path()}")
        return 0
    return check(snapshot_path(), fresh)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
