"""A priority, status or severity of blanks only (``" "``, a tab) is no label: a record file's
row with one is refused naming its line and field (``record_fields.scalar`` strips it to
nothing), and the command line and the API refuse it too, naming the option or field, and
store nothing. Before, they stored ``priority=" "``: a priority no support commitment names,
so the ticket dropped out of support measurement without a word."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from covenant.errors import IngestError
from covenant.services.records import ingest_incident_files, ingest_ticket_files
from covenant.services.store import open_existing
from tests.api.support import AT, Shop, make_shop
from tests.cli.test_record_writes_cli import V1, incident, run, ticket

BLANKS = [" ", "\t", "  \t "]


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> Shop:
    return make_shop(tmp_path_factory.mktemp("blank-labels"))


def _post(shop: Shop, path: str, body: dict[str, Any]) -> Any:
    return shop.client.request("POST", f"{V1}{path}", shop.tokens["admin"], json=body)


def test_a_file_row_with_a_blank_priority_or_status_is_refused(shop: Shop, tmp_path: Path) -> None:
    path = tmp_path / "tickets.csv"
    path.write_text(
        "id,customer,priority,created,first_response,resolved,history\n"
        "BL-1,globex,P1,2026-11-20T08:00:00Z,,,\n"
        "BL-2,globex, ,2026-11-20T08:00:00Z,,,\n"
        "BL-3,globex,P1,2026-11-20T08:00:00Z,,,open@2026-11-20T08:00:00Z; @2026-11-20T09:00:00Z\n"
        "BL-4,globex,\t,2026-11-20T08:00:00Z,,,\n",
        encoding="utf-8",
    )
    engine = open_existing(shop.settings.database_url)
    try:  # all or nothing, as --strict asks: the three bad rows, each by line and field
        with pytest.raises(IngestError) as caught:
            ingest_ticket_files(engine, files=[path], now=AT, strict=True)
    finally:
        engine.dispose()
    said = str(caught.value)
    assert "tickets.csv:3 priority: no priority — fill in priority" in said
    assert "tickets.csv:4 history: entry '@2026-11-20T09:00:00Z' is not status@instant" in said
    assert "tickets.csv:5 priority: no priority — fill in priority" in said
    assert ticket(shop, "BL-1") is None  # nothing of the file applied
    incidents = tmp_path / "incidents.csv"
    incidents.write_text(
        "id,services,start,end,severity,customer_caused,force_majeure,planned_maintenance,"
        "customers\nBL-I1,checkout,2026-11-20T08:00:00Z,,  ,,,,\n",
        encoding="utf-8",
    )
    engine = open_existing(shop.settings.database_url)
    try:  # an incident's severity may be left out (docs/records.md): blank is none
        ingest_incident_files(engine, files=[incidents], now=AT)
    finally:
        engine.dispose()
    assert incident(shop, "BL-I1").severity == ""


@pytest.mark.parametrize("blank", BLANKS)
def test_the_command_line_refuses_a_blank_priority_or_status(shop: Shop, blank: str) -> None:
    n = BLANKS.index(blank)  # one shop for the module: ids of their own
    made = run(
        shop,
        *("tickets", "create", f"BL-CLI-1-{n}", "--customer", "globex", "--priority", blank),
        *("--created", "2026-11-20T08:00:00Z"),
    )
    assert made.exit_code == 1, made.output
    assert "--priority: priority: blank (spaces only)" in made.output
    assert ticket(shop, f"BL-CLI-1-{n}") is None
    created = run(
        shop,
        *("tickets", "create", f"BL-CLI-2-{n}", "--customer", "globex", "--priority", "P1"),
        *("--created", "2026-11-20T08:00:00Z"),
    )
    assert created.exit_code == 0, created.output
    changed = run(shop, "tickets", "update", f"BL-CLI-2-{n}", "--status", blank)
    assert changed.exit_code == 1, changed.output
    assert "--status: status: blank (spaces only)" in changed.output
    assert [s.status for s in ticket(shop, f"BL-CLI-2-{n}").history] == ["open"]
    run(shop, "tickets", "update", f"BL-CLI-2-{n}", "--priority", blank)
    assert ticket(shop, f"BL-CLI-2-{n}").priority == "P1"


@pytest.mark.parametrize("blank", BLANKS)
def test_the_api_refuses_a_blank_priority_or_severity(shop: Shop, blank: str) -> None:
    n = BLANKS.index(blank)
    body = {"id": f"BL-API-1-{n}", "customer": "globex", "priority": blank}
    refused = _post(shop, "/tickets", {**body, "created": "2026-11-20T08:00:00Z"})
    assert refused.status_code == 400, refused.text
    assert "priority: blank (spaces only)" in refused.text
    assert ticket(shop, f"BL-API-1-{n}") is None
    body = {"id": f"BL-API-I1-{n}", "services": ["checkout"], "severity": blank}
    refused = _post(shop, "/incidents", {**body, "start": "2026-11-20T08:00:00Z"})
    assert refused.status_code == 400, refused.text
    assert "severity: blank (spaces only)" in refused.text
    assert incident(shop, f"BL-API-I1-{n}") is None
