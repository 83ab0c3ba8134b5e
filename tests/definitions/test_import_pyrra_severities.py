"""Pyrra's newer ``alerting`` settings: per-alert ``severities`` and its absent alerts.

Pyrra's slo/rules.go (pyrra-dev/pyrra ``slo/rules.go``, ``alertSeverityLabel``, added by
pyrra-dev/pyrra#1788; tests in ``slo/rules_severities_test.go@3db54e8f``; the keys as
thaum-xyz/ankhmorpork#1298 writes them) puts ``severity`` on its four burn-rate alerts from
``alerting.severities``: ``fastBurn`` on the first window (14 × for 28 days), ``mediumBurn``
on the second (7 ×), ``slowBurn`` on the third (2 ×), ``longTermBurn`` on the fourth (1 ×); a
severity not given (or empty) keeps the window's default, ``critical`` for the first two and
``warning`` for the others. ``severities.absent`` (default ``critical``) is the label of its
absent alert (``SLOMetricAbsent`` or ``alerting.absentName``), which it makes while
``alerting.absent`` is true — its default, so a file that says nothing has them too.

Covenant keeps each severity as its tier's ``severity`` label (so Alertmanager routes on it keep
matching); the absent alert has no counterpart (Covenant's no-data alert is per tier and also
fires on a window without traffic) and is reported as not carried over, written or not.
"""

from __future__ import annotations

from pathlib import Path

from covenant.definitions.workspace import analyse_text
from covenant.render.prom_rules import RuleTarget, alert_labels
from covenant.services.importing import ImportPlan
from tests.definitions.test_import_real_shapes import planned

OBJECTIVE = """\
apiVersion: pyrra.dev/v1alpha1
kind: ServiceLevelObjective
metadata:
  name: api-errors
  namespace: shop
spec:
  target: "99.5"
  window: {window}
  indicator:
    ratio:
      errors:
        metric: http_requests_total{{job="api", code=~"5.."}}
      total:
        metric: http_requests_total{{job="api"}}
{alerting}"""


def objective(alerting: str = "", window: str = "28d") -> str:
    return OBJECTIVE.format(alerting=alerting, window=window)


def severities(plan: ImportPlan) -> dict[str, str]:
    """The ``severity`` label of each tier's alert as ``covenant rules prometheus`` writes it."""
    (file,) = plan.files
    workspace, problems = analyse_text(file.text, file="api.yaml")
    assert workspace is not None, [str(p) for p in problems]
    assert [str(p) for p in problems if p.severity == "warning"] == []
    (o,) = workspace.objectives
    target = RuleTarget(objective=o, counts=())
    return {t.name: alert_labels(target, t)["severity"] for t in o.alert_tiers}


def notes(plan: ImportPlan, field: str) -> list[str]:
    (file,) = plan.files
    return [n.reason for n in file.imported.notes if n.field == field]


ALL_FOUR = """\
  alerting:
    severities:
      fastBurn: page
      mediumBurn: high
      slowBurn: medium
      longTermBurn: low
"""


def test_each_burn_rate_alert_keeps_its_severity(tmp_path: Path) -> None:
    plan = planned(tmp_path, "pyrra", {"api.yaml": objective(ALL_FOUR)})
    assert plan.problems == []
    assert severities(plan) == {
        "page-1": "page",
        "page-2": "high",
        "ticket-1": "medium",
        "ticket-2": "low",
    }
    assert notes(plan, "spec.alerting.severities") == []


def test_a_severity_not_given_keeps_pyrras_default(tmp_path: Path) -> None:
    alerting = '  alerting:\n    severities: {fastBurn: page, slowBurn: info, mediumBurn: ""}\n'
    plan = planned(tmp_path, "pyrra", {"api.yaml": objective(alerting)})
    assert plan.problems == []
    assert severities(plan) == {
        "page-1": "page",
        "page-2": "critical",  # empty: Pyrra's default
        "ticket-1": "info",
        "ticket-2": "warning",
    }


