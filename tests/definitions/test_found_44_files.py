"""Real files of other projects (stop 44), kept in fixtures/found_44/ with their sources in
SOURCES.md there: Pyrra ServiceLevelObjectives with dynamic burn rates (ratio, latency,
latencyNative with grouping, bool_gauge), Pyrra's Mimir and CoreDNS latency examples,
slo-generator configs of a fork's history and of its early home in
GoogleCloudPlatform/professional-services (v1 and sre.google.com/v2; Prometheus query_sli with
``OR on() vector(1)`` and ``irate``, Datadog, Dynatrace, Cloud Monitoring, MQL and Service
Monitoring backends, a file whose config is all commented out), and Kuadrant's Sloth
PrometheusServiceLevel whose errorQuery is the count minus the fast bucket.

Every expected value was read off the file by hand: Pyrra's target in percent ("99.9" is
0.999) and its four alert windows, a fixed share of its window (1/672 and 1/8064, 1/112 and
1/1344, 1/28 and 1/336, 1/7 and 1/112 of it, to the minute: 1h/5m, 6h/30m, 1d/2h, 4d/6h for
28d; 30m/3m, 3h/15m, 12h/1h, 2d/3h for 2w) at burn rates 14, 7, 2 and 1; slo-generator's
goal (or v1 slo_target) as a ratio, its window 28d when no shared config is found, its v1 name
<service>-<feature>-<slo>; Sloth's objective in percent and its 30d windows.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from covenant.services.importing import ImportPlan, plan_import

FOUND = Path(__file__).parent / "fixtures" / "found_44"

PYRRA_28D = [
    ("page-1", "1h", "5m", "14"),
    ("page-2", "6h", "30m", "7"),
    ("ticket-1", "1d", "2h", "2"),
    ("ticket-2", "4d", "6h", "1"),
]
PYRRA_2W = [
    ("page-1", "30m", "3m", "14"),  # 2w / 8064 = 2.5m, to the minute (half away from 0): 3m
    ("page-2", "3h", "15m", "7"),
    ("ticket-1", "12h", "1h", "2"),
    ("ticket-2", "2d", "3h", "1"),
]


def imported(tmp_path: Path, tool: str, folder: str, name: str) -> ImportPlan:
    return plan_import(tool, [FOUND / folder / name], into=tmp_path / "ws")


def slos(plan: ImportPlan) -> dict[str, dict[str, Any]]:
    out = {}
    for file in plan.files:
        for doc in file.imported.documents:
            if doc["kind"] != "SLO":
                continue
            spec = doc["spec"]
            ratio = spec["indicator"]["spec"]["ratioMetric"]
            out[doc["metadata"]["name"]] = {
                "service": spec["service"],
                "target": str(spec["objectives"][0]["target"]),
                "window": spec["timeWindow"][0]["duration"],
                "counter": ratio.get("counter"),
                "queries": {
                    part: ratio[part]["metricSource"]["spec"]
                    for part in ("good", "bad", "total", "raw")
                    if part in ratio
                },
                "tiers": [
                    (t["name"], t["longWindow"], t["shortWindow"], str(t["burnRate"]))
                    if "burnRate" in t
                    else (t["name"], t["longWindow"], t["shortWindow"], f"{t['budgetPercent']}%")
                    for t in spec.get("alerting", {}).get("tiers", [])
                ],
            }
    return out


def datasources(plan: ImportPlan) -> dict[str, dict[str, Any]]:
    return {
        doc["metadata"]["name"]: doc["spec"]
        for file in plan.files
        for doc in file.imported.documents
        if doc["kind"] == "DataSource"
    }


def notes(plan: ImportPlan) -> list[tuple[str, int, str]]:
    return [
        (n.field, int(n.where.rsplit(":", 1)[1]), n.reason)
        for f in plan.files
        for n in f.imported.notes
    ]


def left_out(plan: ImportPlan) -> list[tuple[str, int, str]]:
    return [
        (n.field, int(n.where.rsplit(":", 1)[1]), n.reason)
        for f in plan.files
        for n in f.imported.notes
        if n.skipped
    ]


def q(query: str) -> dict[str, str]:
    return {"query": query}


# --- Pyrra ----------------------------------------------------------------------------------


def test_pyrra_dynamic_bool_gauge(tmp_path: Path) -> None:
    """pyrra-dev/pyrra examples/dynamic-burn-rate-bool-gauge.yaml: target "99.9" over 28d, a
    bool_gauge of up{job="prometheus-k8s"} (good = the samples' sum, total = their count per
    window), alerting.burnRateType dynamic (line 25) told as Pyrra's static rates imported."""
    plan = imported(tmp_path, "pyrra", "pyrra", "pyrra-dynamic-burn-rate-bool-gauge.yaml")
    assert plan.problems == []
    up = 'up{job="prometheus-k8s"}[{{.window}}]'
    assert slos(plan) == {
        "prometheus-availability-dynamic": {
            "service": "monitoring",  # Pyrra has no service: the namespace
            "target": "0.999",
            "window": "28d",
            "counter": False,
            "queries": {
                "good": q(f"sum(sum_over_time({up}))"),
                "total": q(f"sum(count_over_time({up}))"),
            },
            "tiers": PYRRA_28D,
        }
    }
    dynamic = [n for n in notes(plan) if n[0] == "spec.alerting.burnRateType"]
    assert [(f, line) for f, line, _ in dynamic] == [("spec.alerting.burnRateType", 25)]
    assert "static ones (14, 7, 2, 1) are imported" in dynamic[0][2]


