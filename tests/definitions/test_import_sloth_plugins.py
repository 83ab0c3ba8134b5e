"""Sloth's common SLI plugins (``sli.plugin.id: sloth-common/…``) are imported as the counts of
the query the plugin builds (docs/import.md, "Sloth's common SLI plugins").

Each expected query below is written out by hand from the plugin's own template
(github.com/slok/sloth-common-sli-plugins, ``plugins/<id>/plugin.go``): the options put into
its label matchers as the plugin puts them, ``{{.window}}`` as the range. The importer then
reads that query as a raw ``error_ratio_query`` (``rate`` → ``increase``, the ``> 0`` guard and
the ``OR on() vector(…)`` fallback dropped). Before, every plugin SLO was left out.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pytest

from covenant.definitions.importers import sloth_plugins
from covenant.services.importing import ImportPlan, plan_import
from tests.definitions.test_import_sloth_raw import query, ratio_of
from tests.promserver import Sample, Server, openmetrics_text

W = "[{{.window}}]"


def spec(plugin: str) -> str:
    """A Sloth spec whose one SLO ``errors`` has the SLI plugin mapping ``plugin`` (YAML)."""
    body = "\n".join(f"        {line}" for line in plugin.strip().splitlines())
    return (
        'version: "prometheus/v1"\nservice: shop\nslos:\n  - name: errors\n    objective: 99\n'
        f"    sli:\n      plugin:\n{body}\n"
        "    alerting: {page_alert: {disable: true}, ticket_alert: {disable: true}}\n"
    )


def planned(tmp_path: Path, plugin: str) -> ImportPlan:
    tmp_path.mkdir(parents=True, exist_ok=True)
    source = tmp_path / "sloth.yml"
    source.write_text(spec(plugin), encoding="utf-8")
    plan = plan_import("sloth", [source], into=tmp_path / "ws")
    assert plan.problems == []
    return plan


def skipped(plan: ImportPlan) -> list[str]:
    return [n.reason for n in plan.files[0].imported.notes if n.skipped]


def one_line(text: str) -> str:
    return " ".join(text.split())


# (id, options, the query the plugin's template renders from them), written from plugin.go
BUILT = [
    (
        "sloth-common/istio/v1/availability",
        {"service": "cart", "namespace": "shop", "filter": '{cluster="eu"}'},
        '( sum(rate(istio_requests_total{ cluster="eu",destination_service_name="cart",'
        'destination_service_namespace="shop",response_code=~"(5..|429)" }[{{.window}}])) / '
        '(sum(rate(istio_requests_total{ cluster="eu",destination_service_name="cart",'
        'destination_service_namespace="shop" }[{{.window}}])) > 0) ) OR on() vector(0)',
    ),
    (
        "sloth-common/coredns/availability",
        {},
        'sum(rate(coredns_dns_responses_total{ rcode=~"SERVFAIL" }[{{.window}}])) / '
        "(sum(rate(coredns_dns_responses_total{ }[{{.window}}])) > 0)",
    ),
    (
        "sloth-common/kubernetes/apiserver/latency",
        {"bucket": "0.4", "filter": 'job="apiserver"'},
        '( sum(rate(apiserver_request_duration_seconds_count{ job="apiserver",verb!="WATCH" }'
        "[{{.window}}])) - sum(rate(apiserver_request_duration_seconds_bucket"
        '{ job="apiserver",le="0.4",verb!="WATCH" }[{{.window}}])) ) / '
        'sum(rate(apiserver_request_duration_seconds_count{ job="apiserver",verb!="WATCH" }'
        "[{{.window}}]))",
    ),
    (
        "sloth-common/traefik/v2/latency",
        {"bucket": "0.3", "service_name_regex": "api.*", "exclude_errors": "true"},
        '1 - (( sum(rate(traefik_service_request_duration_seconds_bucket{ code!~"5..",'
        'service=~"api.*",le="0.3" }[{{.window}}])) / '
        '(sum(rate(traefik_service_request_duration_seconds_count{ code!~"5..",service=~"api.*" }'
        "[{{.window}}])) > 0) ) OR on() vector(1))",
    ),
    (
        "sloth-common/slok-go-http-metrics/latency",
        {"filter": 'handler="/pay"', "bucket": "1", "exclude_errors": "true"},
        '1 - ( sum(rate(http_request_duration_seconds_bucket{ handler="/pay",code!~"5..",le="1" }'
        '[{{.window}}])) / sum(rate(http_request_duration_seconds_count{ handler="/pay",'
        'code!~"5.." }[{{.window}}])) )',
    ),
    (
        "sloth-common/prometheus/targets/availability",
        {"filter": 'job="node"'},
        'sum(count_over_time((up{ job="node" } == 0)[{{.window}}:])) / '
        'sum(count_over_time((up{ job="node" })[{{.window}}:]))',
    ),
    (
        "sloth-common/haproxy/frontend/availability",
        {"filter": 'proxy="www"'},
        'sum(rate(haproxy_frontend_http_responses_total{ proxy="www",code="5xx" }[{{.window}}]))'
        ' / sum(rate(haproxy_frontend_http_responses_total{ proxy="www", }[{{.window}}]))',
    ),
]


@pytest.mark.parametrize(("plugin", "options", "expected"), BUILT, ids=[b[0] for b in BUILT])
def test_the_query_is_the_one_the_plugin_builds(
    plugin: str, options: dict[str, str], expected: str
) -> None:
    assert one_line(sloth_plugins.build(plugin, options)) == expected


def test_istio_availability_is_imported_as_bad_over_total(tmp_path: Path) -> None:
    plan = planned(
        tmp_path,
        "id: sloth-common/istio/v1/availability\n"
        "options: {service: cart, namespace: shop, filter: '{cluster=\"eu\"}'}",
    )
    assert skipped(plan) == []
    ratio = ratio_of(plan, "errors")
    on = 'cluster="eu",destination_service_name="cart",destination_service_namespace="shop"'
    assert query(ratio, "bad") == (
        f'sum(increase(istio_requests_total{{ {on},response_code=~"(5..|429)" }}{W}))'
    )
    assert query(ratio, "total") == f"sum(increase(istio_requests_total{{ {on} }}{W}))"
    notes = " ".join(n.reason for n in plan.files[0].imported.notes)
    assert "OR on() vector(0)" in notes
    assert "'> 0'" in notes


def test_a_latency_plugin_is_imported_as_good_over_total(tmp_path: Path) -> None:
    """``1 - (bucket / count)``: the bucket under the bound is the good events. A YAML number
    keeps its text (``0.10``, not ``0.1``: the plugin writes the option as given into le)."""
    plan = planned(
        tmp_path,
        "id: sloth-common/traefik/v2/latency\n"
        "options: {bucket: 0.10, service_name_regex: 'api.*', exclude_errors: true}",
    )
    assert skipped(plan) == []
    ratio = ratio_of(plan, "errors")
    on = 'code!~"5..",service=~"api.*"'
    assert set(ratio) == {"counter", "good", "total"}
    assert query(ratio, "good") == (
        f'sum(increase(traefik_service_request_duration_seconds_bucket{{ {on},le="0.10" }}{W}))'
    )
    assert query(ratio, "total") == (
        f"sum(increase(traefik_service_request_duration_seconds_count{{ {on} }}{W}))"
    )


def test_apiserver_latency_count_minus_bucket_is_the_bucket_as_good(tmp_path: Path) -> None:
    plan = planned(
        tmp_path, "id: sloth-common/kubernetes/apiserver/latency\noptions: {bucket: '0.4'}"
    )
    assert skipped(plan) == []
    ratio = ratio_of(plan, "errors")
    assert query(ratio, "good") == (
        f'sum(increase(apiserver_request_duration_seconds_bucket{{ le="0.4",verb!="WATCH" }}{W}))'
    )
    assert query(ratio, "total") == (
        f'sum(increase(apiserver_request_duration_seconds_count{{ verb!="WATCH" }}{W}))'
    )


def test_a_missing_required_option_leaves_the_slo_out_naming_it(tmp_path: Path) -> None:
    plan = planned(tmp_path, "id: sloth-common/istio/v1/availability\noptions: {namespace: shop}")
    assert plan.files[0].imported.documents == [] or all(
        d["kind"] != "SLO" for d in plan.files[0].imported.documents
    )
    (left,) = [n for n in plan.files[0].imported.notes if n.skipped]
    assert left.field.endswith("sli.plugin.options")
    reason = left.reason
    assert "istio/v1/availability" in reason
    assert "option service is required" in reason


def test_a_refused_option_leaves_the_slo_out_at_that_option(tmp_path: Path) -> None:
    plan = planned(tmp_path, "id: sloth-common/coredns/latency\noptions: {bucket: fast}")
    (left,) = [n for n in plan.files[0].imported.notes if n.skipped]
    assert left.field.endswith("sli.plugin.options.bucket")
    assert "'fast' is not a number" in left.reason


def test_a_filter_the_plugin_refuses_is_named(tmp_path: Path) -> None:
    """apiserver, nginx-ingress, linkerd and go-http-metrics accept only ``k="v"`` pairs."""
    plan = planned(
        tmp_path,
        "id: sloth-common/kubernetes/nginx-ingress/availability\n"
        "options: {filter: 'ingress=~\"a.*\"'}",
    )
    (reason,) = skipped(plan)
    assert "filter" in reason
    assert 'label="value"' in reason


def test_an_option_that_is_no_text_leaves_the_slo_out(tmp_path: Path) -> None:
    """Sloth's plugin options are a map of texts: a list is refused by Sloth."""
    plan = planned(tmp_path, "id: sloth-common/coredns/latency\noptions: {bucket: ['0.1', '0.2']}")
    (left,) = [n for n in plan.files[0].imported.notes if n.skipped]
    assert left.field.endswith("sli.plugin.options.bucket")
    assert "list or mapping" in left.reason


