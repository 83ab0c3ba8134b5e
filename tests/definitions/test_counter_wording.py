"""The warning for a Prometheus query Covenant cannot count says what the SLI wrote.

A ratioMetric without ``{{.window}}`` is counted as a counter: a selector, or a ``sum`` of
one (docs/prometheus.md, rule 2). The conformance hunt found the warning calling the query
"a counter query" in SLIs that never write ``counter`` — oslo's examples leave it out, and
Covenant reads it as ``true`` then. The message now names ``counter: true`` when it is written
and says it is not written (and so read as a counter) when it is not.
"""

from __future__ import annotations

import pytest

from covenant.core.promql import QueryFormError, count_query
from tests.definitions.helpers import errors, load_text
from tests.definitions.test_prometheus_sources import workspace

QUERY = "sum(rate(http_requests_total[5m]))"


def _warning(text: str) -> str:
    _, problems = load_text(text)
    assert errors(problems) == []
    (warning,) = [p for p in problems if p.code == "prometheus-query-form"]
    return warning.message


def test_counter_not_written_is_said_so() -> None:
    text = workspace("url: http://prom:9090", good=QUERY).replace("    counter: true\n", "")
    assert _warning(text) == (
        f"cannot be read from Prometheus: cannot count '{QUERY}': counter is not written, so "
        "a query without {{.window}} is read as a counter, which must be a selector or a sum "
        "of one"
    )


@pytest.mark.parametrize("flag", ["true", "yes"])
def test_counter_written_true_is_named(flag: str) -> None:
    text = workspace("url: http://prom:9090", good=QUERY).replace(
        "counter: true", f"counter: {flag}"
    )
    assert _warning(text) == (
        f"cannot be read from Prometheus: cannot count '{QUERY}': with counter: true, a query "
        "without {{.window}} must be a selector or a sum of one"
    )


def test_counter_written_false_is_named() -> None:
    text = workspace("url: http://prom:9090", good=QUERY).replace("counter: true", "counter: false")
    assert _warning(text) == (
        "cannot be read from Prometheus: a query without {{.window}} must be a counter "
        "(counter: true) to be counted"
    )


def test_the_core_says_the_same_when_asked_without_the_flag_written() -> None:
    with pytest.raises(QueryFormError) as caught:
        count_query("x_total / 2", counter=None)
    assert "counter is not written" in caught.value.message
    assert "a counter query" not in caught.value.message
