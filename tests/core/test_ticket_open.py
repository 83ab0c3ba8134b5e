"""When a ticket is open (``core.tickets.open_at``) and since when it has stayed resolved
(``settled_since``), following the support timers' cycles: a move out of a resolved state
reopens it; ``resolved`` closes its last cycle only when it falls inside it."""

from __future__ import annotations

from datetime import UTC, datetime

from covenant.core.tickets import StatusChange, Ticket, open_at, settled_since


def h(day: int, hour: int) -> datetime:
    return datetime(2026, 10, day, hour, 0, tzinfo=UTC)


NEVER = Ticket(id="N", customer="c", priority="P1", created=h(1, 9))
BARE = Ticket(id="B", customer="c", priority="P1", created=h(1, 9), resolved=h(1, 12))
BACK = Ticket(  # resolved at 12:00, closed at 13:00, reopened on the 3rd at 8:00
    id="R",
    customer="c",
    priority="P1",
    created=h(1, 9),
    resolved=h(1, 12),  # the export keeps the first resolution
    history=(
        StatusChange(at=h(1, 9), status="open"),
        StatusChange(at=h(1, 12), status="resolved"),
        StatusChange(at=h(1, 13), status="closed"),
        StatusChange(at=h(3, 8), status="open"),
    ),
)
AGAIN = Ticket(  # BACK, resolved again on the 4th at 10:00
    id="A",
    customer="c",
    priority="P1",
    created=h(1, 9),
    resolved=h(4, 10),
    history=(*BACK.history, StatusChange(at=h(4, 10), status="resolved")),
)


def test_settled_since() -> None:
    assert settled_since(NEVER) is None
    assert settled_since(BARE) == h(1, 12)
    assert settled_since(BACK) is None
    assert settled_since(AGAIN) == h(4, 10)


def test_open_at() -> None:
    assert not open_at(NEVER, h(1, 8))  # not created yet
    assert open_at(NEVER, h(20, 0))
    assert open_at(BARE, h(1, 11))
    assert not open_at(BARE, h(1, 12))
    assert [open_at(BACK, at) for at in (h(1, 10), h(2, 0), h(3, 8), h(20, 0))] == [
        True,
        False,
        True,
        True,
    ]
    assert [open_at(AGAIN, at) for at in (h(2, 0), h(3, 9), h(4, 10))] == [False, True, False]


def test_a_resolution_the_reopening_undid_does_not_close_the_new_cycle() -> None:
    # resolved and reopened at the same instant: ``resolved`` is the resolution the history
    # shows undone, not a resolution of the new cycle
    bounced = Ticket(
        id="Z",
        customer="c",
        priority="P1",
        created=h(1, 9),
        resolved=h(1, 12),
        history=(
            StatusChange(at=h(1, 9), status="open"),
            StatusChange(at=h(1, 12), status="resolved"),
            StatusChange(at=h(1, 12), status="open"),
        ),
    )
    assert settled_since(bounced) is None
    assert [open_at(bounced, at) for at in (h(1, 11), h(1, 12), h(2, 0))] == [True, True, True]
    at_creation = Ticket(id="C", customer="c", priority="P1", created=h(1, 9), resolved=h(1, 9))
    assert settled_since(at_creation) == h(1, 9)
    assert not open_at(at_creation, h(1, 9))