def test_an_unknown_option_is_noted_and_ignored(tmp_path: Path) -> None:
    plan = planned(
        tmp_path,
        "id: sloth-common/kubernetes/apiserver/availability\noptions: {colour: red}",
    )
    assert skipped(plan) == []
    notes = [n for n in plan.files[0].imported.notes if "colour" in n.reason]
    assert len(notes) == 1
    assert "does not read the option" in notes[0].reason
    ratio = ratio_of(plan, "errors")
    assert (
        query(ratio, "bad") == f'sum(increase(apiserver_request_total{{ code=~"(5..|429)" }}{W}))'
    )
    assert (
        query(ratio, "total") == f"sum(increase(apiserver_request_total{{  }}{W}))"
    )  # { {{.filterTotal}} }


@pytest.mark.parametrize(
    ("plugin", "why"),
    [
        ("id: sloth-common/fake\noptions: {burn_rate: '2'}", "constant error ratio"),
        ("id: sloth_common/noop", "constant error ratio 0"),
        (
            "id: sloth-common/kubernetes/kooper/availability\noptions: {controller: c}",
            "difference of counts",
        ),
        ("id: sloth-common/linkerd/v2/latency\noptions: {bucket: '1'}", "range vector"),
    ],
)
def test_a_plugin_that_counts_no_events_stays_left_out(
    tmp_path: Path, plugin: str, why: str
) -> None:
    (reason,) = skipped(planned(tmp_path, plugin))
    assert why in reason


