"""Real Sloth, Pyrra and slo-generator files from other projects, imported as they are.

The files and their sources (``owner/repo path@commit``) are listed in
``fixtures/real_imports/README.md``. Every expected value below is read by hand from the file
and the tool's documented rules: a Pyrra ``target: "99.9"`` is 0.999 over its ``window``, its
selectors are summed, its alert windows are its ``Windows()`` for the window (each ``W/d``
rounded to the minute); a Sloth ``objective`` over its default 30 days; a refusal names the
field and the reason.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from covenant.definitions.workspace import analyse_text
from covenant.services.importing import ImportPlan
from tests.definitions import found_files
from tests.definitions.found_files import importer

FIXTURES = Path(__file__).parent / "fixtures" / "real_imports"

# Pyrra's alert windows (long, short, burn rate) for the windows of these files: W/672 and
# W/8064 (14), W/112 and W/1344 (7), W/28 and W/336 (2), W/7 and W/112 (1), to the minute.
# 30d: 64.3m/5.4m, 385.7m/32.1m, 1542.9m/128.6m, 6171.4m/385.7m.
THIRTY_DAYS = [
    ("page-1", "64m", "5m", "14"),
    ("page-2", "386m", "32m", "7"),
    ("ticket-1", "1543m", "129m", "2"),
    ("ticket-2", "6171m", "386m", "1"),
]
# 1d: the first pair is 2.1m/0.2m, a short window of 0m, left out; 12.9m/1.07m,
# 51.4m/4.3m, 205.7m/12.9m
ONE_DAY = [
    ("page-2", "13m", "1m", "7"),
    ("ticket-1", "51m", "4m", "2"),
    ("ticket-2", "206m", "13m", "1"),
]
# 2w = 14d: exact halves of 28 days' 1h/5m, 6h/30m, 1d/2h, 4d/6h
TWO_WEEKS = [
    ("page-1", "30m", "3m", "14"),
    ("page-2", "3h", "15m", "7"),
    ("ticket-1", "12h", "1h", "2"),
    ("ticket-2", "2d", "3h", "1"),
]
# Sloth's default windows of a 30-day period (its 30d catalog): budget burnt 2 %, 5 %, 10 %, 10 %
SLOTH_30D = [
    ("page-quick", "1h", "5m", "2"),
    ("page-slow", "6h", "30m", "5"),
    ("ticket-quick", "1d", "2h", "10"),
    ("ticket-slow", "3d", "6h", "10"),
]


imported = importer(FIXTURES, by_tool=False)


def slos(plan: ImportPlan) -> dict[str, dict[str, Any]]:
    """Each SLO written: service, target, window, its queries and its alert tiers."""
    return found_files.slos(plan, tiers=True, thresholds=True)


def valid(plan: ImportPlan) -> None:
    """The written file passes ``covenant validate``'s reading, with no warning."""
    for file in plan.files:
        workspace, problems = analyse_text(file.text, file=file.target.name)
        assert workspace is not None, [str(p) for p in problems]
        assert [str(p) for p in problems] == []


def reasons(plan: ImportPlan, field: str) -> list[str]:
    return [n.reason for f in plan.files for n in f.imported.notes if n.field == field]


