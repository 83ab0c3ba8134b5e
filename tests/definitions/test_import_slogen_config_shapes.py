"""A ``--config`` that is no usable slo-generator shared config is named for what it is, not
"error-budget policy 'default' is not in FILE" (which reads as a policy missing from a
well-formed config).

Real shape: ocervell/slo-generator-gke ``v2/config.yaml`` (by slo-generator's author) wraps the
config in a Kubernetes ConfigMap (``kind: ConfigMap``, the config under ``data:``) and writes
``error_budget_policies`` as a *list* of policies with ``name:``; slo-generator reads
``config["error_budget_policies"][name]``: a mapping of policy name to ``{steps: [...]}``."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from covenant.cli.main import app

SLO = """\
apiVersion: sre.google.com/v2
kind: ServiceLevelObjective
metadata:
  name: prom-metrics-availability
  labels:
    service_name: prom
    feature_name: metrics
    slo_name: availability
spec:
  description: 99.9% of Prometheus requests return a good HTTP code
  backend: prometheus
  method: good_bad_ratio
  service_level_indicator:
    filter_good: prometheus_http_requests_total{handler="/metrics", code=~"2.."}
    filter_valid: prometheus_http_requests_total{handler="/metrics"}
  goal: 0.999
"""

POLICIES_LIST = """\
error_budget_policies:
  - name: error-budget-policy-ssm
    steps:
    - name: 24 hours
      window: 86400
      burn_rate_threshold: 4
      alert: true
"""

CONFIGMAP = (
    """\
apiVersion: v1
kind: ConfigMap
metadata:
  name: slo-generator-config
data:
  backends:
  - name: prometheus
    class: Prometheus
    url: ${PROMETHEUS_PUSHGATEWAY_URL}
"""
    + "\n".join("  " + line for line in POLICIES_LIST.splitlines())
    + "\n"
)


def _refusal(tmp_path: Path, config_text: str, spec_policy: str | None = None) -> str:
    slo = SLO if spec_policy is None else SLO + f"  error_budget_policy: {spec_policy}\n"
    (tmp_path / "slo.yaml").write_text(slo, encoding="utf-8")
    (tmp_path / "shared.yaml").write_text(config_text, encoding="utf-8")
    args = ["import", "slo-generator", str(tmp_path / "slo.yaml")]
    args += ["--config", str(tmp_path / "shared.yaml"), "--into", str(tmp_path / "ws")]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    return " ".join(result.output.split())


def test_a_configmap_given_as_config_says_its_data_is_the_config(tmp_path: Path) -> None:
    said = _refusal(tmp_path, CONFIGMAP)
    assert "shared.yaml is a Kubernetes ConfigMap" in said
    assert "save its data: as a config.yaml and give it with --config" in said
    assert "is not in" not in said


def test_a_list_of_policies_says_slo_generator_reads_a_mapping(tmp_path: Path) -> None:
    said = _refusal(tmp_path, POLICIES_LIST, spec_policy="error-budget-policy-ssm")
    assert "error_budget_policies is a list" in said
    assert "error_budget_policies: {error-budget-policy-ssm: {steps: [...]}}" in said


def test_a_missing_policy_names_the_ones_there_are(tmp_path: Path) -> None:
    config = "error_budget_policies:\n  ssm:\n    steps:\n    - {name: a, window: 3600, "
    config += "burn_rate_threshold: 9, alert: true}\n"
    said = _refusal(tmp_path, config)
    assert "error-budget policy 'default' is not in" in said
    assert "its policies: ssm" in said


def test_a_config_without_policies_says_so(tmp_path: Path) -> None:
    said = _refusal(tmp_path, "backends:\n  prometheus:\n    url: http://localhost:9090\n")
    assert "shared.yaml has no error_budget_policies" in said


# google/slo-generator tests/unit/fixtures/dummy_config.json: the policy's steps written as a
# list straight under its name (a unit-test fixture its tests index as ["default"][0]);
# slo-generator's compute reads policy["steps"], so a list there stops it
STEPS_UNDER_NAME = """\
{
    "backends": {"dummy": {}},
    "error_budget_policies": {
        "default": [{
            "name": "1 hour",
            "window": 3600,
            "burn_rate_threshold": 1,
            "alert": true
        }]
    }
}
"""


def test_steps_written_straight_under_the_policy_name_say_steps_is_missing(
    tmp_path: Path,
) -> None:
    """Before: "error-budget policy 'default' is not in shared.yaml (its policies: default)",
    which contradicts itself."""
    said = _refusal(tmp_path, STEPS_UNDER_NAME)
    assert "is not in" not in said
    assert "error-budget policy 'default' in shared.yaml is a list of steps" in said
    assert "slo-generator reads the policy's steps under steps:" in said
    assert "write default: {steps: [...]}" in said


def test_version_written_for_apiversion_is_named(tmp_path: Path) -> None:
    """google/slo-generator tests/unit/fixtures/dummy_slo_config.json writes ``version:
    sre.google.com/v2`` where its configs have ``apiVersion``. Before: "not a slo-generator SLO
    config: apiVersion None", with the generic fix."""
    text = SLO.replace("apiVersion: sre.google.com/v2", "version: sre.google.com/v2")
    (tmp_path / "slo.yaml").write_text(text, encoding="utf-8")
    args = ["import", "slo-generator", str(tmp_path / "slo.yaml"), "--into", str(tmp_path / "ws")]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 1, result.output
    said = " ".join(result.output.split())
    assert "slo.yaml:1 version:" in said
    assert "rename version to apiVersion" in said
