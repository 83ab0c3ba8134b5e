"""OpenSLO AlertPolicy switches in the generated Prometheus rules (docs/prometheus-rules.md,
"Alert policy switches"): ``alertWhenNoData: true`` adds the tier's no-data alert,
``alertWhenBreaching: false`` removes its burn-rate alert, ``alertWhenResolved: false`` marks
both with an annotation for Alertmanager; promtool runs the generated tests of each switch."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import yaml

from covenant.core.alert_rules import TierSwitches
from covenant.definitions.workspace import Workspace, analyse_text
from covenant.render.prom_rules import rule_groups
from covenant.services.prom_rules import plan_rules
from covenant.services.prom_tests import write_rule_tests

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = (ROOT / "examples" / "prometheus" / "slos.yaml").read_text(encoding="utf-8")
POLICIES = """\
apiVersion: openslo/v1
kind: AlertCondition
metadata: {name: fast-burn}
spec:
  severity: page
  condition: {kind: burnrate, op: gte, threshold: 14.4, lookbackWindow: 1h, alertAfter: 5m}
---
apiVersion: openslo/v1
kind: AlertCondition
metadata: {name: slow-burn}
spec:
  severity: ticket
  condition: {kind: burnrate, op: gte, threshold: 6, lookbackWindow: 6h}
---
apiVersion: openslo/v1
kind: AlertNotificationTarget
metadata: {name: oncall}
spec: {target: alertmanager}
---
apiVersion: openslo/v1
kind: AlertPolicy
metadata: {name: watch}
spec:
  alertWhenNoData: true
  alertWhenBreaching: false
  alertWhenResolved: false
  conditions: [{conditionRef: fast-burn}]
  notificationTargets: [{targetRef: oncall}]
---
apiVersion: openslo/v1
kind: AlertPolicy
metadata: {name: tickets}
spec:
  alertWhenResolved: false
  conditions: [{conditionRef: slow-burn}]
  notificationTargets: [{targetRef: oncall}]
---
apiVersion: openslo/v1
kind: SLO
metadata: {name: api-watched}
spec:
  service: api
  indicatorRef: api-requests
  timeWindow: [{duration: 30d, isRolling: true}]
  budgetingMethod: Occurrences
  objectives: [{target: 0.999}]
  alertPolicies: [{alertPolicyRef: watch}, {alertPolicyRef: tickets}]
