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


QUOTED = ['"yes"', "'yes'", '"Off"', "'ON'", '"n"']


def _errors(text: str) -> list[tuple[str, str, str | None, str]]:
    _, problems = analyse_text(text, file="ws.yaml")
    return [(p.code, p.where, p.field, p.message) for p in problems if p.severity == "error"]


@pytest.mark.parametrize("written", QUOTED)
@pytest.mark.parametrize("pure", [False, True], ids=["libyaml", "pure-parser"])
def test_a_quoted_yaml11_word_is_text_not_a_boolean(
    written: str, pure: bool, tmp_path: Path
) -> None:
    """A quoted scalar is a string in every YAML version (1.1 included: only a plain ``yes``
    is a boolean there), so ``isRolling: "yes"`` is no flag: oslo refuses it too (yaml.v3
    does not decode a quoted string into a bool). It was read as true, as an unquoted yes is,
    because the reader could not tell the two apart."""
    text = _text(written, written, calendar=False)
    if pure:  # an anchor sends the file to ruamel.yaml's pure parser (yaml_pure)
        text = text.replace("metadata: {name: web}", "metadata: {name: &n web}")
    word = written.strip("'\"")
    expected = f'expected a boolean (true/false), got the string "{word}"'
    assert _errors(text) == [
        ("invalid-type", "ws.yaml:11", "spec.ratioMetric.counter", expected),
        ("invalid-type", "ws.yaml:24", "spec.timeWindow[0].isRolling", expected),
    ]
    # evaluate's plain reader declines it (the full load reports it), never reads a flag
    (tmp_path / "ws.yaml").write_text(text, encoding="utf-8")
    assert plain_objectives(tmp_path) is None


def test_a_quoted_word_elsewhere_stays_the_text_it_is() -> None:
    """Only a flag is read as a boolean: a quoted (or plain) yes in a description or a label
    is the text written."""
    text = _text("true", "yes", calendar=False).replace(
        "metadata: {name: web-slo}", "metadata: {name: web-slo, labels: {paged: 'yes'}}"
    )
    workspace, problems = analyse_text(text, file="ws.yaml")
    assert [p for p in problems if p.severity == "error"] == []
    assert workspace is not None
    (slo,) = [d for d in workspace.documents if d.kind == "SLO"]
    assert slo.raw["metadata"]["labels"] == {"paged": "yes"}


def test_the_fix_of_a_quoted_word_says_to_drop_the_quotes() -> None:
    _, problems = analyse_text(_text("true", '"yes"', calendar=False), file="ws.yaml")
    (problem,) = [p for p in problems if p.severity == "error"]
    assert problem.fix == "write true without quotes (a quoted value is text in every YAML version)"


V1ALPHA = """\
apiVersion: openslo/v1alpha
kind: SLO
metadata: {{name: web-slo}}
spec:
  service: web
  indicator:
    metadata: {{name: up}}
    thresholdMetric: {{source: prometheus, queryType: promql, query: up}}
  timeWindows:
    - unit: Day
      count: 28
      isRolling: {rolling}
  budgetingMethod: Occurrences
  objectives:
    - {{op: lte, value: 1, target: 0.99}}
"""


def test_an_openslo_v1alpha_window_keeps_quoted_and_plain_apart() -> None:
    """v1alpha's timeWindows are rewritten to v1's timeWindow: the quoted word moves with it,
    and the problem names the field as the file writes it (timeWindows)."""
    assert [c for c, *_ in _errors(V1ALPHA.format(rolling="yes"))] == []  # plain: a boolean
    assert _errors(V1ALPHA.format(rolling="'yes'")) == [
        (
            "invalid-type",
            "ws.yaml:12",
            "spec.timeWindows[0].isRolling",
            'expected a boolean (true/false), got the string "yes"',
        )
    ]
