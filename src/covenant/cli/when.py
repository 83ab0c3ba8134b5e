"""One parser for every instant and period the CLI takes, absolute or relative to now.

Instants (``--at``, ``backtest alerts --from/--to``)::

    2026-10-31T09:30:00Z     ISO-8601 with Z or an offset
    now                      the CLI's clock (``covenant.cli.common.now``)
    -7d  -36h  -90m  -2w     that long before now (s, m, h, d, w: exact durations)
    -3M  -1y                 calendar months or years before now, in UTC (day clamped: Mar 31
                             minus one month is Feb 28/29)
    +1d                      after now

Periods (``report sla --period``, ``backtest agreement --from/--to``)::

    2026-11  2026-Q4         a month or a quarter, as written
    this-month  last-month  next-month  this-quarter  last-quarter  next-quarter
    -3M  +1M  -2Q            months or quarters before (after) the current one

A relative period counts from the period that contains the reference instant (``--at``, default
now) in the agreement's time zone (``zone_of``), as the agreement's own periods do.
"""

from __future__ import annotations

import calendar
import re
from datetime import UTC, datetime, timedelta, tzinfo
from typing import Annotated

import typer

from covenant.cli.common import now

EARLIEST = datetime(1971, 1, 1, tzinfo=UTC)
LATEST = datetime(9000, 1, 1, tzinfo=UTC)
MAX_AMOUNT = 100_000

INSTANT_FORMS = "an ISO-8601 instant with Z or an offset (2026-10-31T09:30:00Z), now, or -7d/-3M"
PERIOD_FORMS = "2026-11, 2026-Q4, this-month, last-month, this-quarter, last-quarter, or -3M/-1Q"

RELATIVE = re.compile(r"^([+-])(\d{1,6})([smhdwMy])$")
RELATIVE_PERIOD = re.compile(r"^([+-])(\d{1,5})([MQ])$")
NAMED_PERIOD = re.compile(r"^(this|last|next)-(month|quarter)$")
EXACT = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}


def add_months(moment: datetime, months: int) -> datetime:
    """``moment`` moved by whole calendar months, the day clamped to the month's last."""
    index = moment.year * 12 + moment.month - 1 + months
    year, month = divmod(index, 12)
    if not 1 <= year <= 9999:
        raise ValueError("out of range")
    day = min(moment.day, calendar.monthrange(year, month + 1)[1])
    return moment.replace(year=year, month=month + 1, day=day)


def parse_instant(value: str | None, *, reference: datetime | None = None) -> datetime:
    """An instant from the command line; ``None`` is now. Raises ``typer.BadParameter``."""
    base = reference if reference is not None else now()
    if value is None:
        return base
    text = value.strip()
    moment: datetime | None = None
    if text.lower() == "now":
        moment = base
    elif (match := RELATIVE.match(text)) is not None:
        sign, amount, unit = match.groups()
        count = int(amount) * (-1 if sign == "-" else 1)
        if int(amount) > MAX_AMOUNT:
            raise typer.BadParameter(f"{value!r} reaches too far; use at most {MAX_AMOUNT:,}")
        try:
            if unit in EXACT:
                moment = base + timedelta(seconds=count * EXACT[unit])
            else:
                moment = add_months(base, count * (12 if unit == "y" else 1))
        except (OverflowError, ValueError):
            raise typer.BadParameter(f"{value!r} is outside the years 1971 to 8999") from None
    else:
        try:
            moment = datetime.fromisoformat(text)
        except ValueError:
            raise typer.BadParameter(f"{value!r} is not {INSTANT_FORMS}") from None
        if moment.tzinfo is None:
            raise typer.BadParameter(
                f"{value!r} has no UTC offset; add Z or +HH:MM (e.g. {text}Z)"
                if "T" in text or " " in text
                else f"{value!r} has no time and offset; write e.g. {text}T00:00:00Z"
            )
    if not EARLIEST <= moment < LATEST:
        raise typer.BadParameter(f"{value!r} is outside the years 1971 to 8999")
    return moment.astimezone(UTC)


def parse_period(
    value: str, *, reference: datetime | None = None, zone: tzinfo | None = None
) -> str:
    """A reporting period label (``2026-11`` or ``2026-Q4``) from an absolute or relative form.

    Absolute labels pass through (the services check them and say what is accepted); relative
    ones count from the period containing ``reference`` (default now) on the wall clock of
    ``zone`` (the agreement's time zone; default UTC).
    """
    text = value.strip()
    named = NAMED_PERIOD.match(text.lower())
    relative = RELATIVE_PERIOD.match(text)
    if named is None and relative is None:
        if not text[:1].isdigit():
            raise typer.BadParameter(f"{value!r} is not a period; write {PERIOD_FORMS}")
        return text  # an absolute label: the services check it and name the fix
    base = (reference if reference is not None else now()).astimezone(zone or UTC)
    if named is not None:
        which, unit = named.groups()
        steps = {"this": 0, "last": -1, "next": 1}[which]
        quarter = unit == "quarter"
    else:
        assert relative is not None
        sign, amount, letter = relative.groups()
        steps = int(amount) * (-1 if sign == "-" else 1)
        quarter = letter == "Q"
    months = steps * (3 if quarter else 1)
    index = base.year * 12 + base.month - 1
    if quarter:
        index -= index % 3
    year, month0 = divmod(index + months, 12)
    if not 1971 <= year <= 8999:
        raise typer.BadParameter(f"{value!r} is outside the years 1971 to 8999")
    return f"{year:04d}-Q{month0 // 3 + 1}" if quarter else f"{year:04d}-{month0 + 1:02d}"


AtOption = Annotated[
    str | None,
    typer.Option(
        "--at",
        metavar="INSTANT",
        help="Instant to evaluate at: 2026-10-31T09:30:00Z (Z or an offset), now, -7d, -3M; "
        "default now.",
    ),
]


def zone_of(zones: list[str]) -> tzinfo:
    """The zone relative periods are read in: the agreements' (the first, sorted, if they
    differ), else UTC."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    for name in sorted(set(zones)):
        try:
            return ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            continue
    return UTC
