"""Calendar-month SLOs in zones with daylight saving time, run through promtool across the
DST changes and the local month boundaries of 2026 (docs/prometheus-rules.md, "Calendar
windows"): Europe/Berlin (29 March 02:00 → 03:00, 25 October 03:00 → 02:00) and
America/New_York (8 March 02:00 → 03:00, 1 November 02:00 → 01:00, two hours after the local
midnight that starts November).

Each case feeds a few hours of per-minute counts, with the rules' clock moved to the case's
dates as ``tests/render/test_prom_dst.py`` does, and checks minute by minute around every
boundary and change:

- the month-to-date good and total counts (the expression the meta group records as
  ``covenant:sli_{good,total}:count_period``), the recorded period length and zone offset,
  all computed here from the wall clock with ``zoneinfo``;
- a budget-share alert tier whose threshold depends on the month's UTC length (2 % of the
  budget in an hour: 14.86 × for Berlin's 743-hour March, 14.4 × for a 720-hour April), fed a
  burn between the two thresholds so that it fires or resolves exactly at a local month
  boundary. Its firing instants are found here from the counts and the ``zoneinfo`` lengths,
  checked equal to the engine's replay (``core.replay``, ``covenant backtest alerts``) and
  written in the generated unit-test format (``render.prom_tests``) for promtool.
"""

from __future__ import annotations

from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from covenant.core.model import CalendarUnit, CalendarWindow
from covenant.render.prom_rules import RuleTarget
from covenant.render.prom_windows import LENGTH, OFFSET
from tests.render.period_feed import (
    HOUR,
    check_with_promtool,
    engine_firing,
    firing,
    traffic,
    utc,
)
from tests.render.test_prom_dst import MINUTE, _local_end, _local_start, _sample

MONTH = CalendarUnit.MONTH
BAD = 73  # bad events a burning minute: 14.5 to 14.6 × the budget rate of 5000 to 5006 events


# zone, first fed minute, hours fed, burning minutes [from, to) (UTC), the instants checked
# closely (local midnights on the 1st and DST changes, written out in UTC) with the month
# lengths in hours before and after each
CASES: dict[str, tuple[str, int, int, tuple[int, int] | None, dict[int, tuple[int, int]]]] = {
    # 29 March 2026, 01:00 UTC: 02:00 CET → 03:00 CEST, in a 743-hour March
    "berlin-spring-forward": (
        "Europe/Berlin",
        utc(2026, 3, 28, 23),
        4,
        None,
        {utc(2026, 3, 29, 1): (743, 743)},
    ),
    # April starts at 22:00 UTC on 31 March; the burn fires only under April's lower threshold
    "berlin-march-to-april": (
        "Europe/Berlin",
        utc(2026, 3, 31, 20),
        4,
        (utc(2026, 3, 31, 20, 30), utc(2026, 3, 31, 22, 30)),
        {utc(2026, 3, 31, 22): (743, 720)},
    ),
    # October starts at 22:00 UTC on 30 September; a burn firing under September's threshold
    # resolves under October's (745 hours)
    "berlin-september-to-october": (
        "Europe/Berlin",
        utc(2026, 9, 30, 20),
        4,
        (utc(2026, 9, 30, 20, 30), utc(2026, 9, 30, 22, 30)),
        {utc(2026, 9, 30, 22): (720, 745)},
    ),
    # 25 October 2026, 01:00 UTC: 03:00 CEST → 02:00 CET
    "berlin-fall-back": (
        "Europe/Berlin",
        utc(2026, 10, 24, 23),
        4,
        None,
        {utc(2026, 10, 25, 1): (745, 745)},
    ),
    # November starts at 23:00 UTC on 31 October (CET, after the change)
    "berlin-october-to-november": (
        "Europe/Berlin",
        utc(2026, 10, 31, 21),
        4,
        (utc(2026, 10, 31, 21, 30), utc(2026, 10, 31, 23, 30)),
        {utc(2026, 10, 31, 23): (745, 720)},
    ),
    # 8 March 2026, 07:00 UTC: 02:00 EST → 03:00 EDT, in a 743-hour March
    "new-york-spring-forward": (
        "America/New_York",
        utc(2026, 3, 8, 5),
        4,
        None,
        {utc(2026, 3, 8, 7): (743, 743)},
    ),
    # April starts at 04:00 UTC on 1 April (EDT)
    "new-york-march-to-april": (
        "America/New_York",
        utc(2026, 4, 1, 2),
        4,
        (utc(2026, 4, 1, 2, 30), utc(2026, 4, 1, 4, 30)),
        {utc(2026, 4, 1, 4): (743, 720)},
    ),
    # November starts at 04:00 UTC (midnight EDT) and is 721 hours long: at 06:00 UTC the
    # clock goes back from 02:00 EDT to 01:00 EST
    "new-york-october-to-november-and-fall-back": (
        "America/New_York",
        utc(2026, 11, 1, 2),
        6,
        (utc(2026, 11, 1, 2, 30), utc(2026, 11, 1, 4, 30)),
        {utc(2026, 11, 1, 4): (744, 721), utc(2026, 11, 1, 6): (721, 721)},
    ),
}


