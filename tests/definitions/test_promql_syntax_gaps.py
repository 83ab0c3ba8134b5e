"""The PromQL syntax check says where in a query its mistake is, refuses a Grafana dashboard's
variables with their own reason, checks SLIs no SLO reads, names an imported file's own line,
and answers adversarial queries (huge, deeply nested, a NUL byte, empty) with an error rather
than a crash or a hang. Columns are counted by hand from the queries as written."""

from __future__ import annotations

from pathlib import Path

import pytest

from covenant.core.promql_syntax import MOST_OPERATORS, syntax_error
from tests.definitions.helpers import errors, load_text
from tests.definitions.test_import_real_shapes import planned
from tests.definitions.test_prometheus_sources import source_text, workspace
from tests.definitions.test_promql_syntax import SLOTH

URL = "url: http://prom:9090"
GOOD_LINE = 16  # as in test_promql_syntax
RANGE_FIX = "write a fixed duration instead, e.g. [5m], or [{{.window}}] for the count per window"
VALUE_FIX = "write what the variable stands for instead: a number, a metric or label name"

ORPHAN = """\
---
apiVersion: openslo/v1
kind: SLI
metadata: {name: orphan}
spec:
  ratioMetric:
    counter: false
    good:
      metricSource:
        metricSourceRef: metrics
        type: Prometheus
        spec:
          query: |
            sum(rate(x_total{code=~"5.."}[{{.window}}]))
            /
            sum(rate(x_total{job="api" code="500"}[{{.window}}]))
    total:
      metricSource: {metricSourceRef: metrics, type: Prometheus, spec: {query: 'x_total'}}
"""
ORPHAN_LINE = 20  # the DataSource's 7 lines, then the SLI's 13 to `query: |`


def test_an_sli_no_slo_reads_is_checked_and_its_mistake_placed_by_line_and_column() -> None:
    _, problems = load_text(source_text(URL) + ORPHAN)
    (error,) = errors(problems)
    assert (error.code, error.where) == ("promql-syntax", f"ws.yaml:{ORPHAN_LINE}")
    # line 3 of the query: `sum(rate(x_total{job="api" ` is 27 characters, then `code`
    assert error.message.endswith(
        "is not PromQL: it cannot be read on from line 3, column 28 of the query ('code')"
    )
    assert error.fix.startswith("look at 'code' and just before it: a missing comma")


def test_a_good_sli_no_slo_reads_is_no_error() -> None:
    text = source_text(URL) + ORPHAN.replace('job="api" code', 'job="api", code')
    _, problems = load_text(text)
    assert errors(problems) == []


@pytest.mark.parametrize(
    ("query", "variable", "fix"),
    [
        (
            'sum(rate(http_requests_total{code=~"5.."}[$__rate_interval]))',
            "$__rate_interval",
            RANGE_FIX,
        ),
        ("sum(increase(http_requests_total[$__range]))", "$__range", RANGE_FIX),
        ("sum(increase(http_requests_total[${window}]))", "${window}", RANGE_FIX),
        ("sum(rate(http_requests_total[5m:$__interval]))", "$__interval", RANGE_FIX),
        ("sum(rate(http_requests_total[5m])) / $total", "$total", VALUE_FIX),
        ("sum(rate(http_requests_total[5m])) * ${scale:raw}", "${scale:raw}", VALUE_FIX),
        ("sum(rate(http_requests_total[[[window]]]))", "[[window]]", RANGE_FIX),
    ],
)
def test_a_grafana_variable_is_refused_by_name(query: str, variable: str, fix: str) -> None:
    _, problems = load_text(workspace(URL, good=query))
    (error,) = errors(problems)
    assert (error.code, error.where) == ("promql-syntax", f"ws.yaml:{GOOD_LINE}")
    assert error.message == (
        f"'{query}' holds the variable '{variable}', which a Grafana dashboard or a templating "
        "tool fills in and Prometheus does not: Covenant sends the query as it is written"
    )
    assert error.fix == fix


