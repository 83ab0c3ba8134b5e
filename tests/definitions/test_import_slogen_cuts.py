"""slo-generator SLIs Covenant cannot count exactly are left out, each with a reason and a fix.

Shapes from real configs outside the corpus: a v1 Stackdriver ``distribution_cut`` with
``threshold_bucket: 17`` (ocervell/slo-generator-gke ``slos/slo_bq_latency.yaml``), its v2
forms for Cloud Monitoring and MQL, and a Prometheus ``query_sli`` whose numerator adds two
counts. Every expected value is derived by hand from the fixture and the tool's rules.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from covenant.definitions.importers.base import Note
from covenant.definitions.importers.promql import compound_ratio_part
from covenant.services.importing import ImportPlan, plan_import


def planned(tmp_path: Path, text: str) -> ImportPlan:
    source = tmp_path / "slo.yaml"
    source.write_text(text, encoding="utf-8")
    return plan_import("slo-generator", [source], into=tmp_path / "ws")


def left_out(plan: ImportPlan) -> list[Note]:
    return [n for f in plan.files for n in f.imported.notes if n.skipped]


# ocervell/slo-generator-gke slos/slo_bq_latency.yaml, cut to its shape
V1_BUCKET = """\
service_name:    generator
feature_name:    bq
slo_description: 99% of BigQuery API HTTP response latencies < 400ms
slo_name:        latency
slo_target:      0.99
backend:
  class:         Stackdriver
  project_id:    my-project
  method:        distribution_cut
  measurement:
    filter_valid: metric.type="serviceruntime.googleapis.com/api/request_latencies"
    good_below_threshold: true
    threshold_bucket: 17
