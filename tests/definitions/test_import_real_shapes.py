"""Shapes found in real Sloth, Pyrra and slo-generator files outside the corpus.

Each fixture is small and written here, reproducing only the shape of a file seen in another
project (a trailing ``---``, a one-day Pyrra window, a Sloth query grouped ``by``, a
slo-generator ``query_sli`` with an ``OR on() vector(1)`` fallback, a v1 error-budget policy
list). Every expected value is derived by hand from the fixture and the tool's rules.
"""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest

from covenant.core.model import RollingWindow
from covenant.definitions.importers.promql import (
    one_series,
    rate_to_increase,
    split_ratio,
    without_fallback,
)
from covenant.definitions.workspace import analyse_text
from covenant.services.importing import ImportPlan, plan_import

DAY = 86400
MINUTE = 60


def planned(tmp_path: Path, tool: str, files: dict[str, str]) -> ImportPlan:
    sources = tmp_path / "src"
    sources.mkdir()
    for name, text in files.items():
        (sources / name).write_text(text, encoding="utf-8")
    return plan_import(tool, [sources / name for name in files], into=tmp_path / "ws")


def slo_document(plan: ImportPlan, name: str) -> dict[str, Any]:
    documents = [d for f in plan.files for d in f.imported.documents]
    (found,) = [d for d in documents if d["kind"] == "SLO" and d["metadata"]["name"] == name]
    return found


def query(document: dict[str, Any], part: str) -> str:
    ratio = document["spec"]["indicator"]["spec"]["ratioMetric"]
    return str(ratio[part]["metricSource"]["spec"]["query"])


PYRRA_ONE_DAY = """\
---
apiVersion: pyrra.dev/v1alpha1
kind: ServiceLevelObjective
metadata:
  name: dns-errors
  namespace: infra
spec:
  indicator:
    ratio:
      errors:
        metric: >-
          dns_responses_total{rcode="SERVFAIL"}
      total:
        metric: 'dns_responses_total'
  target: '99'
  window: 1d
---
"""


def test_pyrra_trailing_separator_and_a_one_day_window(tmp_path: Path) -> None:
    plan = planned(tmp_path, "pyrra", {"dns.yaml": PYRRA_ONE_DAY})
    assert plan.problems == []  # the empty document after the last --- is skipped
    (file,) = plan.files
    assert file.imported.slos == ["dns-errors"]
    document = slo_document(plan, "dns-errors")
    assert query(document, "bad") == 'sum(dns_responses_total{rcode="SERVFAIL"})'
    assert query(document, "total") == "sum(dns_responses_total)"
    workspace, problems = analyse_text(file.text, file="dns.yaml")
    assert workspace is not None, [str(p) for p in problems]
    objective = workspace.objective("dns-errors")
    assert objective.target == Fraction(99, 100)
    assert objective.window == RollingWindow(seconds=DAY)
    # Pyrra's 28-day windows × 1/28, rounded to the minute:
    # page-1 1h/5m → 2m8.6s/10.7s → 2m/0m: under a minute, left out (and said);
    # page-2 6h/30m → 12m51s/64s → 13m/1m; ticket-1 1d/2h → 51m26s/4m17s → 51m/4m;
    # ticket-2 4d/6h → 205m43s/12m51s → 206m/13m.
    got = [(t.name, t.long_window_s, t.short_window_s, t.burn_rate) for t in objective.alert_tiers]
    assert got == [
        ("page-2", 13 * MINUTE, 1 * MINUTE, Fraction(7)),
        ("ticket-1", 51 * MINUTE, 4 * MINUTE, Fraction(2)),
        ("ticket-2", 206 * MINUTE, 13 * MINUTE, Fraction(1)),
    ]
    (dropped,) = [n for n in file.imported.notes if n.field == "spec.window"]
    assert "page-1" in dropped.reason
    assert "under a minute" in dropped.reason


def test_a_file_of_empty_documents_holds_no_document(tmp_path: Path) -> None:
    plan = planned(tmp_path, "pyrra", {"empty.yaml": "---\n# nothing yet\n---\n"})
    (problem,) = plan.problems
    assert "holds no document" in problem.message


SLOTH_GROUPED = """\
version: "prometheus/v1"
service: "edge"
slos:
  - name: "requests-availability"
    objective: 99.95
    sli:
      events:
        error_query: sum(rate(reqs_total{code=~"5.*"}[{{.window}}])) by (host)
        total_query: rate(reqs_total[{{.window}}])
    alerting:
      page_alert:
        disable: true
      ticket_alert:
        disable: true
"""


