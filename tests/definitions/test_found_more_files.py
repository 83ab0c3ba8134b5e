"""More real files of other projects (stop 40 hunt), kept in fixtures/found_more/ with their
sources in SOURCES.md there: Sumo Logic's OpenSLO generator (slogen: calendar weeks written
``Week`` from ``Monday``, a rolling window with a time zone, Timeslices with the slice in the
vendor's spec, AlertPolicies of two conditions and of kind ``sli``), slo-generator v1 samples
from Google's professional-services repository (Datadog, Elasticsearch, Prometheus, Cloud
Monitoring distribution_cut and Service Monitoring basic, an error-budget policy), Sloth
specs (lokalise's own plugins with the ticket alert disabled; a Giant Swarm Helm values
file), and Pyrra objects written by rhobs' Go generator (``apiVersion: v1alpha1``).

Every verdict was read off the file by hand: OpenSLO files as (code, field, line) errors and
warning codes, imports as the SLOs written (target, window, queries) or the reason given.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest

from covenant.definitions.fields import weekday_date
from covenant.definitions.workspace import analyse
from covenant.services.importing import ImportPlan
from tests.definitions import found_files
from tests.definitions.found_files import importer, pinned_and_cited

MORE = Path(__file__).parent / "fixtures" / "found_more"

Verdict = tuple[set[tuple[str, str, int]], set[str]]  # errors (code, field, line), warnings

UNRESOLVED = "unresolved-reference"
NAME = ("invalid-name", "metadata.name", 4)
WEEK = ("invalid-duration", "spec.timeWindow[0].duration", 35)  # duration: Week
MONDAY = ("invalid-start-time", "spec.timeWindow[0].calendar.startTime", 37)


def _policy_errors(*, kind_lines: tuple[int, ...]) -> set[tuple[str, str, int]]:
    """slogen's two AlertPolicies: upper-case names (the policy's and both conditions'), two
    conditions where OpenSLO v1 allows one, lookbackWindow -1h (a negative duration)."""
    errors = {
        NAME,
        ("invalid-value", "spec.conditions", 10),
        ("invalid-name", "spec.conditions[0].metadata.name", 13),
        ("invalid-duration", "spec.conditions[0].spec.condition.lookbackWindow", 21),
        ("invalid-name", "spec.conditions[1].metadata.name", 25),
        ("invalid-duration", "spec.conditions[1].spec.condition.lookbackWindow", 33),
    }
    return errors | {
        ("invalid-value", f"spec.conditions[{i}].spec.condition.kind", line)
        for i, line in enumerate(kind_lines)
    }


OPENSLO: dict[str, Verdict] = {
    "slogen-alert-policy-burn-rate.yaml": (_policy_errors(kind_lines=()), set()),
    # kind: sli, threshold 99.75 and 99.5: SLI levels in percent, not burn rates
    "slogen-alert-policy-slo-breach.yaml": (_policy_errors(kind_lines=(19, 31)), set()),
    "slogen-logs-req-calendar.yaml": (
        {NAME, WEEK, MONDAY, ("invalid-type", "spec.alertPolicies[0]", 45)},  # a bare name
        {UNRESOLVED},
    ),
    # a rolling 7d with calendar: {timeZone}: a calendar on a rolling window, which the
    # reference SDK refuses too (go-sdk pkg/openslo/v1/slo.go: "'calendar' cannot be set
    # when 'isRolling' is true")
    "slogen-logs-req-rolling.yaml": (
        {
            ("invalid-name", "metadata.name", 4),
            ("conflicting-fields", "spec.timeWindow[0].calendar", 37),
            ("invalid-type", "spec.alertPolicies[0]", 44),
        },
        {UNRESOLVED},  # service tsat, DataSource sumologic-datasource: not in these files
    ),
    # Timeslices whose slice (size: 1m) and bound (op, threshold) are in Sumo Logic's
    # metricSource spec; the objective has none of op, value, timeSliceTarget, timeSliceWindow
    "slogen-logs-window-threshold-based.yaml": (
        {
            NAME,
            WEEK,
            MONDAY,
            ("threshold-needs-op-value", "spec.objectives[0].op", 41),
            ("missing-field", "spec.objectives[0].timeSliceTarget", 41),
            ("missing-field", "spec.objectives[0].timeSliceWindow", 41),
        },
        {UNRESOLVED},  # no Service in the file: said with the errors, not after them
    ),
    # openslo/v1alpha objectives without value (that version requires it), no timeWindows,
    # queries with Sloth's {{.window}}: the error says `covenant import sloth` reads it
    "hello-openslo-slo.yaml": (
        {("missing-field", "spec.objectives[0].value", 11)},
        {"missing-time-window", "converted-api-version", UNRESOLVED},
    ),
    # Blameless' own format (blameless/v1alpha), after a blank first line and with no
    # newline at the end: told how its fields map to OpenSLO
    "blameless-sample-sli.yaml": ({("other-tool-format", "apiVersion", 2)}, set()),
    # a folder of two of OpenSLO's schema-test files (no newline at their ends): the SLO's
    # indicatorRef names an SLI that is not the folder's one (great-sli)
    "openslo-bridge-input": ({("missing-reference", "spec.indicatorRef", 9)}, {UNRESOLVED}),
    # a Kubernetes resource of another SLO tool (slo.ssentinel.io/v1alpha1 SLOConfig)
    "ssentinel-demo-app.slo.yaml": ({("other-tool-format", "apiVersion", 1)}, set()),
    # target: connection (a Sumo Logic connection), named OnCallPagerdutyUrgent
    "slogen-notification-target-pagerduty.yaml": (
        {("invalid-name", "metadata.name", 7)},
        {"target-not-delivered"},
    ),
}


def _verdict(path: Path) -> Verdict:
    _, problems = analyse([path])
    errors = {
        (p.code, p.field, int(p.where.rsplit(":", 1)[1])) for p in problems if p.severity == "error"
    }
    return errors, {p.code for p in problems if p.severity != "error"}


@pytest.mark.parametrize("name", sorted(OPENSLO))
def test_openslo_file_verdict(name: str) -> None:
    assert _verdict(MORE / "openslo" / name) == OPENSLO[name]


def test_an_sli_condition_is_told_its_threshold_is_an_sli_level() -> None:
    """slogen's ``kind: sli`` alerts when the SLI falls below its threshold (99.75, in
    percent). "write kind: burnrate" alone would read 99.75 as a burn rate, an alert that
    never fires on a 99.9 % objective (its highest burn rate is 1000): the fix converts the
    level. An SLI of 99.75 % on a target of 0.999 burns (1 - 0.9975) / (1 - 0.999) = 2.5."""
    _, problems = analyse([MORE / "openslo" / "slogen-alert-policy-slo-breach.yaml"])
    kinds = [p for p in problems if p.field.endswith("condition.kind")]
    assert len(kinds) == 2
    problem = kinds[0]
    assert problem.message.startswith("condition kind 'sli' is not one OpenSLO defines: ")
    assert "its threshold is a level of the SLI" in problem.message
    assert problem.fix.startswith(
        "write kind: burnrate and threshold: <(1 - the SLI level) / (1 - target)>"
    )
    assert "an SLI of 99.75 % on a target of 0.999 is threshold: 2.5" in problem.fix
    # its threshold is not also read as a burn rate ("99.75 is above the highest ...")
    assert "alert-threshold-raised" not in {p.code for p in problems}


# --- imports ------------------------------------------------------------------------------


imported = importer(MORE, by_tool=True)


def slos(plan: ImportPlan) -> dict[str, dict[str, Any]]:
    return found_files.slos(plan, whole_source=True)


def reasons(plan: ImportPlan) -> list[tuple[str, str]]:
    return [(n.field, n.reason) for f in plan.files for n in f.imported.notes]


def test_rhobs_pyrra_latency_is_its_labelled_service(tmp_path: Path) -> None:
    """rhobs' generator writes ``apiVersion: v1alpha1`` (no group), ``grouping: null`` and
    names the service in the label ``pyrra.dev/service: observatorium-api`` (which Pyrra
    puts on its rules as service=...): target "90" is 0.9 over 28d, the bucket le="10"."""
    plan = imported(tmp_path, "pyrra", "rhobs-mst-production-api-metrics-read-1M-latency-slo.yaml")
    assert plan.problems == []
    selector = 'query="query-path-sli-1M-samples",namespace="observatorium-mst-production"'
    assert slos(plan) == {
        "api-metrics-read-1m-latency-slo": {
            "service": "observatorium-api",
            "target": "0.9",
            "window": "28d",
            "queries": {
                "good": {
                    "query": f"sum(up_custom_query_duration_seconds_bucket{{{selector},"
                    'http_code=~"^2..$",le=~"10|10\\\\.0"})'
                },
                "total": {
                    "query": "sum(up_custom_query_duration_seconds_count"
                    '{query="query-path-sli-1M-samples", namespace="observatorium-mst-production",'
                    ' http_code=~"^2..$"})'
                },
            },
        }
    }
    said = reasons(plan)
    assert (
        "apiVersion",
        "apiVersion 'v1alpha1' lacks Pyrra's group (as Pyrra's Go types "
        "write it): read as pyrra.dev/v1alpha1",
    ) in said
    (service,) = [r for f, r in said if "service" in r and f.startswith("metadata")]
    assert "pyrra.dev/service" in service
    # a 0.9 objective burns at most 10: Pyrra's 14 never fires, here as there
    assert any("threshold 14 is above 10" in r for _, r in said)


def test_rhobs_pyrra_ratio(tmp_path: Path) -> None:
    plan = imported(tmp_path, "pyrra", "rhobs-mst-production-api-alerting-availability-slo.yaml")
    assert plan.problems == []
    selector = 'container="thanos-rule", namespace="observatorium-mst-production"'
    assert slos(plan) == {
        "api-alerting-availability-slo": {
            "service": "observatorium-api",
            "target": "0.95",
            "window": "28d",
            "queries": {
                "bad": {
                    "query": f"sum(thanos_alert_sender_alerts_dropped_total{{{selector}, "
                    'code=~"^5..$"})'
                },
                "total": {"query": f"sum(thanos_alert_sender_alerts_dropped_total{{{selector}}})"},
            },
        }
    }


def _notes(plan: ImportPlan) -> dict[str, tuple[str, str]]:
    """Each note by its field: (line, reason)."""
    return {
        n.field: (n.where.rsplit(":", 1)[1], n.reason) for f in plan.files for n in f.imported.notes
    }


# Pyrra's alert windows of a 4w (28d) window: W/672 and W/8064, W/112 and W/1344, W/28 and
# W/336, W/7 and W/112: 1h/5m, 6h/30m, 1d/2h, 4d/6h
FOUR_WEEKS = [("1h", "5m"), ("6h", "30m"), ("1d", "2h"), ("4d", "6h")]


@pytest.mark.parametrize(
    ("name", "target", "queries"),
    [
        (
            "qoega-clickhouse-http-errors.yaml",
            "0.99",
            {
                "bad": 'sum(http_requests_total{job="api-server",code=~"5.."})',
                "total": 'sum(http_requests_total{job="api-server"})',
            },
        ),
        (  # le="0.1": one spelling only, in Prometheus 2 and 3 alike
            "qoega-clickhouse-http-latency.yaml",
            "0.95",
            {
                "good": 'sum(http_request_duration_seconds_bucket{job="api-server",le="0.1"})',
                "total": 'sum(http_request_duration_seconds_count{job="api-server"})',
            },
        ),
        (
            "qoega-clickhouse-probe-success.yaml",
            "0.999",
            {
                "good": 'sum(sum_over_time(probe_success{job="blackbox"}[{{.window}}]))',
                "total": 'sum(count_over_time(probe_success{job="blackbox"}[{{.window}}]))',
            },
        ),
    ],
)
def test_pyrra_fork_examples_grouped(
    tmp_path: Path, name: str, target: str, queries: dict[str, str]
) -> None:
    """A Pyrra fork's ClickHouse examples (qoega/pyrra): ratio, latency and bool_gauge, each
    grouped (by handler or instance: noted, imported over all series), 4w windows, the
    service their namespace (monitoring), the pyrra.dev/team label kept."""
    plan = imported(tmp_path, "pyrra", name)
    assert plan.problems == []
    ((slo_name, found),) = slos(plan).items()
    assert slo_name == name.removeprefix("qoega-clickhouse-").removesuffix(".yaml")
    assert found == {
        "service": "monitoring",
        "target": target,
        "window": "4w",
        "queries": {part: {"query": query} for part, query in queries.items()},
    }
    (file,) = plan.files
    (slo,) = [d for d in file.imported.documents if d["kind"] == "SLO"]
    assert slo["metadata"]["labels"]["team"] == "platform"
    windows = [(t["longWindow"], t["shortWindow"]) for t in slo["spec"]["alerting"]["tiers"]]
    assert windows == FOUR_WEEKS
    assert any(f.endswith(".grouping") and "grouping by" in r for f, r in reasons(plan))


def test_slo_generator_v1_datadog_ratio(tmp_path: Path) -> None:
    """professional-services' v1 Datadog sample: good_query / valid_query (the early
    backend's names) of disk used over disk total, slo_target 0.15 as written, 28d (no shared
    config). Each note points at the line the v1 file writes its field on."""
    plan = imported(tmp_path, "slo-generator", "gcp-ps-slo_dd_disk_utilization_ratio.yaml")
    assert plan.problems == []
    assert slos(plan) == {
        "dd-disk-utilization": {
            "service": "dd",
            "target": "0.15",
            "window": "28d",
            "queries": {
                "good": {"good_query": "sum:system.disk.used{*}"},
                "total": {"valid_query": "sum:system.disk.total{*}"},
            },
        }
    }
    notes = _notes(plan)
    assert notes["spec.service_level_indicator.good_query"][0] == "26"
    assert notes["spec.service_level_indicator.valid_query"][0] == "27"
    assert notes["spec.backend"][0] == "21"  # class: Datadog
    assert "rename it there" in notes["spec.service_level_indicator.good_query"][1]
    # exporter: {class: Datadog} (one, where slo-generator reads a list named exporters):
    # told as an exporter slo-generator does not read, not as a label that holds a mapping
    assert "metadata.labels.exporter" not in notes
    line, reason = notes["exporter"]
    assert line == "28"
    assert reason.startswith(
        "exporter: slo-generator reads exporters, a list ('- class: Datadog'); this one it "
        "does not read"
    )


def test_slo_generator_v1_prometheus_ratio(tmp_path: Path) -> None:
    """filter_good / filter_valid with slo-generator's [window]: summed increases over
    Covenant's window, 0.999 over 28d."""
    plan = imported(tmp_path, "slo-generator", "gcp-ps-slo_prom_metrics_availability_ratio.yaml")
    assert plan.problems == []
    assert slos(plan) == {
        "prom-metrics-availability": {
            "service": "prom",
            "target": "0.999",
            "window": "28d",
            "queries": {
                "good": {
                    "query": 'sum(increase(prometheus_http_requests_total{code=~"2..", '
                    'handler="/metrics"}[{{.window}}]))'
                },
                "total": {
                    "query": 'sum(increase(prometheus_http_requests_total{handler="/metrics"}'
                    "[{{.window}}]))"
                },
            },
        }
    }
    assert _notes(plan)["spec.backend"][0] == "8"  # url: ${PROMETHEUS_URL}, under backend


