"""Support compliance: per-ticket timers and per-priority attainment, vectorised over tickets.

A ticket has a first-response timer (its first cycle only) and a resolution timer per cycle
(reopening a resolved ticket starts a new cycle). The first-response timer stops at the first
public response, or at the first resolution when the ticket was resolved unanswered (met when
resolved within the response target; a reopening does not start it again). Time spent in a
pause state does not count. Time is measured on a ``Clock``: business time of a calendar, or
calendar time (24×7). Breach is ``elapsed > target`` in integer seconds; at risk is 50 % / 75 %
of the target used.

A reopened ticket has one resolution timer that counts: its latest cycle's. An earlier cycle is
*superseded* — its resolution did not hold, so it is no longer ``met`` — and kept as evidence
(statements list it). A breach stands: when an earlier cycle breached, the latest cycle's timer
is ``breached`` (``breached_cycle`` names the first cycle that did), whatever it does since, so a
reopening never turns a late resolution into a met one. Attainment counts the timers that count
(``counted``): one first-response and one resolution verdict per ticket, as the share of tickets
an agreement states; the live views (the Ticket timers page, the ``/metrics`` gauges, the ticket
alerts) show the same timers.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from fractions import Fraction
from typing import Protocol

import numpy as np
import numpy.typing as npt

from covenant.core.agreements import AgreementVersion, SupportCommitment, SupportTarget, period_fee
from covenant.core.business_time import (
    CalendarSet,
    IntervalTable,
    Pauses,
    business_deadline,
    business_seconds_between,
)
from covenant.core.credits import ProRata, pro_rata
from covenant.core.money import Money, quantum
from covenant.core.tickets import RESOLVED_STATES, Ticket, label, resolution_closes
from covenant.core.timeutil import from_epoch, require_utc, to_epoch

I64 = npt.NDArray[np.int64]


class Clock(Protocol):
    """Elapsed time and deadlines, vectorised over timers (epoch seconds, int64)."""

    def elapsed(self, start: I64, end: I64, pauses: Pauses) -> I64: ...

    def deadline(self, start: I64, seconds: I64, pauses: Pauses) -> I64: ...


@dataclass(frozen=True, slots=True)
class BusinessClock:
    """Business time of a compiled calendar (see ``covenant.core.business_time``): one
    ``IntervalTable``, or calendar ``index`` of a ``CalendarSet`` compiled in one batch."""

    table: IntervalTable | CalendarSet
    index: int | None = None

    def elapsed(self, start: I64, end: I64, pauses: Pauses) -> I64:
        return business_seconds_between(self.table, start, end, calendar=self.index, pauses=pauses)

    def deadline(self, start: I64, seconds: I64, pauses: Pauses) -> I64:
        return business_deadline(self.table, start, seconds, calendar=self.index, pauses=pauses)


class WallClock:
    """Calendar time, 24×7: every second counts unless paused (pauses of one timer must not
    overlap, as a status history guarantees)."""

    def elapsed(self, start: I64, end: I64, pauses: Pauses) -> I64:
        span = np.maximum(end - start, 0)
        lo = np.maximum(pauses.start, start[pauses.ticket])
        hi = np.minimum(pauses.end, end[pauses.ticket])
        paused = np.bincount(pauses.ticket, weights=np.maximum(hi - lo, 0), minlength=start.size)
        result: I64 = span - paused.astype(np.int64)
        return result

    def deadline(self, start: I64, seconds: I64, pauses: Pauses) -> I64:
        due = start + seconds
        order = np.lexsort((pauses.start, pauses.ticket))
        owner, p_start, p_end = pauses.ticket[order], pauses.start[order], pauses.end[order]
        # Pauses in time order push the deadline back when they begin before it; process the
        # k-th pause of every timer at once (loop over pause rank, not over tickets).
        first = np.searchsorted(owner, np.arange(start.size))
        rank = np.arange(owner.size) - first[owner]
        for k in range(int(rank.max()) + 1 if rank.size else 0):
            sel = rank == k
            who = owner[sel]
            lo = np.maximum(p_start[sel], start[who])
            hi = p_end[sel]
            hit = (lo < due[who]) & (hi > lo)
            due[who[hit]] += (hi - lo)[hit]
        return due


class TimerKind(StrEnum):
    FIRST_RESPONSE = "first-response"
    RESOLUTION = "resolution"


class TimerState(StrEnum):
    MET = "met"
    BREACHED = "breached"
    RUNNING = "running"
    AT_RISK_50 = "at-risk-50"
    AT_RISK_75 = "at-risk-75"


@dataclass(frozen=True, slots=True, kw_only=True)
class TicketTimer:
    ticket: str
    priority: str
    kind: TimerKind
    cycle: int
    started: datetime
    stopped: datetime | None  # response or resolution; None while running
    target_s: int
    elapsed_s: int
    paused_s: int  # time (on the clock) spent in a pause state, not counted in elapsed
    paused_now: bool  # the ticket is in a pause state at ``at`` (a running timer stands still)
    remaining_s: int  # target − elapsed; negative when breached
    deadline: datetime  # given the pauses so far
    state: TimerState
    superseded: bool = False  # a later cycle of the ticket has begun: this one no longer counts
    breached_cycle: int | None = None  # the first cycle that breached, when an earlier one did

    @property
    def breached(self) -> bool:
        return self.state is TimerState.BREACHED

    @property
    def late(self) -> bool:
        """Breached on its own: more than its target elapsed in this cycle."""
        return self.elapsed_s > self.target_s


def targets_by_priority(commitment: SupportCommitment) -> dict[str, SupportTarget]:
    """A commitment's targets by the priority tickets are compared with: the key as written,
    stripped (``tickets.label``), as a ticket's priority is. A target keeps its priority as the
    contract writes it (``"P1 "``: the signed terms and their hash); two keys that differ only
    by spaces are one priority — the later one counts (refused or warned about when read)."""
    return {label(t.priority): t for t in commitment.targets}


def counted(timers: Sequence[TicketTimer]) -> tuple[TicketTimer, ...]:
    """The timers that count (live views, alerts, attainment): every one but the superseded
    cycles of reopened tickets — one first-response and one resolution timer per ticket."""
    return tuple(t for t in timers if not t.superseded)


@dataclass(frozen=True, slots=True, kw_only=True)
class Attainment:
    priority: str
    kind: TimerKind
    met: int
    breached: int
    running: int
    share: Fraction | None  # met / (met + breached); None while nothing is decided
    required: Fraction

    @property
    def ok(self) -> bool | None:
        return None if self.share is None else self.share >= self.required


@dataclass(frozen=True, slots=True, kw_only=True)
class NotMeasured:
    """A ticket created while the version was in force whose priority has no target in any of
    the version's support commitments: it has no timer and counts neither as met nor missed."""

    ticket: str
    priority: str
    created: datetime
    reason: str


