"""slo-generator's Prometheus backend ``headers`` reach the imported DataSource.

slo-generator's ``PrometheusBackend(url, headers)`` sends ``headers`` with every query; its docs
give them for authentication, and a Mimir or Cortex needs ``X-Scope-OrgID`` (the tenant). The
shared config of heureka/omni-slo-generator (``sample/config.yaml``) is the real shape:

    backends:
      prometheus:
        url: https://mimir.monitoring.prod.heu.group/prometheus
        headers:
          X-Scope-OrgID: "infra|secrets|ingress-nginx|…"

Before, the import wrote the DataSource with the url alone and said nothing: every read went to
Mimir without a tenant. Expected values are the file's own; what a DataSource cannot hold (a
credential, a ``${VAR}``) is left out with a note, as the import docs promise for every field.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from covenant.definitions.documents import parse_document
from covenant.definitions.importers.base import Options
from covenant.definitions.importers.slogen_v1 import is_v1
from covenant.definitions.prometheus import data_sources
from covenant.definitions.yamlsource import read_text
from covenant.services.importing import ImportPlan, plan_import

TENANT = "infra|secrets|ingress-nginx|logging"

CONFIG = f"""\
backends:
  prometheus:
    url: https://mimir.example.com/prometheus
    headers:
      X-Scope-OrgID: "{TENANT}"
      X-Team: sre
      Authorization: Basic b2s6cGFzcW==
      Content-Type: application/json
      X-Env: ${{ENVIRONMENT}}
error_budget_policies:
  default:
    steps:
      - {{name: 1 hour, window: 3600, burn_rate_threshold: 9, alert: true}}
      - {{name: 28 days, window: 2419200, burn_rate_threshold: 1, alert: false}}
"""

SLO = """\
apiVersion: sre.google.com/v2
kind: ServiceLevelObjective
metadata: {name: ingress-availability, labels: {service_name: ingress}}
spec:
  backend: prometheus
  method: good_bad_ratio
  goal: 0.995
  service_level_indicator:
    filter_bad: nginx_ingress_controller_requests{status=~"5.."}
    filter_valid: nginx_ingress_controller_requests
"""

V1 = """\
service_name: prom
feature_name: metrics
slo_name: availability
slo_target: 0.999
backend:
  class: Prometheus
  method: good_bad_ratio
  url: http://cortex:9009/prometheus
  headers: {X-Scope-OrgID: team-a}
  measurement:
    filter_good: up{job="a"}
    filter_valid: up