def test_sloth_grouped_and_unaggregated_queries_are_summed_into_one_series(
    tmp_path: Path,
) -> None:
    plan = planned(tmp_path, "sloth", {"edge.yaml": SLOTH_GROUPED})
    assert plan.problems == []
    document = slo_document(plan, "requests-availability")
    assert (
        query(document, "bad")
        == 'sum(sum(increase(reqs_total{code=~"5.*"}[{{.window}}])) by (host))'
    )
    assert query(document, "total") == "sum(increase(reqs_total[{{.window}}]))"
    assert str(document["spec"]["objectives"][0]["target"]) == "0.9995"  # objective: 99.95
    assert document["spec"]["alerting"] == {"defaults": False, "tiers": []}  # both disabled
    notes = {n.field: n.reason for n in plan.files[0].imported.notes}
    assert "grouped by (host)" in notes["slos[0].sli.events.error_query"]
    assert "not aggregated" in notes["slos[0].sli.events.total_query"]


SLOGEN_FALLBACK = """\
service_name: shop
feature_name: gateway
slo_name: latency
slo_target: 0.995
backend:
  class: Prometheus
  method: query_sli
  url: http://prometheus.invalid:9090
  measurement:
    expression: >
      sum(rate(lat_bucket{le="1.0"}[window]))
      /
      sum(rate(lat_count[window]))
      OR on() vector(1)
"""

V1_POLICY = """\
---
- error_budget_policy_step_name:  1 hour
  measurement_window_seconds:     3600
  alerting_burn_rate_threshold:   9
  urgent_notification:            true
  overburned_consequence_message: Page
  achieved_consequence_message:   Fine
"""


def test_slo_generator_fallback_is_dropped_and_a_v1_policy_list_is_its_policy(
    tmp_path: Path,
) -> None:
    plan = planned(
        tmp_path,
        "slo-generator",
        {"slo_latency.yaml": SLOGEN_FALLBACK, "error_budget_policy.yaml": V1_POLICY},
    )
    assert plan.problems == []
    slo, policy = plan.files
    assert policy.imported.slos == []
    assert "v1 error-budget policy" in policy.imported.reason
    document = slo_document(plan, "shop-gateway-latency")
    assert str(document["spec"]["objectives"][0]["target"]) == "0.995"
    # the policy beside it, as slo-generator migrate reads it: its one step (3600 s) is the
    # window, and, alerting, a page tier at burn rate 9 over that hour
    assert document["spec"]["timeWindow"] == [{"duration": "1h", "isRolling": True}]
    (tier,) = document["spec"]["alerting"]["tiers"]
    assert (tier["longWindow"], tier["shortWindow"], tier["burnRate"]) == ("1h", "1h", 9)
    # the fallback belongs to neither count: before, it was glued to the denominator
    assert query(document, "good") == 'sum(increase(lat_bucket{le="1.0"}[{{.window}}]))'
    assert query(document, "total") == "sum(increase(lat_count[{{.window}}]))"
    assert any("OR on() vector(1)" in n.reason for n in slo.imported.notes)


