"""Prometheus forms of an objective's windows: durations, calendar periods, alert thresholds.

Everything the rule and dashboard renderers need to know about *time*, kept apart from the
text of the rules. Calendar periods are expressed with PromQL's UTC date functions shifted by
the zone's offset: a constant for a zone whose offset never changes (UTC, Asia/Kolkata), the
offset in force at the instant from a table of the zone's transitions otherwise (daylight
saving time; ``render.prom_zones``, valid over its horizon).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from fractions import Fraction
from zoneinfo import ZoneInfo

from covenant.core.alert_rules import sloth_ids
from covenant.core.evaluate import alert_threshold
from covenant.core.model import (
    DAY,
    AlertTier,
    BudgetingMethod,
    CalendarUnit,
    CalendarWindow,
    Objective,
    RollingWindow,
)
from covenant.render.prom_anchored import layout, seasonal_table
from covenant.render.prom_zones import corrections, length_expr, offset_expr, table_length_expr

WEEK = 7 * DAY
_ISO_MONDAY = 4 * DAY  # 1970-01-05, a Monday, is 4 days after the epoch
_UNITS = (("d", DAY), ("h", 3600), ("m", 60), ("s", 1))


def prom_duration(seconds: int) -> str:
    """``300`` → ``5m``, ``2591999`` → ``29d23h59m59s`` (units d, h, m, s)."""
    if seconds <= 0:
        raise ValueError(f"a duration must be positive, got {seconds}")
    out, rest = "", seconds
    for unit, size in _UNITS:
        count, rest = divmod(rest, size)
        if count:
            out += f"{count}{unit}"
    return out


def range_of(seconds: int) -> str:
    """The range selector holding exactly the ``seconds / 60`` one-minute points recorded in
    ``(t − seconds, t]`` at evaluation instant ``t``: one millisecond short, because a
    Prometheus 2 range is closed at both ends and would also take the point exactly
    ``seconds`` back (Prometheus 3 ranges are open on the left; see docs/prometheus-rules.md)."""
    return prom_duration(seconds - 1) + "999ms"


def fixed_offset(zone: str) -> int | None:
    """The zone's UTC offset in seconds when it never changes (2000–2100), else None."""
    tz = ZoneInfo(zone)
    offsets = {
        datetime(year, month, 15, tzinfo=UTC).astimezone(tz).utcoffset()
        for year in range(2000, 2101)
        for month in (1, 4, 7, 10)
    }
    if len(offsets) != 1:
        return None
    (offset,) = offsets
    return int((offset or timedelta(0)).total_seconds())


@dataclass(frozen=True, slots=True, kw_only=True)
class Period:
    """A calendar window as PromQL: the period id of an instant and the possible lengths."""

    name: str  # the window as written: 1M, 1w, 1d
    id_expr: str  # PromQL (instant vector) numbering the period holding the instant before now
    lengths: tuple[tuple[int, str | None], ...]  # (seconds, guard selecting it) per length
    days_expr: str  # PromQL: the current period's length in days
    # PromQL: the length in days of the period of the latest minute count the per-minute group
    # recorded (the 5-minute group's, which sums that period's minutes: a group of its own)
    recorded_days_expr: str
    max_seconds: int
    zone: str = "UTC"
    # a zone with daylight saving time: PromQL of the current period's UTC length in seconds,
    # recorded as LENGTH (the guards read the recording), of the zone's offset, recorded as
    # OFFSET, and the period id from that recording (the per-minute group); None otherwise
    length_expr: str | None = None
    offset_expr: str | None = None
    recorded_id_expr: str | None = None
    # several months in a fixed-offset zone: PromQL of the current period's days, recorded
    # once a minute as PERIOD_DAYS (the guards read the recording, not a copy each); None otherwise
    days_record: str | None = None

    @property
    def seasonal(self) -> bool:
        return self.length_expr is not None


LENGTH = "covenant:slo_period:seconds"
PERIOD_DAYS = "covenant:slo_period:days"  # several months, fixed offset: the guards' quantity
TOTAL_PERIOD = "covenant:sli_total:count1m_period"  # the minute counts labelled by period
OFFSET = "covenant:slo_zone_offset:seconds"
SELECTOR = "{__covenant_selector__}"  # replaced by the objective's selector (:func:`for_slo`)


