"""A definition's text reaches a generated alert as written: Prometheus expands an alerting
rule's label and annotation values as Go templates (recording rules' labels it does not), so
``{{`` or ``}}`` in an SLO's display name or labels must be quoted in the rule file, while a
Sloth file's ``alerting`` annotations, templates by design, are kept as templates."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import yaml

from covenant.definitions.workspace import load_workspace
from covenant.services.prom_rules import plan_rules
from covenant.services.prom_tests import write_rule_tests

OWNER = "team {{ $labels.x }}"  # a template action: Prometheus would render "team "
NAME = "Checkout }} of {{ $value"  # unbalanced: the template does not even parse
RUNBOOK = "https://runbooks.example/{{ $labels.sloth_slo }}"  # meant as a template
SLO = f"""\
apiVersion: openslo/v1
kind: SLO
metadata:
  name: checkout
  labels: {{owner: {json.dumps(OWNER)}}}
  annotations:
    sloth.slok.dev/alerting: {json.dumps(json.dumps({"annotations": {"runbook": RUNBOOK}}))}
spec:
  service: shop
  indicator:
    metadata: {{name: checkout}}
    spec:
      ratioMetric:
        counter: true
        good: {{metricSource: {{type: Prometheus, spec: {{query: good}}}}}}
        total: {{metricSource: {{type: Prometheus, spec: {{query: total}}}}}}
  timeWindow: [{{duration: 28d, isRolling: true}}]
  budgetingMethod: Occurrences
  objectives: [{{target: 0.999, displayName: {json.dumps(NAME)}}}]
"""


def _promtool(promtool: str, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [promtool, *args], capture_output=True, text=True, check=False, cwd=cwd, timeout=1800
    )


def test_fired_alerts_carry_the_definitions_text_as_written(promtool: str, tmp_path: Path) -> None:
    (tmp_path / "ws").mkdir()
    (tmp_path / "ws" / "slo.yaml").write_text(SLO, encoding="utf-8")
    plan = plan_rules(load_workspace(tmp_path / "ws"))
    write_rule_tests(plan, tmp_path / "t.yml")
    rules = tmp_path / "t.rules.yml"
    checked = _promtool(promtool, "check", "rules", rules.name, cwd=tmp_path)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    doc = yaml.safe_load((tmp_path / "t.yml").read_text(encoding="utf-8"))
    fired = [a for g in doc["tests"] for c in g["alert_rule_test"] for a in c["exp_alerts"]]
    assert len(fired) > 0
    for alert in fired:  # what the alert must carry: the definition's text, character for
        assert alert["exp_labels"]["owner"] == OWNER  # character
        assert alert["exp_annotations"]["summary"].startswith(f"{NAME}: the error budget")
        assert alert["exp_annotations"]["runbook"] == RUNBOOK
        # the template is Prometheus's to render: its expected value is the rendered one
        alert["exp_annotations"]["runbook"] = "https://runbooks.example/checkout"
    (tmp_path / "t.yml").write_text(yaml.safe_dump(doc), encoding="utf-8")
    done = _promtool(promtool, "test", "rules", "t.yml", cwd=tmp_path)
    assert done.returncode == 0, done.stdout[-5000:] + done.stderr[-2000:]
    assert "SUCCESS" in done.stdout


NAMES = [
    "Checkout {}}",
    "{{{ x",
    "x }}}",
    "a {{}} b",
    'Checkout {"ok":{}}',
    "{{$labels.x}}",
    "{ } {",
]


def test_a_run_of_braces_is_quoted_whole(promtool: str, tmp_path: Path) -> None:
    """``{}}`` quoted as ``{`` and ``{{ "}}" }}`` left ``{{{ "}}" }}``, an action that does not
    parse (promtool: unexpected "{" in command): a run of braces is quoted as one. One SLO per
    display name, all in one rule file, so promtool runs once per release."""
    (tmp_path / "ws").mkdir()
    for n, name in enumerate(NAMES):
        slo = SLO.replace(json.dumps(NAME), json.dumps(name)).replace(
            "name: checkout\n", f"name: checkout{n}\n", 1
        )
        (tmp_path / "ws" / f"slo{n}.yaml").write_text(slo, encoding="utf-8")
    write_rule_tests(plan_rules(load_workspace(tmp_path / "ws")), tmp_path / "t.yml")
    checked = _promtool(promtool, "check", "rules", "t.rules.yml", cwd=tmp_path)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    doc = yaml.safe_load((tmp_path / "t.yml").read_text(encoding="utf-8"))
    fired = [a for g in doc["tests"] for c in g["alert_rule_test"] for a in c["exp_alerts"]]
    seen = set()
    for alert in fired:
        slo = alert["exp_labels"]["sloth_slo"]
        name = NAMES[int(slo.removeprefix("checkout"))]
        seen.add(name)
        assert alert["exp_annotations"]["summary"].startswith(f"{name}: the error budget")
        alert["exp_annotations"]["runbook"] = f"https://runbooks.example/{slo}"
    assert seen == set(NAMES)
    (tmp_path / "t.yml").write_text(yaml.safe_dump(doc), encoding="utf-8")
    done = _promtool(promtool, "test", "rules", "t.yml", cwd=tmp_path)
    assert done.returncode == 0, done.stdout[-5000:] + done.stderr[-2000:]
    assert "SUCCESS" in done.stdout
