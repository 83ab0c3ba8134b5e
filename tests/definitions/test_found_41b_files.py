"""Real files of other projects found in the second stop 41 hunt (OpenSLO and its
neighbours), kept in fixtures/found_41b/ with their sources in SOURCES.md there: OpenSLO v1
and v1alpha files of opensloctl, slogen, oslo and Nobl9's demos (targetPercent alone, a
calendar week written ``Week``/``Monday``, a Timeslices v1alpha SLO with slogen's keys, Nobl9's
``project`` and ``promql``), the OpenSLO operators' resources, and files a user may feed
Covenant by mistake: Nobl9 YAML and JSON (a composite, a one-line list), a Datadog Operator
DatadogSLO, Dynatrace SLO JSON and a monaco config, Terraform SLO resources of Datadog,
Dynatrace and Grafana, and a fragment holding only ``spec``.

Every verdict was read off the file by hand: the target, window, method and SLI of what
loads, or each error as (code, field, line) and the codes of the warnings, and for the files
that are not OpenSLO the tool named at the line where it shows.
"""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import pytest

from covenant.core.model import BudgetingMethod, RollingWindow
from covenant.definitions.workspace import analyse
from covenant.errors import Problem
from tests.definitions.found_files import pinned_and_cited

FOUND = Path(__file__).parent / "fixtures" / "found_41b"
OPENSLO = FOUND / "openslo"
OTHER = FOUND / "other"

Verdict = tuple[set[tuple[str, str, str, int]], set[str]]  # errors (code, field, file, line)
UNRESOLVED = "unresolved-reference"
QUERY_FORM = "prometheus-query-form"


def _problems(path: Path) -> list[Problem]:
    _, problems = analyse([path])
    return problems


def _at(problem: Problem) -> tuple[str, int]:
    file, line = problem.where.rsplit(":", 1)
    return Path(file).name, int(line)


def _verdict(path: Path) -> Verdict:
    problems = _problems(path)
    errors = {(p.code, p.field, *_at(p)) for p in problems if p.severity == "error"}
    return errors, {p.code for p in problems if p.severity != "error"}


def _kinds(name: str, lines: range) -> set[tuple[str, str, str, int]]:
    return {("invalid-value", "spec.condition.kind", name, line) for line in lines}


def _refs(name: str, first: int) -> set[tuple[str, str, str, int]]:
    field = "spec.alertPolicies[{}].alertPolicyRef"
    return {("missing-reference", field.format(i), name, first + i) for i in range(8)}


SLOGEN_TH = "slogen-logs-req-threshold-based.yaml"
INGEST = "slogen-ingest-lag-timeslice-budgeting.yaml"

