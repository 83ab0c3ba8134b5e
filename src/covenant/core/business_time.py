"""Business time: elapsed business seconds and deadlines, vectorised over arrays of tickets.

Everything works on a compiled :class:`~covenant.core.calendars.IntervalTable` and integer
epoch seconds (int64 arrays, one element per ticket). ``B(t)``, the business seconds between
the table's start and ``t``, is one ``searchsorted`` over the table; elapsed time is a
difference of two ``B`` values and a deadline is the inverse of ``B``. No Python loop runs per
ticket: pauses are merged with sorts and running maxima, and deadlines with pauses loop over
the *k*-th pause of all tickets at once (as many rounds as the most-paused ticket has pauses).

Conventions (see ``docs/business-time.md``):

* elapsed business time over ``[start, end)`` is 0 when ``end <= start``;
* paused time never counts: elapsed = business seconds in ``[start, end)`` minus business
  seconds in (merged pauses ∩ ``[start, end)``); a pause still open is passed with its end set
  to the evaluation instant;
* the deadline of ``N`` business seconds after ``start`` is the *earliest* instant ``d`` with
  ``elapsed(start, d) == N``: business time that runs out at Friday 17:00 is due Friday 17:00,
  not Monday 08:00; ``N == 0`` is due at ``start``;
* instants and durations are whole seconds; datetimes with sub-second parts are truncated
  toward the past, so a breach test ``elapsed > target`` is exact integer arithmetic;
* every instant asked about must lie in the table's compiled range, else ``InputError``
  (never a silent 0), and so must every deadline.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np
import numpy.typing as npt

from covenant.core.calendars import (
    DAY_S,
    Calendar,
    Closure,
    DayHours,
    IntervalTable,
    ScheduleChange,
    Shift,
    WeeklyHours,
    clock,
    compile_calendar,
    format_clock,
)
from covenant.core.timeutil import from_epoch, to_epoch
from covenant.errors import InputError

Int64Array = npt.NDArray[np.int64]

_BAND_LIMIT = 2**62


def _instants(values: npt.ArrayLike, *, what: str) -> Int64Array:
    array = np.asarray(values)
    if array.dtype.kind not in "iu":
        raise InputError(
            f"{what} must be integer epoch seconds, got dtype {array.dtype}",
            hint="convert datetimes with covenant.core.timeutil.to_epoch, or use the scalar "
            "wrappers business_time_between / business_deadline_after",
        )
    return array.astype(np.int64, copy=False)


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class Pauses:
    """Pause intervals of many tickets, flattened: pause ``i`` of ticket ``ticket[i]`` runs over
    ``[start[i], end[i])`` (epoch seconds). Any order; overlapping pauses of one ticket merge.
    ``ticket`` indexes the ticket arrays passed alongside. A pause still open has ``end`` = the
    evaluation instant.
    """

    ticket: Int64Array
    start: Int64Array
    end: Int64Array

    def __post_init__(self) -> None:
        arrays = [
            _instants(getattr(self, n), what=f"pause {n}") for n in ("ticket", "start", "end")
        ]
        if any(a.ndim != 1 for a in arrays) or len({a.size for a in arrays}) != 1:
            raise InputError(
                "pause ticket, start and end must be 1-D arrays of one length",
                hint="one element per pause",
            )
        for name, array in zip(("ticket", "start", "end"), arrays, strict=True):
            object.__setattr__(self, name, array)
        ticket, start, end = arrays
        if ticket.size and ticket.min() < 0:
            raise InputError("a pause has a negative ticket index", hint="index the ticket arrays")
        if (end < start).any():
            i = int(np.flatnonzero(end < start)[0])
            raise InputError(
                f"pause {i} of ticket {int(ticket[i])} ends before it starts",
                hint="give each pause as (start, end) with end >= start; an open pause ends "
                "at the evaluation instant",
            )

    @classmethod
    def none(cls) -> Pauses:
        empty = np.zeros(0, dtype=np.int64)
        return cls(ticket=empty, start=empty, end=empty)

    @classmethod
    def from_lists(cls, per_ticket: Iterable[Iterable[tuple[int, int]]]) -> Pauses:
        """Pauses from one list of ``(start, end)`` epoch-second pairs per ticket."""
        rows = [(i, s, e) for i, spans in enumerate(per_ticket) for s, e in spans]
        if not rows:
            return cls.none()
        ticket, start, end = (np.array(col, dtype=np.int64) for col in zip(*rows, strict=True))
        return cls(ticket=ticket, start=start, end=end)

    def __len__(self) -> int:
        return int(self.ticket.size)


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class _Merged:
    """Disjoint pauses sorted by (ticket, start); ``rank`` is the pause's index in its ticket."""

    ticket: Int64Array
    start: Int64Array
    end: Int64Array
    rank: Int64Array


