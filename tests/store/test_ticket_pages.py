"""``ticket_page``: one customer's tickets 50 a page, newest first, by (created, id), with the
pages beside it named by a ticket's place; the customer's whole history is never read.

120 tickets of acme's, three a day (``ACME-000``..``ACME-002`` on day 0, …): so the 50th
newest, ACME-070 (day 23), shares its instant with ACME-069 and ACME-071 — the page's edge
falls between two tickets of one instant. 40 tickets of zeta's at the same instants are never
shown to acme nor counted."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine

from covenant.core.tickets import StatusChange, Ticket
from covenant.store.db import write_transaction
from covenant.store.records import save_tickets
from covenant.store.ticket_pages import ticket_page

DAY0 = datetime(2025, 1, 1, 10, 0, tzinfo=UTC)
AT = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


def _ticket(customer: str, n: int) -> Ticket:
    created = DAY0 + timedelta(days=n // 3)
    return Ticket(
        id=f"{customer.upper()}-{n:03d}",
        customer=customer,
        priority="P3",
        created=created,
        history=(
            StatusChange(at=created, status="open"),
            StatusChange(at=created + timedelta(hours=1), status="resolved"),
        ),
        resolved=created + timedelta(hours=1),
    )


TICKETS = [_ticket("acme", n) for n in range(120)] + [_ticket("zeta", n) for n in range(40)]


def _ids(first: int, last: int) -> list[str]:
    """ACME-first down to ACME-last, newest first."""
    return [f"ACME-{n:03d}" for n in range(first, last - 1, -1)]


def _save(engine: Engine) -> None:
    with write_transaction(engine) as conn:
        save_tickets(conn, tickets=TICKETS, at=AT)


def test_pages_go_back_and_forth_across_one_instant(engine: Engine) -> None:
    _save(engine)
    with engine.connect() as conn:
        first = ticket_page(conn, customer="acme")
        assert [t.id for t in first.tickets] == _ids(119, 70)
        assert first.total == 120
        assert first.newer is None
        assert first.older == (DAY0 + timedelta(days=23), "ACME-070")
        second = ticket_page(conn, customer="acme", older=first.older)
        assert [t.id for t in second.tickets] == _ids(69, 20)  # ACME-069: day 23, as ACME-070
        assert second.newer == (DAY0 + timedelta(days=23), "ACME-069")
        third = ticket_page(conn, customer="acme", older=second.older)
        assert [t.id for t in third.tickets] == _ids(19, 0)
        assert third.older is None  # the oldest
        back = ticket_page(conn, customer="acme", newer=third.newer)
        assert [t.id for t in back.tickets] == _ids(69, 20)
        top = ticket_page(conn, customer="acme", newer=back.newer)
        assert [t.id for t in top.tickets] == _ids(119, 70)  # the newest page again
        assert top.newer is None


def test_tickets_shown_elsewhere_are_left_out_and_not_counted(engine: Engine) -> None:
    _save(engine)
    with engine.connect() as conn:
        page = ticket_page(conn, customer="acme", leave_out={"ACME-119", "ACME-100"})
    assert page.total == 118
    assert [t.id for t in page.tickets] == [
        i for i in _ids(118, 68) if i != "ACME-100"
    ]  # 50: 118..68 but 100


def test_another_customer_s_tickets_are_never_read(engine: Engine) -> None:
    _save(engine)
    with engine.connect() as conn:
        page = ticket_page(conn, customer="zeta")
        assert page.total == 40
        assert {t.customer for t in page.tickets} == {"zeta"}
        # acme's place given to zeta's pages positions them, and shows zeta's alone
        mixed = ticket_page(conn, customer="zeta", older=(DAY0 + timedelta(days=10), "ACME-030"))
        assert [t.id for t in mixed.tickets] == [f"ZETA-{n:03d}" for n in range(29, -1, -1)]


def test_a_page_is_read_through_the_customer_created_index_with_a_limit(
    sqlite_engine: Engine,
) -> None:
    _save(sqlite_engine)
    sent: list[tuple[str, Any]] = []

    def grab(*args: Any) -> None:
        _, _, statement, parameters, _, _ = args
        if statement.lstrip().upper().startswith("SELECT"):
            sent.append((statement, parameters))

    event.listen(sqlite_engine, "before_cursor_execute", grab)
    try:
        with sqlite_engine.connect() as conn:
            page = ticket_page(conn, customer="acme", older=(DAY0 + timedelta(days=30), "ACME-090"))
    finally:
        event.remove(sqlite_engine, "before_cursor_execute", grab)
    assert [t.id for t in page.tickets] == _ids(89, 40)
    assert len(sent) == 2  # the count and the page
    with sqlite_engine.connect() as conn:
        for statement, parameters in sent:
            plan = [
                row[-1]
                for row in conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters)
            ]
            reads = [step for step in plan if step.startswith(("SEARCH", "SCAN"))]
            assert reads, plan
            # the customer's rows alone, by an index on customer (the page: in its order)
            assert all("INDEX ix_tickets_customer_" in step for step in reads), plan
            # no sort of all the rows (one instant's tickets are put in order of their ids)
            sorts = [step for step in plan if "TEMP B-TREE" in step]
            assert all("RIGHT PART OF ORDER BY" in step for step in sorts), plan
    assert "LIMIT" in sent[1][0].upper()
    with sqlite_engine.connect() as conn:
        plan = [r[-1] for r in conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {sent[1][0]}", sent[1][1])]
    # a range of the index from the place on: the rows before it are not walked through
    assert any("ix_tickets_customer_created (customer=? AND created<?)" in s for s in plan), plan
