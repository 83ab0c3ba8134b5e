"""Real files of other projects found in the stop 41 hunt, kept in fixtures/found_41/ with
their sources in SOURCES.md there: Sloth specs (a Kubernetes CRD of two resources whose
latency errorQuery takes the +Inf bucket away from the fast one; a plain prometheus/v1 spec),
Nobl9 exports (n9/v1alpha lists, a str.format template), and SLO files of tools Covenant does
not read (a Keptn quality gate, home-grown SLO lists, margin's ServiceSLO, dive's SLO CRD).

Every verdict was read off the file by hand: what each SLO is (target, window, queries) or
the reason it is left out, and for files that are not definitions the code, line and the
tool named.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from covenant.definitions.workspace import analyse
from covenant.services.importing import ImportPlan, plan_import
from tests.definitions.found_files import importer, line, pinned_and_cited, problems, slos

FOUND = Path(__file__).parent / "fixtures" / "found_41"


imported = importer(FOUND, by_tool=True)


def notes(plan: ImportPlan) -> dict[str, tuple[int, str]]:
    """Each note by its field: (line, reason)."""
    return {n.field: (line(n.where), n.reason) for f in plan.files for n in f.imported.notes}


# --- Sloth ----------------------------------------------------------------------------------


def _rate(selector: str) -> str:
    return f"sum(increase({selector}[{{{{.window}}}}]))"


def test_banka3_crd_two_resources_latency_left_out(tmp_path: Path) -> None:
    """RAF-SI-2025/Banka-3-Infrastructure: two PrometheusServiceLevels in one file, queries
    in literal blocks (a trailing newline each). Objectives 99.5 and 99.9 (the descriptions
    say "over 28d" but a Sloth spec has no window: Sloth's 30d). The latency SLO's errorQuery
    is bucket{le="0.5"} - bucket{le="+Inf"} + 0 (and a # comment): the fast requests minus
    all of them, never above 0 — left out at its line, 53."""
    plan = imported(tmp_path, "sloth", "banka3-monitoring-slo.yaml")
    assert plan.problems == []
    gateway = 'http_server_request_duration_seconds_count{job="gateway"'
    rpc = 'rpc_server_duration_milliseconds_count{job=~"user|bank|trading|exchange|notification"'
    assert slos(plan) == {
        "requests-availability": {
            "service": "gateway",
            "target": "0.995",
            "window": "30d",
            "queries": {
                "bad": _rate(f'{gateway},http_response_status_code=~"5.."}}'),
                "total": _rate(f"{gateway}}}"),
            },
        },
        "grpc-availability": {
            "service": "banka-internal",
            "target": "0.999",
            "window": "30d",
            "queries": {
                "bad": _rate(f'{rpc},rpc_grpc_status_code!="0"}}'),
                "total": _rate(f"{rpc}}}"),
            },
        },
    }
    line, reason = notes(plan)["spec.slos[1].sli.events.errorQuery"]
    assert line == 53
    assert "it is never above 0" in reason
    # the resource writes errorQuery and totalQuery: its notes say them so, never the
    # prometheus/v1 spec's error_query / total_query
    assert reason.startswith("errorQuery must count a share of totalQuery's events")
    assert "it takes every event of totalQuery away" in reason
    for text in [n.reason for f in plan.files for n in f.imported.notes]:
        assert "error_query" not in text, text
        assert "total_query" not in text, text


def test_talk_sloth_getting_started(tmp_path: Path) -> None:
    """nicholascapo/talk-sloth: Sloth's getting-started shape, 99.9 over Sloth's 30d; the
    (5..|429) errors of apiserver_request_total over all of them."""
    plan = imported(tmp_path, "sloth", "talk-sloth-slo.yaml")
    assert plan.problems == []
    assert slos(plan) == {
        "requests-availability": {
            "service": "k8s-apiserver",
            "target": "0.999",
            "window": "30d",
            "queries": {
                "bad": _rate('apiserver_request_total{code=~"(5..|429)"}'),
                "total": _rate("apiserver_request_total"),
            },
        }
    }


def test_sloth_like_list_with_target_is_told_objective(tmp_path: Path) -> None:
    """ajoanes98/production-example: service and slos (Sloth's keys) but no version, and
    each SLO's level as target: 99.95 (or target_ms: 300), no objective. The objective is
    told missing — not "objective None is not a percentage" — and the first one's fix names
    the target it wrote."""
    plan = plan_import(
        "sloth", [FOUND / "other" / "production-example-slo.yaml"], into=tmp_path / "ws"
    )
    found = problems(plan)
    assert found[0][:3] == ("import-missing-field", "", 1)
    objective = [p for p in found if p[1].endswith(".objective")]
    assert [(c, f, line) for c, f, line, _ in objective] == [
        ("import-missing-field", "slos[0].objective", 3),
        ("import-missing-field", "slos[1].objective", 7),
    ]
    assert all("None" not in message for *_, message in objective)
    first, second = (p.fix for p in plan.problems if p.field.endswith(".objective"))
    assert first == (
        "Sloth reads the level from objective, in percent: this SLO writes target: 99.95; "
        "write objective: 99.95"
    )
    # target_ms: 300 is a latency bound, not a level: not offered as objective: 300
    assert second == "add the level in percent, e.g. objective: 99.9"


# --- files that are not OpenSLO -------------------------------------------------------------


def _verdict(path: Path) -> list[tuple[str, str, int]]:
    _, found = analyse([path])
    return [(p.code, p.field, int(p.where.rsplit(":", 1)[1])) for p in found]


NOBL9 = ("other-tool-format", "apiVersion")

NOT_OPENSLO: dict[str, list[tuple[str, str, int]]] = {
    # two n9/v1alpha SLOs as one YAML list (sloctl get output), each told at its own line
    "n9-circleci-demo-slo.yml": [(*NOBL9, 1), (*NOBL9, 33)],
    # nobl9/slo-exporter's str.format template: {name} is YAML for a mapping; still Nobl9's
    "nobl9-slo-exporter-template.yaml": [(*NOBL9, 1)],
    # a Kubernetes CRD of kind SLO under another group: not read as OpenSLO's SLO
    "dive-crds-slo.yaml": [(*NOBL9, 1)],
    # the lists below are home-grown: told at their first key (after the comments)
    "crew-ai-sre-slos.yaml": [("not-a-definition", "", 5)],
    "slo-guard-slo.yaml": [("not-a-definition", "", 4)],
    "thunder-db-slo.yaml": [("not-a-definition", "", 2)],
    "production-example-slo.yaml": [("not-a-definition", "", 1)],
    # hakonph/sloth-action: a PrometheusRule with an empty spec, and the action's own
    # metadata (name, description, inputs, runs) under a name that says sloth
    "sloth-action-start.yml": [("other-tool-format", "apiVersion", 1)],
    "sloth-action-sloth.yml": [("not-a-definition", "", 1)],
    # a Cloud Monitoring alert policy (displayName, combiner, conditions), no final newline
    "gcp-node-api-alert-policy.yaml": [("not-a-definition", "", 1)],
}


@pytest.mark.parametrize("name", sorted(NOT_OPENSLO))
def test_not_openslo_verdict(name: str) -> None:
    folder = "openslo" if name.startswith(("n9-", "nobl9-")) else "other"
    assert _verdict(FOUND / folder / name) == NOT_OPENSLO[name]


def _told(path: Path) -> tuple[str, str, str, int, str]:
    _, found = analyse([path])
    (problem,) = found
    line = int(problem.where.rsplit(":", 1)[1])
    return problem.code, problem.field, problem.message, line, problem.fix


def test_keptn_quality_gate_is_named() -> None:
    """keyari79/cloudautomation's slo/slo.yaml is Keptn's SLO file: spec_version,
    comparison, objectives of sli with pass/warning criteria (<600, <=25), total_score. It
    is named as Keptn's, not only "maybe another tool's file"."""
    code, field, message, line, fix = _told(FOUND / "other" / "keptn-cloudautomation-slo.yaml")
    assert (code, field, line) == ("other-tool-format", "", 1)
    assert message.startswith("a Keptn SLO file (quality-gate objectives")
    assert message.endswith(", not OpenSLO")
    assert "no importer reads it" in fix


def test_keptn_sli_file_and_a_second_quality_gate_are_named() -> None:
    """dt-demos/keptn-k3s-demo: Keptn's sli.yaml (spec_version and indicators, a Dynatrace
    metric selector per name) and its slo.yaml (objectives some of which have no criteria
    at all, "<=+10%" relative ones): both named as Keptn's, after the leading ---."""
    code, field, message, line, _ = _told(FOUND / "other" / "keptn-k3s-demo-sli.yaml")
    assert (code, field, line) == ("other-tool-format", "", 2)
    assert message.startswith("a Keptn SLI file (indicators: ")
    code, field, message, line, _ = _told(FOUND / "other" / "keptn-k3s-demo-slo.yaml")
    assert (code, field, line) == ("other-tool-format", "", 2)
    assert message.startswith("a Keptn SLO file (quality-gate objectives")


def test_another_tools_kind_under_its_own_api_is_not_told_to_use_openslo() -> None:
    """bayneri/margin's apiVersion margin/v1, kind ServiceSLO: writing apiVersion: openslo/v1
    (the old fix) would leave a kind OpenSLO has not, and every field another tool's. Told
    as another tool's document, its kind and apiVersion named."""
    code, field, message, line, fix = _told(FOUND / "other" / "margin-slo.yaml")
    assert (code, field, line) == ("other-tool-format", "apiVersion", 1)
    assert message == "a ServiceSLO of another tool (margin/v1), not OpenSLO"
    assert "openslo/v1 or covenant/v1" not in fix


def test_every_file_is_pinned_and_cited() -> None:
    files = sorted(p for p in FOUND.glob("*/*") if p.suffix in (".yaml", ".yml"))
    assert len(files) >= 11
    pinned_and_cited(__file__, FOUND, files)


def test_slom_spec_is_named_by_validate_and_import(tmp_path: Path) -> None:
    """ajalab/slom's getting-started spec: name, labels and slos whose objective is
    {ratio: 0.99, windowRef: window-4w} and whose indicator.prometheus.errorRatio divides
    with slom's $window. Named as slom's by validate and by covenant import sloth (which
    said only "a mapping without apiVersion")."""
    path = FOUND / "other" / "slom-getting-started.yaml"
    code, field, message, line, fix = _told(path)
    assert (code, field, line) == ("other-tool-format", "", 1)
    assert message.startswith("a slom spec (")
    assert "objective.ratio is the target" in fix
    plan = plan_import("sloth", [path], into=tmp_path / "ws")
    ((code, field, line, message),) = problems(plan)
    assert (code, field, line) == ("import-unrecognised", "", 1)
    assert message.startswith("not a Sloth spec: a slom spec (")


@pytest.mark.parametrize("name", ["summit-availability.yaml", "summit-latency.yaml"])
def test_v1_slo_with_alpha_objective_fields(name: str) -> None:
    """BrianCLong/summit: apiVersion openslo/v1, but each objective holds v1alpha's
    ratioMetrics (source, queryType, query) and its own timeWindow. Three errors at their
    lines: no indicator in spec (6), ratioMetrics told as v1alpha's (11), timeWindow told to
    move to the spec (21); the window's absence and the Service not in the file warned."""
    _, found = analyse([FOUND / "openslo" / name])
    errors = {
        (p.code, p.field, int(p.where.rsplit(":", 1)[1])) for p in found if p.severity == "error"
    }
    assert errors == {
        ("missing-field", "spec", 6),
        ("unknown-field", "spec.objectives[0].ratioMetrics", 11),
        ("unknown-field", "spec.objectives[0].timeWindow", 21),
    }
    assert {p.code for p in found if p.severity != "error"} == {
        "missing-time-window",
        "unresolved-reference",
    }
    (alpha,) = [p for p in found if p.field.endswith("ratioMetrics")]
    assert "openslo/v1alpha's objective field" in alpha.fix
    (window,) = [p for p in found if p.field.endswith("objectives[0].timeWindow")]
    assert "spec.timeWindow" in window.fix


# --- Pyrra ----------------------------------------------------------------------------------


def test_pyrra_openshift_bundle_with_a_route(tmp_path: Path) -> None:
    """vrutkovs/pyrra-openshift's root slo.yaml (reduced to six objects and one of its two
    Routes): a bundle of Pyrra objects with an OpenShift Route, which is skipped with a note
    at its kind's line (120). Targets "99" and "99.99" over 7d, the service the namespace;
    a selector folded over two lines read as one; an empty {} and no selector at all kept;
    le="1" and le="200" matched in both spellings Prometheus 3 may write, le="1.024" as is."""
    plan = imported(tmp_path, "pyrra", "pyrra-openshift-bundle-reduced.yaml")
    assert plan.problems == []

    def one(target: str, **queries: str) -> dict[str, Any]:
        return {
            "service": "openshift-monitoring",
            "target": target,
            "window": "7d",
            "queries": {part: f"sum({query})" for part, query in queries.items()},
        }

    auth = 'authentication_duration_seconds_{}{{apiserver="kube-apiserver"{}}}'
    assert slos(plan) == {
        "cco-reconcile-latency": one(
            "0.99",
            good='cco_controller_reconcile_seconds_bucket{le=~"1|1\\\\.0"}',
            total="cco_controller_reconcile_seconds_count{}",
        ),
        "cni-receive-dropped-packets": one(
            "0.99",
            bad="container_network_receive_packets_dropped_total",
            total="container_network_receive_packets_total",
        ),
        "coredns-response-errors": one(
            "0.9999",
            bad='coredns_dns_responses_total{job="dns-default",rcode="SERVFAIL"}',
            total='coredns_dns_responses_total{job="dns-default"}',
        ),
        "ingress-canary-latency": one(
            "0.99",
            good='ingress_canary_check_duration_bucket{le=~"200|200\\\\.0"}',
            total="ingress_canary_check_duration_count",
        ),
        "kube-apiserver-auth-request-latency": one(
            "0.99",
            good=auth.format("bucket", ',le="1.024"'),
            total=auth.format("count", ""),
        ),
        "prometheus-rule-evaluations-errors": one(
            "0.9999",
            bad='prometheus_rule_evaluation_failures_total{job="prometheus-k8s"}',
            total='prometheus_rule_evaluations_total{job="prometheus-k8s"}',
        ),
    }
    line, reason = notes(plan)["kind"]
    assert line == 120
    assert reason.startswith("a Kubernetes Route (route.openshift.io/v1) in a bundle")
    assert reason.endswith("skipped")


# --- slo-generator --------------------------------------------------------------------------


def test_slo_generator_v1_query_sli_ratio_is_split(tmp_path: Path) -> None:
    """professional-services' v1 Prometheus query_sli: one expression, good / valid over
    slo-generator's [window]: imported as its two counts (rate as increase over Covenant's
    window), slo_target 0.999 over 28d (no shared config), told at the expression's line."""
    plan = imported(
        tmp_path, "slo-generator", "gcp-ps-slo_prom_metrics_availability_query_sli.yaml"
    )
    assert plan.problems == []
    requests = 'prometheus_http_requests_total{{{}handler="/metrics"}}'
    assert slos(plan) == {
        "prom-metrics-availability": {
            "service": "prom",
            "target": "0.999",
            "window": "28d",
            "queries": {
                "good": _rate(requests.format('code=~"2..", ')),
                "total": _rate(requests.format("")),
            },
        }
    }
    line, reason = notes(plan)["spec.service_level_indicator.expression"]
    assert line == 16
    assert reason.startswith("a ratio of two counts: imported as its numerator (good)")


def test_slo_generator_v1_datadog_query_slo_keeps_the_slo_id(tmp_path: Path) -> None:
    """query_slo reads an SLI Datadog computes for the SLO slo_id (${DATADOG_SLO_ID}, at
    the top of the v1 file): a raw success ratio whose source keeps slo_id, 0.15 as written
    over 28d; the singular exporter told as one slo-generator never read (line 26)."""
    plan = imported(tmp_path, "slo-generator", "gcp-ps-slo_dd_disk_utilization_query_slo.yaml")
    assert plan.problems == []
    (file,) = plan.files
    (slo,) = [d for d in file.imported.documents if d["kind"] == "SLO"]
    ratio = slo["spec"]["indicator"]["spec"]["ratioMetric"]
    assert ratio["rawType"] == "success"
    assert ratio["raw"]["metricSource"]["spec"] == {"slo_id": "${DATADOG_SLO_ID}"}
    assert [str(o["target"]) for o in slo["spec"]["objectives"]] == ["0.15"]
    assert slo["spec"]["timeWindow"] == [{"duration": "28d", "isRolling": True}]
    assert notes(plan)["exporter"][0] == 26


EARLY_CRD = [
    # name, line of apiVersion, the camelCase → snake_case renames the fix lists
    (
        "ocervell-v2-slo_elk_test_errors.yaml",
        15,
        ["queryGood → query_good", "queryBad → query_bad"],
    ),
    (
        "ocervell-v2-slo_csm_gke_availability.yaml",
        15,
        ["clusterIstio → cluster_istio", "serviceNamespace → service_namespace"],
    ),
    ("ocervell-slo_template.yaml", 15, ["serviceLevelIndicator → service_level_indicator"]),
    (
        "ocervell-v2-slo_pubsub_coverage.yaml",
        2,
        ["serviceLevelIndicator → service_level_indicator"],
    ),
]


@pytest.mark.parametrize(("name", "line", "renames"), EARLY_CRD)
def test_early_slo_generator_crds_told_the_v2_form(
    tmp_path: Path, name: str, line: int, renames: list[str]
) -> None:
    """ocervell/slo-generator-gke's cloud.google.com/v1 ServiceLevelObjectives (camelCase
    spec, backends named in its own ConfigMap: cm, csm, elk): refused at apiVersion's line
    (after the licence header) with the v2 form and each rename the file needs."""
    plan = imported(tmp_path, "slo-generator", name)
    ((code, field, at, message),) = problems(plan)
    assert (code, field, at) == ("import-unrecognised", "apiVersion", line)
    assert message.startswith("apiVersion cloud.google.com/v1 is an early CRD form")
    (problem,) = plan.problems
    for rename in renames:
        assert rename in problem.fix


@pytest.mark.parametrize(
    ("name", "short", "meant"),
    [
        ("ocervell-v2-slo_elk_test_errors.yaml", "elk", "elasticsearch"),
        ("ocervell-v2-slo_csm_gke_availability.yaml", "csm", "cloud_service_monitoring"),
    ],
)
def test_early_crd_short_backend_names_are_told_their_v2_name(
    tmp_path: Path, name: str, short: str, meant: str
) -> None:
    """The early CRDs name a backend of their own ConfigMap (v2/config.yaml there: name: elk,
    class: Elasticsearch; name: csm, class: CloudServiceMonitoring). The fix names the v2
    backend that class is, not only the list of every backend v2 ships."""
    (problem,) = imported(tmp_path, "slo-generator", name).problems
    assert f"backend {short} is not one slo-generator v2 ships" in problem.fix
    assert f"write backend: {meant} if {short} is its" in problem.fix


def test_sloth_action_openslo_alpha_read_both_ways(tmp_path: Path) -> None:
    """hakonph/sloth-action's openslo.yml: Sloth's OpenSLO example (openslo/v1alpha, an
    objective of ratioMetrics without value, timeWindows {count: 30, unit: Day} without
    isRolling, queries with {{.window}}). Validate: the two missing fields at their lines
    (11, 22). Through Sloth: SLO sloth-slo-my-service-0, 0.999 over 30d, no alerts."""
    path = FOUND / "openslo" / "sloth-action-openslo.yml"
    _, found = analyse([path])
    errors = {
        (p.code, p.field, int(p.where.rsplit(":", 1)[1])) for p in found if p.severity == "error"
    }
    assert errors == {
        ("missing-field", "spec.objectives[0].value", 11),
        ("missing-field", "spec.timeWindows[0].isRolling", 22),
    }
    assert {p.code for p in found if p.severity != "error"} == {
        "unresolved-reference",
        "converted-api-version",
    }
    # the window is told once, by its error: no "read as 30d — nothing to do" beside it
    assert [p.field for p in found if p.field.startswith("spec.timeWindows")] == [
        "spec.timeWindows[0].isRolling"
    ]
    plan = plan_import("sloth", [path], into=tmp_path / "ws")
    assert plan.problems == []
    count = 'http_request_duration_seconds_count{{job="myservice"{}}}'
    assert slos(plan) == {
        "sloth-slo-my-service-0": {
            "service": "my-service",
            "target": "0.999",
            "window": "30d",
            "queries": {
                "good": _rate(count.format(',code!~"(5..|429)"')),
                "total": _rate(count.format("")),
            },
        }
    }


def test_roller_successes_counted_as_errors_are_told(tmp_path: Path) -> None:
    """mdbdba/roller's slo/sloth.yaml (no newline at its end): three SLOs imported as Sloth
    reads them (0.999, 0.9999, 0.9999 over 30d). The second counts
    roller_1_happy_path_success_total as its errors over success + failure: the successes
    are the bad events, an SLO that burns while all goes well — told at its line (38), with
    the failure counter of its total as the errors meant. The third counts the bucket
    le="1" alone as errors (the fast runs), told so at its line (62)."""
    plan = imported(tmp_path, "sloth", "roller-slo-sloth.yaml")
    assert plan.problems == []
    happy = "roller_1_happy_path_{}_total"
    found = slos(plan)
    assert {name: (s["target"], s["window"]) for name, s in found.items()} == {
        "roller-requests-availability": ("0.999", "30d"),
        "roller-1-happy-path-success": ("0.9999", "30d"),
        "roller-1-happy-path-duration": ("0.9999", "30d"),
    }
    assert found["roller-1-happy-path-success"]["queries"] == {
        "bad": _rate(happy.format("success")),
        "total": f"{_rate(happy.format('success'))} + {_rate(happy.format('failure'))}",
    }
    told = notes(plan)
    line, reason = told["slos[1].sli.events.error_query"]
    assert line == 38
    assert reason.startswith(
        "error_query counts roller_1_happy_path_success_total, whose name says success: the "
        "successes as the bad events"
    )
    assert "sum(rate(roller_1_happy_path_failure_total[{{.window}}]))" in reason
    line, reason = told["slos[2].sli.events.error_query"]
    assert line == 62
    assert reason.startswith('error_query counts the histogram bucket le="1" alone')
    # the first SLO's error_query counts 5xx and 429 responses: nothing said of it
    assert "slos[0].sli.events.error_query" not in told


def test_sloth_example_per_endpoint_tiers(tmp_path: Path) -> None:
    """skyapps-id/sloth-example (reduced to three of its fourteen SLOs): per-endpoint SLOs
    over traefik's counters, block-scalar queries; the latency SLO's raw error ratio is
    1 - bucket{le="0.5"} / count, imported as the bucket's good events over the count (told
    at its line, 32); each SLO's labels (tier, endpoint) kept; 99.9, 99.9 and 99.0 %."""
    plan = imported(tmp_path, "sloth", "sloth-example-slo-reduced.yaml")
    assert plan.problems == []
    requests = 'traefik_service_requests_total{{service="{}-svc@file"{}}}'
    duration = 'traefik_service_request_duration_seconds_{}{{service="login-svc@file"{}}}'
    assert slos(plan) == {
        "tier1-login-availability": {
            "service": "sloth-example",
            "target": "0.999",
            "window": "30d",
            "queries": {
                "bad": _rate(requests.format("login", ',code=~"5.."')),
                "total": _rate(requests.format("login", "")),
            },
        },
        "tier1-login-latency": {
            "service": "sloth-example",
            "target": "0.999",
            "window": "30d",
            "queries": {
                "good": _rate(duration.format("bucket", ',le="0.5"')),
                "total": _rate(duration.format("count", "")),
            },
        },
        "tier3-reports-availability": {
            "service": "sloth-example",
            "target": "0.99",
            "window": "30d",
            "queries": {
                "bad": _rate(requests.format("reports", ',code=~"5.."')),
                "total": _rate(requests.format("reports", "")),
            },
        },
    }
    line, reason = notes(plan)["slos[1].sli.raw.error_ratio_query"]
    assert line == 32
    assert reason.startswith("1 minus a ratio of counts: the numerator is the good events")
    (file,) = plan.files
    labels = {
        d["metadata"]["name"]: d["metadata"]["labels"]
        for d in file.imported.documents
        if d["kind"] == "SLO"
    }
    assert labels["tier3-reports-availability"] == {"tier": "background", "endpoint": "reports"}


def test_crd_queries_without_window_told_in_the_files_spelling(tmp_path: Path) -> None:
    """mahiverma0229/genai-eks-infra's slo/slos.yaml (no newline at its end): a
    PrometheusServiceLevel whose errorQuery and totalQuery are bare series, no rate and no
    {{.window}}, and no alerting at all. Refused at errorQuery's line (12), the message
    naming the key as the resource writes it (errorQuery, not error_query); and at the
    SLO's line (8) for the alert name Sloth requires while both alerts are on."""
    plan = imported(tmp_path, "sloth", "genai-eks-infra-slos.yaml")
    assert [(c, f, line) for c, f, line, _ in problems(plan)] == [
        ("import-invalid-value", "spec.slos[0].sli.events.errorQuery", 12),
        ("import-missing-field", "spec.slos[0].alerting.name", 8),
    ]
    assert problems(plan)[0][3] == "errorQuery has no {{.window}} range"
    # the alert name's fix names the resource's pageAlert, not prometheus/v1's page_alert
    assert "(pageAlert: {disable: true})" in plan.problems[1].fix
    assert "page_alert" not in plan.problems[1].fix


def test_openslo_inspired_good_total_list_told_sloths_keys(tmp_path: Path) -> None:
    """aLuizab/llm-slo-lab's slo/slos.yaml (reduced to two of its four SLOs): service and
    slos as Sloth writes them, but its own format — objective a fraction (0.99), sli
    {good, total} over {window}, burn_rates. Through covenant import sloth: the version
    missing (line 9, its first key after the comments), and each SLI told that good and
    total are not Sloth's keys (lines 23 and 33, their sli keys), with the events form that
    counts them."""
    plan = imported(tmp_path, "sloth", "llm-slo-lab-slos-reduced.yaml")
    found = [(c, f, line) for c, f, line, _ in problems(plan)]
    assert found[0] == ("import-missing-field", "", 9)
    sli = [p for p in plan.problems if p.field.endswith(".sli")]
    assert [(p.code, p.field, p.where.rsplit(":", 1)[1]) for p in sli] == [
        ("import-invalid-value", "slos[0].sli", "23"),
        ("import-invalid-value", "slos[1].sli", "33"),
    ]
    assert sli[0].message == (
        "sli has good and total (another tool's keys: the good events and all of them), not "
        "events, raw or plugin"
    )
    assert sli[0].fix.startswith(
        "write them as sli: events: {error_query: <total> - <good> (the bad events), "
        "total_query: <total>}"
    )


def test_an_alpha_window_with_is_rolling_is_still_told_its_v1_form(tmp_path: Path) -> None:
    """The same file with isRolling: true written in its window: no error there, and the
    conversion of {count: 30, unit: Day} to duration 30d is told (a warning, line 23)."""
    text = (FOUND / "openslo" / "sloth-action-openslo.yml").read_text(encoding="utf-8")
    assert "      unit: Day\n" in text
    path = tmp_path / "openslo.yml"
    path.write_text(text.replace("      unit: Day\n", "      unit: Day\n      isRolling: true\n"))
    _, found = analyse([path])
    told = [p for p in found if p.field.startswith("spec.timeWindows")]
    assert [(p.code, p.field, p.severity) for p in told] == [
        ("converted-api-version", "spec.timeWindows[0].unit", "warning")
    ]
    assert told[0].where.endswith(":23")
    assert "read as timeWindow duration 30d" in told[0].message
