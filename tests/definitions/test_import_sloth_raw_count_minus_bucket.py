"""A Sloth raw ``error_ratio_query`` that is ``(count − bucket) / count``.

Found in a guide's ``sloth.yaml`` (code search for ``error_ratio_query:``, document id
67250319875, SLO ``http-latency-p99-raw``; its ``[5m]`` ranges, which Sloth refuses, written
``[{{.window}}]`` here). The same shape in ``error_query`` (``count − bucket`` over ``count``)
and from the apiserver latency plugin is imported as good = the bucket, total = the count;
written as a raw ratio it was left out ("its numerator is counts joined by '-'"). The error
ratio ``(T − G) / T`` is ``1 − G / T``: G counts the good events.
"""

from __future__ import annotations

from pathlib import Path

from tests.definitions.test_import_real_shapes import planned
from tests.definitions.test_import_sloth_raw import query, ratio_of

W = "[{{.window}}]"
SPEC = """\
version: "prometheus/v1"
service: "web-api"
slos:
  - name: "http-latency-p99-raw"
    objective: 99
    sli:
      raw:
        error_ratio_query: |
          (
            sum(rate(http_request_duration_seconds_count{service="web-api"}[{{.window}}]))
            -
            sum(rate(http_request_duration_seconds_bucket{service="web-api",le="0.3"}[{{.window}}]))
          )
          /
          sum(rate(http_request_duration_seconds_count{service="web-api"}[{{.window}}]))
    alerting:
      name: WebApiLatencyRaw
      labels:
        severity: warning
"""


def test_count_minus_bucket_over_count_is_the_bucket_as_good(tmp_path: Path) -> None:
    plan = planned(tmp_path, "sloth", {"sloth.yaml": SPEC})
    assert plan.problems == []
    (file,) = plan.files
    assert [n.reason for n in file.imported.notes if n.skipped] == []
    ratio = ratio_of(plan, "http-latency-p99-raw")
    assert set(ratio) == {"counter", "good", "total"}
    on = 'service="web-api"'
    assert query(ratio, "good") == (
        f'sum(increase(http_request_duration_seconds_bucket{{{on},le="0.3"}}{W}))'
    )
    assert query(ratio, "total") == (
        f"sum(increase(http_request_duration_seconds_count{{{on}}}{W}))"
    )
    (note,) = [n for n in file.imported.notes if "the good events" in n.reason]
    assert note.field == "slos[0].sli.raw.error_ratio_query"
