"""Support penalties in exposure (docs/exposure.md "Support"), on SQLite and PostgreSQL, worked
by hand. Read on Friday 20 November 2026 at 12:00 UTC; every desk is in calendar time (24×7).

acme (EUR), acme-sla, monthly in UTC. November has 30 days; v2 is in force from the 16th, so
each version is in force 15 of 30 days: its fee and the percent of a penalty are pro rata 1/2,
the amount of a penalty is not (docs/sla.md "Support"). Both: P1 answered within 1 h and
resolved within 8 h, P2 answered within 4 h; 90 % of each must be met; penalty 5 % + 30.00.

- v1 (fee 2,000.00): A-1 (10th 09:00, answered 09:30, resolved 20:00: 11 h > 8 h, breached) and
  A-2 (12th 09:00, answered 09:10, resolved 10:00: met). P1 resolution 1 of 2 = 50 % < 90 %:
  missed. Owed now: 5 % × 2,000.00 × 1/2 = 50.00, + 30.00 = 80.00. Worst case the same.
- v2 (fee 3,000.00): B-1 (17th 09:00, answered 09:20, resolved 12:00: met) and B-2 (20th 10:00,
  answered 10:15, open: 2 h of its 8 h to resolve, running). P1 resolution 1 of 1 decided:
  met, owed now 0.00. Worst case, B-2 breaches: 1 of 2 = 50 %: missed, 5 % × 3,000.00 × 1/2 =
  75.00, + 30.00 = 105.00. P2 has no ticket: no verdict for it, it does not count.
- acme in total: owed now 80.00 + 0.00 = 80.00 EUR; worst case 80.00 + 105.00 = 185.00 EUR.

initech (USD, fee 1,000.00): P1 answered within 1 h, 90 %, penalty a flat 200.00. I-1, created
11:30 and unanswered, is 30 min in (at risk, 50 %): nothing decided, so nothing is owed now and
there is no verdict; worst case it breaches: 0 of 1 < 90 %, 200.00 USD (an amount: no pro rata).

umbrella (EUR, penalty 10 %): no ticket at all: "no tickets", no money either way.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from typer.testing import CliRunner

from covenant.cli.main import app
from covenant.config import sqlite_url
from covenant.core.forecast_portfolio import Exposure
from covenant.core.money import Money
from covenant.core.tickets import StatusChange, Ticket
from covenant.definitions.workspace import Workspace, analyse_text
from covenant.render.exposure import exposure_json
from covenant.services.exposure import exposure
from covenant.services.ingest import open_store
from covenant.services.sla import report_statement
from covenant.store.db import write_transaction
from covenant.store.records import save_tickets

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
TARGETS = """\
          targets:
            P1: {firstResponse: 1h, resolution: 8h}
            P2: {firstResponse: 4h}
          attainment: 90
          penalty: {percent: 5, amount: "30.00"}
"""


def version(number: int, status: str, since: str, fee: str) -> str:
    reason = "\n      reason: a larger desk" if number > 1 else ""
    return f"""\
    - version: {number}
      status: {status}{reason}
      effectiveFrom: {since}
      fees: {{desk: "{fee}"}}
      period: {{unit: month, timeZone: UTC}}
      signatories: [{{name: A, signedAt: 2025-12-01}}]
      support:
        - name: desk
{TARGETS}"""


def customer(name: str, currency: str, display: str = "") -> str:
    shown = f", displayName: {display}" if display else ""
    return f"""\
apiVersion: covenant/v1
kind: Customer
metadata: {{name: {name}{shown}}}
spec: {{currency: {currency}}}
---
"""


def single(name: str, targets: str, penalty: str) -> str:
    return f"""\
---
apiVersion: covenant/v1
kind: Agreement
metadata: {{name: {name}-sla}}
spec:
  customer: {name}
  versions:
    - version: 1
      status: active
      effectiveFrom: 2026-01-01
      fees: {{desk: "1000.00"}}
      period: {{unit: month, timeZone: UTC}}
      signatories: [{{name: A, signedAt: 2025-12-01}}]
      support:
        - name: desk
          targets:
            P1: {targets}
          attainment: 90
          penalty: {penalty}
"""


WORKSPACE = (
    customer("acme", "EUR", "Acme")
    + customer("initech", "USD")
    + customer("umbrella", "EUR")
    + """\
apiVersion: covenant/v1
kind: Agreement
metadata: {name: acme-sla}
spec:
  customer: acme
  versions:
