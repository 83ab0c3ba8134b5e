"""The ticket timers ``/metrics`` counts (``render.metrics_timers``): the timers of the tickets
of every binding agreement in force that were created in its current reporting period or are
still open (``live_tickets``: one created earlier and not resolved, or reopened, too), computed
by ``live_timers`` as the ticket routes give them — each under the agreement version in force
when the ticket was created — and counted per agreement, support commitment, customer, priority
and timer.

Computed with the worker's tick (and published with its page) or, with no page to serve, at
the scrape — from the store and the workspace alone, so every process serves the same samples.
Every priority with a target in a commitment in force has its series (0 in each state when it
has no ticket), so a series does not come and go with the tickets.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta

from sqlalchemy.engine import Engine

from covenant.core.agreements import is_binding, version_spans
from covenant.core.availability import period_containing
from covenant.core.support import TicketTimer, TimerKind, TimerState
from covenant.core.tickets import Ticket, open_at
from covenant.definitions.workspace import Workspace
from covenant.render.metrics_timers import COUNTING_DOWN, TimerGroup
from covenant.services.agreements import with_recorded_agreements
from covenant.services.ticket_timers import live_tickets, live_timers
from covenant.store.agreements import termination_times

GroupKey = tuple[str, str, str, str, str]  # agreement, commitment, customer, priority, timer


def timer_state(timer: TicketTimer) -> str:
    """The state the timer is counted in: its own, or ``paused`` for one not breached yet that
    stands still in a pause state."""
    if timer.paused_now and timer.state not in (TimerState.BREACHED, TimerState.MET):
        return "paused"
    return timer.state.value


def ticket_timer_groups(
    engine: Engine, *, workspace: Workspace, at: datetime
) -> tuple[TimerGroup, ...]:
    """Every agreement's live ticket timers at ``at`` (tickets created in its current period
    or still open), counted (sorted by labels)."""
    workspace = with_recorded_agreements(engine, workspace)
    binding = [v for v in workspace.agreements if v.support and is_binding(v)]
    if not binding:
        return ()
    names = sorted({v.agreement for v in binding})
    keys: set[GroupKey] = set()
    starts: dict[str, datetime] = {}  # agreement → its current period's start
    tickets: dict[str, Ticket] = {}
    with engine.connect() as conn:
        terminated = termination_times(conn, names=names)
        for name in names:
            siblings = [v for v in binding if v.agreement == name]
            spans = version_spans(
                siblings, start=at, end=at + timedelta(seconds=1), terminated=terminated
            )
            for version, _, _ in spans:
                start, end = period_containing(version, at)
                starts[name] = start
                for commitment in version.support:
                    for target in commitment.targets:
                        for kind, seconds in (
                            (TimerKind.FIRST_RESPONSE.value, target.first_response_s),
                            (TimerKind.RESOLUTION.value, target.resolution_s),
                        ):
                            if seconds is not None:
                                keys.add(
                                    (name, commitment.name, version.customer, target.priority, kind)
                                )
                found = live_tickets(conn, customer=version.customer, start=start, end=end, at=at)
                tickets.update((t.id, t) for t in found)
    if not starts:
        return ()
    counts: dict[GroupKey, Counter[str]] = {k: Counter() for k in keys}
    nearest: dict[GroupKey, int] = {}
    ordered = sorted(tickets.values(), key=lambda t: (t.created, t.id))
    timers = live_timers(engine, workspace=workspace, tickets=ordered, at=at)
    for t in ordered:
        for live in timers[t.id]:
            begins = starts.get(live.agreement)
            if begins is None:  # an agreement not in force now
                continue
            if t.created < begins and not open_at(t, at):  # another agreement's period's
                continue
            key = (live.agreement, live.commitment, t.customer, t.priority, live.timer.kind.value)
            state = timer_state(live.timer)
            counts.setdefault(key, Counter())[state] += 1
            if state in COUNTING_DOWN:
                left = live.timer.remaining_s
                nearest[key] = min(left, nearest.get(key, left))
    return tuple(
        TimerGroup(
            agreement=a,
            commitment=c,
            customer=cu,
            priority=p,
            timer=k,
            counts=dict(counts[(a, c, cu, p, k)]),
            nearest_remaining_s=nearest.get((a, c, cu, p, k)),
        )
        for a, c, cu, p, k in sorted(counts)
    )