def test_promql_helpers_on_the_real_shapes() -> None:
    assert without_fallback("a / b or vector(0)") == ("a / b", "or vector(0)")
    assert without_fallback("a / (b or vector(1))") == ("a / (b or vector(1))", "")
    # an upper-case set operator at the top level is an operator: no ratio to split
    assert split_ratio("sum(a) / sum(b) OR on() vector(1)") is None
    assert split_ratio("sum(a) / sum(b)") == ("sum(a)", "sum(b)", "")
    assert one_series("sum(increase(x[5m]))") == ("sum(increase(x[5m]))", "")
    assert one_series('rate(x{by="a"}[5m])') == (
        'sum(rate(x{by="a"}[5m]))',
        "not aggregated (no sum)",
    )
    assert one_series("sum by (a, b) (x) - sum(y) by (a)")[1] == "grouped by (a, b)"
    # the outermost aggregation's grouping only; without is said as without
    assert one_series("sum(sum by (code) (increase(x[5m])))") == (
        "sum(sum by (code) (increase(x[5m])))",
        "",
    )
    assert one_series("sum without (instance) (rate(x[5m]))")[1] == "grouped without (instance)"
    assert one_series("(sum(x) by (a))")[1] == "grouped by (a)"
    # the grouping of an operand or a function's argument reaches the result (real Sloth
    # specs: per-cluster queries under `or` and clamp_min)
    assert one_series("(sum(rate(a[5m])) by (c)) or (clamp_min(1 - sum(up) by (c), 0))") == (
        "sum((sum(rate(a[5m])) by (c)) or (clamp_min(1 - sum(up) by (c), 0)))",
        "grouped by (c)",
    )
    assert one_series("clamp_min(sum(a) by (c) - sum(b) by (c), 0)")[1] == "grouped by (c)"
    assert one_series('label_replace(sum by (c) (x), "d", "$1", "c", "(.*)")')[1] == (
        "grouped by (c)"
    )
    assert one_series("count_over_time(x[5m])")[1] == "not aggregated (no sum)"
    assert one_series("topk(3, sum by (c) (x))")[1] == "not one series (topk)"
    for single in (
        "sum(a) or vector(0)",
        "sum(a) / on() group_left sum(b)",
        "1 - sum(a) / sum(b)",
        "sum(x) > 1e-3",
        "sum by () (x)",
        "histogram_quantile(0.9, sum by (le) (rate(x[5m])))",  # le is the quantile's
        "histogram_fraction(0, 0.2, sum(rate(x[5m])))",
    ):
        assert one_series(single) == (single, ""), single
    assert one_series("histogram_quantile(0.9, sum by (le, c) (x))")[1] == "grouped by (le, c)"
    # a comment on the last line does not swallow the closing parenthesis
    assert one_series("sum(x) by (route) # per route")[0] == "sum(sum(x) by (route) # per route\n)"
    # a shifted window is the window still: rate read as increase
    assert rate_to_increase("sum(rate(x[{{.window}}] offset 1m))") == (
        "sum(increase(x[{{.window}}] offset 1m))",
        0,
    )
    assert rate_to_increase("sum(rate(x[{{.window}}] @ end()))")[1] == 0
    assert rate_to_increase("sum(rate(x[5m] offset 1m))")[1] == 1


PYRRA_OFFSET_DYNAMIC = """\
apiVersion: pyrra.dev/v1alpha1
kind: ServiceLevelObjective
metadata:
  name: query-errors
  namespace: monitoring
spec:
  target: "99"
  window: 2w
  indicator:
    ratio:
      errors:
        metric: http_requests_total{handler=~"/api/.*",code=~"5.."} offset 1m
      total:
        metric: http_requests_total{handler=~"/api/.*"} offset 1m
  alerting:
    burnRateType: dynamic
"""


def test_pyrra_offset_is_dropped_and_dynamic_burn_rates_are_said(tmp_path: Path) -> None:
    plan = planned(tmp_path, "pyrra", {"query.yaml": PYRRA_OFFSET_DYNAMIC})
    assert plan.problems == []
    document = slo_document(plan, "query-errors")
    assert query(document, "bad") == 'sum(http_requests_total{handler=~"/api/.*",code=~"5.."})'
    assert query(document, "total") == 'sum(http_requests_total{handler=~"/api/.*"})'
    # 2w = 28d / 2: Pyrra's windows halved and rounded to the minute, static factors kept
    got = [
        (t["name"], t["longWindow"], t["shortWindow"], float(t["burnRate"]))
        for t in document["spec"]["alerting"]["tiers"]
    ]
    assert got == [
        ("page-1", "30m", "3m", 14.0),  # 1h/5m → 30m/2m30s → 30m/3m (half away from zero)
        ("page-2", "3h", "15m", 7.0),
        ("ticket-1", "12h", "1h", 2.0),
        ("ticket-2", "2d", "3h", 1.0),
    ]
    notes = {n.field: n.reason for n in plan.files[0].imported.notes}
    assert "'offset 1m' is dropped" in notes["spec.indicator.ratio.errors.metric"]
    assert "'offset 1m' is dropped" in notes["spec.indicator.ratio.total.metric"]
    assert "fixed burn rates" in notes["spec.alerting.burnRateType"]


HELM_TEMPLATE = """\
{{- if .Values.slos.enabled -}}
apiVersion: sloth.slok.dev/v1
kind: PrometheusServiceLevel
metadata:
  name: {{ .Release.Name }}-slos
spec:
  service: {{ .Values.service | quote }}
{{- end }}
"""

