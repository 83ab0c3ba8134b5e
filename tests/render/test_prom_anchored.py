"""Calendar windows of several units and from unnatural starts as Prometheus rules
(docs/prometheus-rules.md, "Calendar windows"; ``render.prom_anchored``): ``3M`` from February,
``6M`` halves, ``2w`` from a Wednesday, ``14d`` from 06:00, a month from the 15th, run through
promtool at their period boundaries in UTC, Asia/Kolkata (+05:30) and Europe/Berlin (both of
2026's daylight-saving changes inside a two-week period).

As ``tests/render/test_prom_quarter.py`` does for quarters, each case feeds four hours of
per-minute counts around an instant and checks minute by minute the period-to-date good and
total counts, the period's length (days in a fixed-offset zone; the recorded UTC length and
offset in Berlin) and a budget-share alert tier whose threshold depends on the period's length,
fed a burn between two periods' thresholds where they differ enough. The periods are found here
from the wall clock with ``zoneinfo`` (month arithmetic from the anchor), checked equal to the
engine's calendar, and the firing instants equal to the engine's replay.
"""

from __future__ import annotations

import re
import subprocess
from datetime import UTC, datetime, timedelta
from fractions import Fraction
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from covenant.core.model import CalendarUnit, CalendarWindow
from covenant.core.windows import window_bounds
from covenant.render.prom_anchored import seasonal_table
from covenant.render.prom_rule_file import rules_yaml
from covenant.render.prom_rules import RuleTarget, rule_groups
from covenant.render.prom_windows import LENGTH, OFFSET, for_slo, period_of, unsupported
from covenant.render.prom_zones import HORIZON
from tests.render.period_feed import (
    HOUR,
    check_with_promtool,
    engine_firing,
    firing,
    objective,
    traffic,
    utc,
)
from tests.render.test_prom_dst import MINUTE, _sample
from tests.render.test_prom_rules import COUNTS
from tests.render.test_prom_rules_vmalert import _loads

DAY, WEEK, MONTH = CalendarUnit.DAY, CalendarUnit.WEEK, CalendarUnit.MONTH
BERLIN, KOLKATA = "Europe/Berlin", "Asia/Kolkata"


def local(zone: str, *wall: int) -> datetime:
    """The UTC instant of a wall-clock time of ``zone``."""
    return datetime(*wall, tzinfo=ZoneInfo(zone)).astimezone(UTC)  # type: ignore[misc]


def window(unit: CalendarUnit, count: int, zone: str, *anchor: int) -> CalendarWindow:
    return CalendarWindow(
        unit=unit, count=count, zone=zone, anchor=local(zone, *anchor) if anchor else None
    )


def wall_period(w: CalendarWindow, at: int) -> tuple[int, int]:
    """The UTC start and end of the period of ``w`` holding instant ``at``: periods of
    ``count`` days (weeks, months) on the wall clock from the anchor, month steps keeping the
    anchor's day (at most the 28th here) and time (no anchor: 1 January 1970)."""
    tz = ZoneInfo(w.zone)
    now = datetime.fromtimestamp(at, tz).replace(tzinfo=None)
    # no anchor: 1 January 1970, or Monday 5 January for weeks (ISO weeks)
    origin = datetime(1970, 1, 5 if w.unit is WEEK else 1)
    if w.anchor is not None:
        origin = w.anchor.astimezone(tz).replace(tzinfo=None)
    if w.unit is MONTH:
        months = (now.year - origin.year) * 12 + now.month - origin.month
        if now < origin.replace(year=now.year, month=now.month):
            months -= 1  # before this month's start day: the month's period began before
        k = months // w.count

        def start_of(k: int) -> datetime:
            year, month = divmod(origin.month - 1 + k * w.count, 12)
            return origin.replace(year=origin.year + year, month=month + 1)

        start, end = start_of(k), start_of(k + 1)
    else:
        size = timedelta(days=w.count * (7 if w.unit is WEEK else 1))
        start = origin + (now - origin) // size * size
        end = start + size
    return int(start.replace(tzinfo=tz).timestamp()), int(end.replace(tzinfo=tz).timestamp())


