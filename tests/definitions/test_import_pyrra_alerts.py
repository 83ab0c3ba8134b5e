"""What Pyrra puts on its alerts, kept by ``covenant import pyrra`` (found with real files:
grafanafans/play-with-pyrra, rhobs/configuration, vrutkovs/pyrra-openshift): the
``pyrra.dev/`` labels and annotations without the prefix, its alert name (``ErrorBudgetBurn``
unless ``alerting.name``), ``slo`` and the total's equality matchers, ``severity`` critical or
warning (Pyrra's slo/rules.go: commonRuleLabels, commonRuleAnnotations, AlertName); the
``v1alpha1`` apiVersion rhobs writes; and a ``kubectl apply`` bundle of objects and other
resources."""

from __future__ import annotations

import subprocess
from pathlib import Path

from typer.testing import CliRunner

from covenant.cli.main import app
from covenant.definitions.workspace import analyse_text
from covenant.render.prom_rules import RuleTarget, alert_annotations, alert_labels
from tests.definitions.test_import_real_shapes import planned

OBJECTIVE = """\
apiVersion: {api}
kind: ServiceLevelObjective
metadata:
  name: api-errors
  namespace: shop
  labels:
    prometheus: k8s
    pyrra.dev/team: platform
  annotations:
    pyrra.dev/runbook: https://runbooks/api-errors
    kubectl.kubernetes.io/last-applied-configuration: "{{}}"
spec:
  target: "99.5"
  window: 28d
  indicator:
    ratio:
      grouping: [route]
      errors:
        metric: http_requests_total{{job="api", code=~"5..", route=~"/v1/.*"}}
      total:
        metric: http_requests_total{{job="api", route=~"/v1/.*", env="prod"}}
{alerting}"""
ROUTE = """\
---
apiVersion: route.openshift.io/v1
kind: Route
metadata: {name: pyrra}
spec: {to: {kind: Service, name: pyrra}}
"""


def objective(api: str = "pyrra.dev/v1alpha1", alerting: str = "") -> str:
    return OBJECTIVE.format(api=api, alerting=alerting)


def test_the_alerts_carry_what_pyrras_carry(tmp_path: Path) -> None:
    plan = planned(tmp_path, "pyrra", {"api.yaml": objective()})
    assert plan.problems == []
    (file,) = plan.files
    workspace, problems = analyse_text(file.text, file="api.yaml")
    assert workspace is not None, [str(p) for p in problems]
    assert [p for p in problems if p.severity == "warning"] == []
    (o,) = workspace.objectives
    target = RuleTarget(objective=o, counts=())
    assert target.alert_name == "ErrorBudgetBurn"  # Pyrra's, without alerting.name
    page, ticket = (next(t for t in o.alert_tiers if t.name == n) for n in ("page-1", "ticket-1"))
    labels = alert_labels(target, page)
    # team from pyrra.dev/team; slo = the object's name; job and env: the total's = matchers
    # (route is grouped, and =~ matchers are not labels); prometheus: k8s is not Pyrra's
    assert {k: labels[k] for k in ("team", "slo", "job", "env", "severity")} == {
        "team": "platform",
        "slo": "api-errors",
        "job": "api",
        "env": "prod",
        "severity": "critical",
    }
    assert "prometheus" not in labels
    assert "route" not in labels
    assert alert_labels(target, ticket)["severity"] == "warning"
    assert alert_annotations(target, page)["runbook"] == "https://runbooks/api-errors"
    notes = [
        n for n in file.imported.notes if n.field in ("metadata.labels", "metadata.annotations")
    ]
    assert [n.field for n in notes] == ["metadata.labels", "metadata.annotations"]
    assert notes[0].reason.startswith("prometheus: Kubernetes labels of the object")
    assert notes[1].reason.startswith("kubectl.kubernetes.io/last-applied-configuration:")


def test_alerting_name_names_the_alerts(tmp_path: Path) -> None:
    text = objective(alerting="  alerting:\n    name: APIErrorBudgetBurning\n")
    plan = planned(tmp_path, "pyrra", {"api.yaml": text})
    (file,) = plan.files
    workspace, _ = analyse_text(file.text, file="api.yaml")
    assert workspace is not None
    (o,) = workspace.objectives
    assert RuleTarget(objective=o, counts=()).alert_name == "APIErrorBudgetBurning"
    assert not [n for n in file.imported.notes if n.field == "spec.alerting.name"]


def test_the_version_alone_is_read_as_pyrras(tmp_path: Path) -> None:
    plan = planned(tmp_path, "pyrra", {"api.yaml": objective(api="v1alpha1")})
    assert plan.problems == []
    (file,) = plan.files
    assert file.imported.slos == ["api-errors"]
    (note,) = [n for n in file.imported.notes if n.field == "apiVersion"]
    assert "read as pyrra.dev/v1alpha1" in note.reason
    # the version alone with another tool's kind or no Pyrra spec is not taken for Pyrra's
    other = "apiVersion: v1alpha1\nkind: ServiceLevelObjective\nmetadata: {name: x}\nspec: {}\n"
    (tmp_path / "other").mkdir()
    refused = planned(tmp_path / "other", "pyrra", {"x.yaml": other})
    assert [p.code for p in refused.problems] == ["import-unrecognised"]