def test_without_severities_the_defaults_stay(tmp_path: Path) -> None:
    plan = planned(tmp_path, "pyrra", {"api.yaml": objective()})
    assert severities(plan) == {
        "page-1": "critical",
        "page-2": "critical",
        "ticket-1": "warning",
        "ticket-2": "warning",
    }


def test_the_absent_alert_is_reported_even_when_not_written(tmp_path: Path) -> None:
    plan = planned(tmp_path, "pyrra", {"api.yaml": objective()})
    (reason,) = [n for n in notes(plan, "spec") if "absent alert" in n]
    # the alert Pyrra makes by default, its name and severity, and why it is not carried over
    assert "absent alert SLOMetricAbsent (severity critical)" in reason
    assert "alerting.absent is true unless written false" in reason
    assert "not carried over" in reason
    assert "alertWhenNoData" in reason


def test_the_absent_alert_named_and_its_severity_are_reported(tmp_path: Path) -> None:
    alerting = "  alerting:\n    absentName: ApiMetricGone\n    severities: {absent: warning}\n"
    plan = planned(tmp_path, "pyrra", {"api.yaml": objective(alerting)})
    assert plan.problems == []
    (reason,) = [n for n in notes(plan, "spec.alerting") if "absent alert" in n]
    assert "absent alert ApiMetricGone (severity warning)" in reason
    assert notes(plan, "spec.alerting.absentName") == []
    assert notes(plan, "spec.alerting.severities.absent") == []


def test_absent_false_has_nothing_to_report(tmp_path: Path) -> None:
    alerting = "  alerting:\n    absent: false\n    severities: {absent: warning}\n"
    plan = planned(tmp_path, "pyrra", {"api.yaml": objective(alerting)})
    (file,) = plan.files
    assert not [n for n in file.imported.notes if "makes an absent alert" in n.reason]
    assert notes(plan, "spec.alerting.severities.absent") == [
        "the absent alert's severity: alerting.absent is false, so Pyrra makes no absent alert"
    ]


def test_a_severity_of_an_alert_left_out_is_reported(tmp_path: Path) -> None:
    # a 1d window: Pyrra's first windows round to 2m/0m, and that tier is left out
    alerting = "  alerting:\n    severities: {fastBurn: page, mediumBurn: high}\n"
    plan = planned(tmp_path, "pyrra", {"api.yaml": objective(alerting, window="1d")})
    assert plan.problems == []
    assert severities(plan) == {"page-2": "high", "ticket-1": "warning", "ticket-2": "warning"}
    (reason,) = notes(plan, "spec.alerting.severities.fastBurn")
    assert reason.startswith("page: the severity of page-1, which is left out")


def test_an_unknown_or_wrong_severity_is_reported(tmp_path: Path) -> None:
    alerting = "  alerting:\n    severities: {fastburn: page, slowBurn: 2, mediumBurn: [a]}\n"
    plan = planned(tmp_path, "pyrra", {"api.yaml": objective(alerting)})
    assert plan.problems == []
    (unknown,) = notes(plan, "spec.alerting.severities.fastburn")
    assert unknown.endswith("did you mean 'fastBurn'?")
    (number,) = notes(plan, "spec.alerting.severities.slowBurn")
    assert number.startswith("2 is not text (Kubernetes refuses the object)")
    (listed,) = notes(plan, "spec.alerting.severities.mediumBurn")
    assert listed.startswith("['a'] is not text")
    assert severities(plan) == {
        "page-1": "critical",
        "page-2": "critical",
        "ticket-1": "warning",
        "ticket-2": "warning",
    }


def test_severities_that_are_no_mapping_are_reported(tmp_path: Path) -> None:
    plan = planned(
        tmp_path, "pyrra", {"api.yaml": objective("  alerting:\n    severities: page\n")}
    )
    assert plan.problems == []
    (reason,) = notes(plan, "spec.alerting.severities")
    assert reason.startswith("'page' is not a mapping of fastBurn, mediumBurn")