def test_play_with_pyrra(tmp_path: Path) -> None:
    plan = imported(tmp_path, "pyrra", "pyrra/play-with-pyrra-myservice.yaml")
    assert plan.problems == []
    valid(plan)
    assert slos(plan) == {
        "myservice-requests-availability": {
            "service": "myservice",
            "target": "0.999",
            "window": "30d",
            "queries": {
                "bad": "sum(http_request_duration_seconds_count"
                '{job="myservice",code=~"(5..|429)"})',
                "total": 'sum(http_request_duration_seconds_count{job="myservice"})',
            },
            "tiers": THIRTY_DAYS,
        }
    }
    (file,) = plan.files
    assert "owner: myteam" in file.text
    assert "repo: myorg/myservice" in file.text
    # Pyrra makes its absent alert by default: reported as not carried over
    assert any("absent alert SLOMetricAbsent" in r for r in reasons(plan, "spec"))


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        (
            "pyrra-openshift-coredns.yaml",
            {
                "coredns-request-latency": ("0.99", "coredns_dns_request_duration_seconds"),
                "coredns-forwardrequest-latency": (
                    "0.99",
                    "coredns_forward_request_duration_seconds",
                ),
                "coredns-kubeprogramming-latency": (
                    "0.99",
                    "coredns_kubernetes_dns_programming_duration_seconds",
                ),
                "coredns-response-errors": ("0.9999", "coredns_dns_responses_total"),
            },
        ),
        (
            "pyrra-openshift-etcd.yaml",
            {
                "etcd-disk-wal-duration": ("0.99", "etcd_disk_wal_fsync_duration_seconds"),
                "etcd-backend-commit-duration": (
                    "0.9999",
                    "etcd_disk_backend_commit_duration_seconds",
                ),
            },
        ),
        (
            "pyrra-openshift-ingress.yaml",
            {
                "ingress-5xx-ratio": ("0.99", "haproxy_backend_http_responses_total"),
                "ingress-canary-latency": ("0.99", "ingress_canary_check_duration"),
                "ingress-backend-connection-error-ratio": (
                    "0.99",
                    "haproxy_backend_connection_errors_total",
                ),
                "ingress-server-connection-error-ratio": (
                    "0.99",
                    "haproxy_server_connection_errors_total",
                ),
                "ingress-server-response-error-ratio": (
                    "0.99",
                    "haproxy_server_response_errors_total",
                ),
            },
        ),
        (
            "pyrra-openshift-openshift-apiserver.yaml",
            {
                "openshift-apiserver-read-resource-response-errors": (
                    "0.9999",
                    "apiserver_request_total",
                ),
                "openshift-apiserver-write-resource-response-errors": (
                    "0.99",
                    "apiserver_request_total",
                ),
                "openshift-apiserver-read-resource-request-latency": (
                    "0.99",
                    "apiserver_request_duration_seconds",
                ),
                "openshift-apiserver-auth-request-latency": (
                    "0.99",
                    "authentication_duration_seconds",
                ),
            },
        ),
        (
            "pyrra-openshift-prometheus.yaml",
            {
                "prometheus-http-errors": ("0.9999", "prometheus_http_requests_total"),
                "prometheus-rule-evaluations-errors": (
                    "0.9999",
                    "prometheus_rule_evaluation_failures_total",
                ),
            },
        ),
    ],
)
def test_pyrra_on_openshift(
    tmp_path: Path, name: str, expected: dict[str, tuple[str, str]]
) -> None:
    """One-day objectives: three of Pyrra's four alerts (the first's short window rounds to
    0m), the service their namespace, each objective's target as written."""
    plan = imported(tmp_path, "pyrra", f"pyrra/{name}")
    assert plan.problems == []
    valid(plan)
    found = slos(plan)
    assert list(found) == list(expected)  # every objective, in the file's order
    for slo, (target, metric) in expected.items():
        assert found[slo]["service"] == "pyrra"
        assert found[slo]["target"] == target
        assert found[slo]["window"] == "1d"
        assert found[slo]["tiers"] == ONE_DAY
        assert metric in next(iter(found[slo]["queries"].values()))
    assert len(reasons(plan, "spec.window")) == len(expected)  # page-1 left out, said each time


def test_pyrra_selectors_are_summed_as_written(tmp_path: Path) -> None:
    found = slos(imported(tmp_path, "pyrra", "pyrra/pyrra-openshift-ingress.yaml"))
    assert found["ingress-5xx-ratio"]["queries"] == {
        "bad": "sum(haproxy_backend_http_responses_total"
        '{code="5xx",backend!="other/openshift_default"})',
        "total": 'sum(haproxy_backend_http_responses_total{backend!="other/openshift_default"})',
    }
    # le="200": a whole number, matched as Prometheus 3 writes it too (200.0)
    assert found["ingress-canary-latency"]["queries"] == {
        "good": 'sum(ingress_canary_check_duration_bucket{le=~"200|200\\\\.0"})',
        "total": "sum(ingress_canary_check_duration_count)",
    }
    etcd = slos(imported(tmp_path / "etcd", "pyrra", "pyrra/pyrra-openshift-etcd.yaml"))
    assert etcd["etcd-disk-wal-duration"]["queries"] == {
        "good": 'sum(etcd_disk_wal_fsync_duration_seconds_bucket{le="0.032"})',
        "total": "sum(etcd_disk_wal_fsync_duration_seconds_count{})",
    }