def test_slo_generator_v1_goal_of_one_is_left_out_at_its_line(tmp_path: Path) -> None:
    plan = imported(tmp_path, "slo-generator", "gcp-ps-slo_elk_test_ratio.yaml")
    assert plan.problems == []
    assert slos(plan) == {}
    line, reason = _notes(plan)["spec.goal"]
    assert line == "6"  # slo_target: 1
    assert reason.startswith("a goal of 1 (100 %) leaves no error budget")


def test_slo_generator_v1_bucket_index_is_left_out_at_its_line(tmp_path: Path) -> None:
    """distribution_cut with threshold_bucket 19: a bucket index, whose latency bound is not
    in the file: left out, with the OpenSLO form that keeps it."""
    plan = imported(tmp_path, "slo-generator", "gcp-ps-slo_gae_app_latency724ms.yaml")
    assert slos(plan) == {}
    line, reason = _notes(plan)["spec.service_level_indicator.threshold_bucket"]
    assert line == "19"
    assert reason.startswith("threshold_bucket 19 is a bucket index")
    assert '{"latencyMs": {"op": "lt", "value": <ms>}}' in reason


def test_slo_generator_v1_basic_latency_written_with_a_unit(tmp_path: Path) -> None:
    """Service Monitoring's basic SLI with threshold: 724ms: slo-generator v1 divides it by
    1000 (a number of ms), so the text fails there too: refused at its line, 17."""
    plan = imported(tmp_path, "slo-generator", "gcp-ps-slo_gke_app_latency_basic.yaml")
    (problem,) = plan.problems
    assert (problem.code, problem.field) == (
        "import-invalid-value",
        "spec.service_level_indicator.latency.threshold",
    )
    assert problem.where.endswith("gcp-ps-slo_gke_app_latency_basic.yaml:17")
    assert "threshold '724ms' is not a number" in str(problem)
    assert "threshold: 724" in str(problem)


