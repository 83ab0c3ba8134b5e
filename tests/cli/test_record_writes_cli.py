"""`covenant tickets create|update|pause|resume` and `covenant incidents create|update`: one
ticket or incident written from the command line through the services the API's write routes
use (``services.record_changes``). What is stored is read back from the store by hand
(``store.records``), and `-f json` is checked against the API's own answer for the same
record; a refusal names the option and the fix, writes nothing, and is JSON under `-f json`."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from typer.testing import CliRunner

from covenant.cli.main import app as cli
from covenant.services.store import open_existing
from covenant.store import audit
from covenant.store.records import load_incidents, load_tickets
from tests.api.support import AT, Shop, make_shop

V1 = "/api/v1"
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
FAR = datetime(2200, 1, 1, tzinfo=UTC)


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> Shop:
    return make_shop(tmp_path_factory.mktemp("record-writes"))


def run(shop: Shop, *args: str) -> Any:
    env = {
        "COVENANT_DATABASE_URL": shop.settings.database_url,
        "COVENANT_NOW": AT.isoformat(),
        "COLUMNS": "80",
    }
    return CliRunner().invoke(cli, [*args, "-w", str(shop.workspace)], env=env)


def ticket(shop: Shop, ticket_id: str) -> Any:
    engine = open_existing(shop.settings.database_url)
    try:
        with engine.connect() as conn:
            found = load_tickets(conn, ids=[ticket_id])
    finally:
        engine.dispose()
    return found[0] if found else None


def incident(shop: Shop, incident_id: str) -> Any:
    engine = open_existing(shop.settings.database_url)
    try:
        with engine.connect() as conn:
            found = load_incidents(conn, start=EPOCH, end=FAR)
    finally:
        engine.dispose()
    return next((i for i in found if i.id == incident_id), None)


def test_a_ticket_created_changed_paused_and_resumed(shop: Shop) -> None:
    made = run(
        shop,
        *("tickets", "create", "GLX-CLI-1", "--customer", "globex", "--priority", "P1"),
        *("--created", "2026-11-20T08:00:00Z", "--actor", "cli:test", "-f", "json"),
    )
    assert made.exit_code == 0, made.output
    stored = ticket(shop, "GLX-CLI-1")
    assert (stored.customer, stored.priority) == ("globex", "P1")
    assert stored.created == datetime(2026, 11, 20, 8, tzinfo=UTC)
    assert [(s.at, s.status) for s in stored.history] == [(stored.created, "open")]
    api = shop.client.get(f"{V1}/tickets/GLX-CLI-1", shop.tokens["admin"])
    assert json.loads(made.stdout) == api.json()

    changed = run(
        shop,
        *("tickets", "update", "GLX-CLI-1", "--priority", "P2"),
        *("--first-response", "2026-11-20T08:30:00Z"),
    )
    assert changed.exit_code == 0, changed.output
    assert "GLX-CLI-1" in changed.stdout
    stored = ticket(shop, "GLX-CLI-1")
    assert stored.priority == "P2"
    assert stored.first_response == datetime(2026, 11, 20, 8, 30, tzinfo=UTC)

    # contracts.yaml: globex's support commitment pauses on waiting-on-customer
    paused = run(shop, "tickets", "pause", "GLX-CLI-1", "--at", "2026-11-20T09:00:00Z")
    assert paused.exit_code == 0, paused.output
    assert ticket(shop, "GLX-CLI-1").history[-1].status == "waiting-on-customer"
    resumed = run(shop, "tickets", "resume", "GLX-CLI-1", "--at", "2026-11-20T10:00:00Z")
    assert resumed.exit_code == 0, resumed.output
    last = ticket(shop, "GLX-CLI-1").history[-1]
    assert (last.at, last.status) == (datetime(2026, 11, 20, 10, tzinfo=UTC), "open")

    status = run(
        shop,
        *("tickets", "update", "GLX-CLI-1", "--status", "resolved"),
        *("--status-at", "2026-11-20T11:00:00Z", "--resolved", "2026-11-20T11:00:00Z"),
    )
    assert status.exit_code == 0, status.output
    stored = ticket(shop, "GLX-CLI-1")
    assert stored.history[-1].status == "resolved"
    assert stored.resolved == datetime(2026, 11, 20, 11, tzinfo=UTC)

    engine = open_existing(shop.settings.database_url)
    try:
        with engine.connect() as conn:
            entries = audit.entries(conn, entity_kind="ticket", entity_id="GLX-CLI-1")
    finally:
        engine.dispose()
    assert [e.action for e in entries] == ["created", "changed", "paused", "resumed", "changed"]
    assert entries[0].actor == "cli:test"


def test_an_unknown_customer_names_the_option_and_writes_nothing(shop: Shop) -> None:
    refused = run(
        shop,
        *("tickets", "create", "NOPE-1", "--customer", "acme", "--priority", "P1"),
        *("--created", "2026-11-20T08:00:00Z", "-f", "json"),
    )
    assert refused.exit_code == 1
    error = json.loads(refused.stdout)["error"]
    assert error["code"] == "not-found"
    assert error["message"].startswith("--customer: ")
    assert "Customer" in error["hint"]
    assert "--customer" in refused.stderr
    assert ticket(shop, "NOPE-1") is None


def test_a_taken_id_and_a_bad_instant_name_their_option(shop: Shop) -> None:
    taken = run(
        shop,
        *("tickets", "create", "INI-0001", "--customer", "initech", "--priority", "P1"),
        "--created=2026-11-20T08:00:00Z",
    )
    assert taken.exit_code == 1
    assert "a ticket with the id 'INI-0001' exists already" in taken.stderr
    assert "covenant tickets update INI-0001" in taken.stderr
    bad = run(shop, "tickets", "update", "INI-0001", "--resolved", "yesterday")
    assert bad.exit_code == 1
    assert "--resolved" in bad.stderr
    assert "Traceback" not in bad.output
    missing = run(shop, "tickets", "pause", "NO-SUCH", "-f", "json")
    assert missing.exit_code == 1
    assert json.loads(missing.stdout)["error"]["code"] == "not-found"
    assert "covenant tickets list" in missing.stderr
    alone = run(shop, "tickets", "update", "INI-0001", "--status-at", "now")
    assert alone.exit_code == 2
    assert "--status" in alone.output


def test_an_incident_created_then_ended(shop: Shop) -> None:
    made = run(
        shop,
        *("incidents", "create", "INC-CLI-1", "--service", "checkout", "--service", "search"),
        *("--start", "2026-11-19T10:00:00Z", "--severity", "sev2", "--customer", "globex"),
        *("--planned-maintenance", "-f", "json"),
    )
    assert made.exit_code == 0, made.output
    stored = incident(shop, "INC-CLI-1")
    assert stored.services == ("checkout", "search")
    assert (stored.severity, stored.end, stored.customers) == ("sev2", None, ("globex",))
    assert stored.planned_maintenance
    assert not stored.force_majeure
    api = shop.client.get(f"{V1}/incidents/INC-CLI-1", shop.tokens["admin"])
    assert json.loads(made.stdout) == api.json()

    early = run(shop, "incidents", "update", "INC-CLI-1", "--end", "2026-11-19T09:00:00Z")
    assert early.exit_code == 1
    assert "--end: incident INC-CLI-1: its end" in early.stderr
    assert incident(shop, "INC-CLI-1").end is None

    ended = run(
        shop,
        *("incidents", "update", "INC-CLI-1", "--end", "2026-11-19T10:45:00Z"),
        *("--planned-maintenance", "no", "--force-majeure", "yes"),
    )
    assert ended.exit_code == 0, ended.output
    assert "INC-CLI-1" in ended.stdout
    stored = incident(shop, "INC-CLI-1")
    assert stored.end == datetime(2026, 11, 19, 10, 45, tzinfo=UTC)
    assert (stored.planned_maintenance, stored.force_majeure) == (False, True)
    assert stored.severity == "sev2"  # what was not given is kept
    assert stored.customers == ("globex",)


def test_an_incident_without_a_severity_has_none(shop: Shop) -> None:
    made = run(shop, "incidents", "create", "INC-CLI-2", "--service", "search", "--start", "-1h")
    assert made.exit_code == 0, made.output
    assert incident(shop, "INC-CLI-2").severity == ""  # as a file row without one


def test_the_new_commands_help_fits_80_columns(shop: Shop) -> None:
    for words in (
        ("tickets", "create"),
        ("tickets", "update"),
        ("tickets", "pause"),
        ("tickets", "resume"),
        ("incidents", "create"),
        ("incidents", "update"),
    ):
        shown = run(shop, *words, "--help")
        assert shown.exit_code == 0, shown.output
        assert max(len(line) for line in shown.stdout.splitlines()) <= 80


@pytest.mark.parametrize(
    ("args", "option"),
    [
        (("tickets", "update", "INI-0001", "--priority", ""), "--priority"),
        (("tickets", "update", "INI-0001", "--status", ""), "--status"),
        (("tickets", "pause", "INI-0001", "--status", ""), "--status"),
        (("tickets", "resume", "INI-0001", "--status", ""), "--status"),
        (("incidents", "update", "INC-CLI-3", "--severity", ""), "--severity"),
        (("tickets", "update", "INI-0001", "--priority", "P" * 65), "--priority"),
    ],
)
def test_an_empty_or_long_label_is_refused_as_the_api_refuses_it(
    shop: Shop, args: tuple[str, ...], option: str
) -> None:
    """The API's ``Label`` is 1-64 characters; an empty priority would drop the ticket out of
    support-SLA measurement (no timer matches it)."""
    if incident(shop, "INC-CLI-3") is None:
        made = run(
            shop, "incidents", "create", "INC-CLI-3", "--service", "search", "--start", "-1h"
        )
        assert made.exit_code == 0, made.output
    before = (ticket(shop, "INI-0001"), incident(shop, "INC-CLI-3"))
    refused = run(shop, *args, "-f", "json")
    assert refused.exit_code == 1, refused.output
    error = json.loads(refused.stdout)["error"]
    assert error["code"] == "invalid-input"
    assert error["message"].startswith(f"{option}: ")
    assert "character" in error["message"]
    assert (ticket(shop, "INI-0001"), incident(shop, "INC-CLI-3")) == before  # nothing written


def test_an_empty_priority_is_refused_on_create(shop: Shop) -> None:
    refused = run(
        shop,
        *("tickets", "create", "EMPTY-1", "--customer", "initech", "--priority", ""),
        "--created=2026-11-20T08:00:00Z",
    )
    assert refused.exit_code == 1, refused.output
    assert "--priority: " in refused.stderr
    assert ticket(shop, "EMPTY-1") is None


def test_incidents_update_says_what_severity_is(shop: Shop) -> None:
    shown = run(shop, "incidents", "update", "--help").output
    line = next(x for x in shown.splitlines() if "--severity" in x)
    assert "sev1" in line  # its help, not the bare option
