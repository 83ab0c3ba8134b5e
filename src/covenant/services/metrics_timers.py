"""The ticket timers ``/metrics`` counts (``render.metrics_timers``): the timers of the tickets
of every binding agreement in force that were created in its current reporting period or are
still open (``live_tickets``: one created earlier and not resolved, or reopened, too), computed
by ``live_timers`` as the ticket routes give them — each under the agreement version in force
when the ticket was created; a reopened ticket's latest cycle only, breached when an earlier
cycle breached (``core.support``), as statements count it — and counted per agreement, support
commitment, customer, priority and timer (``services.ticket_timers.watched_timers``, the set
the ticket alerts watch too).

Computed with the worker's tick (and published with its page) or, with no page to serve, at
the scrape — from the store and the workspace alone, so every process serves the same samples.
Every priority with a target in a commitment in force has its series (0 in each state when it
has no ticket), so a series does not come and go with the tickets. A ticket still open whose
agreement has expired or been terminated since it was opened is counted under that agreement
(the version in force at its opening governs it until it is resolved): such an agreement's
groups have series only while it governs an open ticket. A ticket too old for its business
calendar (``sla_clocks.fits_calendar``: created about 49 years before) is not counted (the
tick names it). No ``version`` label: docs/worker.md "Why no version label on the ticket
timers".
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime

from sqlalchemy.engine import Engine

from covenant.core.support import TicketTimer, TimerKind, TimerState, targets_by_priority
from covenant.definitions.workspace import Workspace
from covenant.render.metrics_timers import COUNTING_DOWN, TimerGroup
from covenant.services.ticket_timers import watched_timers

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
    """Every agreement's live ticket timers at ``at`` (``watched_timers``: tickets created in
    its current period or still open; a reopened ticket's latest cycle), counted (sorted by
    labels)."""
    watched = watched_timers(engine, workspace=workspace, at=at)
    if not watched.versions and not watched.timers:
        return ()
    keys: set[GroupKey] = set()
    for version in watched.versions:
        for commitment in version.support:
            for priority, target in targets_by_priority(commitment).items():
                for kind, seconds in (
                    (TimerKind.FIRST_RESPONSE.value, target.first_response_s),
                    (TimerKind.RESOLUTION.value, target.resolution_s),
                ):
                    if seconds is not None:
                        keys.add(
                            (
                                version.agreement,
                                commitment.name,
                                version.customer,
                                priority,
                                kind,
                            )
                        )
    counts: dict[GroupKey, Counter[str]] = {k: Counter() for k in keys}
    nearest: dict[GroupKey, int] = {}
    for t, live in watched.timers:
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
