"""A number written as the type its tool reads: Sloth's ``objective`` is a float, Pyrra's
``target`` a string.

Sloth declares ``Objective float64`` (pkg/prometheus/api/v1, and its PrometheusServiceLevel
CRD ``type: number``) and reads a spec with gopkg.in/yaml.v2 (older releases) or
k8s.io/apimachinery's yaml (YAML → JSON, then encoding/json): yaml.v2 resolves a quoted
scalar as ``!!str`` and will not set it into a float, encoding/json will not set a JSON
string into a float64. Either way ``objective: "99.9"`` is refused.

Pyrra declares ``Target string`` and its CRD ``target: {type: string}``: the Kubernetes API
refuses ``target: 99.9`` ("spec.target in body must be of type string"). Its filesystem
mode reads files with sigs.k8s.io/yaml, which turns a YAML number bound for a string field
into its text (``strconv.FormatFloat(f, 'g', -1, 32)``): it reads 99.9 as "99.9". So the
number is imported as the percentage it says, with a note to quote it. Pyrra's own webhook
warns on a target between 0 and 1 ("target is from 0-100 (99), not 0-1 (0.99)").

Sloth fetches an SLI plugin by its ``id``: a plugin without one is no plugin Sloth can load
(it refuses the spec); the report said "SLI plugin None".
"""

from __future__ import annotations

from pathlib import Path

from tests.definitions.test_import_found_shapes import notes, planned, slo_documents

SLOTH = """\
version: "prometheus/v1"
service: "shop"
slos:
  - name: "requests-availability"
    objective: {objective}
    sli:
      events:
        error_query: sum(rate(reqs_total{{code=~"5.."}}[{{{{.window}}}}]))
        total_query: sum(rate(reqs_total[{{{{.window}}}}]))
    alerting:
      page_alert: {{disable: true}}
      ticket_alert: {{disable: true}}
"""

SLOTH_K8S = """\
apiVersion: sloth.slok.dev/v1
kind: PrometheusServiceLevel
metadata: {{name: shop, namespace: monitoring}}
spec:
  service: "shop"
  slos:
    - name: "requests-availability"
      objective: {objective}
      sli:
        events:
          errorQuery: sum(rate(reqs_total{{code=~"5.."}}[{{{{.window}}}}]))
          totalQuery: sum(rate(reqs_total[{{{{.window}}}}]))
      alerting:
        pageAlert: {{disable: true}}
        ticketAlert: {{disable: true}}
"""

PYRRA = """\
apiVersion: pyrra.dev/v1alpha1
kind: ServiceLevelObjective
metadata: {{name: api-errors, namespace: monitoring}}
spec:
  target: {target}
  window: 4w
  indicator:
    ratio:
      errors:
        metric: http_requests_total{{job="api",code=~"5.."}}
      total:
        metric: http_requests_total{{job="api"}}
"""

SLOTH_PLUGIN = """\
version: "prometheus/v1"
service: "shop"
slos:
  - name: "requests-availability"
    objective: 99.9
    sli:
      plugin:
{plugin}
    alerting:
      page_alert: {{disable: true}}
      ticket_alert: {{disable: true}}
"""


def test_a_quoted_sloth_objective_is_refused_as_sloth_refuses_it(tmp_path: Path) -> None:
    for index, quoted in enumerate(('"99.9"', "'99'", '" 99.5"')):
        plan = planned(tmp_path / str(index), "sloth", {"s.yaml": SLOTH.format(objective=quoted)})
        (problem,) = plan.problems
        assert problem.code == "import-invalid-value"
        assert problem.field == "slos[0].objective"
        assert problem.where.endswith("s.yaml:5")
        text = quoted.strip("'\"")
        assert problem.message == (
            f"objective {text!r} is quoted: text, not a number (Sloth reads objective as a "
            "float and refuses the spec)"
        )
        assert problem.fix == f"write objective: {text.strip()} without quotes"
        assert slo_documents(plan) == []


def test_a_quoted_objective_of_a_sloth_resource_is_refused_too(tmp_path: Path) -> None:
    plan = planned(tmp_path, "sloth", {"k.yaml": SLOTH_K8S.format(objective='"99.9"')})
    (problem,) = plan.problems
    assert problem.field == "spec.slos[0].objective"
    assert problem.where.endswith("k.yaml:8")
    assert problem.fix == "write objective: 99.9 without quotes"


def test_a_plain_sloth_objective_still_imports(tmp_path: Path) -> None:
    plan = planned(tmp_path, "sloth", {"s.yaml": SLOTH.format(objective="99.9")})
    assert plan.problems == []
    (document,) = slo_documents(plan)
    assert str(document["spec"]["objectives"][0]["target"]) == "0.999"


def test_a_numeric_pyrra_target_is_imported_with_a_note_to_quote_it(tmp_path: Path) -> None:
    for index, number in enumerate(("99.9", "99")):
        plan = planned(tmp_path / str(index), "pyrra", {"p.yaml": PYRRA.format(target=number)})
        assert plan.problems == []
        (document,) = slo_documents(plan)
        assert str(document["spec"]["objectives"][0]["target"]) == f"0.{number.replace('.', '')}"
        (note,) = [n for n in notes(plan) if n.field == "spec.target"]
        assert note.where.endswith("p.yaml:5")
        assert note.reason == (
            f"target {number} is a number where Pyrra's CRD declares a string: Kubernetes "
            f'refuses the object (spec.target must be of type string); write target: "{number}"'
            " (Pyrra's filesystem mode reads the number as that text)"
        )


def test_a_quoted_pyrra_target_gets_no_such_note(tmp_path: Path) -> None:
    plan = planned(tmp_path, "pyrra", {"p.yaml": PYRRA.format(target='"99.9"')})
    assert plan.problems == []
    assert [n for n in notes(plan) if n.field == "spec.target"] == []


def test_a_pyrra_target_under_one_warns_with_the_target_meant(tmp_path: Path) -> None:
    """``target: "0.99"`` is 0.99 % to Pyrra (it warns, and generates it): imported as such,
    with the fix written as Pyrra takes it, a quoted percentage."""
    plan = planned(tmp_path, "pyrra", {"p.yaml": PYRRA.format(target='"0.99"')})
    assert plan.problems == []
    (document,) = slo_documents(plan)
    assert str(document["spec"]["objectives"][0]["target"]) == "0.0099"
    (note,) = [n for n in notes(plan) if n.field == "spec.target"]
    assert note.reason == (
        "0.99 is read as a percentage, as Pyrra reads it: 0.99 % (target 0.0099), and Pyrra "
        'warns it is from 0-100, not 0-1; for 99 % write target: "99"'
    )


def test_a_sloth_plugin_without_an_id_is_refused_naming_the_missing_id(tmp_path: Path) -> None:
    for index, (plugin, field, line) in enumerate(
        (
            ('        options: {filter: job="api"}', "slos[0].sli.plugin", 7),
            ('        id: ""\n        options: {filter: job="api"}', "slos[0].sli.plugin.id", 8),
        )
    ):
        text = SLOTH_PLUGIN.format(plugin=plugin)
        plan = planned(tmp_path / str(index), "sloth", {"s.yaml": text})
        (problem,) = plan.problems
        assert problem.code == "import-missing-field"
        assert problem.field == field
        assert problem.where.endswith(f"s.yaml:{line}")
        assert problem.message == (
            "sli.plugin has no id: Sloth loads a plugin by its id and refuses the spec"
        )
        assert problem.fix == (
            "add id: <the plugin's id> (e.g. sloth-common/kubernetes/apiserver/availability), "
            "or write the SLI as sli.events"
        )
        assert "None" not in problem.message


def test_a_sloth_plugin_that_is_no_mapping_is_named_so(tmp_path: Path) -> None:
    text = SLOTH_PLUGIN.format(plugin="        sloth-common/fake").replace(
        "plugin:\n        sloth", "plugin: sloth"
    )
    plan = planned(tmp_path, "sloth", {"s.yaml": text})
    (problem,) = plan.problems
    assert problem.code == "import-invalid-value"
    assert problem.field == "slos[0].sli.plugin"
    assert problem.message == "sli.plugin is a text, not a mapping"
    assert problem.fix == "write plugin: {id: sloth-common/fake, options: {…}}"


OPENSLO_V1ALPHA = """\
apiVersion: openslo/v1alpha
kind: SLO
metadata:
  name: hello
spec:
  service: hello-api
  budgetingMethod: Occurrences
  objectives:
    - ratioMetrics:
        good:
          source: prometheus
          queryType: promql
          query: sum(rate(http_requests_total{code=~"2.."}[{{.window}}]))
        total:
          source: prometheus
          queryType: promql
          query: sum(rate(http_requests_total[{{.window}}]))
      target: "0.999"
"""


def test_a_quoted_target_of_an_openslo_file_sloth_reads_is_refused(tmp_path: Path) -> None:
    """Sloth reads ``openslo/v1alpha`` with yaml.v2 into oslo's ``BudgetTarget *float64``."""
    plan = planned(tmp_path, "sloth", {"o.yaml": OPENSLO_V1ALPHA})
    (problem,) = plan.problems
    assert problem.code == "import-invalid-value"
    assert problem.field == "spec.objectives[0].target"
    assert problem.where.endswith("o.yaml:18")
    assert problem.message == (
        "target '0.999' is quoted: text, not a number (Sloth reads target as a float and "
        "refuses the spec)"
    )
    assert problem.fix == "write target: 0.999 without quotes"
