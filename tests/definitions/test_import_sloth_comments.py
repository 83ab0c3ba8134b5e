"""PromQL comments in a Sloth query are no part of it.

Prometheus ignores ``#`` to the end of a line, and a block scalar query (``errorQuery: |``)
may carry one per line (``+ 0  # keep the equation positive``: a real spec). Covenant read the
comment as part of the query: ``+ 0  # …`` was "a part that does not grow with the window" and
the SLO was left out, and a commented ``count − bucket`` was not seen as the good bucket.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from covenant.services.importing import ImportPlan, plan_import

SPEC = """\
version: "prometheus/v1"
service: gateway
slos:
  - name: latency
    objective: 99
    sli:
      events:
        error_query: |
          sum(rate(h_count{job="gw"}[{{.window}}]))  # every request
          -
          sum(rate(h_bucket{job="gw",le="0.5"}[{{.window}}]))  # the fast ones
        total_query: |
          # all requests
          sum(rate(h_count{job="gw"}[{{.window}}]))
    alerting: {page_alert: {disable: true}, ticket_alert: {disable: true}}
  - name: availability
    objective: 99.5
    sli:
      events:
        error_query: |
          sum(rate(r_total{job="gw",code=~"5.."}[{{.window}}]))
          + 0  # keep it a number; Sloth divides the two
        total_query: sum(rate(r_total{job="gw"}[{{.window}}]))
    alerting: {page_alert: {disable: true}, ticket_alert: {disable: true}}
"""


def _plan(tmp_path: Path) -> ImportPlan:
    source = tmp_path / "slo.yml"
    source.write_text(SPEC, encoding="utf-8")
    return plan_import("sloth", [source], into=tmp_path / "ws")


def _queries(plan: ImportPlan) -> dict[str, dict[str, str]]:
    docs = [d for _, text in plan.writes for d in yaml.safe_load_all(text) if d]
    found: dict[str, dict[str, str]] = {}
    for doc in docs:
        if doc["kind"] != "SLO":
            continue
        ratio: dict[str, Any] = doc["spec"]["indicator"]["spec"]["ratioMetric"]
        found[doc["metadata"]["name"]] = {
            role: ratio[role]["metricSource"]["spec"]["query"]
            for role in ("good", "bad", "total")
            if role in ratio
        }
    return found


def test_comments_are_dropped_and_the_queries_read_as_without_them(tmp_path: Path) -> None:
    plan = _plan(tmp_path)
    assert plan.problems == []
    assert [n.reason for f in plan.files for n in f.imported.notes if n.skipped] == []
    queries = _queries(plan)
    assert queries["latency"] == {
        "good": 'sum(increase(h_bucket{job="gw",le="0.5"}[{{.window}}]))',
        "total": 'sum(increase(h_count{job="gw"}[{{.window}}]))',
    }
    bad = queries["availability"]["bad"]
    assert "#" not in bad
    assert " ".join(bad.split()) == (
        'sum(increase(r_total{job="gw",code=~"5.."}[{{.window}}])) + 0'
    )