def test_pyrra_dynamic_latency_native_with_grouping(tmp_path: Path) -> None:
    """latencyNative: 99.5 % of connect_server_requests_duration_seconds (code="ok") under
    200ms over 28d, grouped by service and method (one objective per group in Pyrra: told at
    line 25, the grouping; imported over all series together)."""
    plan = imported(tmp_path, "pyrra", "pyrra", "pyrra-dynamic-burn-rate-latency-native.yaml")
    assert plan.problems == []
    hist = (
        'sum(increase(connect_server_requests_duration_seconds{job="pyrra",code="ok"}'
        "[{{.window}}]))"
    )
    assert slos(plan) == {
        "pyrra-connect-native-latency-dynamic": {
            "service": "monitoring",
            "target": "0.995",
            "window": "28d",
            "counter": False,
            "queries": {
                "good": q(f"histogram_count({hist}) * histogram_fraction(0, 0.2, {hist})"),
                "total": q(f"histogram_count({hist})"),
            },
            "tiers": PYRRA_28D,
        }
    }
    grouping = [n for n in notes(plan) if n[0] == "spec.indicator.latencyNative.grouping"]
    assert [(line, "'service', 'method'" in r) for _, line, r in grouping] == [(25, True)]


def test_pyrra_dynamic_latency(tmp_path: Path) -> None:
    """latency: 99 % of Prometheus' HTTP requests under 100ms (the le="0.1" bucket over the
    count), 28d."""
    plan = imported(tmp_path, "pyrra", "pyrra", "pyrra-dynamic-burn-rate-latency.yaml")
    assert plan.problems == []
    assert slos(plan) == {
        "prometheus-http-latency-dynamic": {
            "service": "monitoring",
            "target": "0.99",
            "window": "28d",
            "counter": True,
            "queries": {
                "good": q(
                    'sum(prometheus_http_request_duration_seconds_bucket{job="prometheus-k8s",'
                    'le="0.1"})'
                ),
                "total": q(
                    'sum(prometheus_http_request_duration_seconds_count{job="prometheus-k8s"})'
                ),
            },
            "tiers": PYRRA_28D,
        }
    }


def test_pyrra_mimir_and_coredns_latency_over_two_weeks(tmp_path: Path) -> None:
    """examples/mimir/example-slo.yaml (namespace default; le="5" matched as 5 or 5.0) and
    examples/kubernetes/slos/coredns-request-latency.yaml (le="0.032"): target "99", window
    2w, whose windows are 30m/3m, 3h/15m, 12h/1h and 2d/3h."""
    mimir = imported(tmp_path, "pyrra", "pyrra", "pyrra-mimir-example-slo.yaml")
    coredns = imported(tmp_path, "pyrra", "pyrra", "pyrra-coredns-request-latency.yaml")
    assert mimir.problems == coredns.problems == []
    sel = 'component="apiserver",scope=~"cluster|",verb=~"LIST|GET"'
    assert slos(mimir) == {
        "apiserver-read-cluster-latency": {
            "service": "default",
            "target": "0.99",
            "window": "2w",
            "counter": True,
            "queries": {
                "good": q(
                    f'sum(apiserver_request_sli_duration_seconds_bucket{{{sel},le=~"5|5\\\\.0"}})'
                ),
                "total": q(f"sum(apiserver_request_sli_duration_seconds_count{{{sel}}})"),
            },
            "tiers": PYRRA_2W,
        }
    }
    assert slos(coredns) == {
        "coredns-request-latency": {
            "service": "monitoring",
            "target": "0.99",
            "window": "2w",
            "counter": True,
            "queries": {
                "good": q(
                    'sum(coredns_dns_request_duration_seconds_bucket{job="coredns",le="0.032"})'
                ),
                "total": q('sum(coredns_dns_request_duration_seconds_count{job="coredns"})'),
            },
            "tiers": PYRRA_2W,
        }
    }


