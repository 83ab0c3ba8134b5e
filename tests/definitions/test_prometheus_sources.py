"""Prometheus DataSources are validated with coded problems; SLIs naming them become the queries
of the query convention (docs/prometheus.md)."""

from __future__ import annotations

import pytest

from covenant.core.promql import PrometheusSource
from tests.definitions.helpers import errors, load_text

SOURCE = """\
apiVersion: openslo/v1
kind: DataSource
metadata: {{name: metrics}}
spec:
  type: {kind}
  connectionDetails:
{details}
"""

SLI_AND_SLO = """\
---
apiVersion: openslo/v1
kind: SLI
metadata: {name: api}
spec:
  ratioMetric:
    counter: true
    good:
      metricSource: {metricSourceRef: metrics, type: Prometheus, spec: {query: 'GOOD'}}
    total:
      metricSource: {metricSourceRef: metrics, type: Prometheus, spec: {query: 'TOTAL'}}
---
apiVersion: openslo/v1
kind: SLO
metadata: {name: api}
spec:
  service: api
  indicatorRef: api
  timeWindow: [{duration: 28d, isRolling: true}]
  budgetingMethod: Occurrences
  objectives: [{target: 0.99}]
---
apiVersion: openslo/v1
kind: Service
metadata: {name: api}
spec: {}
"""


def source_text(details: str, kind: str = "Prometheus") -> str:
    indented = "\n".join("    " + line for line in details.strip().splitlines())
    return SOURCE.format(kind=kind, details=indented)


def workspace(details: str, good: str = "http_requests_total{code!~'5..'}", total: str = "") -> str:
    sli = SLI_AND_SLO.replace("GOOD", good.replace("'", "''"))
    sli = sli.replace("TOTAL", (total or "http_requests_total").replace("'", "''"))
    return source_text(details) + sli


def test_a_full_data_source_is_read_with_every_detail() -> None:
    details = """
url: https://mimir.example.com/prometheus/
bearerTokenEnv: MIMIR_TOKEN
headers: {X-Team: sre}
tenant: team-a
timeout: 45s
tlsVerify: true
caFile: /etc/ssl/ca.pem
"""
    ws, problems = load_text(workspace(details))
    assert errors(problems) == []
    assert ws is not None
    assert ws.prometheus is not None
    (read,) = ws.prometheus.reads
    assert read.source == PrometheusSource(
        name="metrics",
        url="https://mimir.example.com/prometheus",
        bearer_token_env="MIMIR_TOKEN",
        headers=(("X-Team", "sre"),),
        tenant="team-a",
        timeout_s=45.0,
        tls_verify=True,
        ca_file="/etc/ssl/ca.pem",
    )
    assert read.good == "sum(increase(http_requests_total{code!~'5..'}[{{.window}}]))"
    assert read.total == "sum(increase(http_requests_total[{{.window}}]))"
    assert (read.series, read.slos, read.sli) == ("api", ("api",), "api")


def test_the_go_sdk_list_form_and_compatible_types_are_read() -> None:
    text = source_text("- url: http://vm:8428\n- timeout: 1m", kind="victoriaMetrics")
    ws, problems = load_text(
        text + SLI_AND_SLO.replace("GOOD", "good_total").replace("TOTAL", "all_total")
    )
    assert errors(problems) == []
    assert ws is not None
    assert ws.prometheus is not None
    (read,) = ws.prometheus.reads
    assert (read.source.url, read.source.timeout_s) == ("http://vm:8428", 60.0)