def test_pyrra_dynamic_bool_gauge(tmp_path: Path) -> None:
    plan = imported(tmp_path, "pyrra", "pyrra/yairst-test-bool-gauge-dynamic.yaml")
    assert plan.problems == []
    valid(plan)
    (file,) = plan.files
    # target: "99.0" is 0.99, written so (it was written 0.990)
    assert "    - target: 0.99\n" in file.text
    assert slos(plan)["test-bool-gauge-dynamic"] == {
        "service": "monitoring",
        "target": "0.99",
        "window": "30d",
        "queries": {
            "good": 'sum(sum_over_time(up{job="prometheus-k8s"}[{{.window}}]))',
            "total": 'sum(count_over_time(up{job="prometheus-k8s"}[{{.window}}]))',
        },
        "tiers": THIRTY_DAYS,
    }
    (dynamic,) = reasons(plan, "spec.alerting.burnRateType")
    assert dynamic.startswith("burnRateType dynamic: Pyrra scales each threshold")
    (absent,) = [r for r in reasons(plan, "spec.alerting") if "absent alert" in r]
    assert "absent alert SLOMetricAbsent (severity critical)" in absent


def test_pyrra_dynamic_native_latency(tmp_path: Path) -> None:
    plan = imported(tmp_path, "pyrra", "pyrra/yairst-test-latency-native-dynamic.yaml")
    assert plan.problems == []
    valid(plan)
    h = 'sum(increase(connect_server_requests_duration_seconds{job="pyrra-external"}[{{.window}}]))'
    assert slos(plan)["test-latency-native-dynamic"] == {
        "service": "monitoring",
        "target": "0.995",
        "window": "30d",
        "queries": {
            "good": f"histogram_count({h}) * histogram_fraction(0, 0.2, {h})",
            "total": f"histogram_count({h})",
        },
        "tiers": THIRTY_DAYS,
    }
    (file,) = plan.files
    assert '"name":"TestLatencyNativeDynamicErrorBudgetBurn"' in file.text


def test_pyrra_grouped_regex(tmp_path: Path) -> None:
    plan = imported(tmp_path, "pyrra", "pyrra/yairst-test-regex-static.yaml")
    assert plan.problems == []
    valid(plan)
    assert slos(plan)["test-regex-static"] == {
        "service": "monitoring",
        "target": "0.99",
        "window": "2w",
        "queries": {
            "bad": 'sum(prometheus_http_requests_total{handler=~"/api.*",code=~"5.."})',
            "total": 'sum(prometheus_http_requests_total{handler=~"/api.*"})',
        },
        "tiers": TWO_WEEKS,
    }
    (grouping,) = reasons(plan, "spec.indicator.ratio.grouping")
    assert grouping.startswith("grouping by ['handler'] makes one objective per group in Pyrra")


KUADRANT_AVAILABILITY = {
    "service": "kuadrant",
    "target": "0.9995",
    "window": "30d",
    "queries": {
        "bad": 'sum(sum(increase(istio_requests_total{job="ingress-metrics-proxy",'
        'response_code=~"5.*"}[{{.window}}])) by (request_host))',
        "total": 'sum(sum(increase(istio_requests_total{job="ingress-metrics-proxy"}'
        "[{{.window}}]) )by (request_host))",
    },
    "tiers": SLOTH_30D,
}


@pytest.mark.parametrize(
    ("name", "field"),
    [
        ("sloth/kuadrant-availability.yaml", "slos[0].sli.events.error_query"),
        ("sloth/kuadrant-slo-availability.yaml", "spec.slos[0].sli.events.errorQuery"),
    ],
)
def test_kuadrant_availability(tmp_path: Path, name: str, field: str) -> None:
    """The spec and its Kubernetes resource: one SLO, its queries grouped by host summed."""
    plan = imported(tmp_path, "sloth", name)
    assert plan.problems == []
    valid(plan)
    assert slos(plan) == {"requests-availability": KUADRANT_AVAILABILITY}
    (grouped,) = reasons(plan, field)
    assert grouped.startswith("the query is grouped by (request_host)")


