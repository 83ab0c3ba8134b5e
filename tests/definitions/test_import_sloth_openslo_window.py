"""``covenant import sloth`` reads an OpenSLO v1alpha SLO's window as Sloth does.

Real file: hyorimitsu/hello-openslo ``.openslo/slo.yaml``, an ``openslo/v1alpha`` SLO written
for Sloth with no ``timeWindows``. Sloth's loader (slok/sloth ``internal/storage/io/openslo.go``)
accepts it: with no time window it uses its SLO period (``--default-slo-period``, 30 days), and
it reads a window's unit in any case (``strings.ToLower(t.Unit) != "day"``). Before, Covenant
refused the file ("Sloth reads a time window of a number of days").
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from covenant.definitions.importers.base import Options
from covenant.services.importing import ImportPlan, plan_import

HELLO = """\
apiVersion: openslo/v1alpha
kind: SLO
metadata:
  name: hello-openslo
  displayName: Requests Availability
spec:
  service: hello-openslo-api
  description: "Common SLO based on availability for HTTP request responses."
  budgetingMethod: Occurrences
  objectives:
    - ratioMetrics:
        good:
          source: prometheus
          queryType: promql
          query: sum(rate(http_requests_total{method="get", code=~"(2..|3..)"}[{{.window}}]))
        total:
          source: prometheus
          queryType: promql
          query: sum(rate(http_requests_total{method="get"}[{{.window}}]))
      target: 0.999
"""


def _plan(tmp_path: Path, text: str, options: Options | None = None) -> ImportPlan:
    source = tmp_path / "slo.yaml"
    source.write_text(text, encoding="utf-8")
    return plan_import("sloth", [source], into=tmp_path / "ws", options=options or Options())


def _windows(plan: ImportPlan) -> list[object]:
    (text,) = [text for _, text in plan.writes]
    return [
        d["spec"]["timeWindow"] for d in yaml.safe_load_all(text) if d and d.get("kind") == "SLO"
    ]


def test_no_time_windows_is_sloths_period(tmp_path: Path) -> None:
    plan = _plan(tmp_path, HELLO)
    assert plan.problems == []
    assert plan.files[0].imported.slos == ["hello-openslo-0"]  # Sloth's <name>-<index>
    assert _windows(plan) == [[{"duration": "30d", "isRolling": True}]]
    notes = [n.reason for n in plan.files[0].imported.notes]
    assert "no timeWindows: Sloth uses its SLO period, 30d (--sloth-period)" in notes


def test_the_period_option_is_the_window_then(tmp_path: Path) -> None:
    plan = _plan(tmp_path, HELLO, Options(sloth_period="28d"))
    assert _windows(plan) == [[{"duration": "28d", "isRolling": True}]]


@pytest.mark.parametrize("unit", ["Day", "day", "DAY"])
def test_a_day_window_is_read_in_any_case(tmp_path: Path, unit: str) -> None:
    text = HELLO.replace(
        "  budgetingMethod:", f"  timeWindows: [{{count: 30, unit: {unit}}}]\n  budgetingMethod:"
    )
    plan = _plan(tmp_path, text)
    assert plan.problems == []
    assert _windows(plan) == [[{"duration": "30d", "isRolling": True}]]


def test_a_window_sloth_cannot_read_is_still_refused(tmp_path: Path) -> None:
    text = HELLO.replace(
        "  budgetingMethod:", "  timeWindows: [{count: 1, unit: Month}]\n  budgetingMethod:"
    )
    (problem,) = _plan(tmp_path, text).problems
    assert problem.field == "spec.timeWindows"
    assert "leave timeWindows out" in problem.fix
