"""The query convention: how an SLI's PromQL becomes a count per bucket (docs/prometheus.md)."""

from __future__ import annotations

import re
from fractions import Fraction

import pytest

from covenant.core.promql import (
    QueryFormError,
    count_query,
    parse_selector,
    query_fingerprint,
    raw_selector,
    step_text,
    window,
)
from covenant.core.promql_fingerprint import spaced
from covenant.core.promql_histograms import histogram_queries, le_pattern, le_values


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("http_requests_total", "sum(increase(http_requests_total[{{.window}}]))"),
        (
            ' http_requests_total{code!~"5..", job="api"} ',
            'sum(increase(http_requests_total{code!~"5..",job="api"}[{{.window}}]))',
        ),
        ('{__name__="x_total"}', 'sum(increase({__name__="x_total"}[{{.window}}]))'),
        ('sum(x_total{a=~"b|c"})', 'sum(increase(x_total{a=~"b|c"}[{{.window}}]))'),
        ("sum by (job) (x_total)", "sum(increase(x_total[{{.window}}]))"),
        ("sum without(instance)(x_total{a='1'})", "sum(increase(x_total{a='1'}[{{.window}}]))"),
        ("sum(x_total) by (job)", "sum(increase(x_total[{{.window}}]))"),
        # a label value may hold braces, commas and quotes
        (r'x_total{path="/a,b}\"c"}', r'sum(increase(x_total{path="/a,b}\"c"}[{{.window}}]))'),
    ],
)
def test_a_counter_selector_or_its_sum_is_counted_with_increase(query: str, expected: str) -> None:
    assert count_query(query, counter=True) == expected


@pytest.mark.parametrize(
    "query",
    [
        "sum(rate(x_total[5m]))",
        "x_total / 2",
        "avg(x_total)",
        "x_total offset 5m",
        "x_total{a}",
        "sum(x_total) + sum(y_total)",
        "",
    ],
)
def test_anything_more_complex_is_refused_with_the_window_form_as_fix(query: str) -> None:
    with pytest.raises(QueryFormError, match="cannot count") as caught:
        count_query(query, counter=True)
    assert caught.value.code == "prometheus-query-form"
    assert "{{.window}}" in caught.value.hint


def test_the_window_form_is_taken_as_written_and_the_step_put_in_place() -> None:
    query = 'sum(increase(x_total{a="b"}[{{.window}}])) - sum(increase(y_total[{{.window}}]))'
    assert count_query(query, counter=False) == query
    assert window(query, 60) == 'sum(increase(x_total{a="b"}[1m])) - sum(increase(y_total[1m]))'
    assert [step_text(s) for s in (30, 60, 90, 300, 3600, 86400)] == [
        "30s",
        "1m",
        "90s",
        "5m",
        "1h",
        "1d",
    ]


@pytest.mark.parametrize(
    "spelled", ["{{ .window }}", "{{.window }}", "{{- .window -}}", "{{\t.window\t}}"]
)
def test_the_placeholder_may_be_spaced_as_go_templates_allow(spelled: str) -> None:
    query = f"sum(increase(x_total[{spelled}]))"
    assert count_query(query, counter=False) == "sum(increase(x_total[{{.window}}]))"


@pytest.mark.parametrize(
    ("query", "said"),
    [
        ("sum(increase(x_total[{{.Window}}]))", "{{.Window}} is not the placeholder"),
        ("sum(increase(x_total[{{ .WINDOW }}]))", "{{ .WINDOW }} is not the placeholder"),
        ("sum(increase(x_total{job={{ .Values.job }}}[{{.window}}]))", "template action"),
        ('sum(increase(x_total{job="{{ .Values.job }}"}[{{.window}}]))', "template action"),
    ],
)
def test_another_template_action_is_refused_saying_which(query: str, said: str) -> None:
    with pytest.raises(QueryFormError, match="cannot count") as caught:
        count_query(query, counter=True)
    assert said in caught.value.message


@pytest.mark.parametrize(
    "query",
    [
        'sum(rate(http_requests_total{code=~"5.."}[{{.window}}]))',
        "sum(irate(x_total[{{.window}}]))",
        "sum(increase(x_total[{{.window}}])) - sum(rate ( y_total[{{.window}}] ))",
        "# it's the errors: a quote in a comment hides nothing\nsum(rate(x_total[{{.window}}]))",
        "sum(rate(x_total[{{.window}}])) * 600",
    ],
)
def test_a_rate_over_the_window_is_refused_for_increase(query: str) -> None:
    """A rate is events per second: summed as a count it is 60 times too small at a 1m step
    (and an alert's at-least-one-event guard keeps it from firing at low traffic)."""
    with pytest.raises(QueryFormError, match="events per") as caught:
        count_query(query, counter=False)
    assert "increase(" in caught.value.hint


