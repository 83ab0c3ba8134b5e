"""A slo-generator v1 error-budget policy — the list of steps v1's ``-b`` took — is the shared
config `slo-generator migrate -b FILE` makes of it: given as ``--config`` (before, its first
step was read as the config and every SLO was refused with "policy 'default' is not in …"),
or found as ``error_budget_policy.yaml`` where a ``config.yaml`` would be.

Shape seen in google/slo-generator's v1 samples (``samples/error_budget_policy.yaml``); the
expected window and tiers follow migrate's renaming (``measurement_window_seconds`` →
``window``, ``alerting_burn_rate_threshold`` → ``burn_rate_threshold``,
``urgent_notification`` → ``alert``) and Covenant's documented reading of a v2 policy (the
window is the longest step; each alerting step a page tier over its own window)."""

from __future__ import annotations

from pathlib import Path

import yaml
from typer.testing import CliRunner

from covenant.cli.main import app
from covenant.services.import_sources import read_slo_generator_config
from covenant.services.importing import plan_import

V1_SLO = """\
service_name: shop
feature_name: http
slo_name: availability
slo_description: 99.9% of HTTP requests are successful
slo_target: 0.999
backend:
  class: Prometheus
  method: good_bad_ratio
  url: http://localhost:9090
  measurement:
    filter_good: http_requests_total{code=~"2.."}
    filter_valid: http_requests_total
"""

V1_POLICY = """\
- error_budget_policy_step_name: 1 hour
  measurement_window_seconds: 3600
  alerting_burn_rate_threshold: 9
  urgent_notification: true
  overburned_consequence_message: Page the SRE team
  achieved_consequence_message: Last hour on track
- error_budget_policy_step_name: 12 hours
  measurement_window_seconds: 43200
  alerting_burn_rate_threshold: 3
  urgent_notification: true
  overburned_consequence_message: Page the SRE team
  achieved_consequence_message: Last 12 hours on track
- error_budget_policy_step_name: 7 days
  measurement_window_seconds: 604800
  alerting_burn_rate_threshold: 1.5
  urgent_notification: false
  overburned_consequence_message: Dev team dedicates 25% of engineers to reliability
  achieved_consequence_message: Last week on track
- error_budget_policy_step_name: 28 days
  measurement_window_seconds: 2419200
  alerting_burn_rate_threshold: 1
  urgent_notification: false
  overburned_consequence_message: Freeze release
  achieved_consequence_message: Unfreeze release
"""


def _slo(folder: Path) -> dict:
    (written,) = folder.glob("*.yaml")
    docs = list(yaml.safe_load_all(written.read_text(encoding="utf-8")))
    (slo,) = [d for d in docs if d["kind"] == "SLO"]
    return slo


def _expect_policy(slo: dict) -> None:
    # 2,419,200 s (28 days) is the longest step; the two alerting steps are page tiers
    assert slo["spec"]["timeWindow"] == [{"duration": "28d", "isRolling": True}]
    tiers = [
        (t["severity"], t["longWindow"], t["shortWindow"], t["burnRate"])
        for t in slo["spec"]["alerting"]["tiers"]
    ]
    assert tiers == [("page", "1h", "1h", 9), ("page", "12h", "12h", 3)]


def test_a_v1_policy_given_as_config_is_the_slos_policy(tmp_path: Path) -> None:
    (tmp_path / "slo_shop.yaml").write_text(V1_SLO, encoding="utf-8")
    policy = tmp_path / "eb_policy_v1.yaml"  # any name: given explicitly
    policy.write_text(V1_POLICY, encoding="utf-8")
    into = tmp_path / "ws"
    result = CliRunner().invoke(
        app,
        [
            "import",
            "slo-generator",
            str(tmp_path / "slo_shop.yaml"),
            "--config",
            str(policy),
            "--into",
            str(into),
        ],
    )
    assert result.exit_code == 0, result.output
    _expect_policy(_slo(into))


def test_a_v1_policy_above_the_slo_configs_is_found(tmp_path: Path) -> None:
    # v1's samples: error_budget_policy.yaml in a folder, SLO configs in its sub-folders
    (tmp_path / "prometheus").mkdir()
    (tmp_path / "prometheus" / "slo_shop.yaml").write_text(V1_SLO, encoding="utf-8")
    (tmp_path / "error_budget_policy.yaml").write_text(V1_POLICY, encoding="utf-8")
    into = tmp_path / "ws"
    source = str(tmp_path / "prometheus" / "slo_shop.yaml")
    result = CliRunner().invoke(app, ["import", "slo-generator", source, "--into", str(into)])
    assert result.exit_code == 0, result.output
    assert "error_budget_policy.yaml" in result.output  # the note names where the policy was
    _expect_policy(_slo(into))


def test_a_policy_file_named_after_its_policy_also_gives_that_name(tmp_path: Path) -> None:
    path = tmp_path / "error_budget_policy_ssm.yaml"
    path.write_text(V1_POLICY, encoding="utf-8")
    config = read_slo_generator_config(path)
    policies = config["error_budget_policies"]
    assert sorted(policies) == ["default", "ssm"]  # migrate's key, and the one v1 SLOs use
    steps = policies["ssm"]["steps"]
    assert [(s["name"], s["window"], s["burn_rate_threshold"], s["alert"]) for s in steps] == [
        ("1 hour", 3600, 9, True),
        ("12 hours", 43200, 3, True),
        ("7 days", 604800, 1.5, False),
        ("28 days", 2419200, 1, False),
    ]


def _refusal(tmp_path: Path, config_name: str, config_text: str) -> str:
    (tmp_path / "prometheus").mkdir()
    source = tmp_path / "prometheus" / "slo_shop.yaml"
    source.write_text(V1_SLO, encoding="utf-8")
    (tmp_path / config_name).write_text(config_text, encoding="utf-8")
    plan = plan_import("slo-generator", [source], into=tmp_path / "ws")
    (planned,) = plan.files
    (problem,) = planned.imported.problems
    return problem.message


def test_an_unusable_v1_step_is_named_in_the_v1_files_words(tmp_path: Path) -> None:
    # the v1 file has no error_budget_policies.default.steps[0] nor a field "window": its
    # first step's measurement_window_seconds is the value at fault, as the file writes it
    policy = V1_POLICY.replace(
        "measurement_window_seconds: 3600\n", "measurement_window_seconds: 3600.5\n"
    )
    message = _refusal(tmp_path, "error_budget_policy.yaml", policy)
    assert "error_budget_policies" not in message
    assert "Decimal" not in message
    assert (
        "error_budget_policy.yaml step 1 ('1 hour'): measurement_window_seconds 3600.5" in message
    )
    assert "alerting_burn_rate_threshold 9 unusable" in message


def test_an_unusable_v2_step_quotes_its_value_as_written(tmp_path: Path) -> None:
    config = (
        "error_budget_policies:\n"
        "  default:\n"
        "    steps:\n"
        "      - {name: 1 hour, window: 3600.5, burn_rate_threshold: 9, alert: true}\n"
    )
    message = _refusal(tmp_path, "config.yaml", config)
    assert "Decimal" not in message
    assert "config.yaml error_budget_policies.default.steps[0]: window 3600.5" in message
    assert "burn_rate_threshold 9 unusable" in message
