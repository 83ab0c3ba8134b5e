"""Response and resolution targets from published support policies, with their business
hours and holidays, worked by hand to the deadline and checked at it and one second past it.

Sources:

- AMC Technology, "Response and Resolution" (support.amctechnology.com/information/support/
  response-and-resolution): P2 response "Within 1 Hour – During Business Hours", resolution
  "Within 1 Business Day"; P3 response "Within 4 Hours – During Business Hours", resolution
  "Within 5 business days"; "Business day: 8:30 ~ 17:30 EST/EDT Monday ~ Friday (Excluding US
  holidays and Friday after Thanksgiving)" — so a business day is 9 business hours;
- Vulpine MSP, "Service Level Commitment" (vulpinemsp.com/trust/service-level.html): "Business
  Hours: Mon–Fri, 9:00 a.m.–5:30 p.m. ET (excluding observed holidays)"; P1 – Critical
  "Within 1 hour (24×7)", P2 – High "Within 2 business hours".

A support commitment has one calendar (docs/sla.md, "Support"), so a policy whose P1 runs
24×7 and whose other priorities run in business hours is two commitments: one without a
calendar, one on the business calendar. A timer is breached when more than its target has
elapsed, in whole seconds: a resolution at the deadline is met.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from covenant.core.agreements import SupportCommitment, SupportTarget
from covenant.core.business_time import Calendar, WeeklyHours, compile_calendar
from covenant.core.support import (
    BusinessClock,
    Clock,
    TimerKind,
    TimerState,
    WallClock,
    ticket_timers,
)
from covenant.core.tickets import StatusChange, Ticket

ET = ZoneInfo("America/New_York")
HOUR = 3600
# US federal holidays of 2026 (as the `holidays` package lists them; Independence Day on a
# Saturday is observed Friday 3 July) — written out, so the test does not depend on it
US_2026 = frozenset(
    {
        date(2026, 1, 1),
        date(2026, 1, 19),
        date(2026, 2, 16),
        date(2026, 5, 25),
        date(2026, 6, 19),
        date(2026, 7, 3),
        date(2026, 7, 4),
        date(2026, 9, 7),
        date(2026, 10, 12),
        date(2026, 11, 11),
        date(2026, 11, 26),
        date(2026, 12, 25),
    }
)


def clock_of(calendar: Calendar) -> BusinessClock:
    table = compile_calendar(
        calendar, start=datetime(2026, 1, 1, tzinfo=UTC), end=datetime(2027, 2, 1, tzinfo=UTC)
    )
    return BusinessClock(table=table)


AMC = clock_of(
    Calendar(
        zone="America/New_York",
        hours=WeeklyHours.parse({"mon-fri": "08:30-17:30"}),
        holidays=US_2026 | {date(2026, 11, 27)},  # and the Friday after Thanksgiving
        name="amc",
    )
)
AMC_TARGETS = SupportCommitment(
    name="amc-support",
    calendar="amc",
    targets=(
        SupportTarget(priority="P2", first_response_s=1 * HOUR, resolution_s=9 * HOUR),
        SupportTarget(priority="P3", first_response_s=4 * HOUR, resolution_s=5 * 9 * HOUR),
    ),
)
VULPINE = clock_of(
    Calendar(
        zone="America/New_York",
        hours=WeeklyHours.parse({"mon-fri": "09:00-17:30"}),
        holidays=US_2026,
        name="vulpine",
    )
)
VULPINE_P1 = SupportCommitment(
    name="vulpine-critical",
    calendar=None,
    targets=(SupportTarget(priority="P1", first_response_s=1 * HOUR),),
)
VULPINE_P2 = SupportCommitment(
    name="vulpine-high",
    calendar="vulpine",
    targets=(SupportTarget(priority="P2", first_response_s=2 * HOUR),),
)


def et(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=ET)  # type: ignore[misc]


def timer(
    commitment: SupportCommitment,
    clock: Clock,
    priority: str,
    kind: TimerKind,
    created: datetime,
    stop: datetime,
) -> tuple[datetime, TimerState]:
    """(deadline, state) of one ticket's timer of ``kind``, which stops at ``stop``."""
    history = [StatusChange(at=created, status="open")]
    if kind is TimerKind.RESOLUTION:
        history.append(StatusChange(at=stop, status="resolved"))
    t = Ticket(
        id="T-1",
        customer="acme",
        priority=priority,
        created=created,
        history=tuple(history),
        first_response=stop if kind is TimerKind.FIRST_RESPONSE else created,
    )
    at = stop + timedelta(days=1)
    (found,) = [x for x in ticket_timers([t], commitment, clock=clock, at=at) if x.kind is kind]
    return found.deadline, found.state


