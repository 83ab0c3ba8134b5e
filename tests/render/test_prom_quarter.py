"""Calendar-quarter and calendar-year SLOs as Prometheus rules (docs/prometheus-rules.md,
"Calendar windows"), run through promtool at quarter and year boundaries in UTC, Asia/Kolkata
(a fixed +05:30) and Europe/Berlin (daylight saving time), including the leap-year first
quarter of 2028 (91 days).

As ``tests/render/test_prom_dst_month.py`` does for months, each case feeds a few hours of
per-minute counts with the rules' clock moved to the case's dates, and checks minute by minute
around the boundary:

- the period-to-date good and total counts (the expressions the meta group records as
  ``covenant:sli_{good,total}:count_period``), the recorded period length and zone offset (zones
  with daylight saving time), all computed here from the wall clock with ``zoneinfo``;
- a budget-share alert tier whose threshold depends on the period's UTC length (2 % of the
  budget in an hour: 44.16 × for a 2208-hour quarter, 43.68 × for a 2184-hour one), fed a burn
  between the two thresholds so that it fires or resolves at the first evaluation of the new
  period. Its firing instants are found here from the counts and the ``zoneinfo`` lengths,
  checked equal to the engine's replay and written in the generated unit-test format.
"""

from __future__ import annotations

import json
import subprocess
from datetime import UTC, datetime
from fractions import Fraction
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from covenant.core.model import CalendarUnit, CalendarWindow
from covenant.render.grafana import dashboards
from covenant.render.prom_rule_file import rules_yaml
from covenant.render.prom_rules import RuleTarget, rule_groups
from covenant.render.prom_windows import (
    LENGTH,
    OFFSET,
    for_slo,
    period_of,
    tier_bounds,
    window_name,
)
from covenant.render.prom_zones import HORIZON, corrections
from tests.render.period_feed import (
    HOUR,
    SHARE,
    TARGET,
    TIER,
    check_with_promtool,
    engine_firing,
    firing,
    objective,
    traffic,
    utc,
)
from tests.render.test_prom_dst import MINUTE, _sample
from tests.render.test_prom_rules import COUNTS

QUARTER, YEAR = CalendarUnit.QUARTER, CalendarUnit.YEAR


def wall_period(zone: str, at: int, unit: CalendarUnit) -> tuple[int, int]:
    """The UTC start and end of the local quarter or year holding instant ``at``: the local
    midnights on the 1st of its first month and of the next period's (zoneinfo; no such
    midnight is skipped or repeated in these zones)."""
    tz = ZoneInfo(zone)
    local = datetime.fromtimestamp(at, tz)
    months = 3 if unit is QUARTER else 12
    first = local.month - (local.month - 1) % months
    nxt_year, nxt_month = divmod(first - 1 + months, 12)
    start = datetime(local.year, first, 1, tzinfo=tz)
    end = datetime(local.year + nxt_year, nxt_month + 1, 1, tzinfo=tz)
    return int(start.timestamp()), int(end.timestamp())


