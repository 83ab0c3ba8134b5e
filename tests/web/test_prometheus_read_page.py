"""The sources page's "Read a range from Prometheus" form (editors, admins): a range read from
a real Prometheus into the store and answered with each series' summary — the figures
``POST /api/v1/ingest/prometheus`` answers for the same range, and the counts of the events
tests/promdata.py wrote (never Covenant's code); a source that is down is named, with what was
read kept."""

from __future__ import annotations

import html
import re
import socket
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest

from covenant.api.app import create_app
from covenant.config import Settings, sqlite_url
from covenant.core.timeutil import from_epoch
from covenant.services.store import open_store
from covenant.services.tokens import create_token
from covenant.services.users import create_user
from tests import promdata
from tests.api.support import Client
from tests.promserver import Server
from tests.web.pages import CSRF, Browser
from tests.web.served import PASSWORD

START = 1_790_000_000 - 1_790_000_000 % 86400  # a UTC midnight in 2026
MINUTES = 180
EXPIRES = datetime(2099, 1, 1, tzinfo=UTC)


def _app(ws: Path) -> tuple[Browser, Browser, Client, str]:
    """The app on ``ws``: an editor's and a viewer's signed-in browser, and an editor's token."""
    settings = Settings(workspace=ws, database_url=sqlite_url(ws))
    engine = open_store(settings.database_url)
    now = datetime.now(UTC).replace(microsecond=0)
    for name, role in (("eve", "editor"), ("vic", "viewer")):
        create_user(
            engine,
            name=name,
            password=PASSWORD,
            role=role,
            customer=None,
            customers=(),
            at=now,
            created_by="test",
        )
    token = create_token(
        engine, role="editor", customer=None, expires_at=EXPIRES, at=now, customers=()
    ).text
    engine.dispose()
    app = create_app(settings)
    editor, viewer = Browser(app), Browser(app)
    editor.sign_in("eve")
    viewer.sign_in("vic")
    return editor, viewer, Client(app), token


def _rows(page: str) -> list[list[str]]:
    table = page[page.index('id="read-series"') :]
    table = table[: table.index("</table>")]
    body = table[table.index("<tbody>") :]
    return [
        [
            html.unescape(re.sub(r"<[^>]+>", "", c)).strip()
            for c in re.findall(r"<td>(.*?)</td>", r, re.S)
        ]
        for r in re.findall(r"<tr>(.*?)</tr>", body, re.S)
    ]


def _read(browser: Browser, fields: dict[str, str | list[str]]) -> object:
    csrf = CSRF.search(browser.get("/ui/sources").text)
    assert csrf is not None
    return browser.request(
        "POST", "/ui/sources/prometheus-read", data={"csrf": csrf.group(1), **fields}
    )


@pytest.mark.prometheus_releases("stable")
def test_a_range_read_from_the_form_is_the_apis_read(
    tmp_path: Path, prometheus: Callable[..., Server]
) -> None:
    events = promdata.events(START, MINUTES)
    server = prometheus(openmetrics=promdata.openmetrics(events, START, MINUTES))
    ws = promdata.workspace(tmp_path / "ws", server.url)
    editor, viewer, client, token = _app(ws)
    first, last = from_epoch(START).isoformat(), from_epoch(START + 7200).isoformat()
    sources = viewer.get("/ui/sources")
    assert sources.status_code == 200
    assert 'action="/ui/sources/prometheus-read' not in sources.text  # a viewer has no form
    assert viewer.post("/ui/sources/prometheus-read", {"from": first}).status_code == 403
    page = editor.get("/ui/sources")
    assert 'action="/ui/sources/prometheus-read' in page.text
    for slo in ("api-availability", "api-latency", "web-minutes"):
        assert f'<option value="{slo}">' in page.text
    answer = _read(editor, {"from": first, "to": last, "slo": ["api-latency"]})
    assert answer.status_code == 200, answer.text
    expected = [e for e in events if e.service == "api" and e.at < START + 7200]
    good = sum(1 for e in expected if e.latency_ms <= 300)
    (row,) = _rows(answer.text)
    assert row[:10] == [
        "api-latency:lte300",
        "api-latency",
        "metrics",
        "2026-09-21T00:00:00Z",
        "2026-09-21T02:00:00Z",
        row[5],
        "yes",
        "120",
        str(good),
        str(len(expected)),
    ]
    api = client.request(
        "POST",
        "/api/v1/ingest/prometheus",
        token,
        json={"from": first, "to": last, "slo": ["api-latency"]},
    )
    assert api.status_code == 200
    (api_row,) = api.json()["series"]
    assert row[5] == api_row["read_until"]
    assert [api_row["good"], api_row["total"]] == [good, len(expected)]
    # two SLOs chosen: their two series
    both = _read(editor, {"from": first, "to": last, "slo": ["api-availability", "web-minutes"]})
    assert both.status_code == 200, both.text
    assert sorted(r[0] for r in _rows(both.text)) == ["api-availability", "web-availability"]


def _closed_url() -> str:
    with socket.socket() as s:  # a port nothing listens on once it is closed
        s.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{s.getsockname()[1]}"


def test_a_source_that_is_down_is_named_and_a_bad_instant_is_shown_at_the_form(
    tmp_path: Path,
) -> None:
    ws = promdata.workspace(tmp_path / "ws", _closed_url())
    editor, _, _, _ = _app(ws)
    answer = _read(editor, {"from": "-3h", "to": "-1h", "slo": ["api-latency"]})
    assert answer.status_code == 502, answer.text
    text = html.unescape(answer.text)
    assert "reading from metrics failed: api-latency:lte300: " in text
    (row,) = _rows(answer.text)
    assert (row[0], row[2], row[6], row[7]) == ("api-latency:lte300", "metrics", "no", "0")
    bad = _read(editor, {"from": "yesterday", "to": "now"})
    assert bad.status_code == 400
    said = html.unescape(bad.text)
    assert 'role="alert"' in said
    assert "invalid-instant-option" in said
    assert 'value="yesterday"' in said  # kept as typed
    assert "Traceback" not in said
    year = _read(editor, {"from": "-365d", "to": "now"})  # longer than a quarter: refused
    assert year.status_code == 400
    said = html.unescape(year.text)
    assert "range-too-large" in said
    assert "covers 365 d; one request reads at most 92 days" in said
    assert "covenant ingest prometheus" in said