def test_slo_generator_v1_policy_alone_holds_no_slo(tmp_path: Path) -> None:
    plan = imported(tmp_path, "slo-generator", "gcp-ps-error_budget_policy.yaml")
    assert plan.problems == []
    (file,) = plan.files
    assert file.imported.documents == []
    assert file.imported.reason.startswith(
        "a slo-generator v1 error-budget policy (a list of steps) holds no SLO"
    )


def test_a_shared_config_alone_holds_no_slo(tmp_path: Path) -> None:
    """heureka's omni-slo-generator sample: a v2 shared config (a Prometheus backend behind
    Mimir with an X-Scope-OrgID header, the default four-step policy) and no SLO."""
    plan = imported(tmp_path, "slo-generator", "omni-slo-generator-config.yaml")
    assert plan.problems == []
    (file,) = plan.files
    assert file.imported.documents == []
    assert file.imported.reason.startswith(
        "slo-generator's shared config (backends, exporters, error-budget policies) holds no "
        "SLO: it is read when importing the SLO configs"
    )


def test_lokalise_plugins_are_left_out_with_the_events_form(tmp_path: Path) -> None:
    """Two SLOs whose SLIs are lokalise's own plugins (lokalise/http-error-rate, -latency),
    code not in the file: both left out, each at its plugin's line."""
    plan = imported(tmp_path, "sloth", "lokalise-example-slo-spec.yaml")
    assert plan.problems == []
    assert slos(plan) == {}
    notes = _notes(plan)
    for i, (line, plugin) in enumerate([("19", "http-error-rate"), ("42", "http-latency")]):
        at, reason = notes[f"spec.slos[{i}].sli.plugin"]
        assert at == line
        assert reason.startswith(f"SLI plugin 'lokalise/{plugin}': its queries are made by ")
        assert "write the SLI as sli.events" in reason