# the window, the instant checked (a period start or an offset change), the UTC lengths in
# hours of the periods before and after it, and bad events a burning minute (None: no burn;
# the two thresholds too close for integer counts of about 5000)
CASES: dict[str, tuple[CalendarWindow, int, tuple[int, int], int | None]] = {
    # Feb–Apr 2026 (89 days) to May–Jul (92): 220 bad in 5000–5006 is 43.9–44.0 × the budget
    # rate, between 2 % × 2136 h = 42.72 × and 2 % × 2208 h = 44.16 ×: resolves on 1 May
    "utc-3M-from-february": (
        window(MONTH, 3, "UTC", 2026, 2, 1),
        utc(2026, 5, 1, 0),
        (2136, 2208),
        220,
    ),
    # 15 Feb – 15 Mar (28 days) to 15 Mar – 15 Apr (31), 15 March 00:00 IST = 18:30 UTC: 70 bad
    # is 13.98–14.0 ×, between 13.44 × and 14.88 ×
    "kolkata-1M-from-15th": (
        window(MONTH, 1, KOLKATA, 2026, 1, 15),
        utc(2026, 3, 14, 18, 30),
        (672, 744),
        70,
    ),
    # Berlin's 15 March – 15 April holds the spring change (743 h); 15 April – 15 May 720 h:
    # 73 bad is 14.58–14.6 ×, between 14.86 × and 14.4 ×: fires from 15 April 00:00 CEST
    "berlin-1M-from-15th": (
        window(MONTH, 1, BERLIN, 2026, 1, 15),
        utc(2026, 4, 14, 22),
        (743, 720),
        73,
    ),
    # Berlin's first half of 2026 (181 days, an hour short) to its second (184 days, an hour
    # long), 1 July 00:00 CEST: 438 bad is 87.5–87.6 ×, between 86.86 × and 88.34 ×
    "berlin-6M-halves": (window(MONTH, 6, BERLIN), utc(2026, 6, 30, 22), (4343, 4417), 438),
    # two weeks from Wednesday 18 March hold 29 March's change (335 h), the next two weeks
    # start on Wednesday 1 April 00:00 CEST (336 h)
    "berlin-2w-from-wednesday": (
        window(WEEK, 2, BERLIN, 2026, 3, 18),
        utc(2026, 3, 31, 22),
        (335, 336),
        None,
    ),
    # 29 March 2026, 01:00 UTC: 02:00 CET → 03:00 CEST inside that period
    "berlin-2w-spring-change": (
        window(WEEK, 2, BERLIN, 2026, 3, 18),
        utc(2026, 3, 29, 1),
        (335, 335),
        None,
    ),
    # 25 October 2026, 01:00 UTC: 03:00 CEST → 02:00 CET inside 21 October – 4 November (337 h)
    "berlin-2w-autumn-change": (
        window(WEEK, 2, BERLIN, 2026, 3, 18),
        utc(2026, 10, 25, 1),
        (337, 337),
        None,
    ),
    # fourteen days from 3 January 06:00 IST: the next period starts 17 January 00:30 UTC
    "kolkata-14d-from-0600": (
        window(DAY, 14, KOLKATA, 2026, 1, 3, 6),
        utc(2026, 1, 17, 0, 30),
        (336, 336),
        None,
    ),
}


