"""A missing budgetingMethod's fix names the method the objectives are written for.

Real shape (a blog's OpenSLO example): an SLO without ``budgetingMethod`` whose objective
gives ``timeSliceTarget`` and ``timeSliceWindow``. The fix said "add budgetingMethod:
Occurrences (or Timeslices, RatioTimeslices)"; following it as written made a valid SLO that
counts occurrences, the time-slice fields only an ``ignored-field`` warning — not the SLO the
file describes. OpenSLO reads ``timeSliceTarget`` only with Timeslices, and ``timeSliceWindow``
alone with RatioTimeslices.
"""

from __future__ import annotations

import pytest

from tests.definitions.helpers import errors, load_text

SLO = """\
apiVersion: openslo/v1
kind: SLO
metadata: {name: payments}
spec:
  service: pay
  indicator:
    metadata: {name: paid}
    spec:
      ratioMetric:
        counter: true
        good: {metricSource: {type: events, spec: {}}}
        total: {metricSource: {type: events, spec: {}}}
  timeWindow: [{duration: 7d, isRolling: true}]
  objectives:
OBJECTIVES
"""


def missing_method_fix(objectives: str) -> str:
    _, problems = load_text(SLO.replace("OBJECTIVES", objectives))
    (problem,) = [p for p in errors(problems) if p.field == "spec.budgetingMethod"]
    assert (problem.code, problem.where) == ("missing-field", "ws.yaml:4")
    return problem.fix


def test_objectives_with_a_time_slice_target_are_told_timeslices() -> None:
    fix = missing_method_fix("    - {target: 0.99, timeSliceTarget: 0.9, timeSliceWindow: 1m}")
    assert fix.startswith("add budgetingMethod: Timeslices")
    assert "timeSliceTarget" in fix


def test_objectives_with_only_a_time_slice_window_are_told_ratio_timeslices() -> None:
    fix = missing_method_fix("    - {target: 0.99, timeSliceWindow: 5m}")
    assert fix.startswith("add budgetingMethod: RatioTimeslices")


@pytest.mark.parametrize("objectives", ["    - {target: 0.99}", "    - 0.99"])
def test_other_objectives_keep_the_general_fix(objectives: str) -> None:
    fix = missing_method_fix(objectives)
    assert fix == "add budgetingMethod: Occurrences (or Timeslices, RatioTimeslices)"


def test_the_method_the_fix_names_loads_as_timeslices() -> None:
    text = SLO.replace(
        "OBJECTIVES", "    - {target: 0.99, timeSliceTarget: 0.9, timeSliceWindow: 1m}"
    ).replace("  objectives:", "  budgetingMethod: Timeslices\n  objectives:")
    workspace, problems = load_text(text)
    assert errors(problems) == []
    assert workspace is not None
    (objective,) = workspace.objectives
    assert objective.method.value == "Timeslices"
    assert objective.time_slice_window_s == 60
