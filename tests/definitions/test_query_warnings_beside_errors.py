"""An error in one document does not hide another SLO's Prometheus query warnings.

Real shape: an opensloctl example workspace (a Prometheus DataSource, an SLI whose queries
write Go's ``{{.Window}}``, an SLO naming alert policies whose AlertConditions say
``kind: burn-rate``). Before, ``covenant validate`` reported only the conditions' kind: an
error anywhere turned off building every SLO, and with it the check of the SLI's queries;
the queries' warning (a rate() per second, where Covenant counts events; ``{{.Window}}`` is
read as ``{{.window}}``) appeared only once the conditions were fixed. Expected problems read
by hand from the file: OpenSLO's condition kind is ``burnrate``; Covenant counts events with
increase() over ``{{.window}}`` (docs/prometheus.md).
"""

from __future__ import annotations

from tests.definitions.helpers import load_text

SOURCE = """\
apiVersion: openslo/v1
kind: DataSource
metadata: {name: prom}
spec:
  type: Prometheus
  connectionDetails: {url: 'http://127.0.0.1:9090'}
---
apiVersion: openslo/v1
kind: Service
metadata: {name: shop}
spec: {}
"""

SLO = """\
---
apiVersion: openslo/v1
kind: SLO
metadata: {name: orders}
spec:
  service: shop
  indicator:
    metadata: {name: orders-ok}
    spec:
      ratioMetric:
        counter: true
        good:
          metricSource:
            metricSourceRef: prom
            spec: {query: 'sum(rate(orders_total{ok="1"}[{{.Window}}]))'}
        total:
          metricSource:
            metricSourceRef: prom
            spec: {query: 'sum(rate(orders_total[{{.Window}}]))'}
  budgetingMethod: Occurrences
  timeWindow: [{duration: 28d, isRolling: true}]
  objectives: [{target: 0.99}]
"""

POLICY = """\
  alertPolicies: [{alertPolicyRef: fast}]
---
apiVersion: openslo/v1
kind: AlertPolicy
metadata: {name: fast}
spec:
  conditions: [{conditionRef: fast-burn}]
  notificationTargets: [{targetRef: am}]
---
apiVersion: openslo/v1
kind: AlertNotificationTarget
metadata:
  name: am
  annotations: {covenant.dev/delivery: '{"url": "http://127.0.0.1:9093"}'}
spec: {target: alertmanager}
---
apiVersion: openslo/v1
kind: AlertCondition
metadata: {name: fast-burn}
spec:
  severity: page
  condition: {kind: KIND, threshold: 14.4, lookbackWindow: 1h}
"""

BROKEN_SERVICE = """\
---
apiVersion: openslo/v1
kind: Service
metadata: {name: Other_Service}
spec: {}
"""


def _found(text: str) -> list[tuple[str, str, str]]:
    _, problems = load_text(text)
    return sorted((p.severity, p.code, p.field) for p in problems)


GOOD_QUERY = ("warning", "prometheus-query-form", "spec.indicator.spec.ratioMetric.good")


def _query_warnings(found: list[tuple[str, str, str]]) -> list[tuple[str, str, str]]:
    return [f for f in found if f[1] == "prometheus-query-form"]


def test_the_warning_alone() -> None:
    """The reference case: with nothing else wrong, the good query's placeholder is warned of
    (one warning: the first query that cannot be counted)."""
    found = _found(SOURCE + SLO + POLICY.replace("KIND", "burnrate"))
    assert [f[:2] for f in _query_warnings(found)] == [GOOD_QUERY[:2]]
    assert _query_warnings(found)[0][2].startswith(GOOD_QUERY[2])
    assert [f for f in found if f[0] == "error"] == []


def test_a_broken_condition_of_the_slos_policy_hides_no_query_warning() -> None:
    found = _found(SOURCE + SLO + POLICY.replace("KIND", "burn-rate"))
    assert [f for f in found if f[0] == "error"] == [
        ("error", "invalid-value", "spec.condition.kind")
    ]
    assert [f[:2] for f in _query_warnings(found)] == [GOOD_QUERY[:2]]


def test_an_unrelated_broken_document_hides_no_query_warning() -> None:
    found = _found(SOURCE + SLO + BROKEN_SERVICE)
    assert [f for f in found if f[0] == "error"] == [("error", "invalid-name", "metadata.name")]
    assert [f[:2] for f in _query_warnings(found)] == [GOOD_QUERY[:2]]


def test_an_slo_with_its_own_error_is_not_built() -> None:
    """An SLO's own error still stops its build: no follow-on problems of a half-read SLO
    (here a ratio objective given op, which the reference forbids)."""
    found = _found(SOURCE + SLO.replace("[{target: 0.99}]", "[{target: 0.99, op: gt}]"))
    assert [f for f in found if f[0] == "error"] == [
        ("error", "op-on-ratio-objective", "spec.objectives[0].op")
    ]
    assert _query_warnings(found) == []
