"""A Sloth query holding a placeholder: a kustomize base whose overlays patch the queries.

Found in a guide's ``apps/user-management-app/k8s/base/slo-availability.yaml`` (in
``sandeshlamsal/Devops_Aks_Gitops_Grafana_Alert SRE/02-implementation-sloth.md@3257d880``):
the base's queries match ``namespace="$namespace"``, which "gets substituted per overlay" by
a patch replacing both queries. Sloth does not substitute it: the base alone makes an SLO
matching the text ``$namespace`` — no events, ever. Covenant imported it silently; now the
query is refused at its field, as a template to render first (``kustomize build`` of an
overlay), as template markup in a query already is.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from covenant.definitions.importers.placeholders import placeholder
from tests.definitions.test_import_real_shapes import planned

# a minimal copy of the base (metric renamed)
BASE = """\
apiVersion: sloth.slok.dev/v1
kind: PrometheusServiceLevel
metadata:
  name: user-management-app-api-availability
spec:
  service: "user-management-app-api"
  slos:
    - name: "availability"
      objective: 99.99
      sli:
        events:
          errorQuery: sum(rate(requests_total{code=~"5..",namespace="$namespace"}[{{.window}}]))
          totalQuery: sum(rate(requests_total{namespace="$namespace"}[{{.window}}]))
      alerting:
        name: UserManagementAppApiErrorBudgetBurn
        pageAlert: {labels: {severity: page}}
        ticketAlert: {labels: {severity: ticket}}
"""


def test_a_kustomize_base_placeholder_in_a_query_is_refused(tmp_path: Path) -> None:
    plan = planned(tmp_path, "sloth", {"slo-availability.yaml": BASE})
    problems = {p.field: p for p in plan.problems}
    problem = problems["spec.slos[0].sli.events.errorQuery"]
    assert problem.code == "import-invalid-value"
    assert "holds the placeholder $namespace" in problem.message
    assert "kustomize build" in problem.fix


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ('x{namespace="$namespace"}', "$namespace"),
        ("x{ns!='$ns'}", "$ns"),
        ('x{service="${svc}-api"}', "${svc}"),
        ("${svc}-availability", "${svc}"),
        ('x{path=~"/api$"}', None),  # a regex anchor
        ('x{path=~"^/a{2}$"}', None),
        ('x{v="$"}', None),
        ('x{a="$1"}', None),  # a name does not start with a digit
        ("cost $ 5", None),
    ],
)
def test_what_is_a_placeholder(text: str, found: str | None) -> None:
    assert placeholder(text) == found


# Sloth's OpenSLO input (openslo/v1alpha) with its queries left unrendered: the same refusal
# as for prometheus/v1 and the Kubernetes resource (Sloth substitutes only {{.window}})
OPENSLO = """\
apiVersion: openslo/v1alpha
kind: SLO
metadata:
  name: api-availability
spec:
  service: api
  budgetingMethod: Occurrences
  objectives:
    - ratioMetrics:
        good:
          source: prometheus
          queryType: promql
          query: sum(rate(requests_total{{code!~"5..",{selector}}}[{{{{.window}}}}]))
        total:
          source: prometheus
          queryType: promql
          query: sum(rate(requests_total[{{{{.window}}}}]))
      target: 0.999
"""


@pytest.mark.parametrize(
    ("selector", "said"),
    [
        ('namespace="$namespace"', "holds the placeholder $namespace"),
        ('service="${svc}"', "holds the placeholder ${svc}"),
        ('service="{{SERVICE}}"', "holds template markup ({{"),
    ],
)
def test_a_placeholder_in_an_openslo_alpha_query_is_refused(
    tmp_path: Path, selector: str, said: str
) -> None:
    plan = planned(tmp_path, "sloth", {"slo.yaml": OPENSLO.format(selector=selector)})
    problems = {p.field: p for p in plan.problems}
    problem = problems["spec.objectives[0].ratioMetrics.good.query"]
    assert problem.code == "import-invalid-value"
    assert said in problem.message
    assert "render" in problem.fix
    assert not [d for f in plan.files for d in f.imported.documents if d["kind"] == "SLO"]


def test_a_rendered_openslo_alpha_query_is_imported(tmp_path: Path) -> None:
    plan = planned(tmp_path, "sloth", {"slo.yaml": OPENSLO.format(selector='service="api"')})
    assert not plan.problems
    slos = [d for f in plan.files for d in f.imported.documents if d["kind"] == "SLO"]
    assert [d["metadata"]["name"] for d in slos] == ["api-availability-0"]
