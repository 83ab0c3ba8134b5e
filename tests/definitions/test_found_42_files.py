"""Real files of other projects (stop 42), kept in fixtures/found_42/ with their sources in
SOURCES.md there: Giant Swarm's Sloth rules both as the Helm values their team folders hold
and as the PrometheusServiceLevels the chart's generator writes (latency as count minus a
bucket, gauges over avg_over_time, a query with an unclosed bracket, pageAlert labels written
twice), rhobs' Pyrra objects of older and newer generators (a ``service`` label rather than
``pyrra.dev/service``, 28d windows, 90 % latency targets whose first tier cannot fire), an
OpenSLO v1alpha example without ``value`` on its ratio objective, and files a user may give an
importer by mistake: a Prometheus rules file Sloth generated, Sloth look-alikes of other
projects (``version: "1.0"`` with ``service`` and ``slos``, ``objectives`` with
``error_query``, a CI gate file, a home-grown ``ServiceLevelObjective`` kind), globocom's
slo-generator, a Terraform template of an slo-generator config and a chart's ``slo:`` values.

Every expected value was read off the file by hand: Sloth's objective in percent (99 is
0.99), its default 30d period and alert windows (1h/5m, 6h/30m, 1d/2h, 3d/6h); Pyrra's target
in percent and its alert windows for 28d (40320 minutes: /672 = 60m, /8064 = 5m; /112 = 6h,
/1344 = 30m; /28 = 1d, /336 = 2h; /7 = 4d, /112 = 6h).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from covenant.definitions.importers.promql_scale import unscaled_part
from covenant.definitions.workspace import analyse
from covenant.services.importing import ImportPlan, plan_import
from tests.definitions import found_files
from tests.definitions.found_files import importer, pinned_and_cited, problems

FOUND = Path(__file__).parent / "fixtures" / "found_42"


imported = importer(FOUND, by_tool=False)


def slos(plan: ImportPlan) -> dict[str, dict[str, Any]]:
    return found_files.slos(plan, tiers=True)


# --- Sloth: Giant Swarm's values and the PrometheusServiceLevels rendered from them -----------

HELM_VALUES = (
    "not a Sloth spec: a Helm chart's values for one SLO (objective, errorQuery, totalQuery"
)


@pytest.mark.parametrize(
    ("name", "escaped"),
    [
        ("giantswarm-apiserver-availability.yaml", False),
        ("giantswarm-latency-coredns.yaml", False),
        ("giantswarm-containerd-disk-usage.yaml", True),
        ("giantswarm-karpenter-uptime.yaml", True),
    ],
)
def test_giant_swarm_values_are_told_to_be_rendered(
    tmp_path: Path, name: str, escaped: bool
) -> None:
    """One SLO per file as the chart's values (objective, errorQuery, totalQuery at the top):
    refused at the first key (line 2, after ``---``), told to render the chart; the queries of
    two of them sit in Helm's {{` … `}} escapes, which the message names."""
    ((code, field, line, message),) = problems(imported(tmp_path, "sloth", "sloth", name))
    assert (code, field, line) == ("import-unrecognised", "", 2)
    assert message.startswith(HELM_VALUES)
    assert ("{{` … `}} escapes" in message) is escaped


CONTEXT = "cluster_id, cluster_type, customer, installation, pipeline, provider, region"
SLOTH_TIERS = [
    ("page-quick", "1h", "5m"),
    ("page-slow", "6h", "30m"),
    ("ticket-quick", "1d", "2h"),
    ("ticket-slow", "3d", "6h"),
]


def _increase(query: str) -> str:
    return f"sum(increase({query}[{{{{.window}}}}]))"


