"""Real files of other projects (stop 43), kept in fixtures/found_43/ with their sources in
SOURCES.md there: a Kubernetes bundle of a Sloth PrometheusServiceLevel, a hand-written
PrometheusRule and a dashboard ConfigMap (whose "latency" errorQuery is the fast bucket and
whose "accuracy" errorQuery selects the accurate predictions), and files a user may give an
importer by mistake: Sloth look-alikes whose SLIs are another tool's good and total
(``indicator: {good, total}``, ``sli: {success_metric, total_metric}``, ``sli: {good_query,
total_query}`` inside a ConfigMap), a hand-written PrometheusRule, a Keptn quality gate, and
home-grown SLO lists of SigNoz, LLMOps and orchestrator projects.

Every expected value was read off the file by hand: Sloth's objective in percent (99.9 is
0.999), its default 30d period and alert windows (1h/5m, 6h/30m, 1d/2h, 3d/6h), its errorQuery
the bad events (so a good-and-total pair must become error_query = total − good).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from covenant.definitions.workspace import analyse, analyse_text
from covenant.services.importing import ImportPlan
from tests.definitions import found_files
from tests.definitions.found_files import importer, line

FOUND = Path(__file__).parent / "fixtures" / "found_43"

SLOTH_TIERS = [
    ("page-quick", "1h", "5m"),
    ("page-slow", "6h", "30m"),
    ("ticket-quick", "1d", "2h"),
    ("ticket-slow", "3d", "6h"),
]


imported = importer(FOUND, by_tool=False)


def slos(plan: ImportPlan) -> dict[str, dict[str, Any]]:
    return found_files.slos(plan, tiers=True)


def problems(plan: ImportPlan) -> list[tuple[str, str, int, str, str]]:
    return [(p.code, p.field, line(p.where), p.message, p.fix) for p in plan.problems]


def notes(plan: ImportPlan) -> list[tuple[str, int, str]]:
    return [(n.field, line(n.where), n.reason) for f in plan.files for n in f.imported.notes]


# --- Sloth: a Kubernetes bundle -----------------------------------------------------------------


def _increase(query: str) -> str:
    return f"sum(increase({query}[{{{{.window}}}}]))"


def test_ai_infra_bundle_imports_the_service_level_and_skips_the_rest(tmp_path: Path) -> None:
    """ranranrunforit/AI-Infra: a PrometheusServiceLevel (three SLOs, objectives 99.9, 95 and
    85 in percent), then a hand-written PrometheusRule and a Grafana ConfigMap in the same
    file (skipped, told at their kind lines 125 and 201). The rate()s over {{.window}} are
    counted with increase(); the windows are Sloth's defaults for 30d (pageAlert alone leaves
    the ticket alerts on, as Sloth does)."""
    plan = imported(tmp_path, "sloth", "sloth", "ai-infra-ml-api-slos.yaml")
    assert plan.problems == []
    http = 'http_requests_total{job="ml-api"'
    duration = 'http_request_duration_seconds_{}{{job="ml-api"{}}}'
    predictions = 'model_predictions_total{job="ml-api"'
    assert slos(plan) == {
        "requests-availability": {
            "service": "ml-api",
            "target": "0.999",
            "window": "30d",
            "queries": {
                "bad": _increase(f'{http},status=~"5.."}}'),
                "total": _increase(f"{http}}}"),
            },
            "tiers": SLOTH_TIERS,
        },
        "requests-latency-p95": {
            "service": "ml-api",
            "target": "0.95",
            "window": "30d",
            "queries": {
                "bad": _increase(duration.format("bucket", ',le="0.5"')),
                "total": _increase(duration.format("count", "")),
            },
            "tiers": SLOTH_TIERS,
        },
        "prediction-quality": {
            "service": "ml-api",
            "target": "0.85",
            "window": "30d",
            "queries": {
                "bad": _increase(f'{predictions},accurate="true"}}'),
                "total": _increase(f"{predictions}}}"),
            },
            "tiers": SLOTH_TIERS,
        },
    }
    told = notes(plan)
    # the "fast requests" bucket as errorQuery: imported as Sloth reads it (bad = fast), told
    (bucket,) = [n for n in told if n[0] == "spec.slos[1].sli.events.errorQuery"]
    assert bucket[1] == 72
    assert bucket[2].startswith('errorQuery counts the histogram bucket le="0.5" alone')
    # 85 %: a budget of 0.15 allows a burn rate of at most 1 / 0.15 = 6.667; page-quick's 14.4
    # (14.4 × 0.15 = 2.16 > 1) never fires, page-slow's 6 (0.9) can
    never = [n for n in told if "never fires" in n[2]]
    assert never == [
        (
            "spec.slos[2].alerting",
            110,
            "tier page-quick: threshold 14.4 is above 6.667, the highest burn rate a target of "
            "0.85 allows: it never fires, here as in the source",
        )
    ]
    skipped = [(line, reason.split(":")[0]) for field, line, reason in told if field == "kind"]
    assert skipped == [
        (
            125,
            "a Kubernetes PrometheusRule (monitoring.coreos.com/v1) in a bundle of Sloth objects",
        ),
        (201, "a Kubernetes ConfigMap (v1) in a bundle of Sloth objects"),
    ]


# --- Sloth look-alikes: another tool's good and total -----------------------------------------

GOOD_TOTAL_FIX = (
    "write them as sli: events: {error_query: <total> - <good> (the bad events), "
    "total_query: <total>}, each over [{{.window}}]"
)


def test_indicator_good_and_total_is_told_as_good_events(tmp_path: Path) -> None:
    """i-robert2/azure-m3-observability-stack: service and slos without version, each SLO's
    SLI written as ``indicator: {good, total}``. It was told "the SLO has no SLI — add
    sli.events with error_query and total_query", which invites the good query into
    error_query (an SLO of 99 % good requests read as 99 % errors); now the indicator is
    named as another tool's good and total, with the subtraction Sloth needs."""
    plan = imported(tmp_path, "sloth", "other", "notes-api-slos.yaml")
    found = problems(plan)
    assert found[0][:3] == ("import-missing-field", "", 3)  # no version: prometheus/v1
    told = [p for p in found if p[1].endswith("indicator")]
    assert told == [
        (
            "import-invalid-value",
            f"slos[{i}].indicator",
            line,
            "the SLO has no sli: its indicator has good and total (another tool's keys: the "
            "good events and all of them), not Sloth's sli",
            GOOD_TOTAL_FIX,
        )
        for i, line in ((0, 7), (1, 13), (2, 19))
    ]
    assert not [p for p in found if p[3] == "the SLO has no SLI"]


