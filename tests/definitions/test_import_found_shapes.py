"""Shapes found importing Sloth, Pyrra and slo-generator files of other projects (stop 32).

Each fixture is small and written here in its own words, reproducing only the shape of a file
seen elsewhere (Sloth's own duplicate-id test data, a fragment of ``slos:`` entries, an SLI
written as one query text, a Pyrra selector split into ``matchers:``, YAML 1.1 booleans). The
expected values are read off the fixture and the tool's documented rules, not off Covenant.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from covenant.services.importing import ImportPlan, plan_import


def planned(tmp_path: Path, tool: str, files: dict[str, str], **kwargs: Any) -> ImportPlan:
    sources = tmp_path / "src"
    sources.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (sources / name).write_text(text, encoding="utf-8")
    return plan_import(tool, [sources / name for name in files], into=tmp_path / "ws", **kwargs)


def slo_documents(plan: ImportPlan) -> list[dict[str, Any]]:
    return [d for f in plan.files for d in f.imported.documents if d["kind"] == "SLO"]


def notes(plan: ImportPlan) -> list[Any]:
    return [n for f in plan.files for n in f.imported.notes]


SLOTH_SLO = """\
  - name: "{name}"
    objective: 99.9
    sli:
      events:
        error_query: sum(rate(reqs_total{{code=~"5.."}}[{{{{.window}}}}]))
        total_query: sum(rate(reqs_total[{{{{.window}}}}]))
    alerting:
      page_alert: {{disable: true}}
      ticket_alert: {{disable: true}}
"""


def sloth_spec(service: str, *names: str) -> str:
    slos = "".join(SLOTH_SLO.format(name=name) for name in names)
    return f'version: "prometheus/v1"\nservice: "{service}"\nslos:\n{slos}'


def test_a_sloth_slo_id_defined_twice_in_a_file_is_refused_as_sloth_refuses_it(
    tmp_path: Path,
) -> None:
    """Sloth's validate/bad/duplicates data: the same service and SLO name in two documents
    of one file. ``sloth validate`` fails on it ("SLO duplicated"); Covenant imported both,
    the copy renamed ``svc-avail-2``: one objective counted twice."""
    text = sloth_spec("svc", "avail") + "---\n" + sloth_spec("svc", "avail")
    plan = planned(tmp_path, "sloth", {"dup.yaml": text})
    (problem,) = plan.problems
    assert problem.code == "import-invalid-value"
    assert problem.field == "slos[0].name"
    assert problem.where.endswith("dup.yaml:17")  # the second document's name line
    assert "'svc-avail'" in problem.message
    assert "dup.yaml:4" in problem.message  # where the first one is
    assert "sloth validate" in problem.message
    assert slo_documents(plan) == []


def test_one_sloth_id_from_two_names_is_a_duplicate_too(tmp_path: Path) -> None:
    """Sloth's id is ``<service>-<name>``: service ``a-b`` SLO ``c`` and service ``a`` SLO
    ``b-c`` are the same id to Sloth, across files of one import as within one."""
    plan = planned(
        tmp_path,
        "sloth",
        {"one.yaml": sloth_spec("a-b", "c"), "two.yaml": sloth_spec("a", "b-c")},
    )
    (problem,) = plan.problems
    assert problem.where.endswith("two.yaml:4")
    assert "'a-b-c'" in problem.message
    assert "one.yaml:4" in problem.message


def test_two_services_may_share_an_slo_name(tmp_path: Path) -> None:
    """Sloth's multifile example: one SLO name in two services is two ids; still imported."""
    plan = planned(
        tmp_path, "sloth", {"m.yaml": sloth_spec("a", "x") + "---\n" + sloth_spec("b", "x")}
    )
    assert plan.problems == []
    assert sorted(d["metadata"]["name"] for d in slo_documents(plan)) == ["a-x", "b-x"]


SLO_ENTRIES = """\
- name: replicas-ready
  objective: 99
  sli:
    events:
      errorQuery: sum(count_over_time(kube_ready{ok="false"}[{{.window}}]))
      totalQuery: sum(count_over_time(kube_ready[{{.window}}]))
  alerting:
    name: ReplicasNotReady
"""


def test_a_list_of_sloth_slo_entries_is_named_for_what_it_is(tmp_path: Path) -> None:
    """slok/sloth's own ``slo_w_subquery.yaml``: the entries of ``slos:`` with nothing
    around them. It was "not a Sloth spec: a mapping without apiVersion", which says
    nothing of what is missing."""
    plan = planned(tmp_path, "sloth", {"entries.yaml": SLO_ENTRIES})
    (problem,) = plan.problems
    assert problem.code == "import-missing-field"
    assert problem.where.endswith("entries.yaml:1")
    assert "an SLO of a Sloth spec (name, objective, sli) without the spec around it" in (
        problem.message
    )
    assert problem.fix.startswith('put it under slos: in a spec with version: "prometheus/v1"')