@pytest.mark.parametrize(
    ("details", "code", "field"),
    [
        ("timeout: 30s", "missing-field", "spec.connectionDetails.url"),
        ("url: prometheus:9090", "invalid-data-source", "spec.connectionDetails.url"),
        ("url: http://u:p@prom:9090", "inline-secret", "spec.connectionDetails.url"),
        (
            "url: http://prom:9090\nbearerToken: abc",
            "inline-secret",
            "spec.connectionDetails.bearerToken",
        ),
        (
            "url: http://prom:9090\nheaders: {Authorization: Bearer abc}",
            "inline-secret",
            "spec.connectionDetails.headers.Authorization",
        ),
        (
            "url: http://prom:9090\nbasicAuth: {usernameEnv: U, password: p}",
            "inline-secret",
            "spec.connectionDetails.basicAuth.password",
        ),
        (
            "url: http://prom:9090\nbearerTokenEnv: my-token",
            "invalid-data-source",
            "spec.connectionDetails.bearerTokenEnv",
        ),
        (
            "url: http://prom:9090\ntimeout: forever",
            "invalid-data-source",
            "spec.connectionDetails.timeout",
        ),
        (
            "url: http://prom:9090\ntimeout: 2h",
            "invalid-data-source",
            "spec.connectionDetails.timeout",
        ),
        # a query, a fragment or an API path: Covenant's /api/v1/... would follow them
        (
            "url: 'http://prom:9090/prometheus?x=1'",
            "invalid-data-source",
            "spec.connectionDetails.url",
        ),
        ("url: 'http://prom:9090/#here'", "invalid-data-source", "spec.connectionDetails.url"),
        ("url: http://prom:9090/api/v1/", "invalid-data-source", "spec.connectionDetails.url"),
        ("url: http://prom:9090/api/v1/query", "invalid-data-source", "spec.connectionDetails.url"),
        (
            "url: http://prom:9090\ntlsVerfy: false",
            "unknown-field",
            "spec.connectionDetails.tlsVerfy",
        ),
        (
            "url: http://prom:9090\nbearerTokenEnv: T\nbasicAuth: {usernameEnv: U, passwordEnv: P}",
            "conflicting-fields",
            "spec.connectionDetails",
        ),
    ],
)
def test_a_bad_data_source_is_a_coded_problem_at_its_field(
    details: str, code: str, field: str
) -> None:
    ws, problems = load_text(workspace(details))
    assert ws is None
    found = {(p.code, p.field) for p in errors(problems)}
    assert (code, field) in found
    assert all(p.where.startswith("ws.yaml:") and p.fix for p in errors(problems))
    # said once, at the DataSource: not again as a query-form warning on every SLI
    assert "prometheus-query-form" not in {p.code for p in problems}


def test_a_data_source_of_another_type_is_not_checked() -> None:
    _, problems = load_text(source_text("- apiKey: my-api-key", kind="Datadog"))
    assert errors(problems) == []


@pytest.mark.parametrize(
    "good",
    [
        "sum(rate(http_requests_total[5m]))",
        "http_requests_total / 2",
        "sum(http_requests_total) by (code) or vector(0)",
    ],
)
def test_a_query_that_cannot_be_counted_is_a_warning_and_the_reason_to_refuse_it(good: str) -> None:
    ws, problems = load_text(workspace("url: http://prom:9090", good=good))
    assert errors(problems) == []
    (warning,) = [p for p in problems if p.code == "prometheus-query-form"]
    assert warning.severity == "warning"
    assert "{{.window}}" in warning.fix
    assert ws is not None
    assert ws.prometheus is not None
    assert ws.prometheus.reads == ()
    assert "cannot count" in ws.prometheus.unreadable["api"]


@pytest.mark.parametrize("part", ["good", "total"])
def test_the_warning_points_at_the_line_of_the_query_it_cannot_count(part: str) -> None:
    bad = "sum(rate(http_requests_total[5m]))"
    text = workspace("url: http://prom:9090", **{part: bad})
    _, problems = load_text(text)
    (warning,) = [p for p in problems if p.code == "prometheus-query-form"]
    # the metricSource written on the line after "good:" / "total:", not the SLI's spec line
    lines = text.splitlines()
    line = next(i for i, written in enumerate(lines, 1) if written.strip() == f"{part}:") + 1
    assert bad in lines[line - 1]
    assert warning.where == f"ws.yaml:{line}"
    assert warning.field == f"spec.ratioMetric.{part}.metricSource.spec.query"


