"""POST /alerts/outbox/prune (admins only): `covenant alerts outbox --prune` over HTTP, with the
workspace's retention, audited as the retry is.

Each test serves a workspace of its own on a fresh store (``store_url``: SQLite, or a PostgreSQL
schema) whose outbox is written through the store's own functions with known instants,
relative to the server's clock ``AT`` (2026-11-20T12:00Z):

========  ===============================================  ==================  ===============
key       rows                                             last sent / failed  7d / 14d
========  ===============================================  ==================  ===============
ancient   firing + resolved, sent                          AT − 14d − 1s       pruned / pruned
old       firing + resolved, sent                          AT − 7d − 1s        pruned / kept
edge      firing + resolved, sent                          AT − 7d (exactly)   kept / kept
recent    firing + resolved, sent                          AT − 1d             kept / kept
firing    firing, sent, no resolution (the alert fires)    AT − 30d            kept / kept
failed    firing, given up                                 AT − 30d            kept / kept
pending   firing, written, never sent                      (written AT − 30d)  kept / kept
========  ===============================================  ==================  ===============
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from covenant.api.app import create_app
from covenant.config import Settings
from covenant.services.store import open_store
from covenant.store import outbox
from covenant.store.db import write_transaction
from tests.api.support import AT, CUSTOMERS, ROLES, Client, role_tokens

V1 = "/api/v1"
PRUNE = f"{V1}/alerts/outbox/prune"
DAY = timedelta(days=1)
SECOND = timedelta(seconds=1)
SENT_PAIRS = {  # key → when its firing and its resolution were sent
    "ancient": AT - 14 * DAY - SECOND,
    "old": AT - 7 * DAY - SECOND,
    "edge": AT - 7 * DAY,
    "recent": AT - DAY,
}
LONG_AGO = AT - 30 * DAY
SERVICE = "apiVersion: openslo/v1\nkind: Service\nmetadata: {name: shop}\nspec: {}\n"
SETTINGS_14D = (
    "apiVersion: covenant/v1\nkind: Settings\nmetadata: {name: workspace}\n"
    "spec: {outboxRetention: 14d}\n"
)
EVERY_ROW = [  # (key, state, status), sorted: what fill_outbox writes
    ("ancient", "firing", "sent"),
    ("ancient", "resolved", "sent"),
    ("edge", "firing", "sent"),
    ("edge", "resolved", "sent"),
    ("failed", "firing", "failed"),
    ("firing", "firing", "sent"),
    ("old", "firing", "sent"),
    ("old", "resolved", "sent"),
    ("pending", "firing", "pending"),
    ("recent", "firing", "sent"),
    ("recent", "resolved", "sent"),
]


def row(key: str, state: str = "firing") -> outbox.NewRow:
    return outbox.NewRow(
        notice_key=f"burn-rate/checkout/{key}",
        state=state,
        starts_at=LONG_AGO,
        target="hook",
        kind="burn-rate",
        notice="{}",
    )


def fill_outbox(url: str) -> None:
    """The rows of the module's table. Each group is written and claimed at its own instant;
    the pending row last, so no claim takes it."""
    engine = open_store(url)
    lease = timedelta(minutes=2)
    try:
        with write_transaction(engine) as conn:
            groups = [([row(k), row(k, "resolved")], at) for k, at in SENT_PAIRS.items()]
            for rows, at in [*groups, ([row("firing")], LONG_AGO)]:
                assert outbox.add(conn, rows, now=at) == len(rows)
                sent = 0  # a resolution is claimed once its firing is sent
                while claimed := outbox.claim(conn, now=at, limit=10, lease=lease, owner="t"):
                    for r in claimed:
                        assert outbox.mark_sent(conn, r.id, owner="t", now=at)
                    sent += len(claimed)
                assert sent == len(rows)
            assert outbox.add(conn, [row("failed")], now=LONG_AGO) == 1
            (failed,) = outbox.claim(conn, now=LONG_AGO, limit=10, lease=lease, owner="t")
            gone = "HTTP 410: gone"
            outbox.mark_failed(
                conn, failed.id, owner="t", error=gone, next_attempt_at=LONG_AGO, give_up=True
            )
            assert outbox.add(conn, [row("pending")], now=LONG_AGO) == 1
        assert left(url) == EVERY_ROW
    finally:
        engine.dispose()


def left(url: str) -> list[tuple[str, str, str]]:
    engine = open_store(url)
    try:
        with engine.connect() as conn:
            found = outbox.rows(conn, limit=100)
    finally:
        engine.dispose()
    return sorted((r.notice_key.rsplit("/", 1)[1], r.state, r.status) for r in found)


class Served:
    def __init__(self, url: str, client: Client, tokens: dict[str, str]) -> None:
        self.url, self.client, self.tokens = url, client, tokens

    def prune(self, token: str | None) -> Any:
        return self.client.request("POST", PRUNE, token)

    def audit(self) -> list[dict[str, Any]]:
        answer = self.client.get(f"{V1}/audit", self.tokens["admin"], params={"kind": "outbox"})
        assert answer.status_code == 200, answer.text
        items: list[dict[str, Any]] = answer.json()["items"]
        return items


def serve(folder: Path, url: str, *documents: str) -> Iterator[Served]:
    """A workspace of ``documents`` in ``folder`` served on the store at ``url``, filled."""
    workspace = folder / "workspace"
    workspace.mkdir()
    for n, text in enumerate(documents):
        (workspace / f"{n}.yaml").write_text(text)
    engine = open_store(url)
    tokens = role_tokens(engine, customers=CUSTOMERS)
    engine.dispose()
    fill_outbox(url)
    app = create_app(Settings(workspace=workspace, database_url=url), clock=lambda: AT)
    try:
        yield Served(url, Client(app), tokens)
    finally:
        app.state.covenant.close()


@pytest.fixture
def default_retention(tmp_path: Path, store_url: str) -> Iterator[Served]:
    """No Settings: the default retention, 7 days."""
    yield from serve(tmp_path, store_url, SERVICE)


@pytest.fixture
def retention_14d(tmp_path: Path, store_url: str) -> Iterator[Served]:
    yield from serve(tmp_path, store_url, SERVICE, SETTINGS_14D)


def test_a_request_without_a_valid_token_is_401_and_prunes_nothing(
    default_retention: Served,
) -> None:
    for token in (None, "cvt_unknown.secret"):
        answer = default_retention.prune(token)
        assert answer.status_code == 401, answer.text
        assert answer.json()["code"] == "unauthenticated"
    assert left(default_retention.url) == EVERY_ROW
    assert default_retention.audit() == []


@pytest.mark.parametrize("role", [r for r in ROLES if r != "admin"])
def test_only_an_admin_prunes(default_retention: Served, role: str) -> None:
    answer = default_retention.prune(default_retention.tokens[role])
    assert answer.status_code == 403, answer.text
    assert answer.json()["code"] == "forbidden"
    assert left(default_retention.url) == EVERY_ROW
    assert default_retention.audit() == []


def test_the_default_retention_prunes_the_sent_notices_older_than_7_days(
    default_retention: Served,
) -> None:
    served, admin = default_retention, default_retention.tokens["admin"]
    me = served.client.get(f"{V1}/me", admin).json()["token"]
    answer = served.prune(admin)
    assert answer.status_code == 200, answer.text
    assert answer.json() == {
        "pruned": 4,  # ancient and old, firing and resolution each
        "retention": "7d",
        "retention_s": 7 * 86400,
        "retention_from": "default",
        "sent_before": "2026-11-13T12:00:00Z",
        "counts": {"pending": 1, "sent": 5, "failed": 1},  # edge 2, recent 2, firing 1
        "message": "4 sent notice(s) older than 7 days pruned (last sent before "
        "2026-11-13T12:00:00Z; retention the default: the workspace's Settings name no "
        "outboxRetention)",
    }
    gone = {("ancient", "firing"), ("ancient", "resolved"), ("old", "firing"), ("old", "resolved")}
    assert left(served.url) == [r for r in EVERY_ROW if r[:2] not in gone]
    audit = served.audit()
    assert [(e["actor"], e["action"], e["entity_id"], e["at"]) for e in audit] == [
        (f"token:{me}", "pruned", "notices", "2026-11-20T12:00:00Z")
    ]
    assert audit[0]["before"] == {
        "status": "sent",
        "count": 4,
        "retention_s": 604800,
        "sent_before": "2026-11-13T12:00:00+00:00",  # as recorded (docs/audit.md)
    }
    assert audit[0]["after"] is None

    again = served.prune(admin)
    assert again.status_code == 200, again.text
    assert again.json()["pruned"] == 0  # said, not silent: the message names the retention
    assert again.json()["message"].startswith("0 sent notice(s) older than 7 days pruned")
    assert again.json()["counts"] == {"pending": 1, "sent": 5, "failed": 1}
    assert len(served.audit()) == 1  # nothing deleted: nothing recorded


def test_the_workspace_settings_choose_the_retention(retention_14d: Served) -> None:
    answer = retention_14d.prune(retention_14d.tokens["admin"])
    assert answer.status_code == 200, answer.text
    found = answer.json()
    assert (found["pruned"], found["retention"], found["retention_s"]) == (2, "14d", 14 * 86400)
    assert found["retention_from"] == "settings"
    assert found["sent_before"] == "2026-11-06T12:00:00Z"
    assert found["counts"] == {"pending": 1, "sent": 7, "failed": 1}
    assert "older than 14 days" in found["message"]
    assert "Settings outboxRetention" in found["message"]
    assert left(retention_14d.url) == [r for r in EVERY_ROW if r[0] != "ancient"]
    (entry,) = retention_14d.audit()
    assert entry["before"]["count"] == 2
    assert entry["before"]["retention_s"] == 1209600


def test_a_retention_without_a_fixed_length_is_refused_and_prunes_nothing(
    tmp_path: Path, store_url: str
) -> None:
    monthly = SETTINGS_14D.replace("14d", "1M")
    for served in serve(tmp_path, store_url, SERVICE, monthly):
        answer = served.prune(served.tokens["admin"])
        assert answer.status_code == 422, answer.text
        assert answer.json()["code"] == "invalid-definition"
        (problem,) = answer.json()["problems"]
        assert (problem["code"], problem["field"]) == ("invalid-duration", "spec.outboxRetention")
        assert problem["where"].endswith("1.yaml:4")  # the Settings document's line
        assert left(served.url) == EVERY_ROW
