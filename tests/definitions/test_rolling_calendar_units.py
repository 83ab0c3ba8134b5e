"""A rolling window written in months, quarters or years (``1M``, ``3M``, ``1Q``, ``1y``).

The OpenSLO Go SDK reads such a window (``DurationShorthand.Duration``: a month is 30 days, a
quarter 90, a year 365) and real files use it. A rolling window needs one fixed length, so
Covenant reads it the same way and warns (``rolling-calendar-unit``) at the duration's line.
Every consumer then sees the same window: an SLO written ``1M`` is the SLO written ``30d``.
"""

from __future__ import annotations

from datetime import UTC, datetime
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest

from covenant.core.evaluate import evaluate, required_range
from covenant.core.model import RollingWindow
from covenant.core.series import BucketMatrix
from covenant.definitions.workspace import Workspace
from covenant.errors import Problem
from covenant.services.dashboards import grafana_dashboards
from covenant.services.prom_rules import prometheus_rules
from tests.definitions.helpers import errors, load_text

DAY = 86400

SLO = """\
apiVersion: openslo/v1
kind: SLI
metadata: {{name: avail}}
spec:
  ratioMetric:
    counter: true
    good: {{metricSource: {{type: events, spec: {{}}}}}}
    total: {{metricSource: {{type: events, spec: {{}}}}}}
---
apiVersion: openslo/v1
kind: Service
metadata: {{name: web}}
spec: {{}}
---
apiVersion: openslo/v1
kind: SLO
metadata:
  name: web-slo
spec:
  service: web
  indicatorRef: avail
  budgetingMethod: Occurrences
  timeWindow:
    - duration: {duration}
      isRolling: true
  objectives:
    - target: 0.99
"""
DURATION_LINE = 24  # the line of ``- duration:`` above, counted by hand


def _load(duration: str) -> tuple[Workspace, list[Problem]]:
    workspace, problems = load_text(SLO.format(duration=duration))
    assert workspace is not None, problems
    return workspace, problems


def test_a_rolling_month_is_a_warning_at_the_duration_line() -> None:
    _, problems = _load("1M")
    assert errors(problems) == []
    (warning,) = [p for p in problems if p.code == "rolling-calendar-unit"]
    assert warning.severity == "warning"
    assert warning.where == f"ws.yaml:{DURATION_LINE}"
    assert warning.field == "spec.timeWindow[0].duration"
    assert warning.message == (
        "a rolling 1M is read as 30d (a rolling window has a fixed length; "
        "a month is counted as 30 days, as the OpenSLO SDK does)"
    )
    assert warning.fix == (
        "write 30d to say so, or make it a calendar window (isRolling: false) "
        "for the calendar month"
    )


@pytest.mark.parametrize(
    ("written", "days", "unit_word"),
    [
        ("1M", 30, "month"),
        ("3M", 90, "month"),
        ("1Q", 90, "quarter"),
        ("2Q", 180, "quarter"),
        ("1y", 365, "year"),
        ("1Y", 365, "year"),
    ],
)
def test_each_calendar_unit_has_its_fixed_length(written: str, days: int, unit_word: str) -> None:
    workspace, problems = _load(written)
    (objective,) = workspace.objectives
    assert objective.window == RollingWindow(seconds=days * DAY)
    (warning,) = [p for p in problems if p.code == "rolling-calendar-unit"]
    assert f"read as {days}d" in warning.message
    assert f"for the calendar {unit_word}" in warning.fix


def test_a_fixed_rolling_window_has_no_such_warning() -> None:
    _, problems = _load("30d")
    assert [p for p in problems if p.code == "rolling-calendar-unit"] == []


def test_a_rolling_month_is_the_30_day_objective_alert_tiers_included() -> None:
    month, _ = _load("1M")
    days, _ = _load("30d")
    assert month.objectives == days.objectives
    assert month.objectives[0].alert_tiers  # the default tiers, derived from the window


def test_a_rolling_month_evaluates_over_the_last_30_days() -> None:
    """Hourly buckets; at 2026-03-01 00:00 UTC the window is [2026-01-30, 2026-03-01).

    By hand: 10 events (7 good) 29 days before ``at`` are inside; 100 events (none good) 31 days
    before are outside (they would be inside a 31-day month); 90 good events in the last hour
    are inside. So 97 good of 100.
    """
    workspace, _ = _load("1M")
    (objective,) = workspace.objectives
    at = datetime(2026, 3, 1, tzinfo=UTC)
    at_s = int(at.timestamp())
    step = 3600
    start, end = required_range([objective], at=at, step=step)
    start = min(start, at_s - 40 * DAY)
    n = (end - start) // step
    good = np.zeros((1, n), dtype=np.int64)
    total = np.zeros((1, n), dtype=np.int64)
    for before, g, t in ((29 * DAY, 7, 10), (31 * DAY, 0, 100), (3600, 90, 90)):
        i = (at_s - before - start) // step
        good[0, i], total[0, i] = g, t
    data = BucketMatrix(keys=(objective.series,), start=start, step=step, good=good, total=total)
    (found,) = evaluate([objective], data, at=at)
    assert (found.good, found.total) == (97, 100)
    assert found.sli == Fraction(97, 100)
    assert found.window_start == datetime(2026, 1, 30, tzinfo=UTC)
    days, _ = _load("30d")
    (same,) = evaluate(list(days.objectives), data, at=at)
    assert (same.good, same.total, same.window_start) == (97, 100, found.window_start)


PROMETHEUS = """\
apiVersion: openslo/v1
kind: DataSource
metadata: {{name: prometheus}}
spec:
  type: Prometheus
  connectionDetails: {{url: "http://localhost:9090"}}
---
apiVersion: openslo/v1
kind: SLI
metadata: {{name: avail}}
spec:
  ratioMetric:
    counter: true
    good:
      metricSource:
        metricSourceRef: prometheus
        spec: {{query: 'http_requests_total{{code!~"5.."}}'}}
    total:
      metricSource:
        metricSourceRef: prometheus
        spec: {{query: 'http_requests_total'}}
---
apiVersion: openslo/v1
kind: SLO
metadata: {{name: web-slo}}
spec:
  service: web
  indicatorRef: avail
  budgetingMethod: Occurrences
  timeWindow: [{{duration: {duration}, isRolling: true}}]
  objectives: [{{target: 0.999}}]
"""


def _rules(folder: Path, duration: str) -> tuple[str, list[object]]:
    folder.mkdir()
    (folder / "slos.yaml").write_text(PROMETHEUS.format(duration=duration), encoding="utf-8")
    text, plan = prometheus_rules(folder)
    return text, [board.model for board in grafana_dashboards(plan)]


def test_rules_and_dashboards_of_a_rolling_month_are_those_of_30_days(tmp_path: Path) -> None:
    month_rules, month_boards = _rules(tmp_path / "month", "1M")
    days_rules, days_boards = _rules(tmp_path / "days", "30d")
    assert month_rules == days_rules
    assert "sloth_window: 30d" in month_rules  # the SLO window's recording rules
    assert "vector(30.0)" in month_rules  # the period's length in days
    assert month_boards == days_boards
