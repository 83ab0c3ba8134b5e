"""The business clock of a batch of tickets, read from day tables (:mod:`covenant.core.day_tables`).

``clock_at`` gives each ticket's calendar's business seconds before an instant; ``due``
inverts it (the earliest instant at which the clock reads a target). Both work on flat arrays,
one element per ticket, with each ticket's calendar given as its first row in the table
(``calendar * (days + 1)``). Arithmetic is int32 where the numbers fit (instants relative to
the table's first midnight, business seconds of one calendar), which halves the memory traffic
of every pass; gathers fetch a pattern and a running total (and a quantum's two numbers) in one
64-bit load, with int64 indices (``take`` converts int32 ones first, at 3x the cost).

The batch functions (:func:`clocks`, :func:`elapsed`, :func:`deadlines`) run those kernels over
:data:`CHUNK` tickets at a time, so every temporary of a pass stays in cache and is reused.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from covenant.core.calendars import DAY_S
from covenant.core.day_tables import DayTable
from covenant.core.timeutil import from_epoch
from covenant.errors import InputError, OutsideCompiledRangeError

Int64Array = npt.NDArray[np.int64]
IntArray = npt.NDArray[np.int32] | npt.NDArray[np.int64]

_STEPS = 8  # days stepped forward before a deadline falls back to a binary search
CHUNK = 1 << 16
"""Tickets per pass of the batch functions: the temporaries of a pass (a few arrays of this
length) stay in a core's cache and are reused, where whole-batch temporaries would each be
fresh memory (a 1 M-ticket batch runs ~1.5x faster in chunks of 64 Ki)."""

BEYOND_HINT = (
    "compile over a longer range that covers the latest deadline too (a larger "
    "ahead= for compile_calendars, or a later end=)"
)


def _when(seconds: int) -> str:
    """An instant for a message: ISO 8601 when a datetime can hold it, else epoch seconds."""
    try:
        return from_epoch(seconds).isoformat()
    except (OverflowError, ValueError):
        return f"{seconds} (epoch seconds)"


def check(values: Int64Array, lo: int, hi: int, *, what: str) -> None:
    """Every instant in ``[lo, hi]``, else :class:`OutsideCompiledRangeError`."""
    if values.size == 0 or (lo <= values.min() and values.max() <= hi):
        return
    outside = (values < lo) | (values > hi)
    bad = int(values.reshape(-1)[np.flatnonzero(outside.reshape(-1))[0]])
    raise OutsideCompiledRangeError(
        f"{what} {_when(bad)} is outside the compiled calendar range "
        f"{from_epoch(lo).isoformat()} .. {from_epoch(hi).isoformat()}",
        hint="compile over a range that covers every ticket instant and deadline: "
        "compile_calendars(calendars, covering=(created, resolved), ahead=...) or "
        "compile_calendar(calendar, start=..., end=...)",
    )


@dataclass(frozen=True, slots=True)
class Rows:
    """Each ticket's calendar, checked, read as the calendar's first row in the table
    (``calendar * (days + 1)``) a chunk at a time (a full int64 array of them is never made)."""

    index: IntArray | None  # the flat calendar index of each ticket; None: all calendar 0
    stride: int  # rows per calendar

    def part(self, lo: int, hi: int) -> Int64Array:
        """The first rows of tickets ``lo..hi-1``."""
        if self.index is None:
            return np.zeros(hi - lo, dtype=np.int64)
        return np.multiply(self.index[lo:hi], self.stride, dtype=np.int64)

    def of(self, tickets: Int64Array) -> Int64Array:
        """The first rows of the tickets numbered ``tickets``."""
        if self.index is None:
            return np.zeros(tickets.size, dtype=np.int64)
        return np.multiply(self.index[tickets], self.stride, dtype=np.int64)


def first_rows(table: DayTable, calendar: object, shape: tuple[int, ...]) -> Rows:
    """Each ticket's calendar (an int array broadcast to ``shape``, or ``None`` for a table of
    one calendar), checked."""
    size = int(np.prod(shape))
    if calendar is None:
        if table.count != 1:
            raise InputError(
                f"these are {table.count} compiled calendars; say which one each ticket uses",
                hint="pass calendar= an array of calendar indices, one per ticket",
            )
        return Rows(None, table.days + 1)
    index = np.asarray(calendar)
    if index.dtype.kind not in "iu":
        raise InputError(
            f"calendar indices must be integers, got dtype {index.dtype}",
            hint="pass calendar= an int array indexing the compiled calendars",
        )
    if index.size and (int(index.min()) < 0 or int(index.max()) >= table.count):
        bad = int(index.max()) if int(index.max()) >= table.count else int(index.min())
        raise InputError(
            f"calendar index {bad} is out of range: {table.count} calendar(s) were compiled",
            hint="index the calendars in the order they were passed to compile_calendars",
        )
    if index.size == size:
        return Rows(index.reshape(-1), table.days + 1)
    return Rows(np.broadcast_to(index, shape).reshape(-1).astype(np.int64), table.days + 1)


def _day_and_second(table: DayTable, t: Int64Array) -> tuple[IntArray, IntArray]:
    rel = np.empty(t.shape, dtype=np.int32)
    np.subtract(t, table.origin, out=rel, casting="unsafe")  # < 50 years: fits
    day = rel // DAY_S
    rel -= day * DAY_S
    return day, rel


def _within(table: DayTable, second: IntArray, pattern_m: IntArray) -> npt.NDArray[np.int32]:
    """Business seconds of the day before ``second`` (``pattern_m``: pattern * quanta)."""
    quantum = (second // table.q).astype(np.intp)  # take() is slow with int32 indices
    quantum += pattern_m
    found = np.take(table.ac.view(np.int64).reshape(-1), quantum).view(np.int32).reshape(-1, 2)
    value: npt.NDArray[np.int32] = second - found[:, 0]
    np.minimum(value, found[:, 1], out=value)
    if table.any_irregular:
        pattern = pattern_m // table.quanta
        odd = np.flatnonzero(table.irregular[pattern])
        if odd.size:
            p, s = pattern[odd], second[odd][:, None]
            starts = table.starts[p]
            value[odd] = np.clip(s - starts, 0, table.ends[p] - starts).sum(axis=1)
    return value


def clock_at(table: DayTable, t: Int64Array, first: IntArray) -> npt.NDArray[np.int32]:
    """Business seconds of each ticket's calendar before ``t`` (``t`` checked to lie in the
    table's days; ``first`` from :func:`first_rows`)."""
    day, second = _day_and_second(table, t)
    row = first + day
    pair = np.take(table.rows.view(np.int64).reshape(-1), row).view(np.int32).reshape(-1, 2)
    value = _within(table, second, pair[:, 0])
    value += pair[:, 1]
    return value