def _length(zone: str, at: int) -> int:
    """The UTC length of the local month holding instant ``at`` (zoneinfo's wall clock)."""
    return _month_length(zone, _local_start(at, zone, MONTH))


@cache
def _month_length(zone: str, start: int) -> int:
    return _local_end(start, zone, MONTH) - start


@pytest.mark.parametrize("case", list(CASES))
def test_month_counts_and_alerts_across_dst_and_month_boundaries(
    promtool: str, case: str, tmp_path: Path
) -> None:
    zone, first, hours, burn, changes = CASES[case]
    tz = ZoneInfo(zone)
    end = first + hours * HOUR
    # the instants named in the case are what zoneinfo says: a local midnight on the 1st or
    # an offset change, with the month lengths given
    for at, (before, after) in changes.items():
        local = datetime.fromtimestamp(at, tz)
        assert (local.day, local.hour, local.minute) == (1, 0, 0) or (
            datetime.fromtimestamp(at - 1, tz).utcoffset() != local.utcoffset()
        ), local
        assert (_length(zone, at - 1), _length(zone, at)) == (before * HOUR, after * HOUR)
        assert first + HOUR < at < end - HOUR

    window = CalendarWindow(unit=MONTH, zone=zone)
    goods, totals = traffic(first, hours * 60, BAD, burn)
    fired = firing(lambda at: _length(zone, at), first, goods, totals)
    assert engine_firing(window, first, goods, totals) == fired[0]  # the engine agrees
    if burn is not None:
        (boundary,) = (
            t for t in changes if datetime.fromtimestamp(t, tz).timetuple()[2:6] == (1, 0, 0, 0)
        )
        # the burn lies between the two months' thresholds: the alert changes state exactly
        # at the first evaluation of the new month (its minute ending at midnight + 1 min)
        assert (boundary in fired[0]) != (boundary + MINUTE in fired[0])
    else:
        assert not fired[0]

    def length_and_offset(
        t: int, last: int, target: RuleTarget, shifted: Any
    ) -> list[dict[str, Any]]:
        offset = datetime.fromtimestamp(last, tz).utcoffset()
        assert offset is not None
        return [
            {"expr": f"{name}{target.selector}", "exp_samples": [_sample(name, target.ids, int(v))]}
            for name, v in ((LENGTH, _length(zone, last)), (OFFSET, offset.total_seconds()))
        ]

    check_with_promtool(
        promtool,
        tmp_path,
        window,
        (first, goods, totals),
        fired,
        set(changes),
        lambda at: _local_start(at, zone, MONTH),
        length_and_offset,
    )
