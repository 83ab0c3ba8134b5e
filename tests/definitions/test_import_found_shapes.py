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
    sources.mkdir(exist_ok=True)
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
