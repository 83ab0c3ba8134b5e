"""No two of Covenant's alerting rules have one alert name and one set of static labels.

A Sloth ``PrometheusServiceLevel`` whose SLOs share ``alerting.name`` (one name per team or
service is common) imported and rendered with ``covenant rules prometheus`` made ``promtool
check rules`` print "lint error 4 duplicate rule(s) found" (exit 0): each SLO's tier alerts had
the same name and the same static labels (severity, sloth_severity, covenant_tier), the SLO
told apart only by the series its expression selects. Within one SLO's group the tier's name
(``covenant_tier``, never replaced by a routing label) always told them apart; across groups
nothing static did. Each alert now carries its SLO's ``sloth_id``, ``sloth_service`` and
``sloth_slo`` as static labels — the values its expression's series carry already, so a firing
alert's labels are unchanged (the generated promtool unit tests, which expect a firing
alert's labels exactly, pass as before: tests/services/test_prom_rule_tests.py and others).
"""

from __future__ import annotations

import subprocess
from collections import Counter
from pathlib import Path

import yaml
from typer.testing import CliRunner

from covenant.cli.main import app

runner = CliRunner()

SLOTH = """\
apiVersion: sloth.slok.dev/v1
kind: PrometheusServiceLevel
metadata: {name: shop}
spec:
  service: shop
  slos:
    - name: requests-availability
      objective: 99.9
      sli:
        events:
          errorQuery: sum(rate(http_requests_total{code=~"5.."}[{{.window}}]))
          totalQuery: sum(rate(http_requests_total[{{.window}}]))
      alerting:
        name: ShopHighErrorRate
        pageAlert: {labels: {severity: critical}}
        ticketAlert: {labels: {severity: warning}}
    - name: checkout-availability
      objective: 99
      sli:
        events:
          errorQuery: sum(rate(checkout_total{code=~"5.."}[{{.window}}]))
          totalQuery: sum(rate(checkout_total[{{.window}}]))
      alerting:
        name: ShopHighErrorRate
        pageAlert: {labels: {severity: critical}}
        ticketAlert: {labels: {severity: warning}}
"""


def _rules(tmp_path: Path) -> Path:
    """The rules ``covenant rules prometheus`` writes for the imported file."""
    source = tmp_path / "sloth.yml"
    source.write_text(SLOTH, encoding="utf-8")
    ws = tmp_path / "ws"
    done = runner.invoke(app, ["import", "sloth", str(source), "--into", str(ws)])
    assert done.exit_code == 0, done.output
    rules = tmp_path / "rules.yml"
    made = runner.invoke(app, ["rules", "prometheus", "-w", str(ws), "--out", str(rules)])
    assert made.exit_code == 0, made.output
    return rules


def test_two_slos_of_one_alert_name_make_no_duplicate_rules(tmp_path: Path) -> None:
    groups = yaml.safe_load(_rules(tmp_path).read_text(encoding="utf-8"))["groups"]
    alerts = [
        (rule["alert"], tuple(sorted(rule["labels"].items())))
        for group in groups
        for rule in group["rules"]
        if "alert" in rule
    ]
    assert len(alerts) == 8  # 2 SLOs × 4 tiers, all named so
    assert {name for name, _ in alerts} == {"ShopHighErrorRate"}
    assert [a for a, n in Counter(alerts).items() if n > 1] == []
    by_slo = Counter(dict(labels)["sloth_slo"] for _, labels in alerts)
    assert by_slo == {"requests-availability": 4, "checkout-availability": 4}


def test_promtool_finds_no_duplicate_rule(tmp_path: Path, promtool: str) -> None:
    rules = _rules(tmp_path)
    checked = subprocess.run(
        [promtool, "check", "rules", str(rules)], capture_output=True, text=True, check=False
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "duplicate" not in checked.stdout + checked.stderr
    assert "SUCCESS" in checked.stdout