def test_slos_alone_with_success_and_total_metrics_are_told_at_once(tmp_path: Path) -> None:
    """subculture-collective/reddit-cluster-map: a slos: list alone (no version, no service),
    each SLO with target (not objective) and sli: {success_metric | fast_metric,
    total_metric}. It was told only "write version and service at the top"; doing so brought
    six more errors, the SLI's saying "add sli.events with error_query and total_query". Now
    all are told at once, the SLI's naming its keys as good and total events."""
    plan = imported(tmp_path, "sloth", "other", "reddit-cluster-map-slos.yaml")
    found = problems(plan)
    assert found[0][:3] == ("import-missing-field", "", 4)
    assert found[0][3].startswith("a Sloth slos: list without the spec's version and service")
    objective = [(p[1], p[2], p[4]) for p in found if p[1].endswith("objective")]
    assert objective == [
        (
            f"slos[{i}].objective",
            line,
            f"Sloth reads the level from objective, in percent: "
            f"this SLO writes target: {target}; write objective: {target}",
        )
        for i, line, target in ((0, 6, "99.5"), (1, 23, "99.0"), (2, 37, "95.0"))
    ]
    sli = [(p[1], p[2], p[3], p[4]) for p in found if p[1].endswith("sli")]
    assert sli == [
        (
            f"slos[{i}].sli",
            line,
            f"sli has {good} and total_metric (another tool's keys: the good events and all "
            "of them), not events, raw or plugin",
            GOOD_TOTAL_FIX,
        )
        for i, line, good in (
            (0, 10, "success_metric"),
            (1, 28, "fast_metric"),
            (2, 42, "fast_metric"),
        )
    ]


