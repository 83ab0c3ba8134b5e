"""The query convention: how an SLI query becomes a count per window (PROM.md, rules 1–3)."""

from __future__ import annotations

from fractions import Fraction

import pytest

from covenant.core.prom_queries import (
    NoCountFormError,
    at_window,
    count_template,
    histogram_templates,
    selector_of,
)


@pytest.mark.parametrize(
    ("query", "selector"),
    [
        ('http_requests_total{code!~"5.."}', 'http_requests_total{code!~"5.."}'),
        ("http_requests_total", "http_requests_total"),
        ('sum(http_requests_total{job="api"})', 'http_requests_total{job="api"}'),
        ('sum by (job) (x{a="b"})', 'x{a="b"}'),
        ('sum without (pod) (x{a="b"})', 'x{a="b"}'),
        ('sum(x{a="b"}) by (job)', 'x{a="b"}'),
        ('{__name__="x"}', '{__name__="x"}'),
    ],
)
def test_selectors_are_found(query: str, selector: str) -> None:
    assert selector_of(query) == selector


def test_a_counter_selector_becomes_a_sum_of_increases() -> None:
    template = count_template('sum by (job) (http_requests_total{job="api"})', counter=True)
    assert template == 'sum(increase(http_requests_total{job="api"}[{{.window}}]))'
    assert at_window(template, "1m") == 'sum(increase(http_requests_total{job="api"}[1m]))'


def test_a_window_query_is_kept_as_written() -> None:
    query = 'sum(increase(x{a="b"}[{{.window}}]))'
    assert count_template(query, counter=False) == query


@pytest.mark.parametrize(
    ("query", "counter", "why"),
    [
        ("sum(rate(x[1m]))", True, "neither a selector nor sum"),
        ("histogram_quantile(0.99, sum by (le) (rate(x[1m])))", True, "neither"),
        ("x", False, "not a counter"),
    ],
)
def test_queries_without_a_count_form_say_why(query: str, counter: bool, why: str) -> None:
    with pytest.raises(NoCountFormError, match=why):
        count_template(query, counter=counter)


def test_a_histogram_threshold_counts_its_bucket_and_its_count() -> None:
    good, total = histogram_templates(
        'http_request_duration_seconds_bucket{job="api"}', op="lte", value=Fraction(3, 10)
    )
    assert good == (
        'sum(increase(http_request_duration_seconds_bucket{job="api", le="0.3"}[{{.window}}]))'
    )
    assert total == 'sum(increase(http_request_duration_seconds_count{job="api"}[{{.window}}]))'


def test_a_histogram_threshold_needs_lte() -> None:
    with pytest.raises(NoCountFormError, match="op: lte"):
        histogram_templates("x_bucket", op="lt", value=Fraction(1))


def test_an_integer_bound_matches_both_client_spellings() -> None:
    good, _ = histogram_templates("x_bucket", op="lte", value=Fraction(1))
    assert good == 'sum(increase(x_bucket{le=~"1(\\\\.0)?"}[{{.window}}]))'