@dataclass(frozen=True, slots=True, kw_only=True)
class SupportResult:
    agreement: str
    version: int
    commitment: str
    period_start: datetime
    period_end: datetime
    timers: tuple[TicketTimer, ...]
    attainment: tuple[Attainment, ...]
    met: bool | None
    penalty: Money | None
    penalty_fee: Money | None = None  # the fee a percentage penalty was taken of (pro rata)
    pro_rata: ProRata | None = None  # how penalty_fee is pro rata, when it is
    not_measured: tuple[NotMeasured, ...] = ()  # on the version's first support commitment


@dataclass
class _Timers:
    ticket: list[str]
    priority: list[str]
    kind: list[TimerKind]
    cycle: list[int]
    start: list[int]
    stop: list[int]  # -1 while running
    target: list[int]
    pauses: list[tuple[int, int, int]]
    latest: list[int]  # a superseded cycle: the row of its ticket's latest cycle; else -1
    paused: list[bool]  # the ticket is in a pause state at ``at``


def _cycles(t: Ticket, at: int) -> list[tuple[int, int]]:
    """(start, stop) of each cycle; stop is -1 while the cycle is open at ``at``."""
    cycles: list[tuple[int, int]] = []
    start, resolved, begun = to_epoch(t.created), False, t.created
    for change in t.history:
        moment = to_epoch(change.at)
        if moment > at:
            break
        if change.status in RESOLVED_STATES and not resolved:
            cycles.append((start, moment))
            resolved = True
        elif change.status not in RESOLVED_STATES and resolved:
            start, resolved, begun = moment, False, change.at
    if not resolved:
        # ``resolved`` closes the open cycle only when it falls inside it (an export may keep
        # the first resolution of a ticket that was reopened since, or the one a reopening at
        # the same instant undid): ``tickets.resolution_closes``.
        closes = resolution_closes(t.resolved, begun, reopened=bool(cycles))
        done = to_epoch(t.resolved) if t.resolved and closes else -1
        cycles.append((start, done if done <= at else -1))
    return cycles


