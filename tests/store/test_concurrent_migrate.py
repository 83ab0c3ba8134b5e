"""Several processes opening one new store at once all get a migrated store (both backends).

The first commands run on a new workspace often start together (two `covenant ingest` in a
script, a cron job beside a person): each finds no schema and migrates. Today the second one
failed with "database is locked" (SQLite) or a duplicate-table error (PostgreSQL) and its file
was not ingested. Each round the workers are told to migrate at the same instant. A new SQLite
store is created from the schema snapshot (``store.schema_snapshot``) under the same lock: it is
created once, by one of them, and is the store Alembic makes.
"""

from __future__ import annotations

import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from covenant.store.db import create_engine_for, head_revisions, upgrade_with_alembic
from tests.stores import postgres_schemas as fresh_schemas
from tests.stores import sqlite_schema, worker_rounds

ROUNDS = 5
WORKERS = 3

WORKER = textwrap.dedent(
    """
    import json, sys
    from covenant.errors import CovenantError
    from covenant.store.db import create_engine_for, migrate

    print("ready", flush=True)
    for line in sys.stdin:  # one URL per round, sent to every worker at once
        engine = create_engine_for(line.strip())
        try:
            migrate(engine)
            out = {"ok": True, "alembic": "alembic" in sys.modules}
        except CovenantError as exc:
            out = {"error": f"{exc.code}: {exc}"}
        finally:
            engine.dispose()
        print(json.dumps(out), flush=True)
    """
)


def run_rounds(urls: list[str]) -> list[dict[str, object]]:
    return worker_rounds(WORKER, urls, workers=WORKERS)


def check_schema(url: str) -> None:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            stamps = conn.execute(sa.text("SELECT version_num FROM alembic_version")).all()
    finally:
        engine.dispose()
    assert {row[0] for row in stamps} == head_revisions()


def test_concurrent_first_opens_of_a_sqlite_store(tmp_path: Path) -> None:
    paths = [tmp_path / f"r{r}" / "covenant.db" for r in range(ROUNDS)]
    results = run_rounds([f"sqlite:///{path}" for path in paths])
    assert len(results) == ROUNDS * WORKERS
    # created from the snapshot: no worker loaded Alembic
    assert results == [{"ok": True, "alembic": False}] * (ROUNDS * WORKERS)
    reference = create_engine_for(f"sqlite:///{tmp_path / 'alembic.db'}")
    try:
        upgrade_with_alembic(reference)
    finally:
        reference.dispose()
    expected = sqlite_schema(tmp_path / "alembic.db")
    for path in paths:
        check_schema(f"sqlite:///{path}")
        assert sqlite_schema(path) == expected  # created once: each object once, one stamp


@pytest.fixture
def postgres_schemas(postgres_url: str) -> Iterator[list[str]]:
    with fresh_schemas(postgres_url, ROUNDS, prefix="m") as urls:
        yield urls


@pytest.mark.postgres
def test_concurrent_first_opens_of_a_postgres_store(postgres_schemas: list[str]) -> None:
    results = run_rounds(postgres_schemas)
    assert len(results) == ROUNDS * WORKERS
    assert [result["ok"] for result in results] == [True] * (ROUNDS * WORKERS)
    for url in postgres_schemas:
        check_schema(url)
