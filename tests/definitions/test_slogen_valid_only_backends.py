"""slo-generator's Datadog and Dynatrace backends count good_bad_ratio from query_good and
query_valid only (slo_generator/backends/datadog.py and dynatrace.py read
``measurement["query_valid"]`` and no query_bad): a config that gives query_good and query_bad
stops slo-generator (a KeyError on query_valid). It was imported with the note "valid events =
good + bad", which is not what those backends do; it is now left out on its query_bad line,
with the fix. Elasticsearch, OpenSearch, Splunk, Prometheus and Cloud Monitoring do count
good / (good + bad) from a bad query, and keep that note."""

from __future__ import annotations

from pathlib import Path

import pytest

from covenant.services.importing import ImportPlan, plan_import


def plan_for(tmp_path: Path, backend: str, good: str, bad: str) -> ImportPlan:
    path = tmp_path / "slo.yaml"
    path.write_text(
        "apiVersion: sre.google.com/v2\n"  # 1
        "kind: ServiceLevelObjective\n"
        "metadata:\n"
        "  name: app-availability\n"
        "spec:\n"  # 5
        "  description: Availability\n"
        f"  backend: {backend}\n"
        "  method: good_bad_ratio\n"
        "  exporters: []\n"
        "  service_level_indicator:\n"  # 10
        f"    {good}\n"
        f"    {bad}\n"  # 12
        "  goal: 0.99\n",
        encoding="utf-8",
    )
    return plan_import("slo-generator", [path], into=tmp_path / "ws")


def slo_names(plan: ImportPlan) -> list[str]:
    return [
        d["metadata"]["name"]
        for f in plan.files
        for d in f.imported.documents
        if d["kind"] == "SLO"
    ]


def left_out(plan: ImportPlan) -> list[tuple[str, int, str]]:
    return [
        (n.field, int(n.where.rsplit(":", 1)[1]), n.reason)
        for f in plan.files
        for n in f.imported.notes
        if n.skipped
    ]


def reasons(plan: ImportPlan) -> list[str]:
    return [n.reason for f in plan.files for n in f.imported.notes]


@pytest.mark.parametrize(
    ("backend", "good", "bad", "alternative"),
    [
        ("datadog", "query_good: sum:app.ok{*}", "query_bad: sum:app.errors{*}", True),
        (
            "dynatrace",
            "query_good: {metric_selector: 'builtin:service.requestCount.total'}",
            "query_bad: {metric_selector: 'builtin:service.errors.total.count'}",
            False,  # Dynatrace's backend has no query_sli method
        ),
    ],
)
def test_query_bad_where_the_backend_reads_query_valid_is_left_out(
    tmp_path: Path, backend: str, good: str, bad: str, alternative: bool
) -> None:
    plan = plan_for(tmp_path, backend, good, bad)
    assert plan.problems == []
    assert slo_names(plan) == []
    ((field, line, reason),) = left_out(plan)
    assert (field, line) == ("spec.service_level_indicator.query_bad", 12)
    assert "good_bad_ratio takes query_good and query_valid" in reason
    assert ("query_sli" in reason) is alternative
    assert "write the query of all the events as query_valid in place of query_bad" in reason
    assert not any("good + bad" in r for r in reasons(plan))


def test_query_bad_where_the_backend_reads_it_keeps_good_plus_bad(tmp_path: Path) -> None:
    plan = plan_for(
        tmp_path,
        "elasticsearch",
        "query_good: {must: {match: {status: ok}}}",
        "query_bad: {must: {match: {status: error}}}",
    )
    assert plan.problems == []
    assert slo_names(plan) == ["app-availability"]
    assert left_out(plan) == []
    assert "valid events = good + bad (no valid query given)" in reasons(plan)
