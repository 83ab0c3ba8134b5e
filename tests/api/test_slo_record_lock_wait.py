"""A server that finds the definitions changed records the SLOs changed in the audit log before
it answers (``api.deps.Context.workspace``). While another process held the store's lock that
request waited SQLite's 60 s ``busy_timeout`` (on PostgreSQL, the audit log's lock, without
bound). Now the recording waits at most ``COVENANT_LOCK_TIMEOUT`` (0.3 s here); when the lock is
not had by then the request is answered from the definitions read, the server logs why
(naming the lock) and that a later request records them, and the next request records the
change: the audit log loses no entry. That entry is stamped when the server saw the change (it
was stamped when it was recorded, a later request's time). The holder is another process
(tests/lock_holder.py)."""

from __future__ import annotations

import logging
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from covenant.api.app import create_app
from covenant.config import LOCK_TIMEOUT_ENV, Settings
from covenant.store import audit
from tests.api.support import Client, role_tokens
from tests.conftest import ROOT
from tests.lock_holder import held

AT = datetime(2026, 12, 10, 9, 0, tzinfo=UTC)
AUDIT_LOCK = audit.LOCK


def slo_times(engine: Engine) -> dict[tuple[str, str], datetime]:
    with engine.connect() as conn:
        latest = audit.latest(conn, entity_kind="slo")
        return {(name, e.action): e.at for name, e in latest.items()}


def slo_entries(engine: Engine) -> list[tuple[str, str]]:
    with engine.connect() as conn:
        found = conn.execute(
            sa.text(
                "SELECT entity_id, action FROM audit_log WHERE entity_kind = 'slo' ORDER BY seq"
            )
        )
        return [(str(r[0]), str(r[1])) for r in found]


def test_a_held_store_delays_the_audit_entry_not_the_answer(
    engine: Engine,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    monkeypatch.setenv(LOCK_TIMEOUT_ENV, "0.3")
    folder = tmp_path / "shop"
    shutil.copytree(ROOT / "examples" / "shop", folder, ignore=shutil.ignore_patterns(".covenant"))
    tokens = role_tokens(engine, customers=("globex", "initech"))
    url = engine.url.render_as_string(hide_password=False)
    times = [AT]
    app = create_app(Settings(workspace=folder, database_url=url), clock=lambda: times[-1])
    client = Client(app)
    try:
        assert client.request("GET", "/api/v1/slos", tokens["viewer"]).status_code == 200
        first = slo_entries(engine)
        assert ("checkout-availability", "created") in first  # recorded at the first request
        slos = folder / "slos.yaml"
        slos.write_text(
            slos.read_text(encoding="utf-8").replace("target: 0.999", "target: 0.998", 1),
            encoding="utf-8",
        )
        seen = AT + timedelta(minutes=5)
        times.append(seen)  # the change is seen at this request
        with caplog.at_level(logging.ERROR), held(engine, AUDIT_LOCK):
            answer = client.request("GET", "/api/v1/slos", tokens["viewer"])
        assert answer.status_code == 200, answer.text  # answered, from the definitions read
        (shown,) = [s for s in answer.json()["items"] if s["name"] == "checkout-availability"]
        assert "0.998" in str(shown)
        assert slo_entries(engine) == first  # not recorded yet
        shown_url = engine.url.render_as_string(hide_password=True)
        if engine.dialect.name == "sqlite":
            lock = "another process held a lock on the store's write lock (one for the whole "
            lock += f"SQLite file) in the store at {shown_url} for longer than 0.3 s"
        else:
            lock = "another session held a lock on the audit log (every audited change takes "
            lock += f"it: another issue, an agreements sync) in the store at {shown_url} for "
            lock += "longer than 0.3 s"
        assert (
            "SLO changes not recorded (a later request records them): the SLO changes were not "
            f"recorded: {lock}"
        ) in caplog.text
        assert "COVENANT_LOCK_TIMEOUT" in caplog.text
        # the lock let go: the next request, later, records the change, once, as of when seen
        times.append(seen + timedelta(minutes=7))
        assert client.request("GET", "/api/v1/slos", tokens["viewer"]).status_code == 200
        assert slo_entries(engine) == [*first, ("checkout-availability", "changed")]
        assert slo_times(engine)[("checkout-availability", "changed")] == seen
        assert client.request("GET", "/api/v1/slos", tokens["viewer"]).status_code == 200
        assert slo_entries(engine) == [*first, ("checkout-availability", "changed")]
    finally:
        app.state.covenant.close()
