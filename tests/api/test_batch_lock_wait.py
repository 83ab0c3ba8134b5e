"""An event batch sent while another process holds the store's lock: it waited SQLite's 60 s
``busy_timeout`` (PostgreSQL: the audit log's lock, without bound). It now waits
``COVENANT_LOCK_TIMEOUT`` (0.3 s here), then is answered ``503`` ``store-error`` naming the lock
and the fix, nothing of it stored; sent again once the lock is let go, it is stored."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path

import orjson
import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from covenant.api.app import create_app
from covenant.config import LOCK_TIMEOUT_ENV, Settings
from covenant.services.agreements import sync_agreements
from covenant.services.workspace import load_workspace
from covenant.store import audit
from tests.api.support import Client, role_tokens
from tests.conftest import ROOT
from tests.lock_holder import held

AT = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
ROW = {"timestamp": "2026-11-20T11:00:05Z", "service": "checkout", "status": 200, "latency_ms": 80}


def batches(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(sa.text("SELECT count(*) FROM ingest_batches")).scalar_one())


def test_a_batch_waits_the_bound_then_is_refused_503(
    engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(LOCK_TIMEOUT_ENV, "0.3")
    folder = tmp_path / "shop"
    shutil.copytree(ROOT / "examples" / "shop", folder, ignore=shutil.ignore_patterns(".covenant"))
    sync_agreements(engine, workspace=load_workspace(folder), at=AT, actor="test")
    tokens = role_tokens(engine, customers=("globex", "initech"))
    url = engine.url.render_as_string(hide_password=False)
    app = create_app(Settings(workspace=folder, database_url=url), clock=lambda: AT)
    client = Client(app)
    body = orjson.dumps({"events": [ROW, ROW]})
    json = {"Content-Type": "application/json"}
    try:
        assert client.request("GET", "/api/v1/slos", tokens["viewer"]).status_code == 200
        with held(engine, audit.LOCK):
            answer = client.request(
                "PUT", "/api/v1/event-batches/b1", tokens["editor"], content=body, headers=json
            )
        assert answer.status_code == 503, answer.text
        found = answer.json()
        assert found["code"] == "store-error"
        shown = engine.url.render_as_string(hide_password=True)
        if engine.dialect.name == "sqlite":
            lock = "another process held a lock on the store's write lock (one for the whole "
            lock += f"SQLite file) in the store at {shown} for longer than 0.3 s (database is "
            lock += "locked)"
        else:
            lock = "another session held a lock on the audit log (every audited change takes "
            lock += f"it: another issue, an agreements sync) in the store at {shown} for longer "
            lock += "than 0.3 s (canceling statement due to lock timeout)"
        assert found["message"] == f"batch 'b1' was not ingested: {lock}"
        assert found["hint"].startswith("nothing of it was written; wait for the other ")
        assert found["hint"].endswith(
            "then send the batch again; or raise COVENANT_LOCK_TIMEOUT to wait longer (seconds, "
            "default 10)"
        )
        assert batches(engine) == 0
        again = client.request(
            "PUT", "/api/v1/event-batches/b1", tokens["editor"], content=body, headers=json
        )
        assert again.status_code in (200, 201), again.text
        assert batches(engine) == 1
    finally:
        app.state.covenant.close()
