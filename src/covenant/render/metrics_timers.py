"""``/metrics``: ticket timers, counted per agreement, support commitment, customer, priority
and timer (``first-response``, ``resolution``) — never per ticket (tickets are unbounded; the
label set is bounded by the agreements' targets).

``covenant_ticket_timers`` has one sample per state, 0 when no timer is in it, so the states
of a group add up to its timers (one per ticket: a reopened ticket's latest cycle,
``core.support``): the states of the agreement's Ticket timers page (``met``,
``breached``, ``running``, ``at-risk-50``, ``at-risk-75``) and ``paused``, a timer not yet
breached that stands still because its ticket is in one of the commitment's pause states (it
counts there and not under ``running`` or ``at-risk-*``).
``covenant_ticket_timer_nearest_remaining_seconds``: the seconds of the target left on the
timer closest to it among those counting down (running or at risk, not paused), on the
commitment's clock (business seconds on its calendar, else wall seconds); no sample when none
counts down.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass

from covenant.render.prom_text import Family, escape, pairs

TIMER_STATES = ("met", "breached", "running", "at-risk-50", "at-risk-75", "paused")
"""Every state a timer is counted in (``covenant_ticket_timers``'s ``state`` label)."""
COUNTING_DOWN = frozenset({"running", "at-risk-50", "at-risk-75"})


@dataclass(frozen=True, slots=True, kw_only=True)
class TimerGroup:
    """The timers of one agreement's commitment, customer, priority and timer kind
    (``services.metrics_timers``)."""

    agreement: str
    commitment: str
    customer: str
    priority: str
    timer: str  # first-response | resolution
    counts: Mapping[str, int]  # per state of TIMER_STATES (a state not here: 0)
    nearest_remaining_s: int | None  # None: no timer of the group counts down

    def __post_init__(self) -> None:
        unknown = set(self.counts) - set(TIMER_STATES)
        if unknown:
            raise ValueError(f"unknown timer states {sorted(unknown)}")


def timer_families(groups: Sequence[TimerGroup]) -> Iterator[Family]:
    """The two ticket-timer families (nothing when no agreement has a support commitment)."""
    if not groups:
        return
    timers = Family(
        "covenant_ticket_timers",
        "Ticket timers of the tickets created in the agreement's current period or still open, "
        "one per ticket and timer (a reopened ticket: its latest cycle), per state "
        "(paused: not breached, standing still in a pause state).",
    )
    nearest = Family(
        "covenant_ticket_timer_nearest_remaining_seconds",
        "Seconds of the target left on the timer nearest its target among those counting "
        "down (on the commitment's clock: business seconds on its calendar).",
    )
    for g in groups:
        # label pairs in name order: agreement, commitment, customer, priority, (state), timer
        head = pairs(
            ("agreement", "commitment", "customer", "priority"),
            (g.agreement, g.commitment, g.customer, g.priority),
        )
        tail = f'timer="{escape(g.timer)}"'
        for state in TIMER_STATES:
            timers.add(f'{head},state="{state}",{tail}', float(g.counts.get(state, 0)))
        if g.nearest_remaining_s is not None:
            nearest.add(f"{head},{tail}", float(g.nearest_remaining_s))
    yield from (timers, nearest)
