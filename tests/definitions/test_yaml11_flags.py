"""An OpenSLO flag written as a YAML 1.1 boolean (``isRolling: yes``) is read as the OpenSLO
reference reads it.

oslo decodes through Go's YAML libraries, which read the 1.1 spellings ``y``, ``yes``,
``on`` (and ``n``, ``no``, ``off``), each in lower case, capitalised or upper case, as a
boolean when the field is one (gopkg.in/yaml.v3, decode.go; sigs.k8s.io/yaml's yaml.v2
resolver does too). Covenant refused them: an OpenSLO file oslo validates was an error here.
They are now read as that boolean by every reader of the file — the models, the plain
reader of ``evaluate``, the export and the worker's alert switches — so the file means one
thing. Other spellings (``yEs``, ``t``, a quoted ``"true"``) stay errors
(test_validation), and covenant/v1 documents, which no Go tool reads, stay YAML 1.2.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from covenant.core.model import CalendarUnit, CalendarWindow, RollingWindow
from covenant.definitions.alert_switches import alert_switches
from covenant.definitions.export import export_openslo
from covenant.definitions.plain import plain_objectives
from covenant.definitions.workspace import analyse_text

TRUE = ["y", "Y", "yes", "Yes", "YES", "on", "On", "ON"]
FALSE = ["n", "N", "no", "No", "NO", "off", "Off", "OFF"]

WORKSPACE = """\
apiVersion: openslo/v1
kind: Service
metadata: {{name: web}}
spec: {{}}
---
apiVersion: openslo/v1
kind: SLI
metadata: {{name: avail}}
spec:
  ratioMetric:
    counter: {counter}
    good: {{metricSource: {{type: events, spec: {{}}}}}}
    total: {{metricSource: {{type: events, spec: {{}}}}}}
---
apiVersion: openslo/v1
kind: SLO
metadata: {{name: web-slo}}
spec:
  service: web
  indicatorRef: avail
  budgetingMethod: Occurrences
  timeWindow:
    - duration: {duration}
      isRolling: {rolling}
{calendar}  objectives:
    - target: 0.99
"""
CALENDAR = "      calendar: {startTime: '2026-01-01 00:00:00', timeZone: UTC}\n"


def _text(counter: str, rolling: str, *, calendar: bool) -> str:
    return WORKSPACE.format(
        counter=counter,
        rolling=rolling,
        duration="1M" if calendar else "28d",
        calendar=CALENDAR if calendar else "",
    )


@pytest.mark.parametrize("word", TRUE)
def test_a_true_spelling_is_true(word: str, tmp_path: Path) -> None:
    workspace, problems = analyse_text(_text(word, word, calendar=False), file="ws.yaml")
    assert [p for p in problems if p.severity == "error"] == []
    assert workspace is not None
    (objective,) = workspace.objectives
    assert objective.window == RollingWindow(seconds=28 * 86400)
    # the export writes the boolean: a rolling window, no calendar made up for it
    exported = export_openslo(workspace.documents)
    assert "isRolling: true" in exported
    assert "calendar" not in exported
    assert "counter: true" in exported
    # evaluate's plain reader reads the folder, and builds what the full load builds
    (tmp_path / "ws.yaml").write_text(_text(word, word, calendar=False), encoding="utf-8")
    plain = plain_objectives(tmp_path)
    assert plain is not None
    assert plain == workspace.objectives


@pytest.mark.parametrize("word", FALSE)
def test_a_false_spelling_is_false(word: str, tmp_path: Path) -> None:
    text = _text(word, word, calendar=True)
    workspace, problems = analyse_text(text, file="ws.yaml")
    assert [p for p in problems if p.severity == "error"] == []
    assert workspace is not None
    (objective,) = workspace.objectives
    assert isinstance(objective.window, CalendarWindow)
    assert objective.window.unit is CalendarUnit.MONTH
    exported = export_openslo(workspace.documents)
    assert "isRolling: false" in exported
    assert "counter: false" in exported
    (tmp_path / "ws.yaml").write_text(text, encoding="utf-8")
    plain = plain_objectives(tmp_path)
    assert plain is not None
    assert plain == workspace.objectives


POLICY = """\
apiVersion: openslo/v1
kind: AlertPolicy
metadata: {{name: page}}
spec:
  alertWhenNoData: {no_data}
  alertWhenResolved: {resolved}
  alertWhenBreaching: {breaching}
  conditions:
    - kind: AlertCondition
      metadata: {{name: burn}}
      spec:
        severity: page
        condition: {{kind: burnrate, op: gte, threshold: 14.4, lookbackWindow: 1h}}
  notificationTargets:
    - kind: AlertNotificationTarget
      metadata: {{name: pager}}
      spec: {{target: pagerduty}}
"""


def test_the_alert_switches_read_the_spelling_as_the_model_does() -> None:
    """The worker reads the policy's switches from the file's values: ``alertWhenNoData: yes``
    is a no-data alert, ``alertWhenResolved: off`` none when the alert resolves."""
    slo = _text("true", "true", calendar=False).replace(
        "  objectives:", "  alertPolicies: [{alertPolicyRef: page}]\n  objectives:"
    )
    policy = POLICY.format(no_data="Yes", resolved="off", breaching="ON")
    workspace, problems = analyse_text(slo + "---\n" + policy, file="ws.yaml")
    assert [p for p in problems if p.severity == "error"] == []
    assert workspace is not None
    switches = alert_switches(workspace.documents).of("web-slo", "page")
    assert (switches.no_data, switches.resolved, switches.breaching) == (True, False, True)


def test_a_covenant_v1_flag_stays_yaml_1_2() -> None:
    text = _text("true", "yes", calendar=False).replace(
        "apiVersion: openslo/v1\nkind: SLO", "apiVersion: covenant/v1\nkind: SLO"
    )
    _, problems = analyse_text(text, file="ws.yaml")
    assert [(p.code, p.where, p.field) for p in problems if p.severity == "error"] == [
        ("invalid-type", "ws.yaml:24", "spec.timeWindow[0].isRolling")
    ]