def _first_response_stop(t: Ticket, cycles: list[tuple[int, int]], at: int) -> int:
    """Where the first-response timer stops (-1: running at ``at``): the first public
    response, or the first resolution when that came first — resolving a ticket answers it,
    as Jira Service Management and Zendesk count it (solving a ticket fulfils the first-reply
    metric). A reopening does not start it again, and a response after it does not move it."""
    responded = to_epoch(t.first_response) if t.first_response else -1
    stops = [responded] if 0 <= responded <= at else []
    if cycles and cycles[0][1] >= 0:  # the first cycle was resolved by ``at``
        stops.append(cycles[0][1])
    return min(stops, default=-1)


def _pauses(t: Ticket, pause_states: frozenset[str], at: int) -> tuple[list[tuple[int, int]], bool]:
    """The ticket's pauses up to ``at`` (one still open ends at ``at``), and whether it is in a
    pause state at ``at`` — a change at ``at`` itself has happened, so a pause that ends at
    ``at`` is over."""
    spans, opened = [], None
    for change in t.history:
        moment = to_epoch(change.at)
        if moment > at:
            break
        if change.status in pause_states and opened is None:
            opened = moment
        elif change.status not in pause_states and opened is not None:
            spans.append((opened, moment))
            opened = None
    if opened is not None:
        spans.append((opened, at))
    return spans, opened is not None