RENDERED: dict[str, tuple[str, str, str, dict[str, str]]] = {
    # name: (SLO, service, target, queries) — Sloth's rate() counted with increase() over the
    # window, a grouped query summed into one series
    "giantswarm-rendered-kaas-phoenix-etcd-availability.yaml": (
        "availability",
        "etcd",
        "0.99",
        {
            "bad": "sum("
            + _increase('grpc_client_handled_total{app="etcd",grpc_code!="OK"}')
            + " by (cluster_id))",
            "total": "sum("
            + _increase('grpc_client_handled_total{app="etcd"}')
            + " by (cluster_id))",
        },
    ),
    # errorQuery is the count minus the le="0.008" bucket (8 ms, the bucket's own unit,
    # seconds): the bucket is the good events
    "giantswarm-rendered-kaas-phoenix-dns-latency-coredns.yaml": (
        "latency-coredns",
        "dns",
        "0.99",
        {
            "good": "sum("
            + _increase('coredns_dns_request_duration_seconds_bucket{app="coredns",le="0.008"}')
            + " by (cluster_id))",
            "total": "sum("
            + _increase('coredns_dns_request_duration_seconds_count{app="coredns"}')
            + " by (cluster_id))",
        },
    ),
    # clamp_min(count − bucket, 0) stays the bad events (a clamped difference is no bucket
    # alone); le="1.25" is 1.25 s, the apiserver histogram's unit
    "giantswarm-rendered-kaas-phoenix-apiserver-latency-readonly-resource.yaml": (
        "latency-readonly-resource",
        "apiserver",
        "0.99",
        {
            "bad": "sum(clamp_min("
            + _increase(
                'apiserver_request_duration_seconds_count{verb=~"GET|LIST",scope="resource"}'
            )
            + f" by ({CONTEXT}) - "
            + _increase(
                'apiserver_request_duration_seconds_bucket{le="1.25", verb=~"GET|LIST",'
                'scope="resource"}'
            )
            + f" by ({CONTEXT}), 0))",
            "total": "sum("
            + _increase(
                'apiserver_request_duration_seconds_count{ verb=~"GET|LIST",scope="resource" }'
            )
            + f" by ({CONTEXT}))",
        },
    ),
    # avg_over_time of a 0/1 gauge on both sides: a share of time, read as written (noted:
    # no count over the window)
    "giantswarm-rendered-kaas-turtles-vertical-pod-autoscaler-availability.yaml": (
        "availability",
        "vertical-pod-autoscaler",
        "0.95",
        {
            "bad": "sum(sum(label_replace(avg_over_time(kube_pod_status_ready{condition="
            '"false",pod=~"vertical-pod-autoscaler-app-.*",cluster_id=~"^.*"}[{{.window}}]), '
            f'"pod", "$1", "cluster_id", "$2")) by (pod, {CONTEXT}))',
            "total": "sum(sum(label_replace(avg_over_time(kube_pod_container_info{container=~"
            '"recommender|admission-controller|updater|vertical-pod-autoscaler-app",'
            'cluster_id=~"^.*"}[{{.window}}]), "pod", "$1", "cluster_id", "$2")) by (pod, '
            f"{CONTEXT}))",
        },
    ),
    "giantswarm-rendered-platform-shield-starboard-exporter-errors.yaml": (
        "starboard-exporter-errors",
        "starboard-exporter",
        "0.99",
        {
            "bad": "sum("
            + _increase(
                'workqueue_retries_total{job="starboard-exporter",name="vulnerabilityreport"}'
            )
            + f" by (instance, {CONTEXT}))",
            "total": "sum("
            + _increase('workqueue_adds_total{job="starboard-exporter",name="vulnerabilityreport"}')
            + f" by (instance, {CONTEXT}))",
        },
    ),
}


@pytest.mark.parametrize("name", sorted(RENDERED))
def test_giant_swarm_rendered_service_levels(tmp_path: Path, name: str) -> None:
    slo, service, target, queries = RENDERED[name]
    plan = imported(tmp_path, "sloth", "sloth", name)
    assert plan.problems == []
    assert slos(plan) == {
        slo: {
            "service": service,
            "target": target,
            "window": "30d",
            "queries": queries,
            "tiers": SLOTH_TIERS,
        }
    }


def test_giant_swarm_unclosed_bracket_is_refused_at_its_line(tmp_path: Path) -> None:
    """kaas-turtles-node-exporter-conntrack: the totalQuery closes one bracket too few
    (``sum(count_over_time((…)[{{.window}}:{{.window}}])``): Sloth's PromQL check refuses it,
    and so does the import, at that query's line, naming the bracket."""
    name = "giantswarm-rendered-kaas-turtles-node-exporter-conntrack.yaml"
    ((code, field, line, message),) = problems(imported(tmp_path, "sloth", "sloth", name))
    assert (code, field, line) == ("import-invalid-value", "spec.slos[0].sli.events.totalQuery", 23)
    assert message.endswith("is not PromQL: the '(' at character 4 is never closed")


