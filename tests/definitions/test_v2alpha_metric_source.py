"""An ``openslo.com/v2alpha`` metric written in openslo/v1's form (``metricSource``) is refused
at that field, with v2alpha's form built from what it holds.

OpenSLO's v2alpha SLI metric is ``{dataSourceRef | dataSourceSpec, spec}`` (Go SDK
pkg/openslo/v2alpha/sli.go, SLIMetricSpec; every example in pkg/openslo/v2alpha/examples/
slis.yaml): it has no ``metricSource``. Covenant used to pass a v1 ``metricSource`` through the
conversion untouched, so the document was valid as v2alpha though no v2alpha reader takes it.
Lines are counted by hand from the texts below.
"""

from __future__ import annotations

from covenant.definitions.workspace import analyse_text
from covenant.errors import Problem

SLI = """\
apiVersion: openslo.com/v2alpha
kind: SLI
metadata:
  name: search-availability
spec:
  thresholdMetric:
    metricSource:
      metricSourceRef: redshift-datasource
      spec:
        query: SELECT 1
"""

SLO = """\
apiVersion: openslo.com/v2alpha
kind: SLO
metadata: {name: checkout}
spec:
  serviceRef: web
  sli:
    metadata: {name: checkout-ok}
    spec:
      ratioMetric:
        counter: true
        good:
          metricSource: {type: Prometheus, spec: {query: good}}
        total:
          dataSourceSpec: {type: Prometheus}
          spec: {query: total}
  timeWindow: [{duration: 28d, isRolling: true}]
  budgetingMethod: Occurrences
  objectives:
    - target: 0.99
"""


def _errors(text: str) -> list[Problem]:
    _, problems = analyse_text(text, file="ws.yaml")
    return [p for p in problems if p.severity == "error"]


def test_a_v1_metric_source_in_a_v2alpha_sli_is_refused_with_the_v2alpha_form() -> None:
    (problem,) = _errors(SLI)
    assert (problem.code, problem.where, problem.field) == (
        "unknown-field",
        "ws.yaml:7",
        "spec.thresholdMetric.metricSource",
    )
    assert problem.message == (
        "metricSource is openslo/v1's form of a metric; an openslo.com/v2alpha metric is "
        "dataSourceRef (or dataSourceSpec) and spec"
    )
    assert problem.fix == (
        "replace metricSource with dataSourceRef: redshift-datasource and metricSource's spec "
        "beside it, or write the document as apiVersion: openslo/v1"
    )


def test_in_an_inline_sli_the_inline_type_becomes_data_source_spec() -> None:
    (problem,) = _errors(SLO)
    assert (problem.where, problem.field) == (
        "ws.yaml:12",
        "spec.sli.spec.ratioMetric.good.metricSource",
    )
    assert problem.fix.startswith(
        "replace metricSource with dataSourceSpec: {type: Prometheus} and metricSource's spec"
    )


def test_the_v2alpha_form_beside_it_is_still_valid() -> None:
    assert (
        _errors(
            SLO.replace(
                "metricSource: {type: Prometheus, spec: {query: good}}",
                "dataSourceSpec: {type: Prometheus}\n          spec: {query: good}",
            )
        )
        == []
    )
