"""Sloth's raw SLI (``sli.raw.error_ratio_query``): one count over another is split into its
two counts, as slo-generator's ``query_sli`` is; any other ratio is left out with its reason.

Expectations are written by hand from the Sloth files: an error ratio ``A / B`` is bad = A and
total = B, ``rate(x[{{.window}}])`` read as ``increase(x[{{.window}}])`` (rate × window).
"""

from __future__ import annotations

import subprocess
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from covenant.cli.main import app
from covenant.core.model import RollingWindow
from covenant.definitions.importers.base import Options
from covenant.definitions.importers.sloth import import_sloth
from covenant.definitions.workspace import analyse_text
from covenant.definitions.yamlsource import read_file
from covenant.services.import_split import split_groups
from covenant.services.importing import ImportPlan, plan_import

DAY = 86400

MCP_MESH = """\
version: "prometheus/v1"
service: "mcp-mesh"
slos:
  - name: "requests-availability"
    objective: 99.9
    sli:
      raw:
        error_ratio_query: sum(rate(mcp_mesh_requests_total{status="error"}[{{.window}}])) \
/ sum(rate(mcp_mesh_requests_total[{{.window}}]))
    alerting:
      name: McpMeshHighErrorRate
      page_alert:
        labels: {severity: critical}
      ticket_alert:
        labels: {severity: warning}
"""


def spec(query: str, *, key: str = "error_ratio_query") -> str:
    """A Sloth spec whose one SLO has the raw SLI ``query`` (a YAML block scalar)."""
    body = "\n".join(f"          {line}" for line in query.strip().splitlines())
    return (
        'version: "prometheus/v1"\nservice: shop\nslos:\n  - name: errors\n    objective: 99\n'
        f"    sli:\n      raw:\n        {key}: |\n{body}\n"
        "    alerting: {page_alert: {disable: true}, ticket_alert: {disable: true}}\n"
    )


def planned(tmp_path: Path, text: str) -> ImportPlan:
    source = tmp_path / "sloth.yml"
    source.write_text(text, encoding="utf-8")
    return plan_import("sloth", [source], into=tmp_path / "ws")


def ratio_of(plan: ImportPlan, slo: str) -> dict[str, Any]:
    (document,) = [
        d
        for d in plan.files[0].imported.documents
        if d["kind"] == "SLO" and d["metadata"]["name"] == slo
    ]
    ratio: dict[str, Any] = document["spec"]["indicator"]["spec"]["ratioMetric"]
    return ratio


def query(ratio: dict[str, Any], role: str) -> str:
    text: str = ratio[role]["metricSource"]["spec"]["query"]
    return text


def test_the_mcp_mesh_error_ratio_imports_as_bad_over_total(tmp_path: Path, promtool: str) -> None:
    plan = planned(tmp_path, MCP_MESH)
    assert plan.problems == []
    ratio = ratio_of(plan, "requests-availability")
    assert ratio["counter"] is False
    assert set(ratio) == {"counter", "bad", "total"}  # an error ratio: its numerator is bad
    assert query(ratio, "bad") == (
        'sum(increase(mcp_mesh_requests_total{status="error"}[{{.window}}]))'
    )
    assert query(ratio, "total") == "sum(increase(mcp_mesh_requests_total[{{.window}}]))"
    notes = {n.field: n.reason for n in plan.files[0].imported.notes}
    assert "split from a ratio" in notes["slos[0].sli.raw.error_ratio_query"]
    assert not any(n.skipped for n in plan.files[0].imported.notes)
    workspace, problems = analyse_text(plan.writes[0][1], file="imported.yaml")
    assert workspace is not None, [str(p) for p in problems]
    objective = workspace.objective("requests-availability")
    assert str(objective.target) == "999/1000"
    assert objective.window == RollingWindow(seconds=30 * DAY)
    # the imported workspace is valid, and its rules are ones Prometheus loads
    source = tmp_path / "mcp-mesh.yml"
    source.write_text(MCP_MESH, encoding="utf-8")
    ws = tmp_path / "imported"
    runner = CliRunner()
    done = runner.invoke(app, ["import", "sloth", str(source), "--into", str(ws)])
    assert done.exit_code == 0, done.output
    checked = runner.invoke(app, ["validate", str(ws)])
    assert checked.exit_code == 0, checked.output
    rules = tmp_path / "rules.yml"
    made = runner.invoke(app, ["rules", "prometheus", "-w", str(ws), "--out", str(rules)])
    assert made.exit_code == 0, made.output
    text = rules.read_text(encoding="utf-8")
    assert 'mcp_mesh_requests_total{status="error"}' in text
    assert "sloth_id: mcp-mesh-requests-availability" in text
    loaded = subprocess.run(
        [promtool, "check", "rules", str(rules)], capture_output=True, text=True, check=False
    )
    assert loaded.returncode == 0, loaded.stdout + loaded.stderr