SLOTH_SUBQUERY = """\
apiVersion: sloth.slok.dev/v1
kind: PrometheusServiceLevel
metadata:
  name: web
spec:
  service: web
  slos:
    - name: availability
      objective: 99.9
      sli:
        events:
          errorQuery: sum(rate(reqs_total{code=~"5.."}[{{.window}}]))
          totalQuery: sum(rate(reqs_total[{{.window}}])) > 0
      alerting:
        name: WebAvailability
    - name: latency
      objective: 99
      sli:
        events:
          errorQuery: sum_over_time((sum(rate(lat_count[5m])))[{{.window}}:5m])
          totalQuery: sum_over_time((sum(rate(lat_count[5m])))[{{.window}}:5m])
      alerting:
        name: WebLatency
"""


def test_a_helm_template_is_refused_with_render_it_first(tmp_path: Path) -> None:
    plan = planned(tmp_path, "sloth", {"slo.yaml": HELM_TEMPLATE})
    (problem,) = plan.problems
    assert problem.code == "yaml-syntax"
    assert "a template: it holds Helm/Go {{ … }} actions" in problem.message
    assert problem.fix.startswith("render it first")


def test_a_sloth_subquery_of_rates_is_left_out_with_its_reason(tmp_path: Path) -> None:
    plan = planned(tmp_path, "sloth", {"web.yaml": SLOTH_SUBQUERY})
    assert plan.problems == []
    (file,) = plan.files
    assert file.imported.slos == ["availability"]
    document = slo_document(plan, "availability")
    assert query(document, "bad") == 'sum(increase(reqs_total{code=~"5.."}[{{.window}}]))'
    assert query(document, "total") == "sum(increase(reqs_total[{{.window}}])) > 0"
    (left,) = [n for n in file.imported.notes if n.skipped]
    assert left.field == "spec.slos[1].sli.events.errorQuery"
    assert "subquery" in left.reason


def test_a_sloth_spec_without_version_is_named_as_such(tmp_path: Path) -> None:
    text = "service: api\nslos:\n  - name: availability\n    objective: 99.9\n"
    plan = planned(tmp_path, "sloth", {"api.yaml": text})
    problem = plan.problems[0]  # the rest is read as prometheus/v1: its problems follow
    assert "slos[0].sli" in [p.field for p in plan.problems[1:]]
    assert problem.code == "import-missing-field"
    assert "without version: prometheus/v1" in problem.message
    assert problem.fix.startswith('write version: "prometheus/v1"')


def test_jinja_markup_in_a_sloth_query_is_refused(tmp_path: Path) -> None:
    text = (
        'version: "prometheus/v1"\n'
        "service: mesh\n"
        "slos:\n"
        "  - name: errors\n"
        "    objective: 99.5\n"
        "    sli:\n"
        "      events:\n"
        "        error_query: sum(rate(e[{% raw %}{{.window}}{% endraw %}]))\n"
        "        total_query: sum(rate(t[{{.window}}]))\n"
        "    alerting:\n"
        "      name: MeshErrors\n"
    )
    plan = planned(tmp_path, "sloth", {"mesh.yaml": text})
    (problem,) = plan.problems
    assert problem.field == "slos[0].sli.events.error_query"
    assert "template markup" in problem.message
    assert problem.where.endswith("mesh.yaml:8")


SLOTH_MERGE_KEYS = """\
version: "prometheus/v1"
service: api
x-alerting: &alerting
  name: ApiErrors
  ticket_alert:
    disable: true
slos:
  - name: eu
    objective: 99.5
    sli:
      events:
        error_query: sum(rate(e{region="eu"}[{{.window}}]))
        total_query: sum(rate(t{region="eu"}[{{.window}}]))
    alerting:
      <<: *alerting
      name: ApiEuErrors
"""


def test_yaml_merge_keys_are_applied_as_sloth_reads_them(tmp_path: Path) -> None:
    plan = planned(tmp_path, "sloth", {"api.yaml": SLOTH_MERGE_KEYS})
    assert plan.problems == []
    document = slo_document(plan, "eu")
    # the merged ticket_alert.disable switches the ticket tiers off; the own name wins
    tiers = [t["name"] for t in document["spec"]["alerting"]["tiers"]]
    assert tiers == ["page-quick", "page-slow"]
    kept = document["metadata"]["annotations"]["sloth.slok.dev/alerting"]
    assert '"name":"ApiEuErrors"' in kept
    assert "<<" not in kept


CONFIGMAP = """\
apiVersion: v1
kind: ConfigMap
metadata:
  name: slo-generator-config
data:
  backends:
  - name: prometheus
    class: Prometheus
    url: ${PROMETHEUS_URL}
  error_budget_policies:
    - name: default
      steps:
      - name: 1 hour
        window: 3600
        burn_rate_threshold: 9
        alert: true
"""

