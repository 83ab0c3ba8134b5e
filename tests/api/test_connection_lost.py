"""A request whose PostgreSQL connection is cut while it reads (``pg_terminate_backend``: a
database restart, a failover, an administrator) is answered ``503 store-unreachable`` naming
the lost connection and "retry" — not ``500 internal-error`` saying retrying will not help.

The request is held inside the database deterministically: another session locks the table the
evaluation reads (``LOCK TABLE … ACCESS EXCLUSIVE``), the request waits on that lock, and the
test terminates the waiting backend (``tests/lock_cut.py``).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from covenant.api.answers import StoreVersion
from covenant.api.app import create_app
from covenant.config import Settings
from tests.api.support import AT, Client, checkout_workspace, served_on_postgres
from tests.checkout import put
from tests.lock_cut import cut_while_waiting
from tests.ports import free_port

pytestmark = pytest.mark.postgres


@pytest.fixture
def served(postgres_url: str, tmp_path: Path) -> Iterator[tuple[str, Client, str]]:
    def seed(engine: sa.Engine) -> None:
        put(engine, AT - timedelta(hours=3), 180, bad=0)

    with served_on_postgres(postgres_url, tmp_path, prefix="lost", role="viewer", seed=seed) as it:
        yield it


def test_a_read_whose_connection_is_terminated_is_503_store_unreachable(
    served: tuple[str, Client, str],
) -> None:
    url, client, token = served
    assert client.get("/api/v1/evaluations", token).status_code == 200  # the app works
    (answer,) = cut_while_waiting(
        url,
        "bucket_chunks",
        lambda: client.get("/api/v1/evaluations", token, params={"at": "2026-11-20T11:00Z"}),
        "the request waits on the lock",
    )
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
    workspace = checkout_workspace(tmp_path)
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
