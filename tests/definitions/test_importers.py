"""Importers keep the meaning of Sloth, Pyrra and slo-generator files.

Every expectation is derived by hand from the source file and the tool's documented rules
(Sloth: objective in percent, a 30-day period, alert windows 2 % in 1 h / 5 m … ; Pyrra:
``Windows()`` for 28 days scaled by the window and rounded to the minute, factors 14/7/2/1;
slo-generator: the longest policy step is the window, ``alert: true`` steps alert), never read
back from the importer's own tables.
"""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import pytest

from covenant.core.alert_rules import sloth_ids
from covenant.core.model import Objective, RollingWindow
from covenant.definitions.importers.base import Options
from covenant.definitions.importers.promql import (
    good_of,
    range_to_window,
    rate_to_increase,
    split_difference,
    split_ratio,
    with_matcher,
)
from covenant.definitions.workspace import Workspace, analyse_text
from covenant.services.importing import ImportPlan, alert_windows, plan_import

DAY = 86400
HOUR = 3600
MINUTE = 60


def imported(
    corpus: Path, tool: str, name: str, tmp_path: Path, options: Options | None = None
) -> tuple[ImportPlan, Workspace]:
    plan = plan_import(tool, [corpus / name], into=tmp_path, options=options)
    assert plan.problems == []
    text = "\n---\n".join(text for _, text in plan.writes)
    workspace, problems = analyse_text(text, file="imported.yaml")
    assert workspace is not None, [str(p) for p in problems]
    return plan, workspace


def only(workspace: Workspace, slo: str) -> Objective:
    return workspace.objective(slo)


def tiers(objective: Objective) -> list[tuple[str, int, int, Fraction]]:
    """(severity, long s, short s, burn-rate threshold) of each tier for the SLO's window.
    Sloth, Pyrra and slo-generator all fire strictly above the threshold: so do the tiers."""
    assert isinstance(objective.window, RollingWindow)
    assert all(not t.inclusive for t in objective.alert_tiers)
    seconds = objective.window.seconds
    return [
        (t.severity, t.long_window_s, t.short_window_s, t.factor(seconds))
        for t in objective.alert_tiers
    ]


# --- Sloth --------------------------------------------------------------------------------


def test_sloth_objective_window_and_default_alerts(corpus: Path, tmp_path: Path) -> None:
    _, workspace = imported(corpus, "sloth", "sloth/getting-started.yml", tmp_path)
    objective = only(workspace, "requests-availability")
    assert objective.target == Fraction(999, 1000)  # objective: 99.9
    assert objective.window == RollingWindow(seconds=30 * DAY)  # Sloth's default period
    # Sloth's 30d windows: 2 % of 30 d in 1 h = 14.4; 5 % in 6 h = 6;
    # 10 % in 1 d = 3; 10 % in 3 d = 1
    assert tiers(objective) == [
        ("page", HOUR, 5 * MINUTE, Fraction(144, 10)),
        ("page", 6 * HOUR, 30 * MINUTE, Fraction(6)),
        ("ticket", DAY, 2 * HOUR, Fraction(3)),
        ("ticket", 3 * DAY, 6 * HOUR, Fraction(1)),
    ]
    assert objective.series == "requests-availability"
    assert objective.service == "myservice"  # sloth_id = myservice-requests-availability


def test_sloth_queries_become_counts_per_window(corpus: Path, tmp_path: Path) -> None:
    plan, _ = imported(corpus, "sloth", "sloth/kubernetes-apiserver.yml", tmp_path)
    text = plan.writes[0][1]
    assert "sum(increase(apiserver_request_total[{{.window}}]))" in text
    assert "rate(" not in text
    assert "objective:" not in text  # Sloth's percent is written as target: 0.99 / 0.999
    assert "target: 0.99\n" in text


def test_sloth_disabled_alerts_give_no_tier(corpus: Path, tmp_path: Path) -> None:
    _, workspace = imported(corpus, "sloth", "sloth/no-alerts.yml", tmp_path)
    objective = only(workspace, "http-availability")
    assert objective.target == Fraction(9999, 10000)
    assert objective.alert_tiers == ()