def test_a_histogram_latency_sli_reads_the_le_bucket_and_the_count() -> None:
    text = (
        source_text("url: http://prom:9090")
        + """\
---
apiVersion: openslo/v1
kind: SLO
metadata: {name: latency}
spec:
  service: api
  indicator:
    metadata: {name: api-latency}
    spec:
      thresholdMetric:
        metricSource:
          metricSourceRef: metrics
          spec: {query: 'sum by (job) (http_request_duration_seconds_bucket{job="api"})'}
  timeWindow: [{duration: 28d, isRolling: true}]
  budgetingMethod: Occurrences
  objectives:
    - {op: lte, value: 0.25, target: 0.99}
    - {op: gt, value: 1, target: 0.999, displayName: slow}
"""
    )
    ws, problems = load_text(text)
    assert errors(problems) == []
    assert ws is not None
    assert ws.prometheus is not None
    fast, slow = ws.prometheus.reads
    assert fast.series == "api-latency:lte0.25"
    assert fast.good == (
        'sum(increase(http_request_duration_seconds_bucket{job="api",'
        'le=~"(0*\\\\.250*|2\\\\.50*[eE]-0*1)"}[{{.window}}]))'
    )
    assert (
        fast.total == 'sum(increase(http_request_duration_seconds_count{job="api"}[{{.window}}]))'
    )
    assert slow.series == "api-latency:gt1"
    assert slow.good is None  # the bucket le=1 counts the fast ones: good = count − bucket
    assert slow.bad == (
        'sum(increase(http_request_duration_seconds_bucket{job="api",'
        'le=~"(0*1(\\\\.0*)?|1(\\\\.0*)?[eE][+-]?0+)"}[{{.window}}]))'
    )


def test_an_sli_shared_by_two_slos_is_read_once_for_both() -> None:
    text = (
        workspace("url: http://prom:9090")
        + """\
---
apiVersion: openslo/v1
kind: SLO
metadata: {name: api-monthly}
spec:
  service: api
  indicatorRef: api
  timeWindow: [{duration: 1M, isRolling: false, calendar: {startTime: "2026-01-01 00:00:00"}}]
  budgetingMethod: Occurrences
  objectives: [{target: 0.999}]
"""
    )
    ws, problems = load_text(text)
    assert errors(problems) == []
    assert ws is not None
    assert ws.prometheus is not None
    (read,) = ws.prometheus.reads
    assert read.slos == ("api", "api-monthly")


def test_an_sli_without_a_data_source_reference_is_simply_not_read() -> None:
    text = (
        SLI_AND_SLO.replace("metricSourceRef: metrics, ", "")
        .replace("GOOD", "a")
        .replace("TOTAL", "b")
    )
    text = source_text("url: http://prom:9090") + text
    ws, problems = load_text(text)
    assert [p for p in problems if p.code == "prometheus-query-form"] == []
    assert ws is not None
    assert ws.prometheus is not None
    assert ws.prometheus.reads == ()
    assert "no Prometheus DataSource" in ws.prometheus.unreadable["api"]
    (said,) = [p for p in problems if "names no DataSource" in p.message]  # once per SLI
    assert (said.code, said.severity) == ("unresolved-reference", "warning")
    assert said.field == "spec.ratioMetric.good.metricSource"
    assert "add metricSourceRef: metrics" in said.fix
    alone = SLI_AND_SLO.replace("metricSourceRef: metrics, ", "")  # no DataSource at all
    _, quiet = load_text(alone.replace("GOOD", "a").replace("TOTAL", "b"))
    assert [p for p in quiet if "names no DataSource" in p.message] == []


