"""slo-generator backend settings that are mappings: Elasticsearch's ``basic_auth`` and
``api_key``.

slo-generator's Elasticsearch and OpenSearch backends take ``basic_auth: {username,
password}`` and ``api_key: {id, value}`` (slo_generator/backends/elasticsearch.py), each value
a literal or a ``${VAR}`` slo-generator reads from the environment. Before, only the
top-level settings were looked at: ``basic_auth`` was written into the workspace's DataSource
as it was, an inline password included, and ``${VAR}`` kept as a literal text; ``api_key``
was dropped whole though its values came from the environment. Now each nested setting is
read as a top-level one is: ``${VAR}`` → ``…Env: VAR``, a literal secret dropped (noted).
The fixture is written here; the expected DataSource is derived by hand.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from covenant.services.importing import ImportPlan, plan_import

SLO = """\
apiVersion: sre.google.com/v2
kind: ServiceLevelObjective
metadata:
  name: search-errors
  labels: {service_name: search}
spec:
  goal: 0.99
  backend: elasticsearch
  method: good_bad_ratio
  service_level_indicator:
    index: requests
    query_good: {must: {term: {status: ok}}}
    query_valid: {}
"""

CONFIG = """\
backends:
  elasticsearch:
    url: ${ES_URL}
    basic_auth:
      username: reporter
      password: hunter2-inline
    api_key:
      id: ${ES_KEY_ID}
      value: ${ES_KEY_VALUE}
    verify_certs: false
error_budget_policies:
  default:
    steps:
    - {name: 1 hour, window: 3600, burn_rate_threshold: 9, alert: true,
       message_alert: page, message_ok: ok}
"""


def planned(tmp_path: Path) -> ImportPlan:
    (tmp_path / "search.yaml").write_text(SLO, encoding="utf-8")
    (tmp_path / "config.yaml").write_text(CONFIG, encoding="utf-8")
    return plan_import("slo-generator", [tmp_path / "search.yaml"], into=tmp_path / "ws")


def datasource(plan: ImportPlan) -> dict[str, Any]:
    documents = [d for f in plan.files for d in f.imported.documents]
    (found,) = [d for d in documents if d["kind"] == "DataSource"]
    return found


def test_nested_settings_are_read_as_environment_references_or_dropped(tmp_path: Path) -> None:
    plan = planned(tmp_path)
    assert plan.problems == []
    details = datasource(plan)["spec"]["connectionDetails"]
    assert details == {
        "urlEnv": "ES_URL",
        "basicAuth": {"username": "reporter"},
        "apiKey": {"idEnv": "ES_KEY_ID", "valueEnv": "ES_KEY_VALUE"},
        "verifyCerts": False,
    }
    # the inline password is written nowhere
    assert not any("hunter2-inline" in text for _, text in plan.writes)
    notes = [n.reason for f in plan.files for n in f.imported.notes]
    assert any("basic_auth.password" in n and "inline secret" in n for n in notes)


def test_an_environment_password_in_basic_auth_is_kept_as_its_variable(tmp_path: Path) -> None:
    (tmp_path / "search.yaml").write_text(SLO, encoding="utf-8")
    (tmp_path / "config.yaml").write_text(
        CONFIG.replace("hunter2-inline", "${ES_PASSWORD}"), encoding="utf-8"
    )
    plan = plan_import("slo-generator", [tmp_path / "search.yaml"], into=tmp_path / "ws")
    details = datasource(plan)["spec"]["connectionDetails"]
    assert details["basicAuth"] == {"username": "reporter", "passwordEnv": "ES_PASSWORD"}
    assert not any("${ES_PASSWORD}" in text for _, text in plan.writes)
