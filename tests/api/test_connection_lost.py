"""A request whose PostgreSQL connection is cut while it reads (``pg_terminate_backend``: a
database restart, a failover, an administrator) is answered ``503 store-unreachable`` naming
the lost connection and "retry" — not ``500 internal-error`` saying retrying will not help.

The request is held inside the database deterministically: another session locks the table the
evaluation reads (``LOCK TABLE … ACCESS EXCLUSIVE``), the request waits on that lock, and the
test terminates the waiting backend (found in ``pg_stat_activity`` by its lock wait).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa

from covenant.api.answers import StoreVersion
from covenant.api.app import create_app
from covenant.config import Settings
from covenant.services.store import open_store
from covenant.services.tokens import create_token
from tests.api.support import EXPIRES, Client
from tests.checkout import CHECKOUT_SLO, put, wait
from tests.ports import free_port
from tests.stores import postgres_schemas

AT = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
pytestmark = pytest.mark.postgres


@pytest.fixture
def served(postgres_url: str, tmp_path: Path) -> Iterator[tuple[str, Client, str]]:
    workspace = tmp_path / "shop"
    workspace.mkdir()
    (workspace / "slos.yaml").write_text(
        "apiVersion: openslo/v1\nkind: Service\nmetadata: {name: shop}\nspec: {}\n---\n"
        + CHECKOUT_SLO
    )
    with postgres_schemas(postgres_url, prefix="lost") as (url,):
        engine = open_store(url)
        put(engine, AT - timedelta(hours=3), 180, bad=0)
        token = create_token(
            engine, role="viewer", customer=None, expires_at=EXPIRES, at=AT, customers=[]
        ).text
        engine.dispose()
        app = create_app(Settings(workspace=workspace, database_url=url), clock=lambda: AT)
        try:
            yield url, Client(app), token
        finally:
            app.state.covenant.close()


def _waiting_backends(admin: sa.Engine, schema_url: str) -> list[int]:
    with admin.connect() as conn:
        return list(
            conn.execute(
                sa.text(
                    "SELECT pid FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                    "AND pid <> pg_backend_pid()"
                )
            ).scalars()
        )


def test_a_read_whose_connection_is_terminated_is_503_store_unreachable(
    served: tuple[str, Client, str],
) -> None:
    url, client, token = served
    assert client.get("/api/v1/evaluations", token).status_code == 200  # the app works
    holder = sa.create_engine(url)
    admin = sa.create_engine(url)
    answers: list[httpx.Response] = []
    try:
        with holder.connect() as conn:
            conn.execute(sa.text("LOCK TABLE bucket_chunks IN ACCESS EXCLUSIVE MODE"))
            asking = threading.Thread(
                target=lambda: answers.append(
                    client.get("/api/v1/evaluations", token, params={"at": "2026-11-20T11:00Z"})
                )
            )
            asking.start()
            wait(lambda: bool(_waiting_backends(admin, url)), "the request waits on the lock")
            with admin.connect() as kill:
                for pid in _waiting_backends(admin, url):
                    kill.execute(sa.text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
            asking.join()
            conn.rollback()
    finally:
        holder.dispose()
        admin.dispose()
    (answer,) = answers
    assert answer.status_code == 503, answer.text
    error = answer.json()
    assert error["code"] == "store-unreachable"
    assert "the connection to the database was lost" in error["message"]
    assert "retry" in error["hint"]
    # and the next request is answered again: the pool let the dead connection go
    assert client.get("/api/v1/evaluations", token).status_code == 200


@pytest.mark.parametrize("method", ["GET", "PUT"])
def test_a_database_that_is_down_is_503_store_unreachable(tmp_path: Path, method: str) -> None:
    """Nothing listens on the store's port (the database down, or restarting). A request with a
    body has its token checked before the body is read (``token_gate``, outside the routes'
    error handling): both a read and a write are 503 naming the store, not 500."""
    workspace = tmp_path / "shop"
    workspace.mkdir()
    (workspace / "slos.yaml").write_text(
        "apiVersion: openslo/v1\nkind: Service\nmetadata: {name: shop}\nspec: {}\n---\n"
        + CHECKOUT_SLO
    )
    url = f"postgresql+psycopg://postgres@127.0.0.1:{free_port()}/covenant"
    app = create_app(Settings(workspace=workspace, database_url=url), clock=lambda: AT)
    try:
        answer = Client(app).request(
            method,
            "/api/v1/event-batches/down-1" if method == "PUT" else "/api/v1/evaluations",
            "cvt_AAAAAAAAAAAA.BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB",
            json={"events": []} if method == "PUT" else None,
        )
    finally:
        app.state.covenant.close()
    assert answer.status_code == 503, answer.text
    assert answer.json()["code"] == "store-unreachable"
    assert "Connection refused" in answer.json()["message"]


def _terminated_error(url: str) -> sa.exc.OperationalError:
    """The real error of a session the server terminated (pg_terminate_backend)."""
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            pid = conn.execute(sa.text("SELECT pg_backend_pid()")).scalar()
            with engine.connect() as admin:
                admin.execute(sa.text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
            try:
                conn.execute(sa.text("SELECT 1"))
            except sa.exc.OperationalError as exc:
                return exc
    finally:
        engine.dispose()
    raise AssertionError("the terminated session still answered")


def test_a_write_whose_token_check_loses_its_connection_is_503(
    served: tuple[str, Client, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A request with a body has its token checked before the body is read (``token_gate``,
    outside the routes' error handling). Its first read — the store's snapshot, which no lock
    can hold up to cut it deterministically — raises the error a terminated session raises."""
    url, client, token = served
    error = _terminated_error(url)

    def lost(self: object) -> None:
        raise error

    monkeypatch.setattr(StoreVersion, "current", lost)
    batch = {"events": [{"timestamp": "2026-11-20T11:00:05Z", "sli": "checkout", "good": 1}]}
    answer = client.request("PUT", "/api/v1/event-batches/lost-1", token, json=batch)
    assert answer.status_code == 503, answer.text
    assert answer.json()["code"] == "store-unreachable"
    assert "the connection to the database was lost" in answer.json()["message"]