@pytest.mark.parametrize("case", list(CASES))
def test_period_counts_lengths_and_alerts_at_boundaries(
    promtool: str, case: str, tmp_path: Path
) -> None:
    w, at, (before, after), bad = CASES[case]
    first = at - 2 * HOUR

    def length(t: int) -> int:
        s, e = wall_period(w, t)
        return e - s

    assert (length(at - 1), length(at)) == (before * HOUR, after * HOUR)
    starts = wall_period(w, at)[0] == at
    assert starts or datetime.fromtimestamp(at - 1, ZoneInfo(w.zone)).utcoffset() != (
        datetime.fromtimestamp(at, ZoneInfo(w.zone)).utcoffset()
    )
    # the periods are the engine's: around the instant and at every hour of the feed
    for t in [*range(at - 3 * MINUTE, at + 4 * MINUTE, MINUTE), *range(first, at + 3 * HOUR, HOUR)]:
        bounds = window_bounds(w, at=t)
        assert (bounds.full_start, bounds.full_end) == wall_period(w, t - 1), t

    goods, totals = traffic(first, 4 * 60, bad, (at - 90 * MINUTE, at + 30 * MINUTE))
    fired = firing(length, first, goods, totals)
    assert engine_firing(w, first, goods, totals) == fired[0]  # the engine agrees
    if bad is not None:  # the alert changes state at the new period's first evaluation
        assert (at in fired[0]) != (at + MINUTE in fired[0])
    else:
        assert not fired[0]
    period = period_of(w)
    assert not isinstance(period, str), period
    fixed = w.zone != BERLIN

    def length_and_offset(
        t: int, last: int, target: RuleTarget, shifted: Any
    ) -> list[dict[str, Any]]:
        if fixed:  # the guards' quantity: the period's days
            days = float(Fraction(length(last), 86400))
            # as the guards read it, and as slo:time_period:days records it: from the instant
            # of the latest recorded minute count (promtool records it at the instant itself),
            # moved to the case's dates as time() is
            recorded = re.sub(
                r"max\(timestamp\(([^()]*)\)\)",
                rf"(max(timestamp(\1)) + {first})",
                period.recorded_days_expr,
            )
            assert recorded != period.recorded_days_expr or "timestamp" not in recorded
            return [
                {
                    "expr": f"sum({shifted(for_slo(expr, target.objective))})",
                    "exp_samples": [{"labels": "{}", "value": days}],
                }
                for expr in (period.days_expr, recorded)
            ]
        offset = datetime.fromtimestamp(last, ZoneInfo(w.zone)).utcoffset()
        assert offset is not None
        return [
            {"expr": f"{name}{target.selector}", "exp_samples": [_sample(name, target.ids, int(v))]}
            for name, v in ((LENGTH, length(last)), (OFFSET, offset.total_seconds()))
        ]

    check_with_promtool(
        promtool,
        tmp_path,
        w,
        (first, goods, totals),
        fired,
        {at},
        lambda t: wall_period(w, t)[0],
        length_and_offset,
    )