def due(
    table: DayTable, t: Int64Array, seconds: Int64Array | int, first: IntArray, end: int
) -> Int64Array:
    """The earliest instant at which each ticket's clock reads ``seconds`` more than at ``t``
    (``seconds`` > 0: one number for all, or one per ticket), at most ``end``."""
    day, second = _day_and_second(table, t)
    row = first + day
    got = np.take(table.rows_ahead.view(np.complex128).reshape(-1), row)
    got4 = got.view(np.int32).reshape(-1, 4)
    pattern_m, dc = got4[:, 0], got4[:, 1]
    most = seconds if isinstance(seconds, int) else int(seconds.max(initial=0))
    target: npt.NDArray[np.int32] | Int64Array = _within(table, second, pattern_m)
    if table.most + most >= 2**31:  # business seconds of the calendar: int64 when they must
        target = target.astype(np.int64)
    elif not isinstance(seconds, int):
        seconds = seconds.astype(np.int32)
    target += seconds
    target += dc
    # a deadline not reached within its own day moves to the next day with business time
    later = got4[:, 2] < target
    if later.any():
        ahead = table.rows_ahead.view(np.complex128).reshape(-1)
        skipped = got4[:, 3] * later
        at = row + skipped
        got4 = np.take(ahead, at).view(np.int32).reshape(-1, 4)
        pending = np.flatnonzero(got4[:, 2] < target)
        if pending.size:  # not there either: step on (a few), or search (very few)
            for _ in range(_STEPS):
                at[pending] += got4[pending, 3]
                got4[pending] = np.take(ahead, at[pending]).view(np.int32).reshape(-1, 4)
                pending = pending[got4[pending, 2] < target[pending]]
                if not pending.size:
                    break
            if pending.size:  # many closed days: search the calendar's line
                line_goal = target[pending] + first[pending] * np.int64(DAY_S)
                at[pending] = np.searchsorted(table.line(), line_goal, side="left") - 1
                got4[pending] = np.take(ahead, at[pending]).view(np.int32).reshape(-1, 4)
            skipped = (at - row).astype(np.int32)
        if int((day + skipped).max()) >= table.days:
            raise OutsideCompiledRangeError(
                "a deadline falls after the end of the compiled calendar range "
                f"({from_epoch(end).isoformat()})",
                hint=BEYOND_HINT,
            )
        pattern_m, dc = got4[:, 0], got4[:, 1]
        second -= skipped * DAY_S  # the start of the day it falls in, before t
    need = target - dc  # >= 1: business seconds of the day still to run
    j = ((need - 1) // table.q).astype(np.intp)
    j += pattern_m
    within = np.take(table.inv, j) + need  # seconds after the midnight of the day it falls in
    if table.any_irregular:
        pattern = pattern_m // table.quanta
        odd = np.flatnonzero(table.irregular[pattern])
        if odd.size:
            p, w = pattern[odd], need[odd]
            starts, before = table.starts[p], table.before[p]
            reached = before + (table.ends[p] - starts)
            k = (reached < w[:, None]).sum(axis=1)
            pick = np.arange(odd.size)
            within[odd] = starts[pick, k] + (w - before[pick, k])
    within -= second
    result: Int64Array = t + within
    if result.size and int(result.max()) > end:
        raise OutsideCompiledRangeError(
            "a deadline falls after the end of the compiled calendar range "
            f"({from_epoch(end).isoformat()})",
            hint=BEYOND_HINT,
        )
    return result


# ----------------------------------------------------------------------------- batches


def clocks(
    table: DayTable, t: Int64Array, rows: Rows, tickets: Int64Array | None = None
) -> Int64Array:
    """:func:`clock_at` of every instant in ``t``, a chunk at a time; instant ``i`` belongs to
    ticket ``tickets[i]`` (ticket ``i`` when ``tickets`` is ``None``)."""
    out = np.empty(t.size, dtype=np.int64)
    for lo in range(0, t.size, CHUNK):
        hi = min(lo + CHUNK, t.size)
        first = rows.part(lo, hi) if tickets is None else rows.of(tickets[lo:hi])
        out[lo:hi] = clock_at(table, t[lo:hi], first)
    return out


def elapsed(table: DayTable, a: Int64Array, b: Int64Array, rows: Rows) -> Int64Array:
    """Business seconds of ticket ``i``'s calendar in ``[a[i], b[i])`` (0 when empty)."""
    out = np.empty(a.size, dtype=np.int64)
    for lo in range(0, a.size, CHUNK):
        hi = min(lo + CHUNK, a.size)
        first = rows.part(lo, hi)
        value = clock_at(table, b[lo:hi], first)
        value -= clock_at(table, a[lo:hi], first)
        np.maximum(value, 0, out=out[lo:hi])
    return out


def deadlines(
    table: DayTable,
    t: Int64Array,
    seconds: Int64Array | int,
    rows: Rows,
    end: int,
    tickets: Int64Array | None = None,
) -> Int64Array:
    """:func:`due` of every instant in ``t``, a chunk at a time (``tickets`` as in
    :func:`clocks`; ``seconds`` one number for all, or one per instant)."""
    out = np.empty(t.size, dtype=np.int64)
    for lo in range(0, t.size, CHUNK):
        hi = min(lo + CHUNK, t.size)
        first = rows.part(lo, hi) if tickets is None else rows.of(tickets[lo:hi])
        part = seconds if isinstance(seconds, int) else seconds[lo:hi]
        out[lo:hi] = due(table, t[lo:hi], part, first, end)
    return out


__all__ = [
    "BEYOND_HINT",
    "CHUNK",
    "Rows",
    "check",
    "clock_at",
    "clocks",
    "deadlines",
    "due",
    "elapsed",
    "first_rows",
]