def ticket_timers(
    tickets: Sequence[Ticket],
    commitment: SupportCommitment,
    *,
    clock: Clock,
    at: datetime,
) -> tuple[TicketTimer, ...]:
    """Every timer of every ticket whose priority has targets, as of ``at``."""
    now = to_epoch(require_utc(at))
    targets = targets_by_priority(commitment)
    rows = _Timers([], [], [], [], [], [], [], [], [], [])
    for t in tickets:  # building the timer table: one pass over records, no time arithmetic
        target = targets.get(t.priority)
        if target is None or to_epoch(t.created) > now:
            continue
        pauses, paused_at = _pauses(t, commitment.pause_states, now)
        specs: list[tuple[TimerKind, int, int, int, int]] = []
        cycles = _cycles(t, now)
        if target.first_response_s is not None:
            stop = _first_response_stop(t, cycles, now)
            specs.append(
                (TimerKind.FIRST_RESPONSE, 1, to_epoch(t.created), stop, target.first_response_s)
            )
        if target.resolution_s is None:
            cycles = []
        else:
            for n, (start, stop) in enumerate(cycles, start=1):
                specs.append((TimerKind.RESOLUTION, n, start, stop, target.resolution_s))
        last = len(rows.start) + len(specs) - 1  # the latest cycle's row (specs end with it)
        for kind, cycle, start, stop, seconds in specs:
            index = len(rows.start)
            replaced = kind is TimerKind.RESOLUTION and cycle < len(cycles)
            rows.latest.append(last if replaced else -1)
            rows.ticket.append(t.id)
            rows.priority.append(t.priority)  # the target's, stripped (``targets_by_priority``)
            rows.kind.append(kind)
            rows.cycle.append(cycle)
            rows.start.append(start)
            rows.stop.append(stop)
            rows.target.append(seconds)
            rows.paused.append(paused_at)
            # a timer's own pauses: up to where it stops (``at`` while it runs). A stopped
            # timer is settled, so a later wait (after the response, in a later cycle) never
            # moves its deadline (a completed cycle keeps its times, as in Jira Service
            # Management).
            end = now if stop < 0 else stop
            rows.pauses.extend((index, ps, min(pe, end)) for ps, pe in pauses if ps <= end)
    if not rows.start:
        return ()
    starts = np.array(rows.start, dtype=np.int64)
    stops = np.array(rows.stop, dtype=np.int64)
    limits = np.array(rows.target, dtype=np.int64)
    flat = np.array(rows.pauses, dtype=np.int64).reshape(-1, 3)
    pause_set = Pauses(ticket=flat[:, 0], start=flat[:, 1], end=flat[:, 2])
    running = stops < 0
    ends = np.where(running, now, stops)
    elapsed = clock.elapsed(starts, ends, pause_set)
    paused = clock.elapsed(starts, ends, Pauses.none()) - elapsed
    paused_now = running & np.array(rows.paused, dtype=bool)
    deadline = clock.deadline(starts, limits, pause_set)
    state = np.where(
        elapsed > limits,
        1,
        np.where(
            ~running,
            0,
            np.where(elapsed * 4 >= limits * 3, 4, np.where(elapsed * 2 >= limits, 3, 2)),
        ),
    )
    names = [
        TimerState.MET,
        TimerState.BREACHED,
        TimerState.RUNNING,
        TimerState.AT_RISK_50,
        TimerState.AT_RISK_75,
    ]
    # A reopened ticket: its earlier cycles are superseded; a breach among them stands, carried
    # to the latest cycle as the first cycle that breached (np.minimum.at: per latest row).
    latest = np.array(rows.latest, dtype=np.int64)
    superseded = latest >= 0
    carried = np.full(starts.size, np.iinfo(np.int64).max, dtype=np.int64)
    late = superseded & (state == 1)
    np.minimum.at(carried, latest[late], np.array(rows.cycle, dtype=np.int64)[late])
    carried_from = np.where(carried < np.iinfo(np.int64).max, carried, 0)
    state = np.where(carried_from > 0, 1, state)
    return tuple(
        TicketTimer(
            ticket=rows.ticket[i],
            priority=rows.priority[i],
            kind=rows.kind[i],
            cycle=rows.cycle[i],
            started=from_epoch(rows.start[i]),
            stopped=None if rows.stop[i] < 0 else from_epoch(rows.stop[i]),
            target_s=rows.target[i],
            elapsed_s=e,
            paused_s=p,
            paused_now=bool(z),
            remaining_s=rows.target[i] - e,
            deadline=from_epoch(d),
            state=names[s],
            superseded=u,
            breached_cycle=c or None,
        )
        for i, (e, d, s, p, z, u, c) in enumerate(
            zip(
                elapsed.tolist(),
                deadline.tolist(),
                state.tolist(),
                paused.tolist(),
                paused_now.tolist(),
                superseded.tolist(),
                carried_from.tolist(),
                strict=True,
            )
        )
    )


