"""An SLO as a public pipeline-canvas generator writes it (``_openslo_service_block`` in the
ICDEV DevOps Pipeline Canvas export, found with the code search; minimal copy below):
``indicator: {ref: <SLI>}`` and ``alertPolicies`` items that are AlertConditions written flat
(``name``, ``description``, ``severity``, ``condition``).

Before: 13 errors — "remove it" for ``ref`` and for each of the four keys of both items (the
alerts thrown away), plus "add metadata", "add spec" and "give alertPolicyRef or an inline
object". Now one error per mistake, each with the form to write. Lines counted by hand.
"""

from __future__ import annotations

from covenant.definitions.workspace import analyse_text

SLO = """\
apiVersion: openslo/v1
kind: SLO
metadata:
  name: web-availability
spec:
  service: web
  indicator:
    ref: web-availability-sli
  budgetingMethod: Occurrences
  objectives:
    - displayName: availability target
      target: 0.999
  timeWindow:
    - duration: 30d
      isRolling: true
  alertPolicies:
    - name: web-burn-rate-fast
      severity: critical
      condition:
        kind: Burnrate
        threshold: 14.4
        lookbackWindow: 2h
"""


def test_one_error_per_mistake_each_with_the_form_to_write() -> None:
    _, problems = analyse_text(SLO, file="ws.yaml")
    errors = [(p.where, p.field, p.fix) for p in problems if p.severity == "error"]
    assert errors == [
        (
            "ws.yaml:8",
            "spec.indicator.ref",
            "replace indicator: {ref: web-availability-sli} with indicatorRef: "
            "web-availability-sli",
        ),
        (
            "ws.yaml:17",
            "spec.alertPolicies[0]",
            "write the item as kind: AlertPolicy, metadata: {name: web-burn-rate-fast}, spec: "
            "{conditions: [{kind: AlertCondition, metadata: {name: web-burn-rate-fast}, spec: "
            "{severity: critical, condition: …}}], notificationTargets: [{targetRef: <an "
            "AlertNotificationTarget's name>}]}, or refer to an AlertPolicy document with "
            "alertPolicyRef: <its name>",
        ),
    ]
