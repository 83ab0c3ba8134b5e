"""A histogram bucket bound that, read in the unit the metric's name gives, is no plausible
request latency (under 100 µs or over 1 h) is warned of, never refused.

Real shape: mdbdba/roller's ``slo/sloth.yaml`` (tests/definitions/fixtures/found_41) counts
``roller_1_happy_path_duration_nanoseconds_bucket{le="1"}`` where its comment says "less than
1 second": ``le`` is in the histogram's unit, so that is 1 ns. 1 s in nanoseconds is 1e+09
(Go's spelling of 10^9, as client libraries write ``le``).
"""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import pytest

from covenant.core.promql_bounds import bounds, go_float
from covenant.definitions.workspace import analyse
from covenant.services.importing import plan_import
from tests.definitions.helpers import errors, load_text
from tests.definitions.test_histogram_unit import _latency
from tests.definitions.test_prometheus_sources import source_text, workspace
from tests.definitions.test_promql_syntax_gaps import ORPHAN

URL = "url: http://prom:9090"
GOOD_LINE = 16  # as in test_promql_syntax
FOUND = Path(__file__).parent / "fixtures" / "found_41"
CODE = "implausible-latency-bound"


def _warned(text: str) -> list[tuple[str, str, str, str]]:
    _, problems = load_text(text)
    assert errors(problems) == []
    return [(p.severity, p.where, p.message, p.fix) for p in problems if p.code == CODE]


def _bucket(name: str, le: str) -> str:
    return f'sum(rate({name}{{job="api",le="{le}"}}[{{{{.window}}}}]))'


def test_a_nanoseconds_bound_of_one_is_one_nanosecond() -> None:
    name = "roller_1_happy_path_duration_nanoseconds_bucket"
    good = _bucket(name, "1")
    ((severity, where, message, fix),) = _warned(workspace(URL, good=good))
    assert (severity, where) == ("warning", f"ws.yaml:{GOOD_LINE}")
    assert message == (
        f'{name}: le="1" on a _nanoseconds metric is 1 ns, below the 100 µs a request latency '
        "objective plausibly has (Prometheus reads the bound in the unit the metric's name "
        "gives)"
    )
    assert fix == (
        'if 1 s is meant, write le="1e+09" (1 s in nanoseconds); leave it if 1 ns is really meant'
    )


def test_milliseconds_written_on_a_seconds_histogram_above_an_hour() -> None:
    # 5000 s is 1 h 23 min 20 s: 1.39 h; 5000 ms is 5 s, le="5"
    good = _bucket("http_request_duration_seconds_bucket", "5000")
    ((_, _, message, fix),) = _warned(workspace(URL, good=good))
    assert 'le="5000" on a _seconds metric is 5000 s (1.39 h), above the 1 h' in message
    assert fix.startswith('if 5000 ms is meant, write le="5" (5000 ms in seconds)')


def test_a_bound_no_unit_reads_plausibly_names_the_unit_to_write() -> None:
    # 0.00001 s = 10 µs; as ms 10 µs, as µs 10 ns, as ns 0.01 ns: none plausible
    good = _bucket("http_request_duration_seconds_bucket", "0.00001")
    ((_, _, message, fix),) = _warned(workspace(URL, good=good))
    assert "is 0.00001 s (10 µs), below the 100 µs" in message
    assert fix.startswith('write the bound in seconds, e.g. le="0.1" for 100 ms')


@pytest.mark.parametrize(
    ("name", "le"),
    [
        ("http_request_duration_seconds_bucket", "0.3"),
        ("http_request_duration_seconds_bucket", "0.0001"),  # 100 µs: the range's floor
        ("http_request_duration_seconds_bucket", "3600"),  # 1 h: its ceiling
        ("http_request_duration_seconds_bucket", "+Inf"),  # every request
        ("rpc_server_duration_milliseconds_bucket", "250"),
        ("rpc_server_duration_microseconds_bucket", "250000"),
        ("roller_duration_nanoseconds_bucket", "1e+09"),
        ("queue_wait_bucket", "1"),  # no unit in the name: nothing to read
    ],
)
def test_a_plausible_bound_or_a_unitless_metric_is_quiet(name: str, le: str) -> None:
    assert _warned(workspace(URL, good=_bucket(name, le))) == []


def test_a_threshold_metric_value_is_read_in_the_metrics_unit() -> None:
    ((_, _, message, fix),) = _warned(_latency("job_duration_nanoseconds_bucket", "1"))
    assert message.startswith(
        "job_duration_nanoseconds_bucket: the objective's value 1 on a _nanoseconds metric is "
        "1 ns, below the 100 µs"
    )
    assert fix == "if 1 s is meant, write value: 1000000000; leave it if 1 ns is really meant"


def test_a_threshold_value_histogram_unit_warns_of_is_not_warned_twice() -> None:
    # value 200 on _seconds: histogram-unit says it (200 s, within the hour): not this one
    assert _warned(_latency("http_request_duration_seconds_bucket", "200")) == []
    assert _warned(_latency("http_request_duration_seconds_bucket", "0.2")) == []


