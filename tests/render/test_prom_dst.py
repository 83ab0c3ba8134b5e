"""Calendar windows in zones with daylight saving time, in the generated Prometheus rules
(docs/prometheus-rules.md, "Calendar windows").

promtool runs the generated rules across each DST change — Europe/Berlin's last Sundays of
March and October 2026 (23- and 25-hour days, a month an hour short), America/Havana's skipped
midnight (8 March 2026) and repeated midnight (1 November 2026) — with the rules' clock moved to
those dates (every ``time()`` of the rules reads ``time() + SHIFT``: promtool's own clock starts
at 1970). The expected period counts and lengths are computed here from the zone's wall clock
with ``zoneinfo``, not with Covenant's calendar code.
"""

from __future__ import annotations

import subprocess
from datetime import UTC, datetime, timedelta
from fractions import Fraction
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import yaml

from covenant.core.model import CalendarUnit, CalendarWindow, Objective
from covenant.core.timeutil import from_epoch, to_epoch
from covenant.core.windows import calendar_period
from covenant.render.prom_rule_file import rules_yaml
from covenant.render.prom_rules import RuleTarget, rule_groups
from covenant.render.prom_windows import LENGTH, period_of
from covenant.render.prom_zones import HORIZON, corrections, transitions
from tests.render.test_prom_rules import COUNTS

MINUTE = 60


def _objective(window: CalendarWindow) -> Objective:
    return Objective(
        slo="api-availability",
        name="",
        series="api",
        target=Fraction(999, 1000),
        window=window,
        service="api",
        sli="api",
        alert_tiers=(),
    )


def _local_start(t: int, zone: str, unit: CalendarUnit) -> int:
    """The UTC instant the wall-clock period holding instant ``t`` starts (its first instant:
    a skipped midnight starts the day when the clock jumps, a repeated one at its first
    occurrence), found by walking back minute by minute while the local period is the same."""
    tz = ZoneInfo(zone)

    def key(s: int) -> tuple[int, ...]:
        local = datetime.fromtimestamp(s, tz)
        if unit is CalendarUnit.DAY:
            return (local.year, local.month, local.day)
        if unit is CalendarUnit.WEEK:
            iso = local.isocalendar()
            return (iso.year, iso.week)
        return (local.year, local.month)

    mine = key(t)
    start = t - t % MINUTE
    step = 6 * 3600
    while step >= MINUTE:  # coarse-to-fine walk back to the first minute of the same period
        while key(start - step) == mine:
            start -= step
        step //= 2
        step -= step % MINUTE
    while key(start - MINUTE) == mine:
        start -= MINUTE
    return start


def _local_end(t: int, zone: str, unit: CalendarUnit) -> int:
    start = _local_start(t, zone, unit)
    probe = start
    while _local_start(probe, zone, unit) == start:
        probe += 3600
    return _local_start(probe, zone, unit)


# (zone, unit, first instant fed, hours fed): each crosses a period boundary next to a change
CASES = {
    # 29 March 2026: 23 hours (02:00 CET → 03:00 CEST); the feed starts at 22:00 the day before
    "berlin-day-march": ("Europe/Berlin", CalendarUnit.DAY, datetime(2026, 3, 28, 21), 26),
    # 25 October 2026: 25 hours (03:00 CEST → 02:00 CET)
    "berlin-day-october": ("Europe/Berlin", CalendarUnit.DAY, datetime(2026, 10, 24, 20), 28),
    # the ISO week ending on 29 March 2026 is an hour short; the next one starts 22:00 UTC
    "berlin-week-march": ("Europe/Berlin", CalendarUnit.WEEK, datetime(2026, 3, 29, 12), 14),
    # March 2026 is an hour short; April starts at 22:00 UTC on 31 March
    "berlin-month-march": ("Europe/Berlin", CalendarUnit.MONTH, datetime(2026, 3, 31, 12), 14),
    # 8 March 2026: midnight is skipped (00:00 CST → 01:00 CDT): the day starts 05:00 UTC
    "havana-day-skipped": ("America/Havana", CalendarUnit.DAY, datetime(2026, 3, 8, 2), 28),
    # 1 November 2026: midnight comes twice (01:00 CDT → 00:00 CST): the day starts at the first
    "havana-day-repeated": ("America/Havana", CalendarUnit.DAY, datetime(2026, 11, 1, 2), 28),
}
STEP = 300  # the 5-minute group's interval: checks fall on its evaluations


def _counts(minutes: int) -> list[int]:
    """Uneven traffic: 1 to 7 events a minute."""
    return [1 + (j * 5) % 7 for j in range(minutes)]


def _sample(name: str, labels: dict[str, str], value: int) -> dict[str, object]:
    text = ", ".join(f'{k}="{v}"' for k, v in labels.items())
    return {"labels": f"{name}{{{text}}}", "value": value}


def _checks(zone: str, unit: CalendarUnit, shift: int, seconds: int) -> list[int]:
    """Every hour, and 5 minutes either side of each period boundary."""
    checks = set(range(STEP, seconds + 1, 3600))
    for t in range(STEP, seconds + 1, STEP):
        if _local_start(shift + t - 1, zone, unit) > shift + t - STEP - 1:  # a boundary
            checks |= {t - STEP, t, t + STEP}
    return sorted(c for c in checks if STEP <= c <= seconds)


