"""Isolated stores for tests: a SQLite file, or a schema of its own on the real PostgreSQL.

A PostgreSQL store lives in a fresh schema named at random (``search_path`` is set through the
URL's ``options``), so tests running in parallel (``pytest -n 2``) never see each other's rows;
the schema is dropped afterwards. Everything Covenant does goes through that URL: the API and
the CLI started in a subprocess with ``COVENANT_DATABASE_URL`` land in the same schema.
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import threading
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

import sqlalchemy as sa
from sqlalchemy.engine import Engine

T = TypeVar("T")


def in_schema(url: str, schema: str) -> str:
    """``url`` with every connection's ``search_path`` set to ``schema``."""
    joiner = "&" if "?" in url else "?"
    return f"{url}{joiner}options=-csearch_path%3D{schema}"


@contextmanager
def postgres_schemas(url: str, count: int = 1, prefix: str = "t") -> Iterator[list[str]]:
    """``count`` URLs on fresh, empty schemas of the PostgreSQL at ``url``; dropped afterwards."""
    names = [f"{prefix}_{uuid.uuid4().hex[:12]}" for _ in range(count)]
    admin = sa.create_engine(url)
    try:
        with admin.begin() as conn:
            for name in names:
                conn.execute(sa.text(f'CREATE SCHEMA "{name}"'))
        yield [in_schema(url, name) for name in names]
    finally:
        with admin.begin() as conn:
            for name in names:
                conn.execute(sa.text(f'DROP SCHEMA IF EXISTS "{name}" CASCADE'))
        admin.dispose()


def migrate_to(url: str, revision: str, *, down: bool = False) -> None:
    """Upgrade (or, ``down``, downgrade) the store at ``url`` to ``revision`` with Alembic."""
    from alembic import command  # noqa: PLC0415

    from covenant.store.db import alembic_config, create_engine_for  # noqa: PLC0415

    engine = create_engine_for(url)
    config = alembic_config()
    try:
        with engine.begin() as conn:
            config.attributes["connection"] = conn
            (command.downgrade if down else command.upgrade)(config, revision)
    finally:
        engine.dispose()


def clear(engine: Engine) -> None:
    """Delete every row but the schema stamp (a property test's examples share one store)."""
    tables = sa.MetaData()
    with engine.begin() as conn:
        tables.reflect(conn)
        for table in reversed(tables.sorted_tables):
            if table.name != "alembic_version":
                conn.execute(table.delete())


def at_once(work: Callable[[int], T], count: int) -> list[T]:
    """Run ``work(0)`` … ``work(count - 1)`` on ``count`` threads released together (a barrier),
    as concurrent writers to one store; their results in order. A writer's exception fails the
    caller (re-raised once all are done)."""
    start = threading.Barrier(count)
    results: list[T | None] = [None] * count
    errors: list[BaseException] = []

    def run(n: int) -> None:
        try:
            start.wait()
            results[n] = work(n)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]
    return results  # type: ignore[return-value]  # every slot was set when none raised


def sqlite_schema(path: Path) -> dict[str, object]:
    """Everything SQLite says about the schema of the store file ``path``, read with
    ``sqlite3`` alone: ``sqlite_master`` in creation order (without the root pages, which
    depend on the history of the file), each table's columns, indexes and foreign keys, each
    index's columns, the persistent pragmas and the stamped revisions."""
    conn = sqlite3.connect(path)
    try:
        master = conn.execute(
            "SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY rowid"
        ).fetchall()
        tables = [name for kind, name, _, _ in master if kind == "table"]
        indexes = [name for kind, name, _, _ in master if kind == "index"]
        return {
            "master": master,
            "tables": {
                name: {
                    what: conn.execute(f"PRAGMA {what}('{name}')").fetchall()
                    for what in ("table_xinfo", "index_list", "foreign_key_list")
                }
                for name in tables
            },
            "indexes": {
                name: conn.execute(f"PRAGMA index_xinfo('{name}')").fetchall() for name in indexes
            },
            "pragmas": {
                name: conn.execute(f"PRAGMA {name}").fetchall()
                for name in ("auto_vacuum", "application_id", "user_version", "encoding")
            },
            "stamp": sorted(conn.execute("SELECT version_num FROM alembic_version").fetchall()),
        }
    finally:
        conn.close()


def worker_rounds(script: str, lines: list[str], *, workers: int) -> list[dict[str, object]]:
    """Run ``script`` in ``workers`` processes (each given its number as ``argv[1]``; it prints
    "ready", then one JSON line per line read); each of ``lines`` is sent to every worker at
    once (a round), and every answer is collected, round by round."""
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", script, str(w)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        for w in range(workers)
    ]
    results: list[dict[str, object]] = []
    try:
        for proc in procs:
            assert proc.stdout is not None
            assert proc.stdout.readline().strip() == "ready"
        for line in lines:
            for proc in procs:
                assert proc.stdin is not None
                proc.stdin.write(line + "\n")
                proc.stdin.flush()
            for proc in procs:
                assert proc.stdout is not None
                results.append(json.loads(proc.stdout.readline()))
    finally:
        for proc in procs:
            assert proc.stdin is not None
            assert proc.stdout is not None
            proc.stdin.close()
            proc.wait(timeout=60)
            proc.stdout.close()
    return results


def snapshot(url: str) -> dict[str, list[tuple[object, ...]]]:
    """Every row of every table of the store at ``url`` (its schema stamp too), each table's
    rows sorted by their text: two snapshots are equal when nothing was written in between."""
    engine = sa.create_engine(url)
    try:
        tables = sa.MetaData()
        with engine.connect() as conn:
            tables.reflect(conn)
            return {
                table.name: sorted((tuple(row) for row in conn.execute(table.select())), key=repr)
                for table in tables.sorted_tables
            }
    finally:
        engine.dispose()
