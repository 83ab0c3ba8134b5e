"""Support in exposure: the penalty of a support commitment's current period, owed if the period
ended now and in the worst case of the tickets still open (docs/exposure.md "Support").

There is no forecast: a support penalty is one amount per version and period, owed when a
priority's share of tickets that met their target falls below the commitment's (docs/sla.md
"Support"). Both figures are the statement's own rule applied to the timers as they stand:

- owed now (``incurred``): the penalty of the statement of the period if it ended now — the
  same ``SupportResult`` ``covenant report sla`` computes, to the cent. It is not locked in:
  tickets still to be decided can lift a priority's share back to the required one.
- worst case: the penalty if every timer still running (not yet breached) breached — the
  attainment with each of them counted as missed. Tickets not created yet are left out (one
  more ticket can always be missed; the penalty is owed once whatever their number).

A commitment none of whose tickets has a timer yet says so (``no-tickets``): no money is no
verdict, not "safe"; nor is one that cannot be measured (``not-measured``, e.g. its business
calendar is missing), which says why in its ``note``. A support penalty is not a credit: no
cap applies (docs/sla.md).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal

from covenant.core.agreements import AgreementVersion, SupportCommitment
from covenant.core.forecast_cap import in_force_share
from covenant.core.money import Money, quantum
from covenant.core.support import (
    Attainment,
    SupportResult,
    TicketTimer,
    TimerState,
    attainment,
    counted,
    support_penalty,
)

OPEN = frozenset({TimerState.RUNNING, TimerState.AT_RISK_50, TimerState.AT_RISK_75})
"""The states of a timer still running and not breached: the worst case breaches them."""


@dataclass(frozen=True, slots=True, kw_only=True)
class SupportExposure:
    """A support commitment of one version in the current period, as of ``at``.

    ``state``: ``no-tickets`` (no ticket created in the period while the version was in force
    has a timer of this commitment), ``undecided`` (tickets, none decided yet), ``met`` or
    ``missed`` — the statement's verdict if the period ended at ``at`` — or ``not-measured``
    (the timers could not be measured: ``note`` says why; no money either way)."""

    agreement: str
    version: int
    customer: str
    commitment: str
    period_start: datetime
    period_end: datetime
    in_force: tuple[datetime, datetime]
    at: datetime
    state: str
    tickets: int  # tickets with a timer that counts
    open_timers: int  # timers still running, not breached
    attainment: tuple[Attainment, ...]  # so far, as the statement's
    worst_case_attainment: tuple[Attainment, ...]  # every open timer breached
    incurred: Money | None  # the statement's penalty now (0 when met); None: no verdict yet
    worst_case: Money | None  # the penalty if every open timer breached; None: no tickets
    note: str | None = None  # why it is not measured (``not-measured``)


def breach_open(timers: tuple[TicketTimer, ...]) -> tuple[TicketTimer, ...]:
    """``timers`` with every one still running and not breached taken as breached."""
    return tuple(
        replace(t, state=TimerState.BREACHED) if t.state in OPEN and not t.superseded else t
        for t in timers
    )


def support_exposure(
    version: AgreementVersion,
    commitment: SupportCommitment,
    result: SupportResult,
    *,
    in_force: tuple[datetime, datetime],
    at: datetime,
) -> SupportExposure:
    """The exposure of ``commitment`` from its statement ``result`` (``support_compliance``
    over the period, as of ``at``, for the tickets of ``in_force``)."""
    timers = counted(result.timers)
    worst = attainment(breach_open(result.timers), commitment)
    nothing = Money(
        amount=Decimal(0).quantize(quantum(version.currency)), currency=version.currency
    )
    if result.penalty is not None:  # missed already: the worst case owes the same
        penalty = result.penalty
    else:
        share = in_force_share((result.period_start, result.period_end), in_force)
        penalty = support_penalty(version, commitment, share)
    missed_worst = any(a.ok is False for a in worst)
    if not timers:
        state, incurred = "no-tickets", None
    elif result.met is None:
        state, incurred = "undecided", None
    else:
        state = "met" if result.met else "missed"
        incurred = nothing if result.penalty is None else result.penalty
    return SupportExposure(
        agreement=version.agreement,
        version=version.version,
        customer=version.customer,
        commitment=commitment.name,
        period_start=result.period_start,
        period_end=result.period_end,
        in_force=in_force,
        at=at,
        state=state,
        tickets=len({t.ticket for t in timers}),
        open_timers=sum(1 for t in timers if t.state in OPEN),
        attainment=result.attainment,
        worst_case_attainment=worst,
        incurred=incurred,
        worst_case=None if not timers else (penalty if missed_worst else nothing),
    )


def unmeasured(
    version: AgreementVersion,
    commitment: SupportCommitment,
    *,
    period: tuple[datetime, datetime],
    in_force: tuple[datetime, datetime],
    at: datetime,
    reason: str,
) -> SupportExposure:
    """A row for ``commitment`` that could not be measured: no verdict and no money, and why."""
    return SupportExposure(
        agreement=version.agreement,
        version=version.version,
        customer=version.customer,
        commitment=commitment.name,
        period_start=period[0],
        period_end=period[1],
        in_force=in_force,
        at=at,
        state="not-measured",
        tickets=0,
        open_timers=0,
        attainment=(),
        worst_case_attainment=(),
        incurred=None,
        worst_case=None,
        note=f"support not measured: {reason}",
    )
