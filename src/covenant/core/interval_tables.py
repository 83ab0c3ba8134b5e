"""Compiled calendars: one calendar's open intervals (:class:`IntervalTable`), or many stacked
over one range (:class:`CalendarSet`). Built by :mod:`covenant.core.calendar_compile`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from covenant.core.calendars import DAY_S, Calendar
from covenant.core.day_tables import DayTable, from_intervals
from covenant.errors import InputError

Int64Array = npt.NDArray[np.int64]


@dataclass(frozen=True, slots=True, kw_only=True, eq=False, weakref_slot=True)
class IntervalTable:
    """A calendar's open time over ``[start, end)``, in UTC epoch seconds.

    ``starts``/``ends`` are sorted, merged, non-empty and non-touching open intervals inside
    ``[start, end)``; ``cum[i]`` is the business seconds in ``[start, starts[i])``. Arrays are
    read-only int64. Built by :func:`compile_calendar`.
    """

    zone: str
    start: int
    end: int
    starts: Int64Array
    ends: Int64Array
    cum: Int64Array

    def __post_init__(self) -> None:
        arrays = []
        for name in ("starts", "ends", "cum"):
            array = np.array(getattr(self, name), dtype=np.int64, copy=True)
            array.flags.writeable = False
            object.__setattr__(self, name, array)
            arrays.append(array)
        starts, ends, cum = arrays
        if not (starts.ndim == ends.ndim == cum.ndim == 1) or not (
            starts.size == ends.size == cum.size
        ):
            raise InputError("interval table arrays must be 1-D and of one length")
        if self.end <= self.start:
            raise InputError("interval table range is empty", hint="end must be after start")
        lengths = ends - starts
        if starts.size and (
            (lengths <= 0).any()
            or (starts[1:] <= ends[:-1]).any()
            or starts[0] < self.start
            or ends[-1] > self.end
            or (cum != np.cumsum(lengths) - lengths).any()
        ):
            raise InputError(
                "interval table is not sorted, merged, within its range and consistent",
                hint="build it with compile_calendar",
            )

    @property
    def lengths(self) -> Int64Array:
        return self.ends - self.starts

    @property
    def total(self) -> int:
        """Business seconds in the whole range."""
        return int(self.lengths.sum())

    def __len__(self) -> int:
        return int(self.starts.size)


@dataclass(frozen=True, slots=True)
class Intervals:
    """Many calendars' open intervals stacked on one number line (see :class:`CalendarSet`)."""

    starts: Int64Array  # shifted by band
    ends: Int64Array
    cum: Int64Array  # business seconds before starts[i], over all bands
    bounds: Int64Array  # calendar k's intervals are [bounds[k], bounds[k + 1])


class CalendarSet:
    """Many calendars compiled over one range ``[start, end)``, for batch arithmetic.

    Calendar ``k`` is ``calendars[k]``; a batch names each ticket's calendar by index. The
    arithmetic reads the set's :attr:`day_table`; the stacked intervals (calendar ``k``'s on its
    own band of one number line, shifted by ``k * width``) are built when first asked for.
    ``set[k]`` is calendar ``k``'s own :class:`IntervalTable`. Built by
    :func:`compile_calendars`, or :meth:`of` from compiled tables.
    """

    __slots__ = (
        "__weakref__",
        "_intervals",
        "_make_intervals",
        "_make_table",
        "_table",
        "calendars",
        "end",
        "start",
    )

    def __init__(
        self,
        *,
        calendars: tuple[Calendar, ...],
        start: int,
        end: int,
        intervals: Callable[[], Intervals],
        table: Callable[[], DayTable] | None = None,
    ) -> None:
        self.calendars = calendars
        self.start = start
        self.end = end
        self._make_intervals = intervals
        self._intervals: Intervals | None = None
        self._make_table = table
        self._table: DayTable | None = None

    @property
    def width(self) -> int:
        """Band width of the stacked intervals: whole days, more than ``end - start``."""
        return ((self.end - self.start) // DAY_S + 1) * DAY_S

    @property
    def intervals(self) -> Intervals:
        if self._intervals is None:
            self._intervals = self._make_intervals()
        return self._intervals

    @property
    def starts(self) -> Int64Array:
        return self.intervals.starts

    @property
    def ends(self) -> Int64Array:
        return self.intervals.ends

    @property
    def cum(self) -> Int64Array:
        return self.intervals.cum

    @property
    def bounds(self) -> Int64Array:
        return self.intervals.bounds

    @property
    def day_table(self) -> DayTable:
        """The day tables the arithmetic reads (built with the set, or from its intervals)."""
        if self._table is None:
            if self._make_table is not None:
                self._table = self._make_table()
            else:
                found = self.intervals
                origin = self.start - self.start % DAY_S
                days = (self.end - origin) // DAY_S + 1
                pairs = []
                for k in range(found.bounds.size - 1):
                    i, j = int(found.bounds[k]), int(found.bounds[k + 1])
                    shift = k * self.width
                    pairs.append((found.starts[i:j] - shift, found.ends[i:j] - shift))
                self._table = from_intervals(pairs, origin, days)
        return self._table

    @classmethod
    def of(cls, tables: Sequence[IntervalTable]) -> CalendarSet:
        """Stack compiled tables of one range (e.g. from :func:`compile_calendar`)."""
        if not tables:
            raise InputError("no calendars to stack", hint="pass at least one table")
        lo, hi = tables[0].start, tables[0].end
        if any(t.start != lo or t.end != hi for t in tables):
            raise InputError(
                "tables compiled over different ranges cannot be stacked",
                hint="compile every calendar over one range (compile_calendars does)",
            )
        pairs = [(t.starts, t.ends) for t in tables]
        found = stack(pairs, lo, hi)
        return cls(calendars=(), start=lo, end=hi, intervals=lambda: found)

    def __len__(self) -> int:
        return len(self.calendars) if self.calendars else int(self.intervals.bounds.size - 1)

    def __getitem__(self, k: int) -> IntervalTable:
        found = self.intervals
        i, j = int(found.bounds[k]), int(found.bounds[k + 1])
        shift = k * self.width
        cum = found.cum[i:j] - (found.cum[i] if j > i else 0)
        zone = self.calendars[k].zone if self.calendars else ""
        return IntervalTable(
            zone=zone,
            start=self.start,
            end=self.end,
            starts=found.starts[i:j] - shift,
            ends=found.ends[i:j] - shift,
            cum=cum,
        )


def stack(pairs: Sequence[tuple[Int64Array, Int64Array]], lo: int, hi: int) -> Intervals:
    """Calendars' intervals over ``[lo, hi)`` stacked on bands of one number line."""
    width = ((hi - lo) // DAY_S + 1) * DAY_S
    sizes = np.array([s.size for s, _ in pairs], dtype=np.int64)
    shift = np.repeat(np.arange(len(pairs), dtype=np.int64) * width, sizes)
    empty = np.zeros(0, dtype=np.int64)
    starts = np.concatenate([s for s, _ in pairs] or [empty]) + shift
    ends = np.concatenate([e for _, e in pairs] or [empty]) + shift
    lengths = ends - starts
    cum = np.cumsum(lengths) - lengths
    bounds = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)
    for array in (starts, ends, cum, bounds):
        array.flags.writeable = False
    return Intervals(starts=starts, ends=ends, cum=cum, bounds=bounds)


__all__ = ["CalendarSet", "IntervalTable", "Intervals"]