def test_giant_swarm_error_query_that_filters_its_total_is_left_out(tmp_path: Path) -> None:
    """kaas-phoenix-cni-latency-intranode: errorQuery is totalQuery (a p99 of
    quantile_over_time, averaged by cluster) ``> 0.001``, without bool: it keeps the latency
    itself over the bound, so Sloth's ratio is 1 in a window over 1 ms and nothing under it,
    while sums over Covenant's buckets would weigh each window by its latency. Left out with
    that reason and the count() form to write; it was left out as "it compares a count per
    window with 0.001 … Covenant reads rate(…) as increase(…)", wrong of a query with no rate
    and no count (avg() of values per window was taken for a count)."""
    name = "giantswarm-rendered-kaas-phoenix-cni-latency-intranode.yaml"
    plan = imported(tmp_path, "sloth", "sloth", name)
    assert plan.problems == []
    (file,) = plan.files
    assert file.imported.slos == []
    (left,) = [n for n in file.imported.notes if n.skipped]
    assert (left.field, int(left.where.rsplit(":", 1)[1])) == (
        "spec.slos[0].sli.events.errorQuery",
        20,
    )
    assert left.reason == (
        "errorQuery is totalQuery compared with 0.001 (>, without bool): it keeps totalQuery's "
        "value where that holds, so each window's ratio is 1 over the bound and nothing under "
        "it, and Covenant's sums would weigh the windows by that value; count the series "
        "instead — errorQuery: count(<totalQuery> > 0.001), totalQuery: count(<totalQuery>) — "
        "and import again"
    )
    quantile = "avg(quantile_over_time(0.99, x[{{.window}}])) by (cluster_id)"
    assert unscaled_part(f"{quantile} > 0.001") is None  # values compared: no rate to scale
    assert unscaled_part("sum(increase(x[{{.window}}])) > 0.5") == (
        "it compares a count per window with 0.5"
    )


@pytest.mark.parametrize(
    "name",
    [
        "giantswarm-rendered-platform-atlas-prometheus-availability.yaml",
        "giantswarm-rendered-platform-atlas-operators-reconciliation.yaml",
    ],
)
def test_giant_swarm_labels_written_twice_are_refused_at_both_lines(
    tmp_path: Path, name: str
) -> None:
    """The generator writes two cancel_if_… labels of pageAlert twice (lines 40/41 again at
    44/45, the same values): each repeat refused where it is, naming the first."""
    field = "spec.slos[0].alerting.pageAlert.labels.cancel_if_cluster_status_{}"
    assert problems(imported(tmp_path, "sloth", "sloth", name)) == [
        (
            "duplicate-key",
            field.format(what),
            line,
            f"key 'cancel_if_cluster_status_{what}' appears twice (first on line {line - 4})",
        )
        for what, line in (("creating", 44), ("deleting", 45))
    ]


# --- Pyrra: rhobs -----------------------------------------------------------------------------

PYRRA_28D = [
    ("page-1", "1h", "5m"),
    ("page-2", "6h", "30m"),
    ("ticket-1", "1d", "2h"),
    ("ticket-2", "4d", "6h"),
]


def _le(le: str) -> str:
    """Pyrra's bound in both of Prometheus 3's spellings: a regex in a PromQL string, its dot
    escaped (the backslash itself escaped in the string)."""
    return f'le=~"{le}|{le}\\\\.0"'


