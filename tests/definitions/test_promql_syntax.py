"""A Prometheus SLI's query that is not PromQL is an error at the query's own line when the
definitions are loaded (docs/prometheus.md#query-syntax), not a refusal by the server at read
time. The bad queries are mistakes people make: a parenthesis or brace not closed, `==` or
`=!` as a matcher, a duration in a unit PromQL lacks, a missing comma, a misspelt function,
`rate` of no range. Each was checked against Prometheus 3.5's own parser (`promtool
--experimental promql format`), which refuses every one of them."""

from __future__ import annotations

from pathlib import Path

import pytest

from covenant.core.promql_syntax import syntax_error
from tests.definitions.helpers import errors, load_text
from tests.definitions.test_import_real_shapes import planned
from tests.definitions.test_prometheus_sources import SLI_AND_SLO, source_text, workspace

GOOD_LINE = 16  # SOURCE's 6 lines and one of details, `---`, then the SLI's 8 to good's query
TOTAL_LINE = 18
URL = "url: http://prom:9090"


@pytest.mark.parametrize(
    ("query", "said", "fix"),
    [
        (
            'sum(rate(http_requests_total{code=~"5.."}[5m])',
            "unclosed left parenthesis, at column 4 of the query ('(')",
            "close every ( with a )",
        ),
        (
            'http_requests_total{code="500"',
            "unexpected end of input inside braces, at column 20 of the query ('{')",
            'close the label matchers with }: x{job="api"}',
        ),
        (
            'http_requests_total{code=="500"}',
            "unexpected '=' in label matching, expected string, at column 26 of the query ('=')",
            'compare a label with =, !=, =~ or !~ and a quoted value: code!~"5.."',
        ),
        (
            'http_requests_total{code=!"500"}',
            "unexpected character after '!' inside braces: '\"', at column 27 of the query ('\"')",
            "write each label matcher as name, operator (=, !=, =~, !~) and a quoted value, "
            'separated by commas: {code!~"5..", job="api"}',
        ),
        (
            "sum(increase(http_requests_total[5x]))",
            "bad number or duration syntax: 5x, at column 34 of the query ('5x')",
            "write a duration as a number and a unit (ms, s, m, h, d, w, y), e.g. 5m or 1h30m",
        ),
        (
            "sum by (code service) (http_requests_total)",
            "it cannot be read on from column 14 of the query ('service')",
            "look at 'service' and just before it: a missing comma between labels or "
            "arguments, an operator without its right-hand side, or two expressions side by side",
        ),
        (
            "sum(increse(http_requests_total[{{.window}}]))",
            "unknown function with name 'increse', at column 5 of the query ('increse')",
            "check the function's spelling; Prometheus's are listed at "
            "https://prometheus.io/docs/prometheus/latest/querying/functions/",
        ),
        (
            "sum(rate(http_requests_total))",
            "expected type matrix in call to function 'rate', got vector, at column 5 of the "
            "query ('rate')",
            "give the function a range after the selector, e.g. increase(x[5m])",
        ),
    ],
)
def test_a_query_that_is_not_promql_is_an_error_at_its_line(
    query: str, said: str, fix: str
) -> None:
    ws, problems = load_text(workspace(URL, good=query))
    (error,) = errors(problems)
    assert error.code == "promql-syntax"
    assert error.where == f"ws.yaml:{GOOD_LINE}"
    assert error.field == "spec.ratioMetric.good.metricSource.spec.query"
    assert error.message == f"'{query}' is not PromQL: {said}"
    assert error.fix == fix
    assert [p for p in problems if p.code == "prometheus-query-form"] == []  # said once
    assert ws is None


def test_every_bad_query_of_an_sli_is_said_each_at_its_line() -> None:
    text = workspace(URL, good="x_total{", total="sum(y_total))")
    _, problems = load_text(text)
    found = sorted((p.where, p.code) for p in errors(problems))
    assert found == [
        (f"ws.yaml:{GOOD_LINE}", "promql-syntax"),
        (f"ws.yaml:{TOTAL_LINE}", "promql-syntax"),
    ]