HELM_VALUES = (
    "a Helm chart's values for one SLO (objective, errorQuery, totalQuery; its queries in "
    "Helm's {{` … `}} escapes), which the chart renders into a Sloth PrometheusServiceLevel"
)
HELM_FIX = (
    "render the chart first (helm template CHART -f VALUES) and import the "
    "PrometheusServiceLevel it writes with covenant import sloth"
)


def test_giant_swarm_helm_values_are_told_to_be_rendered(tmp_path: Path) -> None:
    """Giant Swarm's sloth-rules keep one SLO per file as a Helm chart's values (top-level
    objective, errorQuery, totalQuery, alertLabels; queries wrapped in {{` … `}} so Helm
    leaves Sloth's {{.window}} alone): not a Sloth spec, and told what renders one — no
    longer only "a mapping without apiVersion"."""
    plan = imported(tmp_path, "sloth", "giantswarm-etcd-latency.yaml")
    (problem,) = plan.problems
    assert problem.code == "import-unrecognised"
    assert problem.message == f"not a Sloth spec: {HELM_VALUES}: {HELM_FIX}"
    _, problems = analyse([MORE / "sloth" / "giantswarm-etcd-latency.yaml"])
    (found,) = problems
    assert (found.code, found.message, found.fix) == (
        "other-tool-format",
        f"{HELM_VALUES}, not OpenSLO",
        HELM_FIX,
    )