PYRRA: dict[str, tuple[str, str, str, dict[str, str]]] = {
    # name: (SLO, service, target, queries)
    "rhobs-telemeter-production-metrics-upload-latency-slo.yaml": (
        "rhobs-telemeter-server-metrics-upload-latency-slo",
        "telemeter",
        "0.9",
        {
            "good": 'sum(http_request_duration_seconds_bucket{job="telemeter-server",'
            f'handler="upload",code=~"^2..$",{_le("5")}}})',
            "total": 'sum(http_request_duration_seconds_count{job="telemeter-server", '
            'handler="upload", code=~"^2..$"})',
        },
    ),
    "rhobs-rhobsp02ue1-production-api-rules-sync-availability-slo.yaml": (
        "api-rules-sync-availability-slo",
        "observatorium-api",
        "0.995",
        {
            "bad": 'sum(client_api_requests_total{client="reload", container="thanos-rule-syncer",'
            ' namespace="observatorium-mst-production", code=~"^5..$"})',
            "total": 'sum(client_api_requests_total{client="reload", '
            'container="thanos-rule-syncer", namespace="observatorium-mst-production", '
            'code!~"^4..$"})',
        },
    ),
    # le="120": seconds, as the _seconds_bucket says; the name's 100M against the query's 1M
    # is the source's
    "rhobs-mst-stage-api-metrics-rule-read-100M-latency-slo.yaml": (
        "api-metrics-rule-read-100m-latency-slo",
        "observatorium-api",
        "0.9",
        {
            "good": 'sum(up_custom_query_duration_seconds_bucket{query="rule-query-path-sli-1M-'
            'samples",namespace="observatorium-mst-stage",http_code=~"^2..$",'
            f"{_le('120')}}})",
            "total": 'sum(up_custom_query_duration_seconds_count{query="rule-query-path-sli-1M-'
            'samples", namespace="observatorium-mst-stage", http_code=~"^2..$"})',
        },
    ),
    "rhobs-rhelemeter-stage-metrics-receive-availability-slo.yaml": (
        "rhobs-rhelemeter-server-metrics-receive-availability-slo",
        "telemeter",
        "0.99",
        {
            "bad": 'sum(haproxy_server_http_responses_total{route="rhelemeter-server-metrics-v1-'
            'receive", code=~"5.."})',
            "total": 'sum(haproxy_server_http_responses_total{route="rhelemeter-server-metrics-'
            'v1-receive"})',
        },
    ),
    # the older generator's plain ``service`` label is no pyrra.dev/ label: Pyrra's service is
    # then the namespace, none here, so Kubernetes' default
    "rhobs-telemeter-production-api-metrics-write-latency-slo.yaml": (
        "api-metrics-write-latency-slo",
        "default",
        "0.9",
        {
            "good": 'sum(http_request_duration_seconds_bucket{job="observatorium-observatorium-'
            f'api",handler="receive",code=~"^2..$",{_le("5")}}})',
            "total": 'sum(http_request_duration_seconds_count{job="observatorium-observatorium-'
            'api", handler="receive", code=~"^2..$"})',
        },
    ),
    "rhobs-mst-production-api-logs-query-range-availability-slo.yaml": (
        "api-logs-query-range-availability-slo",
        "default",
        "0.95",
        {
            "bad": 'sum(http_requests_total{job="observatorium-observatorium-mst-api", '
            'handler="query_range", group="logsv1", code=~"^5..$"})',
            "total": 'sum(http_requests_total{job="observatorium-observatorium-mst-api", '
            'handler="query_range", group="logsv1", code!~"^4..$"})',
        },
    ),
}


@pytest.mark.parametrize("name", sorted(PYRRA))
def test_rhobs_pyrra_objects(tmp_path: Path, name: str) -> None:
    slo, service, target, queries = PYRRA[name]
    plan = imported(tmp_path, "pyrra", "pyrra", name)
    assert plan.problems == []
    assert slos(plan) == {
        slo: {
            "service": service,
            "target": target,
            "window": "28d",
            "queries": queries,
            "tiers": PYRRA_28D,
        }
    }
    never = [n.reason for f in plan.files for n in f.imported.notes if "never fires" in n.reason]
    # a 90 % target allows a burn rate of at most 1 / 0.1 = 10: page-1's 14 never fires
    assert never == (
        [
            "tier page-1: threshold 14 is above 10, the highest burn rate a target of 0.90 "
            "allows: it never fires, here as in the source"
        ]
        if target == "0.9"
        else []
    )


