"""Vendors' SLO files given to Covenant by mistake, in the spellings the real files of
fixtures/found_41b do not show: Terraform after // comments, Terraform's JSON syntax, a .tf
file with no SLO resource, and YAML that only looks like a block."""

from __future__ import annotations

import json
from pathlib import Path

from covenant.definitions.workspace import analyse
from covenant.errors import Problem


def _one(path: Path) -> Problem:
    _, problems = analyse([path])
    (problem,) = problems
    return problem


def test_terraform_after_slash_comments_is_named(tmp_path: Path) -> None:
    path = tmp_path / "slo.tf"
    path.write_text(
        "// SLOs of the checkout team\n"
        'resource "google_monitoring_slo" "checkout" {\n'
        "  goal = 0.999\n"
        "  rolling_period_days = 28\n"
        "}\n"
    )
    problem = _one(path)
    assert problem.where == f"{path}:2"
    assert problem.message == (
        'a Terraform file, not YAML: resource "google_monitoring_slo" "checkout" is a Google '
        "Cloud Monitoring SLO"
    )


def test_terraform_without_an_slo_resource_is_named_at_its_first_block(tmp_path: Path) -> None:
    path = tmp_path / "main.tf"
    path.write_text('# providers\n\nprovider "datadog" {\n  api_key = var.key\n}\n')
    problem = _one(path)
    assert (problem.code, problem.where) == ("other-tool-format", f"{path}:3")
    assert problem.message == "a Terraform file, not YAML"


def test_terraform_json_is_named_with_its_slo_resource(tmp_path: Path) -> None:
    """Terraform's JSON syntax (``*.tf.json``): ``resource`` → type → name → attributes."""
    path = tmp_path / "slo.tf.json"
    body = {"name": "Checkout", "type": "metric", "thresholds": [{"target": 99.5}]}
    path.write_text(
        json.dumps({"resource": {"datadog_service_level_objective": {"checkout": body}}})
    )
    problem = _one(path)
    assert problem.code == "other-tool-format"
    assert problem.message == (
        'a Terraform JSON file: resource "datadog_service_level_objective" "checkout" is a '
        "Datadog SLO, not OpenSLO"
    )
    assert problem.fix.startswith("Covenant reads YAML definitions, not Terraform")


def test_a_yaml_document_is_not_taken_for_terraform(tmp_path: Path) -> None:
    path = tmp_path / "slo.yaml"
    path.write_text("resource: {}\n")
    assert _one(path).code == "not-a-definition"


def test_a_terraform_fix_reads_only_its_own_resource(tmp_path: Path) -> None:
    """A monitor SLO without a target of its own, then a metric one at 99.5 over 7d: the
    first is named, and 99.5 (the second's) is not offered as its target."""
    path = tmp_path / "slos.tf"
    path.write_text(
        'resource "datadog_service_level_objective" "monitor" {\n'
        '  type = "monitor"\n'
        "}\n"
        "\n"
        'resource "datadog_service_level_objective" "metric" {\n'
        '  type = "metric"\n'
        "  thresholds {\n"
        "    target = 99.5\n"
        '    timeframe = "7d"\n'
        "  }\n"
        "}\n"
    )
    problem = _one(path)
    assert problem.where == f"{path}:1"
    assert "99.5" not in problem.fix
    assert "7d" not in problem.fix