def test_sloth_alert_windows_catalog_sets_period_and_tiers(corpus: Path, tmp_path: Path) -> None:
    catalog = alert_windows(corpus / "sloth/windows/7d.yaml")
    options = Options(alert_windows=catalog)
    plan, workspace = imported(corpus, "sloth", "sloth/getting-started.yml", tmp_path, options)
    objective = only(workspace, "requests-availability")
    assert objective.window == RollingWindow(seconds=7 * DAY)
    # the engine compares with at least 1 (docs/semantics.md): said, for the 0.98 tier
    (raised,) = [n for n in plan.files[0].imported.notes if "ticket-slow" in n.reason]
    assert "0.98" in raised.reason
    # 8 % of 168 h in 1 h = 13.44; 12.5 % in 6 h = 3.5; 20 % in 24 h = 1.4; 42 % in 72 h = 0.98
    assert [t[3] for t in tiers(objective)] == [
        Fraction(1344, 100),
        Fraction(35, 10),
        Fraction(14, 10),
        Fraction(98, 100),
    ]


def test_sloth_openslo_input_one_slo_per_objective(corpus: Path, tmp_path: Path) -> None:
    _, workspace = imported(corpus, "sloth", "sloth/openslo-kubernetes-apiserver.yml", tmp_path)
    names = sorted(o.slo for o in workspace.objectives)
    assert names == [
        "requests-availability-openslo-0",
        "requests-latency-openslo-0",
        "requests-latency-openslo-1",
    ]
    assert only(workspace, "requests-latency-openslo-1").target == Fraction(999, 1000)
    assert all(o.alert_tiers == () for o in workspace.objectives)  # Sloth makes none


@pytest.mark.parametrize(
    ("name", "field", "reason"),
    [
        ("sloth/raw-home-wifi.yml", "slos[0].sli.raw.error_ratio_query", "its mean"),
        ("sloth/plugin-getting-started.yml", "slos[0].sli.plugin", "plugin code"),
        ("sloth/victoria-metrics.yml", "slos[0].sli.events", "vector(1)"),
    ],
)
def test_sloth_slos_that_cannot_be_counted_are_left_out_with_the_reason(
    corpus: Path, tmp_path: Path, name: str, field: str, reason: str
) -> None:
    plan = plan_import("sloth", [corpus / name], into=tmp_path)
    file = plan.files[0]
    assert file.target is None
    assert file.imported.slos == []
    left = [n for n in file.imported.notes if n.skipped]
    assert left[0].field == field
    assert reason in left[0].reason


@pytest.mark.parametrize(
    ("name", "code", "field"),
    [
        ("sloth/validate/bad/bad-aa.yaml", "import-invalid-value", "slos[1].objective"),
        ("sloth/validate/bad/bad-k8s.yaml", "import-missing-field", "spec.service"),
        (
            "sloth/validate/bad/bad-multi-k8s.yaml",
            "import-missing-field",
            "spec.slos[0].alerting.name",
        ),
        ("sloth/validate/bad/bad-multi.yaml", "import-missing-field", "slos[1].sli"),
    ],
)
def test_sloth_bad_specs_are_refused_with_file_line_and_field(
    corpus: Path, tmp_path: Path, name: str, code: str, field: str
) -> None:
    plan = plan_import("sloth", [corpus / name], into=tmp_path)
    problems = plan.problems
    assert [(p.code, p.field) for p in problems] == [(code, field)]
    assert problems[0].where.startswith(str(corpus / name) + ":")
    assert problems[0].fix
    assert plan.writes == []


# --- Pyrra --------------------------------------------------------------------------------