def test_rhobs_total_of_failures_is_told(tmp_path: Path) -> None:
    """mst-production-api-alerting-notif-availability-slo: errors and total both count
    alertmanager_notifications_failed_total (5xx among them as errors): the total holds only
    failed notifications, so the SLI is the share of 5xx among failures, not among all
    notifications — an SLO that burns whenever the failures are 5xx. Imported as written (as
    Pyrra computes it), told at the total's line (26) with the failure word in its name; it
    was silent."""
    name = "rhobs-mst-production-api-alerting-notif-availability-slo.yaml"
    plan = imported(tmp_path, "pyrra", "pyrra", name)
    assert plan.problems == []
    failed = (
        'alertmanager_notifications_failed_total{service="observatorium-alertmanager", '
        'namespace="observatorium-mst-production"'
    )
    assert slos(plan) == {
        "api-alerting-notif-availability-slo": {
            "service": "default",
            "target": "0.99",
            "window": "28d",
            "queries": {"bad": f'sum({failed}, code=~"^5..$"}})', "total": f"sum({failed}}})"},
            "tiers": PYRRA_28D,
        }
    }
    (told,) = [
        (n.field, int(n.where.rsplit(":", 1)[1]), n.reason)
        for f in plan.files
        for n in f.imported.notes
        if n.field.endswith("total.metric")
    ]
    assert told == (
        "spec.indicator.ratio.total.metric",
        26,
        "total counts alertmanager_notifications_failed_total, whose name says failure: only "
        "the failures as all events (imported as written, as Pyrra reads it: the SLI is the "
        "share of errors among the failures, not among all events). Count every event in "
        "total (e.g. alertmanager_notifications_total)",
    )


def test_sloth_total_of_failures_is_told(tmp_path: Path) -> None:
    """The same in a Sloth spec (written here, as no found file has it): total_query counting
    only …_errors_total is told at its line; a total that counts all requests is not."""
    spec = tmp_path / "spec.yaml"
    spec.write_text(
        'version: "prometheus/v1"\n'
        "service: jobs\n"
        "slos:\n"
        "  - name: runs\n"
        "    objective: 99\n"
        "    alerting: {name: JobRunsFailing}\n"
        "    sli:\n"
        "      events:\n"
        '        error_query: sum(rate(job_errors_total{kind="fatal"}[{{.window}}]))\n'
        "        total_query: sum(rate(job_errors_total[{{.window}}]))\n"
        "  - name: requests\n"
        "    objective: 99\n"
        "    alerting: {name: RequestsFailing}\n"
        "    sli:\n"
        "      events:\n"
        '        error_query: sum(rate(http_requests_total{code=~"5.."}[{{.window}}]))\n'
        "        total_query: sum(rate(http_requests_total[{{.window}}]))\n",
        encoding="utf-8",
    )
    plan = plan_import("sloth", [spec], into=tmp_path / "ws")
    assert plan.problems == []
    told = [
        (n.field, int(n.where.rsplit(":", 1)[1]), n.reason)
        for f in plan.files
        for n in f.imported.notes
        if "whose name says failure" in n.reason
    ]
    assert told == [
        (
            "slos[0].sli.events.total_query",
            10,
            "total_query counts job_errors_total, whose name says failure: only the failures "
            "as all events (imported as written, as Sloth reads it: the SLI is the share of "
            "errors among the failures, not among all events). Count every event in "
            "total_query (e.g. job_total)",
        )
    ]


# --- OpenSLO ----------------------------------------------------------------------------------


def test_openslogo_alpha_ratio_objective_without_value() -> None:
    """thisisibrahimd/openslogo-sdk's v1alpha example: the go-sdk's two SLOs, but the ratio
    objective lacks ``value``, which oslo's v1alpha validator requires (its expected output
    in the corpus says so): one error at that objective (line 44); the threshold SLO loads."""
    _, found = analyse([FOUND / "openslo" / "openslogo-sdk-v1alpha-slos.yaml"])
    errors = [
        (p.code, p.field, int(p.where.rsplit(":", 1)[1])) for p in found if p.severity == "error"
    ]
    assert errors == [("missing-field", "spec.objectives[0].value", 44)]