def test_a_query_written_over_lines_is_said_at_its_first() -> None:
    text = workspace(URL, good="GOODQ").replace(
        "spec: {query: 'GOODQ'}}",
        'spec: {query: \'sum(rate(http_requests_total{code=~"5.."}[{{.window}}]))\n'
        "        / sum(rate(http_requests_total[{{.window}}]'}}",
    )
    _, problems = load_text(text)
    (error,) = errors(problems)
    assert (error.where, error.code) == (f"ws.yaml:{GOOD_LINE}", "promql-syntax")
    # the quoted query's line break folds into a space: its second sum's `rate(` is open
    assert error.message.endswith(
        "is not PromQL: unclosed left parenthesis, at column 68 of the query ('(')"
    )


def test_an_inline_prometheus_sli_is_checked_too() -> None:
    text = SLI_AND_SLO.replace("GOOD", 'x_total{code=~"5.."').replace("TOTAL", "x_total")
    text = text.replace("metricSourceRef: metrics, ", "")
    _, problems = load_text(text)
    (error,) = errors(problems)
    assert (error.where, error.code) == ("ws.yaml:9", "promql-syntax")


@pytest.mark.parametrize(
    "query",
    [
        "http_requests_total{code!~'5..'}",
        'sum by (code) (http_requests_total{job="api"})',
        'sum(increase(http_requests_total{code!~"5.."}[{{.window}}]))',
        "sum(increase(x_total[{{ .window }}])) - sum(increase(y_total[{{- .window -}}]))",
        "sum(rate(x_total[{{.window}}])) * 60",
        'sum(increase(x_total{a="b"}[5m] offset 1h @ end()))',
        "sum(last_over_time(x[{{.window}}:30s]))",
        "sum(holt_winters(x_total[{{.window}}], 0.5, 0.5))",  # Prometheus 2's name, runs there
    ],
)
def test_a_promql_query_is_no_syntax_error(query: str) -> None:
    _, problems = load_text(workspace(URL, good=query))
    assert [p for p in problems if p.code == "promql-syntax"] == []


def test_a_victoriametrics_query_is_metricsql_and_not_checked() -> None:
    metricsql = "sum(increase(x_total[{{.window}}])) - histogram_share(0.2, y_bucket)"
    text = source_text(URL, kind="VictoriaMetrics") + SLI_AND_SLO.replace(
        "GOOD", metricsql
    ).replace("TOTAL", "x_total")
    _, problems = load_text(text)
    assert [p for p in problems if p.code == "promql-syntax"] == []
    assert syntax_error(metricsql) is not None  # Prometheus would refuse it


def test_another_template_action_is_left_to_the_query_convention() -> None:
    query = "sum(increase(x_total{env='{{ .Values.env }}'}[{{.window}}]))"
    assert syntax_error(query) is None
    _, problems = load_text(workspace(URL, good=query))
    assert [p.code for p in problems if p.code.startswith("prom")] == ["prometheus-query-form"]


SLOTH = """\
version: "prometheus/v1"
service: "myservice"
slos:
  - name: "requests-availability"
    objective: 99.9
    sli:
      events:
        error_query: 'ERROR'
        total_query: sum(rate(http_requests_total{job="api"}[{{.window}}]))
    alerting: {page_alert: {disable: true}, ticket_alert: {disable: true}}
"""


@pytest.mark.parametrize(
    ("query", "said"),
    [
        (  # the column counts in the query as written (rate, not the increase it is read as):
            # 29 characters to the '{', 'job="api",' 10 more, 'code=' 5: the second '=' is 45
            'sum(rate(http_requests_total{job="api",code=="500"}[{{.window}}]))',
            "unexpected '=' in label matching, expected string, at column 45 of the query ('=')",
        ),
        (
            "sum(rte(http_requests_total[{{.window}}]))",
            "unknown function with name 'rte', at column 5 of the query ('rte')",
        ),
    ],
)
def test_a_sloth_query_that_is_not_promql_is_refused_at_its_own_line(
    tmp_path: Path, query: str, said: str
) -> None:
    plan = planned(tmp_path, "sloth", {"slos.yaml": SLOTH.replace("ERROR", query)})
    (problem,) = [p for p in plan.problems if p.field == "slos[0].sli.events.error_query"]
    assert problem.code == "import-invalid-value"
    assert problem.where.endswith("slos.yaml:8")
    assert problem.message.endswith(f"is not PromQL: {said}")