@pytest.mark.parametrize(
    "query",
    [
        "sum(increase(x_total[{{.window}}])) + 0 * sum(rate(x_total[5m]))",  # not the window's
        'sum(increase(x_total{path="rate(x[{{.window}}])"}[{{.window}}]))',  # in a string
        "sum(increase(error_rate_total[{{.window}}]))",  # a name, not the function
        "sum(increase(x_total[{{.window}}])) # not rate(x_total[{{.window}}]) * 60",  # comment
        "sum(rate(x_total[{{.window}}])) * 60",  # events per second × 60: per minute
        "60 * sum(rate(x_total[{{.window}}]))",
        "sum(rate(x_total[{{.window}}])) * 60.0",
        "# the API's requests\nsum(increase(x_total[{{.window}}]))",  # a quote in a comment
        "sum(increase(\n  # no offset\n  x_total[{{.window}}]))",  # a keyword in a comment
        "sum(increase(x_total[{{.window}}])) # {{ .Values.note }}",  # an action in a comment
    ],
)
def test_a_rate_elsewhere_is_left_alone(query: str) -> None:
    assert count_query(query, counter=False) == query


@pytest.mark.parametrize(
    ("query", "follows"),
    [
        ('sum_over_time(probe_success{ci="CI000"} == 0[{{.window}}])', "'0'"),
        ("sum(increase(rate(x_total[5m])[{{.window}}]))", "')'"),
        ("sum(increase(x_total + 1e3[{{.window}}]))", "'1e3'"),
        ("sum(increase(x_total offset 1h[{{.window}}]))", "the modifier 'offset 1h'"),
        ("sum(increase(x_total offset -5m [{{.window}}]))", "the modifier 'offset -5m'"),
        ("sum(increase(x_total @ 1700000000[{{.window}}]))", "the modifier '@ 1700000000'"),
    ],
)
def test_a_range_after_anything_but_a_selector_is_refused(query: str, follows: str) -> None:
    """Prometheus answers "ranges only allowed for vector selectors": the rules would not
    load (found in a real Sloth spec)."""
    with pytest.raises(QueryFormError, match=re.escape(f"follows {follows}")):
        count_query(query, counter=False)


@pytest.mark.parametrize(
    "query",
    [
        "sum(increase(x_2xx[{{.window}}]))",
        'sum(increase(x_total{a="b"} [{{.window}}]))',
        'sum(increase({__name__="x_total"}[{{.window}}]))',
        "sum_over_time((x == bool 0)[{{.window}}:1m])",
        "sum(increase(x_total[{{.window}}] offset 1h))",
        "sum(increase(offset_total[{{.window}}]))",  # a name that starts like the keyword
    ],
)
def test_a_range_on_a_selector_or_a_subquery_is_taken(query: str) -> None:
    assert count_query(query, counter=False) == query


def test_a_gauge_query_without_the_window_is_refused() -> None:
    with pytest.raises(QueryFormError, match="counter: true"):
        count_query("x_total", counter=False)


def test_a_histogram_reads_the_le_bucket_as_good_and_the_count_as_total() -> None:
    good, total, is_bad = histogram_queries(
        'latency_seconds_bucket{job="api"}', op="lte", threshold=Fraction("0.3")
    )
    le = "(0*\\\\.30*|3(\\\\.0*)?[eE]-0*1)"  # 0.3, .30, 3e-1, 3.0E-1 …
    assert good == f'sum(increase(latency_seconds_bucket{{job="api",le=~"{le}"}}[{{{{.window}}}}]))'
    assert total == 'sum(increase(latency_seconds_count{job="api"}[{{.window}}]))'
    assert not is_bad
    _, _, is_bad = histogram_queries("latency_seconds_bucket", op="gt", threshold=Fraction(1))
    assert is_bad  # le=1 counts values <= 1: the bad ones when good is > 1


def test_le_spellings_cover_what_clients_write() -> None:
    assert le_values(Fraction(300)) == ("300", "300.0")
    assert le_values(Fraction("0.25")) == ("0.25",)
    assert le_values(Fraction(10**6)) == ("1000000", "1000000.0", "1e+06")
    with pytest.raises(QueryFormError):
        le_values(Fraction(1, 3))


