"""A priority, status or severity given with spaces round it (``"P1 "``) is stored stripped by
every way of writing a record — a record file's row, the command line, the API and the web
form — so it matches the ``P1`` support commitment whichever way it came. Before, the API and
the CLI kept ``"P1 "`` as given (no support commitment names it) while a file's row and the
form stripped it."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from covenant.services.records import ingest_incident_files, ingest_ticket_files
from covenant.services.store import open_existing
from tests.api.support import AT, Shop, make_shop
from tests.cli.test_record_writes_cli import V1, incident, run, ticket
from tests.web.pages import Browser
from tests.web.served import add_users

CREATED = "2026-11-20T08:00:00Z"


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> Shop:
    made = make_shop(tmp_path_factory.mktemp("label-spaces"))
    add_users(made)
    return made


def _by_file(shop: Shop, folder: Path, n: str) -> None:
    tickets = folder / f"tickets-{n}.csv"
    tickets.write_text(
        "id,customer,priority,created,first_response,resolved,history\n"
        f'SP-{n},globex," P1 ",{CREATED},,,"open@{CREATED}; pending @2026-11-20T09:00:00Z"\n',
        encoding="utf-8",
    )
    incidents = folder / f"incidents-{n}.csv"
    incidents.write_text(
        "id,services,start,end,severity,customer_caused,force_majeure,planned_maintenance,"
        f'customers\nSP-I-{n},checkout,{CREATED},," sev2 ",,,,\n',
        encoding="utf-8",
    )
    engine = open_existing(shop.settings.database_url)
    try:
        ingest_ticket_files(engine, files=[tickets], now=AT, strict=True)
        ingest_incident_files(engine, files=[incidents], now=AT, strict=True)
    finally:
        engine.dispose()


def _by_cli(shop: Shop, folder: Path, n: str) -> None:
    made = run(
        shop,
        *("tickets", "create", f"SP-{n}", "--customer", "globex", "--priority", " P1 "),
        *("--created", CREATED),
    )
    assert made.exit_code == 0, made.output
    moved = run(
        shop,
        *("tickets", "update", f"SP-{n}", "--status", "pending "),
        *("--status-at", "2026-11-20T09:00:00Z"),
    )
    assert moved.exit_code == 0, moved.output
    made = run(
        shop,
        *("incidents", "create", f"SP-I-{n}", "--service", "checkout", "--severity", " sev2 "),
        *("--start", CREATED),
    )
    assert made.exit_code == 0, made.output


def _by_api(shop: Shop, folder: Path, n: str) -> None:
    def send(method: str, path: str, body: dict[str, Any]) -> None:
        answer = shop.client.request(method, f"{V1}{path}", shop.tokens["admin"], json=body)
        assert answer.status_code in (200, 201), answer.text

    made = {"id": f"SP-{n}", "customer": "globex", "priority": " P1 ", "created": CREATED}
    send("POST", "/tickets", made)
    moved = {"status": {"status": "pending ", "at": "2026-11-20T09:00:00Z"}}
    send("PATCH", f"/tickets/SP-{n}", moved)
    hit = {"id": f"SP-I-{n}", "services": ["checkout"], "severity": " sev2 ", "start": CREATED}
    send("POST", "/incidents", hit)


def _by_form(shop: Shop, folder: Path, n: str) -> None:
    browser = Browser(shop.client.app)
    browser.sign_in("eve")  # an editor (tests.web.served)
    csrf = browser.csrf("/ui/tickets")
    ticket_form = {"id": f"SP-{n}", "customer": "globex", "priority": " P1 ", "created": CREATED}
    assert browser.post("/ui/tickets", {**ticket_form, "csrf": csrf}).status_code == 303
    moved = browser.post(
        f"/ui/tickets/SP-{n}/change",
        {"csrf": csrf, "status": "pending ", "status_at": "2026-11-20T09:00:00Z"},
    )
    assert moved.status_code == 303, moved.text
    csrf = browser.csrf("/ui/incidents")
    incident_form = {"id": f"SP-I-{n}", "services": "checkout", "start": CREATED}
    incident_form["severity"] = " sev2 "
    assert browser.post("/ui/incidents", {**incident_form, "csrf": csrf}).status_code == 303


WAYS: dict[str, Callable[[Shop, Path, str], None]] = {
    "file": _by_file,
    "cli": _by_cli,
    "api": _by_api,
    "form": _by_form,
}


@pytest.mark.parametrize("way", list(WAYS))
def test_every_way_stores_a_label_stripped(shop: Shop, tmp_path: Path, way: str) -> None:
    WAYS[way](shop, tmp_path, way)
    stored = ticket(shop, f"SP-{way}")
    assert stored.priority == "P1"  # the support commitment's priority, as written there
    assert [s.status for s in stored.history] == ["open", "pending"]
    assert incident(shop, f"SP-I-{way}").severity == "sev2"
