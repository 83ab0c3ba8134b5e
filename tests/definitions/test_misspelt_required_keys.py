"""A misspelt required key is one problem, not an unknown key and a missing one.

`objectives` written `objectves` in an SLO gave two errors: "unknown field 'objectves' — did you
mean 'objectives'?" at its line and "required field 'objectives' is missing" at the spec's
line — one mistake counted twice, the second pointing away from it. Now it is one
`unknown-field` at the misspelt key's file:line, naming the key and the required key it likely
is. Checked for keys pydantic requires and for the ones Covenant's own checks ask for (an
objective's target, an SLO's indicatorRef, an SLI's metric), across OpenSLO and covenant/v1
kinds.
"""

from __future__ import annotations

import pytest

from covenant.definitions.workspace import analyse_text
from covenant.errors import Problem

BASE = """\
apiVersion: openslo/v1
kind: Service
metadata:
  name: checkout
spec:
  description: Checkout
---
apiVersion: openslo/v1
kind: DataSource
metadata:
  name: prometheus
spec:
  type: Prometheus
  connectionDetails:
    url: http://prometheus:9090
---
apiVersion: openslo/v1
kind: SLI
metadata:
  name: checkout-ok
spec:
  ratioMetric:
    counter: true
    good:
      metricSource:
        metricSourceRef: prometheus
        spec:
          query: sum(rate(http_requests_total{code!~"5.."}[5m]))
    total:
      metricSource:
        metricSourceRef: prometheus
        spec:
          query: sum(rate(http_requests_total[5m]))
---
apiVersion: openslo/v1
kind: SLO
metadata:
  name: checkout-availability
spec:
  service: checkout
  indicatorRef: checkout-ok
  timeWindow:
    - duration: 28d
      isRolling: true
  budgetingMethod: Occurrences
  objectives:
    - target: 0.999
---
apiVersion: openslo/v1
kind: AlertPolicy
metadata:
  name: fast-burn
spec:
  conditions:
    - conditionRef: burn
  notificationTargets:
    - targetRef: pager
---
apiVersion: openslo/v1
kind: AlertCondition
metadata:
  name: burn
spec:
  severity: page
  condition:
    kind: burnrate
    op: gte
    threshold: 14.4
    lookbackWindow: 1h
    alertAfter: 5m
---
apiVersion: openslo/v1
kind: AlertNotificationTarget
metadata:
  name: pager
spec:
  target: pagerduty
---
apiVersion: covenant/v1
kind: Customer
metadata:
  name: globex
spec:
  currency: EUR
  contacts:
    - {name: Hank Scorpio, email: hank@globex.example}
---
apiVersion: covenant/v1
kind: Calendar
metadata:
  name: berlin-support
spec:
  timeZone: Europe/Berlin
  weekly:
    mon: "08:00-18:00"
---
apiVersion: covenant/v1
kind: MaintenanceWindow
metadata:
  name: db-upgrade
spec:
  services: [checkout]
  start: 2026-11-14T02:00:00+01:00
  end: 2026-11-14T03:00:00+01:00
  announcedAt: 2026-11-02T09:00:00Z
"""

# (the kind whose key is misspelt, the line as written, the misspelt line, the field it has)
CASES = [
    ("SLO", "  objectives:", "  objectves:", "spec.objectves"),
    ("SLO", "  budgetingMethod: Occurrences", "  budgetingMethd: Occurrences", ""),
    ("SLO", "  service: checkout", "  servce: checkout", ""),
    ("SLO", "    - duration: 28d", "    - duratin: 28d", "spec.timeWindow[0].duratin"),
    ("SLO", "    - target: 0.999", "    - targt: 0.999", "spec.objectives[0].targt"),
    ("SLO", "  indicatorRef: checkout-ok", "  indicatorRf: checkout-ok", "spec.indicatorRf"),
    ("SLI", "  ratioMetric:", "  ratioMetrc:", "spec.ratioMetrc"),
    ("DataSource", "  type: Prometheus", "  tpe: Prometheus", "spec.tpe"),
    ("DataSource", "  connectionDetails:", "  connectionDetais:", "spec.connectionDetais"),
    ("DataSource", "    url: http://prometheus:9090", "    urll: http://prometheus:9090", ""),
    ("AlertPolicy", "  conditions:", "  conditons:", "spec.conditons"),
    ("AlertPolicy", "  notificationTargets:", "  notificationTarget:", ""),
    ("AlertCondition", "    lookbackWindow: 1h", "    lookbackWndow: 1h", ""),
    ("Customer", "  currency: EUR", "  curency: EUR", "spec.curency"),
    ("Calendar", "  timeZone: Europe/Berlin", "  timeZon: Europe/Berlin", "spec.timeZon"),
    (
        "MaintenanceWindow",
        "  announcedAt: 2026-11-02T09:00:00Z",
        "  anouncedAt: 2026-11-02T09:00:00Z",
        "",
    ),
]


def errors(text: str) -> list[Problem]:
    _, problems = analyse_text(text, file="ws.yaml")
    return [p for p in problems if p.severity == "error"]


def test_the_base_workspace_is_valid() -> None:
    assert errors(BASE) == []


@pytest.mark.parametrize(
    ("kind", "written", "misspelt", "field"), CASES, ids=[c[2].strip() for c in CASES]
)
def test_a_misspelt_required_key_is_one_problem_at_its_line(
    kind: str, written: str, misspelt: str, field: str
) -> None:
    start = BASE.index(f"kind: {kind}\n")
    at = BASE.index(written + "\n", start)
    text = BASE[:at] + misspelt + BASE[at + len(written) :]
    line = text[: at + 1].count("\n") + 1  # the misspelt key's own line
    wrong = misspelt.strip(" -").split(":")[0]
    meant = written.strip(" -").split(":")[0]

    found = errors(text)
    assert len(found) == 1, "\n".join(map(str, found))
    (problem,) = found
    assert problem.code == "unknown-field"
    assert problem.where == f"ws.yaml:{line}"
    if field:
        assert problem.field == field
    assert problem.field.endswith(wrong)
    assert f"unknown field {wrong!r}" in problem.message
    assert f"the required field {meant!r}" in problem.message
    assert problem.fix == f"rename {wrong} to {meant}"


def test_an_unknown_key_beside_a_missing_one_it_is_not_stays_two_problems() -> None:
    """`color` is no misspelling of `objectives`: both are said, each with its own fix."""
    text = BASE.replace("  objectives:\n    - target: 0.999\n", "  color: red\n")
    found = {(p.code, p.field) for p in errors(text)}
    assert ("unknown-field", "spec.color") in found
    assert ("missing-field", "spec.objectives") in found


def test_a_misspelt_key_beside_the_key_itself_stays_unknown() -> None:
    """`objectves` written beside `objectives`: nothing is missing, the unknown key says so."""
    text = BASE.replace("  objectives:\n", "  objectves: []\n  objectives:\n")
    (problem,) = errors(text)
    assert (problem.code, problem.field) == ("unknown-field", "spec.objectves")
    assert "did you mean 'objectives'?" in problem.fix