SLOTH_TEXT_SLI = """\
version: "prometheus/v1"
service: checkout
slos:
  - name: availability
    objective: 99.9
    sli: >-
      sum(rate(http_requests_total{code!~"5.."}[window]))
      / sum(rate(http_requests_total[window]))
    alerting:
      page_alert: {disable: true}
      ticket_alert: {disable: true}
"""


def test_an_sli_written_as_one_query_text_is_named_as_such(tmp_path: Path) -> None:
    """A course's ``slos.yaml`` (Sloth's layout, the SLI a PromQL text): "the SLO has no SLI"
    said the opposite of what the file shows."""
    plan = planned(tmp_path, "sloth", {"text.yaml": SLOTH_TEXT_SLI})
    (problem,) = plan.problems
    assert problem.code == "import-invalid-value"
    assert problem.field == "slos[0].sli"
    assert problem.message.startswith("sli is a query text")
    assert "events: {error_query, total_query}" in problem.fix


PYRRA_MATCHERS = """\
apiVersion: pyrra.dev/v1alpha1
kind: ServiceLevelObjective
metadata: {{name: api-latency, namespace: monitoring}}
spec:
  target: "99.5"
  window: 30d
  partial_response_strategy: warn
  indicator:
    {kind}:
      {first}:
        metric: {metric}
        matchers:
        - name: job
          value: api
      total:
        metric: http_request_duration_seconds_count
      groupBy: [handler]
  alerting:
    burnrate: false
"""


def pyrra_matchers(kind: str, first: str, metric: str) -> str:
    return PYRRA_MATCHERS.format(kind=kind, first=first, metric=metric)


def test_pyrra_keys_inside_the_indicator_and_alerting_are_said_not_to_be_pyrras(
    tmp_path: Path,
) -> None:
    """pyrra-dev/pyrra's ``demo-dynamic-burnrate.yaml`` splits a selector into ``metric`` and
    a ``matchers:`` list, which Pyrra's Query type does not have (Kubernetes drops it). Keys
    Pyrra does not read were noted on ``spec`` only: below it they were dropped silently,
    here turning the errors of job ``api`` into the errors of every job."""
    text = pyrra_matchers("ratio", "errors", 'http_requests_total{code=~"5.."}')
    plan = planned(tmp_path, "pyrra", {"m.yaml": text})
    assert plan.problems == []
    said = {n.field: n.reason for n in notes(plan)}
    matchers = said["spec.indicator.ratio.errors.matchers"]
    assert matchers.startswith("'matchers' is not a field of Pyrra's errors (it reads metric only)")
    assert "write the matchers inside the selector" in matchers
    assert said["spec.indicator.ratio.groupBy"].endswith("did you mean 'grouping'?")
    assert said["spec.alerting.burnrate"].endswith("did you mean 'burnrates'?")
    strategy = said["spec.partial_response_strategy"]
    assert strategy.startswith("a Thanos Ruler setting of Pyrra's rules")


def test_a_latency_bucket_written_as_matchers_is_refused_naming_them(tmp_path: Path) -> None:
    """The same file's latency objective: its ``le`` is in ``matchers:``, so the success
    selector has none. The refusal said only "has no le matcher"; the notes that would have
    explained it are held back while there is a problem."""
    text = pyrra_matchers("latency", "success", "http_request_duration_seconds_bucket")
    plan = planned(tmp_path, "pyrra", {"l.yaml": text})
    (problem,) = plan.problems
    assert problem.field == "spec.indicator.latency.success.metric"
    assert "matchers: beside metric is not a field of Pyrra" in problem.fix


# YAML 1.1 booleans. Sloth (gopkg.in/yaml.v2) and Pyrra (through Kubernetes, sigs.k8s.io/yaml)
# read a plain yes/no/on/off/y/n as a boolean; slo-generator (PyYAML) reads yes/no/on/off.
# Covenant reads YAML 1.2, where they are text: a flag so written was read as absent.

SLOTH_YAML11 = """\
version: "prometheus/v1"
service: shop
slos:
  - name: avail
    objective: 99.9
    sli:
      events:
        error_query: sum(rate(reqs_total{{code=~"5.."}}[{{{{.window}}}}]))
        total_query: sum(rate(reqs_total[{{{{.window}}}}]))
    alerting:
      page_alert:
        disable: {page}
      ticket_alert:
        disable: {ticket}
"""


