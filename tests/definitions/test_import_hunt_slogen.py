"""slo-generator shapes found in the second import hunt of stop 37: early v1 configs of
GoogleCloudPlatform/professional-services (tools/slo-generator), whose Datadog backend read
``good_query`` / ``valid_query`` and a top-level ``slo_id``, and a v2 config whose ``goal``
sits outside ``spec``. Each fixture is small and written here; the expected values are read off
the fixture and slo-generator's code (its backends and ``slo-generator migrate``)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.definitions.test_import_found_shapes import notes, planned, slo_documents

V1_DATADOG = """\
service_name: dd
feature_name: disk
slo_name: utilization
slo_description: Disk used over total
slo_target: 0.15
backend:
  class: Datadog
  method: good_bad_ratio
  api_key: ${DATADOG_API_KEY}
  app_key: ${DATADOG_APP_KEY}
  measurement:
    good_query: sum:system.disk.used{*}
    valid_query: sum:system.disk.total{*}
"""


def test_the_early_datadog_query_names_are_its_good_and_valid_events(tmp_path: Path) -> None:
    """The early Datadog backend (slo-generator v1) read ``good_query`` and ``valid_query``:
    good events over valid ones. They were imported as "the backend computes the SLI itself",
    a raw success ratio; they are the two counts, as ``query_good`` / ``query_valid`` are."""
    plan = planned(tmp_path, "slo-generator", {"slo_dd.yaml": V1_DATADOG})
    assert plan.problems == []
    (document,) = slo_documents(plan)
    ratio = document["spec"]["indicator"]["spec"]["ratioMetric"]
    assert "raw" not in ratio
    assert ratio["good"]["metricSource"]["spec"]["good_query"] == "sum:system.disk.used{*}"
    assert ratio["total"]["metricSource"]["spec"]["valid_query"] == "sum:system.disk.total{*}"
    said = {n.field: n.reason for n in notes(plan)}
    assert "query_good" in said["spec.service_level_indicator.good_query"]


V2_RATIO = """\
apiVersion: sre.google.com/v2
kind: ServiceLevelObjective
metadata:
  name: run-availability
  labels: {{service_name: run}}
spec:
  backend: cloud_monitoring
  method: good_bad_ratio
  service_level_indicator:
{sli}
  goal: 0.99
"""


@pytest.mark.parametrize(
    "sli",
    [
        '    filter_valid: metric.type="run.googleapis.com/request_count"',  # no good
        '    filter_good: metric.type="run.googleapis.com/request_count"',  # no valid, no bad
        '    good: metric.type="run.googleapis.com/request_count"',  # no key it reads
    ],
)
def test_a_good_bad_ratio_without_its_two_queries_is_refused(tmp_path: Path, sli: str) -> None:
    """slo-generator's good_bad_ratio reads the good events' query and the valid (or bad)
    events' one, and stops without them. The import wrote a raw success ratio ("the backend
    computes the SLI itself"), or counted the valid events as good: every event good."""
    plan = planned(tmp_path, "slo-generator", {"s.yaml": V2_RATIO.format(sli=sli)})
    assert slo_documents(plan) == []
    (problem,) = plan.problems
    assert problem.code == "import-missing-field"
    assert problem.field == "spec.service_level_indicator"
    assert "good_bad_ratio" in problem.message
    assert "filter_good" in problem.fix


V1_QUERY_SLO = """\
service_name: dd
feature_name: disk
slo_id: abc123
slo_name: utilization
slo_description: Disk has more than 15% of free space
slo_target: 0.15
backend:
  class: Datadog
  method: query_slo
  api_key: ${DATADOG_API_KEY}
  app_key: ${DATADOG_APP_KEY}
"""


def test_a_v1_query_slo_takes_the_slo_id_from_the_top(tmp_path: Path) -> None:
    """The early Datadog backend's query_slo read ``slo_id`` at the top of the v1 config (it
    has no measurement). It was refused: "service_level_indicator is empty — add the
    backend's queries". It is the SLO's id in Datadog, v2's service_level_indicator.slo_id."""
    plan = planned(tmp_path, "slo-generator", {"slo_dd_slo.yaml": V1_QUERY_SLO})
    assert plan.problems == []
    (document,) = slo_documents(plan)
    raw = document["spec"]["indicator"]["spec"]["ratioMetric"]["raw"]
    assert raw["metricSource"]["spec"] == {"slo_id": "abc123"}
    assert "slo_id" not in document["metadata"].get("labels", {})
    said = [n.reason for n in notes(plan) if n.field == "spec.service_level_indicator"]
    assert any(reason.startswith("slo_id, written at the top") for reason in said)


GOAL_OUTSIDE = """\
apiVersion: sre.google.com/v2
kind: ServiceLevelObjective
metadata:
  name: run-availability
spec:
  backend: cloud_monitoring
  method: good_bad_ratio
  service_level_indicator:
    filter_good: metric.type="run.googleapis.com/request_count"
    filter_valid: metric.type="run.googleapis.com/request_count"
goal: 0.99
"""


def test_a_goal_written_beside_spec_is_named_in_the_refusal(tmp_path: Path) -> None:
    """slo-generator reads spec.goal; a goal at the top level (indented one step too little)
    is not read, and the refusal only said "goal is missing — write e.g. goal: 0.999"."""
    plan = planned(tmp_path, "slo-generator", {"g.yaml": GOAL_OUTSIDE})
    (problem,) = plan.problems
    assert problem.field == "spec.goal"
    assert "line 11" in problem.message
    assert problem.fix == "indent goal: 0.99 under spec:, where slo-generator reads it"