"""
    + version(1, "superseded", "2026-01-01", "2000.00")
    + version(2, "active", "2026-11-16", "3000.00")
    + single("initech", "{firstResponse: 1h}", '{amount: "200.00"}')
    + single("umbrella", "{firstResponse: 1h}", "{percent: 10}")
)


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=UTC)


def ticket(
    id_: str,
    who: str,
    created: datetime,
    answered: datetime | None,
    resolved: datetime | None = None,
) -> Ticket:
    history = [StatusChange(at=created, status="open")]
    if resolved is not None:
        history.append(StatusChange(at=resolved, status="resolved"))
    return Ticket(
        id=id_,
        customer=who,
        priority="P1",
        created=created,
        history=tuple(history),
        first_response=answered,
        resolved=resolved,
    )


TICKETS = [
    ticket("A-1", "acme", at(10, 9), at(10, 9, 30), at(10, 20)),
    ticket("A-2", "acme", at(12, 9), at(12, 9, 10), at(12, 10)),
    ticket("B-1", "acme", at(17, 9), at(17, 9, 20), at(17, 12)),
    ticket("B-2", "acme", at(20, 10), at(20, 10, 15)),
    ticket("I-1", "initech", at(20, 11, 30), None),
]


def eur(amount: str) -> Money:
    return Money(amount=Decimal(amount), currency="EUR")


def usd(amount: str) -> Money:
    return Money(amount=Decimal(amount), currency="USD")


@pytest.fixture
def workspace() -> Workspace:
    ws, problems = analyse_text(WORKSPACE)
    assert ws is not None, problems
    return ws


@pytest.fixture
def result(engine: Engine, workspace: Workspace) -> Exposure:
    with write_transaction(engine) as conn:
        save_tickets(conn, tickets=TICKETS, at=NOW)
    return exposure(engine, workspace=workspace, at=NOW, now=NOW)


def test_each_version_of_the_split_period_owes_its_own_penalty(result: Exposure) -> None:
    (acme,) = [c for c in result.customers if c.customer == "acme"]
    assert acme.commitments == ()  # no availability commitment: support only
    v1, v2 = acme.support
    assert (v1.version, v1.state, v1.tickets, v1.open_timers) == (1, "missed", 2, 0)
    assert (v1.incurred, v1.worst_case) == (eur("80.00"), eur("80.00"))
    assert (v2.version, v2.state, v2.tickets, v2.open_timers) == (2, "met", 2, 1)
    assert (v2.incurred, v2.worst_case) == (eur("0.00"), eur("105.00"))
    assert v1.in_force == (at(1, 0), at(16, 0))
    assert v2.in_force == (at(16, 0), datetime(2026, 12, 1, tzinfo=UTC))
    assert acme.support_incurred == (eur("80.00"),)
    assert acme.support_worst_case == (eur("185.00"),)


def test_an_open_ticket_at_risk_and_no_tickets_are_no_verdict_not_zero(result: Exposure) -> None:
    by_name = {c.customer: c for c in result.customers}
    (initech,) = by_name["initech"].support
    assert (initech.state, initech.tickets, initech.open_timers) == ("undecided", 1, 1)
    assert initech.incurred is None
    assert initech.worst_case == usd("200.00")
    (umbrella,) = by_name["umbrella"].support
    assert (umbrella.state, umbrella.tickets) == ("no-tickets", 0)
    assert (umbrella.incurred, umbrella.worst_case) == (None, None)
    assert by_name["umbrella"].support_incurred == ()
    assert result.support_incurred == (eur("80.00"),)
    assert result.support_worst_case == (eur("185.00"), usd("200.00"))
    assert result.owed_now == ()  # credits stay apart
    assert result.worst_case == ()


def test_owed_now_is_the_statement_penalty(
    engine: Engine, workspace: Workspace, result: Exposure
) -> None:
    statement = report_statement(
        engine, workspace=workspace, customer="acme", period="2026-11", at=NOW, now=NOW
    )
    assert statement.penalties == (eur("80.00"),)
    (acme,) = [c for c in result.customers if c.customer == "acme"]
    assert [s.penalty for s in statement.support] == [eur("80.00"), None]
    assert [s.incurred for s in acme.support] == [eur("80.00"), eur("0.00")]


def test_json_labels_support_apart_from_credits(result: Exposure) -> None:
    doc = json.loads(json.dumps(exposure_json(result)))
    acme = next(c for c in doc["customers"] if c["customer"] == "acme")
    first, second = acme["support"]
    assert first["penalty_incurred"] == {"amount": "80.00", "currency": "EUR"}
    assert second["penalty_worst_case"] == {"amount": "105.00", "currency": "EUR"}
    assert second["state"] == "met"
    (p1,) = [a for a in second["worst_case_attainment"] if a["timer"] == "resolution"]
    assert (p1["met"], p1["breached"], p1["share"]["exact"]) == (1, 1, "1/2")
    umbrella = next(c for c in doc["customers"] if c["customer"] == "umbrella")
    assert umbrella["support"][0]["state"] == "no-tickets"
    assert umbrella["support"][0]["penalty_incurred"] is None
    assert doc["portfolio"]["support_penalty_worst_case"] == [
        {"amount": "185.00", "currency": "EUR"},
        {"amount": "200.00", "currency": "USD"},
    ]
    assert doc["portfolio"]["support_penalty_incurred"] == [{"amount": "80.00", "currency": "EUR"}]


def test_cli_table_shows_support_apart_and_no_tickets_as_such(tmp_path: Path) -> None:
    (tmp_path / "contracts.yaml").write_text(WORKSPACE, encoding="utf-8")
    engine = open_store(sqlite_url(tmp_path))
    try:
        with write_transaction(engine) as conn:
            save_tickets(conn, tickets=TICKETS, at=NOW)
    finally:
        engine.dispose()
    args = ["exposure", "-w", str(tmp_path), "--at", "2026-11-20T12:00:00Z"]
    out = CliRunner().invoke(app, [*args, "--wide"], env={"COLUMNS": "200"})
    assert out.exit_code == 0, out.output

    def row(agreement: str) -> str:
        (found,) = [x for x in out.output.splitlines() if f" {agreement} " in x]
        return found

    assert row("acme-sla v1").count("80.00 EUR") == 2  # owed if ended now, worst case
    assert row("acme-sla v2").split()[-4:] == ["0.00", "EUR", "105.00", "EUR"]
    assert row("initech-sla v1").split()[-3:] == ["—", "200.00", "USD"]
    assert row("umbrella-sla v1").count("no tickets") == 3  # so far, owed now, worst case
    assert "support penalties owed if ended now 80.00 EUR, worst case 185.00 EUR, 200.00 USD" in (
        " ".join(out.output.split())
    )
    doc = json.loads(CliRunner().invoke(app, [*args, "-f", "json"]).output)
    assert doc["portfolio"]["support_penalty_incurred"] == [{"amount": "80.00", "currency": "EUR"}]


def test_a_period_after_now_has_no_tickets_yet(engine: Engine, workspace: Workspace) -> None:
    """At 5 December, asked on 20 November: December has not begun, so v2's desk has no
    ticket in it — said as such, not left out and not 0.00."""
    with write_transaction(engine) as conn:
        save_tickets(conn, tickets=TICKETS, at=NOW)
    later = exposure(engine, workspace=workspace, at=datetime(2026, 12, 5, tzinfo=UTC), now=NOW)
    (acme,) = [c for c in later.customers if c.customer == "acme"]
    (december,) = acme.support
    assert (december.version, december.state, december.period_start) == (
        2,
        "no-tickets",
        datetime(2026, 12, 1, tzinfo=UTC),
    )
    assert (december.incurred, december.worst_case) == (None, None)
    assert later.support_incurred == ()


def test_cli_totals_of_support_only_say_no_credit_verdict(tmp_path: Path) -> None:
    """No availability commitment: no credit is forecast, so the totals say nothing of credits
    ("expected nothing" would be a verdict nothing measured) — only the support penalties."""
    (tmp_path / "contracts.yaml").write_text(WORKSPACE, encoding="utf-8")
    engine = open_store(sqlite_url(tmp_path))
    try:
        with write_transaction(engine) as conn:
            save_tickets(conn, tickets=TICKETS, at=NOW)
    finally:
        engine.dispose()
    args = ["exposure", "-w", str(tmp_path), "--at", "2026-11-20T12:00:00Z"]
    out = CliRunner().invoke(app, args, env={"COLUMNS": "200"})
    assert out.exit_code == 0, out.output
    flat = " ".join(out.output.split())
    assert "Acme: support penalties owed if ended now 80.00 EUR, worst case 185.00 EUR" in flat
    assert "initech: support penalties owed if ended now nothing, worst case 200.00 USD" in flat
    assert "umbrella: support penalties owed if ended now nothing, worst case nothing" in flat
    assert (
        "portfolio: support penalties owed if ended now 80.00 EUR, worst case 185.00 EUR, "
        "200.00 USD" in flat
    )
    assert "expected" not in flat
    assert "locked in" not in flat
