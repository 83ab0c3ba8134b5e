"""The generated rule files load in vmalert, VictoriaMetrics's rule evaluator: every example
workspace's, the imported example files', and those of every Sloth, Pyrra and slo-generator file
of the shared corpus that imports with Prometheus SLOs (``vmalert -dryRun`` parses each
expression as MetricsQL and each annotation and label template as vmalert does)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from covenant.core.model import CalendarWindow
from covenant.render.prom_rule_file import rules_yaml
from covenant.render.prom_rules import RuleTarget, rule_groups
from covenant.services.importing import plan_import, write_import
from covenant.services.prom_rules import prometheus_rules
from tests.definitions.test_import_conformance import TOOLS, corpus_files
from tests.render.test_prom_rules import CALENDAR_WINDOWS, COUNTS, _objective

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
IMPORTED = {
    "sloth": EXAMPLES / "import" / "sloth-checkout.yml",
    "pyrra": EXAMPLES / "import" / "pyrra-search.yaml",
    "slo-generator": EXAMPLES / "import" / "slo-generator" / "payments-availability.yaml",
}


def _dry_run(vmalert: str, path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [vmalert, "-dryRun", f"-rule={path}", "-loggerLevel=ERROR"],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )


def _loads(vmalert: str, text: str, path: Path) -> None:
    path.write_text(text, encoding="utf-8")
    done = _dry_run(vmalert, path)
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.parametrize("example", ["prometheus", "shop"])
def test_the_example_rules_load_in_vmalert(vmalert: str, example: str, tmp_path: Path) -> None:
    text, plan = prometheus_rules(EXAMPLES / example)
    assert plan.targets
    _loads(vmalert, text, tmp_path / "rules.yml")


@pytest.mark.parametrize("tool", sorted(IMPORTED))
def test_the_imported_examples_rules_load_in_vmalert(
    vmalert: str, tool: str, tmp_path: Path
) -> None:
    plan = plan_import(tool, [IMPORTED[tool]], into=tmp_path / "ws")
    assert plan.problems == []
    write_import(plan)
    text, rules = prometheus_rules(tmp_path / "ws")
    assert rules.targets
    _loads(vmalert, text, tmp_path / "rules.yml")


@CALENDAR_WINDOWS
def test_calendar_rules_load_in_vmalert(
    vmalert: str, window: CalendarWindow, tmp_path: Path
) -> None:
    """The calendar periods' expressions (``days_in_month``, offset tables over ``time()``)."""
    target = RuleTarget(objective=_objective(window=window), counts=COUNTS)
    _loads(vmalert, rules_yaml(rule_groups([target])), tmp_path / "rules.yml")


def test_every_corpus_workspace_s_rules_load_in_vmalert_and_prometheus(
    vmalert: str, promtool: str, corpus: Path, tmp_path: Path
) -> None:
    """Each corpus file imported alone (as tests/definitions/test_import_conformance.py does);
    every workspace that gets rules gets a file vmalert loads and promtool passes (promtool
    refuses what vmalert takes: an alert label ``__name__``)."""
    checked: dict[str, int] = dict.fromkeys(TOOLS, 0)
    failed: dict[str, str] = {}
    for tool, folder in TOOLS.items():
        for index, path in enumerate(corpus_files(corpus, folder)):
            into = tmp_path / f"{tool}-{index}"
            plan = plan_import(tool, [path], into=into)
            if plan.problems or not plan.writes:
                continue
            write_import(plan)
            text, rules = prometheus_rules(into)
            if not rules.targets:
                continue
            rule_file = tmp_path / f"{tool}-{index}.yml"
            rule_file.write_text(text, encoding="utf-8")
            checks = {
                "vmalert": _dry_run(vmalert, rule_file),
                "promtool": subprocess.run(
                    [promtool, "check", "rules", str(rule_file)],
                    capture_output=True,
                    text=True,
                    check=False,
                ),
            }
            for name, done in checks.items():
                if done.returncode != 0:
                    failed[f"{path.relative_to(corpus).as_posix()} ({name})"] = (
                        done.stdout + done.stderr
                    )
            checked[tool] += 1
    assert failed == {}
    # the corpus was found (22, 12 and 4 when this was written)
    assert checked["sloth"] >= 20
    assert checked["pyrra"] >= 12
    assert checked["slo-generator"] >= 4


def test_a_metricsql_error_is_caught_by_vmalert(vmalert: str, tmp_path: Path) -> None:
    """The check can fail: vmalert refuses a broken expression and a broken template."""
    expression = tmp_path / "bad.yml"
    expression.write_text("groups:\n- name: g\n  rules:\n  - record: a:b\n    expr: sum(\n")
    done = _dry_run(vmalert, expression)
    assert done.returncode != 0
    assert "failed to parse" in done.stderr
    assert "bad prometheus expr" in done.stderr
    template = tmp_path / "template.yml"
    template.write_text(
        "groups:\n- name: g\n  rules:\n  - alert: A\n    expr: up\n"
        "    annotations: {summary: '{{ $labels.x '}\n"
    )
    done = _dry_run(vmalert, template)
    assert done.returncode != 0
    assert "error parsing annotation template" in done.stderr