def attainment(
    timers: Sequence[TicketTimer], commitment: SupportCommitment
) -> tuple[Attainment, ...]:
    """Per priority and timer kind: the share of decided tickets that met their target — over
    the timers that count (``counted``: a reopened ticket's latest cycle, breached when an
    earlier cycle breached)."""
    timers = counted(timers)
    out = []
    for priority in targets_by_priority(commitment):
        for kind in TimerKind:
            mine = [t for t in timers if t.priority == priority and t.kind is kind]
            if not mine:
                continue
            met = sum(1 for t in mine if t.state is TimerState.MET)
            breached = sum(1 for t in mine if t.breached)
            decided = met + breached
            out.append(
                Attainment(
                    priority=priority,
                    kind=kind,
                    met=met,
                    breached=breached,
                    running=len(mine) - decided,
                    share=Fraction(met, decided) if decided else None,
                    required=commitment.attainment,
                )
            )
    return tuple(out)


def support_compliance(
    version: AgreementVersion,
    commitment: SupportCommitment,
    tickets: Sequence[Ticket],
    *,
    clock: Clock,
    period: tuple[datetime, datetime],
    at: datetime,
    in_force: tuple[datetime, datetime] | None = None,
) -> SupportResult:
    """Timers of the tickets created in ``period`` while the version was in force (``in_force``,
    default the whole period), attainment per priority, and the penalty — pro rata the part of
    the period the version was in force when it is a percentage of the fee, rounded half up to
    the currency's minor unit (ISO 4217), as credits are."""
    lo, hi = period
    span_lo, span_hi = in_force if in_force is not None else period
    span_lo, span_hi = max(lo, span_lo), min(hi, span_hi)
    share = Fraction(max(to_epoch(span_hi) - to_epoch(span_lo), 0), to_epoch(hi) - to_epoch(lo))
    mine = [t for t in tickets if t.customer == version.customer and span_lo <= t.created < span_hi]
    timers = ticket_timers(mine, commitment, clock=clock, at=at)
    not_measured = _not_measured(version, commitment, mine, at)
    shares = attainment(timers, commitment)
    verdicts = [a.ok for a in shares if a.ok is not None]
    met = None if not verdicts else all(verdicts)
    penalty = penalty_fee = None
    if met is False:
        penalty_fee = Money(amount=period_fee(version, (), share), currency=version.currency)
        penalty = support_penalty(version, commitment, share)
    return SupportResult(
        agreement=version.agreement,
        version=version.version,
        commitment=commitment.name,
        period_start=lo,
        period_end=hi,
        timers=timers,
        attainment=shares,
        met=met,
        penalty=penalty,
        penalty_fee=penalty_fee,
        pro_rata=pro_rata(version, (), share) if penalty_fee is not None else None,
        not_measured=not_measured,
    )


def support_penalty(
    version: AgreementVersion, commitment: SupportCommitment, share: Fraction
) -> Money:
    """The penalty of a missed ``commitment``: its percent of the version's fee pro rata
    ``share`` plus its amount in full, rounded as credits are: half up to the currency's minor
    unit (JPY 1, BHD 0.001)."""
    fee, amount = period_fee(version, (), share), Decimal(0)
    if commitment.penalty_percent is not None:
        amount += fee * commitment.penalty_percent / 100
    if commitment.penalty_amount is not None:
        amount += commitment.penalty_amount
    unit = quantum(version.currency)
    return Money(amount=amount.quantize(unit, rounding=ROUND_HALF_UP), currency=version.currency)


def _not_measured(
    version: AgreementVersion,
    commitment: SupportCommitment,
    tickets: Sequence[Ticket],
    at: datetime,
) -> tuple[NotMeasured, ...]:
    """The ``tickets`` (created by ``at``) whose priority no support commitment of ``version``
    has a target for — said once, on the version's first support commitment."""
    if not version.support or commitment is not version.support[0]:
        return ()
    priorities = {p for c in version.support for p in targets_by_priority(c)}
    return tuple(
        NotMeasured(
            ticket=t.id,
            priority=t.priority,
            created=t.created,
            reason=f"no target for priority {t.priority} in {version.agreement} v{version.version}",
        )
        for t in sorted(tickets, key=lambda t: (t.created, t.id))
        if t.priority not in priorities and t.created <= at
    )