def _merge(pauses: Pauses, tickets: int) -> _Merged:
    if len(pauses) and pauses.ticket.max() >= tickets:
        raise InputError(
            f"a pause refers to ticket {int(pauses.ticket.max())} but there are {tickets}",
            hint="pause ticket indexes must index the start/end arrays",
        )
    keep = pauses.end > pauses.start
    ticket, start, end = pauses.ticket[keep], pauses.start[keep], pauses.end[keep]
    order = np.lexsort((start, ticket))
    ticket, start, end = ticket[order], start[order], end[order]
    if ticket.size == 0:
        return _Merged(ticket=ticket, start=start, end=end, rank=ticket)
    # Put each ticket on its own band of the number line so one running maximum of the ends
    # never carries over from one ticket to the next.
    first = np.concatenate([[True], ticket[1:] != ticket[:-1]])
    band = np.cumsum(first) - 1
    base = int(start.min())
    width = int(end.max()) - base + 1
    if int(band[-1]) * width >= _BAND_LIMIT:
        raise InputError(
            "too many paused tickets over too long a range for one call",
            hint="split the tickets into smaller batches",
        )
    shift = band * width - base
    reach = np.maximum.accumulate(end + shift)
    opens = np.concatenate([[True], start[1:] + shift[1:] > reach[:-1]])
    heads = np.flatnonzero(opens)
    m_ticket = ticket[heads]
    m_start = start[heads]
    m_end = np.maximum.reduceat(end, heads)
    m_first = np.concatenate([[True], m_ticket[1:] != m_ticket[:-1]])
    index = np.arange(heads.size, dtype=np.int64)
    rank = index - np.maximum.accumulate(np.where(m_first, index, 0))
    return _Merged(ticket=m_ticket, start=m_start, end=m_end, rank=rank)


def _check_range(table: IntervalTable, values: Int64Array, *, what: str) -> None:
    if values.size == 0:
        return
    outside = (values < table.start) | (values > table.end)
    if outside.any():
        bad = int(values[np.flatnonzero(outside)[0]])
        raise InputError(
            f"{what} {from_epoch(bad).isoformat()} is outside the compiled calendar range "
            f"{from_epoch(table.start).isoformat()} .. {from_epoch(table.end).isoformat()}",
            hint="compile the calendar over a range that covers every ticket instant and "
            "deadline: compile_calendar(calendar, start=..., end=...)",
        )


def business_seconds_at(table: IntervalTable, at: npt.ArrayLike) -> Int64Array:
    """Business seconds from the table's start up to each instant in ``at`` (a running clock).

    Differences of this clock are elapsed business time; instants must be in the range.
    """
    t = _instants(at, what="instant")
    _check_range(table, t, what="instant")
    return _clock(table, t)


def _clock(table: IntervalTable, t: Int64Array) -> Int64Array:
    if len(table) == 0:
        return np.zeros_like(t)
    i = np.searchsorted(table.starts, t, side="right") - 1
    j = np.maximum(i, 0)
    inside = np.minimum(t - table.starts[j], table.ends[j] - table.starts[j])
    return np.where(i >= 0, table.cum[j] + inside, 0)


def _first_instant_reaching(table: IntervalTable, target: Int64Array) -> Int64Array:
    """The earliest instant at which the business clock reads ``target`` (> 0)."""
    reached = table.cum + table.lengths
    j = np.searchsorted(reached, target, side="left")
    if (j >= len(table)).any():
        raise InputError(
            "a deadline falls after the end of the compiled calendar range "
            f"({from_epoch(table.end).isoformat()})",
            hint="compile the calendar over a longer range (cover the latest deadline too)",
        )
    return table.starts[j] + (target - table.cum[j])


def business_seconds_between(
    table: IntervalTable,
    start: npt.ArrayLike,
    end: npt.ArrayLike,
    *,
    pauses: Pauses | None = None,
) -> Int64Array:
    """Elapsed business seconds in ``[start[i], end[i])`` minus paused business seconds.

    ``start``/``end`` are int64 epoch seconds (broadcast together); 0 where ``end <= start``.
    """
    a, b = np.broadcast_arrays(_instants(start, what="start"), _instants(end, what="end"))
    _check_range(table, a, what="start")
    _check_range(table, b, what="end")
    out = np.maximum(_clock(table, b) - _clock(table, a), 0)
    if pauses is not None and len(pauses):
        flat_a, flat_b = a.reshape(-1), b.reshape(-1)
        merged = _merge(pauses, flat_a.size)
        lo = np.maximum(merged.start, flat_a[merged.ticket])
        hi = np.minimum(merged.end, flat_b[merged.ticket])
        cut = hi > lo
        paused = _clock(table, hi[cut]) - _clock(table, lo[cut])
        flat = out.reshape(-1).copy()
        np.subtract.at(flat, merged.ticket[cut], paused)
        out = flat.reshape(out.shape)
    return np.asarray(out, dtype=np.int64)


