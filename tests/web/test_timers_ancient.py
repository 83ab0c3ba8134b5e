"""The live views beside tickets created decades ago, through the app on its SQLite store: the
agreement's Ticket timers page, the customer portal, the API's ticket list and ``/metrics``.

The workspace and tickets are those of ``tests/services/test_ticket_timers_ancient.py``: an
open ticket created in 1970 that no agreement governs (before the fix its age made every
business-calendar timer fail: the pages answered an error, the gauges were missing), and one
created in 1976 under oldco's agreement in force since 1971, too old for a business calendar
compiled for at most 50 years: it shows a note in place of its timers. A P1 created on the
day at 09:00 and unanswered, read at 12:00 on the desk's calendar (Mon-Fri 09:00-17:00 UTC):
first response breached (3 of 2 h), resolution running (3 of 8 h)."""

from __future__ import annotations

import re

import pytest

from covenant.api.app import create_app
from covenant.config import Settings, sqlite_url
from covenant.services.agreements import sync_agreements
from covenant.services.store import open_store
from covenant.services.tokens import create_token
from covenant.services.users import create_user
from covenant.services.workspace import load_workspace
from covenant.store.records import save_tickets
from tests.api.support import EXPIRES, Client
from tests.services.test_ticket_timers_ancient import NOW, TICKETS, WORKSPACE
from tests.web.pages import Browser

PASSWORD = "demo-password-for-tests"
CUSTOMERS = ("acme", "oldco")


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> tuple[Client, dict[str, str]]:
    folder = tmp_path_factory.mktemp("timers-ancient") / "ws"
    folder.mkdir()
    (folder / "agreements.yaml").write_text(WORKSPACE)
    settings = Settings(workspace=folder, database_url=sqlite_url(folder))
    engine = open_store(settings.database_url)
    sync_agreements(engine, workspace=load_workspace(folder), at=NOW, actor="test")
    with engine.begin() as conn:
        save_tickets(conn, tickets=TICKETS, at=NOW)
    for name, role, customer in (("vic", "viewer", None), ("olga", "customer", "oldco")):
        create_user(
            engine,
            name=name,
            password=PASSWORD,
            role=role,
            customer=customer,
            customers=CUSTOMERS,
            at=NOW,
            created_by="test",
        )
    admin = create_token(
        engine, role="admin", customer=None, expires_at=EXPIRES, at=NOW, customers=CUSTOMERS
    )
    tokens = {"admin": admin.text}
    engine.dispose()
    return Client(create_app(settings, clock=lambda: NOW)), tokens


def _rows(text: str) -> list[list[str]]:
    rows = re.findall(r"<tr><td>.*?</tr>", text, re.S)
    return [
        [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", r, re.S)]
        for r in rows
    ]


def test_the_timers_pages_show_the_timers_and_the_note(
    app: tuple[Client, dict[str, str]],
) -> None:
    client, _ = app
    browser = Browser(client.app)
    browser.sign_in("vic", PASSWORD)
    acme = browser.get("/ui/agreements/acme-sla/timers")
    assert acme.status_code == 200
    assert sorted(_rows(acme.text)) == [
        ["FRESH", "P1", "first-response", "breached", "2026-11-20 11:00"],
        ["FRESH", "P1", "resolution", "running", "2026-11-20 17:00"],
    ]
    assert "not measured" not in acme.text  # EPOCH: no agreement governs it
    oldco = browser.get("/ui/agreements/oldco-sla/timers")
    assert oldco.status_code == 200
    assert sorted(_rows(oldco.text)) == [
        ["OLD-FRESH", "P1", "first-response", "breached", "2026-11-20 11:00"],
        ["OLD-FRESH", "P1", "resolution", "running", "2026-11-20 17:00"],
    ]
    (note,) = re.findall(r'<p class="note">(.*?)</p>', oldco.text, re.S)
    assert note.startswith("ticket AGES-AGO: its timers are not measured")
    assert "1976-11-19T10:00:00Z" in note
    whole = browser.get("/ui/agreements/oldco-sla")  # the whole page carries the same part
    assert whole.status_code == 200
    assert note in whole.text


def test_the_portal_shows_the_note_in_place_of_the_timers(
    app: tuple[Client, dict[str, str]],
) -> None:
    client, _ = app
    browser = Browser(client.app)
    browser.sign_in("olga", PASSWORD)
    portal = browser.get("/ui/portal")
    assert portal.status_code == 200
    rows = {r[0]: r for r in _rows(portal.text) if r[0] in ("AGES-AGO", "OLD-FRESH")}
    assert rows["AGES-AGO"][2] == "19 Nov 1976, 10:00"  # en_GB, in the agreement's zone (UTC)
    assert rows["AGES-AGO"][3].startswith("Not measured: opened more than 49 years ago")
    assert "first response: breached" in rows["OLD-FRESH"][3]


def test_the_api_lists_every_ticket_with_its_timers_or_note(
    app: tuple[Client, dict[str, str]],
) -> None:
    client, tokens = app
    answer = client.get("/api/v1/tickets", tokens["admin"])
    assert answer.status_code == 200, answer.text
    items = {t["id"]: t for t in answer.json()["items"]}
    assert set(items) == {t.id for t in TICKETS}
    assert items["EPOCH"]["timers"] == []
    assert items["EPOCH"]["timers_note"] is None
    assert items["AGES-AGO"]["timers"] == []
    assert items["AGES-AGO"]["timers_note"].startswith("ticket AGES-AGO: its timers are not")
    states = {(t["kind"], t["state"]) for t in items["FRESH"]["timers"]}
    assert states == {("first-response", "breached"), ("resolution", "running")}
    assert items["FRESH"]["timers_note"] is None


def test_the_gauges_are_on_the_metrics_page(app: tuple[Client, dict[str, str]]) -> None:
    client, tokens = app
    answer = client.get("/metrics", tokens["admin"])
    assert answer.status_code == 200, answer.text
    for name in ("acme-sla", "oldco-sla"):
        line = (
            f'covenant_ticket_timers{{agreement="{name}",commitment="desk",customer='
            f'"{name.removesuffix("-sla")}",priority="P1",state="breached",'
            'timer="first-response"} 1.0'
        )
        assert line in answer.text.splitlines()