@pytest.mark.parametrize(
    "query",
    [
        'sum(label_replace(increase(x_total[{{.window}}]), "dst", "$1", "src", "(.*)"))',
        'sum(increase(x_total{path=~"^/api$"}[{{.window}}]))',  # an anchor
        "sum(increase(x_total[{{ .window }}]))",  # Sloth's placeholder stays accepted
        # in a label value a variable is PromQL (matching only its own text): not refused
        'sum(increase(x_total{job=~"$job", env="${env}"}[{{.window}}]))',
    ],
)
def test_a_dollar_that_is_no_grafana_variable_is_accepted(query: str) -> None:
    assert syntax_error(query) is None


def test_a_sloth_query_with_a_grafana_variable_is_refused_at_its_line(tmp_path: Path) -> None:
    query = "sum(rate(http_requests_total{code=~'5..'}[$__rate_interval]))"
    plan = planned(
        tmp_path, "sloth", {"slos.yaml": SLOTH.replace("ERROR", query.replace("'", "''"))}
    )
    (problem,) = [p for p in plan.problems if p.field == "slos[0].sli.events.error_query"]
    assert problem.where.endswith("slos.yaml:8")
    assert "holds the variable '$__rate_interval', which a Grafana dashboard" in problem.message
    assert problem.fix == RANGE_FIX


SLOGEN = """\
apiVersion: sre.google.com/v2
kind: ServiceLevelObjective
metadata:
  name: api-availability
spec:
  description: Availability
  backend: prometheus
  method: good_bad_ratio
  service_level_indicator:
    filter_good: GOOD
    filter_valid: http_requests_total{job="api"}
  goal: 0.99
"""


@pytest.mark.parametrize(
    ("good", "said"),
    [
        (
            'http_requests_total{job="api" code!~"5.."}',
            "it cannot be read on from column 31 of the query ('code')",
        ),
        (
            'rate(http_requests_total{job="api"}[windw])',
            "unexpected character inside brackets: 'w', at column 37 of the query ('windw')",
        ),
    ],
)
def test_a_slo_generator_filter_that_is_not_promql_is_refused_at_its_own_line(
    tmp_path: Path, good: str, said: str
) -> None:
    plan = planned(tmp_path, "slo-generator", {"slo.yaml": SLOGEN.replace("GOOD", good)})
    (problem,) = [p for p in plan.problems if p.field.endswith("filter_good")]
    assert problem.code == "import-invalid-value"
    assert problem.where.endswith("slo.yaml:10")
    assert problem.message == f"'{good}' is not PromQL: {said}"


def test_a_slo_generator_window_filter_is_promql(tmp_path: Path) -> None:
    good = 'rate(http_requests_total{job="api", code!~"5.."}[window])'
    plan = planned(tmp_path, "slo-generator", {"slo.yaml": SLOGEN.replace("GOOD", good)})
    assert [p.message for p in plan.problems] == []


def test_a_query_with_too_many_operators_is_refused_without_asking_the_parser() -> None:
    query = "x_total" + " + x_total" * 2000  # the parser would take seconds
    error = syntax_error(query)
    assert error is not None
    assert "holds 2000 operators and parentheses" in error.message
    assert f"Covenant checks queries of at most {MOST_OPERATORS}" in error.message
    assert len(error.message) < 600  # the query is quoted in part


def test_deeply_nested_parentheses_are_an_error_not_a_crash() -> None:
    depth = 20_000  # the parser overflows its stack near 10,000
    error = syntax_error("(" * depth + "x_total" + ")" * depth)
    assert error is not None
    assert f"holds {depth} operators and parentheses" in error.message


def test_a_huge_query_is_said_without_a_place_and_quoted_in_part() -> None:
    query = 'x_total{path=~"' + "a" * 100_000 + '"} y'
    error = syntax_error(query)
    assert error is not None
    assert error.message.endswith(
        "…' is not PromQL: the parser could not read it (it names no cause)"
    )
    assert len(error.message) < 600


def test_a_nul_byte_is_placed() -> None:
    _, problems = load_text(workspace(URL, good="GOODQ").replace("'GOODQ'", '"sum(x_total\\0)"'))
    (error,) = errors(problems)
    assert error.code == "promql-syntax"
    # sum( is 4 characters, x_total 7: the NUL is the 12th
    assert error.message == (
        "'sum(x_total\\x00)' is not PromQL: unexpected character: '\\0', at column 12 of the "
        "query ('\\x00')"
    )
    assert error.fix == "remove that character: PromQL has no use for it outside a quoted value"


