"""``load_tickets(open_at=…)`` reads the open tickets through the index on (customer,
settled_at), never by walking the customer's whole history through (customer, created): the
live timers, the portal and the ticket alerts read it every tick (SQLite's query planner, asked
through ``EXPLAIN QUERY PLAN`` for each statement the read sends)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine

from covenant.core.tickets import StatusChange, Ticket
from covenant.store.db import write_transaction
from covenant.store.records import load_tickets, save_tickets

AT = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


def _ticket(id_: str, created: datetime, resolved: datetime | None = None) -> Ticket:
    moves = [StatusChange(at=created, status="open")]
    if resolved is not None:
        moves.append(StatusChange(at=resolved, status="resolved"))
    return Ticket(
        id=id_,
        customer="acme",
        priority="P1",
        created=created,
        history=tuple(moves),
        resolved=resolved,
    )


TICKETS = [
    # settled long before AT: not read
    *(
        _ticket(f"OLD-{n:03d}", AT - timedelta(days=400 - n), AT - timedelta(days=399 - n))
        for n in range(50)
    ),
    _ticket("OPEN-AUG", datetime(2026, 8, 3, 10, tzinfo=UTC)),  # never resolved: open
    # resolved after AT: open at AT (settled_at > AT)
    _ticket("LATER", AT - timedelta(hours=3), AT + timedelta(hours=1)),
    _ticket("FUTURE", AT + timedelta(hours=2)),  # created after AT: not open then
]


def test_open_tickets_are_the_unsettled_ones(engine: Engine) -> None:
    with write_transaction(engine) as conn:
        save_tickets(conn, tickets=TICKETS, at=AT + timedelta(hours=3))
    with engine.connect() as conn:
        found = load_tickets(conn, customer="acme", open_at=AT)
    assert [t.id for t in found] == ["OPEN-AUG", "LATER"]  # by creation time


def test_open_tickets_are_read_through_the_settled_index(sqlite_engine: Engine) -> None:
    with write_transaction(sqlite_engine) as conn:
        save_tickets(conn, tickets=TICKETS, at=AT + timedelta(hours=3))
    sent: list[tuple[str, Any]] = []

    def grab(*args: Any) -> None:
        _, _, statement, parameters, _, _ = args
        if statement.lstrip().upper().startswith("SELECT"):
            sent.append((statement, parameters))

    event.listen(sqlite_engine, "before_cursor_execute", grab)
    try:
        with sqlite_engine.connect() as conn:
            load_tickets(conn, customer="acme", open_at=AT)
    finally:
        event.remove(sqlite_engine, "before_cursor_execute", grab)
    assert sent
    with sqlite_engine.connect() as conn:
        for statement, parameters in sent:
            plan = [
                row[-1]
                for row in conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters)
            ]
            reads = [step for step in plan if step.startswith(("SEARCH", "SCAN"))]
            assert reads, plan
            assert all("ix_tickets_customer_settled" in step for step in reads), plan