def test_pyrra_latency_is_a_histogram_sli_over_four_weeks(corpus: Path, tmp_path: Path) -> None:
    plan, workspace = imported(corpus, "pyrra", "pyrra/caddy-response-latency.yaml", tmp_path)
    objective = only(workspace, "caddy-response-latency")
    # a 90 % target burns at most 10x: Pyrra's 14x tier never fires, which the report says
    (never,) = [n for n in plan.files[0].imported.notes if "page-1" in n.reason]
    assert "never fires" in never.reason
    assert objective.target == Fraction(9, 10)  # target: "90"
    assert objective.window == RollingWindow(seconds=28 * DAY)  # window: 4w
    text = plan.writes[0][1]
    assert 'sum(caddy_http_response_duration_seconds_bucket{job="caddy"' in text
    assert 'le="0.05"}' in text
    assert "sum(caddy_http_response_duration_seconds_count{" in text
    # Pyrra's windows for 28 days, factors 14, 7, 2, 1
    assert tiers(objective) == [
        ("page", HOUR, 5 * MINUTE, Fraction(14)),
        ("page", 6 * HOUR, 30 * MINUTE, Fraction(7)),
        ("ticket", DAY, 2 * HOUR, Fraction(2)),
        ("ticket", 4 * DAY, 6 * HOUR, Fraction(1)),
    ]


def test_pyrra_windows_scale_and_round_to_the_minute(corpus: Path, tmp_path: Path) -> None:
    _, workspace = imported(corpus, "pyrra", "pyrra/parca-grpc-queryrange-errors.yaml", tmp_path)
    objective = only(workspace, "parca-grpc-queryrange-errors")
    assert objective.target == Fraction(99, 100)
    assert objective.window == RollingWindow(seconds=14 * DAY)
    # 2w is half of 28 d: 30m/2.5m (rounded half up to 3m), 3h/15m, 12h/1h, 2d/3h
    assert [(t[1], t[2]) for t in tiers(objective)] == [
        (30 * MINUTE, 3 * MINUTE),
        (3 * HOUR, 15 * MINUTE),
        (12 * HOUR, HOUR),
        (2 * DAY, 3 * HOUR),
    ]


def test_pyrra_ratio_grouping_and_bool_gauge(corpus: Path, tmp_path: Path) -> None:
    plan, workspace = imported(corpus, "pyrra", "pyrra/prometheus-http.yaml", tmp_path)
    assert only(workspace, "prometheus-api-query").window == RollingWindow(seconds=7 * DAY)
    notes = plan.files[0].imported.notes
    assert any(n.field == "spec.indicator.ratio.grouping" for n in notes)
    plan, _ = imported(corpus, "pyrra", "pyrra/prometheus-probe-success.yaml", tmp_path)
    text = plan.writes[0][1]
    assert "sum(sum_over_time(probe_success[{{.window}}]))" in text
    assert "sum(count_over_time(probe_success[{{.window}}]))" in text


# --- slo-generator ------------------------------------------------------------------------


def test_slo_generator_goal_window_and_alerting_steps(corpus: Path, tmp_path: Path) -> None:
    name = "slo-generator/samples/prometheus/slo_prom_metrics_availability_ratio.yaml"
    plan, workspace = imported(corpus, "slo-generator", name, tmp_path)
    objective = only(workspace, "prom-metrics-availability")
    assert objective.target == Fraction(999, 1000)  # goal: 0.999
    # samples/config.yaml, policy default: steps 1 h (9, alert), 12 h (3, alert), 7 d, 28 d
    assert objective.window == RollingWindow(seconds=2419200)
    assert tiers(objective) == [
        ("page", HOUR, HOUR, Fraction(9)),
        ("page", 12 * HOUR, 12 * HOUR, Fraction(3)),
    ]
    text = plan.writes[0][1]
    assert 'sum(prometheus_http_requests_total{handler="/metrics", code=~"2.."})' in text
    assert "counter: true" in text


