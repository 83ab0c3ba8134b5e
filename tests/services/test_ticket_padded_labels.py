"""A ticket stored with padded labels — priority ``"P1 "``, a pause status
``"waiting-on-customer "`` — as the CLI and API stored them before they stripped input, is
measured against the ``P1`` support commitment and paused by its pause state all the same.

The desk (``test_ticket_timer_stops``'s) works Monday to Friday 09:00-17:00 UTC; P1 is answered
within 2 business hours and resolved within 8. The figures are worked out by hand.
"""

from __future__ import annotations

from sqlalchemy.engine import Engine

from covenant.core.support import TimerKind
from covenant.core.tickets import StatusChange, Ticket
from covenant.services.ticket_timers import agreement_live_timers
from tests.services.test_ticket_timer_stops import IN_FORCE, NOW, at, stored, workspace_of

# Monday 16 November 09:00, answered 10:00 (3,600 s), waiting on the customer from 10:00 to
# Tuesday 09:00, resolved Tuesday 10:00: Mon 9-10 (1 h) + Tue 9-10 (1 h) = 7,200 s of 28,800
# (without the pause: Mon 9-17 + Tue 9-10 = 32,400 s, breached).
PADDED = Ticket(
    id="PAD-1",
    customer="acme",
    priority="P1 ",
    created=at(11, 16, 9),
    first_response=at(11, 16, 10),
    resolved=at(11, 17, 10),
    history=(
        StatusChange(at=at(11, 16, 9), status="open"),
        StatusChange(at=at(11, 16, 10), status="waiting-on-customer "),
        StatusChange(at=at(11, 17, 9), status=" open"),
        StatusChange(at=at(11, 17, 10), status="resolved"),
    ),
)


def test_a_ticket_stored_with_padded_labels_is_measured(engine: Engine) -> None:
    ws = workspace_of(IN_FORCE)
    stored(engine, [PADDED])
    live = agreement_live_timers(engine, workspace=ws, name="acme-sla", at=NOW)
    got = {x.timer.kind: (x.timer.priority, x.timer.state.value, x.timer.elapsed_s) for x in live}
    assert got == {
        TimerKind.FIRST_RESPONSE: ("P1", "met", 3_600),
        TimerKind.RESOLUTION: ("P1", "met", 7_200),
    }
