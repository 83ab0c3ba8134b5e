"""A number (or a boolean, list, mapping) where a query belongs is named as such, not "missing".

`error_query: 5` in a Sloth spec, `errorQuery: 0.5` in its Kubernetes resource, `metric: 5` in
Pyrra, `expression: 5` in slo-generator and `query: 5` in an OpenSLO metricSource were each
reported as a missing query ("sli.events.error_query is missing — add error_query"), or for
OpenSLO "a metricSource has no spec.query text": the field is there, and holds a value that is
no query. Each now says what the field holds, that a PromQL query string is expected there,
and what to write.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from covenant.definitions.workspace import analyse
from covenant.services.importing import plan_import

EXPECTED = "where a PromQL query string is expected"
FIX = "write the PromQL query there as text, e.g. "

SLOTH = """\
version: prometheus/v1
service: shop
slos:
  - name: errors
    objective: 99
    sli:
      events:
        error_query: ERROR
        total_query: sum(rate(x[{{.window}}]))
    alerting: {page_alert: {disable: true}, ticket_alert: {disable: true}}
"""
SLOTH_K8S = """\
apiVersion: sloth.slok.dev/v1
kind: PrometheusServiceLevel
metadata: {name: shop}
spec:
  service: shop
  slos:
    - name: errors
      objective: 99
      sli:
        events:
          errorQuery: 0.5
          totalQuery: sum(rate(x[{{.window}}]))
      alerting: {pageAlert: {disable: true}, ticketAlert: {disable: true}}
"""
SLOTH_RAW = SLOTH.replace(
    "      events:\n        error_query: ERROR\n        total_query: sum(rate(x[{{.window}}]))\n",
    "      raw:\n        error_ratio_query: true\n",
)
SLOTH_OPENSLO = """\
apiVersion: openslo/v1alpha
kind: SLO
metadata: {name: errors}
spec:
  service: shop
  budgetingMethod: Occurrences
  objectives:
    - ratioMetrics:
        good: {source: prometheus, queryType: promql, query: 5}
        total: {source: prometheus, queryType: promql, query: 'sum(rate(x[{{.window}}]))'}
      target: 0.99
"""
PYRRA = """\
apiVersion: pyrra.dev/v1alpha1
kind: ServiceLevelObjective
metadata: {name: api-errors, namespace: shop}
spec:
  target: "99.5"
  window: 28d
  indicator:
    ratio:
      errors: {metric: 5}
      total: {metric: 'http_requests_total{job="api"}'}
"""
SLOGEN = """\
apiVersion: sre.google.com/v2
kind: ServiceLevelObjective
metadata: {name: shop-api-availability, labels: {service_name: shop}}
spec:
  backend: prometheus
  method: METHOD
  goal: 0.99
  service_level_indicator: SLI
"""


@pytest.mark.parametrize(
    ("tool", "text", "field", "holds"),
    [
        (
            "sloth",
            SLOTH.replace("ERROR", "5"),
            "slos[0].sli.events.error_query",
            "the number 5",
        ),
        (
            "sloth",
            SLOTH.replace("ERROR", "[a, b]"),
            "slos[0].sli.events.error_query",
            "a list",
        ),
        ("sloth", SLOTH_K8S, "spec.slos[0].sli.events.errorQuery", "the number 0.5"),
        ("sloth", SLOTH_RAW, "slos[0].sli.raw.error_ratio_query", "the boolean true"),
        ("sloth", SLOTH_OPENSLO, "spec.objectives[0].ratioMetrics.good.query", "the number 5"),
        (
            "slo-generator",
            SLOGEN.replace("METHOD", "query_sli").replace("SLI", "{expression: 5}"),
            "spec.service_level_indicator.expression",
            "the number 5",
        ),
        (
            "slo-generator",
            SLOGEN.replace("METHOD", "good_bad_ratio").replace(
                "SLI", "{filter_good: 0.5, filter_valid: 'x'}"
            ),
            "spec.service_level_indicator.filter_good",
            "the number 0.5",
        ),
        (
            "slo-generator",
            SLOGEN.replace("METHOD", "distribution_cut").replace(
                "SLI", "{expression: {a: 1}, threshold_bucket: 0.5}"
            ),
            "spec.service_level_indicator.expression",
            "a mapping",
        ),
    ],
    ids=lambda v: v if isinstance(v, str) and len(v) < 40 else None,
)
def test_an_importer_names_what_a_query_field_holds(
    tmp_path: Path, tool: str, text: str, field: str, holds: str
) -> None:
    source = tmp_path / "in.yaml"
    source.write_text(text, encoding="utf-8")
    plan = plan_import(tool, [source], into=tmp_path / "ws")
    (problem,) = plan.problems
    assert (problem.code, problem.field) == ("import-invalid-value", field)
    assert problem.message == f"{field} holds {holds} {EXPECTED}"
    assert problem.fix.startswith(FIX + field.rsplit(".", 1)[1] + ": '")
    assert "missing" not in problem.message
    assert plan.writes == []


def test_pyrra_names_a_number_given_as_its_selector(tmp_path: Path) -> None:
    source = tmp_path / "in.yaml"
    source.write_text(PYRRA, encoding="utf-8")
    plan = plan_import("pyrra", [source], into=tmp_path / "ws")
    (problem,) = plan.problems
    assert problem.field == "spec.indicator.ratio.errors.metric"
    assert problem.message == (
        "spec.indicator.ratio.errors.metric holds the number 5 where a PromQL series selector "
        "string is expected"
    )
    assert problem.fix.startswith("write the PromQL series selector there as text, e.g. metric:")


def test_a_missing_query_is_still_called_missing(tmp_path: Path) -> None:
    source = tmp_path / "in.yaml"
    source.write_text(SLOTH.replace("        error_query: ERROR\n", ""), encoding="utf-8")
    (problem,) = plan_import("sloth", [source], into=tmp_path / "ws").problems
    assert (problem.code, problem.message) == (
        "import-missing-field",
        "sli.events.error_query is missing",
    )


def test_an_openslo_query_given_a_number_is_named_at_its_line(tmp_path: Path) -> None:
    (tmp_path / "slo.yaml").write_text(
        """\
apiVersion: openslo/v1
kind: SLO
metadata: {name: x}
spec:
  service: shop
  budgetingMethod: Occurrences
  objectives: [{target: 0.99}]
  timeWindow: [{duration: 28d, isRolling: true}]
  indicator:
    metadata: {name: x-sli}
    spec:
      ratioMetric:
        counter: true
        good:
          metricSource:
            type: Prometheus
            spec: {query: 5}
        total: {metricSource: {type: Prometheus, spec: {query: "sum(rate(x[5m]))"}}}
""",
        encoding="utf-8",
    )
    _, problems = analyse([tmp_path])
    (problem,) = [p for p in problems if p.code == "prometheus-query-form"]
    assert problem.where.endswith("slo.yaml:17")
    assert problem.field == "spec.indicator.spec.ratioMetric.good.metricSource.spec.query"
    assert problem.message == (
        f"cannot be read from Prometheus: metricSource.spec.query holds the number 5 {EXPECTED}"
    )
    assert problem.fix.startswith(FIX + "query: '")
