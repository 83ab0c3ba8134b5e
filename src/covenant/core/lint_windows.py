"""The window check: can the backing SLO's window see the contract's calendar period?

A rolling window never resets with the contract's month; a calendar window must have the same
length, the same zone (UTC under any of its names is one zone) and start on the same day.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from fractions import Fraction
from zoneinfo import ZoneInfo

from covenant.core.agreements import PeriodUnit
from covenant.core.lint_findings import Context, Finding, length_text, points
from covenant.core.model import DAY, CalendarUnit, CalendarWindow, Objective, RollingWindow, Window

_PERIOD_MONTHS = {PeriodUnit.MONTH: 1, PeriodUnit.QUARTER: 3}
_SHORTEST_DAYS = {PeriodUnit.MONTH: 28, PeriodUnit.QUARTER: 90}
_LONGEST_DAYS = {PeriodUnit.MONTH: 31, PeriodUnit.QUARTER: 92}
_DURATION = {PeriodUnit.MONTH: "1M", PeriodUnit.QUARTER: "1Q"}
_UNIT_MONTHS = {CalendarUnit.MONTH: 1, CalendarUnit.QUARTER: 3, CalendarUnit.YEAR: 12}
_UNIT_DAYS = {CalendarUnit.DAY: 1, CalendarUnit.WEEK: 7}


def window_findings(ctx: Context, commitment: str, objective: Objective) -> Iterator[Finding]:
    version = ctx.version
    period, zone = version.period, version.zone
    reasons = _window_reasons(objective.window, period=period, zone=zone, at=version.effective_from)
    if not reasons:
        return
    unit = period.value
    yield ctx.finding(
        code="window-mismatch",
        severity="warning",
        commitment=commitment,
        slo=objective.key,
        message=f"backing SLO {objective.key} ({describe_window(objective.window)}) cannot "
        f"protect the calendar {unit} in {zone}: " + "; ".join(reasons),
        why=f"the contract is judged per calendar {unit} in {zone}; an SLO whose budget is not "
        f"spent and reset on the same boundaries can look healthy while the {unit} is "
        "already breached",
        fix=f"give {objective.slo} (or a second backing SLO) the contract's period: timeWindow: "
        f"[{{duration: {_DURATION[period]}, isRolling: false, calendar: {{startTime: "
        f"'2026-01-01 00:00:00', timeZone: {zone}}}}}]",
    )


def describe_window(window: Window) -> str:
    if isinstance(window, RollingWindow):
        return f"rolling {length_text(window.seconds)}"
    unit = window.unit.value.lower()
    count = f"{window.count} {unit}s" if window.count != 1 else unit
    return f"calendar {count} in {window.zone}"


def _window_reasons(window: Window, *, period: PeriodUnit, zone: str, at: datetime) -> list[str]:
    unit = period.value
    longest = _LONGEST_DAYS[period]
    if isinstance(window, RollingWindow):
        reasons = [
            f"a rolling window has no {unit} boundary: it mixes the end of one {unit} with the "
            f"start of the next and never resets when the contract's {unit} does"
        ]
        if window.seconds < longest * DAY:
            reasons.append(
                f"{length_text(window.seconds)} is shorter than a {longest}-day {unit}: "
                f"downtime early in the {unit} has left the window before the {unit} ends"
            )
        return reasons
    reasons = []
    if _canonical_zone(window.zone) != _canonical_zone(zone):
        reasons.append(
            f"the SLO's periods start at midnight {window.zone}, the contract's at midnight "
            f"{zone}{_offset_note(window.zone, zone, at)}"
        )
    wanted = _PERIOD_MONTHS[period]
    months = _UNIT_MONTHS.get(window.unit)
    if months is None:
        days = _UNIT_DAYS[window.unit] * window.count
        relation = "shorter than" if days < _SHORTEST_DAYS[period] else "not aligned with"
        reasons.append(
            f"a {describe_window(window).split(' in ')[0]} window is {relation} a {unit}"
        )
    elif months * window.count != wanted:
        relation = "shorter" if months * window.count < wanted else "longer"
        reasons.append(
            f"its period is {months * window.count} month(s), {relation} than the contract's "
            f"{unit} ({wanted} month(s))"
        )
    elif not _aligned(window, months=wanted):
        assert window.anchor is not None
        local = window.anchor.astimezone(ZoneInfo(window.zone))
        reasons.append(
            f"its periods start on {local:%Y-%m-%d %H:%M} ({window.zone}), not on the first "
            f"day of a {unit}"
        )
    return reasons


def _aligned(window: CalendarWindow, *, months: int) -> bool:
    """The window's periods start where calendar months (or quarters) do."""
    if window.anchor is None:
        return True  # the natural start: the 1st of the month, January/April/July/October
    local = window.anchor.astimezone(ZoneInfo(window.zone))
    midnight = (local.day, local.hour, local.minute, local.second) == (1, 0, 0, 0)
    return midnight and (local.month - 1) % months == 0


def _offset_note(slo_zone: str, contract_zone: str, at: datetime) -> str:
    offset = at.astimezone(ZoneInfo(slo_zone)).utcoffset()
    other = at.astimezone(ZoneInfo(contract_zone)).utcoffset()
    if offset is None or other is None or offset == other:
        return ""
    hours = Fraction(int(abs((offset - other).total_seconds())), 3600)
    return f" ({points(hours)} h apart on {at:%Y-%m-%d})"


def _canonical_zone(name: str) -> str:
    """UTC under any of its names (UTC, Etc/UTC, Etc/Universal, Zulu…) is one zone."""
    return "UTC" if name in _UTC_NAMES else name


_UTC_NAMES = frozenset(
    {
        "UTC",
        "Etc/UTC",
        "Etc/Universal",
        "Etc/Zulu",
        "Universal",
        "Zulu",
        "Etc/UCT",
        "UCT",
        "Etc/GMT",
        "GMT",
        "Etc/GMT0",
        "Etc/GMT+0",
        "Etc/GMT-0",
        "GMT0",
        "Etc/Greenwich",
    }
)