"""


def _plan(tmp_path: Path, slo: str, config: str | None = None) -> ImportPlan:
    source = tmp_path / "slo.yaml"
    source.write_text(slo, encoding="utf-8")
    if config is not None:
        (tmp_path / "config.yaml").write_text(config, encoding="utf-8")
    return plan_import("slo-generator", [source], into=tmp_path / "ws", options=Options())


def _datasource(plan: ImportPlan) -> dict[str, object]:
    (text,) = [text for _, text in plan.writes]
    docs = [d for d in yaml.safe_load_all(text) if d and d.get("kind") == "DataSource"]
    (doc,) = docs
    details = doc["spec"]["connectionDetails"]
    assert isinstance(details, dict)
    return details


def test_the_tenant_and_plain_headers_are_carried_and_the_reader_sends_them(
    tmp_path: Path,
) -> None:
    plan = _plan(tmp_path, SLO, CONFIG)
    assert plan.problems == []
    details = _datasource(plan)
    assert details == {
        "url": "https://mimir.example.com/prometheus",
        "tenant": TENANT,
        "headers": {"X-Team": "sre"},
        "headersEnv": {"X-Env": "ENVIRONMENT"},
    }
    # the DataSource as Covenant's Prometheus reader reads it: the tenant goes as X-Scope-OrgID
    (text,) = [text for _, text in plan.writes]
    sources, problems = read_text(text, file="ws.yaml")
    assert problems == []
    parsed = [p for p in (parse_document(s)[0] for s in sources) if p is not None]
    found, problems = data_sources(parsed)
    assert problems == []
    assert found["prometheus"].tenant == TENANT
    assert dict(found["prometheus"].headers) == {"X-Team": "sre"}


def test_what_a_datasource_cannot_hold_is_left_out_with_a_note(tmp_path: Path) -> None:
    plan = _plan(tmp_path, SLO, CONFIG)
    notes = {n.reason for f in plan.files for n in f.imported.notes}
    said = "\n".join(notes)
    assert "header 'Authorization': a credential written in the file: not carried over" in said
    assert "bearerTokenEnv" in said  # the fix
    assert "header 'Content-Type': not carried over" in said
    assert (
        "header 'X-Env': carried as the DataSource's headersEnv (the value of ENVIRONMENT)" in said
    )
    assert "header 'X-Scope-OrgID': carried as the DataSource's tenant" in said
    text = plan.writes[0][1]
    assert "b2s6cGFzcW==" not in text  # the inline credential is nowhere in the workspace


def test_a_v1_backend_headers_are_carried_too(tmp_path: Path) -> None:
    assert is_v1(yaml.safe_load(V1))
    plan = _plan(tmp_path, V1)
    assert plan.problems == []
    assert _datasource(plan) == {"url": "http://cortex:9009/prometheus", "tenant": "team-a"}


def test_no_headers_no_change(tmp_path: Path) -> None:
    before, _, rest = CONFIG.partition("    headers:\n")
    _, _, after = rest.partition("X-Env: ${ENVIRONMENT}\n")
    plan = _plan(tmp_path, SLO, before + after)
    assert _datasource(plan) == {"url": "https://mimir.example.com/prometheus"}


def test_every_credential_header_is_left_out_and_flagged_in_a_datasource(
    tmp_path: Path,
) -> None:
    """An API key, a proxy's credentials and a token are secrets as much as Authorization: the
    import leaves them out, and a DataSource written with one is an ``inline-secret``."""
    secrets = {
        "X-API-Key": "s3cr3t-key-value",
        "Proxy-Authorization": "Basic b2s6cGFzcw==",
        "X-Auth-Token": "tok123",
    }
    lines = "".join(f"      {k}: {v}\n" for k, v in secrets.items())
    config = CONFIG.replace("      X-Team: sre\n", "      X-Team: sre\n" + lines)
    plan = _plan(tmp_path, SLO, config)
    assert plan.problems == []
    assert _datasource(plan)["headers"] == {"X-Team": "sre"}
    text = plan.writes[0][1]
    assert not [v for v in secrets.values() if v in text]
    written = f"""\
apiVersion: openslo/v1
kind: DataSource
metadata: {{name: prometheus}}
spec:
  type: Prometheus
  connectionDetails:
    url: http://prometheus:9090
    headers: {{{", ".join(f"{k}: {v}" for k, v in secrets.items())}}}
"""
    sources, problems = read_text(written, file="ws.yaml")
    parsed = [p for p in (parse_document(s)[0] for s in sources) if p is not None]
    _, problems = data_sources(parsed)
    flagged = {p.field for p in problems if p.code == "inline-secret"}
    assert flagged == {f"spec.connectionDetails.headers.{k}" for k in secrets}


def test_a_header_given_by_a_variable_is_carried_as_headers_env_or_bearer_token_env(
    tmp_path: Path,
) -> None:
    """slo-generator substitutes ``${VAR}`` from the environment; so does Covenant for a value
    that is one variable alone (``headersEnv``) or ``Bearer ${VAR}`` (``bearerTokenEnv``). A
    value that mixes text and a variable is still left out."""
    config = CONFIG.replace("      Authorization: Basic b2s6cGFzcW==\n", "").replace(
        "      X-Team: sre\n",
        "      X-Team: sre\n      Authorization: Bearer ${PROM_TOKEN}\n"
        "      X-API-Key: ${PROM_KEY}\n      X-Mixed: team-${TEAM}\n",
    )
    plan = _plan(tmp_path, SLO, config)
    assert plan.problems == []
    details = _datasource(plan)
    assert details["bearerTokenEnv"] == "PROM_TOKEN"
    assert details["headersEnv"] == {"X-API-Key": "PROM_KEY", "X-Env": "ENVIRONMENT"}
    assert details["headers"] == {"X-Team": "sre"}
    (text,) = [text for _, text in plan.writes]
    sources, problems = read_text(text, file="ws.yaml")
    parsed = [p for p in (parse_document(s)[0] for s in sources) if p is not None]
    found, problems = data_sources(parsed)
    assert problems == []
    assert found["prometheus"].bearer_token_env == "PROM_TOKEN"
    assert found["prometheus"].headers_env == (("X-API-Key", "PROM_KEY"), ("X-Env", "ENVIRONMENT"))
    notes = "\n".join(n.reason for f in plan.files for n in f.imported.notes)
    assert "header 'X-Mixed': not carried over: slo-generator substitutes ${VAR}" in notes
