"""Business time: elapsed business seconds and deadlines, vectorised over batches of tickets.

Everything works on compiled calendars: one :class:`IntervalTable`, or a :class:`CalendarSet`
of many calendars compiled over one range, where each ticket names its calendar by index
(``calendar=`` an int array). ``B(t)``, the business seconds of a calendar up to ``t``, is one
``searchsorted`` over the stacked tables for the whole batch; elapsed time is a difference of
two ``B`` values and a deadline is the inverse of ``B``. No Python loop runs per ticket or per
calendar: pauses are merged with sorts and running maxima, and deadlines with pauses loop over
the *k*-th pause of all tickets at once (as many rounds as the most-paused ticket has pauses).

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
from dataclasses import dataclass
from datetime import datetime, timedelta
from weakref import WeakKeyDictionary

import numpy as np
import numpy.typing as npt

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
from covenant.core.instants import Instant, epoch_seconds
from covenant.core.interval_tables import CalendarSet, IntervalTable
from covenant.core.pauses import Pauses, merge_pauses
from covenant.core.timeutil import from_epoch, to_epoch
from covenant.errors import InputError, OutsideCompiledRangeError

Int64Array = npt.NDArray[np.int64]
Compiled = IntervalTable | CalendarSet
"""What the arithmetic takes: one compiled calendar, or many (each ticket names one)."""


def _when(seconds: int) -> str:
    """An instant for a message: ISO 8601 when a datetime can hold it, else epoch seconds."""
    try:
        return from_epoch(seconds).isoformat()
    except (OverflowError, ValueError):
        return f"{seconds} (epoch seconds)"


_SENTINEL = 2**62
_MAX_STEPS = 24  # steps forward from a ticket's own day before a deadline falls back to a search


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class _Lines:
    """The compiled intervals as one number line: calendar ``k`` on band ``k * width``, with a
    sentinel interval at the end and an index of the first interval ending after each day of
    each band (so finding a ticket's interval is a lookup and a step or two, not a search)."""

    start: int
    end: int
    width: int
    starts: Int64Array  # sentinel-terminated
    ends: Int64Array
    cum: Int64Array
    reached: Int64Array  # cum + length: business seconds at the end of each interval
    bounds: Int64Array
    days: int
    day_first: Int64Array

    @classmethod
    def of(cls, compiled: Compiled) -> _Lines:
        cached = _LINES.get(compiled)
        if cached is not None:
            return cached
        if isinstance(compiled, IntervalTable):
            starts, ends, cum = compiled.starts, compiled.ends, compiled.cum
            bounds = np.array([0, len(compiled)], dtype=np.int64)
            width = compiled.end - compiled.start + 1
        elif isinstance(compiled, CalendarSet):
            starts, ends, cum = compiled.starts, compiled.ends, compiled.cum
            bounds, width = compiled.bounds, compiled.width
        else:
            raise InputError(
                f"business-time arithmetic needs compiled calendars, got {type(compiled).__name__}",
                hint="compile with compile_calendars([...], ...) or compile_calendar(...)",
            )
        total = int(cum[-1] + ends[-1] - starts[-1]) if starts.size else 0
        days = (compiled.end - compiled.start) // DAY_S + 1
        count = bounds.size - 1
        day_starts = (
            compiled.start
            + np.arange(count, dtype=np.int64)[:, None] * width
            + np.arange(days, dtype=np.int64)[None, :] * DAY_S
        )
        lines = cls(
            start=compiled.start,
            end=compiled.end,
            width=width,
            starts=np.append(starts, _SENTINEL),
            ends=np.append(ends, _SENTINEL),
            cum=np.append(cum, total),
            reached=np.append(cum + (ends - starts), total),
            bounds=bounds,
            days=days,
            day_first=np.searchsorted(ends, day_starts.reshape(-1), side="right"),
        )
        _LINES[compiled] = lines
        return lines

    @property
    def count(self) -> int:
        return int(self.bounds.size - 1)

    def band(self, calendar: object, shape: tuple[int, ...]) -> Int64Array:
        """Each ticket's calendar index, broadcast to ``shape`` and checked."""
        if calendar is None:
            if self.count != 1:
                raise InputError(
                    f"these are {self.count} compiled calendars; say which one each ticket uses",
                    hint="pass calendar= an array of calendar indices, one per ticket",
                )
            return np.zeros(shape, dtype=np.int64)
        index = np.asarray(calendar)
        if index.dtype.kind not in "iu":
            raise InputError(
                f"calendar indices must be integers, got dtype {index.dtype}",
                hint="pass calendar= an int array indexing the compiled calendars",
            )
        index = np.broadcast_to(index.astype(np.int64, copy=False), shape)
        if index.size and (int(index.min()) < 0 or int(index.max()) >= self.count):
            bad = int(index.max()) if int(index.max()) >= self.count else int(index.min())
            raise InputError(
                f"calendar index {bad} is out of range: {self.count} calendar(s) were compiled",
                hint="index the calendars in the order they were passed to compile_calendars",
            )
        return index

    def check(self, values: Int64Array, *, what: str) -> None:
        if values.size == 0 or (self.start <= values.min() and values.max() <= self.end):
            return
        outside = (values < self.start) | (values > self.end)
        if outside.any():
            bad = int(values.reshape(-1)[np.flatnonzero(outside.reshape(-1))[0]])
            raise OutsideCompiledRangeError(
                f"{what} {_when(bad)} is outside the compiled calendar range "
                f"{from_epoch(self.start).isoformat()} .. {from_epoch(self.end).isoformat()}",
                hint="compile over a range that covers every ticket instant and deadline: "
                "compile_calendars(calendars, covering=(created, resolved), ahead=...) or "
                "compile_calendar(calendar, start=..., end=...)",
            )

    def locate(self, t: Int64Array, band: Int64Array) -> tuple[Int64Array, Int64Array]:
        """``(i, shifted t)``: ``i`` is the first interval (of any band) ending after ``t``."""
        shifted = t + band * self.width
        if self.width == self.days * DAY_S:  # bands are whole days: one division finds the day
            i = self.day_first[(shifted - self.start) // DAY_S]
        else:
            i = self.day_first[band * self.days + (t - self.start) // DAY_S]
        pending = np.flatnonzero(self.ends[i] <= shifted)
        while pending.size:
            i[pending] += 1
            pending = pending[self.ends[i[pending]] <= shifted[pending]]
        return i, shifted

    def clock(self, t: Int64Array, band: Int64Array) -> Int64Array:
        """Business seconds of calendar ``band`` before ``t`` (plus the bands before it)."""
        i, shifted = self.locate(t, band)
        result: Int64Array = self.cum[i] + np.maximum(shifted - self.starts[i], 0)
        return result

    def first_reaching(self, target: Int64Array, i: Int64Array, band: Int64Array) -> Int64Array:
        """The earliest instant at which band ``band``'s clock reads ``target`` (> the clock at
        the start of interval ``i``)."""
        reached = self.reached
        last = self.starts.size - 1  # the sentinel
        j = i.copy()
        pending = np.flatnonzero((reached[j] < target) & (j < last))
        for _ in range(_MAX_STEPS):
            if not pending.size:
                break
            j[pending] += 1
            pending = pending[(reached[j[pending]] < target[pending]) & (j[pending] < last)]
        if pending.size:
            j[pending] = np.searchsorted(reached[:last], target[pending], side="left")
        if (j >= self.bounds[band + 1]).any():
            raise OutsideCompiledRangeError(
                "a deadline falls after the end of the compiled calendar range "
                f"({from_epoch(self.end).isoformat()})",
                hint="compile over a longer range that covers the latest deadline too (a larger "
                "ahead= for compile_calendars, or a later end=)",
            )
        result: Int64Array = self.starts[j] + (target - self.cum[j]) - band * self.width
        return result


_LINES: WeakKeyDictionary[Compiled, _Lines] = WeakKeyDictionary()


def business_seconds_at(
    compiled: Compiled, at: npt.ArrayLike | Instant, *, calendar: npt.ArrayLike | None = None
) -> Int64Array:
    """Business seconds from the range's start up to each instant in ``at`` (a running clock).

    Differences of this clock (for one calendar) are elapsed business time.
    """
    lines = _Lines.of(compiled)
    t = epoch_seconds(at, what="instant")
    band = lines.band(calendar, t.shape)
    lines.check(t, what="instant")
    result: Int64Array = lines.clock(t, band) - lines.clock(np.full_like(t, lines.start), band)
    return result


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
    lines = _Lines.of(compiled)
    a, b = np.broadcast_arrays(epoch_seconds(start, what="start"), epoch_seconds(end, what="end"))
    band = lines.band(calendar, a.shape)
    lines.check(a, what="start")
    lines.check(b, what="end")
    out = np.maximum(lines.clock(b, band) - lines.clock(a, band), 0)
    if pauses is not None and len(pauses):
        flat_a, flat_b, flat_band = a.reshape(-1), b.reshape(-1), band.reshape(-1)
        merged = merge_pauses(pauses, flat_a.size)
        lo = np.maximum(merged.start, flat_a[merged.ticket])
        hi = np.minimum(merged.end, flat_b[merged.ticket])
        cut = hi > lo
        owner = merged.ticket[cut]
        paused = lines.clock(hi[cut], flat_band[owner]) - lines.clock(lo[cut], flat_band[owner])
        flat = out.reshape(-1).copy()
        if owner.size:  # owners are sorted: sum each ticket's run of pauses
            heads = np.flatnonzero(np.concatenate([[True], owner[1:] != owner[:-1]]))
            flat[owner[heads]] -= np.add.reduceat(paused, heads)
        out = flat.reshape(out.shape)
    return np.asarray(out, dtype=np.int64)


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
    lines = _Lines.of(compiled)
    n_raw = np.asarray(seconds)
    if n_raw.dtype.kind not in "iu":
        raise InputError(
            f"business seconds must be integers, got dtype {n_raw.dtype}",
            hint="give whole seconds (targets are compared in integer seconds)",
        )
    a, n = np.broadcast_arrays(epoch_seconds(start, what="start"), n_raw.astype(np.int64))
    shape = a.shape
    band = lines.band(calendar, shape).reshape(-1)
    a, n = a.reshape(-1), n.reshape(-1)
    if (n < 0).any():
        raise InputError(
            "business seconds must be >= 0", hint="a deadline is after its start, never before"
        )
    lines.check(a, what="start")
    if n.size and int(n.max()) > lines.end - lines.start:  # more than the whole range holds
        raise OutsideCompiledRangeError(
            "a deadline falls after the end of the compiled calendar range: "
            f"{int(n.max())} business seconds are more than "
            f"{from_epoch(lines.start).isoformat()} .. {from_epoch(lines.end).isoformat()} holds",
            hint="compile over a longer range that covers the latest deadline too (a larger "
            "ahead= for compile_calendars, or a later end=)",
        )
    cursor = a.copy()
    remaining = n.copy()
    if pauses is not None and len(pauses):
        merged = merge_pauses(pauses, a.size)
        p_start = np.minimum(merged.start, lines.end)
        p_end = np.minimum(merged.end, lines.end)
        order = np.argsort(merged.rank, kind="stable")
        bounds = np.cumsum(np.bincount(merged.rank))
        done = remaining == 0
        for kth in np.split(order, bounds[:-1]):  # the k-th pause of every ticket
            live = ~done[merged.ticket[kth]] & (p_end[kth] > cursor[merged.ticket[kth]])
            rows = kth[live]
            ticket = merged.ticket[rows]
            here = cursor[ticket]
            until = np.maximum(p_start[rows], here)
            available = lines.clock(until, band[ticket]) - lines.clock(here, band[ticket])
            need = remaining[ticket]
            falls_before = available >= need
            done[ticket[falls_before]] = True
            moved = ~falls_before
            remaining[ticket[moved]] = need[moved] - available[moved]
            cursor[ticket[moved]] = p_end[rows][moved]
    out = cursor.copy()
    due = np.flatnonzero(remaining > 0)
    if due.size:
        i, shifted = lines.locate(cursor[due], band[due])
        target = lines.cum[i] + np.maximum(shifted - lines.starts[i], 0) + remaining[due]
        out[due] = lines.first_reaching(target, i, band[due])
    out[n == 0] = a[n == 0]
    return out.reshape(shape)


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