def tier_names(document: dict[str, Any]) -> list[str]:
    return [t["name"] for t in document["spec"].get("alerting", {}).get("tiers", [])]


def test_sloth_disable_written_yes_or_on_disables_the_alert(tmp_path: Path) -> None:
    text = SLOTH_YAML11.format(page="yes", ticket="on")
    plan = planned(tmp_path, "sloth", {"s.yaml": text})
    assert plan.problems == []  # both alerts off: no alerting.name is needed
    (document,) = slo_documents(plan)
    assert tier_names(document) == []
    said = {n.field: n.reason for n in notes(plan)}
    assert said["slos[0].alerting.page_alert.disable"] == (
        "'yes' read as true, as Sloth's YAML 1.1 reader reads it"
    )


def test_sloth_disable_written_n_keeps_the_alert_and_a_non_boolean_is_refused(
    tmp_path: Path,
) -> None:
    kept = planned(tmp_path / "a", "sloth", {"s.yaml": SLOTH_YAML11.format(page="n", ticket="Y")})
    (problem,) = kept.problems  # page kept on (n is false) and Sloth requires its alert name
    assert problem.field == "slos[0].alerting.name"
    refused = planned(
        tmp_path / "b", "sloth", {"s.yaml": SLOTH_YAML11.format(page="maybe", ticket="true")}
    )
    (problem,) = refused.problems
    assert problem.code == "import-invalid-value"
    assert problem.field == "slos[0].alerting.page_alert.disable"
    assert problem.message == "disable 'maybe' is not a boolean (Sloth refuses the spec)"


PYRRA_YAML11 = """\
apiVersion: pyrra.dev/v1alpha1
kind: ServiceLevelObjective
metadata: {{name: x, namespace: m}}
spec:
  target: "99"
  window: 4w
  alerting:
    {key}: {value}
  indicator:
    ratio:
      errors: {{metric: 'reqs_total{{code=~"5.."}}'}}
      total: {{metric: reqs_total}}
"""


def test_pyrra_burnrates_off_or_disabled_yes_turns_its_alerts_off(tmp_path: Path) -> None:
    for index, (key, value) in enumerate((("burnrates", "off"), ("disabled", "yes"))):
        text = PYRRA_YAML11.format(key=key, value=value)
        plan = planned(tmp_path / str(index), "pyrra", {"p.yaml": text})
        assert plan.problems == []
        (document,) = slo_documents(plan)
        assert tier_names(document) == [], key
    kept = planned(
        tmp_path / "on", "pyrra", {"p.yaml": PYRRA_YAML11.format(key="burnrates", value="on")}
    )
    (document,) = slo_documents(kept)
    assert tier_names(document) == ["page-1", "page-2", "ticket-1", "ticket-2"]


SLOGEN_SLO = """\
apiVersion: sre.google.com/v2
kind: ServiceLevelObjective
metadata: {name: shop-api-availability, labels: {service_name: shop}}
spec:
  backend: prometheus
  method: good_bad_ratio
  goal: 0.99
  service_level_indicator:
    filter_good: reqs_total{code!~"5.."}
    filter_valid: reqs_total
"""
SLOGEN_CONFIG = """\
backends: {{prometheus: {{url: "http://prometheus:9090"}}}}
error_budget_policies:
  default:
    steps:
      - {{name: 1 hour, window: 3600, burn_rate_threshold: 9, alert: {first}}}
      - {{name: 12 hours, window: 43200, burn_rate_threshold: 3, alert: {second}}}
      - {{name: 28 days, window: 2419200, burn_rate_threshold: 1, alert: false}}
"""


def test_slo_generator_alert_written_yes_is_a_page_tier(tmp_path: Path) -> None:
    """The shared config beside the SLO: the step written ``alert: yes`` pages, the one
    written ``alert: no`` does not (read as PyYAML reads them)."""
    config = SLOGEN_CONFIG.format(first="yes", second="no")
    plan = planned(tmp_path, "slo-generator", {"slo.yaml": SLOGEN_SLO, "config.yaml": config})
    assert plan.problems == []
    (document,) = slo_documents(plan)
    tiers = document["spec"]["alerting"]["tiers"]
    assert [(t["name"], t["longWindow"], t["burnRate"]) for t in tiers] == [("1-hour", "1h", 9)]


