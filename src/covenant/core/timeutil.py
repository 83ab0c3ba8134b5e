"""Instants: aware UTC datetimes and integer epoch seconds. Time is always an argument.

Also the one shorthand for a length of time (``shorthand``: ``5m``, ``6h``, ``28d``) that
windows, steps and targets are shown in everywhere."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from covenant.errors import NaiveDatetimeError

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def require_utc(value: datetime, *, what: str = "instant") -> datetime:
    """Return ``value`` converted to UTC; refuse naive datetimes."""
    if value.tzinfo is UTC:  # already UTC (``astimezone`` would return it as it is)
        return value
    if value.tzinfo is None or value.utcoffset() is None:
        raise NaiveDatetimeError(
            f"{what} {value.isoformat()} has no time zone",
            hint="pass an aware datetime, e.g. datetime(..., tzinfo=UTC) or '2026-10-01T00:00:00Z'",
        )
    return value.astimezone(UTC)


def to_epoch(value: datetime) -> int:
    """Whole seconds since the epoch (sub-second parts are truncated toward the past)."""
    delta = require_utc(value) - EPOCH
    return delta.days * 86400 + delta.seconds


def from_epoch(seconds: int) -> datetime:
    """``EPOCH + seconds``; an instant no datetime can hold raises ``OverflowError``."""
    try:
        return datetime.fromtimestamp(int(seconds), UTC)  # = EPOCH + seconds, twice as fast
    except (OSError, OverflowError, ValueError):  # the C library's range, not datetime's
        return EPOCH + timedelta(seconds=int(seconds))  # OverflowError past year 9999


def utc_text(moment: datetime) -> str:
    """An instant as a message names it: UTC to the second, ``2026-12-02T07:17:29Z``."""
    return require_utc(moment).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def utc_iso(moment: datetime) -> str:
    """An instant as data carries it (``--format json``): UTC with ``Z`` at its full precision,
    ``2026-12-02T07:17:29.5Z``: the form the API's answers write an instant in."""
    return require_utc(moment).isoformat().replace("+00:00", "Z")


def shorthand(seconds: int) -> str:
    """A length of time in its largest whole unit, as durations are written: ``1d``, ``6h``,
    ``5m``, ``90s`` (``0s`` for none). The one form windows, alert windows and support targets
    are shown in (tables, lint findings)."""
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds and seconds % size == 0:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"
