"""Instants: aware UTC datetimes and integer epoch seconds. Time is always an argument."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from covenant.errors import NaiveDatetimeError

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def require_utc(value: datetime, *, what: str = "instant") -> datetime:
    """Return ``value`` converted to UTC; refuse naive datetimes."""
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
    return EPOCH + timedelta(seconds=int(seconds))