EARLY_CRD = """\
apiVersion: cloud.google.com/v1
kind: ServiceLevelObjective
metadata:
  name: prom-availability
spec:
  goal: 0.999
  backend: prometheus
  method: good_bad_ratio
  serviceLevelIndicator:
    filterGood: http_requests_total{code=~"2.."}[window]
    filterValid: http_requests_total[window]
"""


def test_a_configmap_of_the_shared_config_is_nothing_to_import(tmp_path: Path) -> None:
    plan = planned(tmp_path, "slo-generator", {"config.yaml": CONFIGMAP})
    assert plan.problems == []
    (file,) = plan.files
    assert file.imported.slos == []
    assert "ConfigMap" in file.imported.reason
    assert "--config" in file.imported.reason


def test_the_early_crd_form_is_refused_with_the_v2_spelling(tmp_path: Path) -> None:
    plan = planned(tmp_path, "slo-generator", {"slo.yaml": EARLY_CRD})
    (problem,) = plan.problems
    assert problem.code == "import-unrecognised"
    assert problem.field == "apiVersion"
    assert "filterGood → filter_good" in problem.fix
    assert "filterValid → filter_valid" in problem.fix
    assert "threshold" not in problem.fix  # the file's own fields, not a fixed list
    latency = EARLY_CRD.replace("filterGood", "goodBelowThreshold").replace(
        "filterValid", "thresholdBucket"
    )
    (tmp_path / "2").mkdir()
    (other,) = planned(tmp_path / "2", "slo-generator", {"slo.yaml": latency}).problems
    assert "thresholdBucket → threshold_bucket" in other.fix
    assert "filterGood" not in other.fix


def test_the_early_crd_refusal_says_what_covenant_reads_of_its_backend(tmp_path: Path) -> None:
    """Beyond the renames, the fix names the form Covenant reads and what it does with the
    file's backend: Prometheus is queried for the counts; Cloud Service Monitoring (and every
    other backend) is imported with a DataSource Covenant does not query, its SLI fed by
    ``covenant ingest events``."""
    (prom,) = planned(tmp_path, "slo-generator", {"slo.yaml": EARLY_CRD}).problems
    assert "apiVersion: sre.google.com/v2" in prom.fix
    assert "kind: ServiceLevelObjective" in prom.fix
    assert "covenant import slo-generator" in prom.fix
    assert "backend prometheus: Covenant queries it for the SLI's counts" in prom.fix
    csm = EARLY_CRD.replace("backend: prometheus", "backend: cloud_service_monitoring").replace(
        "method: good_bad_ratio", "method: basic"
    )
    (tmp_path / "csm").mkdir()
    (other,) = planned(tmp_path / "csm", "slo-generator", {"slo.yaml": csm}).problems
    assert "backend cloud_service_monitoring: Covenant does not query it" in other.fix
    assert "covenant ingest events" in other.fix
    assert "DataSource" in other.fix
    unknown = EARLY_CRD.replace("backend: prometheus", "backend: csm")
    (tmp_path / "unknown").mkdir()
    (third,) = planned(tmp_path / "unknown", "slo-generator", {"slo.yaml": unknown}).problems
    assert "backend csm is not one slo-generator v2 ships" in third.fix
    assert "cloud_service_monitoring" in third.fix  # the names it could be


MISSPELT_ALERTS = """\
version: prometheus/v1
service: prober
slos:
  - name: probes
    objectiv: 99
    objective: 99.5
    sli:
      events:
        error_query: sum(increase(probe_failed_total[{{.window}}]))
        total_query: sum(increase(probe_total[{{.window}}]))
    alerting:
      page_alert: {disabled: true}
      ticker_alert: {disable: true}
"""


def test_misspelt_sloth_keys_are_named_with_the_key_meant(tmp_path: Path) -> None:
    """A real spec meant to switch both alerts off (``disabled``, ``ticker_alert``): Sloth
    ignores unknown keys, so both alerts stay on and the alert name is missing."""
    plan = planned(tmp_path, "sloth", {"probes.yaml": MISSPELT_ALERTS})
    (problem,) = plan.problems
    assert problem.field == "slos[0].alerting.name"
    assert "'ticker_alert': did you mean 'ticket_alert'?" in problem.fix
    assert "'disabled': did you mean 'disable'?" in problem.fix
    notes = {n.field: n.reason for n in plan.files[0].imported.notes}
    assert notes["slos[0].objectiv"].endswith("did you mean 'objective'?")
    assert notes["slos[0].alerting.page_alert.disabled"].endswith("did you mean 'disable'?")