EXPECTED: dict[str, Verdict] = {
    # targetPercent 99.9 alone (no target); Service test-svc not in the file; rate() queries
    "opensloctl-ratio-percent-slo.yaml": (set(), {UNRESOLVED, QUERY_FORM}),
    # a Service and a threshold SLO on a p99 histogram_quantile (line 23): not a count
    "opensloctl-multiline-slo.yaml": (set(), {QUERY_FORM}),
    # eight alertPolicyRefs to policies kept in other files of the example (not here)
    "opensloctl-payment-unreachable.yaml": (
        _refs("opensloctl-payment-unreachable.yaml", 36),
        {UNRESOLVED},
    ),
    # a whole example workspace in nine files: a threshold SLO by indicatorRef, two policies
    # of one burnrate condition each, PagerDuty and Slack targets (neither delivered), the SLI's
    # DataSource (prometheus) not among them
    "opensloctl-api-latency": (
        set(),
        {"target-not-delivered", "delivery-not-configured", UNRESOLVED},
    ),
    # 16 conditions and policies in one file, the SLO in another: condition kind
    # multi-window-multi-burn-rate is opensloctl's, at each condition's kind line
    "opensloctl-tiered": (
        _kinds("tiered-alerts.yaml", range(8, 100, 13)),
        {"target-not-delivered", QUERY_FORM},
    ),
    # a calendar day from 12:30 New York; indicatorRef to an SLI named in camelCase, nowhere
    # defined; alertPolicies as a bare name
    "oslo-slo-indicatorref-calendar-alerts.yaml": (
        {
            (
                "missing-reference",
                "spec.indicatorRef",
                "oslo-slo-indicatorref-calendar-alerts.yaml",
                9,
            ),
            (
                "invalid-type",
                "spec.alertPolicies[0]",
                "oslo-slo-indicatorref-calendar-alerts.yaml",
                21,
            ),
        },
        {UNRESOLVED},
    ),
    # v1alpha Timeslices without value (the reference validator requires it), slogen's own
    # top-level keys beside the document, no timeWindows
    INGEST: (
        {
            ("missing-field", "spec.objectives[0].value", INGEST, 11),
            ("unknown-field", "createView", INGEST, 30),
            ("unknown-field", "fields", INGEST, 31),
            ("unknown-field", "labels", INGEST, 33),
            ("unknown-field", "alerts", INGEST, 36),
        },
        {"missing-time-window", UNRESOLVED, "converted-api-version"},
    ),
    # name with _ and capitals; duration: Week; startTime: Monday; the threshold written in
    # the metricSource's spec (slogen's) and none on the objective
    SLOGEN_TH: (
        {
            ("invalid-name", "metadata.name", SLOGEN_TH, 4),
            ("invalid-duration", "spec.timeWindow[0].duration", SLOGEN_TH, 33),
            ("invalid-start-time", "spec.timeWindow[0].calendar.startTime", SLOGEN_TH, 35),
            ("threshold-needs-op-value", "spec.objectives[0].op", SLOGEN_TH, 39),
        },
        {UNRESOLVED},  # no Service in the file: said with the errors, not after them
    ),
    # spec before metadata; name DevOpsSlack; target "connection" (Sumo Logic's)
    "slogen-notification-target-webhook.yaml": (
        {("invalid-name", "metadata.name", "slogen-notification-target-webhook.yaml", 7)},
        {"target-not-delivered"},
    ),
    # nobl9-openslo's converter input as a YAML list, labels of lists: a policy with an
    # inline condition (threshold 2) beside a top-level one of the same name (threshold 4), an
    # inline target with Nobl9 annotations; its first targetRef names none in the file
    "nobl9-openslo-v1_alert_policy.yaml": (set(), {UNRESOLVED}),
    # Nobl9's metadata.project on an openslo/v1 SLO, its Service beside it
    "build-on-aws": ({("unknown-field", "metadata.project", "slos.yaml", 7)}, set()),
    # the OpenSLO operators' dialects: osko's openslo.com/v1 (a target written "0.99"),
    # openslo.openslo/v1, and its first scaffold's group with an empty spec
    "osko-slo-thanos.yaml": (
        {("other-tool-format", "apiVersion", "osko-slo-thanos.yaml", 1)},
        set(),
    ),
    "osko-alertcondition.yaml": (
        {("other-tool-format", "apiVersion", "osko-alertcondition.yaml", 1)},
        set(),
    ),
    "osko-slo-kubernetes-operator-sample.yaml": (
        {("other-tool-format", "apiVersion", "osko-slo-kubernetes-operator-sample.yaml", 1)},
        set(),
    ),
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_openslo_file_verdict(name: str) -> None:
    assert _verdict(OPENSLO / name) == EXPECTED[name]


def _loaded(path: Path) -> object:
    workspace, problems = analyse([path])
    assert workspace is not None, [p.message for p in problems if p.severity == "error"]
    return workspace


def test_target_percent_alone_is_the_target() -> None:
    """OpenSLO v1 lets an objective give targetPercent instead of target: 99.9 is 0.999."""
    (objective,) = _loaded(OPENSLO / "opensloctl-ratio-percent-slo.yaml").objectives  # type: ignore[attr-defined]
    assert (objective.slo, objective.sli) == ("test-ratio-target-percent", "test-ratio-percent-sli")
    assert objective.target == Fraction(999, 1000)
    assert objective.window == RollingWindow(seconds=30 * 86400)
    assert objective.method is BudgetingMethod.OCCURRENCES


def test_multiline_threshold_slo_reads_its_bound() -> None:
    """A threshold SLI: 99.9 % of its values at or under 500 over a rolling 30d."""
    (objective,) = _loaded(OPENSLO / "opensloctl-multiline-slo.yaml").objectives  # type: ignore[attr-defined]
    assert (objective.slo, objective.sli, objective.service) == (
        "test-multiline-slo",
        "test-sli",
        "test-svc",
    )
    assert objective.series == "test-sli:lte500"
    assert objective.target == Fraction(999, 1000)
    assert objective.window == RollingWindow(seconds=30 * 86400)


def test_a_prometheus_sli_naming_an_absent_data_source_is_told_to_add_one() -> None:
    """nobl9-openslo's v1_slos.yaml (kept in openslo_found/): the SLIs' metricSources are
    type: prometheus with PromQL under promql:, named my-agent and my-prometheus, DataSources
    the file does not hold. "add the DataSource if other tools need it" said it was for other
    tools; it is what Covenant needs to read those queries from Prometheus."""
    problems = _problems(FOUND.parent / "openslo_found" / "nobl9-v1_slos.yaml")
    refs = [p for p in problems if p.field.endswith("metricSourceRef")]
    # two of the SLO's inline SLI (my-agent), one of the threshold SLI after it (my-prometheus)
    named = [(_at(p)[1], p.fix.split(" (", 1)[0]) for p in refs]
    assert named == [
        (28, "add a DataSource named 'my-agent'"),
        (34, "add a DataSource named 'my-agent'"),
        (84, "add a DataSource named 'my-prometheus'"),
    ]
    for problem in refs:
        assert "(spec.type: prometheus, spec.connectionDetails.url: the server's URL)" in (
            problem.fix
        )
        assert "if other tools need it" not in problem.fix


def test_every_openslo_operator_group_is_named_as_one() -> None:
    """osko's first scaffold wrote its SLO under slo-kubernetes-operator.openslo/v1alpha1 (an
    empty spec): an OpenSLO operator's resource like openslo.com/v1's, not "a Kubernetes SLO"
    to keep elsewhere."""
    (problem,) = _problems(OPENSLO / "osko-slo-kubernetes-operator-sample.yaml")
    assert problem.message == (
        "an OpenSLO Kubernetes operator's SLO (slo-kubernetes-operator.openslo/v1alpha1: osko, "
        "Dash0), not OpenSLO"
    )
    assert problem.fix.startswith("write it as an OpenSLO file: apiVersion: openslo/v1")


def test_a_whole_example_workspace_reads_its_alert_tiers() -> None:
    """opensloctl's api-latency example: 99.9 % of p99 samples at or under 500 over a rolling
    30d; page at burn rate 14.4 over 5m (short window 5m / 12 = 25 s, rounded to Covenant's
    one-minute floor) after 2m; ticket at 3 over 2h (short 10m) after 15m; both op gte."""
    (objective,) = _loaded(OPENSLO / "opensloctl-api-latency").objectives  # type: ignore[attr-defined]
    assert (objective.slo, objective.service, objective.series) == (
        "api-latency-slo",
        "api-gateway",
        "api-latency-p99:lte500",
    )
    assert objective.target == Fraction(999, 1000)
    assert objective.window == RollingWindow(seconds=30 * 86400)
    tiers = {
        t.name: (t.severity, t.burn_rate, t.long_window_s, t.short_window_s, t.for_s, t.inclusive)
        for t in objective.alert_tiers
    }
    assert tiers == {
        "api-latency-page": ("page", Fraction(144, 10), 300, 60, 120, True),
        "api-latency-ticket": ("ticket", Fraction(3), 7200, 600, 900, True),
    }


def test_nobl9_project_is_told_to_become_a_label() -> None:
    (problem,) = _problems(OPENSLO / "build-on-aws")
    assert "Nobl9" in problem.fix
    assert "labels: {project: …}" in problem.fix


def test_slogen_threshold_in_the_metric_source_is_offered_as_op_and_value() -> None:
    """slogen writes the threshold in the metricSource's spec (op: LessThanOrEqual,
    threshold: 1, field latency_sec); OpenSLO wants op and value on the objective: the fix
    names them, lte and 1, rather than an example's 300."""
    (problem,) = [p for p in _problems(OPENSLO / SLOGEN_TH) if p.code == "threshold-needs-op-value"]
    assert "op: lte, value: 1" in problem.fix
    assert "300" not in problem.fix


# --- files that are not OpenSLO -------------------------------------------------------------


def _told(path: Path) -> list[tuple[str, str, int]]:
    return [(p.code, p.field, _at(p)[1]) for p in _problems(path)]


API = ("other-tool-format", "apiVersion")

NOT_OPENSLO: dict[str, list[tuple[str, str, int]]] = {
    # a composite of eight other SLOs' objectives by weight, labels as lists
    "sepich-make-reservation-journey.yaml": [(*API, 1)],
    "sepich-slow-burn.yaml": [(*API, 1)],  # two averageBurnRate conditions
    "nobl9-action-test-slo.yaml": [(*API, 1)],  # no service, no timeWindows
    # sloctl's JSON: computed fields (status, createdAt); two Projects on one line
    "nobl9-go-slo-with-computed-fields.json": [(*API, 2)],
    "nobl9-go-compacted_list_of_objects.json": [(*API, 1), (*API, 1)],
    # the Datadog Operator's custom resource of a time-slice SLO
    "datadog-operator-time-slice-example.yaml": [(*API, 1)],
    # Dynatrace: an SLO's JSON with monaco's {{.…}} variables, and monaco's config naming it
    "dynatrace-monaco-service-performance.json": [("other-tool-format", "", 1)],
    "dynatrace-monaco-slo.yaml": [("other-tool-format", "", 1)],
    # Terraform: told at the SLO resource's line (24 after the provider and variables)
    "caffeine-datadog-simple_slo.tf": [("other-tool-format", "", 24)],
    "dynatrace-tf-example_a.tf": [("other-tool-format", "", 1)],
    "grafana-tf-resource_ratio.tf": [("other-tool-format", "", 1)],
    # an override holding only spec (Nobl9's indicator.metricSource of kind Agent)
    "build-on-aws-override.yaml": [("not-a-definition", "", 1)],
}


@pytest.mark.parametrize("name", sorted(NOT_OPENSLO))
def test_not_openslo_verdict(name: str) -> None:
    assert _told(OTHER / name) == NOT_OPENSLO[name]


def _one(name: str) -> Problem:
    (problem,) = _problems(OTHER / name)
    return problem


@pytest.mark.parametrize(
    ("name", "resource", "tool"),
    [
        (
            "caffeine-datadog-simple_slo.tf",
            'resource "datadog_service_level_objective" "org_team_auth_latency_slo"',
            "a Datadog SLO",
        ),
        ("dynatrace-tf-example_a.tf", 'resource "dynatrace_slo" "#name#"', "a Dynatrace SLO"),
        ("grafana-tf-resource_ratio.tf", 'resource "grafana_slo" "ratio"', "a Grafana SLO"),
    ],
)
def test_terraform_slo_resource_is_named(name: str, resource: str, tool: str) -> None:
    """A .tf file given to validate was read as YAML and told "start the document with
    apiVersion: openslo/v1": it is Terraform, its SLO resource another tool's."""
    problem = _one(name)
    assert problem.message == f"a Terraform file, not YAML: {resource} is {tool}"
    assert "start the document" not in problem.fix
    assert problem.fix.startswith("Covenant reads YAML definitions, not Terraform")


def test_terraform_percent_targets_are_converted_in_the_fix() -> None:
    """Datadog's target = 99.9 is a percentage (thresholds over timeframe 30d); Grafana's
    objectives value = 0.995 is already a ratio (window 30d); Dynatrace's 99.58 a percentage."""
    assert "target = 99.9 is target: 0.999" in _one("caffeine-datadog-simple_slo.tf").fix
    assert "timeframe 30d is timeWindow [{duration: 30d, isRolling: true}]" in (
        _one("caffeine-datadog-simple_slo.tf").fix
    )
    assert "value = 0.995 is target: 0.995" in _one("grafana-tf-resource_ratio.tf").fix
    assert "target = 99.58 is target: 0.9958" in _one("dynatrace-tf-example_a.tf").fix


def test_datadog_operator_slo_is_named_with_its_target() -> None:
    """targetThreshold "99.0" over timeframe "7d", type time_slice (p < 5.0 per slice)."""
    problem = _one("datadog-operator-time-slice-example.yaml")
    assert problem.message.startswith("a Datadog SLO (the Datadog Operator's DatadogSLO")
    assert "target: 0.99" in problem.fix
    assert "timeWindow [{duration: 7d, isRolling: true}]" in problem.fix
    assert "Timeslices" in problem.fix


def test_dynatrace_slo_json_and_monaco_config_are_named() -> None:
    slo = _one("dynatrace-monaco-service-performance.json")
    assert slo.message.startswith("a Dynatrace SLO (")
    assert "{{.target_threshold}}" in slo.message  # monaco's variable, not a number
    config = _one("dynatrace-monaco-slo.yaml")
    assert config.message.startswith("a Dynatrace Monitoring as Code (monaco) config")
    assert "Application-availability(browser).json" in config.message


def test_a_spec_only_fragment_is_not_told_to_add_apiversion() -> None:
    """nobl9/build-on-aws-o11y-demo's slos/tmp/override.yaml: spec.indicator.metricSource
    {kind: Agent, name, project} alone, merged into an SLO by its pipeline. "add apiVersion:
    openslo/v1" and "add kind" would make an SLO of nothing."""
    problem = _one("build-on-aws-override.yaml")
    assert problem.message.startswith("a fragment holding only spec")
    assert "Nobl9" in problem.message
    assert "add apiVersion" not in problem.fix


def test_every_file_is_pinned_and_cited() -> None:
    paths = [path for folder in (OPENSLO, OTHER) for path in sorted(folder.iterdir())]
    pinned_and_cited(__file__, FOUND, paths)
    pinned = sum(len(list(path.iterdir())) if path.is_dir() else 1 for path in paths)
    assert pinned >= 25
