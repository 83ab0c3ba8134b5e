"""The CLI's instants and periods: ``core.when``'s parser with the CLI's clock.

``instant_option`` and ``period_option`` print a bad value as every coded error is printed and
exit 2 (a usage error); ``zone_of`` picks the zone relative periods are read in.
"""

from __future__ import annotations

from datetime import datetime, tzinfo

from covenant.cli.console import now, usage
from covenant.core import when
from covenant.core.when import (  # re-exported: the CLI's names
    EARLIEST,
    INSTANT_FORMS,
    LATEST,
    PERIOD_FORMS,
    add_months,
    zone_of,
)
from covenant.errors import InstantOptionError, PeriodOptionError

__all__ = [
    "EARLIEST",
    "INSTANT_FORMS",
    "LATEST",
    "PERIOD_FORMS",
    "add_months",
    "instant_option",
    "parse_instant",
    "parse_period",
    "period_option",
    "zone_of",
]


def parse_instant(
    value: str | None, *, reference: datetime | None = None, option: str = "--at"
) -> datetime:
    """``core.when.parse_instant`` with now (``COVENANT_NOW`` or the clock) by default."""
    base = reference if reference is not None else now()
    return when.parse_instant(value, reference=base, option=option)


def parse_period(
    value: str,
    *,
    reference: datetime | None = None,
    zone: tzinfo | None = None,
    option: str = "--period",
) -> str:
    """``core.when.parse_period`` with now by default."""
    base = reference if reference is not None else now()
    return when.parse_period(value, reference=base, zone=zone, option=option)


def instant_option(
    value: str | None, *, option: str = "--at", reference: datetime | None = None
) -> datetime:
    """``parse_instant`` for a command: a bad value is a coded usage error (exit 2)."""
    try:
        return parse_instant(value, reference=reference, option=option)
    except InstantOptionError as error:
        raise usage(error) from None


def period_option(
    value: str,
    *,
    option: str = "--period",
    reference: datetime | None = None,
    zone: tzinfo | None = None,
) -> str:
    """``parse_period`` for a command: a bad value is a coded usage error (exit 2)."""
    try:
        return parse_period(value, reference=reference, zone=zone, option=option)
    except PeriodOptionError as error:
        raise usage(error) from None