# --- slo-generator: Prometheus --------------------------------------------------------------


def _increase(selector: str) -> str:
    return f"sum(increase({selector}[{{{{.window}}}}]))"


def test_v1_query_sli_with_no_traffic_fallback(tmp_path: Path) -> None:
    """google/slo-generator (a fork's slos/): v1 configs whose query_sli is the le bucket over
    the count (or over the +Inf bucket), then ``OR on() vector(1)``: good and total are the
    two counts (rate read as increase), the fallback dropped and told; slo_target 0.995, no
    shared config so 28d; the backend's url becomes the DataSource's."""
    plan = imported(tmp_path, "slo-generator", "slo-generator", "catalog-gateway-latency-1.yaml")
    assert plan.problems == []
    sel = 'service="catalog-gateway", method="GET", uri="/v1/app/id/data/id"'
    assert slos(plan) == {
        "catalog-gateway-latency": {
            "service": "catalog",
            "target": "0.995",
            "window": "28d",
            "counter": False,
            "queries": {
                "good": q(_increase(f'request_duration_milliseconds_bucket{{{sel}, le="1.0"}}')),
                "total": q(_increase(f"request_duration_milliseconds_count{{{sel}}}")),
            },
            "tiers": [],
        }
    }
    assert datasources(plan)["prometheus"]["connectionDetails"] == {
        "url": "http://a63877be64b3042d88bedc31c9e0a084-72493022.ap-southeast-1.elb.amazonaws.com:9090"
    }
    assert any(r.startswith("the fallback 'OR on() vector(1)'") for _, _, r in notes(plan))

    plan = imported(
        tmp_path, "slo-generator", "slo-generator", "productsearch-search-by-id-latency.yaml"
    )
    sel = 'service="product-search", method="POST", uri="/v1/product/search_by_id/{productId}"'
    (slo,) = slos(plan).values()
    assert slo["queries"] == {
        "good": q(_increase(f'request_duration_milliseconds_bucket{{{sel}, le="200.0"}}')),
        "total": q(_increase(f'request_duration_milliseconds_bucket{{{sel}, le="+Inf"}}')),
    }


def test_early_v1_prometheus_configs(tmp_path: Path) -> None:
    """GoogleCloudPlatform/professional-services tests/unit/fixtures: the same SLO (name
    prometheus-metrics-errors, 0.999) once as query_sli (2xx over all, rate over [window]) and
    once as good_bad_ratio filters of [window] ranges: both the same two counts."""
    counts = {
        "good": q(_increase('prometheus_http_requests_total{code=~"2..", handler="/metrics"}')),
        "total": q(_increase('prometheus_http_requests_total{handler="/metrics"}')),
    }
    for name in ("slo-prometheus-query-sli.yaml", "slo-prometheus-good-bad-ratio.yaml"):
        plan = imported(tmp_path, "slo-generator", "slo-generator", name)
        assert plan.problems == []
        assert slos(plan) == {
            "prometheus-metrics-errors": {
                "service": "prometheus",
                "target": "0.999",
                "window": "28d",
                "counter": False,
                "queries": counts,
                "tiers": [],
            }
        }