"""


def _workspace() -> Workspace:
    workspace, problems = analyse_text(EXAMPLE + "---\n" + POLICIES)
    assert workspace is not None, problems
    return workspace


def _alerts(rules: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [r for g in rules for r in g["rules"] if "alert" in r]


def test_the_switches_of_each_tier() -> None:
    (target,) = plan_rules(_workspace(), slos=["api-watched"]).targets
    assert dict(target.switches) == {
        "fast-burn": TierSwitches(breaching=False, no_data=True, resolved=False),
        "slow-burn": TierSwitches(breaching=True, no_data=False, resolved=False),
    }
    (other,) = plan_rules(_workspace(), slos=["api-availability"]).targets
    assert set(other.switches.values()) == {TierSwitches()}  # no policy: defaults


def test_rules_follow_the_switches() -> None:
    (target,) = plan_rules(_workspace(), slos=["api-watched"]).targets
    alerts = _alerts(rule_groups([target]))
    got = [(a["alert"], a["labels"]["covenant_tier"], a.get("for")) for a in alerts]
    # no burn-rate alert for fast-burn (alertWhenBreaching: false); its no-data alert waits
    # the condition's alertAfter, as the worker's does; slow-burn has no no-data alert
    assert got == [
        ("ApiWatchedBurnRate", "slow-burn", None),
        ("ApiWatchedNoData", "fast-burn", "5m"),
    ]
    for alert in alerts:
        assert alert["annotations"]["covenant_send_resolved"] == "false"
    no_data = alerts[1]["expr"]
    assert "covenant:sli_total:count5m" in no_data
    assert "covenant:sli_total:count1h" in no_data
    assert no_data.count("absent(") == 2
    (plain,) = plan_rules(_workspace(), slos=["api-availability"]).targets
    plain_alerts = _alerts(rule_groups([plain]))
    assert {a["alert"] for a in plain_alerts} == {"ApiAvailabilityBurnRate"}
    assert not any("covenant_send_resolved" in a["annotations"] for a in plain_alerts)


def test_generated_tests_of_the_switches_pass_promtool(promtool: str, tmp_path: Path) -> None:
    """The no-data alert fires and resolves (zero traffic, then no series at all) where the
    engine has no burn rate for the tier, after alertAfter; the burn-rate alert of fast-burn
    is checked absent where the engine would fire it."""
    plan = plan_rules(_workspace(), slos=["api-watched"])
    path = tmp_path / "slo-tests.yml"
    lines = write_rule_tests(plan, path)
    assert "no burn-rate alert (alertWhenBreaching: false): fast-burn" in lines[1], lines
    assert "no-data alerts fired: fast-burn" in lines[1], lines
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    (group,) = doc["tests"]
    checks = [c for c in group["alert_rule_test"] if c["alertname"] == "ApiWatchedNoData"]
    states = [bool(c["exp_alerts"]) for c in checks]
    assert states.count(True) >= 2  # fires and resolves (twice)
    assert states.count(False) >= 2
    assert any("_x" in s["values"] for s in group["input_series"])  # minutes without a sample
    done = subprocess.run(
        [promtool, "test", "rules", path.name],
        capture_output=True,
        text=True,
        check=False,
        cwd=tmp_path,
        timeout=1800,
    )
    assert done.returncode == 0, done.stdout[-5000:] + done.stderr[-2000:]
    assert "SUCCESS" in done.stdout


INLINE = """\
apiVersion: openslo/v1
kind: SLO
metadata: {name: api-inline}
spec:
  service: api
  indicatorRef: api-requests
  timeWindow: [{duration: 30d, isRolling: true}]
  budgetingMethod: Occurrences
  objectives: [{target: 0.999}]
  alertPolicies:
    - kind: AlertPolicy
      metadata: {name: inline-watch}
      spec:
        alertWhenNoData: true
        conditions:
          - kind: AlertCondition
            metadata: {name: inline-fast}
            spec:
              severity: page
              condition: {kind: burnrate, op: gte, threshold: 14.4, lookbackWindow: 1h}
        notificationTargets: [{targetRef: oncall}]
"""


def test_inline_policies_and_conditions_count_too() -> None:
    workspace, problems = analyse_text(EXAMPLE + "---\n" + POLICIES + "---\n" + INLINE)
    assert workspace is not None, problems
    (target,) = plan_rules(workspace, slos=["api-inline"]).targets
    assert dict(target.switches) == {"inline-fast": TierSwitches(no_data=True)}


def test_the_command_says_what_alertwhenresolved_cannot_do(tmp_path: Path) -> None:
    from typer.testing import CliRunner  # noqa: PLC0415

    from covenant.cli.main import app  # noqa: PLC0415

    (tmp_path / "slos.yaml").write_text(EXAMPLE + "---\n" + POLICIES, encoding="utf-8")
    out = tmp_path / "rules.yml"
    args = ["rules", "prometheus", "-w", str(tmp_path), "--slo", "api-watched", "-o", str(out)]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "alertWhenResolved: false (fast-burn, slow-burn) has no Prometheus form" in " ".join(
        result.output.split()
    )
    assert "ApiWatchedNoData" in out.read_text(encoding="utf-8")
    said = " ".join(result.stderr.split())
    assert f"wrote {out}" in said  # the file written is named
    # its 30-day window sums recordings the server must keep longer than Prometheus's 15d
    assert (
        "note: the longest window (30d) sums recordings over that span: the server must keep "
        "them that long (Prometheus keeps 15d unless --storage.tsdb.retention.time=30d or more "
        "is set)"
    ) in said