def test_corpus_raw_slis_import(corpus: Path, tmp_path: Path) -> None:
    """Sloth's own validation cases (good-aa, good-multi-k8s): slo02's raw ratio, left out
    before, is now its two counts (objective 95 → 0.95)."""
    bad = (
        'sum(increase(http_request_duration_seconds_count{job="myservice",code=~"(5..|429)"}'
        "[{{.window}}]))"
    )
    total = 'sum(increase(http_request_duration_seconds_count{job="myservice"}[{{.window}}]))'
    plan = plan_import("sloth", [corpus / "sloth/validate/good/good-aa.yaml"], into=tmp_path)
    assert plan.problems == []
    assert plan.files[0].imported.slos == ["slo1", "slo02"]
    assert (query(ratio_of(plan, "slo02"), "bad"), query(ratio_of(plan, "slo02"), "total")) == (
        bad,
        total,
    )
    workspace, _ = analyse_text(plan.writes[0][1], file="imported.yaml")
    assert workspace is not None
    assert str(workspace.objective("slo02").target) == "19/20"
    assert workspace.objective("slo02").alert_tiers == ()  # both alerts disabled
    plan = plan_import(
        "sloth", [corpus / "sloth/validate/good/good-multi-k8s.yaml"], into=tmp_path / "k8s"
    )
    assert plan.problems == []
    assert plan.files[0].imported.slos == ["svc01-slo1", "svc01-slo02", "svc02-slo1", "svc02-slo02"]
    for name in ("svc01-slo02", "svc02-slo02"):
        assert query(ratio_of(plan, name), "bad") == bad
        assert query(ratio_of(plan, name), "total") == total
    fields = [n.field for n in plan.files[0].imported.notes if "split from a ratio" in n.reason]
    assert fields == ["spec.slos[1].sli.raw.errorRatioQuery"] * 2


@pytest.mark.parametrize(
    ("name", "slos"),
    [  # docs/import.md's conformance table: slo1 (events) and slo02 (raw) per document
        ("good-aa.yaml", 2),
        ("good-ab.yaml", 2),
        ("good-ba.yaml", 2),
        ("good-k8s.yaml", 2),
        ("good-multi.yaml", 4),
        ("good-multi-k8s.yaml", 4),
    ],
)
def test_every_good_corpus_file_keeps_its_raw_slo(
    corpus: Path, tmp_path: Path, name: str, slos: int
) -> None:
    plan = plan_import("sloth", [corpus / "sloth/validate/good" / name], into=tmp_path)
    assert plan.problems == []
    assert len(plan.files[0].imported.slos) == slos
    assert not any(n.skipped for n in plan.files[0].imported.notes)
    split = [n for n in plan.files[0].imported.notes if "split from a ratio" in n.reason]
    assert len(split) == slos // 2


def test_what_slo_generator_drops_is_dropped_and_noted(tmp_path: Path) -> None:
    """A no-traffic fallback and vector matching belong to neither count (as for query_sli);
    a ratio grouped by a label is summed into one SLO, as a grouped events SLI is; two
    metrics (errors over requests) are two counts."""
    plan = planned(
        tmp_path,
        spec(
            'sum by (route) (rate(errors_total{job="a"}[{{.window}}])) / ignoring (code)\n'
            'sum by (route) (rate(requests_total{job="a"}[{{.window}}])) or on() vector(0)'
        ),
    )
    assert plan.problems == []
    ratio = ratio_of(plan, "errors")
    assert query(ratio, "bad") == (
        'sum(sum by (route) (increase(errors_total{job="a"}[{{.window}}])))'
    )
    assert query(ratio, "total") == (
        'sum(sum by (route) (increase(requests_total{job="a"}[{{.window}}])))'
    )
    reasons = " | ".join(n.reason for n in plan.files[0].imported.notes)
    assert "the fallback 'or on() vector(0)'" in reasons
    assert "the vector matching 'ignoring (code)' is dropped" in reasons
    assert reasons.count("grouped by (route)") == 1  # one note for the one field
    (grouping,) = plan.files[0].imported.groups  # --split-groups splits it by route
    assert (grouping.labels, grouping.refusal) == (("route",), "")
    assert grouping.bases == {
        "bad": 'sum(increase(errors_total{job="a"}[{{.window}}]))',
        "total": 'sum(increase(requests_total{job="a"}[{{.window}}]))',
    }