def test_the_windows_names_lengths_and_longest_sums() -> None:
    """The ``sloth_window`` names and the lengths the alert guards choose among, by hand."""
    three = period_of(window(MONTH, 3, "UTC", 2026, 2, 1))
    assert not isinstance(three, str)
    # Feb–Apr 89 days (90 in a leap year), May–Jul, Aug–Oct, Nov–Jan 92
    assert three.name == "3M"
    assert [s // 86400 for s, _ in three.lengths] == [89, 90, 92]
    assert three.max_seconds == 92 * 86400
    two = period_of(window(WEEK, 2, "UTC"))
    assert not isinstance(two, str)
    assert (two.name, two.lengths, two.max_seconds) == ("2w", ((14 * 86400, None),), 14 * 86400)
    halves = period_of(window(MONTH, 6, BERLIN))
    assert not isinstance(halves, str)
    # Jan–Jun 181 or 182 days an hour short (March's change), Jul–Dec 184 days an hour long
    hours = [s // HOUR for s, _ in halves.lengths]
    assert hours == [181 * 24 - 1, 182 * 24 - 1, 184 * 24 + 1]
    assert halves.seasonal
    assert not isinstance(period_of(window(CalendarUnit.QUARTER, 2, BERLIN)), str)
    year_from_july = period_of(window(CalendarUnit.YEAR, 1, "UTC", 2026, 7, 1))
    assert not isinstance(year_from_july, str)
    assert [s // 86400 for s, _ in year_from_july.lengths] == [365, 366]


@pytest.mark.parametrize(
    ("w", "said"),
    [
        # February has no 31st: the engine starts its period on the 28th (29th)
        (window(MONTH, 1, "UTC", 2026, 1, 31), "29th, 30th or 31st"),
        (window(MONTH, 3, KOLKATA, 2026, 1, 29), "29th, 30th or 31st"),
        # 02:30 is skipped on 29 March and repeated on 25 October in Berlin
        (window(DAY, 1, BERLIN, 2026, 1, 3, 2, 30), "daylight saving time skips or repeats"),
        (window(WEEK, 2, BERLIN, 2026, 3, 22, 2, 30), "daylight saving time skips or repeats"),
        (window(DAY, 7, "UTC", 2026, 1, 3, 6, 0, 30), "not on a whole minute"),
    ],
)
def test_what_stays_inexpressible_is_reported(w: CalendarWindow, said: str) -> None:
    found = period_of(w)
    assert isinstance(found, str)
    assert said in found
    assert "no PromQL form" in found
    o = objective(w)
    assert unsupported(o) == found


EXPRESSIBLE = pytest.mark.parametrize(
    "w",
    [
        window(WEEK, 2, "UTC"),
        window(DAY, 14, KOLKATA, 2026, 1, 3, 6),
        window(MONTH, 3, "UTC", 2026, 2, 1),
        window(MONTH, 1, KOLKATA, 2026, 1, 15),
        window(MONTH, 6, BERLIN),
        window(WEEK, 1, BERLIN, 2026, 3, 18),
        window(CalendarUnit.QUARTER, 2, "America/New_York"),
    ],
)


@EXPRESSIBLE
def test_promtool_checks_the_rules(promtool: str, w: CalendarWindow, tmp_path: Path) -> None:
    text = rules_yaml(rule_groups([RuleTarget(objective=objective(w), counts=COUNTS)]))
    (tmp_path / "rules.yml").write_text(text, encoding="utf-8")
    done = subprocess.run(
        [promtool, "check", "rules", "rules.yml"],
        capture_output=True,
        text=True,
        check=False,
        cwd=tmp_path,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr


@EXPRESSIBLE
def test_vmalert_loads_the_rules(vmalert: str, w: CalendarWindow, tmp_path: Path) -> None:
    """MetricsQL parses the expressions too (the day numbers of the months' lengths)."""
    target = RuleTarget(objective=objective(w), counts=COUNTS)
    _loads(vmalert, rules_yaml(rule_groups([target])), tmp_path / "rules.yml")


@pytest.mark.parametrize(
    ("duration", "start", "name", "longest"),
    [
        # a quarter of months from 1 January in Berlin: the longest (Q4) 92 days and an hour
        ("3M", "2026-01-01 00:00:00", "3M", "92d1h"),
        # two weeks from a Wednesday: 14 days and the hour of October's change
        ("2w", "2026-03-18 00:00:00", "2w", "14d1h"),
        # a month from the 15th: 31 days and the hour of October's change (15 Oct – 15 Nov)
        ("1M", "2026-01-15 00:00:00", "1M", "31d1h"),
    ],
)
def test_the_command_writes_rules_for_an_openslo_calendar_window(
    duration: str, start: str, name: str, longest: str, tmp_path: Path
) -> None:
    """The example's monthly SLO with ``timeWindow: [{duration: 3M, isRolling: false,
    calendar: {startTime: …, timeZone: Europe/Berlin}}]``: `covenant rules prometheus` writes
    its rules (no longer "no PromQL form") and notes the retention its longest period needs."""
    from typer.testing import CliRunner  # noqa: PLC0415

    from covenant.cli.main import app  # noqa: PLC0415

    example = Path(__file__).resolve().parents[2] / "examples" / "prometheus" / "slos.yaml"
    text = example.read_text(encoding="utf-8")
    old = (
        "- duration: 1M\n      isRolling: false\n      calendar:\n"
        '        startTime: "2026-01-01 00:00:00"\n        timeZone: UTC'
    )
    assert text.count(old) == 1
    new = (
        f"- duration: {duration}\n      isRolling: false\n      calendar:\n"
        f'        startTime: "{start}"\n        timeZone: Europe/Berlin'
    )
    (tmp_path / "slos.yaml").write_text(text.replace(old, new), encoding="utf-8")
    out = tmp_path / "rules.yml"
    args = ["rules", "prometheus", "-w", str(tmp_path), "--slo", "api-availability-monthly"]
    result = CliRunner().invoke(app, [*args, "-o", str(out)])
    assert result.exit_code == 0, result.output
    said = " ".join(result.output.split())
    assert "no PromQL form" not in said
    assert f"sloth_window: {name}" in out.read_text(encoding="utf-8")
    assert f"[{longest}]" in out.read_text(encoding="utf-8")  # summed over the longest period


@pytest.mark.parametrize(
    "w",
    [
        window(WEEK, 2, BERLIN, 2026, 3, 18),
        window(MONTH, 6, BERLIN),
        window(MONTH, 1, BERLIN, 2026, 1, 15),
        window(DAY, 10, "America/New_York", 2026, 1, 3, 6),
    ],
)
def test_the_length_tables_are_the_wall_clock_periods_utc_lengths(w: CalendarWindow) -> None:
    """Every period of the horizon (from the wall clock here): the table lists exactly those
    whose UTC length is not their wall-clock length, an hour off either way."""
    tz = ZoneInfo(w.zone)
    expected: list[tuple[int, int, int]] = []
    lengths = set()
    start, _ = wall_period(w, HORIZON[0])
    while start < HORIZON[1]:
        s, e = wall_period(w, start)
        a, b = datetime.fromtimestamp(s, tz), datetime.fromtimestamp(e, tz)
        wall = int((b.replace(tzinfo=None) - a.replace(tzinfo=None)).total_seconds())
        lengths.add(e - s)
        if e - s != wall:
            expected.append((s, e, e - s - wall))
        start = e
    table = seasonal_table(w)
    assert not isinstance(table, str), table
    assert table.periods == tuple(expected)
    assert table.lengths == tuple(sorted(lengths))
    assert {c for _, _, c in expected} == {-HOUR, HOUR}


@pytest.mark.parametrize(
    "w",
    [
        window(MONTH, 3, "UTC", 2026, 2, 1),
        window(MONTH, 6, KOLKATA),
        window(CalendarUnit.QUARTER, 2, "UTC"),
        window(CalendarUnit.YEAR, 1, "UTC", 2026, 7, 1),
    ],
)
def test_several_months_record_their_days_once_for_every_guard(w: CalendarWindow) -> None:
    """Several months in a fixed-offset zone: the period's days (two day numbers, ≈ 700
    PromQL nodes) are recorded once a minute, before the alerts, whose guards read the
    recording; no alert computes a date (docs/benchmarks.md, "Calendar windows' rules in
    Prometheus": written into every guard, they made the group 20 times as dear)."""
    target = RuleTarget(objective=objective(w), counts=COUNTS)
    minute = rule_groups([target])[0]
    names = [r.get("record") or "alert" for r in minute["rules"]]
    assert names.count("covenant:slo_period:days") == 1
    assert names.index("covenant:slo_period:days") < names.index("alert")
    alerts = [r["expr"] for r in minute["rules"] if "alert" in r]
    assert alerts
    assert any("covenant:slo_period:days{" in expr for expr in alerts)
    assert not any(f in expr for expr in alerts for f in ("year(", "month(", "time()"))