def test_a_v1alpha_prometheus_sli_is_told_how_to_name_the_data_source() -> None:
    alpha = """\
---
apiVersion: openslo/v1alpha
kind: SLO
metadata: {name: api}
spec:
  service: api
  budgetingMethod: Occurrences
  timeWindows: [{unit: Day, count: 28, isRolling: true}]
  objectives:
    - ratioMetrics:
        counter: true
        good: {source: prometheus, queryType: promql, query: 'x_total{code="200"}'}
        total: {source: prometheus, queryType: promql, query: x_total}
      target: 0.99
      value: 1
"""
    _, problems = load_text(source_text("url: http://prom:9090") + alpha)
    (said,) = [p for p in problems if "names no DataSource" in p.message]
    assert said.fix.startswith("write the file as openslo/v1 (`covenant export openslo`")


def test_a_secret_in_a_data_source_does_not_hide_its_other_problems() -> None:
    """Every problem at once: the inline token, the url without a scheme and the timeout in
    words, not the token alone (the others appeared only once it was removed)."""
    details = "url: prometheus:9090\nbearerToken: abc\nbasicAuth: {usernameEnv: U, password: p}"
    ws, problems = load_text(workspace(details + "\ntimeout: 5 seconds"))
    assert ws is None
    assert sorted((p.code, p.field) for p in errors(problems)) == [
        ("inline-secret", "spec.connectionDetails.basicAuth.password"),
        ("inline-secret", "spec.connectionDetails.bearerToken"),
        ("invalid-data-source", "spec.connectionDetails.timeout"),
        ("invalid-data-source", "spec.connectionDetails.url"),
        ("missing-field", "spec.connectionDetails.basicAuth.passwordEnv"),  # the inline one's
    ]


@pytest.mark.parametrize(
    ("written", "said", "fix"),
    [
        ("alertPolicies: [page-policy]", "found 'page-policy'", "- alertPolicyRef: page-policy"),
        ("objectives: [0.99]", "found 0.99", "write a mapping"),
        ("objectives: [null]", "found nothing (null)", "write a mapping"),
        ("objectives: [true]", "found true", "write a mapping"),
        ("objectives: [1e3]", "found 1000", "write a mapping"),
    ],
)
def test_a_value_where_a_mapping_belongs_is_said_without_python_names(
    written: str, said: str, fix: str
) -> None:
    slo = SLI_AND_SLO.replace("GOOD", "a").replace("TOTAL", "b")
    if written.startswith("objectives"):
        slo = slo.replace("objectives: [{target: 0.99}]", written)
    else:  # beside the objectives
        slo = slo.replace("  objectives:", f"  {written}\n  objectives:")
    _, problems = load_text(slo)
    (problem,) = [p for p in errors(problems) if p.code == "invalid-type"]
    assert problem.message == f"expected a mapping here, {said}"
    assert fix in problem.fix
    assert "instance of" not in problem.message
    assert "Decimal" not in problem.message


def _nobl9(good: str, total: str) -> str:
    """Nobl9's OpenSLO files write the PromQL as ``spec.promql``."""
    sli = SLI_AND_SLO.replace("{query: 'GOOD'}", good).replace("{query: 'TOTAL'}", total)
    return source_text("url: http://prom:9090") + sli


def test_nobl9s_spec_promql_is_the_query_of_a_prometheus_metric_source() -> None:
    ws, problems = load_text(_nobl9("{promql: good_total}", "{promql: all_total}"))
    assert errors(problems) == []
    assert [p for p in problems if p.code == "prometheus-query-form"] == []
    assert ws is not None
    assert ws.prometheus is not None
    (read,) = ws.prometheus.reads
    assert read.good == "sum(increase(good_total[{{.window}}]))"
    assert read.total == "sum(increase(all_total[{{.window}}]))"


def test_spec_query_and_spec_promql_may_both_say_the_same() -> None:
    ws, problems = load_text(
        _nobl9("{query: good_total, promql: good_total}", "{promql: all_total}")
    )
    assert errors(problems) == []
    assert ws is not None
    assert ws.prometheus is not None
    (read,) = ws.prometheus.reads
    assert read.good == "sum(increase(good_total[{{.window}}]))"


