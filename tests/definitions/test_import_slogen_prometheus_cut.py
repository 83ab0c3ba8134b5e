"""slo-generator's Prometheus ``distribution_cut`` counts the bucket as good, whatever
``good_below_threshold`` says.

Its Prometheus backend reads ``expression`` and ``threshold_bucket`` only: good is the
increase of the ``_bucket`` series with ``le="<threshold_bucket>"``, valid the increase of
the ``_count`` series (slo_generator/backends/prometheus.py, ``distribution_cut``). The
Cloud Monitoring backends read ``good_below_threshold``; this one does not. Before, Covenant
read ``good_below_threshold: false`` here as "good above the bound" and imported the bucket
as the *bad* events: the SLO counted the opposite of what slo-generator reported, silently.
Expected queries are derived by hand from the fixture.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from covenant.services.importing import ImportPlan, plan_import

CUT = """\
apiVersion: sre.google.com/v2
kind: ServiceLevelObjective
metadata:
  name: orders-latency
  labels: {{service_name: orders}}
spec:
  backend: prometheus
  method: distribution_cut
  service_level_indicator:
    expression: order_seconds_bucket{{job="orders"}}
    threshold_bucket: 0.4
{flag}  goal: 0.95
"""


def planned(tmp_path: Path, flag: str) -> ImportPlan:
    source = tmp_path / "orders.yaml"
    source.write_text(CUT.format(flag=flag), encoding="utf-8")
    return plan_import("slo-generator", [source], into=tmp_path / "ws")


def ratio(plan: ImportPlan) -> dict[str, Any]:
    (slo,) = [d for f in plan.files for d in f.imported.documents if d["kind"] == "SLO"]
    found: dict[str, Any] = slo["spec"]["indicator"]["spec"]["ratioMetric"]
    return found


@pytest.mark.parametrize(
    "flag",
    [
        "",
        "    good_below_threshold: true\n",
        "    good_below_threshold: false\n",
        "    good_below_threshold: no\n",
    ],
)
def test_the_bucket_is_the_good_events_as_slo_generator_counts_them(
    tmp_path: Path, flag: str
) -> None:
    plan = planned(tmp_path, flag)
    assert plan.problems == []
    found = ratio(plan)
    assert set(found) == {"counter", "good", "total"}
    assert found["good"]["metricSource"]["spec"]["query"] == (
        'sum(order_seconds_bucket{job="orders",le="0.4"})'
    )
    assert found["total"]["metricSource"]["spec"]["query"] == (
        'sum(order_seconds_bucket{job="orders",le="+Inf"})'
    )


def test_good_below_threshold_false_is_noted_as_not_read(tmp_path: Path) -> None:
    plan = planned(tmp_path, "    good_below_threshold: false\n")
    (note,) = [
        n for f in plan.files for n in f.imported.notes if n.field.endswith("good_below_threshold")
    ]
    assert not note.skipped
    assert note.where.endswith(":12")
    assert "Prometheus backend does not read good_below_threshold" in note.reason
    assert "good: to bad:" in note.reason  # the fix, when the slow requests were meant


def test_good_below_threshold_true_needs_no_note(tmp_path: Path) -> None:
    plan = planned(tmp_path, "    good_below_threshold: true\n")
    notes = [n for f in plan.files for n in f.imported.notes]
    assert not any("good_below_threshold" in n.field for n in notes)