def business_deadline(
    table: IntervalTable,
    start: npt.ArrayLike,
    seconds: npt.ArrayLike,
    *,
    pauses: Pauses | None = None,
) -> Int64Array:
    """The earliest instant by which ``seconds`` business seconds, not counting pauses, have
    elapsed after ``start`` (int64 epoch seconds, broadcast together); ``start`` when 0.
    """
    a, n = np.broadcast_arrays(_instants(start, what="start"), _instants(seconds, what="seconds"))
    shape = a.shape
    a, n = a.reshape(-1), n.reshape(-1)
    if (n < 0).any():
        raise InputError(
            "business seconds must be >= 0", hint="a deadline is after its start, never before"
        )
    _check_range(table, a, what="start")
    cursor = a.copy()
    remaining = n.copy()
    if pauses is not None and len(pauses):
        merged = _merge(pauses, a.size)
        p_start = np.minimum(merged.start, table.end)
        p_end = np.minimum(merged.end, table.end)
        order = np.argsort(merged.rank, kind="stable")
        bounds = np.cumsum(np.bincount(merged.rank))
        done = remaining == 0
        for kth in np.split(order, bounds[:-1]):  # the k-th pause of every ticket
            live = ~done[merged.ticket[kth]] & (p_end[kth] > cursor[merged.ticket[kth]])
            rows = kth[live]
            ticket = merged.ticket[rows]
            here = cursor[ticket]
            until = np.maximum(p_start[rows], here)
            available = _clock(table, until) - _clock(table, here)
            need = remaining[ticket]
            falls_before = available >= need
            done[ticket[falls_before]] = True
            moved = ~falls_before
            remaining[ticket[moved]] = need[moved] - available[moved]
            cursor[ticket[moved]] = p_end[rows][moved]
    out = cursor.copy()
    due = remaining > 0
    out[due] = _first_instant_reaching(table, _clock(table, cursor[due]) + remaining[due])
    out[n == 0] = a[n == 0]
    return out.reshape(shape)


def _pause_arrays(pauses: Iterable[tuple[datetime, datetime]]) -> Pauses:
    spans = [(to_epoch(s), to_epoch(e)) for s, e in pauses]
    return Pauses.from_lists([spans])


def _whole_seconds(duration: timedelta) -> int:
    if duration.microseconds:
        raise InputError(
            f"business duration {duration} has a fraction of a second",
            hint="give whole seconds: targets are compared in integer seconds",
        )
    return duration.days * DAY_S + duration.seconds


def business_time_between(
    table: IntervalTable,
    start: datetime,
    end: datetime,
    *,
    pauses: Iterable[tuple[datetime, datetime]] = (),
) -> timedelta:
    """Business time between two aware datetimes, minus ``(start, end)`` pauses (scalar API)."""
    elapsed = business_seconds_between(
        table,
        np.array([to_epoch(start)]),
        np.array([to_epoch(end)]),
        pauses=_pause_arrays(pauses),
    )
    return timedelta(seconds=int(elapsed[0]))


def business_deadline_after(
    table: IntervalTable,
    start: datetime,
    duration: timedelta,
    *,
    pauses: Iterable[tuple[datetime, datetime]] = (),
) -> datetime:
    """The UTC instant ``duration`` of business time after ``start``, pauses not counting."""
    if duration < timedelta(0):
        raise InputError(f"business duration {duration} is negative", hint="give a duration >= 0")
    due = business_deadline(
        table,
        np.array([to_epoch(start)]),
        np.array([_whole_seconds(duration)]),
        pauses=_pause_arrays(pauses),
    )
    return from_epoch(int(due[0]))


__all__ = [
    "Calendar",
    "Closure",
    "DayHours",
    "IntervalTable",
    "Pauses",
    "ScheduleChange",
    "Shift",
    "WeeklyHours",
    "business_deadline",
    "business_deadline_after",
    "business_seconds_at",
    "business_seconds_between",
    "business_time_between",
    "clock",
    "compile_calendar",
    "format_clock",
]
