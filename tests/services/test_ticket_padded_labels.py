"""Tickets stored with padded labels — priority ``"P1 "``, statuses ``"waiting-on-customer "``,
``" resolved"`` — as the CLI and API stored them before they stripped input, are measured as
the same tickets with clean labels: against the ``P1`` support commitment, paused by its pause
state, resolved by a padded ``resolved``/``closed``, on the live views and in the statement.

The padded rows are written into the store directly (as an older version left them), not
through ``Ticket``, which strips its labels when it is built. An older version also wrote
``settled_at`` from the padded history, where ``" resolved"`` did not resolve: NULL for a ticket
resolved only by its history (no ``resolved`` field). Since a ticket blank labels were refused
(a priority ``" "``) was stored too: it is read, and listed as not measured.

The desk (``test_ticket_timer_stops``'s) works Monday to Friday 09:00-17:00 UTC; P1 is answered
within 2 business hours and resolved within 8; everything is read on Friday 20 November 2026 at
12:00 UTC. The figures are worked out by hand on that calendar.
"""

from __future__ import annotations

import json

import pytest
from sqlalchemy import update
from sqlalchemy.engine import Engine

from covenant.core.support import TimerKind
from covenant.core.tickets import StatusChange, Ticket
from covenant.services.sla import sla_statement
from covenant.services.sla_clocks import calendar_clocks
from covenant.services.ticket_timers import agreement_live_timers
from covenant.store.db import write_transaction
from covenant.store.record_tables import tickets as ticket_table
from covenant.store.records import load_tickets
from tests.services.test_ticket_timer_stops import IN_FORCE, NOW, at, stored, workspace_of


def _ticket(
    id_: str,
    created: tuple[int, int, int],
    answered: tuple[int, ...],
    *moves: tuple[tuple[int, int, int], str],
    resolved: tuple[int, int, int] | None = None,
) -> Ticket:
    return Ticket(
        id=id_,
        customer="acme",
        priority="P1",
        created=at(*created),
        first_response=at(*answered),
        resolved=None if resolved is None else at(*resolved),
        history=(
            StatusChange(at=at(*created), status="open"),
            *(StatusChange(at=at(*when), status=s) for when, s in moves),
        ),
    )


TICKETS = [
    # Monday 16 November 09:00, answered 10:00 (3,600 s), waiting on the customer from 10:00
    # to Tuesday 09:00, resolved Tuesday 10:00: Mon 9-10 + Tue 9-10 = 7,200 of 28,800 s, met
    # (without the pause: Mon 9-17 + Tue 9-10 = 32,400 s, breached).
    _ticket(
        "PAD-1",
        (11, 16, 9),
        (11, 16, 10),
        ((11, 16, 10), "waiting-on-customer"),
        ((11, 17, 9), "open"),
        ((11, 17, 10), "resolved"),
        resolved=(11, 17, 10),
    ),
    # Tuesday 17 November 09:00, answered 12:00: 10,800 > 7,200 s, breached. Still open: Tue,
    # Wed, Thu 8 h each + Fri 9-12 = 27 h = 97,200 > 28,800 s, breached.
    _ticket("PAD-2", (11, 17, 9), (11, 17, 12)),
    # Wednesday 18 November 09:00, answered 09:30 (1,800 s, met), resolved 11:00, reopened
    # Thursday 09:00, closed 13:00: the latest cycle counts, Thu 9-13 = 14,400 s, met.
    _ticket(
        "PAD-3",
        (11, 18, 9),
        (11, 18, 9, 30),
        ((11, 18, 11), "resolved"),
        ((11, 19, 9), "open"),
        ((11, 19, 13), "closed"),
        resolved=(11, 19, 13),
    ),
    # Thursday 19 November 15:00, answered 15:30 (1,800 s, met), waiting on the customer from
    # 16:00 on: the resolution timer stands at Thu 15-16 = 3,600 s (12.5 %), running, paused.
    _ticket("PAD-4", (11, 19, 15), (11, 19, 15, 30), ((11, 19, 16), "waiting-on-customer")),
    # Monday 26 October 10:00, answered 10:30, resolved 12:00 by its history alone: settled in
    # October, so November's live view does not show it.
    _ticket("OLD-1", (10, 26, 10), (10, 26, 10, 30), ((10, 26, 12), "resolved")),
]
PRIORITIES = {"PAD-1": "P1 ", "PAD-2": " P1", "PAD-3": "P1\t", "PAD-4": "  P1  ", "OLD-1": " P1 "}