def test_a_plugin_that_is_not_a_common_one_stays_left_out(tmp_path: Path) -> None:
    (reason,) = skipped(planned(tmp_path, "id: lokalise/http-error-rate"))
    assert "plugin code that is not in the file" in reason


# a real Prometheus: go-http-metrics' counters per minute, counted through the plugins' queries
START = 1_790_000_000 - 1_790_000_000 % 3600
STEP = 60
OK = [7, 0, 13, 4, 25, 9, 1, 30, 6, 11]  # code 200
FAIL = [1, 0, 0, 2, 0, 5, 0, 0, 1, 0]  # code 503
LIMITED = [0, 1, 0, 0, 0, 0, 2, 0, 0, 0]  # code 429
FAST = [5, 0, 10, 4, 20, 9, 1, 22, 6, 8]  # code-200 requests under 0.25 s


def _series(name: str, labels: dict[str, str], increments: Sequence[int]) -> list[Sample]:
    values = [0]
    for step in increments:
        values.append(values[-1] + step)
    return [Sample(name, labels, v, START + i * STEP) for i, v in enumerate(values)]


@pytest.fixture
def server(prometheus: Callable[..., Server]) -> Server:
    name = "http_request_duration_seconds"
    api = {"handler": "/pay"}
    samples = _series(f"{name}_count", {**api, "code": "200"}, OK)
    samples += _series(f"{name}_count", {**api, "code": "503"}, FAIL)
    samples += _series(f"{name}_count", {**api, "code": "429"}, LIMITED)
    samples += _series(f"{name}_count", {"handler": "/other", "code": "503"}, [9] * 10)
    samples += _series(f"{name}_bucket", {**api, "code": "200", "le": "0.25"}, FAST)
    return prometheus(openmetrics=openmetrics_text(samples))


def _per_minute(server: Server, ratio: dict[str, Any], role: str) -> list[int]:
    text = query(ratio, role).replace("{{.window}}", "1m")
    (series,) = server.query_range(text, START + STEP, START + len(OK) * STEP, STEP)
    values = [float(value) for _, value in series["values"]]
    assert all(v == int(v) for v in values), values
    return [int(v) for v in values]


@pytest.mark.prometheus_releases("stable")  # the server's increase (test_import_prometheus.py)
def test_go_http_metrics_plugins_count_per_minute(server: Server, tmp_path: Path) -> None:
    availability = ratio_of(
        planned(
            tmp_path / "a",
            "id: sloth-common/slok-go-http-metrics/availability\n"
            "options: {filter: 'handler=\"/pay\"'}",
        ),
        "errors",
    )
    assert _per_minute(server, availability, "bad") == [
        a + b for a, b in zip(FAIL, LIMITED, strict=True)
    ]
    assert _per_minute(server, availability, "total") == [
        a + b + c for a, b, c in zip(OK, FAIL, LIMITED, strict=True)
    ]
    latency = ratio_of(
        planned(
            tmp_path / "l",
            "id: sloth-common/slok-go-http-metrics/latency\n"
            "options: {filter: 'handler=\"/pay\"', bucket: '0.25', exclude_errors: 'true'}",
        ),
        "errors",
    )
    assert _per_minute(server, latency, "good") == FAST
    assert _per_minute(server, latency, "total") == [
        a + b
        for a, b in zip(OK, LIMITED, strict=True)  # code!~"5..": 429 is not an error
    ]
