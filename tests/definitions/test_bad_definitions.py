"""Definitions that used to pass `validate` and then failed in `evaluate` (or crashed validate).

Validation bounds what it accepts (start times 1970–2200, durations up to 300 years, positive
burn-rate thresholds) and the extremes it does accept evaluate without a traceback.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from covenant.cli.main import app
from tests.definitions.helpers import errors, load_text

runner = CliRunner()

SLO = """\
apiVersion: openslo/v1
kind: SLO
metadata:
  name: monthly
spec:
  service: checkout
  indicator:
    metadata:
      name: checkout-availability
    spec:
      ratioMetric:
        good: {{metricSource: {{type: events, spec: {{}}}}}}
        total: {{metricSource: {{type: events, spec: {{}}}}}}
  timeWindow:
    - duration: {duration}
      isRolling: false
      calendar:
        startTime: {start}
        timeZone: {zone}
  budgetingMethod: Timeslices
  objectives:
    - target: 0.99
      timeSliceTarget: 0.9
      timeSliceWindow: {slice}
"""


def _slo(
    *,
    duration: str = "1M",
    start: str = "2026-01-01 00:00:00",
    zone: str = "UTC",
    slice: str = "5m",
) -> str:
    return SLO.format(duration=duration, start=start, zone=zone, slice=slice)


@pytest.mark.parametrize(
    ("start", "zone"),
    [
        ("0001-01-01", "UTC"),
        ("0001-01-01", "Europe/Berlin"),  # crashed validate itself with OverflowError
        ("0001-01-01T00:00:00+05:00", "UTC"),
        ("1969-12-31 23:59:59", "UTC"),
        ("2201-01-01 00:00:00", "UTC"),
        ("9999-12-31 23:59:59", "Pacific/Kiritimati"),
    ],
)
def test_start_time_outside_1970_2200_is_refused(start: str, zone: str) -> None:
    workspace, problems = load_text(_slo(start=start, zone=zone))
    assert workspace is None
    found = [(p.code, p.where, p.field) for p in errors(problems)]
    assert found == [
        ("start-time-out-of-range", "ws.yaml:18", "spec.timeWindow[0].calendar.startTime")
    ]
    assert "between 1970 and 2200" in errors(problems)[0].fix


@pytest.mark.parametrize("start", ["1970-01-01 00:00:00", "2200-12-31 23:59:59"])
def test_start_time_at_the_bounds_is_accepted(start: str) -> None:
    workspace, problems = load_text(_slo(start=start, zone="Pacific/Kiritimati"))
    assert errors(problems) == []
    assert workspace is not None


@pytest.mark.parametrize(
    ("change", "line", "field"),
    [
        ({"duration": "99999999999999d"}, 15, "spec.timeWindow[0].duration"),
        ({"duration": "301Y"}, 15, "spec.timeWindow[0].duration"),
        ({"duration": "3601M"}, 15, "spec.timeWindow[0].duration"),
        ({"slice": "99999999999999d"}, 24, "spec.objectives[0].timeSliceWindow"),
    ],
)
def test_durations_over_300_years_are_refused(
    change: dict[str, str], line: int, field: str
) -> None:
    workspace, problems = load_text(_slo(**change))
    assert workspace is None
    assert [(p.code, p.where, p.field) for p in errors(problems)] == [
        ("duration-out-of-range", f"ws.yaml:{line}", field)
    ]
    assert "109575d" in errors(problems)[0].fix


CONDITION = """\
apiVersion: openslo/v1
kind: AlertCondition
metadata:
  name: fast-burn
spec:
  severity: page
  condition:
    kind: burnrate
    op: gte
    threshold: {threshold}
    lookbackWindow: {lookback}
    alertAfter: 5m
"""


@pytest.mark.parametrize(
    ("threshold", "said"),
    [("-1", "must not be below 0"), ("-0.5", "must not be below 0"), ("0", "fires in every")],
)
def test_a_burn_rate_threshold_must_be_positive(threshold: str, said: str) -> None:
    workspace, problems = load_text(CONDITION.format(threshold=threshold, lookback="1h"))
    assert workspace is None
    assert [(p.code, p.where, p.field) for p in errors(problems)] == [
        ("invalid-value", "ws.yaml:10", "spec.condition.threshold")
    ]
    assert said in errors(problems)[0].message


@pytest.mark.parametrize("threshold", ["0", "0.5"])
def test_a_threshold_below_one_with_gt_is_read_as_one_and_said(threshold: str) -> None:
    """A real AlertCondition (observability-mesh templates) writes ``op: gt, threshold: 0``:
    fire on any error. The engine compares with at least 1 (docs/semantics.md): accepted,
    with a warning that says so."""
    text = CONDITION.format(threshold=threshold, lookback="1h").replace("op: gte", "op: gt")
    _, problems = load_text(text)
    assert errors(problems) == []
    (raised,) = [p for p in problems if p.code == "alert-threshold-raised"]
    assert raised.field == "spec.condition.threshold"
    assert raised.message.startswith(f"burn-rate threshold {threshold} is compared as 1")


def test_a_lookback_over_300_years_is_refused() -> None:
    workspace, problems = load_text(CONDITION.format(threshold="14.4", lookback="99999999999d"))
    assert workspace is None
    assert [(p.code, p.field) for p in errors(problems)] == [
        ("duration-out-of-range", "spec.condition.lookbackWindow")
    ]


def test_the_extremes_validation_accepts_evaluate(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A 300-year rolling window and a 300-year calendar from 1970 evaluate, with exact counts."""
    monkeypatch.delenv("COVENANT_DATABASE_URL", raising=False)
    ws = tmp_path / "ws"
    assert runner.invoke(app, ["init", str(ws)]).exit_code == 0
    slos = ws / "slos.yaml"
    text = slos.read_text()
    for old, new in [
        ("duration: 28d", "duration: 109575d"),
        ("duration: 1M", "duration: 300Y"),
        ("startTime: 2026-01-01 00:00:00", "startTime: 1970-01-01 00:00:00"),
    ]:
        assert old in text
        text = text.replace(old, new)
    slos.write_text(text)
    assert runner.invoke(app, ["validate", str(ws)]).exit_code == 0
    sample = ws / "events" / "sample.csv"
    assert runner.invoke(app, ["ingest", "events", str(sample), "-w", str(ws)]).exit_code == 0
    result = runner.invoke(
        app, ["evaluate", "-w", str(ws), "--format", "json", "--at", "2026-11-01T00:00:00Z"]
    )
    assert result.exit_code == 0, result.output
    by_slo = {r["slo"]: r for r in json.loads(result.output)["results"]}
    with sample.open() as handle:
        rows = [r for r in csv.DictReader(handle) if r["sli"] == "checkout-availability"]
    assert rows
    availability = by_slo["checkout-availability"]
    assert availability["total"] == len(rows)
    assert availability["good"] == sum(int(r["status"]) < 500 for r in rows)
    assert availability["window_start"] == "1726-10-30T00:00:00Z"  # 109575 days before --at
    # midnight 1970-01-01 in Europe/Berlin (UTC+1 that winter)
    assert by_slo["checkout-latency"]["window_start"] == "1969-12-31T23:00:00Z"