def test_openslogo_alpha_datadog_source_refused_by_sloth_import(tmp_path: Path) -> None:
    """Sloth reads openslo/v1alpha, but only PromQL: the ratio's ``source: datadog`` (line
    50) is refused as Sloth refuses it."""
    plan = imported(tmp_path, "sloth", "openslo", "openslogo-sdk-v1alpha-slos.yaml")
    ((code, field, line, message),) = problems(plan)
    assert (code, field, line) == (
        "import-invalid-value",
        "spec.objectives[0].ratioMetrics.good.source",
        50,
    )
    assert message.startswith("ratioMetrics.good.source 'datadog' is not Prometheus")


# --- files given to an importer by mistake ----------------------------------------------------


def test_sloth_generated_rules_are_named(tmp_path: Path) -> None:
    plan = imported(tmp_path, "sloth", "other", "jetteim-sloth-generated-rules.yaml")
    ((code, field, line, message),) = problems(plan)
    assert (code, field, line) == ("import-unrecognised", "", 2)
    assert message == "not a Sloth spec: a Prometheus rules file"


@pytest.mark.parametrize(
    ("name", "line", "what"),
    [
        (
            "proofline-slo.yaml",
            13,
            "a mapping with no apiVersion, kind or version (its keys: service, objectives, "
            "burn_rates, promotion_gate)",
        ),
        (
            "observability-driven-cicd-slo.yaml",
            1,
            "a mapping with version 1, no apiVersion or kind (its keys: version, service, "
            "gates, policy)",
        ),
        (
            "treussart-slo-handwritten-values.yaml",
            8,
            "a mapping with no apiVersion, kind or version (its keys: slo)",
        ),
        (
            "mlaiops-lab4-slo.yaml",
            11,
            "a mapping with no apiVersion, kind or version (its keys: service, objectives)",
        ),
    ],
)
def test_other_mappings_are_told_by_their_keys(
    tmp_path: Path, name: str, line: int, what: str
) -> None:
    """Files of other projects with none of the forms an importer knows: proofline's
    ``objectives`` with Sloth-like ``error_query``/``total_query`` over ``{window}`` (and its
    latency "error_query" the good bucket), a CI gate file with ``version: 1``, a chart's
    ``slo:`` values. Each refused naming its keys (and a version that is not Sloth's); it was
    "a mapping without apiVersion", which Sloth's own specs are too."""
    for tool, expected in (
        ("sloth", "a Sloth spec"),
        ("slo-generator", "a slo-generator SLO config"),
    ):
        ((code, field, at, message),) = problems(imported(tmp_path / tool, tool, "other", name))
        assert (code, field, at) == ("import-unrecognised", "", line)
        assert message == f"not {expected}: {what}"


@pytest.mark.parametrize(
    ("tool", "expected"),
    [
        ("pyrra", "a Pyrra ServiceLevelObjective"),
        ("sloth", "a Sloth spec"),
        ("slo-generator", "a slo-generator SLO config"),
    ],
)
def test_home_grown_service_level_objective_kind_is_named(
    tmp_path: Path, tool: str, expected: str
) -> None:
    """ohanyere/checkout-api: kind ServiceLevelObjective (Pyrra's and slo-generator's kind)
    under its own API, with objective 99.9 and goodEvents / totalEvents: named by its API at
    line 1 by every importer, not read as a Pyrra object missing its group."""
    plan = imported(tmp_path, tool, "other", "ohanyere-checkout-api-slo.yaml")
    assert problems(plan) == [
        (
            "import-unrecognised",
            "apiVersion",
            1,
            f"not {expected}: a Kubernetes ServiceLevelObjective "
            "(sre.platform.ohanyere.io/v1alpha1)",
        )
    ]


NO_OBJECTIVE = "the SLO has no objective"
NO_SLI = "the SLO has no SLI"