# --- files that are no Sloth, Pyrra or slo-generator file --------------------------------------


@pytest.mark.parametrize(
    ("name", "line", "what"),
    [
        (
            "signoz-sre-command-center-slo.yaml",
            4,
            "a mapping with no apiVersion, kind or version (its keys: slo_target, "
            "slo_window_days, error_budget_window, services)",
        ),
        (
            "llmops-day13-config-slo.yaml",
            1,
            "a mapping with no apiVersion, kind or version (its keys: service, window, slis)",
        ),
        (
            "orchestrator-reliability-slo.yaml",
            5,
            "a mapping with no apiVersion, kind or version (its keys: slos)",
        ),
        (
            "sre-playbook-agent-slos.yaml",
            4,
            "a mapping with no apiVersion, kind or version (its keys: slos)",
        ),
        (  # Spanish, em dashes in the values
            "mercado-bodega-slo-es.yaml",
            5,
            "a mapping with no apiVersion, kind or version (its keys: slos)",
        ),
        (  # Russian, a Go template's {{ .Service }} in quoted values
            "sre-templates-slo-ru.yaml",
            1,
            "a mapping with version 1, no apiVersion or kind (its keys: version, frontmatter, "
            "title, meta_bullets, sections)",
        ),
        (
            "keptn-arog-slo.yaml",
            2,
            "a Keptn SLO file (quality-gate objectives: an sli each with pass and warning "
            "criteria, weights and a total_score, grading one evaluation)",
        ),
    ],
)
@pytest.mark.parametrize(
    ("tool", "expected"),
    [
        ("sloth", "a Sloth spec"),
        ("pyrra", "a Pyrra ServiceLevelObjective"),
        ("slo-generator", "a slo-generator SLO config"),
    ],
)
def test_other_files_are_refused_at_their_first_key(
    tmp_path: Path, name: str, line: int, what: str, tool: str, expected: str
) -> None:
    ((code, _, at, message, fix),) = problems(imported(tmp_path, tool, "other", name))
    assert (code, at, message) == ("import-unrecognised", line, f"not {expected}: {what}")
    assert fix


def test_home_grown_slo_resource_is_named_by_its_kind(tmp_path: Path) -> None:
    """kanzifucius/promethues-operator-slos: a CRD ``Slo`` of
    monitoring.kanzifucius.com/v1alpha1 (objectives in percent as text, ``$window``
    templates): each importer names it a Kubernetes Slo at its apiVersion, and validate as
    another tool's format to keep outside the workspace."""
    name = "kanzifucius-slo-sample.yaml"
    for tool, expected in (
        ("sloth", "a Sloth spec"),
        ("pyrra", "a Pyrra ServiceLevelObjective"),
        ("slo-generator", "a slo-generator SLO config"),
    ):
        ((code, field, line, message, _),) = problems(imported(tmp_path, tool, "other", name))
        assert (code, field, line, message) == (
            "import-unrecognised",
            "apiVersion",
            1,
            f"not {expected}: a Kubernetes Slo (monitoring.kanzifucius.com/v1alpha1)",
        )
    _, found = analyse([FOUND / "other" / name])
    assert [(p.code, p.where.rsplit(":", 1)[1], p.message) for p in found] == [
        (
            "other-tool-format",
            "1",
            "a Kubernetes Slo (monitoring.kanzifucius.com/v1alpha1), not OpenSLO",
        )
    ]


