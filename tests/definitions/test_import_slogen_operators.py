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


# The rate written in the filters themselves, summed by `operators: [sum]`: slo-generator
# replaces `[window` in each filter and sends sum(rate(x[3600s])), a valid query; good / valid
# of two such rates over one window is the ratio of the counts.
IN_FILTERS = """\
apiVersion: sre.google.com/v2
kind: ServiceLevelObjective
metadata: {name: shop-availability, labels: {service_name: shop}}
spec:
  goal: 0.995
  backend: prometheus
  method: good_bad_ratio
  service_level_indicator:
    filter_good: rate(shop_requests_total{code!~"5.."}[window])
    filter_valid: rate(shop_requests_total[window])
    operators: [sum]
"""


def test_a_rate_in_the_filters_summed_by_the_operators_is_imported_as_counts(
    tmp_path: Path,
) -> None:
    """Before, the operators were checked on a bare selector, as if the range were appended
    to the filter: the SLO was left out with "sum() is applied to a range", though
    slo-generator's query holds no such thing."""
    source = tmp_path / "slo.yaml"
    source.write_text(IN_FILTERS, encoding="utf-8")
    plan = plan_import("slo-generator", [source], into=tmp_path / "ws")
    assert plan.problems == []
    assert [n.reason for f in plan.files for n in f.imported.notes if n.skipped] == []
    ratio = _ratio(plan)
    good = ratio["good"]["metricSource"]["spec"]["query"]
    total = ratio["total"]["metricSource"]["spec"]["query"]
    assert good == 'sum(increase(shop_requests_total{code!~"5.."}[{{.window}}]))'
    assert total == "sum(increase(shop_requests_total[{{.window}}]))"
    assert ratio["counter"] is False
    for query in (good, total):
        count_query(query, counter=False)
    (note,) = [
        n.reason for f in plan.files for n in f.imported.notes if n.field.endswith("operators")
    ]
    # what slo-generator sends
    assert 'sum(rate(shop_requests_total{code!~"5.."}[{{.window}}]))' in note
    assert "increase" in note


def test_operators_that_fail_on_the_filters_name_the_query_sent(tmp_path: Path) -> None:
    """`[increase, sum]` (the default) around a filter that is a rate already: slo-generator
    sends increase(rate(…)), which Prometheus refuses (increase takes a range)."""
    source = tmp_path / "slo.yaml"
    source.write_text(IN_FILTERS.replace("    operators: [sum]\n", ""), encoding="utf-8")
    plan = plan_import("slo-generator", [source], into=tmp_path / "ws")
    assert _no_slo(plan) or plan.writes == []
    (note,) = [n for f in plan.files for n in f.imported.notes if n.skipped]
    assert note.field.endswith("operators")
    assert 'sum(increase(rate(shop_requests_total{code!~"5.."}[{{.window}}])))' in note.reason
    assert "increase() takes a range" in note.reason
