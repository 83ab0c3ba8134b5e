"""Issued statements over the API, on SQLite and PostgreSQL: Initech's November (eligible
2,595,600 s in New York time; fee 1,500.00 USD) issued on 10 December with one hour of downtime
(10 % = 150.00 USD); then an incident of 16 h 40 min in November is recorded over the API in
December (63,600 s down: 97.549 %, 25 % = 375.00 USD). The customer still gets the issued copy
byte for byte; staff get it with ``restated``; ``live=true`` is staff's alone."""

from __future__ import annotations

import hashlib
import json
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from covenant.api.app import create_app
from covenant.config import Settings
from covenant.services.agreements import sync_agreements
from covenant.services.store import open_store
from covenant.services.workspace import load_workspace
from covenant.store.records import save_incidents
from tests.api.support import Client, role_tokens
from tests.conftest import ROOT
from tests.services.test_issued_statements import HOUR, LATE

V1 = "/api/v1"
NOVEMBER = f"{V1}/customers/initech/statements/2026-11"
ISSUED_AT = datetime(2026, 12, 10, 9, 0, tzinfo=UTC)


class Clock:
    def __init__(self, at: datetime) -> None:
        self.at = at

    def __call__(self) -> datetime:
        return self.at


@pytest.fixture
def api(tmp_path: Path, store_url: str) -> Any:
    target = tmp_path / "shop"
    shutil.copytree(ROOT / "examples" / "shop", target, ignore=shutil.ignore_patterns(".covenant"))
    engine = open_store(store_url)
    sync_agreements(engine, workspace=load_workspace(target), at=ISSUED_AT, actor="test")
    with engine.begin() as conn:
        save_incidents(conn, incidents=[HOUR], at=ISSUED_AT - timedelta(days=9))
    tokens = role_tokens(engine, customers=("globex", "initech"))
    clock = Clock(ISSUED_AT)
    app = create_app(Settings(workspace=target, database_url=store_url), clock=clock)
    yield Client(app), tokens, clock, engine
    app.state.covenant.close()
    engine.dispose()


def _stored(engine: sa.Engine) -> list[tuple[str, str, str]]:
    with engine.connect() as conn:
        rows = conn.execute(
            sa.text("SELECT document, digest, html FROM issued_statements ORDER BY revision")
        ).all()
    return [(r[0], r[1], r[2]) for r in rows]