@pytest.mark.parametrize(
    "name", ["quant-research-prometheusrule-slo.yaml", "deployhub-prometheusrule-slos.yaml"]
)
def test_hand_written_prometheus_rule_is_refused(tmp_path: Path, name: str) -> None:
    """zveasy/quant-research-app: a PrometheusRule of recording rules and one alert;
    jeneeldumasia/DeployHub: recording rules of success ratios and p95s (lines ending in
    spaces): written by hand, each refused at its apiVersion (line 1) by each importer."""
    for tool in ("sloth", "pyrra", "slo-generator"):
        plan = imported(tmp_path, tool, "other", name)
        ((code, field, line, message, _),) = problems(plan)
        assert (code, field, line) == ("import-unrecognised", "apiVersion", 1)
        assert "a Prometheus Operator resource" in message


def test_slos_alone_with_good_query_of_log_analytics(tmp_path: Path) -> None:
    """IamCharli01/Azure-SLO-Guardian: a slos: list alone whose SLO has objectives: [{target:
    99.9}] and sli: {type, query_type: log_analytics, good_query, total_query} (Kusto, not
    PromQL): the missing version and service, the objective and the good/total pair are told
    at once (the pair was "add sli.events with error_query and total_query" before, and only
    once version and service were written)."""
    plan = imported(tmp_path, "sloth", "other", "azure-slo-guardian-slo-config.yaml")
    assert [(p[0], p[1], p[2]) for p in problems(plan)] == [
        ("import-missing-field", "", 3),
        ("import-missing-field", "slos[0].objective", 4),
        ("import-invalid-value", "slos[0].sli", 7),
    ]
    assert problems(plan)[2][3:] == (
        "sli has good_query and total_query (another tool's keys: the good events and all of "
        "them), not events, raw or plugin",
        GOOD_TOTAL_FIX,
    )


def test_ratio_targets_are_told_in_percent(tmp_path: Path) -> None:
    """Mindburn-Labs/helm-ai-kernel: service and slos (no version), target 0.999 and 0.95 as
    ratios, an indicator of one PromQL ratio: each objective is told in Sloth's percent (99.9,
    95), not copied as 0.999 — an objective of 0.999 % would be a budget of 99.001 %."""
    plan = imported(tmp_path, "sloth", "other", "helm-ai-kernel-slo.yaml")
    fixes = [(p[1], p[2], p[4]) for p in problems(plan) if p[1].endswith("objective")]
    assert fixes == [
        (
            f"slos[{i}].objective",
            line,
            f"Sloth reads the level from objective, in percent: this SLO writes target: "
            f"{ratio}; write objective: {percent}",
        )
        for i, line, ratio, percent in ((0, 4, "0.999", "99.9"), (1, 11, "0.95", "95"))
    ]


def test_sloth_like_spec_inside_a_config_map_is_refused(tmp_path: Path) -> None:
    """Mizar-107/chaoslab: two ConfigMaps, the first holding a Sloth-like spec as the text of
    data.slos.yaml (version "1.0", good_query/total_query), the second Prometheus rules as
    text: each refused at its apiVersion (lines 12 and 181) as a ConfigMap, the first naming
    the data key whose text holds the SLOs (it was told only "a Kubernetes ConfigMap (v1)",
    which does not say the SLOs are in it, nor where)."""
    plan = imported(tmp_path, "sloth", "other", "chaoslab-microshop-slos.yaml")
    configmap = "not a Sloth spec: a Kubernetes ConfigMap (v1)"
    assert [(p[0], p[1], p[2], p[3]) for p in problems(plan)] == [
        (
            "import-unrecognised",
            "apiVersion",
            12,
            f"{configmap} whose data slos.yaml holds SLOs as text (give that text as a file of "
            "its own)",
        ),
        ("import-unrecognised", "apiVersion", 181, configmap),
    ]