def test_hello_openslo_imports_as_sloth_reads_it(tmp_path: Path) -> None:
    """The same openslo/v1alpha file through Sloth: its repository keeps the rules Sloth
    generated from it (.openslo/generated/slo.yaml): SLO hello-openslo-0 (name and objective
    index), objective 99.9, a 30-day period (slo:time_period:days 30), no alert rules. Its
    rate() queries count with increase() over Covenant's window."""
    plan = imported(tmp_path, "sloth", "hello-openslo-slo.yaml")
    assert plan.problems == []
    assert slos(plan) == {
        "hello-openslo-0": {
            "service": "hello-openslo-api",
            "target": "0.999",
            "window": "30d",
            "queries": {
                "good": {
                    "query": 'sum(increase(http_requests_total{method="get", code=~"(2..|3..)"}'
                    "[{{.window}}]))"
                },
                "total": {"query": 'sum(increase(http_requests_total{method="get"}[{{.window}}]))'},
            },
        }
    }
    (file,) = plan.files
    (slo,) = [d for d in file.imported.documents if d["kind"] == "SLO"]
    assert slo["spec"]["alerting"] == {"defaults": False, "tiers": []}
    said = [r for _, r in reasons(plan)]
    assert any(r.startswith("no timeWindows: Sloth uses its SLO period, 30d") for r in said)