def test_slo_generator_distribution_cut_and_query_sli(corpus: Path, tmp_path: Path) -> None:
    folder = "slo-generator/samples/prometheus/"
    plan, workspace = imported(
        corpus, "slo-generator", folder + "slo_prom_metrics_latency_distribution_cut.yaml", tmp_path
    )
    assert only(workspace, "prom-metrics-latency").target == Fraction(9999, 10000)
    text = plan.writes[0][1]
    assert 'code=~"2..",le="0.25"})' in text
    assert 'code=~"2..",le="+Inf"})' in text
    plan, _ = imported(
        corpus, "slo-generator", folder + "slo_prom_metrics_availability_query_sli.yaml", tmp_path
    )
    text = plan.writes[0][1]
    assert (
        "sum(increase(prometheus_http_requests_total"
        '{handler="/metrics", code=~"2.."}[{{.window}}]))' in text
    )


def test_slo_generator_other_backend_keeps_its_datasource(corpus: Path, tmp_path: Path) -> None:
    name = "slo-generator/samples/datadog/slo_dd_app_availability_ratio.yaml"
    plan, workspace = imported(corpus, "slo-generator", name, tmp_path)
    assert only(workspace, "dd-app-availability").target == Fraction(99, 100)
    text = plan.writes[0][1]
    assert "type: Datadog" in text
    assert "apiKeyEnv: DATADOG_API_KEY" in text  # secrets by environment variable only


def test_slo_generator_goal_of_one_is_left_out(corpus: Path, tmp_path: Path) -> None:
    name = "slo-generator/samples/elasticsearch/slo_elk_test_ratio.yaml"
    plan = plan_import("slo-generator", [corpus / name], into=tmp_path)
    assert plan.writes == []
    assert any(n.skipped and n.field == "spec.goal" for n in plan.files[0].imported.notes)


# --- PromQL rewrites ----------------------------------------------------------------------


def test_promql_rewrites() -> None:
    assert rate_to_increase('sum(rate(x{a="rate("}[{{.window}}]))') == (
        'sum(increase(x{a="rate("}[{{.window}}]))',
        0,
    )
    assert rate_to_increase("irate(x[5m]) + rate(y[5m])") == ("irate(x[5m]) + rate(y[5m])", 1)
    assert range_to_window("increase(x[window])") == "increase(x[{{.window}}])"
    assert with_matcher('h_bucket{a="1", le="9"}', "le", "0.5") == 'h_bucket{a="1",le="0.5"}'
    assert split_ratio("sum(a[w]) / ignoring (le) sum(b[w])") == (
        "sum(a[w])",
        "sum(b[w])",
        "ignoring (le)",
    )
    assert split_ratio("1 - sum(a) / sum(b)") is None
    assert split_difference('(\n  sum(a{x="1-2"}[w])\n  -\n  sum(b{le="0.4"}[w])\n)') == (
        'sum(a{x="1-2"}[w])',
        'sum(b{le="0.4"}[w])',
    )
    for other in ("a - b - c", "a + b", "a - on (x) b", "-a", "a", "(a - b) / c", "1e-3 * a"):
        assert split_difference(other) is None, other
    # total − X is good = X only when the minuend is the total as written: a space inside a
    # label value is part of the value, a space between tokens is not
    assert good_of('sum(c{a="x"}) - sum(b)', ' ( sum( c{ a = "x" }) ) ') == "sum(b)"
    assert good_of('sum(c{a="x y"}) - sum(b)', 'sum(c{a="xy"})') is None


def test_sloth_latency_as_total_minus_fast_is_read_as_the_fast_count(
    corpus: Path, tmp_path: Path
) -> None:
    """kubernetes-apiserver.yml's latency SLI: error_query = count − bucket{le="0.4"},
    total_query = count. A difference of increase()s over a 1-minute window is empty when the
    scrape interval is a minute (no two samples in the range), which read as no errors: the
    bucket is the good count instead, counted from its samples."""
    plan, workspace = imported(corpus, "sloth", "sloth/kubernetes-apiserver.yml", tmp_path)
    text = plan.writes[0][1]
    good = 'sum(increase(apiserver_request_duration_seconds_bucket{le="0.4",verb!="WATCH"}'
    assert "good:\n          metricSource:\n            metricSourceRef: prometheus\n" in text
    assert f"query: {good}[{{{{.window}}}}]))" in text
    assert '_count{verb!="WATCH"}[{{.window}}])) -' not in text  # no difference kept
    assert any(
        "imported as that count of good events" in n.reason for n in plan.files[0].imported.notes
    )
    assert {o.slo for o in workspace.objectives} == {"requests-availability", "requests-latency"}


