"""One parser for every instant and period people type, absolute or relative to now: the
CLI's options (``cli.when``) and the API's query parameters (``?at=-7d``) share it.

Instants (``--at``, ``?at=``, ``backtest alerts --from/--to``)::

    2026-10-31T09:30:00Z     ISO-8601 with Z or an offset
    now                      the reference instant (the caller's clock)
    -7d  -36h  -90m  -2w     that long before now (s, m, h, d, w: exact durations)
    -3M  -1y                 calendar months or years before now, in UTC (day clamped: Mar 31
                             minus one month is Feb 28/29)
    +1d                      after now

Periods (``report sla --period``, ``backtest agreement --from/--to``)::

    2026-11  2026-Q4         a month or a quarter, as written
    this-month  last-month  next-month  this-quarter  last-quarter  next-quarter
    -3M  +1M  -2Q            months or quarters before (after) the current one

A relative period counts from the period that contains the reference instant in the
agreement's time zone, as the agreement's own periods do. Pure: "now" is an argument.

A bad value is a coded error (``invalid-instant-option``, ``invalid-period-option``) that names
the option or parameter, the value, the accepted forms and the fix.
"""

from __future__ import annotations

import calendar
import re
from datetime import UTC, datetime, timedelta, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from covenant.errors import InstantOptionError, PeriodOptionError

EARLIEST = datetime(1971, 1, 1, tzinfo=UTC)
LATEST = datetime(9000, 1, 1, tzinfo=UTC)
MAX_AMOUNT = 100_000

INSTANT_FORMS = (
    "an ISO-8601 instant with Z or an offset (2026-10-31T09:30:00Z), now, or a time before "
    "(after) now: -7d, -36h, -90m, -2w, -3M, -1y (+1d)"
)
PERIOD_FORMS = (
    "a month or quarter (2026-11, 2026-Q4), this-month, last-month, next-month, this-quarter, "
    "last-quarter, next-quarter, or months/quarters before (after) the current one: -3M, -1Q (+1M)"
)

RELATIVE = re.compile(r"^([+-])(\d{1,12})([smhdwMy])$")
RELATIVE_PERIOD = re.compile(r"^([+-])(\d{1,12})([MQ])$")
ABSOLUTE_PERIOD = re.compile(r"^(\d{4})-(?:(\d{2})|(Q[1-4]))$")
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


def parse_instant(value: str | None, *, reference: datetime, option: str = "--at") -> datetime:
    """An instant from the command line or an API parameter; ``None`` is ``reference`` (now).

    Raises ``InstantOptionError`` (code ``invalid-instant-option``) naming ``option``, the
    value, the accepted forms and the fix; the CLI shows it as a usage error
    (``instant_option``)."""
    base = reference
    if value is None:
        return base
    text = value.strip()

    def bad(problem: str, fix: str = "") -> InstantOptionError:
        forms = f"write {INSTANT_FORMS}"
        return InstantOptionError(
            f"{option} {value!r} {problem}", hint=f"{fix}; or {forms}" if fix else forms
        )

    outside = ("is outside the years 1971 to 8999", "give an instant in that range")
    moment: datetime | None = None
    if text.lower() == "now":
        moment = base
    elif (match := RELATIVE.match(text)) is not None:
        sign, amount, unit = match.groups()
        count = int(amount) * (-1 if sign == "-" else 1)
        if int(amount) > MAX_AMOUNT:
            raise bad("reaches too far", f"use at most {MAX_AMOUNT:,} units, e.g. -90d")
        try:
            if unit in EXACT:
                moment = base + timedelta(seconds=count * EXACT[unit])
            else:
                moment = add_months(base, count * (12 if unit == "y" else 1))
        except (OverflowError, ValueError):
            raise bad(*outside) from None
    else:
        try:
            moment = datetime.fromisoformat(text)
        except ValueError:
            raise bad("is not an instant", _calendar_slip(text)) from None
        if moment.tzinfo is None:
            if "T" in text or " " in text:
                raise bad("has no UTC offset", f"add Z or +HH:MM, e.g. {text}Z")
            raise bad("has no time and UTC offset", f"write e.g. {text}T00:00:00Z")
    if not EARLIEST <= moment < LATEST:
        raise bad(*outside)
    return moment.astimezone(UTC)


def parse_period(
    value: str,
    *,
    reference: datetime,
    zone: tzinfo | None = None,
    option: str = "--period",
) -> str:
    """A reporting period label (``2026-11`` or ``2026-Q4``) from an absolute or relative form.

    Absolute labels (a month 01–12 or a quarter Q1–Q4 of 1971–8999) pass through; relative
    ones count from the period containing ``reference`` (now) on the wall clock of
    ``zone`` (the agreement's time zone; default UTC). Raises ``PeriodOptionError`` (code
    ``invalid-period-option``) naming ``option`` and the value.
    """
    text = value.strip()
    named = NAMED_PERIOD.match(text.lower())
    relative = RELATIVE_PERIOD.match(text)
    if named is None and relative is None:
        absolute = ABSOLUTE_PERIOD.match(text)
        if absolute is None or not 1 <= int(absolute[2] or absolute[3][1:]) <= 12:
            raise PeriodOptionError(
                f"{option} {value!r} is not a period", hint=f"write {PERIOD_FORMS}"
            )
        if not 1971 <= int(absolute[1]) <= 8999:
            raise PeriodOptionError(
                f"{option} {value!r} is outside the years 1971 to 8999",
                hint=f"give a period in that range; write {PERIOD_FORMS}",
            )
        return text  # an absolute label, as written
    base = reference.astimezone(zone or UTC)
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
        raise PeriodOptionError(
            f"{option} {value!r} is outside the years 1971 to 8999",
            hint=f"give a period in that range; write {PERIOD_FORMS}",
        )
    return f"{year:04d}-Q{month0 // 3 + 1}" if quarter else f"{year:04d}-{month0 + 1:02d}"


_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")


def _calendar_slip(text: str) -> str:
    """The fix for a date the calendar does not have (2026-11-31, 2026-02-29, month 13), or ""."""
    match = _DATE.match(text)
    if match is None:
        return ""
    year, month, day = (int(part) for part in match.groups())
    if not 1 <= month <= 12:
        return f"a month is 01 to 12, not {month:02d}"
    last = calendar.monthrange(year, month)[1]
    if not 1 <= day <= last:
        name = calendar.month_name[month]
        return f"{name} {year} has days 01 to {last}, not {day:02d}"
    return ""


def zone_of(zones: list[str]) -> tzinfo:
    """The zone relative periods are read in: the agreements' (the first, sorted, if they
    differ), else UTC."""
    for name in sorted(set(zones)):
        try:
            return ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError, OSError):
            continue
    return UTC
