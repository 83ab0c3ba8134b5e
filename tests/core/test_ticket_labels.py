"""A ticket's labels are normalised once, when it is built: its priority and each status of
its history stripped (a row stored before input was stripped says ``"P1 "``, ``" resolved"``),
so everything that compares them — the support timers, ``open_at``, ``settled_since`` —
compares them as they are. A support target keeps its priority as the contract writes it
(part of the signed terms and their hash); it is compared stripped (``targets_by_priority``).
A blank label is not refused here (stored rows hold ``" "`` from before the CLI and API refused
it): it is the empty label, which names no support commitment; the services refuse a blank one
given as input before a ticket is built (``services.record_changes.ticket_label``)."""

from __future__ import annotations

from datetime import UTC, datetime

from covenant.core.agreements import SupportCommitment, SupportTarget
from covenant.core.support import targets_by_priority
from covenant.core.tickets import StatusChange, Ticket, open_at, settled_since


def h(hour: int) -> datetime:
    return datetime(2026, 10, 1, hour, 0, tzinfo=UTC)


def test_a_ticket_strips_its_priority_and_statuses() -> None:
    ticket = Ticket(
        id="T",
        customer="c",
        priority=" P1\t",
        created=h(9),
        history=(
            StatusChange(at=h(9), status="open "),
            StatusChange(at=h(10), status=" waiting-on-customer "),
            StatusChange(at=h(12), status="\tresolved"),
        ),
    )
    assert ticket.priority == "P1"
    assert [c.status for c in ticket.history] == ["open", "waiting-on-customer", "resolved"]
    assert not open_at(ticket, h(13))  # " resolved" resolves it
    assert settled_since(ticket) == h(12)


def test_a_support_target_keeps_its_priority_and_is_compared_stripped() -> None:
    target = SupportTarget(priority="P2 ", resolution_s=3_600)
    assert target.priority == "P2 "
    commitment = SupportCommitment(name="desk", calendar=None, targets=(target,))
    assert targets_by_priority(commitment) == {"P2": target}


def test_a_blank_label_is_the_empty_one() -> None:
    ticket = Ticket(
        id="T",
        customer="c",
        priority=" ",
        created=h(9),
        history=(StatusChange(at=h(9), status="  "),),
    )
    assert (ticket.priority, ticket.history[0].status) == ("", "")
    assert open_at(ticket, h(10))  # no resolved state: open, as before