@pytest.mark.parametrize(
    ("priority", "kind", "created", "deadline"),
    [
        # Wednesday before Thanksgiving 16:00: 1 h response → 17:00 the same day
        ("P2", TimerKind.FIRST_RESPONSE, et(2026, 11, 25, 16), et(2026, 11, 25, 17)),
        # 9 h: 1.5 h on Wednesday; Thursday (Thanksgiving), Friday (the day after), the weekend
        # closed; 7.5 h from Monday 08:30 → Monday 30 November 16:00
        ("P2", TimerKind.RESOLUTION, et(2026, 11, 25, 16), et(2026, 11, 30, 16)),
        # Thursday 2 July 15:00: 2.5 h that day, Friday 3 July observed Independence Day,
        # 1.5 h on Monday → 10:00 Monday 6 July
        ("P3", TimerKind.FIRST_RESPONSE, et(2026, 7, 2, 15), et(2026, 7, 6, 10)),
        # 45 h: 2.5 h on Thursday, 4 × 9 h Monday–Thursday, 6.5 h on Friday → 15:00 Friday 10 July
        ("P3", TimerKind.RESOLUTION, et(2026, 7, 2, 15), et(2026, 7, 10, 15)),
    ],
)
def test_amc_business_day_targets_over_us_holidays(
    priority: str, kind: TimerKind, created: datetime, deadline: datetime
) -> None:
    assert timer(AMC_TARGETS, AMC, priority, kind, created, deadline) == (
        deadline,
        TimerState.MET,
    )
    late = deadline + timedelta(seconds=1)
    assert timer(AMC_TARGETS, AMC, priority, kind, created, late)[1] is TimerState.BREACHED


def test_vulpine_p1_counts_24x7_over_a_holiday_night() -> None:
    """Saturday 4 July 23:30 (a holiday, a weekend, after hours): 1 h → Sunday 00:30."""
    created, deadline = et(2026, 7, 4, 23, 30), et(2026, 7, 5, 0, 30)
    kind = TimerKind.FIRST_RESPONSE
    assert timer(VULPINE_P1, WallClock(), "P1", kind, created, deadline) == (
        deadline,
        TimerState.MET,
    )
    late = deadline + timedelta(seconds=1)
    assert timer(VULPINE_P1, WallClock(), "P1", kind, created, late)[1] is TimerState.BREACHED


def test_vulpine_p2_waits_for_business_hours_after_an_observed_holiday() -> None:
    """Thursday 2 July 16:30: 1 h to 17:30; Friday 3 July is the observed holiday; 1 h from
    Monday 09:00 → Monday 6 July 10:00."""
    created, deadline = et(2026, 7, 2, 16, 30), et(2026, 7, 6, 10)
    kind = TimerKind.FIRST_RESPONSE
    assert timer(VULPINE_P2, VULPINE, "P2", kind, created, deadline) == (
        deadline,
        TimerState.MET,
    )
    late = deadline + timedelta(seconds=1)
    assert timer(VULPINE_P2, VULPINE, "P2", kind, created, late)[1] is TimerState.BREACHED