@pytest.mark.parametrize(
    ("error_ratio", "reason"),
    [
        (  # Sloth's raw-home-wifi example: 1 - the mean of a recorded satisfaction ratio
            "1 - (sum(sum_over_time(satisfaction_ratio[{{.window}}]))\n"
            "/ sum(count_over_time(satisfaction_ratio[{{.window}}])))",
            "1 minus a ratio, and sum_over_time / count_over_time of one series is its mean",
        ),
        (  # an average of per-series ratios
            'avg(rate(x{code="500"}[{{.window}}]) / rate(x[{{.window}}]))',
            "it is no A / B at the top level",
        ),
        (  # avg_over_time of a recorded error ratio
            "avg_over_time(slo:sli_error:ratio_rate5m[{{.window}}])",
            "it is no A / B at the top level",
        ),
        (  # the mean of a gauge, written out
            "sum(sum_over_time(error_ratio[{{.window}}])) / sum(count_over_time(error_ratio"
            "[{{.window}}]))",
            "sum_over_time / count_over_time of one series is its mean",
        ),
        (  # irate is a per-second rate of the last two samples, not a count
            'sum(irate(x{code="500"}[{{.window}}])) / sum(irate(x[{{.window}}]))',
            "its numerator ('sum(irate(x{code=\"500\"}[{{.window}}]))') counts with none of",
        ),
        (  # the numerator counts other jobs than the denominator
            'sum(rate(x{code="500"}[{{.window}}])) / sum(rate(x{job="api"}[{{.window}}]))',
            "has no matcher on 'job', which its denominator matches (job=\"api\")",
        ),
        (  # bad over good, not bad over total
            'sum(rate(x{code="500"}[{{.window}}])) / sum(rate(x{code="200"}[{{.window}}]))',
            'count different series (code="500" and code="200")',
        ),
        (  # a sum of counts as the numerator
            "(sum(rate(a[{{.window}}])) + sum(rate(b[{{.window}}]))) / sum(rate(c[{{.window}}]))",
            "its numerator is a sum of counts",
        ),
    ],
)
def test_ratios_that_cannot_be_split_are_left_out_with_the_reason(
    tmp_path: Path, error_ratio: str, reason: str
) -> None:
    plan = planned(tmp_path, spec(error_ratio))
    assert plan.problems == []
    assert plan.writes == []
    (left,) = [n for n in plan.files[0].imported.notes if n.skipped]
    assert left.field == "slos[0].sli.raw.error_ratio_query"
    assert reason in left.reason
    assert "write it as sli.events" in left.reason or "selector" in left.reason


def test_a_raw_sli_without_its_query_or_window_is_refused_at_its_field(tmp_path: Path) -> None:
    plan = planned(tmp_path, spec("sum(rate(x[{{.window}}]))", key="error_ratio"))
    assert [(p.code, p.field) for p in plan.problems] == [
        ("import-missing-field", "slos[0].sli.raw.error_ratio_query")
    ]
    plan = planned(tmp_path, spec('sum(rate(x{code="500"}[5m])) / sum(rate(x[5m]))'))
    assert [(p.code, p.field) for p in plan.problems] == [
        ("import-invalid-value", "slos[0].sli.raw.error_ratio_query")
    ]
    assert "has no {{.window}} range" in plan.problems[0].message
    plan = planned(tmp_path, spec("x").replace("raw:\n        error_ratio_query: |\n", "raw: |\n"))
    assert [(p.code, p.field) for p in plan.problems] == [
        ("import-invalid-value", "slos[0].sli.raw")
    ]
    assert "not a mapping" in plan.problems[0].message


def test_slo_generator_query_sli_refuses_the_same_shapes(tmp_path: Path) -> None:
    """The two importers agree: a query_sli that is the mean of a series, or whose numerator
    is no share of its denominator, is left out too."""
    template = """\
apiVersion: sre.google.com/v2
kind: ServiceLevelObjective
metadata: {name: q, labels: {service_name: shop}}
spec:
  backend: prometheus
  method: query_sli
  service_level_indicator:
    expression: EXPRESSION
  goal: 0.99
"""
    for expression, reason in (
        (
            "sum(sum_over_time(ok_ratio[window])) / sum(count_over_time(ok_ratio[window]))",
            "sum_over_time / count_over_time of one series is its mean",
        ),
        (
            'sum(rate(x{code="200"}[window])) / sum(rate(x{job="api"}[window]))',
            "has no matcher on 'job'",
        ),
    ):
        source = tmp_path / "slo.yaml"
        source.write_text(template.replace("EXPRESSION", f"'{expression}'"), encoding="utf-8")
        plan = plan_import("slo-generator", [source], into=tmp_path / "ws")
        assert plan.writes == []
        (left,) = [n for n in plan.files[0].imported.notes if n.skipped]
        assert left.field == "spec.service_level_indicator.expression"
        assert reason in left.reason


def test_split_groups_splits_a_grouped_raw_ratio_per_group(tmp_path: Path) -> None:
    """--split-groups: one SLO per route the server has, each its route's bad / total."""
    source = tmp_path / "sloth.yml"
    source.write_text(
        spec(
            'sum by (route) (rate(x{code="500"}[{{.window}}]))\n'
            "/ sum by (route) (rate(x[{{.window}}]))"
        ),
        encoding="utf-8",
    )
    docs, problems = read_file(source)
    assert problems == []
    options = Options(split_groups=True)
    result = import_sloth(docs, file=str(source), options=options)
    at = datetime(2026, 3, 1, tzinfo=UTC)
    split_groups([result], options=options, at=at, ask=lambda q, t: [{"route": "/pay"}])
    (document,) = [d for d in result.documents if d["kind"] == "SLO"]
    assert document["metadata"]["name"] == "errors-pay"
    ratio = document["spec"]["indicator"]["spec"]["ratioMetric"]
    assert query(ratio, "bad") == 'sum(increase(x{code="500",route="/pay"}[{{.window}}]))'
    assert query(ratio, "total") == 'sum(increase(x{route="/pay"}[{{.window}}]))'
