"""Days held as minutes for some hours and as hour sums for the others ("hour pieces").

A first read by days (``services.prometheus_recorded``) reads the minutes of every day a
window edge cuts. Most hours of such a day are cut by no edge: when Covenant's recorded
``count1h`` witnesses one (as ``count1d`` witnesses a day), the hour is stored as its sums.
Such a day is a **partial chunk**: the ``bucket_chunks`` row of a minute chunk (``good_sum``
and ``total_sum`` are the exact day sums), whose blob is a minute chunk's (``good`` then
``total``, ``per_day`` values each) followed by a 3-byte little-endian mask: bit ``h`` set when
hour ``h``'s minutes are real. A summed hour holds its sums in its first minute slot and zeros
in the others. The mask makes the blob's length odd (a minute chunk's and a day-sum chunk's
are even): that is how every reader knows it.

A reader gets an exact answer from a partial chunk when every summed hour its range overlaps
lies wholly inside the range (a sum of slots: :func:`sums_exact`), or when its range overlaps
no summed hour (every bucket: :func:`buckets_exact`); an hour whose sums are zero is stored as
real minutes (all zero). Anything else is refused with ``DaySumsOnlyError`` naming the series
and the day (``store.day_sums.refused``), and the entry points read the day's minutes (which
replaces the row) and read again: nothing is spread over minutes or read as zeros.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

HOURS = 24
MASK_BYTES = 3
ALL = (1 << HOURS) - 1
"""Every hour's minutes are real: such a day is stored as a plain minute chunk."""


def is_partial(blob: bytes | memoryview) -> bool:
    """Whether a stored chunk holds hour sums for some hours (its length is odd)."""
    return len(blob) % 2 == 1


def split(blob: bytes | memoryview) -> tuple[bytes, int]:
    """A partial chunk's minute-chunk bytes and its mask of real hours."""
    data = bytes(blob)
    return data[:-MASK_BYTES], int.from_bytes(data[-MASK_BYTES:], "little")


def summed(mask: int) -> list[int]:
    """The hours (0 … 23) held as sums."""
    return [h for h in range(HOURS) if not mask >> h & 1]


def sums_exact(mask: int, first: int, stop: int, per_day: int) -> bool:
    """Whether the slots ``[first, stop)`` of a day sum exactly: every summed hour they
    overlap lies wholly inside them."""
    per_hour = per_day // HOURS
    if stop <= first:
        return True
    for h in summed(mask):
        lo, hi = h * per_hour, (h + 1) * per_hour
        if lo < stop and first < hi and not (first <= lo and hi <= stop):
            return False
    return True


def buckets_exact(mask: int, first: int, stop: int, per_day: int) -> bool:
    """Whether every slot of ``[first, stop)`` is a real minute (no summed hour overlaps)."""
    per_hour = per_day // HOURS
    if stop <= first:
        return True
    return all(not (h * per_hour < stop and first < (h + 1) * per_hour) for h in summed(mask))


def real_until(mask: int, first: int, per_day: int) -> int:
    """The first slot from ``first`` on that is not a real minute (``per_day`` if none)."""
    per_hour = per_day // HOURS
    for h in summed(mask):
        if (h + 1) * per_hour > first:
            return max(first, h * per_hour)
    return per_day


def encode(
    good: npt.NDArray[Any], total: npt.NDArray[Any], mask: int
) -> tuple[int, bytes, int, int]:
    """``(itemsize, blob, good_sum, total_sum)`` of a day's slots (hour sums in the first
    slot of each summed hour) and its mask: a plain minute chunk when every hour is real."""
    g = np.asarray(good, dtype=np.int64)
    t = np.asarray(total, dtype=np.int64)
    per_hour = t.size // HOURS
    if mask != ALL:
        busy = np.asarray(t.reshape(HOURS, per_hour).any(axis=1))
        for h in summed(mask):  # an hour without events is its minutes: all zero
            if not busy[h]:
                mask |= 1 << h
    top = int(t.max()) if t.size else 0
    itemsize = next(
        s for s, limit in ((1, 0xFF), (2, 0xFFFF), (4, 0xFFFFFFFF), (8, 2**64 - 1)) if top <= limit
    )
    body = np.stack([g, t]).astype(np.dtype(f"<u{itemsize}")).tobytes()
    if mask != ALL:
        body += int(mask).to_bytes(MASK_BYTES, "little")
    return itemsize, body, int(g.sum()), int(t.sum())