def wall_id(zone: str, at: int, unit: CalendarUnit) -> str:
    """The ``covenant_period`` label of the local period holding ``at``: year × 4 + quarter
    (0 to 3), or the year."""
    local = datetime.fromtimestamp(at, ZoneInfo(zone))
    return str(local.year * 4 + (local.month - 1) // 3 if unit is QUARTER else local.year)


def _length(zone: str, at: int, unit: CalendarUnit) -> int:
    start, end = wall_period(zone, at, unit)
    return end - start


# zone, unit, the local period boundary (UTC), the lengths in hours before and after it, bad
# events a burning minute (None: no burn), and further instants checked closely (DST changes)
CASES: dict[str, tuple[str, CalendarUnit, int, tuple[int, int], int | None, tuple[int, ...]]] = {
    # Q4 2027 (92 days) to the leap-year Q1 2028 (91): 220 bad in 5000–5006 is 43.9–44.0 ×
    # the budget rate, between the thresholds 44.16 × and 43.68 ×: fires in Q1
    "utc-q4-to-leap-q1": ("UTC", QUARTER, utc(2028, 1, 1, 0), (2208, 2184), 220, ()),
    # the same in Kolkata: Q1 2028 starts at 18:30 UTC on 31 December 2027
    "kolkata-q4-to-leap-q1": (
        "Asia/Kolkata",
        QUARTER,
        utc(2027, 12, 31, 18, 30),
        (2208, 2184),
        220,
        (),
    ),
    # Q2 2026 (91 days) to Q3 (92): a burn firing under Q2's threshold resolves under Q3's
    "kolkata-q2-to-q3": (
        "Asia/Kolkata",
        QUARTER,
        utc(2026, 6, 30, 18, 30),
        (2184, 2208),
        220,
        (),
    ),
    # Berlin's Q4 2027 holds October's change (an hour long); Q1 2028 (leap) March's (short)
    "berlin-q4-to-leap-q1": (
        "Europe/Berlin",
        QUARTER,
        utc(2027, 12, 31, 23),
        (2209, 2183),
        220,
        (),
    ),
    # 26 March 2028, 01:00 UTC: 02:00 CET → 03:00 CEST inside the leap-year Q1 (2183 hours)
    "berlin-spring-forward-2028": (
        "Europe/Berlin",
        QUARTER,
        utc(2028, 3, 26, 1),
        (2183, 2183),
        None,
        (),
    ),
    # Q2 2028 starts at 22:00 UTC (CEST) on 31 March, an hour longer than the leap Q1
    "berlin-leap-q1-to-q2": (
        "Europe/Berlin",
        QUARTER,
        utc(2028, 3, 31, 22),
        (2183, 2184),
        None,
        (),
    ),
    # 2027 (8760 hours) to 2028 (8784): 878 bad is 175.4–175.6 ×, between 175.2 × and 175.68 ×
    "utc-year-2027-to-2028": ("UTC", YEAR, utc(2028, 1, 1, 0), (8760, 8784), 878, ()),
    # Berlin's year holds both changes: its wall-clock length
    "berlin-year-2027-to-2028": (
        "Europe/Berlin",
        YEAR,
        utc(2027, 12, 31, 23),
        (8760, 8784),
        878,
        (),
    ),
}


@pytest.mark.parametrize("case", list(CASES))
def test_quarter_and_year_counts_and_alerts_at_period_boundaries(
    promtool: str, case: str, tmp_path: Path
) -> None:
    zone, unit, at, (before, after), bad, extra = CASES[case]
    tz = ZoneInfo(zone)
    first, hours = at - 2 * HOUR, 4
    # the instant named is a local midnight starting a quarter (year), or an offset change
    local = datetime.fromtimestamp(at, tz)
    boundary = local.timetuple()[2:6] == (1, 0, 0, 0) and local.month % 3 == 1
    assert boundary or datetime.fromtimestamp(at - 1, tz).utcoffset() != local.utcoffset()
    assert (_length(zone, at - 1, unit), _length(zone, at, unit)) == (before * HOUR, after * HOUR)

    window = CalendarWindow(unit=unit, zone=zone)
    goods, totals = traffic(first, hours * 60, bad, (at - 90 * MINUTE, at + 30 * MINUTE))
    fired = firing(lambda t: _length(zone, t, unit), first, goods, totals)
    assert engine_firing(window, first, goods, totals) == fired[0]  # the engine agrees
    if bad is not None:
        # the burn lies between the two periods' thresholds: the alert changes state exactly
        # at the first evaluation of the new period (its minute ending at midnight + 1 min)
        assert (at in fired[0]) != (at + MINUTE in fired[0])
    else:
        assert not fired[0]
    period = period_of(window)
    assert not isinstance(period, str)

    def days_length_and_offset(
        t: int, last: int, target: RuleTarget, shifted: Any
    ) -> list[dict[str, Any]]:
        # the current period's length in days (the alert guards compare it in a fixed-offset
        # zone: built from the quarter and a leap-year test on year())
        days = float(Fraction(_length(zone, last, unit), 86400))
        found = [
            {
                "expr": f"sum({shifted(for_slo(period.days_expr, target.objective))})",
                "exp_samples": [{"labels": "{}", "value": days}],
            }
        ]
        if zone != "Europe/Berlin":  # a fixed offset records neither length nor offset
            return found
        offset = datetime.fromtimestamp(last, tz).utcoffset()
        assert offset is not None
        return found + [
            {"expr": f"{name}{target.selector}", "exp_samples": [_sample(name, target.ids, int(v))]}
            for name, v in ((LENGTH, _length(zone, last, unit)), (OFFSET, offset.total_seconds()))
        ]

    check_with_promtool(
        promtool,
        tmp_path,
        window,
        (first, goods, totals),
        fired,
        {at, *extra},
        lambda t: wall_period(zone, t, unit)[0],
        days_length_and_offset,
    )


@pytest.mark.parametrize("zone", ["Europe/Berlin", "America/New_York", "America/Santiago"])
@pytest.mark.parametrize("unit", [QUARTER, YEAR])
def test_the_length_tables_are_the_wall_clock_periods_utc_lengths(
    zone: str, unit: CalendarUnit
) -> None:
    """Every quarter (year) of the horizon: its UTC length from zoneinfo, and the table lists
    exactly those whose UTC length differs from the wall clock's days (a quarter holding one
    change of the year is an hour off; one holding both, or none, is its wall length)."""
    tz = ZoneInfo(zone)
    expected: list[tuple[int, int, int]] = []
    lengths = set()
    start, _ = wall_period(zone, HORIZON[0], unit)
    while start < HORIZON[1]:
        s, e = wall_period(zone, start, unit)
        a, b = datetime.fromtimestamp(s, tz), datetime.fromtimestamp(e, tz)
        wall = (b.replace(tzinfo=None) - a.replace(tzinfo=None)).total_seconds()
        lengths.add(e - s)
        if e - s != wall:
            expected.append((s, e, e - s - int(wall)))
        start = e
    table = corrections(zone, unit)
    assert table.periods == tuple(expected)
    assert table.lengths == tuple(sorted(lengths))
    if unit is YEAR:
        assert not expected  # a year holds both changes
    else:
        # a quarter an hour short and one an hour long each year of the horizon (and Berlin's
        # Q1 2036, which starts an hour before the horizon's UTC end)
        assert len(expected) >= 2 * 11
        assert {c for _, _, c in expected} == {-HOUR, HOUR}


@pytest.mark.parametrize("zone", ["UTC", "Asia/Kolkata", "Europe/Berlin"])
def test_quarter_and_year_windows_have_a_promql_form(zone: str) -> None:
    for unit, name, longest in ((QUARTER, "1Q", 92), (YEAR, "1Y", 366)):
        window = CalendarWindow(unit=unit, zone=zone)
        period = period_of(window)
        assert not isinstance(period, str), period
        assert period.name == name
        # Berlin's fourth quarter is an hour longer than its 92 days (October's change)
        long_q4 = zone == "Europe/Berlin" and unit is QUARTER
        assert period.max_seconds == longest * 86400 + (HOUR if long_q4 else 0)
        o = objective(window)
        assert window_name(o) == name
        # one bound per possible length: 2 % of the budget in an hour of a 90-, 91-, 92-day
        # quarter (and the hour-off quarters of a zone with daylight saving time)
        bounds = tier_bounds(o, TIER)
        hours = sorted(int(b / SHARE / (1 - TARGET)) for b, _ in bounds)
        days = (90, 91, 92) if unit is QUARTER else (365, 366)
        want = [24 * d for d in days]
        if zone == "Europe/Berlin" and unit is QUARTER:
            # Q1 holds March's change (an hour short: 90 or 91 days), Q4 October's (long)
            want = [90 * 24 - 1, 91 * 24 - 1, 91 * 24, 92 * 24, 92 * 24 + 1]
        assert hours == want
        assert all(guard is not None for _, guard in bounds)


def test_an_unnatural_quarter_start_is_laid_out_from_it() -> None:
    """A quarter from May, a year from April and two quarters are laid out from their start
    (``render.prom_anchored``; promtool runs them in ``test_prom_anchored.py``); a quarter
    from the 30th is not: its later periods start on a clamped day."""
    tz = ZoneInfo("Europe/Berlin")
    april = datetime(2026, 4, 1, tzinfo=tz).astimezone(UTC)
    may = datetime(2026, 5, 1, tzinfo=tz).astimezone(UTC)
    assert not isinstance(period_of(CalendarWindow(unit=QUARTER, zone=tz.key, anchor=april)), str)
    for window, name in (
        (CalendarWindow(unit=QUARTER, zone=tz.key, anchor=may), "1Q"),
        (CalendarWindow(unit=YEAR, zone=tz.key, anchor=april), "1Y"),
        (CalendarWindow(unit=QUARTER, zone=tz.key, count=2), "2Q"),
    ):
        found = period_of(window)
        assert not isinstance(found, str), found
        assert found.name == name
    thirtieth = datetime(2026, 4, 30, tzinfo=tz).astimezone(UTC)
    found = period_of(CalendarWindow(unit=QUARTER, zone=tz.key, anchor=thirtieth))
    assert isinstance(found, str)
    assert "29th, 30th or 31st" in found


@pytest.mark.parametrize("unit", [QUARTER, YEAR])
@pytest.mark.parametrize("zone", ["UTC", "Asia/Kolkata", "Europe/Berlin"])
def test_promtool_checks_the_quarter_and_year_rules(
    promtool: str, zone: str, unit: CalendarUnit, tmp_path: Path
) -> None:
    o = objective(CalendarWindow(unit=unit, zone=zone))
    groups = rule_groups([RuleTarget(objective=o, counts=COUNTS)])
    text = rules_yaml(groups)
    name = "1Q" if unit is QUARTER else "1Y"
    assert f"sloth_window: {name}" in text
    assert ("92d" if unit is QUARTER else "366d") in text  # the sum over the longest period
    assert ("CovenantZoneTableEnding" in text) == (zone == "Europe/Berlin")
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


def test_the_dashboard_shows_a_quarter_and_its_thresholds() -> None:
    o = objective(CalendarWindow(unit=QUARTER, zone="UTC"))
    text = json.dumps(dashboards([RuleTarget(objective=o, counts=COUNTS)]))
    assert "SLI over the calendar 1Q window" in text
    # 2 % of the budget in an hour of a 90-, 91- and 92-day quarter: 43.2, 43.68, 44.16 ×
    assert "burn rate vs threshold 43.2 / 43.68 / 44.16" in text


def test_the_command_writes_quarter_rules_and_the_retention_they_need(tmp_path: Path) -> None:
    """The example's monthly SLO as a quarter: `covenant rules prometheus` writes its rules and
    notes that the server must keep 92 days (the longest quarter's sum), not Prometheus's 15."""
    from typer.testing import CliRunner  # noqa: PLC0415

    from covenant.cli.main import app  # noqa: PLC0415

    example = Path(__file__).resolve().parents[2] / "examples" / "prometheus" / "slos.yaml"
    text = example.read_text(encoding="utf-8")
    assert text.count("- duration: 1M") == 1
    (tmp_path / "slos.yaml").write_text(
        text.replace("- duration: 1M", "- duration: 1Q"), encoding="utf-8"
    )
    out = tmp_path / "rules.yml"
    args = ["rules", "prometheus", "-w", str(tmp_path), "--slo", "api-availability-monthly"]
    result = CliRunner().invoke(app, [*args, "-o", str(out)])
    assert result.exit_code == 0, result.output
    said = " ".join(result.output.split())
    assert "no PromQL form" not in said
    assert "the longest window (92d) sums recordings over that span" in said
    assert "--storage.tsdb.retention.time=92d or more" in said
    rules = out.read_text(encoding="utf-8")
    assert "sloth_window: 1Q" in rules
    assert "[92d]" in rules  # the period's minute counts summed over the longest quarter
    # in a 91-day second quarter too: the rules sum over the longest quarter whatever the date
    from covenant.definitions.workspace import load_workspace  # noqa: PLC0415
    from covenant.services.prom_rules import plan_rules, rule_notes  # noqa: PLC0415

    plan = plan_rules(load_workspace(tmp_path), slos=["api-availability-monthly"])
    notes = rule_notes(plan, at=datetime(2026, 5, 1, tzinfo=UTC))
    assert any("retention.time=92d or more" in n.text for n in notes), notes