@pytest.mark.parametrize("case", list(CASES))
def test_dst_periods_count_exactly_across_the_change(
    promtool: str, case: str, tmp_path: Path
) -> None:
    zone, unit, first, hours = CASES[case]
    shift = int(first.replace(tzinfo=UTC).timestamp())
    window = CalendarWindow(unit=unit, zone=zone)
    period = period_of(window)
    assert not isinstance(period, str)
    target = RuleTarget(objective=_objective(window), counts=COUNTS)
    groups = rule_groups([target], sources=False)
    text = rules_yaml(groups)
    assert "regenerate before" in text  # the horizon is stated

    def shifted(expr: str) -> str:
        return expr.replace("time()", f"(time() + {shift})")

    (tmp_path / "rules.yml").write_text(shifted(text), encoding="utf-8")
    summed = next(
        r["expr"]
        for g in groups
        for r in g["rules"]
        if r.get("record") == "covenant:sli_total:count_period"
    )
    counts = _counts(hours * 60)
    ids = target.ids
    exprs: list[dict[str, object]] = []
    lengths = set()
    boundaries = 0
    for t in _checks(zone, unit, shift, hours * 3600):
        begin = _local_start(shift + t - 1, zone, unit)
        boundaries += begin > shift
        # minute j ends at shift + 60 (j + 1) and counts in the period of its last second
        total = sum(
            c for j, c in enumerate(counts) if begin < shift + MINUTE * (j + 1) <= shift + t
        )
        length = _local_end(shift + t - 1, zone, unit) - begin
        lengths.add(length)
        # the meta group's expression, queried after the rules of instant t ran (promtool runs
        # the two groups of an instant in no fixed order, so its recording may precede t's)
        exprs.append(
            {
                "expr": shifted(summed),
                "eval_time": f"{t}s",
                "exp_samples": [_sample("", {**ids, "sloth_window": "1m"}, total)],
            }
        )
        exprs.append(
            {
                "expr": f"{LENGTH}{target.selector}",
                "eval_time": f"{t}s",
                "exp_samples": [_sample(LENGTH, ids, length)],
            }
        )
    assert boundaries  # a period boundary is crossed
    nominal = {CalendarUnit.DAY: 86400, CalendarUnit.WEEK: 7 * 86400}.get(unit)
    assert lengths - {nominal, 30 * 86400}, lengths  # a period of unusual length is checked
    labels = ", ".join(f'{k}="{v}"' for k, v in {**ids, "sloth_window": "1m"}.items())
    values = "_ " + " ".join(map(str, counts))
    doc = {
        "rule_files": ["rules.yml"],
        "evaluation_interval": "1m",
        "tests": [
            {
                "interval": "1m",
                "input_series": [
                    {"series": f"covenant:sli_total:count1m{{{labels}}}", "values": values},
                    {"series": f"covenant:sli_good:count1m{{{labels}}}", "values": values},
                ],
                "promql_expr_test": exprs,
            }
        ],
    }
    (tmp_path / "tests.yml").write_text(yaml.safe_dump(doc), encoding="utf-8")
    done = subprocess.run(
        [promtool, "test", "rules", "tests.yml"],
        capture_output=True,
        text=True,
        check=False,
        cwd=tmp_path,
        timeout=900,
    )
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]


@pytest.mark.parametrize("zone", ["Europe/Berlin", "America/Havana", "America/New_York"])
@pytest.mark.parametrize("unit", [CalendarUnit.DAY, CalendarUnit.WEEK, CalendarUnit.MONTH])
def test_the_tables_follow_the_zone_over_the_horizon(zone: str, unit: CalendarUnit) -> None:
    """The offset table reproduces the zone's offset at every transition's edges, and the
    unusual periods are exactly the engine's periods whose length is not the wall clock's."""
    tz = ZoneInfo(zone)
    first, changes = transitions(zone)
    assert len(changes) >= 20  # two a year
    offset = first
    for at, delta in changes:
        before = datetime.fromtimestamp(at - 1, tz).utcoffset()
        after = datetime.fromtimestamp(at, tz).utcoffset()
        assert before == timedelta(seconds=offset)
        offset += delta
        assert after == timedelta(seconds=offset)
    table = corrections(zone, unit)
    assert len(table.periods) == len(changes)  # one unusual period per change
    for s, e, _ in table.periods:
        start, end = calendar_period(CalendarWindow(unit=unit, zone=zone), from_epoch(s))
        assert (to_epoch(start), to_epoch(end)) == (s, e)
        assert _local_start(s, zone, unit) == s
        assert _local_end(s, zone, unit) == e
    assert HORIZON[0] < table.periods[0][0] < table.periods[-1][1] <= HORIZON[1] + 31 * 86400


def test_the_command_states_the_horizon(tmp_path: Path) -> None:
    from typer.testing import CliRunner  # noqa: PLC0415

    from covenant.cli.main import app  # noqa: PLC0415

    example = Path(__file__).resolve().parents[2] / "examples" / "prometheus" / "slos.yaml"
    text = example.read_text(encoding="utf-8").replace("timeZone: UTC", "timeZone: Europe/Berlin")
    (tmp_path / "slos.yaml").write_text(text, encoding="utf-8")
    out = tmp_path / "rules.yml"
    args = ["rules", "prometheus", "-w", str(tmp_path), "--slo", "api-availability-monthly"]
    result = CliRunner().invoke(app, [*args, "-o", str(out)])
    assert result.exit_code == 0, result.output
    said = " ".join(result.output.split())
    assert "calendar windows in Europe/Berlin" in said
    assert "2025-01-01 to 2036-01-01" in said
    rules = out.read_text(encoding="utf-8")
    assert "2025-01-01 to 2036-01-01" in rules.splitlines()[1]
    assert "CovenantZoneTableEnding" in rules