def test_v2_good_bad_ratio_of_counters(tmp_path: Path) -> None:
    """slo.yaml (sre.google.com/v2): good_bad_ratio of two counter selectors without a range
    (slo-generator takes their increase over the window): counter SLI, goal 0.999."""
    plan = imported(
        tmp_path, "slo-generator", "slo-generator", "prom-metrics-availability-slo.yaml"
    )
    assert plan.problems == []
    assert slos(plan) == {
        "prom-metrics-availability": {
            "service": "prom",
            "target": "0.999",
            "window": "28d",
            "counter": True,
            "queries": {
                "good": q('sum(prometheus_http_requests_total{handler="/metrics", code=~"2.."})'),
                "total": q('sum(prometheus_http_requests_total{handler="/metrics"})'),
            },
            "tiers": [],
        }
    }


# --- slo-generator: other backends ----------------------------------------------------------


def test_dynatrace_and_datadog_ratios_keep_their_queries(tmp_path: Path) -> None:
    """Dynatrace metric selectors (good: status_code_class 2xx) and Datadog's disk used over
    disk total with slo_target 0.15: queries kept for reference, the DataSource's settings
    read from ${VAR}s (apiUrlEnv, apiTokenEnv; apiKeyEnv, appKeyEnv)."""
    plan = imported(
        tmp_path, "slo-generator", "slo-generator", "dt-metrics-availability-ratio.yaml"
    )
    assert plan.problems == []
    (slo,) = slos(plan).values()
    app = "ext:app.request_count:filter(and(eq(app,test_app),eq(env,prod){}))"
    assert (slo["target"], slo["counter"]) == ("0.999", True)
    assert slo["queries"]["good"]["query_good"] == {
        "metric_selector": app.format(",eq(status_code_class,2xx)"),
        "entity_selector": "type(HOST)",
    }
    assert slo["queries"]["total"]["query_valid"]["metric_selector"] == app.format("")
    assert datasources(plan)["dynatrace"]["connectionDetails"] == {
        "apiUrlEnv": "DYNATRACE_API_URL",
        "apiTokenEnv": "DYNATRACE_API_TOKEN",
    }

    plan = imported(tmp_path, "slo-generator", "slo-generator", "dd-disk-utilization-ratio.yaml")
    (slo,) = slos(plan).values()
    assert slo["target"] == "0.15"
    assert slo["queries"] == {
        "good": {"query_good": "system.disk.used{*}"},
        "total": {"query_valid": "system.disk.total{*}"},
    }
    assert datasources(plan)["datadog"]["connectionDetails"] == {
        "apiKeyEnv": "DATADOG_API_KEY",
        "appKeyEnv": "DATADOG_APP_KEY",
    }


def test_mql_query_sli_is_a_raw_success_ratio(tmp_path: Path) -> None:
    """cloud_monitoring_mql query_sli: the MQL query's ratio computed by the backend, goal
    0.85."""
    plan = imported(
        tmp_path, "slo-generator", "slo-generator", "cloudrun-service-availability-ratio-mql.yaml"
    )
    assert plan.problems == []
    (slo,) = slos(plan).values()
    assert slo["target"] == "0.85"
    assert list(slo["queries"]) == ["raw"]
    assert slo["queries"]["raw"]["query"].startswith("fetch cloud_run_revision | metric ")


def test_what_covenant_cannot_count_is_left_out_with_its_reason(tmp_path: Path) -> None:
    """A distribution_cut by threshold_bucket (Cloud Monitoring's bucket 4, the early
    Stackdriver class's bucket 12: a bucket index, not a latency) and Datadog's
    distribution_cut, a method its backend has not: each left out, told at its line."""
    cases = {
        "cloudrun-service-latency.yaml": ("spec.service_level_indicator.threshold_bucket", 23),
        "slo-lb-request-latency64ms.yaml": (
            "spec.service_level_indicator.threshold_bucket",
            20,
        ),
        "dd-app-latency-cut.yaml": ("spec.method", 22),
        # irate over [window]: the rate between the window's last two samples, no count
        "catalog-gateway-availability.yaml": ("spec.service_level_indicator.expression", 12),
    }
    for name, (field, line) in cases.items():
        plan = imported(tmp_path, "slo-generator", "slo-generator", name)
        assert slos(plan) == {}, name
        assert [(f, at) for f, at, _ in left_out(plan)] == [(field, line)], name