def test_a_bundle_skips_the_other_resources_a_lone_one_is_refused(tmp_path: Path) -> None:
    plan = planned(tmp_path, "pyrra", {"bundle.yaml": objective() + ROUTE})
    assert plan.problems == []
    (file,) = plan.files
    assert file.imported.slos == ["api-errors"]
    (skipped,) = [n for n in file.imported.notes if n.field == "kind"]
    assert skipped.where.endswith("bundle.yaml:24")  # the Route's kind
    assert skipped.reason.startswith("a Kubernetes Route (route.openshift.io/v1) in a bundle")
    (tmp_path / "alone").mkdir()
    alone = planned(tmp_path / "alone", "pyrra", {"route.yaml": ROUTE})
    assert [p.code for p in alone.problems] == ["import-unrecognised"]
    # an object of Pyrra's own API that is not one (a misspelt kind) is refused, not skipped
    typo = (
        objective()
        .replace("api-errors", "web-errors")
        .replace("kind: ServiceLevelObjective", "kind: ServiceLevelObjectve")
    )
    (tmp_path / "typo").mkdir()
    refused = planned(tmp_path / "typo", "pyrra", {"b.yaml": objective() + "---\n" + typo})
    assert [p.code for p in refused.problems] == ["import-unrecognised"]


SLOTH_K8S = """\
apiVersion: sloth.slok.dev/v1
kind: PrometheusServiceLevel
metadata: {name: api}
spec:
  service: api
  slos:
    - name: requests
      objective: 99.9
      sli:
        events:
          errorQuery: sum(rate(http_requests_total{code=~"5.."}[{{.window}}]))
          totalQuery: sum(rate(http_requests_total[{{.window}}]))
      alerting: {pageAlert: {disable: true}, ticketAlert: {disable: true}}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: api-dashboards}
data: {}
"""


def test_a_sloth_bundle_skips_the_other_resources(tmp_path: Path) -> None:
    plan = planned(tmp_path, "sloth", {"bundle.yaml": SLOTH_K8S})
    assert plan.problems == []
    (file,) = plan.files
    assert file.imported.slos == ["requests"]
    (skipped,) = [n for n in file.imported.notes if n.field == "kind"]
    assert "a Kubernetes ConfigMap (v1) in a bundle of Sloth" in skipped.reason
    typo = SLOTH_K8S.replace("kind: ConfigMap", "kind: PrometheusServiceLevl").replace(
        "apiVersion: v1\n", "apiVersion: sloth.slok.dev/v1\n"
    )
    (tmp_path / "typo").mkdir()
    refused = planned(tmp_path / "typo", "sloth", {"bundle.yaml": typo})
    assert [p.code for p in refused.problems] == ["import-unrecognised"]


def test_a_refused_files_notes_wait_for_its_problems(tmp_path: Path) -> None:
    source = tmp_path / "bad.yaml"
    bad = objective(api="pyrra.dev/v1alpha1").replace('target: "99.5"', 'target: "120"')
    source.write_text(objective() + "---\n" + bad.replace("api-errors", "web-errors"))
    result = CliRunner().invoke(app, ["import", "pyrra", str(source), "--into", str(tmp_path)])
    assert result.exit_code == 1, result.output
    lines = result.output.splitlines()
    assert any("target '120' is not a percentage in (0, 100)" in line for line in lines)
    assert any("note(s) not shown until the problems are fixed" in line for line in lines)
    assert not any(line.lstrip().startswith("note:") for line in lines)


def test_a_total_by_name_matcher_keeps_name_off_the_alerts(tmp_path: Path, promtool: str) -> None:
    """Pyrra's rules skip the ``__name__`` matcher; an alert label ``__name__`` is a rules file
    Prometheus refuses (``invalid label name``)."""
    text = objective().replace(
        'http_requests_total{job="api", route=~"/v1/.*", env="prod"}',
        '\'{__name__="http_requests_total", job="api", route=~"/v1/.*", env="prod"}\'',
    )
    plan = planned(tmp_path, "pyrra", {"api.yaml": text})
    assert plan.problems == []
    (file,) = plan.files
    workspace, _ = analyse_text(file.text, file="api.yaml")
    assert workspace is not None
    (o,) = workspace.objectives
    target = RuleTarget(objective=o, counts=())
    labels = alert_labels(target, o.alert_tiers[0])
    assert "__name__" not in labels
    assert (labels["job"], labels["env"]) == ("api", "prod")
    ws = tmp_path / "ws"
    ws.mkdir(exist_ok=True)
    (ws / "api.yaml").write_text(file.text, encoding="utf-8")
    rules = tmp_path / "rules.yaml"
    made = CliRunner().invoke(app, ["rules", "prometheus", "-w", str(ws), "--out", str(rules)])
    assert made.exit_code == 0, made.output
    checked = subprocess.run(
        [promtool, "check", "rules", str(rules)], capture_output=True, text=True, check=False
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr
