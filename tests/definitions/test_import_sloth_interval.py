"""A Sloth SLO's ``interval`` (found in slok/sloth's own ``examples/custom_rule_group_interval.yml``
of its history): Sloth's SLO type held ``Interval`` then — the evaluation interval of the rule
groups it generates (``all``, ``slierror``, ``metadata``, ``alert``); today the plugin
``sloth.dev/contrib/rule_intervals/v1`` sets it. The note said it "is not a field of Sloth's
SLO", which that Sloth contradicts. It changes how often Sloth's rules run, not what the SLO
counts: not carried over, said so.
"""

from __future__ import annotations

from pathlib import Path

from tests.definitions.test_import_found_shapes import notes, planned, slo_documents

SPEC = """\
version: "prometheus/v1"
service: "myapp"
slos:
  - name: "cpu-availability"
    objective: 99.99
    interval:
      slierror: "4m"
      alert: "2m"
    sli:
      events:
        error_query: sum(rate(node_cpu_seconds_total{mode="softirq"}[{{.window}}]))
        total_query: sum(rate(node_cpu_seconds_total[{{.window}}]))
    alerting:
      page_alert: {disable: true}
      ticket_alert: {disable: true}
"""


def test_an_slo_interval_is_named_for_what_it_set(tmp_path: Path) -> None:
    plan = planned(tmp_path, "sloth", {"s.yaml": SPEC})
    assert plan.problems == []
    assert len(slo_documents(plan)) == 1
    (note,) = [n for n in notes(plan) if n.field == "slos[0].interval"]
    assert note.where.endswith("s.yaml:6")
    assert note.reason == (
        "interval sets how often Sloth evaluates the rule groups it generates (a field of "
        "earlier Sloth releases; now the plugin sloth.dev/contrib/rule_intervals/v1): not "
        "carried over, Covenant's own rules (covenant rules prometheus) keep their interval"
    )


MANAGED = """\
apiVersion: sloth.slok.dev/v1
kind: ManagedPrometheusServiceLevel
metadata: {name: my-grpc-service, namespace: monitoring}
spec:
  service: "myservice"
  slos: []
"""


def test_another_kind_of_sloths_api_is_named_by_its_kind(tmp_path: Path) -> None:
    """slok/sloth's history holds ``examples/managed-prometheus-*.yml``, a
    ``ManagedPrometheusServiceLevel`` (Google Managed Prometheus rules); no Sloth resource
    Covenant reads. It was refused as "not a Sloth spec: a Sloth Kubernetes resource"."""
    plan = planned(tmp_path, "sloth", {"m.yaml": MANAGED})
    (problem,) = plan.problems
    assert problem.code == "import-unrecognised"
    assert problem.field == "kind"
    assert problem.where.endswith("m.yaml:2")
    assert problem.message == (
        "kind 'ManagedPrometheusServiceLevel' of sloth.slok.dev/v1 is not one Covenant imports "
        "(it reads PrometheusServiceLevel resources, prometheus/v1 specs and AlertWindows "
        "catalogs)"
    )
    assert problem.fix == (
        "if its spec is a PrometheusServiceLevel's (service, slos), write kind: "
        "PrometheusServiceLevel to import it"
    )


NO_VERSION = """\
service: vision
slos:
  - name: availability
    sli: sum(rate(requests_total{code!~"5.."}[window])) / sum(rate(requests_total[window]))
    objective: 0.999
    alerting:
      page_alert: {disable: true}
      ticket_alert: {disable: true}
"""


def test_a_spec_without_version_is_read_on_so_every_problem_is_said(tmp_path: Path) -> None:
    """A course lab's ``slos.yaml`` (service, slos, each ``sli`` a query text) was refused only
    for its missing version: adding it, as the fix said, met the next refusal. The rest of the
    spec is now read as prometheus/v1 too and its problems given with the first."""
    plan = planned(tmp_path, "sloth", {"s.yaml": NO_VERSION})
    assert [(p.code, p.field) for p in plan.problems] == [
        ("import-missing-field", ""),
        ("import-invalid-value", "slos[0].sli"),
    ]
    assert plan.problems[0].message == "a Sloth spec (service, slos) without version: prometheus/v1"
    assert plan.problems[1].message.startswith("sli is a query text")
    assert slo_documents(plan) == []
