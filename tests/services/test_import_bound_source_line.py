"""An ``implausible-latency-bound`` warning of an import names the source file and the line
the bound is written on there (the file the user has), and the place in the file written."""

from __future__ import annotations

from pathlib import Path

from covenant.errors import Problem
from covenant.services.importing import plan_import

CODE = "implausible-latency-bound"
LE = 'le="5000"'
FOUND = Path(__file__).parents[1] / "definitions" / "fixtures" / "found_41"

SLOTH = """\
version: "prometheus/v1"
service: "myservice"
slos:
  - name: "requests-latency"
    objective: 99
    sli:
      events:
        error_query: |
          sum(rate(http_request_duration_seconds_count{job="x"}[{{.window}}]))
          -
          sum(rate(http_request_duration_seconds_bucket{job="x", le="5000"}[{{.window}}]))
        total_query: sum(rate(http_request_duration_seconds_count{job="x"}[{{.window}}]))
    alerting: {page_alert: {disable: true}, ticket_alert: {disable: true}}
  - name: "other-latency"
    objective: 99
    sli:
      events:
        error_query: |
          sum(rate(http_request_duration_seconds_count{job="y"}[{{.window}}]))
          -
          sum(rate(http_request_duration_seconds_bucket{job="y", le="5000"}[{{.window}}]))
        total_query: sum(rate(http_request_duration_seconds_count{job="y"}[{{.window}}]))
    alerting: {page_alert: {disable: true}, ticket_alert: {disable: true}}
"""

SLO_GENERATOR = """\
apiVersion: sre.google.com/v2
kind: ServiceLevelObjective
metadata:
  name: prom-metrics-latency
  labels: {service_name: prom, feature_name: metrics, slo_name: latency}
spec:
  description: Prometheus requests
  backend: prometheus
  method: distribution_cut
  service_level_indicator:
    expression: http_request_duration_seconds_bucket{handler="/metrics"}
    threshold_bucket: 5000
  goal: 0.999
"""


def _line(text: str, piece: str, nth: int = 0) -> int:
    """The (1-based) line of ``text`` holding the ``nth`` copy of ``piece``."""
    return [i for i, line in enumerate(text.splitlines(), 1) if piece in line][nth]


def _warned(tool: str, text: str, tmp_path: Path) -> tuple[Path, list[Problem]]:
    source = tmp_path / "source.yaml"
    source.write_text(text, encoding="utf-8")
    plan = plan_import(tool, [source], into=tmp_path / "ws")
    assert plan.problems == []
    return source, [p for p in plan.warnings if p.code == CODE]


def test_sloth_each_bound_at_its_line_of_the_source(tmp_path: Path) -> None:
    source, warned = _warned("sloth", SLOTH, tmp_path)
    assert [w.where for w in warned] == [
        f"{source}:{_line(SLOTH, LE)}",
        f"{source}:{_line(SLOTH, LE, 1)}",
    ]
    written = tmp_path / "ws" / "sloth-source.yaml"
    for warning in warned:
        assert warning.message.startswith('http_request_duration_seconds_bucket: le="5000"')
        assert f"(written to {written}:" in warning.message
        assert warning.fix.startswith('if 5000 ms is meant, write le="5"')


def test_pyrra_bound_at_its_line_of_the_source(tmp_path: Path) -> None:
    text = (FOUND / "pyrra" / "pyrra-openshift-bundle-reduced.yaml").read_text(encoding="utf-8")
    bucket = 'cco_controller_reconcile_seconds_bucket{le="1"}'
    text = text.replace(bucket, bucket.replace('"1"', '"5000"'))
    source, (warned,) = _warned("pyrra", text, tmp_path)
    assert warned.where == f"{source}:{_line(text, LE)}"
    assert f"(written to {tmp_path / 'ws'}" in warned.message


def test_slo_generator_bound_at_its_threshold_line(tmp_path: Path) -> None:
    source, (warned,) = _warned("slo-generator", SLO_GENERATOR, tmp_path)
    assert warned.where == f"{source}:{_line(SLO_GENERATOR, 'threshold_bucket: 5000')}"