"""


@pytest.mark.parametrize("method", ["distribution_cut", "exponential_distribution_cut"])
def test_a_v1_bucket_index_cut_is_left_out_with_the_field_why_and_fix(
    tmp_path: Path, method: str
) -> None:
    """Before, the SLI's good and total were the same query: any latency counted as good
    (``exponential_distribution_cut`` is the v1 backend's alias of ``distribution_cut``)."""
    plan = planned(tmp_path, V1_BUCKET.replace("distribution_cut", method))
    assert plan.problems == []
    assert plan.files[0].imported.slos == []
    assert plan.writes == []  # nothing but the left-out SLO: no DataSource, no Service either
    (note,) = left_out(plan)
    assert note.field == "spec.service_level_indicator.threshold_bucket"
    assert "threshold_bucket 17 is a bucket index" in note.reason
    assert "latency bound in ms" in note.reason
    assert "covenant.dev/events" in note.reason
    assert '"latencyMs": {"op": "lt", "value": <ms>}' in note.reason
    assert "every ingested event would count as good" in note.reason
    assert not any("gets its counts from" in n.reason for n in plan.files[0].imported.notes)


V2_CUTS = """\
apiVersion: sre.google.com/v2
kind: ServiceLevelObjective
metadata: {name: gae-latency, labels: {service_name: gae}}
spec:
  description: 98% of requests have latency < 724ms
  backend: cloud_monitoring
  method: distribution_cut
  service_level_indicator:
    filter_valid: metric.type="appengine.googleapis.com/http/server/response_latencies"
    good_below_threshold: true
    threshold_bucket: 19
  goal: 0.98
---
apiVersion: sre.google.com/v2
kind: ServiceLevelObjective
metadata: {name: gae-slow, labels: {service_name: gae}}
spec:
  backend: cloud_monitoring_mql
  method: distribution_cut
  service_level_indicator:
    filter_valid: fetch gae_app | metric 'appengine.googleapis.com/http/server/response_latencies'
    good_below_threshold: false
    threshold_bucket: 3
  goal: 0.9
---
apiVersion: sre.google.com/v2
kind: ServiceLevelObjective
metadata: {name: gae-availability, labels: {service_name: gae}}
spec:
  backend: cloud_monitoring
  method: good_bad_ratio
  service_level_indicator:
    filter_good: metric.type="x" metric.labels.response_code = 200
    filter_valid: metric.type="x"
  goal: 0.99
---
apiVersion: sre.google.com/v2
kind: ServiceLevelObjective
metadata: {name: prom-latency, labels: {service_name: prom}}
spec:
  backend: prometheus
  method: distribution_cut
  service_level_indicator:
    expression: latency_seconds_bucket{job="api"}
    threshold_bucket: 0.25
  goal: 0.99
"""


def test_v2_bucket_index_cuts_are_left_out_and_prometheus_le_cuts_kept(tmp_path: Path) -> None:
    plan = planned(tmp_path, V2_CUTS)
    assert plan.problems == []
    (file,) = plan.files
    # the two bucket-index cuts are left out, one reason each; the others are imported
    assert file.imported.slos == ["gae-availability", "prom-latency"]
    first, second = left_out(plan)
    assert first.field == second.field == "spec.service_level_indicator.threshold_bucket"
    assert first.where.endswith(":11")
    assert second.where.endswith(":23")
    assert "threshold_bucket 19 is a bucket index" in first.reason
    assert "threshold_bucket 3 is a bucket index" in second.reason
    # below the bound is good; with good_below_threshold: false, above it is
    assert '"latencyMs": {"op": "lt", "value": <ms>}' in first.reason
    assert '"latencyMs": {"op": "gte", "value": <ms>}' in second.reason
    # Prometheus: threshold_bucket is the le value itself (slo-generator adds le="0.25")
    (prom,) = [
        d
        for d in file.imported.documents
        if d["kind"] == "SLO" and d["metadata"]["name"] == "prom-latency"
    ]
    ratio = prom["spec"]["indicator"]["spec"]["ratioMetric"]
    assert ratio["good"]["metricSource"]["spec"]["query"] == (
        'sum(latency_seconds_bucket{job="api",le="0.25"})'
    )
    assert ratio["total"]["metricSource"]["spec"]["query"] == (
        'sum(latency_seconds_bucket{job="api",le="+Inf"})'
    )


SUM_OF_COUNTS = """\
apiVersion: sre.google.com/v2
kind: ServiceLevelObjective
metadata: {name: ok-or-cached, labels: {service_name: shop}}
spec:
  backend: prometheus
  method: query_sli
  service_level_indicator:
    expression: >
      (sum(rate(requests_total{code="200"}[window]))
      + sum(rate(requests_total{code="304"}[window])))
      / sum(rate(requests_total[window]))
  goal: 0.99
"""


def test_a_sum_of_counts_in_the_numerator_is_named_as_such(tmp_path: Path) -> None:
    plan = planned(tmp_path, SUM_OF_COUNTS)
    assert plan.problems == []
    assert plan.files[0].imported.slos == []
    (note,) = left_out(plan)
    assert note.field == "spec.service_level_indicator.expression"
    assert "a ratio of counts whose numerator is a sum of counts" in note.reason
    assert 'sum(rate(requests_total{code="200"}[window])) + ' in note.reason
    assert "cannot split" not in note.reason  # it is a ratio of counts: it was split
    assert "one selector matching every series it counts" in note.reason


def test_compound_ratio_part_names_the_part_and_its_operator() -> None:
    assert compound_ratio_part("(sum(a) + sum(b)) / sum(c)") == (
        "numerator",
        "sum(a) + sum(b)",
        "+",
    )
    assert compound_ratio_part("sum(a) / (sum(b) - sum(c))") == (
        "denominator",
        "sum(b) - sum(c)",
        "-",
    )
    assert compound_ratio_part("sum(a) / sum(b)") is None  # one count each: split_ratio's
    assert compound_ratio_part("sum(a) / sum(b) * 100") is None  # not a ratio at the top
    assert compound_ratio_part("sum(a) + sum(b)") is None


# google/slo-generator samples/datadog/slo_dd_app_latency_cut.yaml (a v1 config of its history)
DATADOG_CUT = """\
service_name:    dd
feature_name:    api
slo_name:        latency-cut
slo_description: 99% of HTTP requests return in less than 350ms
slo_target:      0.99
backend:
  class:         Datadog
  method:        distribution_cut
  api_key:       ${DATADOG_API_KEY}
  app_key:       ${DATADOG_APP_KEY}
  measurement:
    query_valid: api.orders.latency{*} # do not add the percentile suffix here, use raw metric
    threshold: 350 # ms
"""


@pytest.mark.parametrize(
    ("backend", "kind"),
    [
        ("Datadog", "Datadog"),
        ("Dynatrace", "Dynatrace"),
        ("Elasticsearch", "Elasticsearch"),
    ],
)
def test_a_distribution_cut_on_a_backend_without_one_is_left_out(
    tmp_path: Path, backend: str, kind: str
) -> None:
    """slo-generator's Datadog backend has good_bad_ratio, query_sli and query_slo only
    (slo_generator/backends/datadog.py, docs/providers/datadog.md): it stops on this config.
    Before, Covenant imported it with good = total = the valid query and no latency rule, so
    every ingested request counted good by its status: a 350 ms latency SLO read as
    availability."""
    plan = planned(tmp_path, DATADOG_CUT.replace("class:         Datadog", f"class: {backend}"))
    assert plan.problems == []
    assert plan.files[0].imported.slos == []
    assert plan.writes == []
    (note,) = left_out(plan)
    assert note.field == "spec.method"
    assert f"slo-generator's {kind} backend has no distribution_cut method" in note.reason
    assert "covenant.dev/events" in note.reason  # the fix


def test_a_cloud_monitoring_cut_still_reaches_its_own_reason(tmp_path: Path) -> None:
    plan = planned(tmp_path, V1_BUCKET)
    (note,) = left_out(plan)
    assert note.field == "spec.service_level_indicator.threshold_bucket"
