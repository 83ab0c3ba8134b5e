"""OpenSLO ``alertAfter``: a burn-rate alert is pending while its condition has held for less
than that, then fires (the worker, the replay, and the generated Prometheus rule's ``for:``,
which promtool checks against the replay's expectations)."""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
from sqlalchemy.engine import Engine

from covenant.core.notices import AlertNotice
from covenant.core.timeutil import to_epoch
from covenant.definitions.workspace import Workspace, analyse_text, load_workspace
from covenant.services.prom_rules import plan_rules
from covenant.services.prom_tests import write_rule_tests
from covenant.services.store import open_store
from covenant.services.worker import Worker
from covenant.store.buckets import add_counts, ensure_series
from covenant.store.db import write_transaction

ROOT = Path(__file__).resolve().parents[2]
T0 = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
KEY = "burn-rate/checkout-availability/fast-burn"
POLICY = """\
apiVersion: openslo/v1
kind: AlertCondition
metadata: {name: fast-burn}
spec:
  severity: page
  condition: {kind: burnrate, op: gte, threshold: 14.4, lookbackWindow: 1h, alertAfter: 5m}
---
apiVersion: openslo/v1
kind: AlertPolicy
metadata: {name: paging}
spec:
  conditions: [{conditionRef: fast-burn}]
  notificationTargets: [{targetRef: oncall}]
"""
WORKSPACE = f"""\
apiVersion: openslo/v1
kind: Service
metadata: {{name: shop}}
---
{POLICY}---
apiVersion: covenant/v1
kind: SLO
metadata: {{name: checkout-availability}}
spec:
  service: shop
  indicator:
    metadata: {{name: checkout}}
    spec:
      ratioMetric:
        counter: true
        good: {{metricSource: {{type: events, spec: {{}}}}}}
        total: {{metricSource: {{type: events, spec: {{}}}}}}
  timeWindow: [{{duration: 30d, isRolling: true}}]
  budgetingMethod: Occurrences
  objectives: [{{target: 0.999}}]
  alertPolicies: [{{alertPolicyRef: paging}}]
"""


def put(engine: Engine, start: datetime, minutes: int, *, bad: int) -> None:
    s = to_epoch(start)
    with write_transaction(engine) as conn:
        sid = ensure_series(conn, keys=["checkout"], step=60)["checkout"]
        add_counts(
            conn,
            series_ids=np.full(minutes, sid),
            bucket_starts=s + 60 * np.arange(minutes),
            good=np.full(minutes, 100 - bad),
            total=np.full(minutes, 100),
            step=60,
        )


def setup(tmp_path: Path) -> tuple[Engine, Workspace, Worker, list[AlertNotice]]:
    workspace, problems = analyse_text(WORKSPACE)
    assert workspace is not None, problems
    (tier,) = workspace.objectives[0].alert_tiers
    assert (tier.name, tier.for_s) == ("fast-burn", 300)
    engine = open_store(f"sqlite:///{tmp_path / 'store.db'}")
    inbox: list[AlertNotice] = []
    put(engine, T0 - timedelta(hours=3), 170, bad=0)
    return engine, workspace, Worker(engine, notify=inbox.extend), inbox


def phases(worker: Worker) -> dict[str, str]:
    assert worker.latest is not None
    return {r.key: r.phase.value for r in worker.latest.alerts}


def test_the_alert_fires_once_its_condition_held_for_alert_after(tmp_path: Path) -> None:
    engine, workspace, worker, inbox = setup(tmp_path)
    put(engine, T0 - timedelta(minutes=10), 16, bad=50)  # half fails until T0 + 6 min
    for minute in range(5):  # the condition holds from T0; pending for 4 minutes
        worker.tick(workspace, T0 + timedelta(minutes=minute))
        assert phases(worker) == {KEY: "pending"}
        assert inbox == []
    worker.tick(workspace, T0 + timedelta(minutes=5))  # held 5 minutes: it fires
    assert phases(worker) == {KEY: "firing"}
    (notice,) = inbox
    assert (notice.key, notice.state.value) == (KEY, "firing")
    assert notice.starts_at == T0 + timedelta(minutes=5)
    put(engine, T0 + timedelta(minutes=6), 6, bad=0)
    worker.tick(workspace, T0 + timedelta(minutes=11))  # the last 5 minutes are clean
    assert [(n.key, n.state.value) for n in inbox] == [(KEY, "firing"), (KEY, "resolved")]
    engine.dispose()


def test_a_condition_shorter_than_alert_after_never_fires(tmp_path: Path) -> None:
    engine, workspace, worker, inbox = setup(tmp_path)
    put(engine, T0 - timedelta(minutes=10), 10, bad=50)  # bad until T0, clean after
    put(engine, T0, 10, bad=0)
    for minute in range(5):  # the 5-minute window still holds a bad minute until T0 + 5 min
        worker.tick(workspace, T0 + timedelta(minutes=minute))
        assert phases(worker) == {KEY: "pending"}
    worker.tick(workspace, T0 + timedelta(minutes=5))
    assert phases(worker) == {}  # dropped: it never fired
    assert inbox == []
    engine.dispose()


def _promtool(promtool: str, path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [promtool, "test", "rules", path.name],
        capture_output=True,
        text=True,
        check=False,
        cwd=path.parent,
        timeout=1800,
    )


def test_generated_rules_wait_alert_after_as_the_replay_does(promtool: str, tmp_path: Path) -> None:
    """promtool runs the rule (with ``for: 5m``) on the replay's data and expects the alerts
    the replay says fire; the same expectations without the pending period fail."""
    ws = tmp_path / "ws"
    shutil.copytree(ROOT / "examples" / "prometheus", ws)
    slos = ws / "slos.yaml"
    text = slos.read_text()
    marker = "      target: 0.999\n---\napiVersion: openslo/v1\nkind: SLO\n"
    assert text.count(marker) == 1
    slos.write_text(
        text.replace(
            marker, marker.replace("---", "  alertPolicies: [{alertPolicyRef: paging}]\n---")
        )
        + "---\n"
        + POLICY
    )
    workspace = load_workspace(ws)
    waiting = plan_rules(workspace, slos=["api-availability"])
    (target,) = waiting.targets
    assert [(t.name, t.for_s) for t in target.objective.alert_tiers] == [("fast-burn", 300)]
    path = tmp_path / "waiting" / "slo-tests.yml"
    path.parent.mkdir()
    write_rule_tests(waiting, path)
    rules = path.with_name("slo-tests.rules.yml")
    assert "for: 5m" in rules.read_text()
    done = _promtool(promtool, path)
    assert done.returncode == 0, done.stdout[-5000:] + done.stderr[-2000:]
    assert "SUCCESS" in done.stdout

    at_once = replace(
        workspace,
        objectives=tuple(
            replace(o, alert_tiers=tuple(replace(t, for_s=0) for t in o.alert_tiers))
            for o in workspace.objectives
        ),
    )
    other = tmp_path / "at-once" / "slo-tests.yml"
    other.parent.mkdir()
    write_rule_tests(plan_rules(at_once, slos=["api-availability"]), other)
    shutil.copy(rules, other.with_name("slo-tests.rules.yml"))  # the rule that waits
    done = _promtool(promtool, other)
    assert done.returncode != 0
    assert "FAILED" in done.stdout + done.stderr