def test_slo_generator_good_below_threshold_no_counts_slow_requests_good(tmp_path: Path) -> None:
    """PyYAML reads ``good_below_threshold: no`` as false (good events above the
    threshold); Covenant read the text 'no' as true: the rule inverted."""
    text = """\
apiVersion: sre.google.com/v2
kind: ServiceLevelObjective
metadata: {name: dt-slow-on-purpose, labels: {service_name: dt}}
spec:
  backend: dynatrace
  method: threshold
  goal: 0.99
  service_level_indicator:
    query_valid: {metric_selector: builtin:service.response.time}
    threshold: 2000
    good_below_threshold: no
"""
    plan = planned(tmp_path, "slo-generator", {"dt.yaml": text})
    (document,) = slo_documents(plan)
    rule = document["spec"]["indicator"]["metadata"]["annotations"]["covenant.dev/events"]
    assert rule == '{"latencyMs": {"op": "gt", "value": 2}}'  # 2000 us above is good


GLOBOCOM = """\
slos:
  - name: team-a.service-a
    objectives:
      window: 30d
      availability: 99
      latency:
      - {le: 5.0, target: 95}
    errorRateRecord:
      alertMethod: multi-window
      expr: >-
        sum(rate(http_requests_total{job="a", status="5xx"}[$window]))
        / sum(rate(http_requests_total{job="a"}[$window]))
"""


def test_globocoms_slo_generator_is_named_as_another_tool_of_the_name(tmp_path: Path) -> None:
    """globocom/slo-generator (Go; writes Prometheus rules from ``slos: [{objectives,
    errorRateRecord…}]`` and ``classes:``) shares google/slo-generator's name: given to
    ``import slo-generator`` or to ``validate`` it was "a mapping without apiVersion"."""
    from covenant.definitions.workspace import analyse_text  # noqa: PLC0415

    plan = planned(tmp_path, "slo-generator", {"globo.yml": GLOBOCOM})
    (problem,) = plan.problems
    assert problem.code == "import-unrecognised"
    assert "globocom/slo-generator" in problem.message
    assert "a different tool of the same name" in problem.message
    _, problems = analyse_text(GLOBOCOM, file="globo.yml")
    (found,) = [p for p in problems if p.severity == "error"]
    assert found.code == "other-tool-format"
    assert "globocom/slo-generator" in found.message
    assert "openslo/v1" in found.fix
    classes = "classes:\n  - name: CRITICAL\n    objectives: {availability: 99.99}\n"
    _, problems = analyse_text(classes, file="classes.yml")
    assert [p.code for p in problems if p.severity == "error"] == ["other-tool-format"]


def test_an_error_query_of_one_latency_bucket_is_said_to_count_the_fast_requests(
    tmp_path: Path,
) -> None:
    """Kuadrant's ``sloth/latency.yaml``: ``error_query`` is the histogram bucket
    ``le="250"`` alone — the requests at most 250 ms, the fast ones — so the SLO burns on
    fast requests. Imported as written (Sloth reads it so too), now with a note; the bucket
    subtracted from the count (Sloth's own latency example) is not noted."""
    spec = """\
version: "prometheus/v1"
service: gateway
slos:
  - name: requests-latency
    objective: 99.95
    sli:
      events:
        error_query: {error}
        total_query: sum(rate(req_ms_count{{job="gw"}}[{{{{.window}}}}])){total_by}
    alerting:
      page_alert: {{disable: true}}
      ticket_alert: {{disable: true}}
"""
    bucket = 'sum(rate(req_ms_bucket{le="250", job="gw"}[{{.window}}])) by (host)'
    plan = planned(
        tmp_path / "a", "sloth", {"l.yaml": spec.format(error=bucket, total_by=" by (host)")}
    )
    (document,) = slo_documents(plan)
    ratio = document["spec"]["indicator"]["spec"]["ratioMetric"]
    assert "bad" in ratio  # imported as written
    (note,) = [n for n in notes(plan) if "bucket" in n.reason]
    assert note.field == "slos[0].sli.events.error_query"
    assert note.reason.startswith('error_query counts the histogram bucket le="250" alone')
    assert "sum(rate(req_ms_count{...}[{{.window}}])) - " in note.reason
    difference = (
        'sum(rate(req_ms_count{job="gw"}[{{.window}}]))'
        ' - sum(rate(req_ms_bucket{le="250", job="gw"}[{{.window}}]))'
    )
    plan = planned(tmp_path / "b", "sloth", {"l.yaml": spec.format(error=difference, total_by="")})
    assert [n for n in notes(plan) if "bucket" in n.reason] == []
