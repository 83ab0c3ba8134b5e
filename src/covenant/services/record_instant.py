"""An instant of one ticket or incident sent to the API's write routes (``POST``/``PATCH
/tickets``, a ticket's ``pause``/``resume``, ``POST``/``PATCH /incidents``), read as a ticket or
incident file's instant is read (``sources.record_instants``, docs/records.md): ISO-8601 with
``Z`` or an offset, or an epoch number — a JSON number or its digits as text — in the unit its
digits tell (10 seconds, 13 milliseconds, 16 microseconds, 19 nanoseconds), floored to the
second; besides the forms every API instant takes (``now``, ``-7d``: ``core.when``).

A number of a length no unit has, and an instant outside 1970-01-01 to 2200-01-01, are
refused as a file's row is, in its words, naming the field (``invalid-instant-option``)."""

from __future__ import annotations

from datetime import datetime

from covenant.core.timeutil import from_epoch, to_epoch
from covenant.core.when import parse_instant
from covenant.errors import InstantOptionError
from covenant.sources.epoch import EPOCH_FIX
from covenant.sources.record_instants import (
    EARLIEST,
    LATEST,
    OK,
    OUT_OF_RANGE,
    UNIT_UNCLEAR,
    is_epoch_number,
    parse_instants,
)

OUTSIDE = "lies outside 1970-01-01 to 2200-01-01"
NO_UNIT = "is an epoch number whose digits tell no unit"


def record_instant(value: str | float, *, now: datetime, name: str) -> datetime:
    """``value`` of the field ``name`` as an aware UTC instant (see the module), or
    ``InstantOptionError`` naming the field (its message, and ``field`` for a form), the
    value, the problem and the fix."""
    try:
        return _instant(value, now=now, name=name)
    except InstantOptionError as error:
        error.field = error.field or name
        raise


def _instant(value: str | float, *, now: datetime, name: str) -> datetime:
    if is_epoch_number(value):
        (seconds,), (status,) = parse_instants([value])
        if status == OK:
            return from_epoch(int(seconds))
        if status in (UNIT_UNCLEAR, OUT_OF_RANGE):
            problem = NO_UNIT if status == UNIT_UNCLEAR else OUTSIDE
            raise InstantOptionError(f"{name} {value!r} {problem}", hint=EPOCH_FIX)
    moment = parse_instant(str(value), reference=now, option=name)
    if not EARLIEST <= to_epoch(moment) < LATEST:  # a typo, not a record (as in a file)
        raise InstantOptionError(f"{name} {value!r} {OUTSIDE}", hint="check the year")
    return moment