@pytest.mark.parametrize(
    ("threshold", "matched", "unmatched"),
    [
        # Go and Python; Prometheus 3's normal form; padded; Java's Double.toString
        ("0.5", ["0.5", ".5", "0.50", "5e-1", "5E-01", "5.0E-1"], ["0.05", "5", "0.51", "5e1"]),
        ("300", ["300", "300.0", "3e+02", "3.0E2"], ["30", "3000", "300.5", "3e-02"]),
        ("1", ["1", "1.0", "1.00", "1e+00", "1e0"], ["10", "0.1", "1.5", "11"]),
        ("1000000", ["1000000", "1e+06", "1.0E6", "1000000.0"], ["100000", "1e+07", "1e-06"]),
        ("0.0001", ["0.0001", "1e-04", "1.0E-4", "0.00010"], ["0.001", "1e-05", "1e+04"]),
        ("0.00001", ["1e-05", "0.00001", "1.0E-5"], ["1e-06", "0.0001"]),
        ("2.5", ["2.5", "2.50", "2.5e+00", "2.5E0"], ["25", "0.25", "2.55", "2.5e1"]),
        # more digits than a float holds: a client writes the nearest float, 0.12345678901234568
        (
            "0.123456789012345678",
            ["0.123456789012345678", "0.12345678901234568", "1.2345678901234568E-1"],
            ["0.1234567890123457", "0.12345678901234567"],
        ),
    ],
)
def test_le_pattern_matches_every_decimal_spelling_of_the_bound_and_no_other(
    threshold: str, matched: list[str], unmatched: list[str]
) -> None:
    pattern = re.compile(le_pattern(Fraction(threshold)))  # Prometheus anchors it
    assert [s for s in matched if not pattern.fullmatch(s)] == []
    assert [s for s in unmatched if pattern.fullmatch(s)] == []


@pytest.mark.parametrize(
    ("query", "op", "message"),
    [
        ("latency_seconds_count", "lte", "not a selector of a <name>_bucket"),
        ("histogram_quantile(0.99, x_bucket)", "lte", "not a selector"),
        ('x_bucket{le="0.3"}', "lte", "already matches le"),
        ("x_bucket", "lt", "op lt cannot be read exactly"),
        ("x_bucket", "gte", "op gte cannot be read exactly"),
    ],
)
def test_a_histogram_query_that_cannot_be_exact_is_refused(
    query: str, op: str, message: str
) -> None:
    with pytest.raises(QueryFormError, match=message):
        histogram_queries(query, op=op, threshold=Fraction(1))


def test_selectors_parse_as_written() -> None:
    found = parse_selector('up{job="a", env!="b",}')
    assert found is not None
    assert found.name == "up"
    assert found.matchers == (("job", "=", '"a"'), ("env", "!=", '"b"'))
    assert parse_selector("up[5m]") is None


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("  sum by (code)\n  (x)\t", "sum by (code) (x)"),  # re-wrapped in its YAML file
        ('x{a="b  c"}  or  y', 'x{a="b  c"} or y'),  # a label value keeps its spaces
        ("x{a='it\\'s  so'}", "x{a='it\\'s  so'}"),  # an escaped quote does not end it
        ("x{a=`raw\\`  b}", "x{a=`raw\\` b}"),  # a raw string has no escapes
        ("x  # a note  \n  or  y", "x # a note\nor y"),  # a comment ends at its line's end
        ('x{a="#"}  or y', 'x{a="#"} or y'),  # no comment in a string
    ],
)
def test_spaced_makes_white_space_outside_strings_one_space(query: str, expected: str) -> None:
    assert spaced(query) == expected


def test_the_fingerprint_tells_apart_what_counts_differently_and_nothing_else() -> None:
    total = "sum(increase(x[{{.window}}]))"
    good = 'sum(increase(x{code="200"}[{{.window}}]))'
    same = query_fingerprint(good, None, total)
    # a space where there was none counts as a change: only runs of white space are one
    assert query_fingerprint(good.replace("(x", "( x"), None, total) != same
    assert query_fingerprint(f"  {good}\n", None, total) == same  # only wrapped
    assert query_fingerprint(None, good, total) != same  # good read as bad
    assert query_fingerprint(good.replace("200", "201"), None, total) != same
    assert query_fingerprint(good, None, total.replace("x[", "y[")) != same
    commented = "x # or y\n"
    assert query_fingerprint(commented, None, total) != query_fingerprint("x # or\ny", None, total)
    assert len(same) == 64


@pytest.mark.parametrize(
    ("query", "said"),
    [
        ('sum(http_requests_total{job="api"}', "the '(' at character 4 is never closed"),
        ("sum(increase(x[{{.window}}])))", "the ')' at character 30 closes nothing"),
        ('sum(x{job="a")}', "the ')' at character 14 does not close the '{' at character 6"),
        ('sum(x{job="a})', "the string at character 11 is never closed"),
    ],
)
def test_a_query_whose_brackets_or_strings_do_not_close_is_not_promql(
    query: str, said: str
) -> None:
    with pytest.raises(QueryFormError, match=re.escape(said)):
        count_query(query, counter=True)
    # brackets and quotes inside strings and comments are text
    assert count_query('sum(x{a=")]}"})', counter=True) == 'sum(increase(x{a=")]}"}[{{.window}}]))'


