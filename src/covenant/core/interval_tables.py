"""Compiled calendars: one calendar's open intervals (:class:`IntervalTable`), or many stacked
over one range (:class:`CalendarSet`). Built by :mod:`covenant.core.calendar_compile`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from covenant.core.calendars import DAY_S, Calendar
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


@dataclass(frozen=True, slots=True, kw_only=True, eq=False, weakref_slot=True)
class CalendarSet:
    """Many calendars compiled over one range ``[start, end)``, stacked for batch arithmetic.

    Calendar ``k`` is ``calendars[k]``; a batch names each ticket's calendar by index. Inside,
    calendar ``k``'s intervals sit on their own band of one number line (shifted by
    ``k * width``), so one ``searchsorted`` serves every calendar. ``set[k]`` is calendar
    ``k``'s own :class:`IntervalTable`. Built by :func:`compile_calendars`.
    """

    calendars: tuple[Calendar, ...]
    start: int
    end: int
    width: int  # band width: more than end - start
    starts: Int64Array  # shifted by band
    ends: Int64Array
    cum: Int64Array  # business seconds before starts[i], over all bands
    bounds: Int64Array  # calendar k's intervals are [bounds[k], bounds[k + 1])

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
        return stack((), pairs, lo, hi)

    def __len__(self) -> int:
        return int(self.bounds.size - 1)

    def __getitem__(self, k: int) -> IntervalTable:
        i, j = int(self.bounds[k]), int(self.bounds[k + 1])
        shift = k * self.width
        cum = self.cum[i:j] - (self.cum[i] if j > i else 0)
        zone = self.calendars[k].zone if self.calendars else ""
        return IntervalTable(
            zone=zone,
            start=self.start,
            end=self.end,
            starts=self.starts[i:j] - shift,
            ends=self.ends[i:j] - shift,
            cum=cum,
        )


def stack(
    calendars: tuple[Calendar, ...],
    pairs: Sequence[tuple[Int64Array, Int64Array]],
    lo: int,
    hi: int,
) -> CalendarSet:
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
    return CalendarSet(
        calendars=calendars,
        start=lo,
        end=hi,
        width=width,
        starts=starts,
        ends=ends,
        cum=cum,
        bounds=bounds,
    )


__all__ = ["CalendarSet", "IntervalTable"]