def test_another_tools_api_version_without_kind_is_told_without_none(tmp_path: Path) -> None:
    """Fractal-Techware/slo-as-code: ``apiVersion: ftw-slo/v1`` over a Sloth-shaped spec
    (service, slos with objective and an sli of that tool's templates), no kind. It was told
    "apiVersion 'ftw-slo/v1', kind None" — Python's None in a user's message; now the missing
    kind is said so and the keys are shown, as for a mapping without apiVersion."""
    for tool, expected in (
        ("sloth", "a Sloth spec"),
        ("pyrra", "a Pyrra ServiceLevelObjective"),
        ("slo-generator", "a slo-generator SLO config"),
    ):
        plan = imported(tmp_path, tool, "other", "ftw-slo-checkout.yaml")
        ((code, field, line, message, _),) = problems(plan)
        assert (code, field, line) == ("import-unrecognised", "apiVersion", 3)
        assert message == (
            f"not {expected}: apiVersion 'ftw-slo/v1' and no kind (its keys: apiVersion, "
            "service, description, labels, slos)"
        )


# --- OpenSLO as osko's Kubernetes resources -----------------------------------------------------


OSKO_FIX = (
    "write it as an OpenSLO file: apiVersion: openslo/v1, without metadata.namespace, each "
    "metricSource's query as spec: {query: …} with its DataSource named by metricSourceRef "
    "(osko names it in the osko.dev/datasourceRef annotation); Covenant reads openslo/v1, "
    "openslo/v1alpha and covenant/v1"
)


@pytest.mark.parametrize(
    ("name", "line", "api", "kind"),
    [
        ("osko-openslo-v1-slo.yaml", 3, "openslo.com/v1", "SLO"),  # after two comment lines
        ("osko-gatekeeper-webhook-response-time.yaml", 1, "openslo.com/v1", "SLO"),
        ("osko-openslo-v1-sli.yaml", 1, "openslo.com/v1", "SLI"),
        ("osko-openslo-v1-alertpolicy.yaml", 1, "openslo.openslo/v1", "AlertPolicy"),
        ("osko-openslo-v1-datasource.yaml", 1, "openslo.openslo/v1", "Datasource"),
        ("osko-openslo-v1-datasource-thanos.yaml", 1, "openslo.com/v1", "Datasource"),
        ("osko-openslo-v1-service.yaml", 1, "openslo.openslo/v1", "Service"),
        (
            "osko-openslo-v1-alertnotificationtarget.yaml",
            1,
            "openslo.openslo/v1",
            "AlertNotificationTarget",
        ),
    ],
)
def test_osko_resources_are_told_as_the_operators(
    name: str, line: int, api: str, kind: str
) -> None:
    """oskoperator/osko's samples: OpenSLO objects as the operator's Kubernetes resources
    (openslo.com/v1 and the older openslo.openslo/v1 group; a query as metricSource.spec's
    text; a Datasource kind; empty conditions). Each is one error at its apiVersion naming the
    operator, with what an OpenSLO file needs instead."""
    _, found = analyse([FOUND / "openslo" / name])
    assert [(p.code, p.field, p.where.rsplit(":", 1)[1], p.message, p.fix) for p in found] == [
        (
            "other-tool-format",
            "apiVersion",
            str(line),
            f"an OpenSLO Kubernetes operator's {kind} ({api}: osko, Dash0), not OpenSLO",
            OSKO_FIX,
        )
    ]


def test_osko_query_as_metric_source_spec_text_is_told_where_it_goes() -> None:
    """The osko SLO with its apiVersion written openslo/v1, as the fix above says: each
    metricSource.spec is still the query's text (lines 21 and 26). It was told "expected a
    mapping here … write a mapping: one 'key: value' per line", which does not say which key;
    now the fix names spec: {query: …}."""
    text = (FOUND / "openslo" / "osko-openslo-v1-slo.yaml").read_text(encoding="utf-8")
    _, found = analyse_text(text.replace("openslo.com/v1", "openslo/v1"), file="slo.yaml")
    told = [(p.field, p.where, p.fix) for p in found if p.code == "invalid-type"]
    assert told == [
        (
            f"spec.indicator.spec.ratioMetric.{part}.metricSource.spec",
            f"slo.yaml:{line}",
            "write the query under query: spec: {query: …} (a metricSource's spec is a "
            "mapping of what its data source runs)",
        )
        for part, line in (("good", 21), ("total", 26))
    ]
