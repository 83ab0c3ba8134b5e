"""``covenant rules prometheus --format prometheusrule`` writes a PrometheusRule the
prometheus-operator's CRD accepts: each document validates against the CRD's schema as
``@kubernetes-models/prometheus-operator`` carries it (npm: scripts/install-schemas), which
checks required fields, types and the patterns of durations (``for``, ``interval``).
Kubernetes itself is not installable here; the CRD's schema is."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from covenant.definitions.workspace import load_workspace
from covenant.render.prom_rule_file import rules_yaml
from covenant.render.prom_rules import rule_groups
from covenant.services.prom_rules import plan_rules
from tests.availability import unavailable

ROOT = Path(__file__).resolve().parents[2]
MODULES = ROOT / ".cache" / "schemas" / "node_modules"
PACKAGE = MODULES / "@kubernetes-models" / "prometheus-operator" / "package.json"
VALIDATE = """
import { PrometheusRule } from
  "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PrometheusRule";
import { readFileSync } from "node:fs";
for (const path of process.argv.slice(2)) {
  try {
    new PrometheusRule(JSON.parse(readFileSync(path, "utf8"))).validate();
    console.log(`valid ${path}`);
  } catch (error) {
    console.log(`invalid ${path}: ${error.message}`);
    process.exitCode = 1;
  }
}
"""


def _validate(folder: Path, docs: dict[str, Any]) -> subprocess.CompletedProcess[str]:
    node = shutil.which("node")
    if node is None or not PACKAGE.exists():
        unavailable("node or the PrometheusRule schema missing: run scripts/install-schemas")
    assert node is not None
    # beside node_modules (where node resolves the package from), one per process: xdist
    script = MODULES.parent / f"validate-prometheusrule-{os.getpid()}.mjs"
    script.write_text(VALIDATE, encoding="utf-8")
    paths = []
    for name, doc in docs.items():
        path = folder / f"{name}.json"
        path.write_text(json.dumps(doc), encoding="utf-8")
        paths.append(str(path))
    try:
        return subprocess.run(
            [node, str(script), *paths], capture_output=True, text=True, check=False, timeout=120
        )
    finally:
        script.unlink()


def _prometheusrule(example: str) -> dict[str, Any]:
    plan = plan_rules(load_workspace(ROOT / "examples" / example))
    doc = yaml.safe_load(rules_yaml(rule_groups(plan.targets), operator=True))
    assert doc["kind"] == "PrometheusRule"
    return doc  # type: ignore[no-any-return]


@pytest.mark.parametrize("example", ["prometheus", "shop"])
def test_the_prometheusrule_is_valid_by_the_crds_schema(tmp_path: Path, example: str) -> None:
    doc = _prometheusrule(example)
    done = _validate(tmp_path, {example: doc})
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    assert done.stdout.startswith("valid ")


def test_the_check_refuses_what_the_crd_refuses(tmp_path: Path) -> None:
    """The check can fail: a ``for`` that is a number, a group without a name, an interval
    that is not a duration."""
    doc = _prometheusrule("prometheus")
    group = doc["spec"]["groups"][0]
    broken_for = json.loads(json.dumps(doc))
    alerting = next(
        g for g in broken_for["spec"]["groups"] if any("alert" in r for r in g["rules"])
    )
    next(r for r in alerting["rules"] if "alert" in r)["for"] = 5
    nameless = json.loads(json.dumps(doc))
    del nameless["spec"]["groups"][0]["name"]
    interval = json.loads(json.dumps(doc))
    interval["spec"]["groups"][0]["interval"] = "one minute"
    assert group["name"]
    assert group["interval"] == "1m"
    done = _validate(tmp_path, {"for": broken_for, "nameless": nameless, "interval": interval})
    assert done.returncode != 0
    lines = done.stdout.splitlines()
    assert len(lines) == 3
    assert all(line.startswith("invalid ") for line in lines), done.stdout
    assert "/for must be string" in lines[0]
    assert "/groups/0 must have required property name" in lines[1]
    assert "/interval must match pattern" in lines[2]


def test_its_name_namespace_and_labels_come_from_the_options(tmp_path: Path) -> None:
    """Two outputs applied to one namespace need two names, and an operator's ruleSelector a
    label: --name, --namespace and --label set them, checked as Kubernetes checks them."""
    from typer.testing import CliRunner  # noqa: PLC0415

    from covenant.cli.main import app  # noqa: PLC0415

    ws = str(ROOT / "examples" / "prometheus")
    out = tmp_path / "rule.yaml"
    args = ["rules", "prometheus", "-w", ws, "--format", "prometheusrule", "--out", str(out)]
    named = ["--name", "api-slos", "--namespace", "monitoring", "--label", "release=prom"]
    done = CliRunner().invoke(app, [*args, *named, "--label", "team=api"])
    assert done.exit_code == 0, done.output
    doc = yaml.safe_load(out.read_text("utf-8"))
    assert doc["metadata"] == {
        "name": "api-slos",
        "namespace": "monitoring",
        "labels": {"app.kubernetes.io/managed-by": "covenant", "release": "prom", "team": "api"},
    }
    checked = _validate(tmp_path, {"named": doc})
    assert checked.returncode == 0, checked.stdout[-4000:] + checked.stderr[-2000:]
    wrong_ones = (
        ["--name", "API_slos"],
        ["--label", "release"],
        ["--label", "k" * 64 + "=v"],
        ["--namespace", "-x"],
        ["--namespace", "a.b"],  # a namespace is a DNS label
        ["--namespace", "n" * 64],
    )
    for wrong in wrong_ones:
        refused = CliRunner().invoke(app, [*args, *wrong])
        assert refused.exit_code == 2, refused.output
        assert "invalid-option-value" in refused.output
    plain = CliRunner().invoke(app, ["rules", "prometheus", "-w", ws, "--name", "x"])
    assert plain.exit_code == 2
    assert "--name is for --format prometheusrule" in plain.output