def test_regex_spellings_of_one_number_are_read_and_patterns_are_not() -> None:
    (bound,) = bounds('x_nanoseconds_bucket{le=~"1|1\\\\.0"}')
    assert bound.value == 1
    assert bounds('x_nanoseconds_bucket{le=~"1|2"}') == []
    assert bounds('x_nanoseconds_bucket{le!="1"}') == []
    assert bounds('x_seconds_bucket{le=~".*"}') == []
    # le in a string is no matcher; a __name__ matcher names the metric
    (named,) = bounds(
        'label_replace({__name__="y_seconds_bucket", le="7200"}, "a", "le=1", "", "")'
    )
    assert (named.metric, named.value) == ("y_seconds_bucket", 7200)


@pytest.mark.parametrize(
    ("value", "go"),
    [
        (Fraction(10**9), "1e+09"),
        (Fraction(250 * 10**6), "2.5e+08"),
        (Fraction(100000), "100000"),
        (Fraction(1, 10**4), "0.0001"),
        (Fraction(1, 10**5), "1e-05"),
        (Fraction(5), "5"),
    ],
)
def test_bounds_are_spelt_as_go_writes_le(value: Fraction, go: str) -> None:
    assert go_float(value) == go


def test_roller_sloth_file_warns_at_its_duration_slo(tmp_path: Path) -> None:
    """The imported roller SLOs: the duration SLO's error_query bucket le="1" on a
    _nanoseconds histogram is warned of (the warning is the written file's)."""
    plan = plan_import("sloth", [FOUND / "sloth" / "roller-slo-sloth.yaml"], into=tmp_path / "ws")
    assert plan.problems == []
    warned = [p for p in plan.warnings if p.code == CODE]
    assert len(warned) == 1
    assert 'le="1" on a _nanoseconds metric is 1 ns' in warned[0].message
    assert warned[0].severity == "warning"


def test_a_covenant_v1_sli_query_is_read_too(tmp_path: Path) -> None:
    """examples/shop's checkout availability SLI (covenant/v1), its good query turned into a
    _microseconds bucket at le="5000000" (5 s, plausible) and its total at le="0.5" (0.5 µs):
    the total's line (25) alone is warned of; read in seconds, the base unit tried first, 0.5 s
    is le="500000"."""
    shop = Path(__file__).parents[2] / "examples" / "shop"
    for source in shop.glob("*.yaml"):
        (tmp_path / source.name).write_text(source.read_text(encoding="utf-8"), encoding="utf-8")
    slis = tmp_path / "slis.yaml"
    text = slis.read_text(encoding="utf-8")
    good = 'sum(http_requests_total{service="checkout",code!~"5.."})'
    total = 'sum(http_requests_total{service="checkout"})'
    assert text.splitlines()[19].endswith(good)
    assert text.splitlines()[24].endswith(total)
    bucket = 'sum(rpc_duration_microseconds_bucket{{service="checkout",le="{}"}})'
    slis.write_text(
        text.replace(good, bucket.format("5000000")).replace(total, bucket.format("0.5")),
        encoding="utf-8",
    )
    _, problems = analyse([tmp_path])
    (warning,) = [p for p in problems if p.code == CODE]
    assert warning.where == f"{slis}:25"
    assert 'le="0.5" on a _microseconds metric is 0.5 µs (500 ns), below the 100 µs' in (
        warning.message
    )
    assert warning.fix.startswith('if 0.5 s is meant, write le="500000" (0.5 s in microseconds)')


def test_an_sli_no_slo_reads_is_read_too() -> None:
    """An SLI document no SLO names (test_promql_syntax_gaps' orphan, its queries replaced):
    its total's bucket le="7200" on a _seconds histogram (2 h) is warned of at its line."""
    sli = ORPHAN.replace('job="api" code="500"', 'job="api", code="500"').replace(
        "spec: {query: 'x_total'}", "spec: {query: 'x_seconds_bucket{le=\"7200\"}'}"
    )
    assert 'le="7200"' in sli
    text = source_text(URL) + sli
    ((severity, where, message, fix),) = _warned(text)
    assert severity == "warning"
    assert where == f"ws.yaml:{len(text.splitlines())}"  # total's query: the last line
    assert 'le="7200" on a _seconds metric is 7200 s (2 h), above the 1 h' in message
    assert fix.startswith('if 7200 ms is meant, write le="7.2" (7200 ms in seconds)')


def test_a_pyrra_latency_bound_in_milliseconds_on_a_seconds_histogram(tmp_path: Path) -> None:
    """vrutkovs/pyrra-openshift's cco-reconcile-latency (found_41) with its success bucket
    written le="5000" (5000 s, 1.39 h): Covenant's import matches the bound in both spellings
    (le=~"5000|5000\\.0"), read as the one number 5000; warned of as 5 s meant."""
    text = (FOUND / "pyrra" / "pyrra-openshift-bundle-reduced.yaml").read_text(encoding="utf-8")
    bucket = 'cco_controller_reconcile_seconds_bucket{le="1"}'
    assert bucket in text
    path = tmp_path / "slo.yaml"
    path.write_text(text.replace(bucket, bucket.replace('"1"', '"5000"')), encoding="utf-8")
    plan = plan_import("pyrra", [path], into=tmp_path / "ws")
    assert plan.problems == []
    (warned,) = [p for p in plan.warnings if p.code == CODE]
    assert warned.message.startswith(
        'cco_controller_reconcile_seconds_bucket: le=~"5000|5000\\.0" on a _seconds metric is '
        "5000 s (1.39 h), above the 1 h"
    )
    assert warned.fix.startswith('if 5000 ms is meant, write le="5" (5000 ms in seconds)')
