"""OpenSLO duration shorthand: a positive integer and one unit letter (``28d``, ``1M``, ``1Q``).

Fixed units (``m`` minutes, ``h`` hours, ``d`` days, ``w`` weeks) have a length in seconds.
Calendar units (``M`` month, ``Q`` quarter, ``y``/``Y`` year) do not: a month is the calendar
month in the window's time zone (28–31 days), never 30 days. ``d`` and ``w`` are both: a rolling
``7d`` is 604 800 s, a calendar ``1w`` is the calendar week.

A *rolling* window written in a calendar unit (``1M``, ``1Q``, ``1y``) needs one fixed length
all the same: it is read as the OpenSLO Go SDK reads it (``DurationShorthand.Duration``), a
month 30 days, a quarter 90 and a year 365 (:data:`ROLLING_DAYS`), with a warning.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta

from covenant.core.model import CalendarUnit
from covenant.errors import InputError

_PATTERN = re.compile(r"^([0-9]+)(m|h|d|w|M|Q|y|Y)$")
FIXED_SECONDS = {"m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}
CALENDAR_UNITS = {
    "d": CalendarUnit.DAY,
    "w": CalendarUnit.WEEK,
    "M": CalendarUnit.MONTH,
    "Q": CalendarUnit.QUARTER,
    "y": CalendarUnit.YEAR,
    "Y": CalendarUnit.YEAR,
}
DURATION_HELP = "write a positive whole number and one unit: m, h, d, w, M, Q or y (e.g. 28d, 1M)"
MAX_DAYS = 109_575
"""No duration is longer than 300 years (of 365.25 days), so every window, slice and lookback
can be laid out on the calendar and in epoch seconds without overflowing (Python's datetimes
end in 9999; calendar anchors lie in 1970–2200).
"""
MAX_MONTHS = 3_600
_MONTHS = {"M": 1, "Q": 3, "y": 12, "Y": 12}
ROLLING_DAYS = {"M": 30, "Q": 90, "y": 365, "Y": 365}
"""The fixed length of a calendar unit in a *rolling* window, in days: the OpenSLO Go SDK's
(``DurationShorthand.Duration``), and Sloth's 30-day default SLO period for a month."""
UNIT_WORDS = {"M": "month", "Q": "quarter", "y": "year", "Y": "year"}
RANGE_HELP = "at most 300 years: 109575d, 15653w, 3600M, 1200Q or 300Y"


class DurationRangeError(InputError):
    """A well-formed duration longer than Covenant can lay out (over 300 years)."""

    code = "duration-out-of-range"


@dataclass(frozen=True, slots=True, kw_only=True)
class Duration:
    """A parsed duration shorthand, kept with the unit as written."""

    count: int
    unit: str

    def __post_init__(self) -> None:
        if self.count <= 0 or self.unit not in {*FIXED_SECONDS, *CALENDAR_UNITS}:
            raise InputError(f"invalid duration {self.count}{self.unit}", hint=DURATION_HELP)

    @property
    def is_fixed(self) -> bool:
        return self.unit in FIXED_SECONDS

    @property
    def seconds(self) -> int:
        """Length in seconds; only for fixed units."""
        if not self.is_fixed:
            raise InputError(
                f"{self} has no fixed length in seconds", hint="use m, h, d or w units here"
            )
        return self.count * FIXED_SECONDS[self.unit]

    @property
    def rolling_seconds(self) -> int:
        """The length of a rolling window of this duration: :attr:`seconds` for a fixed unit,
        and 30, 90 or 365 days per month, quarter or year (:data:`ROLLING_DAYS`)."""
        if self.is_fixed:
            return self.seconds
        return self.count * ROLLING_DAYS[self.unit] * 86400

    @property
    def rolling_text(self) -> str:
        """The rolling length written in a fixed unit: ``30d`` for ``1M``, ``28d`` for ``28d``."""
        return str(self) if self.is_fixed else f"{self.count * ROLLING_DAYS[self.unit]}d"

    @property
    def calendar_unit(self) -> CalendarUnit | None:
        return CALENDAR_UNITS.get(self.unit)

    def __str__(self) -> str:
        return f"{self.count}{self.unit}"


_SPELLED = re.compile(r"\s*([0-9]+)?\s*(minute|hour|day|week|month|quarter|year)s?\s*", re.I)
_LETTERS = {"minute": "m", "hour": "h", "day": "d", "week": "w", "month": "M", "quarter": "Q"}


def _help(text: str) -> str:
    """The fix for a duration that does not parse: the shorthand meant when the unit is
    spelled out (``Week`` → ``1w``, ``30 days`` → ``30d``, as OpenSLO/slogen's samples write)."""
    match = _SPELLED.fullmatch(text)
    if match is None or match.group(1) in {"0", "00"}:
        return DURATION_HELP
    unit = _LETTERS.get(match.group(2).lower(), "y")
    return f"write {int(match.group(1) or 1)}{unit}: " + DURATION_HELP.removeprefix("write ")


def parse_duration(text: str) -> Duration:
    """``"28d"`` → ``Duration(count=28, unit="d")``; raises :class:`InputError` otherwise."""
    match = _PATTERN.match(text)
    if match is None or int(match.group(1)) == 0:
        raise InputError(f"invalid duration {text!r}", hint=_help(text))
    count, unit = int(match.group(1)), match.group(2)
    too_long = (
        count * FIXED_SECONDS[unit] > MAX_DAYS * 86400
        if unit in FIXED_SECONDS
        else count * _MONTHS[unit] > MAX_MONTHS
    )
    if too_long:
        raise DurationRangeError(f"duration {text} is longer than 300 years", hint=RANGE_HELP)
    return Duration(count=count, unit=unit)


def format_seconds(seconds: int) -> str:
    """The shortest exact shorthand for a whole number of seconds, e.g. 3600 → ``1h``."""
    for unit in ("w", "d", "h", "m"):
        size = FIXED_SECONDS[unit]
        if seconds % size == 0 and seconds > 0:
            return f"{seconds // size}{unit}"
    raise InputError(f"{seconds}s is not a whole number of minutes", hint="use whole minutes")


def age_option(text: str | None, *, what: str) -> timedelta | None:
    """An age given as text (``30d``: a fixed length), ``what`` naming the option in an
    error; None for None."""
    if text is None:
        return None
    try:
        return timedelta(seconds=parse_duration(text).seconds)
    except InputError as error:
        raise InputError(
            f"{what}: {error.message}",
            hint=error.hint or "give a fixed length: minutes, hours, days or weeks, e.g. 30d",
        ) from None
