"""Ticket alerts of one ticket measured by two support commitments (two commitments with a
target for its priority, which validates) are two alerts, not one overwriting the other; a
ticket measured by one commitment keeps the key it always had, so an upgrade re-fires none of
the open ticket alerts."""

from __future__ import annotations

from datetime import UTC, datetime

from covenant.core.alert_rules_sla import ticket_conditions
from covenant.core.support import TicketTimer, TimerKind, TimerState

STARTED = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)


def timer(ticket: str, state: TimerState, elapsed_s: int, target_s: int) -> TicketTimer:
    return TicketTimer(
        ticket=ticket,
        priority="P1",
        kind=TimerKind.RESOLUTION,
        cycle=1,
        started=STARTED,
        stopped=None,
        target_s=target_s,
        elapsed_s=elapsed_s,
        paused_s=0,
        paused_now=False,
        remaining_s=target_s - elapsed_s,
        deadline=datetime(2026, 11, 20, 13, 0, tzinfo=UTC),
        state=state,
    )


def test_two_commitments_measuring_one_ticket_give_two_alerts() -> None:
    got = ticket_conditions(
        [
            (
                "globex-sla",
                1,
                "enterprise-support",
                timer("T-1", TimerState.BREACHED, 5 * 3600, 4 * 3600),
            ),
            (
                "globex-sla",
                1,
                "business-hours-support",
                timer("T-1", TimerState.RUNNING, 3600, 8 * 3600),
            ),
            (
                "globex-sla",
                1,
                "enterprise-support",
                timer("T-2", TimerState.BREACHED, 5 * 3600, 4 * 3600),
            ),
        ],
        {},
    )
    breached = {
        c.key: (c.active, c.labels["commitment"]) for c in got if c.kind.value == "ticket-breached"
    }
    assert breached == {
        "ticket-breached/globex-sla/T-1/resolution/1/enterprise-support": (
            True,
            "enterprise-support",
        ),
        "ticket-breached/globex-sla/T-1/resolution/1/business-hours-support": (
            False,
            "business-hours-support",
        ),
        # one commitment measures T-2: the key it had before
        "ticket-breached/globex-sla/T-2/resolution/1": (True, "enterprise-support"),
    }
    assert len(got) == 6  # at risk and breached, per timer
