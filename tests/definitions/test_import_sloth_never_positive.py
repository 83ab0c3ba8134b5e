"""A Sloth error_query that subtracts all of total_query's events is never above 0.

A real spec counts its latency errors as the fast bucket minus every request,
``bucket{le="0.5"} - bucket{le="+Inf"} + 0`` over ``_count`` as total: the opposite of the slow
requests, at most 0. Sloth divides it as written (an error ratio that is never positive: its
alerts never fire); Covenant imported it as a bad count below 0. It is left out at import with
the reason and the fix (total minus the bucket), like any error_query that is no share of the
total.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from covenant.services.importing import plan_import

SPEC = """\
version: "prometheus/v1"
service: gateway
slos:
  - name: latency
    objective: 99
    sli:
      events:
        error_query: 'ERROR'
        total_query: sum(rate(h_count{job="gw"}[{{.window}}]))
    alerting: {page_alert: {disable: true}, ticket_alert: {disable: true}}
"""

FAST = 'sum(rate(h_bucket{job="gw",le="0.5"}[{{.window}}]))'


@pytest.mark.parametrize(
    "error",
    [
        FAST + ' - sum(rate(h_bucket{job="gw",le="+Inf"}[{{.window}}])) + 0',
        FAST + ' - sum(rate(h_count{job="gw"}[{{.window}}]))',
    ],
)
def test_a_bucket_minus_every_request_is_left_out(tmp_path: Path, error: str) -> None:
    source = tmp_path / "slo.yml"
    source.write_text(SPEC.replace("ERROR", error), encoding="utf-8")
    plan = plan_import("sloth", [source], into=tmp_path / "ws")
    (note,) = [n for f in plan.files for n in f.imported.notes if n.skipped]
    assert note.field == "slos[0].sli.events.error_query"
    assert "never above 0" in note.reason
    assert "total_query minus" in note.reason
