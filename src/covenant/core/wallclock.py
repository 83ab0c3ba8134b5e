"""Wall-clock readings of an IANA zone to UTC instants, exactly across DST, vectorised.

The convention (see ``docs/business-time.md``): a wall time maps to the *first instant at which
the zone's clock reads that time or later*. An ordinary time is itself; in a fold (clocks go
back) it is the first occurrence; in a gap (clocks go forward) it is the instant the gap ends.
The mapping never runs backwards, so a shift can shrink (to nothing inside a gap) but never
invert.

A zone is read as *segments* of constant UTC offset: segment ``k`` covers the instants
``[T[k], T[k+1])`` with offset ``o[k]``, so its clock reads ``[T[k] + o[k], T[k+1] + o[k])``
and increases inside it. The first instant reading ``w`` or later lies in the first segment
whose clock passes ``w`` (``T[k+1] + o[k] > w``) and is ``max(T[k], w - o[k])``.

Core reads no files (ADR 0004). Segments come from :class:`ZoneData` when the caller hands it
in (what a TZif file states: its explicit transitions, then its POSIX rule with ``M`` dates for
the years after them; :mod:`covenant.sources.zones` reads it): every change so found is checked
against ``zoneinfo`` on both sides, and each segment at its middle. Without zone data, or when
it cannot be used (another rule form, a check that fails), the zone is probed: ``zoneinfo``
every 6 hours across the range (no zone changes its offset twice within 6 hours) with each
change bisected to the second. Either way the offsets are ``zoneinfo``'s; zone data only makes
finding them ~15x faster. Segments are cached per zone, range and zone data.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from types import MappingProxyType
from zoneinfo import ZoneInfo

import numpy as np
import numpy.typing as npt

from covenant.errors import InputError

Int64Array = npt.NDArray[np.int64]

PROBE_S = 6 * 3600
ZONE_UTC = ZoneInfo("UTC")


def _offset(zone: ZoneInfo, epoch: int) -> int:
    delta = datetime.fromtimestamp(epoch, zone).utcoffset()
    assert delta is not None
    return delta.days * 86400 + delta.seconds


_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()
_RULE = re.compile(
    r"(?P<std><[^>]+>|[A-Za-z]+)(?P<stdoff>[+-]?\d{1,3}(?::\d{2}(?::\d{2})?)?)"
    r"(?:(?P<dst><[^>]+>|[A-Za-z]+)(?P<dstoff>[+-]?\d{1,3}(?::\d{2}(?::\d{2})?)?)?"
    r",(?P<start>M\d{1,2}\.\d\.\d(?:/[+-]?\d{1,3}(?::\d{2}(?::\d{2})?)?)?)"
    r",(?P<end>M\d{1,2}\.\d\.\d(?:/[+-]?\d{1,3}(?::\d{2}(?::\d{2})?)?)?))?",
    re.ASCII,
)


def _hms(text: str) -> int:
    sign = -1 if text.startswith("-") else 1
    parts = [int(p) for p in text.lstrip("+-").split(":")]
    return sign * sum(v * u for v, u in zip(parts, (3600, 60, 1), strict=False))


def _rule_day(text: str, year: int) -> int:
    """Local seconds (as if UTC) of a POSIX ``Mm.w.d[/time]`` date in ``year``."""
    spec, _, at = text.partition("/")
    month, week, weekday = (int(v) for v in spec[1:].split("."))
    first, length = calendar.monthrange(year, month)
    day = (weekday - (first + 1)) % 7 + 1 + (week - 1) * 7
    if day > length:
        day -= 7
    ordinal = date(year, month, day).toordinal() - _EPOCH_ORDINAL
    return ordinal * 86400 + (_hms(at) if at else 7200)


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class ZoneData:
    """A zone's offsets as the tz database states them, handed to core by an adapter
    (:func:`covenant.sources.zones.read_zone` reads the TZif file ``zoneinfo`` reads).

    ``instants`` are the explicit transitions (UTC epoch seconds, rising) and ``offsets`` the
    UTC offset in seconds from each; ``rule`` is the POSIX TZ string for the time after the last
    (the file's footer, e.g. ``CET-1CEST,M3.5.0,M10.5.0/3``). Only a speed-up: whatever it says
    is checked against ``zoneinfo``, and a disagreement falls back to probing.
    """

    zone: str
    instants: Int64Array
    offsets: Int64Array
    rule: str

    def __post_init__(self) -> None:
        for name in ("instants", "offsets"):
            array = np.array(getattr(self, name), dtype=np.int64, copy=True).reshape(-1)
            array.flags.writeable = False
            object.__setattr__(self, name, array)
        if self.instants.size != self.offsets.size:
            raise InputError(
                f"zone data for {self.zone} has {self.instants.size} transitions and "
                f"{self.offsets.size} offsets",
                hint="give one offset (seconds east of UTC) from each transition",
            )


Zones = Mapping[str, ZoneData]
"""Zone data by zone name, for compiling calendars (a zone without data is probed)."""
NO_ZONES: Zones = MappingProxyType({})


def _from_data(
    data: ZoneData, tz: ZoneInfo, lo: int, hi: int
) -> tuple[list[int], list[int]] | None:
    """``(starts, offsets)`` of the segments over ``[lo, hi]`` from zone data, each change
    checked against ``zoneinfo``; ``None`` when they cannot be derived or do not agree."""
    footer = data.rule
    instants = data.instants.tolist()
    after = data.offsets.tolist()
    rule = _RULE.fullmatch(footer) if footer else None
    if rule is None:
        return None
    changes = [(t, o) for t, o in zip(instants, after, strict=True) if lo < t <= hi]
    last = instants[-1] if instants else None
    if last is None or last < hi:  # the rule decides after the last transition
        std = -_hms(rule["stdoff"])
        dst = -_hms(rule["dstoff"]) if rule["dstoff"] else std + 3600

        def offset(t: int) -> int:
            if rule["dst"] is None:
                return std
            year = datetime.fromtimestamp(t, ZONE_UTC).year
            begin = _rule_day(rule["start"], year) - std
            end = _rule_day(rule["end"], year) - dst
            summer = begin <= t < end if begin < end else not end <= t < begin
            return dst if summer else std

        since = lo if last is None else max(lo, last)
        candidates = {since + 1}
        for year in range(
            datetime.fromtimestamp(since, ZONE_UTC).year - 1,
            datetime.fromtimestamp(hi, ZONE_UTC).year + 2,
        ):
            candidates.add((date(year, 1, 1).toordinal() - _EPOCH_ORDINAL) * 86400)
            if rule["dst"] is not None:
                candidates.add(_rule_day(rule["start"], year) - std)
                candidates.add(_rule_day(rule["end"], year) - dst)
        explicit = last is not None and last >= lo
        for t in sorted(c for c in candidates if since < c <= hi):
            before = after[-1] if explicit and t == since + 1 else offset(t - 1)
            now = offset(t)
            if now != before:
                changes.append((t, now))
    starts, offsets = [lo], [_offset(tz, lo)]
    for t, o in changes:
        if o != offsets[-1]:
            starts.append(t)
            offsets.append(o)
    ends = [*starts[1:], hi + 1]
    for k, (t, o) in enumerate(zip(starts, offsets, strict=True)):
        if _offset(tz, (t + ends[k] - 1) // 2) != o or _offset(tz, t) != o:
            return None
        if k and _offset(tz, t - 1) != offsets[k - 1]:
            return None
    return starts, offsets


def _probe(tz: ZoneInfo, lo: int, hi: int) -> tuple[list[int], list[int]]:
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
    return starts, offsets


@lru_cache(maxsize=1024)
def segments(
    zone: str, lo: int, hi: int, data: ZoneData | None = None
) -> tuple[Int64Array, Int64Array, Int64Array]:
    """``(T, o, reach)`` of the constant-offset segments covering ``[lo, hi]`` (epoch seconds),
    from ``data`` when given (and usable), else probed.

    ``T[0]`` is ``lo``; ``reach[k]`` is the largest wall reading of segments ``0..k`` (a running
    maximum; the last is unbounded). Arrays are read-only.
    """
    tz = ZoneInfo(zone)
    found = None if data is None or data.zone != zone else _from_data(data, tz, lo, hi)
    starts, offsets = found if found is not None else _probe(tz, lo, hi)
    t_arr = np.array(starts, dtype=np.int64)
    o_arr = np.array(offsets, dtype=np.int64)
    wall_end = np.empty_like(t_arr)
    wall_end[:-1] = t_arr[1:] + o_arr[:-1]
    wall_end[-1] = np.iinfo(np.int64).max
    reach = np.maximum.accumulate(wall_end)
    for array in (t_arr, o_arr, reach):
        array.flags.writeable = False
    return t_arr, o_arr, reach


def first_instants(
    zone: str, lo: int, hi: int, wall: Int64Array, data: ZoneData | None = None
) -> Int64Array:
    """The first instant at which ``zone``'s clock reads each ``wall`` or later.

    ``wall`` holds wall readings as epoch-like seconds (local date and time read as if UTC);
    ``[lo, hi]`` must cover the instants sought, give or take a day; ``data``: the zone's data,
    if the caller has it (see :func:`segments`).
    """
    t_arr, o_arr, reach = segments(zone, lo, hi, data)
    if t_arr.size == 1:  # one offset over the whole range
        result: Int64Array = wall - o_arr[0]
        return result
    k = np.searchsorted(reach, wall, side="right")
    found: Int64Array = np.maximum(t_arr[k], wall - o_arr[k])
    return found


_DAY_S = 86400
_BLOCK_S = 7 * _DAY_S  # one wall time's segments: the week around it, cached per zone and week


def first_instant(wall: datetime, zone: ZoneInfo) -> datetime:
    """The first UTC instant at which ``zone``'s clock reads ``wall`` (a naive wall time, or
    one whose ``tzinfo`` is ignored) or later: :func:`first_instants` for one reading. A time
    in a fold is its first occurrence (Python's ``fold=0``); a time in a gap is the gap's end —
    02:30 on Berlin's spring-forward night is 03:00 CEST, where ``fold=0`` would give 03:30.
    """
    naive = wall.replace(tzinfo=None, fold=0)
    seconds = calendar.timegm(naive.timetuple())
    block = seconds - seconds % _BLOCK_S
    found = int(
        first_instants(
            str(zone.key or zone),
            block - 2 * _DAY_S,
            block + _BLOCK_S + 2 * _DAY_S,
            np.array([seconds], dtype=np.int64),
        )[0]
    )
    instant = datetime.fromtimestamp(found, ZONE_UTC).replace(tzinfo=UTC)
    if instant.astimezone(zone).replace(tzinfo=None) == naive.replace(microsecond=0):
        return instant + timedelta(microseconds=naive.microsecond)
    return instant  # the end of a gap: the first instant after it, to the second


def wall_readings(
    zone: str, lo: int, hi: int, instants: Int64Array, data: ZoneData | None = None
) -> Int64Array:
    """The wall reading (epoch-like seconds) of ``zone``'s clock at each instant in ``[lo, hi]``."""
    t_arr, o_arr, _ = segments(zone, lo, hi, data)
    k = np.maximum(np.searchsorted(t_arr, instants, side="right") - 1, 0)
    result: Int64Array = instants + o_arr[k]
    return result


__all__ = [
    "NO_ZONES",
    "ZoneData",
    "Zones",
    "first_instant",
    "first_instants",
    "segments",
    "wall_readings",
]
