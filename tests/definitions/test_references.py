"""Reference and duplicate-name severities follow the OpenSLO reference validator.

Errors where an SLO cannot be evaluated or alerted on; warnings where nothing depends on it.
"""

from __future__ import annotations

import pytest

from tests.definitions.helpers import load_text

SLI = """\
apiVersion: openslo/v1
kind: SLI
metadata:
  name: avail
spec:
  ratioMetric:
    good: {metricSource: {type: events, spec: {}}}
    total: {metricSource: {type: events, spec: {}}}
"""

POLICY = """\
apiVersion: openslo/v1
kind: AlertPolicy
metadata:
  name: paging
spec:
  conditions:
    - conditionRef: fast-burn
  notificationTargets:
    - targetRef: on-call
"""

CONDITION = """\
apiVersion: openslo/v1
kind: AlertCondition
metadata:
  name: fast-burn
spec:
  severity: page
  condition: {kind: burnrate, op: gte, threshold: 14.4, lookbackWindow: 1h}
"""

SLO = """\
apiVersion: openslo/v1
kind: SLO
metadata:
  name: checkout
spec:
  service: checkout
  indicatorRef: avail
  timeWindow: [{duration: 28d, isRolling: true}]
  budgetingMethod: Occurrences
  objectives: [{target: 0.999}]
"""

SERVICE = """\
apiVersion: openslo/v1
kind: Service
metadata:
  name: checkout
spec: {}
"""


def _workspace(*parts: str) -> str:
    return "---\n".join(parts)


def _found(text: str) -> set[tuple[str, str, str]]:
    _, problems = load_text(text)
    return {(p.severity, p.code, p.field) for p in problems}


def test_missing_condition_in_a_policy_no_slo_uses_is_a_warning() -> None:
    workspace, problems = load_text(_workspace(SERVICE, SLI, POLICY, SLO))
    assert workspace is not None
    assert {(p.severity, p.code, p.field, p.where) for p in problems} == {
        ("warning", "unresolved-reference", "spec.conditions[0].conditionRef", "ws.yaml:22"),
        ("warning", "unresolved-reference", "spec.notificationTargets[0].targetRef", "ws.yaml:24"),
    }


def test_missing_condition_in_a_policy_an_slo_uses_is_an_error() -> None:
    slo = SLO + "  alertPolicies: [{alertPolicyRef: paging}]\n"
    workspace, problems = load_text(_workspace(SERVICE, SLI, POLICY, slo))
    assert workspace is None
    errors = [p for p in problems if p.severity == "error"]
    assert [(p.code, p.field, p.where) for p in errors] == [
        ("missing-reference", "spec.conditions[0].conditionRef", "ws.yaml:22")
    ]
    assert "SLO 'checkout' uses it" in errors[0].message


def test_the_condition_present_makes_the_used_policy_valid() -> None:
    slo = SLO + "  alertPolicies: [{alertPolicyRef: paging}]\n"
    workspace, problems = load_text(_workspace(SERVICE, SLI, POLICY, CONDITION, slo))
    assert workspace is not None
    assert {(p.severity, p.code, p.field) for p in problems} == {
        ("warning", "unresolved-reference", "spec.notificationTargets[0].targetRef")
    }
    (objective,) = workspace.objectives
    assert [t.name for t in objective.alert_tiers] == ["fast-burn"]


def test_missing_condition_in_an_inline_policy_is_an_error() -> None:
    slo = SLO + (
        "  alertPolicies:\n"
        "    - kind: AlertPolicy\n"
        "      metadata: {name: inline}\n"
        "      spec:\n"
        "        conditions: [{conditionRef: nowhere}]\n"
        "        notificationTargets: [{targetRef: nobody}]\n"
    )
    assert _found(_workspace(SERVICE, SLI, slo)) == {
        ("error", "missing-reference", "spec.alertPolicies[0].spec.conditions[0].conditionRef"),
        (
            "warning",
            "unresolved-reference",
            "spec.alertPolicies[0].spec.notificationTargets[0].targetRef",
        ),
    }