# --- names, descriptions, v1 configs --------------------------------------------------------


def test_names_become_dns_labels_and_the_mapping_is_reported(tmp_path: Path) -> None:
    source = tmp_path / "spec.yaml"
    source.write_text(
        'version: "prometheus/v1"\nservice: "My_Service"\nslos:\n'
        '  - name: "Requests.Availability"\n    objective: 99.5\n'
        f"    description: {'x' * 1100}\n"
        "    sli:\n      events:\n"
        "        error_query: sum(rate(e[{{.window}}]))\n"
        "        total_query: sum(rate(t[{{.window}}]))\n"
        "    alerting:\n      page_alert: {disable: true}\n      ticket_alert: {disable: true}\n",
        encoding="utf-8",
    )
    plan = plan_import("sloth", [source], into=tmp_path / "ws")
    imported = plan.files[0].imported
    assert imported.renamed == {
        "My_Service": "my-service",
        "Requests.Availability": "requests-availability",
    }
    assert imported.slos == ["requests-availability"]
    cut = [n for n in imported.notes if n.field == "slos[0].description"]
    assert cut
    assert "1050" in cut[0].reason
    workspace, _ = analyse_text(plan.writes[0][1], file="x.yaml")
    assert workspace is not None
    assert only(workspace, "requests-availability").target == Fraction(995, 1000)
    # its rules keep Sloth's names in the labels (Sloth's dashboards and routes match them)
    assert sloth_ids(only(workspace, "requests-availability")) == {
        "sloth_id": "My_Service-Requests.Availability",
        "sloth_service": "My_Service",
        "sloth_slo": "Requests.Availability",
    }


def test_slo_generator_v1_config_is_read_as_its_v2_form(corpus: Path, tmp_path: Path) -> None:
    plan, workspace = imported(
        corpus, "slo-generator", "slo-generator/fixtures/slo_config_v1.yaml", tmp_path
    )
    objective = only(workspace, "gae-app-availability")  # service-feature-slo
    assert objective.target == Fraction(95, 100)  # slo_target: 0.95
    assert "type: GoogleCloudMonitoring" in plan.writes[0][1]


def test_slo_generator_datasource_url_from_the_config_unless_given(tmp_path: Path) -> None:
    (tmp_path / "config.yaml").write_text(
        "backends: {prometheus: {url: 'http://prom.internal:9090/'}}\n"
        "error_budget_policies:\n  default:\n    steps:\n"
        "      - {name: 1 hour, window: 3600, burn_rate_threshold: 9, alert: true}\n"
        "      - {name: 7 days, window: 604800, burn_rate_threshold: 1, alert: false}\n",
        encoding="utf-8",
    )
    source = tmp_path / "slo.yaml"
    source.write_text(
        "apiVersion: sre.google.com/v2\nkind: ServiceLevelObjective\nmetadata: {name: a}\n"
        "spec:\n  backend: prometheus\n  method: good_bad_ratio\n  goal: 0.99\n"
        "  service_level_indicator: {filter_good: 'g_total', filter_valid: 'v_total'}\n",
        encoding="utf-8",
    )
    plan = plan_import("slo-generator", [source], into=tmp_path / "ws")
    text = plan.writes[0][1]
    assert "url: http://prom.internal:9090\n" in text
    workspace, _ = analyse_text(text, file="x.yaml")
    assert workspace is not None
    assert only(workspace, "a").window == RollingWindow(seconds=7 * DAY)  # the longest step
    given = Options(prometheus_url="http://other:9090", prometheus_url_given=True)
    plan = plan_import("slo-generator", [source], into=tmp_path / "ws", options=given)
    assert "url: http://other:9090\n" in plan.writes[0][1]