@pytest.mark.parametrize(
    ("query", "aggregation"),
    [
        # slo-generator's operators: [sum, rate]; promtool: "expected type instant vector in
        # aggregation expression, got range vector" at the sum, not the rate
        ('rate(sum(x_total{code=~"5.."}[{{.window}}]))', "sum"),
        ("sum by (job) (x_total[{{.window}}])", "sum"),
        ("sum(x_total[{{.window}}]) by (job)", "sum"),
        ("increase(max without (pod) (x_total[{{.window}}]))", "max"),
    ],
)
def test_an_aggregation_of_the_range_is_named_not_the_rate_around_it(
    query: str, aggregation: str
) -> None:
    with pytest.raises(QueryFormError) as caught:
        count_query(query, counter=False)
    assert caught.value.message == (
        f"cannot count {query!r}: {aggregation}() is applied to a range [{{{{.window}}}}], and "
        "Prometheus aggregates only instant vectors (it refuses the query)"
    )
    assert f"{aggregation}(increase(" in caught.value.hint


@pytest.mark.parametrize(
    "query",
    [
        "sum(increase(x_total[{{.window}}]))",
        "sum by (job) (increase(x_total[{{.window}}]))",
        "sum(increase(x_total[{{.window}}])) by (job)",
        'sum(increase(x_total{path="sum(x[{{.window}}])"}[{{.window}}]))',  # in a string
    ],
)
def test_an_aggregation_outside_the_range_function_is_left_alone(query: str) -> None:
    assert count_query(query, counter=False) == query


def test_a_refused_query_is_quoted_as_written() -> None:
    # a backslash in a PromQL string (a regular expression's \d) is shown once, as the file
    # has it, not doubled as Python's repr writes it; the position counts in what is shown
    query = r'  sum(rate(x_total{code=~"5\d\d"}[{{.window}}]))'
    with pytest.raises(QueryFormError) as caught:
        count_query(query, counter=False)
    assert str(caught.value).startswith(
        r"""cannot count 'sum(rate(x_total{code=~"5\d\d"}[{{.window}}]))': rate() over"""
    )
    with pytest.raises(QueryFormError) as unclosed:
        count_query(' x_total{code="5\\"}', counter=True)
    assert str(unclosed.value).startswith(
        r"""'x_total{code="5\"}' is not PromQL: the string at character 14 is never closed —"""
    )


def test_a_position_counts_in_the_query_as_shown_across_lines() -> None:
    # a line break is shown as the two characters \n: the position counts them, so it names
    # the character the reader sees at that place of the quoted text
    query = 'sum(\n  x_total{code="5"\n  '
    with pytest.raises(QueryFormError) as caught:
        count_query(query, counter=True)
    quoted = "sum(\\n  x_total{"
    assert caught.value.message == (
        f"'{quoted}code=\"5\"' is not PromQL: the '{{' at character {len(quoted)} is never closed"
    )


@pytest.mark.parametrize(
    "query",
    [
        '# good: all but 5xx\nsum(\n  http_requests_total{job="api", # the job\n'
        '    code!~"5.."}\n)',
        'http_requests_total{job="api",code!~"5.."}  # a counter',
        'sum(http_requests_total{job="api",code!~"5.."}) # summed',
    ],
)
def test_a_counter_query_with_comments_is_the_counter_it_names(query: str) -> None:
    # a counter written over lines with `#` comments (valid PromQL, and the query's SHA-256
    # already takes comments as space) was refused: "must be a selector or a sum of one"
    assert count_query(query, counter=True) == (
        'sum(increase(http_requests_total{job="api",code!~"5.."}[{{.window}}]))'
    )


@pytest.mark.parametrize(
    "template",
    [
        'sum(increase(\n  http_requests_total{job="api"}[{{.window}}]  # per window\n))',
        'sum (increase( http_requests_total{job="api"} [{{.window}}] ) )',
    ],
)
def test_a_counter_template_spread_over_lines_is_read_from_its_samples(template: str) -> None:
    # `sum(increase(S[{{.window}}]))` with spaces or line breaks between its parts was not
    # known as the counter form: asked with query_range, it returned no point on Prometheus 3
    # for a counter scraped once a minute (increase of one sample), so no event was counted
    assert raw_selector(template) == 'http_requests_total{job="api"}'