def test_every_file_is_pinned_and_cited() -> None:
    files = sorted(p for p in MORE.glob("*/*") if p.suffix == ".yaml" or p.is_dir())
    assert len(files) >= 20
    pinned_and_cited(__file__, MORE, files)


def test_a_weekday_start_time_is_told_with_a_date_on_that_day() -> None:
    """slogen writes ``startTime: Monday`` for weeks that start on Mondays: the fix gives a
    date that is a Monday (2024-01-01 was one), as a week's start is its anchor's weekday."""
    _, problems = analyse([MORE / "openslo" / "slogen-logs-req-calendar.yaml"])
    (problem,) = [p for p in problems if p.code == "invalid-start-time"]
    assert problem.message == "start time 'Monday' is a day of the week, not a date and time"
    assert problem.fix == (
        "write the date and time of a Monday as YYYY-MM-DD HH:MM:SS, e.g. 2024-01-01 00:00:00 "
        "(a Monday; 24 h, interpreted in calendar.timeZone): a calendar week starts on the "
        "weekday of its startTime"
    )


def test_the_weekday_given_is_a_day_of_that_name() -> None:
    """Each weekday name (any case, or its three letters) gets a date of that weekday."""
    for i, name in enumerate(["Monday", "tuesday", "WED", "Thursday", "fri", "Saturday", "sunday"]):
        written = weekday_date(name)
        assert written is not None
        assert date.fromisoformat(written).weekday() == i
    assert weekday_date("Mondays") is None
    assert weekday_date("2024-01-01") is None