def test_service_monitoring_good_and_bad_filters(tmp_path: Path) -> None:
    """The early ``Ssm`` class (Service Monitoring), good_bad_ratio with filter_good (the
    200 class) and filter_bad (every request): valid events are good + bad, as slo-generator
    counts them; slo_target 0.98."""
    plan = imported(
        tmp_path, "slo-generator", "slo-generator", "slo-svcmon-lb-availability-ratio.yaml"
    )
    assert plan.problems == []
    (slo,) = slos(plan).values()
    every = (
        'metric.type="loadbalancing.googleapis.com/https/request_count" '
        'resource.type="l7_lb_rule"\n'
    )
    good = every.replace("\n", ' metric.label."response_code_class"="200"\n')
    assert (slo["target"], slo["counter"]) == ("0.98", True)
    assert slo["queries"]["bad"] == {"filter_bad": every}
    assert slo["queries"]["total"] == {
        "filter_good": good,
        "filter_bad": every,
        "valid": "good + bad",
    }


def test_a_bad_filter_that_holds_the_good_events_is_told(tmp_path: Path) -> None:
    """The same file: filter_bad (line 16) is filter_good without its response_code_class
    condition, so it selects every request, the good ones among them. slo-generator counts
    valid = good + bad, each good request twice: its SLI can never pass 50 % (its goal is
    0.98). It was imported without a word; now told on filter_bad, with the reading the
    author most likely meant (those are all the events: filter_valid) and what Covenant counts
    (the ingested events, the SLI filter_valid would give)."""
    plan = imported(
        tmp_path, "slo-generator", "slo-generator", "slo-svcmon-lb-availability-ratio.yaml"
    )
    told = [n for n in notes(plan) if n[0] == "spec.service_level_indicator.filter_bad"]
    assert told == [
        (
            "spec.service_level_indicator.filter_bad",
            16,
            "filter_bad selects every event filter_good does (its conditions are all among "
            'filter_good\'s, which adds metric.label."response_code_class"="200"): '
            "slo-generator counts valid = good + bad, so each good event is counted twice and "
            "its SLI can never pass 50 %. If filter_bad means all the events, "
            "rename it filter_valid; Covenant counts the ingested events, which gives that SLI",
        )
    ]


def test_a_config_all_commented_out_is_refused(tmp_path: Path) -> None:
    """samples/stackdriver_service_monitoring/zzz_slo_pubsub_subscription_throughput.yaml: a
    licence header, a TODO, then the whole config as comments: no document to import."""
    plan = imported(
        tmp_path,
        "slo-generator",
        "slo-generator",
        "zzz-pubsub-subscription-throughput-commented.yaml",
    )
    assert [p.code for p in plan.problems] == ["import-unrecognised"]
    assert slos(plan) == {}


def test_a_config_commented_out_is_told_where_it_starts(tmp_path: Path) -> None:
    """The same file was told only "… holds no document", fix "give slo-generator files":
    it is one, with its config commented out (lines 17-33, the keys from line 18: the licence
    header and a one-line TODO above are prose). The problem now names that line and says to
    uncomment it; a file of prose comments alone keeps the plain message."""
    name = "zzz-pubsub-subscription-throughput-commented.yaml"
    plan = imported(tmp_path, "slo-generator", "slo-generator", name)
    (problem,) = plan.problems
    path = FOUND / "slo-generator" / name
    assert problem.where == f"{path}:18"
    assert problem.message == (
        f"{path} holds no document, only comments, and from line 18 "
        "('# service_name:    pubsub') they hold a config commented out"
    )
    assert problem.fix == (
        "uncomment the config (remove the '# ' before each of its lines) to import it, or "
        "leave the file out"
    )
    prose = tmp_path / "prose.yaml"
    prose.write_text("# TODO: write the SLOs\n# once the metrics exist\n", encoding="utf-8")
    (problem,) = plan_import("slo-generator", [prose], into=tmp_path / "ws").problems
    assert (problem.where, problem.message) == (str(prose), f"{prose} holds no document")


# --- Sloth ----------------------------------------------------------------------------------