def test_the_customer_gets_the_issued_copy_and_staff_the_difference(api: Any) -> None:
    client, tokens, clock, engine = api
    customer, admin = tokens["customer:initech"], tokens["admin"]
    before = client.get(NOVEMBER, customer).json()
    assert "issued" not in before
    assert before["credits"] == [{"amount": "150.00", "currency": "USD"}]

    assert client.request("POST", f"{NOVEMBER}/issue", tokens["editor"]).status_code == 403
    made = client.request("POST", f"{NOVEMBER}/issue", admin)
    assert made.status_code == 201, made.text
    ((document, digest, html),) = _stored(engine)
    assert hashlib.sha256(document.encode("utf-8")).hexdigest() == digest
    assert made.json()["digest"] == digest
    assert made.json()["revision"] == 1
    assert "Issued " in html
    assert ", revision 1. SHA-256 of the issued JSON: " + digest in html

    clock.at = ISSUED_AT + timedelta(days=2)
    late = {
        "id": "INC-N2",
        "services": ["storefront"],
        "start": "2026-11-20T00:00:00Z",
        "end": "2026-11-20T16:40:00Z",
        "severity": "sev2",
    }
    assert client.request("POST", f"{V1}/incidents", admin, json=late).status_code == 201

    seen = client.get(NOVEMBER, customer).json()
    issued = seen.pop("issued")
    assert issued["digest"] == digest
    assert issued["issued_at"] == "2026-12-10T09:00:00Z"
    assert "restated" not in seen
    as_sent = json.dumps(seen, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    assert hashlib.sha256(as_sent.encode("utf-8")).hexdigest() == digest
    page = client.get(NOVEMBER, customer, params={"format": "html"})
    assert page.text == html
    credits = client.get(f"{V1}/customers/initech/credits", customer, params={"period": "2026-11"})
    assert credits.json()["credits"] == [{"amount": "150.00", "currency": "USD"}]
    refused = client.get(NOVEMBER, customer, params={"live": "true"})
    assert refused.status_code == 403
    assert refused.json()["code"] == "forbidden"

    staff = client.get(NOVEMBER, tokens["viewer"]).json()
    assert staff["credits"] == [{"amount": "150.00", "currency": "USD"}]
    assert staff["restated"]["differs"] is True
    credit = [c for c in staff["restated"]["changes"] if c["field"] == "credit"]
    assert credit == [
        {
            "agreement": "initech-standard",
            "version": 1,
            "commitment": "storefront-uptime",
            "field": "credit",
            "issued": {"amount": "150.00", "currency": "USD"},
            "restated": {"amount": "375.00", "currency": "USD"},  # 25 % of 1,500.00
        }
    ]
    live = client.get(NOVEMBER, tokens["viewer"], params={"live": "true"}).json()
    assert "issued" not in live
    assert live["credits"] == [{"amount": "375.00", "currency": "USD"}]
    (a,) = live["availability"]
    assert a["downtime_seconds"] == 3600 + 60000

    again = client.request("POST", f"{NOVEMBER}/issue", admin)
    assert again.status_code == 409
    assert again.json()["code"] == "conflict"
    body = {"reissue": True, "reason": "INC-N2 was recorded late"}
    second = client.request("POST", f"{NOVEMBER}/issue", admin, json=body)
    assert second.status_code == 201, second.text
    assert second.json()["revision"] == 2
    assert second.json()["replaces"] == 1
    listed = client.get(f"{NOVEMBER}/revisions", customer).json()["items"]
    assert [r["revision"] for r in listed] == [1, 2]
    assert "issued_by" not in listed[0]
    assert listed[1]["reason"] == "INC-N2 was recorded late"
    by_staff = client.get(f"{NOVEMBER}/revisions", admin).json()["items"]
    assert by_staff[0]["issued_by"].startswith("token:")
    now = client.get(NOVEMBER, customer).json()
    assert now["issued"]["revision"] == 2
    assert now["credits"] == [{"amount": "375.00", "currency": "USD"}]
    other = client.get(
        f"{V1}/customers/initech/statements/2026-11/revisions", tokens["customer:globex"]
    )
    assert other.status_code == 404


def test_an_earlier_revision_by_its_number(api: Any) -> None:
    client, tokens, clock, engine = api
    customer, admin = tokens["customer:initech"], tokens["admin"]
    missing = client.get(NOVEMBER, customer, params={"revision": "1"})
    assert missing.status_code == 404
    assert "initech 2026-11 is not issued" in missing.json()["message"]
    assert client.request("POST", f"{NOVEMBER}/issue", admin).status_code == 201
    clock.at = ISSUED_AT + timedelta(days=2)
    with engine.begin() as conn:
        save_incidents(conn, incidents=[LATE], at=clock.at)
    body = {"reissue": True, "reason": "INC-N2 was recorded late"}
    assert client.request("POST", f"{NOVEMBER}/issue", admin, json=body).status_code == 201
    (first, _, first_html), (_, second, _) = _stored(engine)

    old = client.get(NOVEMBER, customer, params={"revision": "1"})
    assert old.status_code == 200, old.text
    seen = old.json()
    assert seen.pop("issued")["revision"] == 1
    assert "restated" not in seen
    assert json.dumps(seen, sort_keys=True, separators=(",", ":"), ensure_ascii=False) == first
    page = client.get(NOVEMBER, customer, params={"revision": "1", "format": "html"})
    assert page.text == first_html
    pdf = client.get(NOVEMBER, customer, params={"revision": "1", "format": "pdf"})
    assert pdf.content.startswith(b"%PDF")
    staff = client.get(NOVEMBER, tokens["viewer"], params={"revision": "1"}).json()
    assert staff["credits"] == [{"amount": "150.00", "currency": "USD"}]
    assert staff["restated"]["differs"] is True  # against 375.00 USD computed now
    latest = client.get(NOVEMBER, customer, params={"revision": "2"}).json()
    assert latest["issued"]["digest"] == second

    gone = client.get(NOVEMBER, customer, params={"revision": "3"})
    assert gone.status_code == 404
    assert gone.json()["code"] == "not-found"
    assert "initech 2026-11 has no revision 3; its revisions: 1, 2" in gone.json()["message"]
    both = client.get(NOVEMBER, tokens["viewer"], params={"revision": "1", "live": "true"})
    assert both.status_code == 400
    assert "revision" in both.json()["message"]
    assert client.get(NOVEMBER, customer, params={"revision": "0"}).status_code == 422
    other = client.get(NOVEMBER, tokens["customer:globex"], params={"revision": "1"})
    assert other.status_code == 404
    assert "revision" not in other.json()["message"]


def test_the_revisions_of_an_unknown_customer_are_not_found(api: Any) -> None:
    """A misspelt customer is ``not-found`` naming the workspace's customers, as the statement
    route answers it, not an empty list that reads as "not issued"."""
    client, tokens, _, _ = api
    answer = client.get("/api/v1/customers/initek/statements/2026-11/revisions", tokens["admin"])
    assert answer.status_code == 404, answer.text
    assert answer.json()["message"] == "no customer named 'initek'"
    assert "globex, initech" in answer.json()["hint"]
    known = client.get("/api/v1/customers/initech/statements/2026-11/revisions", tokens["admin"])
    assert known.status_code == 200, known.text
    assert known.json()["items"] == []