def test_an_imported_workspace_exports_to_plain_openslo_and_back(
    corpus: Path, tmp_path: Path
) -> None:
    from covenant.services.importing import write_import  # noqa: PLC0415
    from covenant.services.workspace import export_openslo, load_workspace  # noqa: PLC0415

    plan = plan_import("sloth", [corpus / "sloth/kubernetes-apiserver.yml"], into=tmp_path)
    write_import(plan)
    before = load_workspace(tmp_path)
    text = export_openslo(tmp_path)
    assert "covenant/v1" not in text  # the tiers travel as a covenant.dev/alerting annotation
    after, problems = analyse_text(text, file="export.yaml")
    assert after is not None, [str(p) for p in problems]
    assert sorted(before.objectives, key=lambda o: o.slo) == sorted(
        after.objectives, key=lambda o: o.slo
    )


def test_slo_generator_v1_backend_settings_are_its_datasources(tmp_path: Path) -> None:
    """A v1 config writes its backend's url (project, token…) inline: they become its
    DataSource's, as a v2 shared config's ``backends`` do; ``--prometheus-url`` still wins."""
    source = tmp_path / "slo_v1.yaml"
    source.write_text(
        "service_name: shop\nfeature_name: cart\nslo_name: availability\nslo_target: 0.99\n"
        "backend:\n  class: Prometheus\n  method: good_bad_ratio\n"
        "  url: http://prom.shop.internal:9090/\n"
        "  measurement: {filter_good: 'ok_total', filter_valid: 'all_total'}\n",
        encoding="utf-8",
    )
    plan = plan_import("slo-generator", [source], into=tmp_path / "ws")
    text = plan.writes[0][1]
    assert "url: http://prom.shop.internal:9090\n" in text
    notes = [n.reason for f in plan.files for n in f.imported.notes]
    assert "the DataSource's url is the v1 backend's (http://prom.shop.internal:9090/)" in notes
    given = Options(prometheus_url="http://other:9090", prometheus_url_given=True)
    plan = plan_import("slo-generator", [source], into=tmp_path / "ws", options=given)
    assert "url: http://other:9090\n" in plan.writes[0][1]


def test_slo_generator_v1_other_backend_settings_by_environment(
    corpus: Path, tmp_path: Path
) -> None:
    """The corpus's v1 Stackdriver config names its project by ``${…}``: the DataSource reads
    it from that environment variable."""
    plan, _ = imported(
        corpus, "slo-generator", "slo-generator/fixtures/slo_config_v1.yaml", tmp_path
    )
    text = plan.writes[0][1]
    assert "projectIdEnv: STACKDRIVER_HOST_PROJECT_ID" in text


def test_slo_generator_missing_goal_and_a_pyrra_file_of_another_kind(tmp_path: Path) -> None:
    source = tmp_path / "slo.yaml"
    source.write_text(
        "apiVersion: sre.google.com/v2\nkind: ServiceLevelObjective\nmetadata: {name: a}\n"
        "spec:\n  backend: prometheus\n  method: good_bad_ratio\n"
        "  service_level_indicator: {filter_good: 'g_total', filter_valid: 'v_total'}\n",
        encoding="utf-8",
    )
    (problem,) = plan_import("slo-generator", [source], into=tmp_path / "ws").problems
    assert (problem.code, problem.message) == ("import-missing-field", "goal is missing")
    other = tmp_path / "deploy.yaml"
    other.write_text("apiVersion: pyrra.dev/v1alpha1\nkind: Deployment\n", encoding="utf-8")
    (problem,) = plan_import("pyrra", [other], into=tmp_path / "ws").problems
    assert problem.message == (
        "not a Pyrra ServiceLevelObjective: apiVersion 'pyrra.dev/v1alpha1', kind 'Deployment'"
    )
