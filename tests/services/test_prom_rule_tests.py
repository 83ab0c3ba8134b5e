"""`covenant rules prometheus --tests`: promtool unit tests whose expected alerts and window
counts come from the engine's replay of the same counts, and which promtool passes."""

from __future__ import annotations

import itertools
import subprocess
from pathlib import Path

import yaml

from covenant.definitions.workspace import load_workspace
from covenant.render.prom_tests import packed
from covenant.services.prom_rules import plan_rules
from covenant.services.prom_tests import target_test, write_rule_tests

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "prometheus"


def _promtool_test(promtool: str, path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [promtool, "test", "rules", path.name],
        capture_output=True,
        text=True,
        check=False,
        cwd=path.parent,
        timeout=1800,
    )


def test_generated_unit_tests_pass_promtool(promtool: str, tmp_path: Path) -> None:
    """Rolling 30 days and the calendar month: every tier fires and resolves, at the engine's
    instants, and the window counts at each firing are the engine's."""
    plan = plan_rules(
        load_workspace(EXAMPLE), slos=["api-availability", "api-availability-monthly"]
    )
    lines = write_rule_tests(plan, tmp_path / "slo-tests.yml")
    assert (tmp_path / "slo-tests.rules.yml").is_file()
    assert "tiers fired: page-fast, page-slow, ticket-fast, ticket-slow" in lines[1]
    doc = yaml.safe_load((tmp_path / "slo-tests.yml").read_text(encoding="utf-8"))
    (group,) = doc["tests"]  # two alert names: one group, evaluated once for both
    assert {c["alertname"] for c in group["alert_rule_test"]} == {
        "ApiAvailabilityBurnRate",
        "ApiAvailabilityMonthlyBurnRate",
    }
    done = _promtool_test(promtool, tmp_path / "slo-tests.yml")
    assert done.returncode == 0, done.stdout[-5000:] + done.stderr[-2000:]
    assert "SUCCESS" in done.stdout


def test_objectives_that_share_an_alert_name_or_a_series_get_groups_apart() -> None:
    """promtool compares a check with every alert of its name in the group: two objectives
    with one alert name (or the same input series) cannot share a group; the others pack into
    the first group with room, in order."""
    plan = plan_rules(
        load_workspace(EXAMPLE), slos=["api-availability", "api-availability-monthly"]
    )
    a, b = (target_test(t) for t in plan.targets)
    assert [[t.target.sloth_id for t in g] for g in packed([a, b, a, a, b])] == [
        ["api-api-availability", "api-api-availability-monthly"],
        ["api-api-availability", "api-api-availability-monthly"],
        ["api-api-availability"],
    ]


def test_every_tier_has_a_fire_and_a_resolve_check() -> None:
    (target,) = plan_rules(load_workspace(EXAMPLE), slos=["api-availability"]).targets
    test = target_test(target)
    for tier in target.objective.alert_tiers:
        states = [tier in check.firing for check in test.alerts]
        assert any(states), tier.name
        # a check where it fires right after one where it does not, and the reverse
        pairs = list(itertools.pairwise(states))
        assert (False, True) in pairs, tier.name
        assert (True, False) in pairs, tier.name


def test_promtool_fails_a_wrong_expectation(promtool: str, tmp_path: Path) -> None:
    """The check can fail: the first firing expectation, emptied, is rejected by promtool."""
    plan = plan_rules(load_workspace(EXAMPLE), slos=["api-availability"])
    path = tmp_path / "slo-tests.yml"
    write_rule_tests(plan, path)
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    group = doc["tests"][0]
    first = next(c for c in group["alert_rule_test"] if c["exp_alerts"])
    group["alert_rule_test"] = [{**first, "exp_alerts": []}]
    group["promql_expr_test"] = []
    path.write_text(yaml.safe_dump(doc), encoding="utf-8")
    done = _promtool_test(promtool, path)
    assert done.returncode != 0
    assert "FAILED" in done.stdout + done.stderr
