"""Zone data from this machine's tz database, handed to core for compiling calendars (ADR 0004).

Core reads no files. It finds a zone's UTC offsets by asking ``zoneinfo`` (probing every 6
hours) unless it is handed the zone's transitions, which is ~15x faster. This adapter reads the
TZif file ``zoneinfo`` itself reads (``zoneinfo.TZPATH``, then the ``tzdata`` package), parses
its version 2+ body (the transition instants and the offset from each) and its footer (the
POSIX TZ rule for the years after), and returns them as a
:class:`~covenant.core.wallclock.ZoneData`. Core checks every change it derives from them
against ``zoneinfo``, so a file that differs from what ``zoneinfo`` loaded can only make it
probe, never give wrong offsets. Files are read once per zone (cached).
"""

from __future__ import annotations

import struct
from collections.abc import Iterable
from functools import lru_cache
from importlib import resources
from pathlib import Path
from zoneinfo import TZPATH

import numpy as np

from covenant.core.wallclock import ZoneData


def tzif_bytes(zone: str) -> bytes | None:
    """The TZif bytes of ``zone`` where ``zoneinfo`` finds them (``TZPATH``, then the
    ``tzdata`` package); ``None`` when there are none or the name is not a plain zone key."""
    if not zone or zone.startswith("/") or ".." in zone.split("/"):
        return None
    for folder in TZPATH:
        try:
            return (Path(folder) / zone).read_bytes()
        except OSError:
            continue
    try:
        return resources.files("tzdata.zoneinfo").joinpath(*zone.split("/")).read_bytes()
    except (ImportError, OSError, ValueError):
        return None


def parse_tzif(zone: str, data: bytes) -> ZoneData | None:
    """The transitions, offsets and footer rule of TZif version 2+ ``data`` (``None`` for
    version 1 or data that is not TZif). Its 64-bit body is read; the 32-bit one skipped."""
    if len(data) < 44 or data[:4] != b"TZif" or data[4:5] not in (b"2", b"3", b"4"):
        return None
    try:
        isut, isstd, leap, times, types, chars = struct.unpack(">6l", data[20:44])
        at = 44 + times * 5 + types * 6 + chars + leap * 8 + isstd + isut
        if data[at : at + 4] != b"TZif":
            return None
        isut, isstd, leap, times, types, chars = struct.unpack(">6l", data[at + 20 : at + 44])
        at += 44
        instants = struct.unpack(f">{times}q", data[at : at + 8 * times])
        at += 8 * times
        kinds = data[at : at + times]
        at += times
        offsets = [struct.unpack(">l", data[at + 6 * i : at + 6 * i + 4])[0] for i in range(types)]
        at += types * 6 + chars + leap * 12 + isstd + isut
        after = [offsets[k] for k in kinds]
    except (struct.error, IndexError):
        return None
    footer = data[at:].split(b"\n")
    if len(footer) < 2:
        return None
    rule = footer[1].decode("ascii", "replace")
    return ZoneData(
        zone=zone,
        instants=np.array(instants, dtype=np.int64),
        offsets=np.array(after, dtype=np.int64),
        rule=rule,
    )


@lru_cache(maxsize=1024)
def read_zone(zone: str) -> ZoneData | None:
    """``zone``'s data from its TZif file, or ``None`` when it cannot be read (core probes)."""
    data = tzif_bytes(zone)
    return parse_tzif(zone, data) if data else None


def read_zones(zones: Iterable[str]) -> dict[str, ZoneData]:
    """The data of every zone in ``zones`` that can be read, by name: pass it to
    ``compile_calendars(..., zone_data=...)``."""
    found = {}
    for zone in set(zones):
        data = read_zone(zone)
        if data is not None:
            found[zone] = data
    return found


__all__ = ["parse_tzif", "read_zone", "read_zones", "tzif_bytes"]
