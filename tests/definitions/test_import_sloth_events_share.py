"""Sloth's ``sli.events``: error_query must count a share of total_query's events.

A raw ratio's parts got this check (count_ratio.not_counts: "numerator not a share of
denominator"), but ``sli.events`` did not: ``error_query: x{code="500"}`` over
``total_query: x{job="api"}`` imported silently, its bad count (every job's 500s) able to exceed
its total (one job's requests), which Covenant's Prometheus reader refuses at the first such
minute, long after the import. An error_query grouped by a label total_query does not keep
(``by (code)`` over ``sum(...)``) imported too, summed; in Sloth it divides series whose labels
differ, so it matched nothing and the SLO never had a value. Both are now left out at import,
with the reason and the fix. Expected reasons are written by hand from the queries.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from covenant.services.importing import ImportPlan, plan_import

SLOTH = """\
version: prometheus/v1
service: shop
slos:
  - name: errors
    objective: 99
    sli:
      events:
        error_query: 'ERROR'
        total_query: 'TOTAL'
    alerting: {page_alert: {disable: true}, ticket_alert: {disable: true}}
"""
W = "[{{.window}}]"


def _plan(tmp_path: Path, error: str, total: str) -> ImportPlan:
    source = tmp_path / "sloth.yml"
    source.write_text(SLOTH.replace("ERROR", error).replace("TOTAL", total), encoding="utf-8")
    return plan_import("sloth", [source], into=tmp_path / "ws")


@pytest.mark.parametrize(
    ("error", "total", "reason"),
    [
        (
            f'sum(rate(x{{code="500"}}{W}))',
            f'sum(rate(x{{job="api"}}{W}))',
            "its error_query (x{code=\"500\"}) has no matcher on 'job', which its total_query "
            'matches (job="api"): it counts x series the total does not hold, so it is no '
            'share of the total; add job="api" to the error_query',
        ),
        (
            f'sum(rate(x{{code="500"}}{W}))',
            f'sum(rate(x{{code="200"}}{W}))',
            'its error_query (x{code="500"}) and total_query (x{code="200"}) count different '
            'series (code="500" and code="200"): the error_query\'s events are not among the '
            "total's; make the total_query count all the events",
        ),
        (  # grouped: the rule holds for the series under the grouping
            f'sum by (code) (rate(x{{code=~"5.."}}{W}))',
            f'sum by (code) (rate(x{{job="api"}}{W}))',
            "has no matcher on 'job', which its total_query matches (job=\"api\")",
        ),
        (
            f"sum(sum_over_time(ok{W}))",
            f"sum(count_over_time(ok{W}))",
            "sum_over_time / count_over_time of one series is its mean",
        ),
        (
            f'sum by (code) (rate(x{{code=~"5.."}}{W}))',
            f"sum(rate(x{W}))",
            "error_query groups by (code) and total_query sums into one series (no by): Sloth "
            "divides series whose labels are the same, and only one side keeps code, so no "
            "error series has a total series to be divided by (Sloth's SLI has no value); "
            "group both queries by the same labels",
        ),
        (
            f"sum(rate(e{W})) by (host)",
            f"sum(rate(t{W})) by (zone)",
            "error_query groups by (host) and total_query groups by (zone): Sloth divides "
            "series whose labels are the same, and only one side keeps host, zone,",
        ),
        (
            f'sum(rate(x{{code=~"5.."}}{W}))',
            f"sum by (route) (rate(x{W}))",
            "error_query sums into one series (no by) and total_query groups by (route)",
        ),
    ],
    ids=["other-job", "other-code", "grouped-other-job", "mean", "by-code", "by-apart", "total-by"],
)
def test_an_error_query_that_is_no_share_of_the_total_is_left_out(
    tmp_path: Path, error: str, total: str, reason: str
) -> None:
    plan = _plan(tmp_path, error, total)
    assert plan.problems == []
    assert plan.writes == []
    (left,) = [n for n in plan.files[0].imported.notes if n.skipped]
    assert left.field == "slos[0].sli.events.error_query"
    assert left.reason.startswith("error_query must count a share of total_query's events")
    assert reason in left.reason


@pytest.mark.parametrize(
    ("error", "total"),
    [
        (  # Sloth's getting-started: the same job, the 5xx and 429 of it
            f'sum(rate(http_requests_total{{job="api",code=~"(5..|429)"}}{W}))',
            f'sum(rate(http_requests_total{{job="api"}}{W}))',
        ),
        (f'sum(rate(x{{code="500"}}{W}))', f'sum(rate(x{{code=~".*"}}{W}))'),  # matches all
        (f'sum(rate(errors_total{{job="a"}}{W}))', f'sum(rate(requests_total{{job="b"}}{W}))'),
        (
            f'sum by (route) (rate(x{{code=~"5.."}}{W}))',
            f"sum(rate(x{W})) by (route)",
        ),
    ],
    ids=["getting-started", "match-all", "other-metrics", "same-grouping"],
)
def test_an_error_query_that_is_a_share_still_imports(
    tmp_path: Path, error: str, total: str
) -> None:
    """Other metrics (errors_total over requests_total) cannot be compared: imported."""
    plan = _plan(tmp_path, error, total)
    assert plan.problems == []
    assert [n for n in plan.files[0].imported.notes if n.skipped] == []
    assert len(plan.writes) == 1