def test_spec_query_and_spec_promql_that_differ_are_an_error() -> None:
    # lines: DataSource 1-7, "---" 8, SLI 9-: good's metricSource at 16
    ws, problems = load_text(_nobl9("{query: good_total, promql: ok_total}", "{promql: all_total}"))
    assert ws is None
    assert [(p.code, p.field, p.where, p.message, p.fix) for p in errors(problems)] == [
        (
            "conflicting-fields",
            "spec.ratioMetric.good.metricSource.spec.promql",
            "ws.yaml:16",
            "spec.query and spec.promql are two different queries",
            "keep one: spec.query (spec.promql, Nobl9's name for it, is read when spec.query "
            "is absent)",
        )
    ]


def test_promql_beside_an_empty_query_or_differing_only_in_spaces() -> None:
    ws, problems = load_text(
        _nobl9("{query: '', promql: good_total}", "{query: ' all_total ', promql: all_total}")
    )
    assert errors(problems) == []
    assert ws is not None
    assert ws.prometheus is not None
    (read,) = ws.prometheus.reads
    assert read.good == "sum(increase(good_total[{{.window}}]))"  # the empty query: promql


def test_an_untyped_metric_source_with_two_queries_is_warned_of_not_refused() -> None:
    """Without a type, the DataSource decides (Datadog's spec.query is not PromQL): the
    two queries are a warning, and query is read."""
    text = _nobl9("{query: good_total, promql: ok_total}", "{promql: all_total}")
    untyped = text.replace(
        "{metricSourceRef: metrics, type: Prometheus, spec: {query: good_total",
        "{metricSourceRef: metrics, spec: {query: good_total",
    )
    assert untyped != text
    _, problems = load_text(untyped)
    assert errors(problems) == []
    (warned,) = [p for p in problems if p.code == "conflicting-fields"]
    assert warned.message.endswith("(if its DataSource is Prometheus, query is read)")


# the Go SDK's list form: each problem at the line and item of the key as written (the
# DataSource's lines: 6 is `connectionDetails:`, 7 its first item); before, every one was
# said at line 6, as `spec.connectionDetails.<key>`
@pytest.mark.parametrize(
    ("details", "expected"),
    [
        ("- url: 5", ("invalid-type", "ws.yaml:7", "spec.connectionDetails[0].url")),
        (
            "- timeout: 30s\n- url: http://prom:9090\n- tlsVerify: maybe",
            ("invalid-type", "ws.yaml:9", "spec.connectionDetails[2].tlsVerify"),
        ),
        (
            "- url: http://prom:9090\n- tlsVerfy: false",
            ("unknown-field", "ws.yaml:8", "spec.connectionDetails[1].tlsVerfy"),
        ),
        (
            "- url: http://prom:9090\n- basicAuth:\n    usernameEnv: U\n    passwordEnv: 5",
            ("invalid-type", "ws.yaml:10", "spec.connectionDetails[1].basicAuth.passwordEnv"),
        ),
        (
            "- url: http://prom:9090\n- headers:\n    X-Team: sre\n    Authorization: Bearer abc",
            ("inline-secret", "ws.yaml:10", "spec.connectionDetails[1].headers.Authorization"),
        ),
        (
            "- timeout: 30s\n- url: http://u:p@prom:9090",
            ("inline-secret", "ws.yaml:8", "spec.connectionDetails[1].url"),
        ),
        # no item has it: the list's own line
        ("- timeout: 30s", ("missing-field", "ws.yaml:6", "spec.connectionDetails.url")),
    ],
)
def test_a_problem_in_the_list_form_is_at_its_item(
    details: str, expected: tuple[str, str, str]
) -> None:
    _, problems = load_text(source_text(details))
    assert [(p.code, p.where, p.field) for p in errors(problems)] == [expected]
