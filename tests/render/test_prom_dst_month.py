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

from dataclasses import replace
from datetime import UTC, datetime
from fractions import Fraction
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
import pytest
import yaml

from covenant.core.model import AlertTier, CalendarUnit, CalendarWindow
from covenant.core.replay import replay_alerts
from covenant.core.series import BucketMatrix
from covenant.core.timeutil import from_epoch, to_epoch
from covenant.render import prom_tests
from covenant.render.prom_rule_file import rules_yaml
from covenant.render.prom_rules import GOOD, TOTAL, RuleTarget, rule_groups
from covenant.render.prom_tests import AlertCheck, TargetTest, WindowCheck
from covenant.render.prom_windows import LENGTH, OFFSET
from tests.render.test_prom_dst import MINUTE, _local_end, _local_start, _objective, _sample
from tests.render.test_prom_rules import COUNTS
from tests.services.test_prom_rule_tests import _promtool_test

MONTH = CalendarUnit.MONTH
HOUR = 3600
SHARE = Fraction(2, 100)
TIER = AlertTier(
    name="page-fast",
    severity="page",
    long_window_s=HOUR,
    short_window_s=5 * MINUTE,
    budget_fraction=SHARE,
)
TARGET = Fraction(999, 1000)
BAD = 73  # bad events a burning minute: 14.5 to 14.6 × the budget rate of 5000 to 5006 events


def _utc(year: int, month: int, day: int, hour: int, minute: int = 0) -> int:
    return int(datetime(year, month, day, hour, minute, tzinfo=UTC).timestamp())


# zone, first fed minute, hours fed, burning minutes [from, to) (UTC), the instants checked
# closely (local midnights on the 1st and DST changes, written out in UTC) with the month
# lengths in hours before and after each
CASES: dict[str, tuple[str, int, int, tuple[int, int] | None, dict[int, tuple[int, int]]]] = {
    # 29 March 2026, 01:00 UTC: 02:00 CET → 03:00 CEST, in a 743-hour March
    "berlin-spring-forward": (
        "Europe/Berlin",
        _utc(2026, 3, 28, 23),
        4,
        None,
        {_utc(2026, 3, 29, 1): (743, 743)},
    ),
    # April starts at 22:00 UTC on 31 March; the burn fires only under April's lower threshold
    "berlin-march-to-april": (
        "Europe/Berlin",
        _utc(2026, 3, 31, 20),
        4,
        (_utc(2026, 3, 31, 20, 30), _utc(2026, 3, 31, 22, 30)),
        {_utc(2026, 3, 31, 22): (743, 720)},
    ),
    # October starts at 22:00 UTC on 30 September; a burn firing under September's threshold
    # resolves under October's (745 hours)
    "berlin-september-to-october": (
        "Europe/Berlin",
        _utc(2026, 9, 30, 20),
        4,
        (_utc(2026, 9, 30, 20, 30), _utc(2026, 9, 30, 22, 30)),
        {_utc(2026, 9, 30, 22): (720, 745)},
    ),
    # 25 October 2026, 01:00 UTC: 03:00 CEST → 02:00 CET
    "berlin-fall-back": (
        "Europe/Berlin",
        _utc(2026, 10, 24, 23),
        4,
        None,
        {_utc(2026, 10, 25, 1): (745, 745)},
    ),
    # November starts at 23:00 UTC on 31 October (CET, after the change)
    "berlin-october-to-november": (
        "Europe/Berlin",
        _utc(2026, 10, 31, 21),
        4,
        (_utc(2026, 10, 31, 21, 30), _utc(2026, 10, 31, 23, 30)),
        {_utc(2026, 10, 31, 23): (745, 720)},
    ),
    # 8 March 2026, 07:00 UTC: 02:00 EST → 03:00 EDT, in a 743-hour March
    "new-york-spring-forward": (
        "America/New_York",
        _utc(2026, 3, 8, 5),
        4,
        None,
        {_utc(2026, 3, 8, 7): (743, 743)},
    ),
    # April starts at 04:00 UTC on 1 April (EDT)
    "new-york-march-to-april": (
        "America/New_York",
        _utc(2026, 4, 1, 2),
        4,
        (_utc(2026, 4, 1, 2, 30), _utc(2026, 4, 1, 4, 30)),
        {_utc(2026, 4, 1, 4): (743, 720)},
    ),
    # November starts at 04:00 UTC (midnight EDT) and is 721 hours long: at 06:00 UTC the
    # clock goes back from 02:00 EDT to 01:00 EST
    "new-york-october-to-november-and-fall-back": (
        "America/New_York",
        _utc(2026, 11, 1, 2),
        6,
        (_utc(2026, 11, 1, 2, 30), _utc(2026, 11, 1, 4, 30)),
        {_utc(2026, 11, 1, 4): (744, 721), _utc(2026, 11, 1, 6): (721, 721)},
    ),
}