TERRAFORM_CONFIG = """\
backends:
  %{ if prometheus_url != "" }
  prometheus:
    url: ${prometheus_url}
  %{ endif }
error_budget_policies: {}
"""


def test_a_terraform_template_given_as_config_is_told_to_be_rendered(tmp_path: Path) -> None:
    from covenant.errors import InputError  # noqa: PLC0415
    from covenant.services.import_sources import read_mapping  # noqa: PLC0415

    config = tmp_path / "config.yaml"
    config.write_text(TERRAFORM_CONFIG, encoding="utf-8")
    with pytest.raises(InputError) as refused:
        read_mapping(config, what="slo-generator config")
    assert f"{config}:2" in refused.value.message
    assert "Terraform %{ … } directives" in refused.value.message
    assert "templatefile()" in refused.value.hint


SLOTH_NOT_PROMQL = """\
version: "prometheus/v1"
service: tester
slos:
  - name: prober
    objective: 99
    sli:
      events:
        error_query: sum_over_time(probe_success{ci="CI000"} == 0[{{.window}}])
        total_query: sum_over_time(probe_success{ci="CI000"}[{{.window}}])
    alerting: {page_alert: {disable: true}, ticket_alert: {disable: true}}
"""


def test_a_sloth_query_prometheus_cannot_parse_is_refused_at_its_line(tmp_path: Path) -> None:
    """Ayoralol/doc-gen's shape: ``x == 0[{{.window}}]`` is a range after an expression, which
    Prometheus's parser (and so Sloth's validation) rejects; it was imported, warned of at the
    written file's line, and got no rules."""
    plan = planned(tmp_path, "sloth", {"prober.yaml": SLOTH_NOT_PROMQL})
    (problem,) = plan.problems
    assert problem.code == "import-invalid-value"
    assert problem.where.endswith("prober.yaml:8")
    assert problem.field == "slos[0].sli.events.error_query"
    assert problem.message.startswith("the range [{{.window}}] follows '0'")
    assert plan.files[0].imported.documents == []


SLOGEN_NESTED_LABEL = """\
apiVersion: sre.google.com/v2
kind: ServiceLevelObjective
metadata:
  name: gcf-errors
  labels:
    service_name: gcf
    team: payments
    owners: [alice, bob]
    metadata: {env: test}
spec:
  backend: cloud_monitoring
  method: good_bad_ratio
  service_level_indicator:
    filter_good: metric.type="cloudfunctions.googleapis.com/function/execution_count" status="ok"
    filter_valid: metric.type="cloudfunctions.googleapis.com/function/execution_count"
  goal: 0.99
"""


def test_a_nested_label_is_noted_and_a_list_joined(tmp_path: Path) -> None:
    """terraform-google-modules/terraform-google-slo writes ``labels.metadata: {env: test}``:
    a label holds one text, so it is not carried over, and now said; a list of texts is a
    label of its items joined with ``,`` (as an SLO's list labels reach its alerts)."""
    plan = planned(tmp_path, "slo-generator", {"gcf.yaml": SLOGEN_NESTED_LABEL})
    assert plan.problems == []
    document = slo_document(plan, "gcf-errors")
    assert document["metadata"]["labels"] == {
        "service_name": "gcf",
        "team": "payments",
        "owners": "alice,bob",
    }
    (note,) = [n for f in plan.files for n in f.imported.notes if "labels.metadata" in n.field]
    assert note.field == "metadata.labels.metadata"
    assert note.where.endswith("gcf.yaml:9")
    assert note.reason.startswith("a mapping, where a label holds one text: not carried over")


def test_a_latency_without_success_points_at_latency_native(tmp_path: Path) -> None:
    """parca-dev/parca's profiletypes-latency: ``latency: 600ms`` over a native histogram
    written under ``indicator.latency`` (which needs a success bucket)."""
    text = """\
apiVersion: pyrra.dev/v1alpha1
kind: ServiceLevelObjective
metadata: {name: profiletypes-latency, namespace: parca}
spec:
  target: "99"
  window: 2w
  indicator:
    latency:
      latency: 600ms
      total:
        metric: grpc_server_handling_seconds{grpc_method="ProfileTypes"}
"""
    plan = planned(tmp_path, "pyrra", {"p.yaml": text})
    (problem,) = plan.problems
    assert problem.field == "spec.indicator.latency.success.metric"
    assert problem.fix.endswith("latency: 600ms over a native histogram: latencyNative")
