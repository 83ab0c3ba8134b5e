"""``/api/v1/data-sources`` and ``/api/v1/worker``: staff can see the pipeline that feeds the
SLOs — how each DataSource is reached (no secret), how far each series was read and why its
latest read failed — and this process's worker, not only in the log."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from typer.testing import CliRunner

from covenant.api.app import create_app
from covenant.cli.main import app
from covenant.config import Settings, sqlite_url
from covenant.services.store import open_store
from covenant.services.tokens import create_token
from tests.api.support import EXPIRES, Client
from tests.ports import free_port
from tests.sources.test_prometheus_errors import _cli_workspace
from tests.web.pages import Browser

AT = datetime(2026, 12, 1, tzinfo=UTC)


def test_a_failing_source_is_listed_with_its_error_and_the_worker_state(tmp_path: Path) -> None:
    url = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    ws = _cli_workspace(tmp_path, url)
    args = ["ingest", "prometheus", "-w", str(ws), "--from", "-1h", "--to", "now"]
    assert CliRunner().invoke(app, args).exit_code == 1  # source-unreachable, recorded
    settings = Settings(workspace=ws, database_url=sqlite_url(ws))
    engine = open_store(settings.database_url)
    token = create_token(
        engine, role="viewer", customer=None, expires_at=EXPIRES, at=AT, customers=()
    ).text
    engine.dispose()
    client = Client(create_app(settings, clock=lambda: AT))

    answer = client.get("/api/v1/data-sources", token)
    assert answer.status_code == 200, answer.text
    (source,) = answer.json()["items"]
    assert (source["name"], source["url"], source["timeout_seconds"]) == ("metrics", url, 5.0)
    assert source["auth"] is None
    assert source["states"] == {"read": 0, "failing": 1, "never-read": 0}
    assert source["read_until_oldest"] is None
    (series,) = source["series"]
    assert (series["series"], series["slos"], series["state"]) == ("api", ["api"], "failing")
    assert series["read_until"] is None  # nothing was read
    assert series["error"]["code"] == "source-unreachable"
    assert "did not answer after 3 attempts" in series["error"]["message"]
    assert series["error"]["at"].endswith("Z")
    one = client.get("/api/v1/data-sources/metrics", token)
    assert one.json() == source
    missing = client.get("/api/v1/data-sources/nope", token)
    assert missing.status_code == 404
    assert missing.json()["code"] == "not-found"
    assert client.get("/api/v1/worker", token).json() == {  # not served, nothing ticked
        "running": False,
        "store": {
            "ticks": {"ok": 0, "problems": 0, "failed": 0},
            "last_tick_at": None,
            "last_tick_seconds": None,
            "last_success_at": None,
        },
        "unmatched": [],  # a failed read is no query that matched nothing
    }
    assert client.get("/api/v1/data-sources").status_code == 401
    # the UI's sources page says the same
    browser = Browser(client.app)
    assert browser.sign_in_token(token).status_code == 303
    shown = browser.get("/ui/sources")
    assert shown.status_code == 200, shown.text
    html = shown.text
    assert f"<code>{url}</code>" in html
    assert "1 series: 0 read, <strong>1 failing</strong>, 0 never read." in html
    assert '<span class="status status-breached">failing</span>' in html
    assert "<code>source-unreachable</code> at " in html
    assert "No worker runs in this process" in html
    assert "as <code>/metrics</code> counts them): no tick counted yet.</p>" in html


def test_the_worker_status_answers_while_the_workspace_is_invalid(tmp_path: Path) -> None:
    """``GET /worker`` is how an operator sees why the worker fails — a broken definition among
    others — so it answers while the workspace cannot be read: its store counts as always,
    ``unmatched`` null (the queries are the workspace's: not known), not the workspace's error
    in place of the whole status."""
    url = f"http://127.0.0.1:{free_port()}"
    ws = _cli_workspace(tmp_path, url)
    settings = Settings(workspace=ws, database_url=sqlite_url(ws))
    engine = open_store(settings.database_url)
    token = create_token(
        engine, role="viewer", customer=None, expires_at=EXPIRES, at=AT, customers=()
    ).text
    engine.dispose()
    client = Client(create_app(settings, clock=lambda: AT))
    assert client.get("/api/v1/worker", token).json()["unmatched"] == []
    broken = sorted(ws.glob("*.yaml"))[0]
    broken.write_text(broken.read_text() + "\n  - this: is: broken: [\n")
    answer = client.get("/api/v1/worker", token)
    assert answer.status_code == 200, answer.text
    assert answer.json() == {
        "running": False,
        "store": {
            "ticks": {"ok": 0, "problems": 0, "failed": 0},
            "last_tick_at": None,
            "last_tick_seconds": None,
            "last_success_at": None,
        },
        "unmatched": None,
    }
