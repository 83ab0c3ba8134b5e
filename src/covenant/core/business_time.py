"""Business time: elapsed business seconds and deadlines, vectorised over batches of tickets.

Everything works on compiled calendars: one :class:`IntervalTable`, or a :class:`CalendarSet`
of many calendars compiled over one range, where each ticket names its calendar by index
(``calendar=`` an int array). ``B(t)``, the business seconds of a calendar up to ``t``, is read
for the whole batch from day tables (:mod:`covenant.core.day_tables`: per calendar and UTC day
a pattern and a running total, per pattern its open quanta) with two gathers per instant
(:mod:`covenant.core.business_clock`); elapsed time is a difference of two ``B`` values and a
deadline is the inverse of ``B``. No Python loop runs per ticket or per calendar: pauses are
merged with sorts and running maxima, and deadlines with pauses loop over the *k*-th pause of
all tickets at once (as many rounds as the most-paused ticket has pauses).

Conventions (see ``docs/business-time.md``):

* instants are aware datetimes or integer epoch seconds (:func:`epoch_seconds`), one element
  per ticket in the array functions; a naive datetime raises ``NaiveDatetimeError``;
* elapsed business time over ``[start, end)`` is 0 when ``end <= start``;
* paused time never counts: elapsed = business seconds in ``[start, end)`` minus business
  seconds in (merged pauses ∩ ``[start, end)``); a pause still open is passed with its end set
  to the evaluation instant;
* the deadline of ``N`` business seconds after ``start`` is the *earliest* instant ``d`` with
  ``elapsed(start, d) == N``: business time that runs out at Friday 17:00 is due Friday 17:00,
  not Monday 08:00; ``N == 0`` is due at ``start``;
* instants and durations are whole seconds; datetimes with sub-second parts are truncated
  toward the past, so a breach test ``elapsed > target`` is exact integer arithmetic;
* every instant asked about must lie in the compiled range, and so must every deadline, else
  ``OutsideCompiledRangeError`` (never a silent 0).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from weakref import WeakKeyDictionary

import numpy as np
import numpy.typing as npt

from covenant.core.business_clock import (
    BEYOND_HINT,
    Rows,
    check,
    clocks,
    deadlines,
    elapsed,
    first_rows,
)
from covenant.core.calendar_compile import compile_calendar, compile_calendars, covering_range
from covenant.core.calendars import (
    DAY_S,
    Calendar,
    Closure,
    DayHours,
    HolidayRule,
    ScheduleChange,
    Shift,
    WeeklyHours,
    clock,
    format_clock,
)
from covenant.core.day_tables import DayTable, from_intervals
from covenant.core.instants import Instant, epoch_seconds
from covenant.core.interval_tables import CalendarSet, IntervalTable
from covenant.core.pauses import Merged, Pauses, merge_pauses
from covenant.core.timeutil import from_epoch, to_epoch
from covenant.errors import InputError, OutsideCompiledRangeError

Int64Array = npt.NDArray[np.int64]
Compiled = IntervalTable | CalendarSet
"""What the arithmetic takes: one compiled calendar, or many (each ticket names one)."""


def _table(compiled: Compiled) -> DayTable:
    if isinstance(compiled, CalendarSet):
        return compiled.day_table
    if isinstance(compiled, IntervalTable):
        cached = _TABLES.get(compiled)
        if cached is None:
            origin = compiled.start - compiled.start % DAY_S
            days = (compiled.end - origin) // DAY_S + 1
            cached = _TABLES[compiled] = from_intervals(
                [(compiled.starts, compiled.ends)], origin, days
            )
        return cached
    raise InputError(
        f"business-time arithmetic needs compiled calendars, got {type(compiled).__name__}",
        hint="compile with compile_calendars([...], ...) or compile_calendar(...)",
    )


_TABLES: WeakKeyDictionary[IntervalTable, DayTable] = WeakKeyDictionary()


def business_seconds_at(
    compiled: Compiled, at: npt.ArrayLike | Instant, *, calendar: npt.ArrayLike | None = None
) -> Int64Array:
    """Business seconds from the range's start up to each instant in ``at`` (a running clock).

    Differences of this clock (for one calendar) are elapsed business time.
    """
    table = _table(compiled)
    t = epoch_seconds(at, what="instant")
    flat = t.reshape(-1)
    firsts = first_rows(table, calendar, t.shape)
    check(flat, compiled.start, compiled.end, what="instant")
    result = clocks(table, flat, firsts) - clocks(table, np.full_like(flat, compiled.start), firsts)
    return result.reshape(t.shape)


def business_seconds_between(
    compiled: Compiled,
    start: npt.ArrayLike | Instant,
    end: npt.ArrayLike | Instant,
    *,
    calendar: npt.ArrayLike | None = None,
    pauses: Pauses | None = None,
) -> Int64Array:
    """Elapsed business seconds in ``[start[i], end[i])`` minus paused business seconds.

    ``start``/``end`` (and ``calendar``, the index of each ticket's calendar in a
    :class:`CalendarSet`) broadcast together; 0 where ``end <= start``.
    """
    table = _table(compiled)
    a, b = epoch_seconds(start, what="start"), epoch_seconds(end, what="end")
    shape = np.broadcast_shapes(
        a.shape, b.shape, np.shape(calendar) if calendar is not None else ()
    )
    flat_a = np.broadcast_to(a, shape).reshape(-1)
    flat_b = np.broadcast_to(b, shape).reshape(-1)
    firsts = first_rows(table, calendar, shape)
    check(flat_a, compiled.start, compiled.end, what="start")
    check(flat_b, compiled.start, compiled.end, what="end")
    flat = elapsed(table, flat_a, flat_b, firsts)
    if pauses is not None and len(pauses):
        merged = merge_pauses(pauses, flat_a.size)
        lo = np.maximum(merged.start, flat_a[merged.ticket])
        hi = np.minimum(merged.end, flat_b[merged.ticket])
        cut = hi > lo
        owner = merged.ticket[cut]
        paused = clocks(table, hi[cut], firsts, owner) - clocks(table, lo[cut], firsts, owner)
        if owner.size:  # owners are sorted: sum each ticket's run of pauses
            heads = _heads(owner)
            flat[owner[heads]] -= np.add.reduceat(paused, heads)
    return flat.reshape(shape)


def business_deadline(
    compiled: Compiled,
    start: npt.ArrayLike | Instant,
    seconds: npt.ArrayLike,
    *,
    calendar: npt.ArrayLike | None = None,
    pauses: Pauses | None = None,
) -> Int64Array:
    """The earliest instant by which ``seconds`` business seconds, not counting pauses, have
    elapsed after ``start`` (epoch seconds; broadcast with ``start`` and ``calendar``);
    ``start`` when 0.
    """
    table = _table(compiled)
    n_raw = np.asarray(seconds)
    if n_raw.dtype.kind not in "iu":
        raise InputError(
            f"business seconds must be integers, got dtype {n_raw.dtype}",
            hint="give whole seconds (targets are compared in integer seconds)",
        )
    a_raw = epoch_seconds(start, what="start")
    shape = np.broadcast_shapes(
        a_raw.shape, n_raw.shape, np.shape(calendar) if calendar is not None else ()
    )
    a = np.broadcast_to(a_raw, shape).reshape(-1)
    firsts = first_rows(table, calendar, shape)
    if n_raw.ndim == 0:  # one target for every ticket
        lo_n = hi_n = int(n_raw)
        n: Int64Array | None = None  # made when needed
    else:
        n = np.broadcast_to(n_raw, shape).reshape(-1).astype(np.int64, copy=False)
        lo_n, hi_n = (int(n.min()), int(n.max())) if n.size else (0, 0)
    if lo_n < 0:
        raise InputError(
            "business seconds must be >= 0", hint="a deadline is after its start, never before"
        )
    check(a, compiled.start, compiled.end, what="start")
    span = compiled.end - compiled.start
    if hi_n > span:  # more than the whole range holds
        raise OutsideCompiledRangeError(
            "a deadline falls after the end of the compiled calendar range: "
            f"{hi_n} business seconds are more than "
            f"{from_epoch(compiled.start).isoformat()} .. {from_epoch(compiled.end).isoformat()} "
            "holds",
            hint=BEYOND_HINT,
        )
    merged = merge_pauses(pauses, a.size) if pauses is not None and len(pauses) else None
    if lo_n > 0:  # every ticket is due after its start: no subsets
        out = deadlines(table, a, lo_n if n is None else n, firsts, compiled.end)
        if merged is not None and merged.ticket.size:
            # a pause can only delay a deadline if the ticket's first pause starts before it
            heads = _heads(merged.ticket)
            owner = merged.ticket[heads]
            late = np.zeros(a.size, dtype=bool)
            late[owner[merged.start[heads] < out[owner]]] = True
            mine = late[merged.ticket]
            if mine.any():
                n = np.full(a.size, lo_n, dtype=np.int64) if n is None else n
                sub = Merged(
                    ticket=merged.ticket[mine], start=merged.start[mine], end=merged.end[mine]
                )
                who, cursor, left = _past_pauses(table, a, n, firsts, sub, compiled.end)
                out[who] = deadlines(table, cursor, left, firsts, compiled.end, tickets=who)
    else:
        n = np.full(a.size, lo_n, dtype=np.int64) if n is None else n
        cursor, left = a.copy(), n.copy()
        if merged is not None and merged.ticket.size:
            who, moved_to, still = _past_pauses(table, a, n, firsts, merged, compiled.end)
            cursor[who] = moved_to
            left[who] = still
        out = cursor.copy()
        late = np.flatnonzero(left > 0)
        if late.size:
            out[late] = deadlines(
                table, cursor[late], left[late], firsts, compiled.end, tickets=late
            )
        zero = n == 0
        out[zero] = a[zero]
    return out.reshape(shape)


def _heads(ticket: Int64Array) -> Int64Array:
    """Where each ticket's run begins in ``ticket`` (sorted, not empty)."""
    return np.flatnonzero(np.concatenate([[True], ticket[1:] != ticket[:-1]]))