def test_missing_sli_and_policy_an_slo_needs_stay_errors() -> None:
    slo = SLO.replace("indicatorRef: avail", "indicatorRef: nothing") + (
        "  alertPolicies: [{alertPolicyRef: nothing}]\n"
    )
    assert _found(_workspace(SERVICE, slo)) == {
        ("error", "missing-reference", "spec.indicatorRef"),
        ("error", "missing-reference", "spec.alertPolicies[0].alertPolicyRef"),
    }


DOCS = {
    "Service": SERVICE,
    "SLI": SLI,
    "SLO": SLO,
    "AlertPolicy": POLICY.replace("fast-burn", "x").replace("on-call", "y"),
    "AlertCondition": CONDITION,
    "DataSource": "apiVersion: openslo/v1\nkind: DataSource\nmetadata:\n  name: prom\n"
    "spec:\n  type: Prometheus\n  connectionDetails: {url: 'http://p'}\n",
    "AlertNotificationTarget": "apiVersion: openslo/v1\nkind: AlertNotificationTarget\n"
    "metadata:\n  name: on-call\nspec:\n  target: pagerduty\n",
}


@pytest.mark.parametrize(
    ("kind", "severity"),
    [
        ("Service", "warning"),
        ("DataSource", "warning"),
        ("AlertNotificationTarget", "warning"),
        ("SLO", "error"),
        ("SLI", "error"),
        ("AlertPolicy", "error"),
        ("AlertCondition", "error"),
    ],
)
def test_duplicate_name_severity_per_kind(kind: str, severity: str) -> None:
    others = [text for name, text in DOCS.items() if name not in {kind, "AlertPolicy"}]
    workspace, problems = load_text(_workspace(*others, DOCS[kind], DOCS[kind]))
    duplicates = [(p.severity, p.code) for p in problems if p.code == "duplicate-name"]
    assert duplicates == [(severity, "duplicate-name")]
    assert (workspace is not None) == (severity == "warning")


@pytest.mark.parametrize(
    ("kind", "old", "new"),
    [
        ("DataSource", "http://p", "http://q"),  # the same name on another server
        ("AlertNotificationTarget", "pagerduty", "slack"),  # pages sent elsewhere
    ],
)
def test_a_duplicate_that_says_something_else_is_an_error_not_a_first_one_wins(
    kind: str, old: str, new: str
) -> None:
    """The OpenSLO validator only warns of a second DataSource or target of one name; when the
    two differ, a reference to the name could mean either (an SLI read from another server), so
    Covenant refuses it and names both."""
    others = [text for name, text in DOCS.items() if name not in {kind, "AlertPolicy"}]
    changed = DOCS[kind].replace(old, new)
    assert changed != DOCS[kind]
    workspace, problems = load_text(_workspace(*others, DOCS[kind], changed))
    (duplicate,) = [p for p in problems if p.code == "duplicate-name"]
    assert duplicate.severity == "error"
    assert "defined twice, differently" in duplicate.message
    assert workspace is None


PROMETHEUS = """\
apiVersion: openslo/v1
kind: DataSource
metadata:
  name: prometheus
spec:
  type: Prometheus
  connectionDetails: {url: "http://127.0.0.1:9090"}
"""


@pytest.mark.parametrize(
    ("ref", "fix"),
    [
        (
            "promethues",
            "did you mean 'prometheus'? As written, Covenant reads this SLI from ingested "
            "events, not from a DataSource",
        ),
        (
            "datadog",
            "add the DataSource if other tools need it; Covenant reads this SLI from ingested "
            "events",
        ),
    ],
)
def test_a_metric_source_ref_that_names_no_data_source_asks_about_a_close_one(
    ref: str, fix: str
) -> None:
    sli = SLI.replace(
        "good: {metricSource: {type: events, spec: {}}}",
        "good: {metricSource: {metricSourceRef: REF, spec: {query: 'up'}}}",
    ).replace("REF", ref)
    _, problems = load_text(_workspace(SERVICE, PROMETHEUS, sli, SLO))
    (found,) = [p for p in problems if p.code == "unresolved-reference"]
    assert (found.severity, found.field, found.fix) == (
        "warning",
        "spec.ratioMetric.good.metricSource.metricSourceRef",
        fix,
    )
    assert found.message == f"no DataSource named {ref!r} in the workspace"