def test_kuadrant_latency_error_query_is_count_minus_fast_bucket(tmp_path: Path) -> None:
    """Kuadrant/kuadrant-operator examples/alerts/sloth/slo-latency.yaml: errorQuery is the
    count minus the le="250" bucket, grouped by request_host: imported as the bucket (good)
    over the count (total), summed over hosts; objective 99.95 → 0.9995 over Sloth's 30d with
    its 30d windows and budget shares (2 %, 5 %, 10 %, 10 %)."""
    plan = imported(tmp_path, "sloth", "sloth", "kuadrant-sloth-k8s-slo-latency.yaml")
    assert plan.problems == []
    sel = 'job="ingress-metrics-proxy", response_code="200" '
    assert slos(plan) == {
        "requests-latency": {
            "service": "kuadrant",
            "target": "0.9995",
            "window": "30d",
            "counter": False,
            "queries": {
                "good": q(
                    "sum(sum(increase(istio_request_duration_milliseconds_bucket"
                    f'{{le="250", {sel}}}[{{{{.window}}}}]) )by (request_host))'
                ),
                "total": q(
                    "sum(sum(increase(istio_request_duration_milliseconds_count"
                    '{job="ingress-metrics-proxy",response_code="200"}[{{.window}}]))'
                    "by (request_host))"
                ),
            },
            "tiers": [
                ("page-quick", "1h", "5m", "2%"),
                ("page-slow", "6h", "30m", "5%"),
                ("ticket-quick", "1d", "2h", "10%"),
                ("ticket-slow", "3d", "6h", "10%"),
            ],
        }
    }


# --- every file cited -----------------------------------------------------------------------


def test_every_file_is_pinned_and_cited() -> None:
    here = Path(__file__).read_text(encoding="utf-8")
    sources = (FOUND / "SOURCES.md").read_text(encoding="utf-8")
    files = sorted(p for p in FOUND.glob("*/*") if p.suffix == ".yaml")
    assert len(files) >= 20
    for path in files:
        assert f'"{path.name}"' in here, path
        (row,) = [
            line
            for line in sources.splitlines()
            if line.startswith(f"| `{path.parent.name}/{path.name}`")
        ]
        assert "@" in row  # owner/repo path@commit


def test_a_datadog_method_the_backend_has_not_is_left_out(tmp_path: Path) -> None:
    """samples/datadog/slo_dd_app_availability_query_slo_monitor.yaml (a fork's): method
    query_slo_monitor. slo-generator calls the backend's method of that name, and its Datadog
    backend has good_bad_ratio, query_sli and query_slo only (slo_generator/backends/
    datadog.py), so it stops on this config. It was imported as "the backend computes the
    SLI itself; a raw success ratio" of the slo_id — an SLO that never was; now it is left out
    at the method's line (22) with the backend's methods and the one that reads an SLO's
    events."""
    plan = imported(
        tmp_path, "slo-generator", "slo-generator", "dd-app-availability-query-slo-monitor.yaml"
    )
    assert slos(plan) == {}
    ((field, line, reason),) = left_out(plan)
    assert (field, line) == ("spec.method", 22)
    assert reason.startswith(
        "slo-generator's Datadog backend has no query_slo_monitor method (its methods: "
        "good_bad_ratio, query_sli, query_slo): slo-generator stops on this config"
    )
    assert "query_slo" in reason.split("Fix:")[1]


def test_query_sli_of_irate_names_the_irate(tmp_path: Path) -> None:
    """slos/slo_catalog_gateway_availability.yaml (a fork's): query_sli is
    sum(irate(istio_requests_total{…non-5xx}[window])) / sum(irate(…[window])). It was left
    out as "a ratio Covenant cannot split into two counts (… a ratio cannot be summed)",
    which this one is not: it is A / B, and what keeps it out is irate, the rate between the
    window's last two samples, no count of the window's events. The reason now names the
    numerator and irate, and the fix says increase (or rate) over [window]."""
    plan = imported(tmp_path, "slo-generator", "slo-generator", "catalog-gateway-availability.yaml")
    ((field, line, reason),) = left_out(plan)
    assert (field, line) == ("spec.service_level_indicator.expression", 12)
    assert "a ratio cannot be summed" not in reason
    numerator = (
        'sum(irate(istio_requests_total{reporter="destination",destination_service=~'
        '"catalog-gateway.catalog-production.svc.cluster.local",response_code!~"5.*"}[window]))'
    )
    assert reason == (
        f"query_sli is a ratio whose numerator ('{numerator}') counts no events over "
        "[window]: irate gives the per-second rate between the window's last two samples "
        "(avg_over_time and the like a value per window), and Covenant sums good and total "
        "counts over the window. Fix: count each part with sum(increase(...[window])) (or "
        "sum(rate(...[window])), read as increase), or write good_bad_ratio filters"
    )