def _past_pauses(
    table: DayTable, a: Int64Array, n: Int64Array, firsts: Rows, merged: Merged, end: int
) -> tuple[Int64Array, Int64Array, Int64Array]:
    """``(tickets, cursor, remaining)`` of the tickets that have pauses in ``merged`` (not
    empty): each one's deadline is ``remaining`` business seconds after ``cursor``, with no
    pause in between.

    A ticket's pauses (merged: disjoint, rising) are walked in order: before pause ``k`` the
    ticket gets the business time from the end of pause ``k - 1`` (or ``a``) to the start of
    pause ``k``, each clipped to ``[a, end]``. The clock is monotone, so that is a difference
    of clocks read at every pause's ends once, and the time gathered before each pause is a
    running sum within the ticket. The deadline comes before the first pause by which the sum
    reaches ``n``; the cursor is the end of the pause before that one (or ``a``).
    """
    ticket = merged.ticket
    at = a[ticket]
    lo = np.minimum(np.maximum(merged.start, at), end)
    hi = np.minimum(np.maximum(merged.end, at), end)
    heads = _heads(ticket)
    owner = ticket[heads]
    before = np.empty(ticket.size, dtype=np.int64)  # the clock where the time before it runs from
    before[1:] = clocks(table, hi[:-1], firsts, ticket[1:])
    before[heads] = clocks(table, a[owner], firsts, owner)
    gathered = clocks(table, lo, firsts, ticket)
    gathered -= before
    np.cumsum(gathered, out=gathered)  # then from the ticket's first pause only
    base = np.empty(heads.size, dtype=np.int64)
    base[0] = 0
    base[1:] = gathered[heads[1:] - 1]
    gathered -= np.repeat(base, np.diff(np.append(heads, ticket.size)))
    short = gathered < n[ticket]  # not there by the start of this pause: it runs past it
    passed = np.add.reduceat(short.astype(np.int64), heads)
    moved = passed > 0
    last = (heads + passed - 1)[moved]
    cursor = a[owner]
    cursor[moved] = hi[last]
    remaining = n[owner]
    remaining[moved] -= gathered[last]
    return owner, cursor, remaining


