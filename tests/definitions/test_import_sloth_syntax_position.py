"""A Sloth query that is not PromQL is refused with the position of the mistake counted in
the query as the source file writes it, not in the query Covenant rewrote (``rate`` read as
``increase``, ``error_query`` turned into a count of good events)."""

from __future__ import annotations

from pathlib import Path

from covenant.services.importing import plan_import

QUERY = 'sum(rate(http_request_duration_seconds_count{job="x"}[{{.window}}])) foo'
SLOTH = f"""\
version: "prometheus/v1"
service: "myservice"
slos:
  - name: "requests-latency"
    objective: 99
    sli:
      events:
        error_query: |
          {QUERY}
          -
          sum(rate(http_request_duration_seconds_bucket{{job="x", le="0.5"}}[{{{{.window}}}}]))
        total_query: sum(rate(http_request_duration_seconds_count{{job="x"}}[{{{{.window}}}}]))
    alerting: {{page_alert: {{disable: true}}, ticket_alert: {{disable: true}}}}
"""


def test_the_position_counts_in_the_query_as_written(tmp_path: Path) -> None:
    source = tmp_path / "slos.yml"
    source.write_text(SLOTH, encoding="utf-8")
    plan = plan_import("sloth", [source], into=tmp_path / "ws")
    (problem,) = plan.problems
    assert problem.where == f"{source}:{SLOTH.splitlines().index('        error_query: |') + 1}"
    column = QUERY.index("foo") + 1
    assert f"from line 1, column {column} of the query ('foo')" in problem.message
    assert problem.message.startswith("'sum(rate(http_request_duration_seconds_count")
