"""A slo-generator backend under a second name (``prometheus/thanos``) is that backend.

slo-generator's shared config may hold two backends of one type, the second named
``<type>/<name>`` (``slo-generator migrate`` names a clashing one so; its own samples name an
exporter ``cloud_monitoring/test``): an SLO's ``backend: prometheus/thanos`` loads the
prometheus backend class with the settings under that key. Covenant left such an SLO out and
told the user to rename it; it is imported, its DataSource named after the key and set from
that key's settings.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from covenant.services.importing import ImportPlan, plan_import

CONFIG = """\
backends:
  prometheus:
    url: http://prom.example:9090
  prometheus/thanos:
    url: http://thanos.example:10902
  cloud_monitoring/test:
    project_id: ${TEST_PROJECT}
error_budget_policies:
  default:
    steps:
    - {name: 1h, burn_rate_threshold: 9, alert: true, window: 3600}
    - {name: 7d, burn_rate_threshold: 1, alert: false, window: 604800}
"""

SLO = """\
apiVersion: sre.google.com/v2
kind: ServiceLevelObjective
metadata: {{name: {name}, labels: {{service_name: shop}}}}
spec:
  backend: {backend}
  method: good_bad_ratio
  goal: 0.995
  service_level_indicator:
    filter_good: '{good}'
    filter_valid: '{valid}'
"""


def _plan(tmp_path: Path, *slos: str) -> ImportPlan:
    (tmp_path / "config.yaml").write_text(CONFIG, encoding="utf-8")
    paths = []
    for index, text in enumerate(slos):
        path = tmp_path / f"slo_{index}.yaml"
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    return plan_import("slo-generator", paths, into=tmp_path / "ws")


def _documents(plan: ImportPlan) -> list[dict[str, Any]]:
    return [doc for _, text in plan.writes for doc in yaml.safe_load_all(text) if doc]


def test_a_prometheus_backend_under_a_second_name_is_imported_with_its_own_url(
    tmp_path: Path,
) -> None:
    plan = _plan(
        tmp_path,
        SLO.format(
            name="shop-thanos",
            backend="prometheus/thanos",
            good='x_total{code="200"}[window]',
            valid="x_total[window]",
        ),
        SLO.format(
            name="shop-prom", backend="prometheus", good="y_good[window]", valid="y_all[window]"
        ),
    )
    assert plan.problems == []
    assert [n.reason for f in plan.files for n in f.imported.notes if n.skipped] == []
    docs = _documents(plan)
    sources = {d["metadata"]["name"]: d["spec"] for d in docs if d["kind"] == "DataSource"}
    assert sources == {
        "prometheus": {
            "type": "Prometheus",
            "connectionDetails": {"url": "http://prom.example:9090"},
        },
        "prometheus-thanos": {
            "type": "Prometheus",
            "connectionDetails": {"url": "http://thanos.example:10902"},
        },
    }
    slos = {d["metadata"]["name"]: d["spec"] for d in docs if d["kind"] == "SLO"}
    thanos = slos["shop-thanos"]["indicator"]["spec"]["ratioMetric"]
    assert thanos["good"]["metricSource"]["metricSourceRef"] == "prometheus-thanos"
    assert thanos["good"]["metricSource"]["spec"]["query"] == (
        'sum(increase(x_total{code="200"}[{{.window}}]))'
    )
    assert thanos["total"]["metricSource"]["spec"]["query"] == "sum(increase(x_total[{{.window}}]))"
    assert slos["shop-thanos"]["objectives"] == [{"target": 0.995}]
    assert slos["shop-thanos"]["timeWindow"] == [{"duration": "7d", "isRolling": True}]
    plain = slos["shop-prom"]["indicator"]["spec"]["ratioMetric"]
    assert plain["good"]["metricSource"]["metricSourceRef"] == "prometheus"


def test_another_backend_under_a_second_name_gets_a_datasource_of_its_type(
    tmp_path: Path,
) -> None:
    plan = _plan(
        tmp_path,
        SLO.format(
            name="shop-gcm", backend="cloud_monitoring/test", good="metric.type=a", valid="b"
        ),
    )
    assert plan.problems == []
    docs = _documents(plan)
    (source,) = [d for d in docs if d["kind"] == "DataSource"]
    assert source["metadata"]["name"] == "cloud-monitoring-test"
    assert source["spec"] == {
        "type": "GoogleCloudMonitoring",
        "connectionDetails": {"projectIdEnv": "TEST_PROJECT"},
    }
    (slo,) = [d for d in docs if d["kind"] == "SLO"]
    good = slo["spec"]["indicator"]["spec"]["ratioMetric"]["good"]["metricSource"]
    assert good["metricSourceRef"] == "cloud-monitoring-test"


def test_a_second_name_missing_from_the_config_is_refused_with_the_names_there(
    tmp_path: Path,
) -> None:
    plan = _plan(
        tmp_path,
        SLO.format(name="shop-x", backend="prometheus/nope", good="a[window]", valid="b[window]"),
    )
    (problem,) = plan.problems
    assert problem.field == "spec.backend"
    assert "prometheus/nope" in problem.message
    assert "prometheus/thanos" in problem.fix