def test_sloth_look_alike_with_version_one_point_oh(tmp_path: Path) -> None:
    """Oryn-Route's slo.yaml: version "1.0", service and slos, but each SLO has a metric and
    compliance_target (0.999 …) instead of objective and sli. Every problem at once: the
    version, and for each of the eight SLOs both its missing objective (the fix names
    compliance_target as the level, in percent) and its missing sli — before, only the
    objective was said and the SLI's absence showed after fixing it."""
    plan = imported(tmp_path, "sloth", "other", "oryn-slo.yaml")
    found = problems(plan)
    assert found[0] == (
        "import-invalid-value",
        "version",
        12,
        "version '1.0' is not Sloth's prometheus/v1",
    )
    starts = [21, 35, 49, 64, 78, 93, 103, 118]
    expected = []
    for i, line in enumerate(starts):
        expected.append(("import-missing-field", f"slos[{i}].objective", line, NO_OBJECTIVE))
        expected.append(("import-missing-field", f"slos[{i}].sli", line, NO_SLI))
    assert found[1:] == expected
    fixes = [p.fix for p in plan.problems if p.field.endswith(".objective")]
    levels = ["99.9", "99.5", "99.9", "99", "99", "99.5", "99.9", "99.9"]
    assert fixes == [
        "Sloth reads the level from objective, in percent: this SLO writes compliance_target: "
        f"{shown}; write objective: {level}"
        for shown, level in zip(
            ["0.999", "0.995", "0.999", "0.99", "0.99", "0.995", "0.999", "0.999"],
            levels,
            strict=True,
        )
    ]


def test_sloth_look_alike_with_target_pct(tmp_path: Path) -> None:
    """AgenticAI-2's slo.yaml: version "1.0.0", service, slos with target_pct (99.5, 99.0,
    99.9) and an sli of prose (type, good_events …): the version, each objective with
    target_pct named as its level, and each sli told it needs events, raw or plugin (at
    the line of ``sli:``) — the first (good_events, total_events) as another tool's good and
    total, with the events form that counts them (stop 43)."""
    plan = imported(tmp_path, "sloth", "other", "agenticai-incident-response-slo.yaml")
    found = [(code, field, line) for code, field, line, _ in problems(plan)]
    assert found == [
        ("import-invalid-value", "version", 8),
        ("import-missing-field", "slos[0].objective", 14),
        ("import-invalid-value", "slos[0].sli", 17),
        ("import-missing-field", "slos[1].objective", 37),
        ("import-missing-field", "slos[1].sli", 40),
        ("import-missing-field", "slos[2].objective", 59),
        ("import-missing-field", "slos[2].sli", 62),
    ]
    fixes = [p.fix for p in plan.problems if p.field.endswith(".objective")]
    assert fixes == [
        "Sloth reads the level from objective, in percent: this SLO writes target_pct: "
        f"{level}; write objective: {level}"
        for level in ("99.5", "99.0", "99.9")
    ]


# --- slo-generator ----------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["globocom-slo_simple_example.yml", "globocom-slo_classes.yml"])
def test_globocom_files_are_named(tmp_path: Path, name: str) -> None:
    """globocom/slo-generator (another tool of the same name): its example (slos with
    objectives and errorRateRecord) and its classes file, each named as that tool's; its CRD
    sample (sre.globo.com/v2, kind SLO) named as a Kubernetes SLO of that API."""
    plan = imported(tmp_path, "slo-generator", "slo-generator", name)
    ((code, _, line, message),) = problems(plan)
    assert (code, line) == ("import-unrecognised", 1)
    assert message.startswith("not a slo-generator SLO config: a globocom/slo-generator file")
    plan = imported(tmp_path, "slo-generator", "slo-generator", "globocom-v2-slo-sample.yaml")
    assert problems(plan) == [
        (
            "import-unrecognised",
            "apiVersion",
            1,
            "not a slo-generator SLO config: a Kubernetes SLO (sre.globo.com/v2)",
        )
    ]


def test_terraform_template_of_a_config_is_told_to_be_rendered(tmp_path: Path) -> None:
    """heureka/terraform-kubernetes-google-slo-generator's config.yaml: a templatefile() with
    %{if …} directives, not YAML until Terraform renders it (line 2)."""
    plan = imported(tmp_path, "slo-generator", "slo-generator", "heureka-tf-config.yaml")
    ((code, _, line, message),) = problems(plan)
    assert (code, line) == ("yaml-syntax", 2)
    assert "Terraform %{ … } directives" in message


def test_every_file_is_pinned_and_cited() -> None:
    files = sorted(p for p in FOUND.glob("*/*") if p.suffix in (".yaml", ".yml"))
    assert len(files) >= 28
    pinned_and_cited(__file__, FOUND, files)
