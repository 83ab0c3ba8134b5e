"""``covenant import`` into a workspace that has a DataSource of the import's name but of a
type that cannot run the imported queries (a CloudWatch DataSource named ``prometheus``, the
default ``--datasource``): reusing it would attach PromQL to a source that never runs it, an
SLO that could never be read. Each such file is refused, naming the DataSource's file, line
and type and the names that would do (the workspace's Prometheus DataSources, a free name);
nothing is written. A DataSource of a type that runs the queries (Thanos for PromQL) is still
reused."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from covenant.cli.main import app
from tests.conftest import ROOT

runner = CliRunner()
SLOTH = ROOT / "examples" / "import" / "sloth-checkout.yml"
PYRRA = ROOT / "examples" / "import" / "pyrra-search.yaml"

SOURCES = """\
apiVersion: openslo/v1
kind: DataSource
metadata:
  name: prometheus
spec:
  type: {kind}
  connectionDetails: {details}
---
apiVersion: openslo/v1
kind: DataSource
metadata:
  name: prom-main
spec:
  type: Prometheus
  connectionDetails: {{url: "http://prometheus:9090"}}
"""
CLOUDWATCH = SOURCES.format(kind="CloudWatch", details="{accessKeyID: AKIAEXAMPLE}")
THANOS = SOURCES.format(kind="Thanos", details='{url: "http://thanos:9090"}')

V1_DATADOG = """\
service_name: dd
feature_name: disk
slo_name: utilization
slo_target: 0.95
backend:
  class: Datadog
  method: good_bad_ratio
  measurement:
    query_good: sum:requests.ok{*}
    query_valid: sum:requests.all{*}
"""


def _workspace(folder: Path, sources: str) -> Path:
    folder.mkdir()
    (folder / "sources.yaml").write_text(sources, encoding="utf-8")
    return folder


def _files(folder: Path) -> dict[str, str]:
    return {p.name: p.read_text(encoding="utf-8") for p in folder.iterdir()}


def test_promql_is_not_attached_to_a_cloudwatch_datasource_of_the_same_name(
    tmp_path: Path,
) -> None:
    ws = _workspace(tmp_path / "ws", CLOUDWATCH)
    before = _files(ws)
    args = ["import", "sloth", str(SLOTH), "--into", str(ws)]
    result = runner.invoke(app, [*args, "--format", "json"])
    assert result.exit_code == 1, result.output
    (found,) = json.loads(result.output)["files"]
    assert found["status"] == "refused"
    (problem,) = found["problems"]
    assert problem["code"] == "import-datasource-clash"
    assert problem["where"] == str(SLOTH)
    assert problem["message"] == (
        f"its SLIs are PromQL queries (type Prometheus) for DataSource 'prometheus', which the "
        f"workspace defines ({ws}/sources.yaml:1) as type CloudWatch, which cannot run them: "
        "the SLOs could never be read"
    )
    assert problem["fix"] == (
        "name another DataSource with --datasource (datasource on the import page and in "
        "the API): a Prometheus one of the workspace (prom-main), or a new name such as "
        "prometheus-2, which the import writes; or correct the spec.type of DataSource "
        "'prometheus' if it is a Prometheus server"
    )
    assert _files(ws) == before  # nothing written
    text = runner.invoke(app, args)
    assert text.exit_code == 1
    assert "import-datasource-clash" in text.output
    assert _files(ws) == before


def test_each_file_that_would_reuse_it_is_refused(tmp_path: Path) -> None:
    ws = _workspace(tmp_path / "ws", CLOUDWATCH)
    result = runner.invoke(
        app, ["import", "pyrra", str(PYRRA), "--into", str(ws), "--format", "json"]
    )
    assert result.exit_code == 1, result.output
    (found,) = json.loads(result.output)["files"]
    assert [p["code"] for p in found["problems"]] == ["import-datasource-clash"]


def test_another_name_imports_and_a_thanos_datasource_is_reused(tmp_path: Path) -> None:
    ws = _workspace(tmp_path / "ws", CLOUDWATCH)
    named = runner.invoke(
        app, ["import", "sloth", str(SLOTH), "--into", str(ws), "--datasource", "prom-main"]
    )
    assert named.exit_code == 0, named.output
    assert "DataSource prom-main is already in the workspace: reused" in named.output
    assert runner.invoke(app, ["validate", str(ws)]).exit_code == 0
    thanos = _workspace(tmp_path / "thanos", THANOS)
    reused = runner.invoke(app, ["import", "sloth", str(SLOTH), "--into", str(thanos)])
    assert reused.exit_code == 0, reused.output
    assert "DataSource prometheus is already in the workspace: reused" in reused.output


def test_a_datadog_backend_is_not_attached_to_a_prometheus_datasource_named_datadog(
    tmp_path: Path,
) -> None:
    ws = _workspace(tmp_path / "ws", THANOS.replace("name: prometheus", "name: datadog"))
    source = tmp_path / "slo_dd.yaml"
    source.write_text(V1_DATADOG, encoding="utf-8")
    result = runner.invoke(
        app, ["import", "slo-generator", str(source), "--into", str(ws), "--format", "json"]
    )
    assert result.exit_code == 1, result.output
    (found,) = json.loads(result.output)["files"]
    (problem,) = found["problems"]
    assert problem["code"] == "import-datasource-clash"
    assert problem["message"] == (
        f"its SLIs are Datadog queries for DataSource 'datadog', which the workspace defines "
        f"({ws}/sources.yaml:1) as type Thanos, which cannot run them: the SLOs could never "
        "be read"
    )
    assert problem["fix"] == (
        "rename DataSource 'datadog' in the workspace (the name is the backend's), or import "
        "into another workspace; or correct its spec.type if it is a Datadog source"
    )


def test_a_datasource_an_earlier_file_of_the_import_writes_is_checked_too(tmp_path: Path) -> None:
    """slo-generator: a Prometheus backend's DataSource is named by --datasource, another
    backend's by the backend: ``--datasource datadog`` makes the first file's Prometheus
    DataSource the name the Datadog file's would reuse."""
    ws = tmp_path / "ws"
    prometheus = ROOT / "examples" / "import" / "slo-generator" / "payments-availability.yaml"
    datadog = tmp_path / "slo_dd.yaml"
    datadog.write_text(V1_DATADOG, encoding="utf-8")
    args = ["import", "slo-generator", str(prometheus), str(datadog), "--into", str(ws)]
    result = runner.invoke(app, [*args, "--datasource", "datadog", "--format", "json"])
    assert result.exit_code == 1, result.output
    first, second = json.loads(result.output)["files"]
    assert first["problems"] == []
    (problem,) = second["problems"]
    assert problem["message"] == (
        "its SLIs are Datadog queries for DataSource 'datadog', which an earlier file of this "
        f"import writes into {ws}/slo-generator-payments-availability.yaml as type Prometheus, "
        "which cannot run them: the SLOs could never be read"
    )
    assert not ws.exists()  # nothing written, not even the folder
