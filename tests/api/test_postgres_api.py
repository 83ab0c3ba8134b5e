"""The API on a PostgreSQL store answers what it answers on SQLite: the demo shop's store
(written by the demo, which writes SQLite only) is copied row by row into PostgreSQL, and
every read route a staff token may call, and a customer's own, answer the same on both."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import sqlalchemy as sa

from covenant.api.app import create_app
from covenant.config import Settings
from covenant.services.store import open_store
from covenant.store.tables import metadata
from tests.api.support import AT, Client, Shop
from tests.api.test_authorization import EXPECTED
from tests.availability import unavailable
from tests.conftest import POSTGRES_URL
from tests.stores import postgres_schemas

# routes whose answer names this shop's own tokens (ids, creation), not stored data
TOKEN_ROUTES = {"/me", "/tokens"}
WITH_NAMES = [
    "/slos/checkout-monthly",
    "/evaluations/checkout-monthly",
    "/customers/globex",
    "/agreements/globex-enterprise",
    "/agreements/globex-enterprise/versions",
    "/agreements/globex-enterprise/history",
    "/agreements/globex-enterprise/alerts",
    "/slos/checkout-monthly/alerts",
    "/customers/globex/statements/2026-10",
    "/customers/globex/credits?period=2026-10",
]


@pytest.fixture(scope="module")
def pg_shop(shop: Shop) -> Iterator[Shop]:
    engine = sa.create_engine(POSTGRES_URL)
    try:
        with engine.connect():
            pass
    except sa.exc.OperationalError as exc:
        unavailable(f"PostgreSQL unreachable at {POSTGRES_URL}: {exc}")
    finally:
        engine.dispose()
    with postgres_schemas(POSTGRES_URL, prefix="api") as (url,):
        copy_store(shop.settings.database_url, url)  # the demo writes SQLite only
        settings = Settings(workspace=shop.workspace, database_url=url)
        app = create_app(settings, clock=lambda: AT)
        try:
            yield Shop(
                workspace=shop.workspace,
                settings=settings,
                tokens=shop.tokens,
                client=Client(app),
            )
        finally:
            app.state.covenant.close()  # the app's store connections, before the schema goes


def copy_store(source: str, target: str) -> None:
    """Every row of every table, through Covenant's own table types (blobs, UTC instants)."""
    from covenant.store import (  # noqa: F401, PLC0415 - register every table
        agreement_tables,
        correction_tables,
        outbox_tables,
        record_tables,
        token_tables,
        worker_tables,
    )

    reader, writer = open_store(source), open_store(target)
    try:
        with reader.connect() as src, writer.begin() as dst:
            for table in metadata.sorted_tables:
                rows = [dict(row._mapping) for row in src.execute(sa.select(table))]
                if rows:
                    dst.execute(sa.insert(table), rows)
                if rows and dst.dialect.name == "postgresql":
                    _advance_sequences(dst, table)
    finally:
        reader.dispose()
        writer.dispose()


def _advance_sequences(conn: sa.Connection, table: sa.Table) -> None:
    """Rows copied with their ids leave a serial column's sequence behind them: move it past
    the largest id, so the next insert (a write through the API) gets a free one."""
    for column in table.primary_key.columns:
        if column.autoincrement is True or (
            column.autoincrement == "auto" and isinstance(column.type, sa.Integer)
        ):
            sequence = conn.execute(
                sa.select(sa.func.pg_get_serial_sequence(table.name, column.name))
            ).scalar()
            if sequence:
                top = conn.execute(sa.select(sa.func.max(column))).scalar()
                conn.execute(sa.select(sa.func.setval(sequence, top)))


def read_routes() -> list[str]:
    plain = [
        path
        for (method, path), rule in EXPECTED.items()
        if method == "GET"
        and "{" not in path
        and path not in TOKEN_ROUTES
        and rule in {"staff", "everyone"}
    ]
    return sorted(plain) + WITH_NAMES


@pytest.mark.postgres
@pytest.mark.parametrize("path", read_routes())
def test_a_read_answers_the_same_on_postgresql(shop: Shop, pg_shop: Shop, path: str) -> None:
    on_sqlite = shop.client.get(f"/api/v1{path}", shop.tokens["admin"])
    on_postgres = pg_shop.client.get(f"/api/v1{path}", pg_shop.tokens["admin"])
    assert on_sqlite.status_code == 200, on_sqlite.text  # a real answer to compare
    assert on_postgres.status_code == on_sqlite.status_code
    assert on_postgres.text == on_sqlite.text


@pytest.mark.postgres
def test_a_customer_sees_the_same_on_postgresql(shop: Shop, pg_shop: Shop) -> None:
    for path in ("/agreements", "/tickets", "/customers/globex/statements/2026-10"):
        mine = shop.client.get(f"/api/v1{path}", shop.tokens["customer:globex"])
        theirs = pg_shop.client.get(f"/api/v1{path}", pg_shop.tokens["customer:globex"])
        assert mine.status_code == 200, mine.text
        assert theirs.json() == mine.json()
