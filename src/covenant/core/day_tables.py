"""Compiled calendars as day tables: a pattern and a running total per calendar and UTC day.

The business-time arithmetic (:mod:`covenant.core.business_clock`) reads a calendar's open time
through two small tables instead of searching its intervals:

* a **row** per calendar and UTC day of the range: the day's *pattern* (which seconds of the
  day are open) and ``dc``, the calendar's business seconds before the day starts;
* per **pattern**, the open quanta of the day: the day is cut into ``M`` quanta of ``q``
  seconds, where ``q`` divides every boundary of every regular pattern (a shift at 08:00 in a
  zone a whole number of hours from UTC gives ``q = 3600``); ``A[p, m]`` and ``C1[p, m]`` give
  the business seconds before any second of quantum ``m`` as ``min(s - A, C1)``, and ``INV``
  inverts it (the start of the ``j``-th open quantum).

So the business clock of calendar ``k`` at instant ``t`` is two gathers and a few integer
operations: ``dc[k, day] + min(s - A[p, m], C1[p, m])``. Patterns repeat (a Berlin weekday in
winter is one pattern for every calendar of those hours), so the pattern tables stay small.

A pattern whose boundaries are not whole minutes (a range clipped at an odd second, a shift at
08:00:30) is *irregular*: its quanta are not used, and the few tickets that land on it are
answered exactly from its pieces (at most a handful of intervals in a day).

Days are UTC days from ``origin`` (a UTC midnight): the patterns are cut from open intervals
over whole days, not clipped to the compiled range; the arithmetic checks the range itself.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from covenant.core.calendars import DAY_S
from covenant.errors import InputError

Int64Array = npt.NDArray[np.int64]
Int32Array = npt.NDArray[np.int32]
BoolArray = npt.NDArray[np.bool_]

_MINUTE = 60
_MULTIPLIERS = np.random.default_rng(20261201).integers(1, 2**62, 64, dtype=np.int64) | 1


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class DayTable:
    """Calendars ``0..count-1`` over the UTC days ``[origin, origin + days * DAY_S)``."""

    origin: int  # a UTC midnight
    days: int
    count: int
    q: int  # seconds per quantum
    most: int  # the most business seconds any calendar holds over the days
    rows: Int32Array  # (count * (days + 1), 2): pattern * quanta, dc (business seconds before)
    rows_ahead: Int32Array  # (count * (days + 1), 4): the same, the next row's dc, and the
    # rows to skip to the next day of the calendar with business time (0 on its last row)
    ac: Int32Array  # (patterns * M, 2): A, C1
    inv: Int32Array  # (patterns * M,)
    irregular: npt.NDArray[np.int8]  # per pattern: 1 when its quanta are not used
    starts: Int32Array  # (patterns, S): each pattern's pieces, seconds of the day, padded DAY_S
    ends: Int32Array
    before: Int32Array  # business seconds of the day before each piece

    @property
    def quanta(self) -> int:
        return DAY_S // self.q

    @property
    def any_irregular(self) -> bool:
        return bool(self.irregular.any())

    def line(self) -> Int64Array:
        """``dc`` as one rising line: calendar ``k``'s ``dc + k * (days + 1) * DAY_S``, then a
        cap (for a binary search over all calendars' rows at once)."""
        band = np.repeat(
            np.arange(self.count, dtype=np.int64) * (self.days + 1) * DAY_S, self.days + 1
        )
        band += self.rows[:, 1]
        return np.append(band, np.iinfo(np.int64).max)

    def total(self, k: int) -> int:
        """Business seconds of calendar ``k`` over all the days."""
        return int(self.rows[k * (self.days + 1) + self.days, 1])


# ----------------------------------------------------------------------------- pieces and rows


def day_pieces(
    starts: Int64Array, ends: Int64Array, owner: Int64Array, origin: int, days: int
) -> tuple[Int64Array, Int64Array, Int64Array]:
    """Intervals (sorted per owner, owners ascending) cut at UTC midnights: ``(row, lo, hi)``
    with ``row = owner * days + day`` and ``lo``/``hi`` seconds of that day."""
    rel_s, rel_e = starts - origin, ends - origin
    keep = rel_e > rel_s
    rel_s, rel_e, owner = rel_s[keep], rel_e[keep], owner[keep]
    d0 = rel_s // DAY_S
    count = (rel_e - 1) // DAY_S - d0 + 1
    which = np.repeat(np.arange(rel_s.size), count)
    first = np.cumsum(count) - count
    day = d0[which] + (np.arange(which.size) - first[which])
    base = day * DAY_S
    lo = np.maximum(rel_s[which] - base, 0)
    hi = np.minimum(rel_e[which] - base, DAY_S)
    return owner[which] * days + day, lo, hi


def slot_rows(row: Int64Array, lo: Int64Array, hi: Int64Array, count: int) -> npt.NDArray[np.int64]:
    """Pieces sorted by ``(row, lo)`` as ``(count, 2 S)``: ``lo, hi`` pairs, padded with
    empty pieces at ``DAY_S``."""
    if row.size == 0:
        return np.full((count, 2), DAY_S, dtype=np.int64)
    head = np.concatenate([[True], row[1:] != row[:-1]])
    first = np.maximum.accumulate(np.where(head, np.arange(row.size), 0))
    rank = np.arange(row.size) - first
    width = int(rank.max()) + 1
    slots = np.full((count, 2 * width), DAY_S, dtype=np.int64)
    slots[row, 2 * rank] = lo
    slots[row, 2 * rank + 1] = hi
    return slots


def unique_rows(rows: npt.NDArray[np.int64]) -> tuple[npt.NDArray[np.int64], Int64Array]:
    """``(unique, inverse)`` of the rows of a 2-D int array (by a hash, checked exactly)."""
    if rows.shape[0] == 0:
        return rows, np.zeros(0, dtype=np.int64)
    if rows.shape[1] > _MULTIPLIERS.size:
        unique, inverse = np.unique(rows, axis=0, return_inverse=True)
        return unique, inverse.reshape(-1)
    key = rows @ _MULTIPLIERS[: rows.shape[1]]  # wraps modulo 2**64: a hash
    _, first, inverse = np.unique(key, return_index=True, return_inverse=True)
    unique = rows[first]
    if not np.array_equal(unique[inverse], rows):  # a collision: sort the rows themselves
        unique, inverse = np.unique(rows, axis=0, return_inverse=True)
    return unique, inverse.reshape(-1)


def _pad(slots: npt.NDArray[np.int64], width: int) -> npt.NDArray[np.int64]:
    if slots.shape[1] == width:
        return slots
    extra = np.full((slots.shape[0], width - slots.shape[1]), DAY_S, dtype=np.int64)
    return np.concatenate([slots, extra], axis=1)


def subtract(
    open_slots: npt.NDArray[np.int64], closed_slots: npt.NDArray[np.int64]
) -> npt.NDArray[np.int64]:
    """Row by row, the open pieces minus the closed pieces, as slot rows."""
    count = open_slots.shape[0]
    os_, oe = open_slots[:, 0::2], open_slots[:, 1::2]
    cs, ce = closed_slots[:, 0::2], closed_slots[:, 1::2]
    points = np.sort(np.concatenate([os_, oe, cs, ce], axis=1), axis=1)
    lo, hi = points[:, :-1], points[:, 1:]
    at = lo[:, :, None]
    opened = ((os_[:, None, :] <= at) & (at < oe[:, None, :])).any(axis=2)
    closed = ((cs[:, None, :] <= at) & (at < ce[:, None, :])).any(axis=2)
    keep = opened & ~closed & (hi > lo)
    row, col = np.nonzero(keep)
    p_lo, p_hi = lo[row, col], hi[row, col]
    if row.size:  # merge pieces that touch within a row
        head = np.concatenate([[True], (row[1:] != row[:-1]) | (p_lo[1:] != p_hi[:-1])])
        heads = np.flatnonzero(head)
        tails = np.concatenate([heads[1:], [row.size]]) - 1
        row, p_lo, p_hi = row[heads], p_lo[heads], p_hi[tails]
    return slot_rows(row.astype(np.int64), p_lo, p_hi, count)


# ----------------------------------------------------------------------------- patterns


@dataclass(frozen=True, slots=True)
class _Patterns:
    q: int
    ac: Int32Array
    inv: Int32Array
    total: Int64Array
    irregular: npt.NDArray[np.int8]
    starts: Int32Array
    ends: Int32Array
    before: Int32Array


def _patterns(slots: npt.NDArray[np.int64]) -> _Patterns:
    count = slots.shape[0]
    starts, ends = slots[:, 0::2], slots[:, 1::2]
    lengths = ends - starts
    total = lengths.sum(axis=1)
    before = np.cumsum(lengths, axis=1) - lengths
    regular = (slots % _MINUTE == 0).all(axis=1)
    q = int(np.gcd.reduce(np.append(slots[regular].reshape(-1), DAY_S)))
    m_count = DAY_S // q
    # paint the open quanta of the regular patterns
    delta = np.zeros(count * (m_count + 1), dtype=np.int64)
    rows = np.repeat(np.arange(count), starts.shape[1]).reshape(count, -1)
    real = regular[:, None] & (lengths > 0)
    np.add.at(delta, (rows * (m_count + 1) + starts // q)[real], 1)
    np.add.at(delta, (rows * (m_count + 1) + ends // q)[real], -1)
    is_open = np.cumsum(delta.reshape(count, m_count + 1), axis=1)[:, :m_count] > 0
    cum = np.zeros((count, m_count + 1), dtype=np.int64)
    np.cumsum(is_open * q, axis=1, out=cum[:, 1:])
    m_start = np.arange(m_count, dtype=np.int64) * q
    ac = np.stack([m_start[None, :] - cum[:, :m_count], cum[:, 1:]], axis=-1)
    inv = np.zeros((count, m_count), dtype=np.int64)
    p, m = np.nonzero(is_open)
    j = cum[p, m] // q
    inv[p, j] = (m - j) * q
    return _Patterns(
        q=q,
        ac=np.ascontiguousarray(ac.reshape(-1, 2), dtype=np.int32),
        inv=inv.reshape(-1).astype(np.int32),
        total=total,
        irregular=(~regular).astype(np.int8),
        starts=starts.astype(np.int32),
        ends=ends.astype(np.int32),
        before=before.astype(np.int32),
    )


# ----------------------------------------------------------------------------- building


def build(
    *,
    origin: int,
    days: int,
    groups: Sequence[tuple[Int64Array, Int64Array]],
    group_of: Int64Array,
    closed: tuple[Int64Array, Int64Array, Int64Array] | None = None,
) -> DayTable:
    """The day table of calendars that each take a group's open intervals (sorted, disjoint,
    within the days) minus their own closed intervals ``closed = (calendar, lo, hi)`` (any
    order, may overlap)."""
    if days * DAY_S >= 2**31:  # instants within the days are counted in int32
        raise InputError(
            f"a calendar range of {days} days is too long for business-time arithmetic",
            hint="compile at most 50 years; compile per reporting period instead",
        )
    count = int(group_of.size)
    sizes = np.array([s.size for s, _ in groups], dtype=np.int64)
    empty = np.zeros(0, dtype=np.int64)
    g_starts = np.concatenate([s for s, _ in groups] or [empty])
    g_ends = np.concatenate([e for _, e in groups] or [empty])
    g_owner = np.repeat(np.arange(len(groups), dtype=np.int64), sizes)
    row, lo, hi = day_pieces(g_starts, g_ends, g_owner, origin, days)
    base_slots, base_of = unique_rows(slot_rows(row, lo, hi, len(groups) * days))

    base_grid = base_of.reshape(len(groups), days)  # each group's pattern of each day
    slots = base_slots
    c_row, c_lo, c_hi = (
        _closed_pieces(*closed, origin=origin, days=days, count=count)
        if closed is not None and closed[0].size
        else (empty, empty, empty)
    )
    if c_row.size:
        head = np.concatenate([[True], c_row[1:] != c_row[:-1]])  # rows come sorted
        touched = c_row[head]
        c_slots = slot_rows(np.cumsum(head) - 1, c_lo, c_hi, touched.size)
        touched_base = base_grid[group_of[touched // days], touched % days]
        keys = np.concatenate([touched_base[:, None], c_slots], axis=1)
        key_slots, key_of = unique_rows(keys)
        width = max(base_slots.shape[1], 2)
        made = subtract(_pad(base_slots[key_slots[:, 0]], width), key_slots[:, 1:])
        width = max(base_slots.shape[1], made.shape[1])
        slots, final_of = unique_rows(np.concatenate([_pad(base_slots, width), _pad(made, width)]))
        base_grid = final_of[base_grid]
        touched_pattern = final_of[base_slots.shape[0] + key_of]
    else:
        touched = touched_pattern = empty
    patterns = _patterns(slots)
    return _assemble(origin, days, (base_grid, group_of), (touched, touched_pattern), patterns)


def _assemble(
    origin: int,
    days: int,
    grid: tuple[Int64Array, Int64Array],
    own: tuple[Int64Array, Int64Array],
    patterns: _Patterns,
) -> DayTable:
    """The tables of calendars whose day ``d`` has the pattern of their group's day ``d``
    (``grid``: each group's pattern of each day, and each calendar's group), except the
    ``(calendar * days + d, pattern)`` pairs of ``own``. Per-group values are spread to the
    calendars by copying whole rows, not gathered one day at a time."""
    base_grid, group_of = grid
    count, width = group_of.size, days + 1
    ahead = np.empty((count, width, 4), dtype=np.int32)
    total = patterns.total.astype(np.int32)  # < 2**31: the range is checked
    totals = total[base_grid][group_of]
    totals.reshape(-1)[own[0]] = total[own[1]]
    first_quantum = np.arange(total.size, dtype=np.int32) * np.int32(DAY_S // patterns.q)
    quanta = first_quantum[base_grid][group_of]
    quanta.reshape(-1)[own[0]] = first_quantum[own[1]]
    ahead[:, :days, 0] = quanta
    dc = np.empty((count, width), dtype=np.int32)  # business seconds before each day
    dc[:, 0] = 0
    np.cumsum(totals, axis=1, out=dc[:, 1:])
    ahead[:, days, 0] = 0
    ahead[:, :, 1] = dc
    ahead[:, :days, 2] = dc[:, 1:]
    ahead[:, days, 2] = dc[:, days]
    # rows to skip to the next day with business time (the calendar's last row stops it):
    # the next stop after row r is the c-th stop, c the number of stops up to r
    stops = np.empty((count, width), dtype=bool)
    np.greater(totals, 0, out=stops[:, :days])
    stops[:, days] = True
    flat = stops.reshape(-1)
    where = np.flatnonzero(flat).astype(np.int32)
    seen = np.cumsum(flat, dtype=np.int32)
    np.minimum(seen, where.size - 1, out=seen)
    skip = where[seen]
    skip -= np.arange(count * width, dtype=np.int32)
    ahead[:, :, 3] = skip.reshape(count, width)
    ahead[:, days, 3] = 0
    # the first two numbers of each row, copied a calendar at a time (as one int64 each)
    rows = np.ascontiguousarray(ahead.view(np.int64)[:, :, 0]).view(np.int32).reshape(-1, 2)
    return DayTable(
        origin=origin,
        days=days,
        count=count,
        q=patterns.q,
        most=int(dc[:, days].max()) if count else 0,
        rows=rows,
        rows_ahead=ahead.reshape(-1, 4),
        ac=patterns.ac,
        inv=patterns.inv,
        irregular=patterns.irregular,
        starts=patterns.starts,
        ends=patterns.ends,
        before=patterns.before,
    )


def _closed_pieces(
    calendar: Int64Array, lo: Int64Array, hi: Int64Array, *, origin: int, days: int, count: int
) -> tuple[Int64Array, Int64Array, Int64Array]:
    """Each calendar's closed intervals merged and cut at UTC midnights (rows and seconds)."""
    end = origin + days * DAY_S
    lo, hi = np.maximum(lo, origin), np.minimum(hi, end)
    keep = hi > lo
    calendar, lo, hi = calendar[keep], lo[keep], hi[keep]
    band = calendar * (days * DAY_S + 1)  # bands never touch
    a, b = lo - origin + band, hi - origin + band
    order = np.argsort(a, kind="stable")
    a, b = a[order], b[order]
    if a.size:
        reach = np.maximum.accumulate(b)
        heads = np.flatnonzero(np.concatenate([[True], a[1:] > reach[:-1]]))
        a, b = a[heads], np.maximum.reduceat(b, heads)
    owner = a // (days * DAY_S + 1)
    shift = owner * (days * DAY_S + 1)
    return day_pieces(a - shift, b - shift, owner, 0, days)


def from_intervals(
    tables: Sequence[tuple[Int64Array, Int64Array]], origin: int, days: int
) -> DayTable:
    """The day table of calendars given as their open intervals (each its own group)."""
    return build(
        origin=origin, days=days, groups=tables, group_of=np.arange(len(tables), dtype=np.int64)
    )


__all__ = ["DayTable", "build", "from_intervals"]