def test_kuadrant_latency_counts_the_fast_requests_as_bad(tmp_path: Path) -> None:
    """Its error_query is the bucket le="250" alone — the fast requests — imported as Sloth
    reads it, and said, with the count-minus-bucket fix."""
    plan = imported(tmp_path, "sloth", "sloth/kuadrant-latency.yaml")
    assert plan.problems == []
    found = slos(plan)["requests-latency"]
    assert found["target"] == "0.9995"
    assert found["window"] == "30d"
    assert found["queries"]["bad"] == (
        'sum(sum(increase(istio_request_duration_milliseconds_bucket{le="250", '
        'job="ingress-metrics-proxy", response_code="200" }[{{.window}}]) )by (request_host))'
    )
    first, _grouped = reasons(plan, "slos[0].sli.events.error_query")
    assert first.startswith('error_query counts the histogram bucket le="250" alone')


def test_doc_gen_is_refused_with_both_reasons(tmp_path: Path) -> None:
    plan = imported(tmp_path, "sloth", "sloth/doc-gen-slo.yaml")
    assert [(p.code, p.field) for p in plan.problems] == [
        ("import-invalid-value", "slos[0].sli.events.error_query"),
        ("import-missing-field", "slos[0].alerting.name"),
    ]
    query, name = (str(p) for p in plan.problems)
    # probe_success{…} == 0[{{.window}}]: a range after the number 0, which PromQL refuses
    assert "the range [{{.window}}] follows '0'" in query
    # page_alert: {disabled: true} and ticker_alert: Sloth reads disable and ticket_alert
    assert "'ticker_alert': did you mean 'ticket_alert'?" in name
    assert "'disabled': did you mean 'disable'?" in name


@pytest.mark.parametrize(
    ("name", "fix"),
    [
        (
            "slo-generator-gke-v2-prom-availability.yaml",
            "filterGood → filter_good, filterValid → filter_valid",
        ),
        # threshold_bucket 19: once rewritten the SLO would still be left out, and the fix
        # says so rather than promising an SLO fed by ingested events
        (
            "slo-generator-gke-v2-cm-gae-latency724ms.yaml",
            "threshold bucket 19 is a bucket index of the backend's latency distribution",
        ),
    ],
)
def test_early_slo_generator_crds_are_refused_with_the_v2_form(
    tmp_path: Path, name: str, fix: str
) -> None:
    plan = imported(tmp_path, "slo-generator", f"slo-generator/{name}")
    (problem,) = plan.problems
    assert (problem.code, problem.field) == ("import-unrecognised", "apiVersion")
    assert "apiVersion cloud.google.com/v1 is an early CRD form" in str(problem)
    assert fix in str(problem)


def test_a_terraform_template_config_is_refused_as_a_template(tmp_path: Path) -> None:
    plan = imported(tmp_path, "slo-generator", "slo-generator/heureka-config.yaml")
    (problem,) = plan.problems
    assert problem.code == "yaml-syntax"
    assert "Terraform %{ … } directives" in str(problem)
    assert "terraform's templatefile()" in str(problem)


def test_every_fixture_is_tested() -> None:
    here = Path(__file__).read_text(encoding="utf-8")
    readme = (FIXTURES / "README.md").read_text(encoding="utf-8")
    for path in sorted(FIXTURES.glob("*/*.yaml")):
        assert path.name in here, path
        assert f"`{path.parent.name}/{path.name}`" in readme, path


def test_pyrra_absent_alert_said_once_per_file(tmp_path: Path) -> None:
    # five objectives, none writes alerting: Pyrra makes SLOMetricAbsent for each of them;
    # one note (at the first one's spec, line 10) names all five, in the file's order
    plan = imported(tmp_path, "pyrra", "pyrra/pyrra-openshift-ingress.yaml")
    (file,) = plan.files
    absent = [n for n in file.imported.notes if "absent alert" in n.reason]
    assert len(absent) == 1
    (note,) = absent
    assert note.field == "spec"
    assert note.where.endswith("pyrra-openshift-ingress.yaml:10")
    assert (
        "Pyrra also makes an absent alert SLOMetricAbsent (severity critical) for each of the "
        "objectives ingress-5xx-ratio, ingress-canary-latency, "
        "ingress-backend-connection-error-ratio, ingress-server-connection-error-ratio, "
        "ingress-server-response-error-ratio" in note.reason
    )
