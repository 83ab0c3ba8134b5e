"""A histogram bucket over the ``le="+Inf"`` bucket of the same histogram is a share.

Prometheus histogram buckets are cumulative: ``x_bucket{le="0.2"}`` counts the observations
at most 0.2 s, ``x_bucket{le="+Inf"}`` every observation (the same as ``x_count``), so the
first's events are among the second's. A public write-up's Sloth spec counts its latency with
``error_query: …_bucket{le="0.2"}`` over ``total_query: …_bucket{le="+Inf"}``: Covenant left
the SLO out, saying the two "count different series (le="0.2" and le="+Inf")", where Sloth
divides them as written. A bucket over a lower bucket (``le="1"`` over ``le="0.5"``) is still
no share: it counts more than its total.
"""

from __future__ import annotations

from pathlib import Path

from tests.definitions.test_import_found_shapes import notes, planned, slo_documents

SPEC = """\
version: "prometheus/v1"
service: user-api
slos:
  - name: latency
    objective: 95
    sli:
      events:
        error_query: sum(rate(h_bucket{{job="api",le="{bad}"}}[{{{{.window}}}}]))
        total_query: sum(rate(h_bucket{{job="api",le="{total}"}}[{{{{.window}}}}]))
    alerting: {{page_alert: {{disable: true}}, ticket_alert: {{disable: true}}}}
"""

SLOGEN = """\
apiVersion: sre.google.com/v2
kind: ServiceLevelObjective
metadata:
  name: api-latency
  labels: {service_name: api, feature_name: http, slo_name: latency}
spec:
  description: fast requests
  backend: prometheus
  method: query_sli
  service_level_indicator:
    expression: >
      sum(rate(h_bucket{job="api",le="0.25"}[window]))
      / sum(rate(h_bucket{job="api",le="+Inf"}[window]))
  goal: 0.99
"""


def _queries(document: dict) -> dict[str, str]:
    ratio = document["spec"]["indicator"]["spec"]["ratioMetric"]
    return {
        role: ratio[role]["metricSource"]["spec"]["query"]
        for role in ("good", "bad", "total")
        if role in ratio
    }


def test_a_bucket_over_the_inf_bucket_is_imported(tmp_path: Path) -> None:
    plan = planned(tmp_path, "sloth", {"s.yaml": SPEC.format(bad="0.2", total="+Inf")})
    assert plan.problems == []
    (document,) = slo_documents(plan)
    assert _queries(document) == {
        "bad": 'sum(increase(h_bucket{job="api",le="0.2"}[{{.window}}]))',
        "total": 'sum(increase(h_bucket{job="api",le="+Inf"}[{{.window}}]))',
    }
    assert not [n for n in notes(plan) if n.skipped]


def test_a_bucket_over_a_higher_bucket_is_a_share_too(tmp_path: Path) -> None:
    plan = planned(tmp_path, "sloth", {"s.yaml": SPEC.format(bad="0.2", total="1")})
    assert plan.problems == []
    assert len(slo_documents(plan)) == 1


def test_a_bucket_over_a_lower_bucket_is_still_left_out(tmp_path: Path) -> None:
    plan = planned(tmp_path, "sloth", {"s.yaml": SPEC.format(bad="1", total="0.5")})
    assert slo_documents(plan) == []
    (left,) = [n for n in notes(plan) if n.skipped]
    assert 'count different series (le="1" and le="0.5")' in left.reason


def test_a_slo_generator_query_sli_of_buckets_is_imported(tmp_path: Path) -> None:
    plan = planned(tmp_path, "slo-generator", {"slo.yaml": SLOGEN})
    assert plan.problems == []
    (document,) = slo_documents(plan)
    assert _queries(document) == {
        "good": 'sum(increase(h_bucket{job="api",le="0.25"}[{{.window}}]))',
        "total": 'sum(increase(h_bucket{job="api",le="+Inf"}[{{.window}}]))',
    }
