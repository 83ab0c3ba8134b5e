"""Field rules that need no pydantic: the name pattern, the start time, the window a checked
``timeWindow`` gives, and the YAML 1.1 spellings of an OpenSLO flag.

The pydantic models (``fields``, ``timewindows``) and the pydantic-free reading of plain
workspaces (``plain``) both use these, so both accept and build the same values.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from covenant.core.model import DAY, CalendarWindow, RollingWindow, Window
from covenant.definitions.durations import parse_duration
from covenant.definitions.yamlsource import YAML11_BOOLEANS, PathKey

NAME_PATTERN = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
START_TIME_FORMAT = "%Y-%m-%d %H:%M:%S"  # the reference's (Go's time.DateTime)
START_TIME_FORMATS = (START_TIME_FORMAT, "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d")
EARLIEST_START = datetime(1970, 1, 1)  # noqa: DTZ001  (wall-clock bounds, any zone)
LATEST_START = datetime(2201, 1, 1)  # noqa: DTZ001
DEFAULT_WINDOW = RollingWindow(seconds=28 * DAY)


def is_name(value: str) -> bool:
    """True for a DNS label (RFC 1123): at most 63 lowercase letters, digits and '-'."""
    return len(value) <= 63 and NAME_PATTERN.match(value) is not None


def parse_start_time(value: str) -> datetime:
    """``2022-01-01 12:00:00`` (OpenSLO form, no zone) or ISO 8601 with an offset or ``Z``."""
    text = value.strip()
    for fmt in START_TIME_FORMATS:
        try:
            return datetime.strptime(text, fmt)  # noqa: DTZ007  (the zone comes from the window)
        except ValueError:
            continue
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def start_in_range(parsed: datetime) -> bool:
    """True when a start time lies in 1970-01-01 – 2200-12-31 on its wall clock."""
    return EARLIEST_START <= parsed.replace(tzinfo=None) < LATEST_START


def window_from(
    duration_text: str, *, rolling: bool | None, start_time: str | None, zone: str
) -> Window:
    """The window of one checked ``timeWindow`` entry (``start_time`` None: no calendar)."""
    duration = parse_duration(duration_text)
    if rolling:
        return RollingWindow(seconds=duration.rolling_seconds)  # 1M: 30 days (durations.py)
    unit = duration.calendar_unit
    assert unit is not None
    if start_time is None:
        return CalendarWindow(unit=unit, count=duration.count)
    start = parse_start_time(start_time)
    # Keep the anchor on the zone's wall clock as written: a startTime inside a DST gap
    # (02:30 on the spring-forward night) must still lay periods out at 02:30 local.
    local = (
        start.replace(tzinfo=ZoneInfo(zone))
        if start.tzinfo is None
        else start.astimezone(ZoneInfo(zone))
    )
    return CalendarWindow(unit=unit, count=duration.count, zone=zone, anchor=local)


OPENSLO_FLAGS = frozenset(
    {"isRolling", "counter", "alertWhenNoData", "alertWhenResolved", "alertWhenBreaching"}
)
"""The boolean fields of OpenSLO documents, wherever they are (an inline SLI or policy too)."""
_FREE_FORM = frozenset({"metricSource", "connectionDetails", "metadata"})
"""Mappings whose keys are the data source's or the user's, not OpenSLO's: not looked into."""


def yaml11_flag(value: Any, *, quoted: bool = False) -> Any:
    """``value``, or the boolean a plain YAML 1.1 spelling (``yes``, ``Off``…) stands for
    (``quoted``: the value was written quoted, and is the text it is)."""
    if quoted or not isinstance(value, str):
        return value
    return YAML11_BOOLEANS.get(value, value)


def with_yaml11_flags(data: Any, quoted: frozenset[PathKey] = frozenset()) -> Any:
    """``data`` (an OpenSLO document) with each flag written as a plain YAML 1.1 boolean read
    as that boolean, as the OpenSLO reference reads it (a quoted one, at a path in
    ``quoted``, stays text: ``SourceDocument.quoted_words``); ``data`` itself is left as it is
    (the same object returned when nothing is read differently)."""
    return _flags(data, quoted, ()) if quoted else _flags(data, None, ())


def _flags(data: Any, quoted: frozenset[PathKey] | None, path: PathKey) -> Any:
    """:func:`with_yaml11_flags` below ``path`` (``quoted`` None: no quoted word, and no path
    is built: the document's walk costs what it did before quoted words were told apart)."""
    if isinstance(data, list):
        items = [
            _flags(item, quoted, (*path, i) if quoted else path) for i, item in enumerate(data)
        ]
        return items if any(a is not b for a, b in zip(items, data, strict=True)) else data
    if not isinstance(data, dict):
        return data
    changed: dict[Any, Any] = {}
    for key, value in data.items():
        if key in OPENSLO_FLAGS:
            flag = yaml11_flag(value, quoted=quoted is not None and (*path, key) in quoted)
            if flag is not value:
                changed[key] = flag
        elif key not in _FREE_FORM:
            inner = _flags(value, quoted, (*path, key) if quoted else path)
            if inner is not value:
                changed[key] = inner
    return {key: changed.get(key, value) for key, value in data.items()} if changed else data