def _pause_arrays(pauses: Iterable[tuple[Instant, Instant]]) -> Pauses:
    return Pauses.from_lists([list(pauses)])


def _whole_seconds(duration: timedelta) -> int:
    if duration.microseconds:
        raise InputError(
            f"business duration {duration} has a fraction of a second",
            hint="give whole seconds: targets are compared in integer seconds",
        )
    return duration.days * DAY_S + duration.seconds


def business_time_between(
    compiled: Compiled,
    start: Instant,
    end: Instant,
    *,
    calendar: int | None = None,
    pauses: Iterable[tuple[Instant, Instant]] = (),
) -> timedelta:
    """Business time between two instants, minus ``(start, end)`` pauses (one ticket)."""
    elapsed = business_seconds_between(
        compiled,
        np.array([epoch_seconds(start, what="start")]),
        np.array([epoch_seconds(end, what="end")]),
        calendar=None if calendar is None else np.array([calendar]),
        pauses=_pause_arrays(pauses),
    )
    return timedelta(seconds=int(elapsed[0]))


def business_deadline_after(
    compiled: Compiled,
    start: Instant,
    duration: timedelta,
    *,
    calendar: int | None = None,
    pauses: Iterable[tuple[Instant, Instant]] = (),
) -> datetime:
    """The UTC instant ``duration`` of business time after ``start``, pauses not counting."""
    if duration < timedelta(0):
        raise InputError(f"business duration {duration} is negative", hint="give a duration >= 0")
    due = business_deadline(
        compiled,
        np.array([epoch_seconds(start, what="start")]),
        np.array([_whole_seconds(duration)]),
        calendar=None if calendar is None else np.array([calendar]),
        pauses=_pause_arrays(pauses),
    )
    return from_epoch(int(due[0]))


__all__ = [
    "Calendar",
    "CalendarSet",
    "Closure",
    "DayHours",
    "HolidayRule",
    "Instant",
    "IntervalTable",
    "OutsideCompiledRangeError",
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
    "compile_calendars",
    "covering_range",
    "epoch_seconds",
    "format_clock",
    "from_epoch",
    "to_epoch",
]