def slo_selector(o: Objective) -> str:
    """``{sloth_id="…", sloth_service="…", sloth_slo="…"}``: the objective's series."""
    return "{" + ", ".join(f'{k}="{_esc(v)}"' for k, v in sloth_ids(o).items()) + "}"


def _esc(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"')


def for_slo(expr: str, o: Objective) -> str:
    """``expr`` reading the objective's own recordings (the period length)."""
    return expr.replace(SELECTOR, slo_selector(o))


def period_of(window: CalendarWindow) -> Period | str:
    """The calendar window's PromQL form, or why it has none."""
    # the instant before the minute the counts end at: a group evaluates at an offset into the
    # minute, and its counts are the minutes up to the last sample on or before it
    last = "scalar(floor(vector(time() / 60))) * 60 - 1"
    if window.count != 1 or (window.anchor is not None and not _natural(window)):
        return _anchored(window, last)  # 2w, 3M, a month from the 15th: render.prom_anchored
    offset = fixed_offset(window.zone)
    if offset is None:
        return _seasonal(window, last)
    unit = window.unit
    now = f"{last} + {offset}" if offset else last
    if unit in (CalendarUnit.DAY, CalendarUnit.WEEK):
        days = 1 if unit is CalendarUnit.DAY else 7
        return Period(
            name=NAMES[unit],
            id_expr=_period_id(unit, now),
            lengths=((days * DAY, None),),
            days_expr=f"vector({days})",
            recorded_days_expr=f"vector({days})",
            max_seconds=days * DAY,
        )
    dim = _days(unit, f"vector({now})")
    return Period(
        name=NAMES[unit],
        id_expr=_period_id(unit, now),
        lengths=tuple((d * DAY, f"{dim} == {d}") for d in DAYS[unit]),
        days_expr=dim,
        recorded_days_expr=_recorded_days(unit, offset),
        max_seconds=DAYS[unit][-1] * DAY,
    )


NAMES = {
    CalendarUnit.DAY: "1d",
    CalendarUnit.WEEK: "1w",
    CalendarUnit.MONTH: "1M",
    CalendarUnit.QUARTER: "1Q",
    CalendarUnit.YEAR: "1Y",
}
"""The ``sloth_window`` label of each calendar unit's window (OpenSLO's shorthand)."""
DAYS = {
    CalendarUnit.MONTH: (28, 29, 30, 31),
    CalendarUnit.QUARTER: (90, 91, 92),  # Q1 90 (91 in a leap year), Q2 91, Q3 and Q4 92
    CalendarUnit.YEAR: (365, 366),
}
"""The wall-clock lengths in days a period of the unit can have, ascending."""


def _leap(at: str) -> str:
    """PromQL (0 or 1): the year of the instants ``at`` (an instant vector) is a leap year
    (divisible by 4, and not by 100 unless by 400)."""
    y = f"year({at})"
    return f"(({y} % 4 == bool 0) - ({y} % 100 == bool 0) + ({y} % 400 == bool 0))"


def _days(unit: CalendarUnit, at: str) -> str:
    """PromQL: the length in days of the month, quarter or year of the instants ``at``."""
    if unit is CalendarUnit.MONTH:
        return f"days_in_month({at})"
    if unit is CalendarUnit.QUARTER:
        q = f"floor((month({at}) - 1) / 3)"  # 0 to 3
        return f"(90 + ({q} >= bool 1) + ({q} >= bool 2) + ({q} == bool 0) * {_leap(at)})"
    assert unit is CalendarUnit.YEAR, unit
    return f"(365 + {_leap(at)})"


def _recorded_days(unit: CalendarUnit, offset: int) -> str:
    """PromQL: the days of the month, quarter or year (a fixed UTC offset) of the latest
    recorded minute count: from the instant of that sample, not from ``time()``, whose minute
    the per-minute group may not have recorded yet."""
    last = f"floor(max(timestamp({TOTAL_PERIOD}{SELECTOR})) / 60) * 60 - 1"
    now = f"{last} + {offset}" if offset else last
    return _days(unit, now)


def _period_id(unit: CalendarUnit, now: str) -> str:
    if unit is CalendarUnit.DAY:
        return f"floor(vector(({now}) / 86400))"
    if unit is CalendarUnit.WEEK:
        return f"floor(vector(({now} - {_ISO_MONDAY}) / {WEEK}))"
    at = f"vector({now})"
    if unit is CalendarUnit.QUARTER:
        return f"year({at}) * 4 + floor((month({at}) - 1) / 3)"
    if unit is CalendarUnit.YEAR:
        return f"year({at})"
    return f"year({at}) * 12 + month({at})"


def _seasonal(window: CalendarWindow, last: str) -> Period:
    """A period in a zone with daylight saving time: the local wall-clock time (as epoch
    seconds) of the instant ``last`` is ``last`` plus the offset from the zone's table; the
    length (23, 24 or 25 hours for a day) is recorded from the table of periods of unusual
    length (``render.prom_zones``)."""
    unit = window.unit
    now = f"{last} + {offset_expr(window.zone)}"
    if unit in DAYS:
        nominal = f"{_days(unit, f'vector({now})')} * 86400"
    else:
        nominal = f"vector({DAY if unit is CalendarUnit.DAY else WEEK})"
    table = corrections(window.zone, unit)
    return Period(
        name=NAMES[unit],
        id_expr=_period_id(unit, now),
        offset_expr=f"vector{offset_expr(window.zone)}",
        recorded_id_expr=_period_id(unit, f"{last} + scalar({OFFSET}{SELECTOR})"),
        lengths=tuple((n, f"{LENGTH}{SELECTOR} == {n}") for n in table.lengths),
        days_expr=f"{LENGTH}{SELECTOR} / 86400",
        # recorded in the same evaluation as the latest minute count
        recorded_days_expr=f"{LENGTH}{SELECTOR} / 86400",
        max_seconds=table.lengths[-1],
        zone=window.zone,
        length_expr=length_expr(window.zone, unit, nominal),
    )


def _anchored(window: CalendarWindow, last: str) -> Period | str:
    """A window of several units or from an unnatural start (``render.prom_anchored``)."""
    found = layout(window)
    if isinstance(found, str):
        return found
    offset = fixed_offset(window.zone)
    if offset is not None:
        now = f"vector({last} + {offset})" if offset else f"vector({last})"
        latest = f"floor(max(timestamp({TOTAL_PERIOD}{SELECTOR})) / 60) * 60 - 1"
        days, options = found.days_expr(now), found.fixed_days()
        # several months: the days from two day numbers (≈ 700 PromQL nodes, ≈ 10 ms in
        # Prometheus 2.42) are recorded once a minute and read by every guard of every tier
        record = days if found.months > 1 and len(options) > 1 else None
        if record is not None:
            days = f"{PERIOD_DAYS}{SELECTOR}"
        return Period(
            name=found.name,
            id_expr=found.id_expr(now),
            lengths=tuple(
                (d * DAY, None if len(options) == 1 else f"{days} == {d}") for d in options
            ),
            days_expr=days,
            recorded_days_expr=found.days_expr(f"{latest} + {offset}" if offset else latest),
            max_seconds=options[-1] * DAY,
            days_record=record,
        )
    table = seasonal_table(window)
    if isinstance(table, str):
        return table
    # the per-minute group records the offset first; the period and its length read it
    recorded = f"vector({last} + scalar({OFFSET}{SELECTOR}))"
    return Period(
        name=found.name,
        id_expr=found.id_expr(f"vector({last} + {offset_expr(window.zone)})"),
        offset_expr=f"vector{offset_expr(window.zone)}",
        recorded_id_expr=found.id_expr(recorded),
        lengths=tuple((n, f"{LENGTH}{SELECTOR} == {n}") for n in table.lengths),
        days_expr=f"{LENGTH}{SELECTOR} / 86400",
        recorded_days_expr=f"{LENGTH}{SELECTOR} / 86400",
        max_seconds=table.lengths[-1],
        zone=window.zone,
        length_expr=table_length_expr(table, f"{found.days_expr(recorded)} * 86400"),
    )


def _natural(window: CalendarWindow) -> bool:
    """The anchor falls where the unit's periods start anyway."""
    assert window.anchor is not None
    local = window.anchor.astimezone(ZoneInfo(window.zone))
    if local.time() != datetime.min.time():
        return False
    if window.unit is CalendarUnit.WEEK:
        return local.weekday() == 0
    if window.unit is CalendarUnit.MONTH:
        return local.day == 1
    if window.unit is CalendarUnit.QUARTER:
        return local.day == 1 and local.month in (1, 4, 7, 10)
    if window.unit is CalendarUnit.YEAR:
        return (local.month, local.day) == (1, 1)
    return True


def unsupported(o: Objective) -> str | None:
    """Why the objective cannot be expressed as Prometheus rules (None: it can)."""
    if o.method is not BudgetingMethod.OCCURRENCES:
        return (
            f"{o.method.value} counts time slices; the generated rules record event counts "
            "(Occurrences) only"
        )
    if isinstance(o.window, CalendarWindow):
        found = period_of(o.window)
        if isinstance(found, str):
            return found
    return None


def seasonal_zones(objectives: Sequence[Objective]) -> list[str]:
    """The zones with daylight saving time whose offset tables the rules of ``objectives``
    hold (``render.prom_zones``: valid over its horizon)."""
    zones = set()
    for o in objectives:
        if isinstance(o.window, CalendarWindow):
            found = period_of(o.window)
            if not isinstance(found, str) and found.seasonal:
                zones.add(found.zone)
    return sorted(zones)


def window_name(o: Objective) -> str:
    """The SLO window as Sloth's ``sloth_window`` label writes it (``30d``, ``1M``)."""
    if isinstance(o.window, RollingWindow):
        return prom_duration(o.window.seconds)
    found = period_of(o.window)
    assert not isinstance(found, str)
    return found.name


SLOTH_WINDOWS = (300, 1800, 3600, 7200, 21600, 86400, 259200)
"""The windows Sloth records ``slo:sli_error:ratio_rate<w>`` for whatever the alerts (5m, 30m,
1h, 2h, 6h, 1d, 3d): Sloth's dashboards draw them, and the first read by days witnesses ``1d``."""


def alert_windows(o: Objective) -> tuple[int, ...]:
    """Every alert window of the objective's tiers, and Sloth's windows (``SLOTH_WINDOWS``)."""
    seconds = set(SLOTH_WINDOWS)
    for tier in o.alert_tiers:
        seconds |= {tier.long_window_s, tier.short_window_s}
    return tuple(sorted(seconds))


def tier_bounds(o: Objective, tier: AlertTier) -> tuple[tuple[Fraction, str | None], ...]:
    """The error-ratio bound ``threshold × (1 − target)`` the tier compares with, exactly, per
    possible SLO window length, with the PromQL guard that selects that length (calendar
    months: 28–31 days; quarters 90–92; years 365 or 366). Equal bounds are merged into one
    guard range."""
    budget = 1 - o.target
    if isinstance(o.window, RollingWindow):
        lengths: tuple[tuple[int, str | None], ...] = ((o.window.seconds, None),)
    else:
        found = period_of(o.window)
        assert not isinstance(found, str)
        lengths = found.lengths
    bounds = [
        (alert_threshold(tier, window_s=w, target=o.target) * budget, w, guard)
        for w, guard in lengths
    ]
    if len({b for b, _, _ in bounds}) == 1:
        return ((bounds[0][0], None),)
    assert isinstance(o.window, CalendarWindow)
    found = period_of(o.window)
    assert not isinstance(found, str)
    # the quantity the guards compare: days for a fixed offset, seconds (recorded) otherwise
    quantity = f"{LENGTH}{slo_selector(o)}" if found.seasonal else for_slo(found.days_expr, o)
    merged: list[tuple[Fraction, str | None]] = []
    for bound, w, _ in bounds:
        value = w if found.seasonal else w // DAY
        if merged and merged[-1][0] == bound:
            low = merged[-1][1]
            assert low is not None
            merged[-1] = (bound, low.rsplit(" <= ", 1)[0] + f" <= {value}")
        else:
            merged.append((bound, f"{quantity} >= {value} <= {value}"))
    return tuple(merged)
