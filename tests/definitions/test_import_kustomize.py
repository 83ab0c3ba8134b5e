"""A Kustomize folder imports: its ``kustomization.yaml`` holds no SLO and is not refused.

pyrra-dev/pyrra's ``examples/kustomize-generator`` is a folder of two files, the objective
(``krm.yaml``) and ``kustomization.yaml`` naming it as a generator. ``covenant import pyrra``
of that folder refused the kustomization as "not a Pyrra ServiceLevelObjective", and, writing
all or nothing, wrote nothing at all. A Kustomization only lists files: like Sloth's
AlertWindows catalog it is "nothing to import", and the objectives beside it are imported.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from covenant.services.importing import plan_import

KUSTOMIZATION = """\
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization

generators:
  - krm.yaml
"""
KRM = """\
apiVersion: pyrra.dev/v1alpha1
kind: ServiceLevelObjective
metadata:
  name: pyrra-kubernetes-errors
  namespace: monitoring
spec:
  target: "99"
  window: 1w
  indicator:
    ratio:
      errors:
        metric: controller_runtime_reconcile_total{controller="slo",result="error"}
      total:
        metric: controller_runtime_reconcile_total{controller="slo"}
"""
SLOTH = """\
version: "prometheus/v1"
service: api
slos:
  - name: availability
    objective: 99.9
    sli:
      events:
        error_query: sum(rate(e_total[{{.window}}]))
        total_query: sum(rate(t_total[{{.window}}]))
    alerting:
      page_alert: {disable: true}
      ticket_alert: {disable: true}
"""


@pytest.mark.parametrize(
    ("tool", "objects", "slo"),
    [("pyrra", KRM, "pyrra-kubernetes-errors"), ("sloth", SLOTH, "availability")],
)
def test_a_kustomize_folder_imports_its_objects(
    tmp_path: Path, tool: str, objects: str, slo: str
) -> None:
    folder = tmp_path / "kustomize-generator"
    folder.mkdir()
    (folder / "kustomization.yaml").write_text(KUSTOMIZATION, encoding="utf-8")
    (folder / "krm.yaml").write_text(objects, encoding="utf-8")
    plan = plan_import(tool, [folder], into=tmp_path / "ws")
    assert plan.problems == []
    by_name = {Path(f.imported.source).name: f.imported for f in plan.files}
    assert by_name["krm.yaml"].slos == [slo]
    kustomization = by_name["kustomization.yaml"]
    assert kustomization.slos == []
    assert kustomization.reason.startswith("a Kustomize Kustomization lists files and holds no SLO")