def _traffic(first: int, hours: int, burn: tuple[int, int] | None) -> tuple[list[int], list[int]]:
    """Per-minute good and total counts; minute ``j`` is ``[first + 60 j, first + 60 j + 60)``."""
    totals = [5000 + j % 7 for j in range(hours * 60)]
    goods = [
        t - (BAD if burn and burn[0] <= first + MINUTE * j < burn[1] else 0)
        for j, t in enumerate(totals)
    ]
    return goods, totals


def _length(zone: str, at: int) -> int:
    """The UTC length of the local month holding instant ``at`` (zoneinfo's wall clock)."""
    return _month_length(zone, _local_start(at, zone, MONTH))


@cache
def _month_length(zone: str, start: int) -> int:
    return _local_end(start, zone, MONTH) - start


def _firing(
    zone: str, first: int, goods: list[int], totals: list[int]
) -> tuple[set[int], dict[int, tuple[int, int, int, int]]]:
    """The evaluation instants (UTC) at which the tier's condition holds, and its long and
    short window counts there: both windows' error ratios at or above ``2 % × month length /
    1 h × (1 − target)``, the month being the local one holding the instant's last second."""
    firing: set[int] = set()
    windows: dict[int, tuple[int, int, int, int]] = {}
    for k in range(len(totals)):
        at = first + MINUTE * (k + 1)  # minutes 0..k have ended
        bound = SHARE * Fraction(_length(zone, at - 1), HOUR) * (1 - TARGET)
        counts = []
        for window_s in (TIER.long_window_s, TIER.short_window_s):
            lo = max(0, k + 1 - window_s // MINUTE)
            good, total = sum(goods[lo : k + 1]), sum(totals[lo : k + 1])
            counts += [good, total]
            if total == 0 or Fraction(total - good, total) < bound:
                break
        else:
            firing.add(at)
            windows[at] = (counts[0], counts[1], counts[2], counts[3])
    return firing, windows


def _engine_firing(zone: str, first: int, goods: list[int], totals: list[int]) -> set[int]:
    """The instants the engine's replay has the tier firing."""
    o = replace(_objective(CalendarWindow(unit=MONTH, zone=zone)), alert_tiers=(TIER,))
    data = BucketMatrix(
        keys=("api",),
        start=first,
        step=MINUTE,
        good=np.array([goods], dtype=np.int64),
        total=np.array([totals], dtype=np.int64),
    )
    end = first + MINUTE * len(totals)
    replay = replay_alerts(
        o, data, start=from_epoch(first + MINUTE), end=from_epoch(end), step_s=MINUTE
    )
    (tier,) = replay.tiers
    return {
        t
        for e in tier.episodes
        for t in range(to_epoch(e.start), to_epoch(e.end) + (MINUTE if e.ongoing else 0), MINUTE)
    }


def _near(instants: set[int], first: int, end: int) -> list[int]:
    """Every minute from 2 minutes before to 2 minutes after each instant, within the feed."""
    near = {t + d * MINUTE for t in instants for d in range(-2, 3)}
    return sorted(t for t in near if first + MINUTE <= t <= end)


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

    goods, totals = _traffic(first, hours, burn)
    firing, windows = _firing(zone, first, goods, totals)
    assert _engine_firing(zone, first, goods, totals) == firing  # the engine agrees
    if burn is not None:
        (boundary,) = (
            t for t in changes if datetime.fromtimestamp(t, tz).timetuple()[2:6] == (1, 0, 0, 0)
        )
        # the burn lies between the two months' thresholds: the alert changes state exactly
        # at the first evaluation of the new month (its minute ending at midnight + 1 min)
        assert (boundary in firing) != (boundary + MINUTE in firing)
    else:
        assert not firing

    o = replace(_objective(CalendarWindow(unit=MONTH, zone=zone)), alert_tiers=(TIER,))
    target = RuleTarget(objective=o, counts=COUNTS)
    groups = rule_groups([target], sources=False)
    shift = first  # promtool's instant 0 is the first fed minute's start

    def shifted(expr: str) -> str:
        return expr.replace("time()", f"(time() + {shift})")

    (tmp_path / "rules.yml").write_text(shifted(rules_yaml(groups)), encoding="utf-8")
    flips = {t for t in range(first, end + 1, MINUTE) if (t in firing) != (t + MINUTE in firing)}
    checked = set(changes) | {t + MINUTE for t in flips}
    alerts = [
        AlertCheck(at=t - shift, firing=(TIER,) if t in firing else ())
        for t in _near(checked, first, end)
    ]
    assert any(a.firing for a in alerts) == bool(burn)
    test = TargetTest(
        target=target,
        good=goods,
        total=totals,
        alerts=alerts,
        windows=[
            WindowCheck(at=t - shift, window_s=w, good=g, total=n)
            for t, (lg, ln, sg, sn) in windows.items()
            if t - MINUTE not in firing
            for w, g, n in ((TIER.long_window_s, lg, ln), (TIER.short_window_s, sg, sn))
        ],
        minutes=len(totals),
    )
    doc = yaml.safe_load(prom_tests.tests_yaml([test], rule_file="rules.yml"))
    summed = {
        name: next(r["expr"] for g in groups for r in g["rules"] if r.get("record") == name)
        for name in (f"{GOOD}_period", f"{TOTAL}_period")
    }
    ids = target.ids
    exprs = doc["tests"][0]["promql_expr_test"]
    for t in sorted(set(_near(set(changes), first, end)) | set(range(first + HOUR, end, HOUR))):
        begin = _local_start(t - 1, zone, MONTH)
        # minute j ends at first + 60 (j + 1) and counts in the month of its last second
        ended = [j for j in range(len(totals)) if begin < first + MINUTE * (j + 1) <= t]
        for name, counts in ((f"{GOOD}_period", goods), (f"{TOTAL}_period", totals)):
            exprs.append(
                {
                    "expr": shifted(summed[name]),
                    "eval_time": f"{t - shift}s",
                    "exp_samples": [
                        _sample("", {**ids, "sloth_window": "1m"}, sum(counts[j] for j in ended))
                    ],
                }
            )
        last = t - t % MINUTE - 1  # the instant whose month and offset the rules use
        offset = datetime.fromtimestamp(last, tz).utcoffset()
        assert offset is not None
        for name, value in ((LENGTH, _length(zone, last)), (OFFSET, offset.total_seconds())):
            exprs.append(
                {
                    "expr": f"{name}{target.selector}",
                    "eval_time": f"{t - shift}s",
                    "exp_samples": [_sample(name, ids, int(value))],
                }
            )
    (tmp_path / "tests.yml").write_text(yaml.safe_dump(doc), encoding="utf-8")
    done = _promtool_test(promtool, tmp_path / "tests.yml")
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    assert "SUCCESS" in done.stdout
