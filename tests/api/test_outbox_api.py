"""GET /alerts/outbox and POST /alerts/outbox/retry (admins only): the notice outbox as
`covenant alerts outbox` shows it, and its --retry, audited as every write over the API is.

The rows are written through the store's own functions, as the dispatcher writes them: four
notices, one sent, two given up (failed), one still pending. The same on a PostgreSQL store."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy.engine import Engine

from covenant.api.app import create_app
from covenant.config import Settings
from covenant.services.store import open_store
from covenant.store import outbox
from covenant.store.db import write_transaction
from tests.api.support import AT, ROLES, Client, Shop, role_tokens
from tests.availability import unavailable
from tests.conftest import POSTGRES_URL
from tests.stores import postgres_schemas

V1 = "/api/v1"
WRITTEN = AT - timedelta(hours=2)
TRIED = AT - timedelta(hours=1)
# as the answers write them: UTC with Z (AT is 2026-11-20T12:00:00Z)
AT_TEXT, WRITTEN_TEXT, TRIED_TEXT = (f"2026-11-20T{h}:00:00Z" for h in (12, 10, 11))


def fill_outbox(engine: Engine) -> dict[str, int]:
    """Notices a, b, c, d to target ``hook``: a sent, b and c failed, d pending; their ids."""
    rows = [
        outbox.NewRow(
            notice_key=f"burn-rate/checkout-availability/{key}",
            state="firing",
            starts_at=WRITTEN,
            target="hook",
            kind="burn-rate",
            notice="{}",
        )
        for key in "abcd"
    ]
    with write_transaction(engine) as conn:
        assert outbox.add(conn, rows, now=WRITTEN) == 4
        a, b, c = outbox.claim(conn, now=TRIED, limit=3, lease=timedelta(minutes=2), owner="t")
        assert outbox.mark_sent(conn, a.id, owner="t", now=TRIED)
        for row, error in ((b, "HTTP 400: bad request"), (c, "HTTP 410: gone")):
            outbox.mark_failed(
                conn, row.id, owner="t", error=error, next_attempt_at=TRIED, give_up=True
            )
    with engine.connect() as conn:
        return {r.notice_key.rsplit("/", 1)[1]: r.id for r in outbox.rows(conn, limit=10)}


def expected_row(key: str, ids: dict[str, int], status: str, error: str | None) -> dict[str, Any]:
    return {
        "id": ids[key],
        "status": status,
        "state": "firing",
        "notice_key": f"burn-rate/checkout-availability/{key}",
        "target": "hook",
        "kind": "burn-rate",
        "attempts": 0 if status == "pending" else 1,
        "next_attempt_at": WRITTEN_TEXT if status != "failed" else TRIED_TEXT,
        "created_at": WRITTEN_TEXT,
        "sent_at": TRIED_TEXT if status == "sent" else None,
        "last_error": error,
    }


def expected_rows(ids: dict[str, int]) -> list[dict[str, Any]]:
    """Newest first: d, c, b, a."""
    return [
        expected_row("d", ids, "pending", None),
        expected_row("c", ids, "failed", "HTTP 410: gone"),
        expected_row("b", ids, "failed", "HTTP 400: bad request"),
        expected_row("a", ids, "sent", None),
    ]


class Served:
    def __init__(self, client: Client, tokens: dict[str, str], ids: dict[str, int]) -> None:
        self.client, self.tokens, self.ids = client, tokens, ids


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
)
def served(request: pytest.FixtureRequest, shop: Shop) -> Iterator[Served]:
    """The shop's own SQLite store with the outbox filled, or a fresh PostgreSQL one (its own
    tokens: the outbox routes read nothing else)."""
    if request.param == "sqlite":
        engine = open_store(shop.settings.database_url)
        ids = fill_outbox(engine)
        engine.dispose()
        yield Served(shop.client, shop.tokens, ids)
        return
    import sqlalchemy as sa  # noqa: PLC0415

    probe = sa.create_engine(POSTGRES_URL)
    try:
        with probe.connect():
            pass
    except sa.exc.OperationalError as exc:
        unavailable(f"PostgreSQL unreachable at {POSTGRES_URL}: {exc}")
    finally:
        probe.dispose()
    with postgres_schemas(POSTGRES_URL, prefix="outbox") as (url,):
        engine = open_store(url)
        ids = fill_outbox(engine)
        tokens = role_tokens(engine, customers=("globex", "initech"))
        engine.dispose()
        app = create_app(Settings(workspace=shop.workspace, database_url=url), clock=lambda: AT)
        try:
            yield Served(Client(app), tokens, ids)
        finally:
            app.state.covenant.close()


def test_counts_and_the_newest_rows(served: Served) -> None:
    answer = served.client.get(f"{V1}/alerts/outbox", served.tokens["admin"])
    assert answer.status_code == 200, answer.text
    assert answer.json() == {
        "counts": {"pending": 1, "sent": 1, "failed": 2},
        "rows": expected_rows(served.ids),
    }


def test_status_and_limit_choose_the_rows(served: Served) -> None:
    admin, every = served.tokens["admin"], expected_rows(served.ids)
    failed = served.client.get(f"{V1}/alerts/outbox", admin, params={"status": "failed"})
    assert failed.json()["rows"] == every[1:3]
    assert failed.json()["counts"] == {"pending": 1, "sent": 1, "failed": 2}  # of every row
    one = served.client.get(f"{V1}/alerts/outbox", admin, params={"limit": 1})
    assert one.json()["rows"] == every[:1]
    sent = served.client.get(f"{V1}/alerts/outbox", admin, params={"status": "sent", "limit": 5})
    assert sent.json()["rows"] == every[3:]


@pytest.mark.parametrize(
    ("params", "named"),
    [
        ({"status": "lost"}, "status"),
        ({"limit": 0}, "limit"),
        ({"limit": 10001}, "limit"),
        ({"limit": "all"}, "limit"),
    ],
)
def test_a_bad_parameter_is_refused_naming_it(
    served: Served, params: dict[str, Any], named: str
) -> None:
    answer = served.client.get(f"{V1}/alerts/outbox", served.tokens["admin"], params=params)
    assert answer.status_code == 422, answer.text
    assert answer.json()["code"] == "invalid-input"
    assert named in answer.json()["message"]


@pytest.mark.parametrize("role", [r for r in ROLES if r != "admin"])
def test_only_an_admin_reads_or_retries(served: Served, role: str) -> None:
    for method, path in (("GET", "/alerts/outbox"), ("POST", "/alerts/outbox/retry")):
        answer = served.client.request(method, f"{V1}{path}", served.tokens[role])
        assert answer.status_code == 403, answer.text
        assert answer.json()["code"] == "forbidden"
    counts = served.client.get(f"{V1}/alerts/outbox", served.tokens["admin"]).json()["counts"]
    assert counts == {"pending": 1, "sent": 1, "failed": 2}  # nothing was retried


def test_retry_puts_the_failed_back_to_pending_and_is_audited(served: Served) -> None:
    admin = served.tokens["admin"]
    me = served.client.get(f"{V1}/me", admin).json()["token"]
    retried = served.client.request("POST", f"{V1}/alerts/outbox/retry", admin)
    assert retried.status_code == 200, retried.text
    assert retried.json() == {"retried": 2}
    after = served.client.get(f"{V1}/alerts/outbox", admin).json()
    assert after["counts"] == {"pending": 3, "sent": 1, "failed": 0}
    b, c = served.ids["b"], served.ids["c"]
    due = {r["id"]: (r["status"], r["attempts"], r["next_attempt_at"]) for r in after["rows"]}
    assert due[b] == due[c] == ("pending", 0, AT_TEXT)  # due now, attempts anew
    audit = served.client.get(f"{V1}/audit", admin, params={"kind": "outbox"}).json()["items"]
    assert [(e["actor"], e["action"], e["entity_id"], e["at"]) for e in audit] == [
        (f"token:{me}", "retried", "notices", AT_TEXT)
    ]
    assert audit[0]["before"] == {"ids": sorted([b, c]), "status": "failed"}
    assert audit[0]["after"] == {"ids": sorted([b, c]), "status": "pending"}

    again = served.client.request("POST", f"{V1}/alerts/outbox/retry", admin)
    assert again.json() == {"retried": 0}  # nothing failed: nothing changed, nothing audited
    audit = served.client.get(f"{V1}/audit", admin, params={"kind": "outbox"}).json()["items"]
    assert len(audit) == 1
