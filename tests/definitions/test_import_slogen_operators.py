"""slo-generator's Prometheus ``operators`` that give no count per window.

The backend wraps each filter in ``operators``, innermost first (default ``[increase, sum]``).
With ``[rate, sum]`` it divides per-second rates over one window, the same ratio as counts (the
window's length cancels): imported as ``increase``, noted, the form Covenant's Prometheus reader
counts. Before, ``sum(rate(x[{{.window}}]))`` was written as it was and ``covenant validate``
then said the reader cannot count it. Operators Prometheus itself refuses (``[sum, rate]``: an
aggregation over a range) leave the SLO out with the reason, at import.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from covenant.core.promql import count_query
from covenant.services.importing import ImportPlan, plan_import

SLO = """\
apiVersion: sre.google.com/v2
kind: ServiceLevelObjective
metadata: {{name: prom-availability, labels: {{service_name: prom}}}}
spec:
  goal: 0.99
  backend: prometheus
  method: good_bad_ratio
  service_level_indicator:
    filter_good: 'http_requests_total{{code=~"2.."}}[window]'
    filter_valid: 'http_requests_total[window]'
    operators: {operators}
"""


def _plan(tmp_path: Path, operators: str) -> ImportPlan:
    source = tmp_path / "slo.yaml"
    source.write_text(SLO.format(operators=operators), encoding="utf-8")
    return plan_import("slo-generator", [source], into=tmp_path / "ws")


def _ratio(plan: ImportPlan) -> dict[str, Any]:
    docs = [d for _, text in plan.writes for d in yaml.safe_load_all(text) if d]
    (slo,) = [d for d in docs if d["kind"] == "SLO"]
    ratio: dict[str, Any] = slo["spec"]["indicator"]["spec"]["ratioMetric"]
    return ratio


def test_rate_operators_are_imported_as_counts_the_reader_accepts(tmp_path: Path) -> None:
    plan = _plan(tmp_path, "[rate, sum]")
    assert plan.problems == []
    ratio = _ratio(plan)
    good = ratio["good"]["metricSource"]["spec"]["query"]
    total = ratio["total"]["metricSource"]["spec"]["query"]
    assert good == 'sum(increase(http_requests_total{code=~"2.."}[{{.window}}]))'
    assert total == "sum(increase(http_requests_total[{{.window}}]))"
    assert ratio["counter"] is False
    for query in (good, total):
        count_query(query, counter=False)  # the Prometheus reader counts it
    notes = [
        n.reason for f in plan.files for n in f.imported.notes if n.field.endswith("operators")
    ]
    assert any("rate" in n and "increase" in n for n in notes)


def test_operators_prometheus_refuses_leave_the_slo_out_with_the_reason(tmp_path: Path) -> None:
    plan = _plan(tmp_path, "[sum, rate]")
    assert plan.writes == [] or _no_slo(plan)
    (reason,) = [n.reason for f in plan.files for n in f.imported.notes if n.skipped]
    assert "sum() is applied to a range" in reason
    assert "operators: [increase, sum]" in reason


def _no_slo(plan: ImportPlan) -> bool:
    docs = [d for _, text in plan.writes for d in yaml.safe_load_all(text) if d]
    return not [d for d in docs if d["kind"] == "SLO"]
