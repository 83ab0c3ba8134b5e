"""A workspace of many Prometheus-backed SLOs in several files, for ``covenant rules
prometheus`` at scale: the streaming tests (tests/cli/test_rules_streamed.py) and the memory
benchmark (benchmarks/rules_memory.py) write the same one.

The SLOs cycle through five kinds, so the rule file has each form the generator writes:
a counter ratio over a rolling 30 days; a calendar month in Europe/Berlin (daylight saving
time: the period lengths are recorded and the header says until when the offsets hold); a
histogram latency SLI over a rolling 28 days; a bad-events ratio per calendar week (UTC);
and a Timeslices SLO, which gets no rules (listed with the reason).
"""

from __future__ import annotations

from pathlib import Path

TARGETS = ("0.99", "0.995", "0.999", "0.9995")
KINDS = 5


def _source() -> str:
    return """apiVersion: openslo/v1
kind: DataSource
metadata: {name: prometheus}
spec:
  type: Prometheus
  connectionDetails: {url: "http://localhost:9090"}
"""


def _ratio(key: str, *, bad: bool = False) -> str:
    part = "bad" if bad else "good"
    code = 'code=~"5.."' if bad else 'code!~"5.."'
    return f"""apiVersion: openslo/v1
kind: SLI
metadata: {{name: {key}}}
spec:
  ratioMetric:
    counter: true
    {part}:
      metricSource:
        metricSourceRef: prometheus
        spec: {{query: 'http_requests_total{{job="{key}", {code}}}'}}
    total:
      metricSource:
        metricSourceRef: prometheus
        spec: {{query: 'http_requests_total{{job="{key}"}}'}}
"""


def _latency(key: str) -> str:
    return f"""apiVersion: openslo/v1
kind: SLI
metadata: {{name: {key}}}
spec:
  thresholdMetric:
    metricSource:
      metricSourceRef: prometheus
      spec: {{query: 'http_request_duration_seconds_bucket{{job="{key}"}}'}}
"""


def _slo(key: str, i: int, window: str, objective: str, method: str = "Occurrences") -> str:
    return f"""apiVersion: openslo/v1
kind: SLO
metadata: {{name: {key}}}
spec:
  service: svc{i // 10:04d}
  indicatorRef: {key}
  timeWindow: [{window}]
  budgetingMethod: {method}
  objectives: [{{{objective}}}]
"""


def slo_documents(i: int) -> list[str]:
    """The SLI and SLO documents of the ``i``-th SLO (its kind: ``i % KINDS``)."""
    key, target = f"slo{i:05d}", TARGETS[i % len(TARGETS)]
    kind = i % KINDS
    if kind == 0:
        window = "{duration: 30d, isRolling: true}"
        return [_ratio(key), _slo(key, i, window, f"target: {target}")]
    if kind == 1:
        window = (
            "{duration: 1M, isRolling: false, calendar: "
            '{startTime: "2026-01-01 00:00:00", timeZone: Europe/Berlin}}'
        )
        return [_ratio(key), _slo(key, i, window, f"target: {target}")]
    if kind == 2:
        window = "{duration: 28d, isRolling: true}"
        return [_latency(key), _slo(key, i, window, f"op: lte, value: 0.3, target: {target}")]
    if kind == 3:
        window = (
            "{duration: 1w, isRolling: false, calendar: "
            '{startTime: "2026-01-05 00:00:00", timeZone: UTC}}'
        )
        return [_ratio(key, bad=True), _slo(key, i, window, f"target: {target}")]
    window = "{duration: 30d, isRolling: true}"
    objective = f"target: {target}, timeSliceTarget: 0.99, timeSliceWindow: 1m"
    return [_ratio(key), _slo(key, i, window, objective, method="Timeslices")]


def write_rules_workspace(folder: Path, slos: int, *, files: int = 10) -> Path:
    """``slos`` SLOs in ``files`` YAML files under ``folder`` (created), the DataSource in the
    first; returns ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    parts: list[list[str]] = [[] for _ in range(files)]
    parts[0].append(_source())
    for i in range(slos):
        parts[i * files // max(slos, 1)].extend(slo_documents(i))
    for n, docs in enumerate(parts):
        (folder / f"slos-{n:02d}.yaml").write_text("---\n".join(docs), encoding="utf-8")
    return folder
