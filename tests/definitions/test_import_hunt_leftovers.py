"""Shapes found in the second import hunt of stop 37 (real Sloth, Pyrra and slo-generator
files of other projects). Each fixture is small and written here, reproducing only the shape
seen; the expected values are read off the fixture and the tool's documented rules."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.definitions.test_import_found_shapes import notes, planned, slo_documents

SLOTH_KIND = """\
apiVersion: sloth.slok.dev/v1
kind: {kind}
metadata: {{name: api}}
spec:
  service: api
  slos:
    - name: avail
      objective: 99.9
      sli:
        events:
          errorQuery: sum(rate(http_requests_total{{code=~"5.."}}[{{{{.window}}}}]))
          totalQuery: sum(rate(http_requests_total[{{{{.window}}}}]))
"""


@pytest.mark.parametrize(
    ("kind", "meant"),
    [
        ("PrometheusServiceLevels", "PrometheusServiceLevel"),  # the CRD's plural
        ("PrometheusSLO", "PrometheusServiceLevel"),
        ("prometheusServiceLevel", "PrometheusServiceLevel"),
        ("AlertWindow", "AlertWindows"),
    ],
)
def test_a_misspelt_sloth_kind_is_answered_with_the_kind_meant(
    tmp_path: Path, kind: str, meant: str
) -> None:
    """``kind: PrometheusServiceLevels`` (the resource's plural, as ``kubectl get`` names it)
    was refused without saying which kind was close; Sloth's CRD knows only
    PrometheusServiceLevel (and its AlertWindows catalog)."""
    plan = planned(tmp_path, "sloth", {"k.yaml": SLOTH_KIND.format(kind=kind)})
    (problem,) = plan.problems
    assert problem.code == "import-unrecognised"
    assert problem.field == "kind"
    assert problem.message.endswith(f"did you mean {meant!r}?")
    assert problem.fix.startswith(f"write kind: {meant}")


def test_a_kind_of_sloths_own_history_is_not_taken_for_a_misspelling(tmp_path: Path) -> None:
    """``ManagedPrometheusServiceLevel`` is a kind of its own (slok/sloth's history), not a
    misspelt PrometheusServiceLevel: no "did you mean"."""
    plan = planned(
        tmp_path, "sloth", {"k.yaml": SLOTH_KIND.format(kind="ManagedPrometheusServiceLevel")}
    )
    (problem,) = plan.problems
    assert "did you mean" not in problem.message
    assert problem.fix.startswith("if its spec is a PrometheusServiceLevel's")


LONE_BUCKET = """\
version: "prometheus/v1"
service: gateway
slos:
  - name: latency
    objective: 99
    sli:
      events:
        error_query: sum(rate(req_seconds_bucket{{le="0.25",job="gw"}}[{{{{.window}}}}]))
        total_query: {total}
    alerting:
      page_alert: {{disable: true}}
      ticket_alert: {{disable: true}}
"""


@pytest.mark.parametrize(
    ("total", "suggested"),
    [
        (
            'sum(rate(req_seconds_bucket{le="+Inf",job="gw"}[{{.window}}]))',
            'sum(rate(req_seconds_bucket{le="+Inf",...}[{{.window}}]))',
        ),
        (
            'sum(rate(req_seconds_count{job="gw"}[{{.window}}]))',
            "sum(rate(req_seconds_count{...}[{{.window}}]))",
        ),
    ],
)
def test_the_fix_for_a_lone_bucket_counts_the_total_as_it_was_written(
    tmp_path: Path, total: str, suggested: str
) -> None:
    """The note on an ``error_query`` of one bucket alone suggested ``_count`` minus the
    bucket even where the file's total is the ``le="+Inf"`` bucket: the suggestion now counts
    all requests the way the total query does."""
    plan = planned(tmp_path, "sloth", {"l.yaml": LONE_BUCKET.format(total=total)})
    assert len(slo_documents(plan)) == 1
    (note,) = [n for n in notes(plan) if "alone" in n.reason]
    expected = f'{suggested} - sum(rate(req_seconds_bucket{{le="0.25",...}}[{{{{.window}}}}]))'
    assert note.reason.endswith(expected)


PLACEHOLDER = """\
apiVersion: sloth.slok.dev/v1
kind: PrometheusServiceLevel
metadata:
  name: {{SERVICE_NAME}}-slos
spec:
  service: "{{SERVICE_NAME}}"
  slos: []
"""


def test_a_scaffold_placeholder_template_is_said_to_be_a_template(tmp_path: Path) -> None:
    """A scaffolding template (``{{SERVICE_NAME}}`` placeholders, filled in by a generator
    CLI) is not YAML until filled in; the refusal gave only the parser's error, without the
    "render it first" that a Helm template gets."""
    plan = planned(tmp_path, "sloth", {"slos.yaml": PLACEHOLDER})
    (problem,) = plan.problems
    assert problem.code == "yaml-syntax"
    assert "the file is a template" in problem.message
    assert problem.fix.startswith("render it first")


NO_DOT = """\
version: "prometheus/v1"
service: users-api
slos:
  - name: availability
    objective: 99.5
    sli:
      events:
        error_query: sum(rate(http_requests_total{{job="users-api",status=~"5.."}}[{window}]))
        total_query: sum(rate(http_requests_total{{job="users-api"}}[{window}]))
    alerting:
      page_alert: {{disable: true}}
      ticket_alert: {{disable: true}}
"""


@pytest.mark.parametrize("window", ["{{window}}", "{{ window }}"])
def test_a_window_placeholder_without_its_dot_is_named(tmp_path: Path, window: str) -> None:
    """Helm's escape ``{{"{{"}}window{{"}}"}}`` renders to ``{{window}}``, without the dot
    of Sloth's ``{{.window}}``: Sloth's Go template then fails (function "window" not
    defined). The rendered file was refused as "template markup … render the template
    first", though it is rendered."""
    plan = planned(tmp_path, "sloth", {"r.yaml": NO_DOT.format(window=window)})
    problems = plan.problems
    assert [p.field for p in problems] == ["slos[0].sli.events.error_query"]
    (problem,) = problems
    assert problem.code == "import-invalid-value"
    assert f"writes {window}, which is not Sloth's {{{{.window}}}}" in problem.message
    assert "render" not in problem.message
    assert problem.fix == "write [{{.window}}], with the dot"


ALPHA = """\
apiVersion: sloth.slok.dev/v1alpha1
kind: ServiceLevelObjective
metadata: {name: web-slo}
spec:
  service: web
  slos:
  - name: availability
    objective: 99.9
    sli:
      events:
        error_query: sum(rate(http_requests_total{job="web",code=~"5.."}[{{.window}}]))
        total_query: sum(rate(http_requests_total{job="web"}[{{.window}}]))
"""


def test_an_apiversion_sloth_does_not_serve_is_answered_with_its_own(tmp_path: Path) -> None:
    """``sloth.slok.dev/v1alpha1`` with Pyrra's kind ``ServiceLevelObjective`` (written in
    guides): refused as "not a Sloth spec: a Sloth Kubernetes resource", without saying what
    Sloth's CRD is. Its spec is a PrometheusServiceLevel's."""
    plan = planned(tmp_path, "sloth", {"a.yaml": ALPHA})
    (problem,) = plan.problems
    assert problem.code == "import-unrecognised"
    assert problem.field == "apiVersion"
    assert "sloth.slok.dev/v1alpha1 is not an apiVersion of Sloth's" in problem.message
    assert problem.fix == (
        "write apiVersion: sloth.slok.dev/v1 and kind: PrometheusServiceLevel (its spec, "
        "service and slos, is a PrometheusServiceLevel's)"
    )


FRAGMENT = """\
slos:
  - name: "latency"
    objective: 99.0
    sli:
      raw:
        errorRatioQuery: |
          sum(rate(db_query_latency_bucket{le="0.1"}[5m])) / sum(rate(db_query_latency_count[5m]))
"""


def test_a_slos_list_without_version_and_service_is_told_what_to_add(tmp_path: Path) -> None:
    """A guide's ``slos:`` list on its own (no ``version``, no ``service``), a fragment of a
    prometheus/v1 spec: refused as "not a Sloth spec: a mapping without apiVersion", which
    names a field Sloth's spec does not have. The SLOs' own problems are said with it (stop
    43: adding version and service brought them only then): a raw query over [5m] and no
    alerting.name."""
    plan = planned(tmp_path, "sloth", {"f.yaml": FRAGMENT})
    problem, *others = plan.problems
    assert [(p.field, p.where.rsplit(":", 1)[1]) for p in others] == [
        ("slos[0].sli.raw.errorRatioQuery", "6"),
        ("slos[0].alerting.name", "2"),
    ]
    assert problem.code == "import-missing-field"
    assert problem.message == (
        "a Sloth slos: list without the spec's version and service (Sloth reads a "
        "prometheus/v1 spec: version, service, slos)"
    )
    assert problem.fix == 'write version: "prometheus/v1" and service: NAME at the top'


NATIVE = """\
apiVersion: pyrra.dev/v1alpha1
kind: ServiceLevelObjective
metadata: {{name: api-latency-native, namespace: monitoring}}
spec:
  target: "99.9"
  window: 4w
  indicator:
    latencyNative:
      latency: {latency}
      total:
        metric: http_request_duration_seconds{{job="api-gateway"}}
"""


@pytest.mark.parametrize(
    ("latency", "fix"),
    [
        ('"0.3"', "write latency: 300ms (a duration with its unit; 0.3 read as seconds)"),
        ("2", "write latency: 2s (a duration with its unit; 2 read as seconds)"),
        ('"fast"', "write e.g. latency: 200ms"),
    ],
)
def test_a_native_latency_without_its_unit_is_given_the_duration(
    tmp_path: Path, latency: str, fix: str
) -> None:
    """A guide's ``latencyNative.latency: "0.3"``: Pyrra parses it as a Prometheus duration,
    which needs a unit, and refuses it; so does the import, and its fix now writes the
    number (seconds, as the histogram's ``le`` bounds are) as one."""
    plan = planned(tmp_path, "pyrra", {"n.yaml": NATIVE.format(latency=latency)})
    (problem,) = plan.problems
    assert problem.field == "spec.indicator.latencyNative.latency"
    assert problem.fix == fix


ALERT_FOR = """\
version: "prometheus/v1"
service: "myservice"
slo_plugins:
  chain:
    - id: "sloth.dev/contrib/alert_for/v1"
slos:
  - name: "requests-availability"
    objective: 99.9
    sli:
      events:
        error_query: sum(rate(http_requests_total{code=~"5.."}[{{.window}}]))
        total_query: sum(rate(http_requests_total[{{.window}}]))
    alerting:
      name: MyServiceHighErrorRate
      page_alert:
        for: 5m
"""


def test_an_alerts_for_is_named_as_the_contrib_plugins_field(tmp_path: Path) -> None:
    """Sloth's contrib plugin ``sloth.dev/contrib/alert_for/v1`` (its README's example) reads
    ``page_alert.for`` / ``ticket_alert.for`` as the alerts' pending time. The note said
    "'for' is not a field of Sloth's page_alert; ignored (as Sloth ignores it)": with the
    plugin in the chain, Sloth does not ignore it."""
    plan = planned(tmp_path, "sloth", {"f.yaml": ALERT_FOR})
    assert len(slo_documents(plan)) == 1
    said = {n.field: n.reason for n in notes(plan)}
    reason = said["slos[0].alerting.page_alert.for"]
    assert "ignored (as Sloth ignores it)" not in reason
    assert reason.startswith("for (5m) is the alert's pending time, read by the plugin ")
    assert "sloth.dev/contrib/alert_for/v1" in reason
