"""An agreement's page, its period part: the period in progress (month or quarter, in the
agreement's zone), its statement lines and its live ticket timers (``/timers``, refreshed)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from covenant.errors import CovenantError, DaySumsOnlyError


def current_period(ctx: Any, customer: str, name: str, period: str, at: Any) -> Any:
    """The statement lines of agreement ``name`` for ``period``, its period in progress
    (``web.portal.periods_of``), and its live ticket timers (``timer_notes``: ``(ticket,
    note)`` for a ticket the agreement governs that has none: created too long ago for its
    calendar). Without a statement (no version in force), ``label`` is None and the timers
    are those of the tickets still open that were opened while it was in force; None when
    there are none either."""
    from covenant.services.sla import report_statement

    try:
        st = report_statement(
            ctx.engine(),
            workspace=ctx.workspace(),
            customer=customer,
            period=period,
            at=at,
            now=ctx.clock(),
        )
    except DaySumsOnlyError:  # minutes being read: the page says so (``routes.PageRoute``)
        raise
    except CovenantError:
        # no statement (no version in force now: the agreement expired or was terminated):
        # the open tickets opened under it are still governed by it until they are resolved
        notes: dict[str, str] = {}
        timers = sorted_live_timers(ctx, name, at, notes=notes)
        if not timers and not notes:
            return None
        return {
            "label": None,
            "complete": False,
            "availability": [],
            "support": [],
            "timers": timers,
            "timer_notes": sorted(notes.items()),
        }
    notes = {}
    timers = sorted_live_timers(ctx, name, at, notes=notes)
    return {
        "label": st.period_label,
        "complete": st.complete,
        "availability": [a for a in st.availability if a.agreement == name],
        "support": [s for s in st.support if s.agreement == name],
        "timers": timers,
        "timer_notes": sorted(notes.items()),
    }


def sorted_live_timers(
    ctx: Any, name: str, at: datetime, *, notes: dict[str, str] | None = None
) -> list[Any]:
    """The live ticket timers: of the tickets created this period and of those still open
    (created earlier; of an agreement no longer in force, those opened while it was), the ones
    to act on first — breached, at risk, running, then met. ``notes`` gets, by ticket id, why
    a ticket the agreement governs has no timers (created too long ago for its calendar)."""
    from covenant.services.ticket_timers import agreement_live_timers

    found = agreement_live_timers(
        ctx.engine(), workspace=ctx.workspace(), name=name, at=at, notes=notes
    )
    return sorted(
        (x.timer for x in found),
        key=lambda t: (_URGENCY.get(t.state.value, 9), t.deadline, t.ticket, t.cycle),
    )


_URGENCY = {"breached": 0, "at-risk-75": 1, "at-risk-50": 2, "running": 3, "met": 4}
