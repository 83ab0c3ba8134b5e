"""Wall-clock readings of an IANA zone to UTC instants, exactly across DST, vectorised.

The convention (see ``docs/business-time.md``): a wall time maps to the *first instant at which
the zone's clock reads that time or later*. An ordinary time is itself; in a fold (clocks go
back) it is the first occurrence; in a gap (clocks go forward) it is the instant the gap ends.
The mapping never runs backwards, so a shift can shrink (to nothing inside a gap) but never
invert.

A zone is read as *segments* of constant UTC offset: segment ``k`` covers the instants
``[T[k], T[k+1])`` with offset ``o[k]``, so its clock reads ``[T[k] + o[k], T[k+1] + o[k])``
and increases inside it. The first instant reading ``w`` or later lies in the first segment
whose clock passes ``w`` (``T[k+1] + o[k] > w``) and is ``max(T[k], w - o[k])``. Segments are
found by probing ``zoneinfo`` every 6 hours across the range (no zone changes its offset twice
within 6 hours) and bisecting each change to the second; they are cached per zone and range.
"""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

import numpy as np
import numpy.typing as npt

Int64Array = npt.NDArray[np.int64]

PROBE_S = 6 * 3600


def _offset(zone: ZoneInfo, epoch: int) -> int:
    delta = datetime.fromtimestamp(epoch, zone).utcoffset()
    assert delta is not None
    return delta.days * 86400 + delta.seconds


@lru_cache(maxsize=1024)
def segments(zone: str, lo: int, hi: int) -> tuple[Int64Array, Int64Array, Int64Array]:
    """``(T, o, reach)`` of the constant-offset segments covering ``[lo, hi]`` (epoch seconds).

    ``T[0]`` is ``lo``; ``reach[k]`` is the largest wall reading of segments ``0..k`` (a running
    maximum; the last is unbounded). Arrays are read-only.
    """
    tz = ZoneInfo(zone)
    starts = [lo]
    offsets = [_offset(tz, lo)]
    t = lo
    while t < hi:
        nxt = min(t + PROBE_S, hi)
        after = _offset(tz, nxt)
        if after != offsets[-1]:
            a, b = t, nxt  # offset(a) == offsets[-1] != offset(b): find the first changed second
            while b - a > 1:
                mid = (a + b) // 2
                if _offset(tz, mid) == offsets[-1]:
                    a = mid
                else:
                    b = mid
            starts.append(b)
            offsets.append(after)
        t = nxt
    t_arr = np.array(starts, dtype=np.int64)
    o_arr = np.array(offsets, dtype=np.int64)
    wall_end = np.empty_like(t_arr)
    wall_end[:-1] = t_arr[1:] + o_arr[:-1]
    wall_end[-1] = np.iinfo(np.int64).max
    reach = np.maximum.accumulate(wall_end)
    for array in (t_arr, o_arr, reach):
        array.flags.writeable = False
    return t_arr, o_arr, reach


def first_instants(zone: str, lo: int, hi: int, wall: Int64Array) -> Int64Array:
    """The first instant at which ``zone``'s clock reads each ``wall`` or later.

    ``wall`` holds wall readings as epoch-like seconds (local date and time read as if UTC);
    ``[lo, hi]`` must cover the instants sought, give or take a day.
    """
    t_arr, o_arr, reach = segments(zone, lo, hi)
    if t_arr.size == 1:  # one offset over the whole range
        result: Int64Array = wall - o_arr[0]
        return result
    k = np.searchsorted(reach, wall, side="right")
    found: Int64Array = np.maximum(t_arr[k], wall - o_arr[k])
    return found


def wall_readings(zone: str, lo: int, hi: int, instants: Int64Array) -> Int64Array:
    """The wall reading (epoch-like seconds) of ``zone``'s clock at each instant in ``[lo, hi]``."""
    t_arr, o_arr, _ = segments(zone, lo, hi)
    k = np.maximum(np.searchsorted(t_arr, instants, side="right") - 1, 0)
    result: Int64Array = instants + o_arr[k]
    return result


__all__ = ["first_instants", "segments", "wall_readings"]
