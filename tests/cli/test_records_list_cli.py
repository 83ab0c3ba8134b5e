"""`covenant tickets list` and `covenant incidents list`: the stored records the API lists
(``GET /api/v1/tickets``, ``/incidents``), from the command line. `-f json` is the API's
answer; the table names each record in 80 columns. The shop's records are read back from the
store by hand here (``store.records``), and one ticket (Initech's, written by the shop) is
checked field by field."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from typer.testing import CliRunner

from covenant.cli.main import app as cli
from covenant.services.store import open_existing
from covenant.store.records import load_incidents, load_tickets
from tests.api.support import AT, INITECH_TICKET, Shop, make_shop

V1 = "/api/v1"
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
FAR = datetime(2200, 1, 1, tzinfo=UTC)


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> Shop:
    return make_shop(tmp_path_factory.mktemp("records-list"))


def run(shop: Shop, *args: str) -> Any:
    env = {
        "COVENANT_DATABASE_URL": shop.settings.database_url,
        "COVENANT_NOW": AT.isoformat(),
        "COLUMNS": "80",
    }
    return CliRunner().invoke(cli, [*args, "-w", str(shop.workspace)], env=env)


def stored(shop: Shop) -> tuple[list[Any], list[Any]]:
    engine = open_existing(shop.settings.database_url)
    try:
        with engine.connect() as conn:
            return load_tickets(conn), load_incidents(conn, start=EPOCH, end=FAR)
    finally:
        engine.dispose()


def test_tickets_as_json_are_the_apis_answer(shop: Shop) -> None:
    printed = run(shop, "tickets", "list", "-f", "json")
    assert printed.exit_code == 0, printed.output
    found = json.loads(printed.stdout)
    tickets, _ = stored(shop)
    assert len(tickets) > 1
    assert [t["id"] for t in found["items"]] == [t.id for t in tickets]
    api = shop.client.get(f"{V1}/tickets", shop.tokens["admin"])
    assert found == api.json()
    (initech,) = [t for t in found["items"] if t["id"] == INITECH_TICKET.id]
    assert (initech["customer"], initech["priority"]) == ("initech", "P2")
    assert (initech["created"], initech["resolved"]) == (
        "2026-10-06T14:00:00Z",
        "2026-10-07T09:00:00Z",
    )
    assert found["measured_until"] == "2026-11-20T12:00:00Z"


def test_tickets_of_one_customer_and_the_open_ones(shop: Shop) -> None:
    printed = run(shop, "tickets", "list", "--customer", "initech", "-f", "json")
    assert printed.exit_code == 0, printed.output
    assert [t["id"] for t in json.loads(printed.stdout)["items"]] == ["INI-0001"]
    api = shop.client.get(f"{V1}/tickets", shop.tokens["admin"], params={"customer": "initech"})
    assert json.loads(printed.stdout) == api.json()
    tickets, _ = stored(shop)
    still_open = [t.id for t in tickets if t.resolved is None]
    printed = run(shop, "tickets", "list", "--open", "-f", "json")
    assert printed.exit_code == 0, printed.output
    assert [t["id"] for t in json.loads(printed.stdout)["items"]] == still_open


def test_incidents_as_json_are_the_apis_answer(shop: Shop) -> None:
    printed = run(shop, "incidents", "list", "-f", "json")
    assert printed.exit_code == 0, printed.output
    found = json.loads(printed.stdout)
    _, incidents = stored(shop)
    assert incidents
    assert [i["id"] for i in found["items"]] == [i.id for i in incidents]
    assert found == shop.client.get(f"{V1}/incidents", shop.tokens["admin"]).json()
    first = incidents[0]
    since = first.start.isoformat().replace("+00:00", "Z")
    printed = run(shop, "incidents", "list", "--from", since, "--to", since, "-f", "json")
    assert printed.exit_code == 0, printed.output
    params = {"start": since, "end": since}
    api = shop.client.get(f"{V1}/incidents", shop.tokens["admin"], params=params)
    assert json.loads(printed.stdout) == api.json()


def test_the_tables_fit_80_columns_and_name_every_record(shop: Shop) -> None:
    tickets, incidents = stored(shop)
    for command, records in (("tickets", tickets), ("incidents", incidents)):
        printed = run(shop, command, "list")
        assert printed.exit_code == 0, printed.output
        lines = printed.stdout.splitlines()
        assert max(len(line) for line in lines) <= 80
        for record in records:
            assert any(line.startswith(record.id) or f" {record.id} " in line for line in lines)


@pytest.mark.parametrize("command", ["tickets", "incidents"])
def test_to_before_from_is_refused_naming_both_options(shop: Shop, command: str) -> None:
    """`--to` before `--from` selects nothing: a refusal naming the two options (as typed on
    the command line), not the API's start/end and not an empty list."""
    done = run(
        shop, command, "list", "--from", "2026-11-10T00:00:00Z", "--to", "2026-11-01T00:00:00Z"
    )
    assert done.exit_code == 1, done.output
    assert "--to 2026-11-01T00:00:00+00:00 is before --from 2026-11-10T00:00:00+00:00" in (
        done.output
    )
    assert "give --from at or before --to" in done.output