@pytest.mark.parametrize(
    ("written", "said"),
    [
        ("''", "a metricSource has no spec.query (or spec.promql) text"),
        ("5", "metricSource.spec.query holds the number 5 where a PromQL query string"),
        ("[a, b]", "metricSource.spec.query holds a list where a PromQL query string"),
    ],
)
def test_a_query_that_is_no_text_is_said_so(written: str, said: str) -> None:
    _, problems = load_text(workspace(URL, good="GOODQ").replace("'GOODQ'", written))
    (problem,) = [p for p in problems if p.code.startswith("prom")]
    assert problem.code == "prometheus-query-form"
    assert problem.where == f"ws.yaml:{GOOD_LINE}"
    assert said in problem.message


def test_an_empty_query_text_is_a_syntax_error_with_a_fix() -> None:
    error = syntax_error("   ")
    assert error is not None
    assert error.message == "'' is not PromQL: no expression found in input"
    assert error.hint == 'write the query, e.g. sum(rate(http_requests_total{job="api"}[5m]))'


@pytest.mark.parametrize(
    ("query", "place"),
    [
        # a `(` in a comment opens nothing: sum's own `(` (line 2, column 4) is left open
        ("# errors (5xx)\nsum(rate(x_total[5m])", "at line 2, column 4 of the query ('(')"),
        # a `(` in a label value opens nothing: the `{` at column 2 is left open
        ('x{a="b(", c="d"', "at column 2 of the query ('{')"),
        # the quote that starts the value at column 9 is never closed
        ('sum(x{a="b})', "at column 9 of the query ('\"')"),
        # x_total (1-7), ` + ` (8-10), x_total (11-17), ` / ` (18-20), bad (21-23), space, bad
        ("x_total + x_total / bad bad", "from column 25 of the query ('bad')"),
    ],
)
def test_the_place_is_found_past_comments_and_strings(query: str, place: str) -> None:
    error = syntax_error(query)
    assert error is not None
    assert error.message.endswith(place)


def test_an_unreadable_query_past_the_scanned_length_is_said_without_a_place() -> None:
    query = "x_total" + ' + x_total{a="b"}' * 150 + " y"  # 2,559 characters, 150 operators
    error = syntax_error(query)
    assert error is not None
    assert error.message.endswith("is not PromQL: the parser could not read it (it names no cause)")


@pytest.mark.parametrize(
    ("query", "variable"),
    [
        ('sum(increase(http_requests_total{job=~"$job"}[{{.window}}]))', "$job"),
        ("sum(increase(http_requests_total{env='${env:regex}'}[{{.window}}]))", "${env:regex}"),
        ('sum(increase(http_requests_total{job!="[[job]]"}[{{.window}}]))', "[[job]]"),
    ],
)
def test_a_grafana_variable_in_a_label_value_is_a_warning_at_its_line(
    query: str, variable: str
) -> None:
    ws, problems = load_text(workspace(URL, good=query))
    assert errors(problems) == []
    (warning,) = [p for p in problems if p.code == "dashboard-variable"]
    assert (warning.severity, warning.where) == ("warning", f"ws.yaml:{GOOD_LINE}")
    assert warning.message == (
        f"'{query}' holds the variable '{variable}' in a label value: Prometheus matches it as "
        f"the text {variable}, which no series has, so it reads no data"
    )
    assert warning.fix.startswith('write the value the variable stands for, e.g. job="api"')
    assert ws is not None  # a warning: the workspace loads


def test_a_grafana_variable_in_an_sli_no_slo_reads_is_a_warning_too() -> None:
    text = source_text(URL) + ORPHAN.replace('job="api" code="500"', 'job="$job", code="500"')
    _, problems = load_text(text)
    assert errors(problems) == []
    (warning,) = [p for p in problems if p.code == "dashboard-variable"]
    assert warning.where == f"ws.yaml:{ORPHAN_LINE}"
