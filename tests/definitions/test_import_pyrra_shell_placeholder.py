"""A Pyrra objective still holding a shell placeholder (``${svc}``).

Found in a deployment script (code search for ``apiVersion: pyrra.dev/v1alpha1``, document id
54232051742: a bash ``for svc in checkout-service …`` loop that pipes a heredoc to ``kubectl
apply -f -``): saved as a file, the object is named ``${svc}-availability`` and its selectors
match ``service="${svc}"``. Kubernetes refuses the name (not a DNS subdomain), so Pyrra never
sees it. Covenant renamed it ``svc-availability`` and imported selectors that match the text
``${svc}``: an SLO that counts nothing, silently. Now it is refused at the field, as a template
to render first.
"""

from __future__ import annotations

from pathlib import Path

from tests.definitions.test_import_real_shapes import planned

# a minimal copy of the heredoc's object
SCRIPTED = """\
apiVersion: pyrra.dev/v1alpha1
kind: ServiceLevelObjective
metadata:
  name: ${svc}-availability
  namespace: monitoring
  labels:
    pyrra.dev/component: ${svc}
spec:
  target: "99.5"
  window: 4w
  description: "${svc} HTTP availability SLO"
  indicator:
    ratio:
      errors:
        metric: http_requests_total{service="${svc}",status=~"5.."}
      total:
        metric: http_requests_total{service="${svc}"}
"""


def test_a_shell_placeholder_in_the_name_is_refused_as_a_template(tmp_path: Path) -> None:
    plan = planned(tmp_path, "pyrra", {"slo.yaml": SCRIPTED})
    (problem,) = plan.problems
    assert problem.code == "import-invalid-value"
    assert problem.field == "metadata.name"
    assert "${svc}" in problem.message
    assert "holds the placeholder ${svc}" in problem.message
    assert "Kubernetes refuses such a name" in problem.message
    assert "render it first" in problem.fix
    assert "envsubst" in problem.fix


def test_a_placeholder_in_a_selector_alone_is_refused_there(tmp_path: Path) -> None:
    text = SCRIPTED.replace("${svc}-availability", "checkout-availability")
    plan = planned(tmp_path, "pyrra", {"slo.yaml": text})
    (problem,) = plan.problems
    assert problem.field == "spec.indicator.ratio.errors.metric"
    assert "${svc}" in problem.message


def test_a_dollar_in_a_regex_is_not_a_placeholder(tmp_path: Path) -> None:
    # PromQL regexes end with $ and may hold {n}: only ${NAME} is a shell placeholder
    text = SCRIPTED.replace("${svc}-availability", "checkout-availability").replace(
        'service="${svc}"', 'service=~"check.{2}ut$"'
    )
    plan = planned(tmp_path, "pyrra", {"slo.yaml": text})
    assert plan.problems == []