def _pad(engine: Engine) -> None:
    """Pad every stored ticket's priority and statuses, as an older version stored them."""
    with write_transaction(engine) as conn:
        for id_, history in conn.execute(
            ticket_table.select().with_only_columns(ticket_table.c.id, ticket_table.c.history)
        ):
            entries = json.loads(history)
            for n, entry in enumerate(entries):
                entry["status"] = f"{entry['status']} " if n % 2 else f" {entry['status']}"
            values = {"priority": PRIORITIES[id_], "history": json.dumps(entries)}
            if id_ == "OLD-1":  # " resolved" did not settle it, and no ``resolved`` field did
                values["settled_at"] = None
            conn.execute(update(ticket_table).where(ticket_table.c.id == id_).values(**values))


@pytest.mark.parametrize("padded", [False, True], ids=["clean", "padded"])
def test_tickets_stored_with_padded_labels_are_measured_as_clean_ones(
    engine: Engine, padded: bool
) -> None:
    ws = workspace_of(IN_FORCE)
    stored(engine, TICKETS)
    if padded:
        _pad(engine)
        with engine.connect() as conn:  # the store does hold the padded labels
            row = conn.execute(ticket_table.select().where(ticket_table.c.id == "PAD-1")).one()
        assert row.priority == "P1 "
        assert '"waiting-on-customer "' in row.history
    live = agreement_live_timers(engine, workspace=ws, name="acme-sla", at=NOW)
    got = {
        (x.timer.ticket, x.timer.kind.value): (
            x.timer.priority,
            x.timer.cycle,
            x.timer.state.value,
            x.timer.elapsed_s,
            x.timer.paused_now,
        )
        for x in live
    }
    assert got == {
        ("PAD-1", "first-response"): ("P1", 1, "met", 3_600, False),
        ("PAD-1", "resolution"): ("P1", 1, "met", 7_200, False),
        ("PAD-2", "first-response"): ("P1", 1, "breached", 10_800, False),
        ("PAD-2", "resolution"): ("P1", 1, "breached", 97_200, False),
        ("PAD-3", "first-response"): ("P1", 1, "met", 1_800, False),
        ("PAD-3", "resolution"): ("P1", 2, "met", 14_400, False),
        ("PAD-4", "first-response"): ("P1", 1, "met", 1_800, False),  # stopped: not paused
        ("PAD-4", "resolution"): ("P1", 1, "running", 3_600, True),
    }

    st = sla_statement(
        engine,
        workspace=ws,
        customer="acme",
        period="2026-11",
        at=NOW,
        clock_for=calendar_clocks(ws),
    )
    (support,) = st.support
    assert support.not_measured == ()
    shares = {(a.priority, a.kind): (a.met, a.breached, a.running) for a in support.attainment}
    assert shares == {
        ("P1", TimerKind.FIRST_RESPONSE): (3, 1, 0),  # PAD-1, 3, 4 met; PAD-2 breached
        ("P1", TimerKind.RESOLUTION): (2, 1, 1),  # PAD-1, 3 met; PAD-2 breached; PAD-4 running
    }


def test_a_ticket_stored_with_a_blank_priority_is_read_and_not_measured(engine: Engine) -> None:
    ws = workspace_of(IN_FORCE)
    stored(engine, TICKETS[:1])
    with write_transaction(engine) as conn:  # as the CLI and API stored it before stop 43
        conn.execute(update(ticket_table).values(priority=" "))
    with engine.connect() as conn:
        (ticket,) = load_tickets(conn, ids=["PAD-1"])
    assert ticket.priority == ""
    assert agreement_live_timers(engine, workspace=ws, name="acme-sla", at=NOW) == []
    st = sla_statement(
        engine,
        workspace=ws,
        customer="acme",
        period="2026-11",
        at=NOW,
        clock_for=calendar_clocks(ws),
    )
    (support,) = st.support
    assert [t.ticket for t in support.not_measured] == ["PAD-1"]
    assert support.attainment == () or all(
        (a.met, a.breached, a.running) == (0, 0, 0) for a in support.attainment
    )
