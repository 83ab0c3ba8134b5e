"""A Kubernetes ``List`` of the tool's objects (``kubectl get … -o yaml``) is read item by item.

``kubectl get servicelevelobjectives -o yaml`` (and a ``PrometheusServiceLevelList``) writes one
document, ``kind: List`` (or ``<Kind>List``), holding the objects under ``items``; ``kubectl
apply`` takes it as those objects. The importers refused it as "a Kubernetes List", so an export
of a cluster's SLOs could not be imported without cutting it up by hand.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from covenant.services.importing import plan_import

PYRRA_LIST = """\
apiVersion: v1
kind: List
metadata:
  resourceVersion: ""
items:
- apiVersion: pyrra.dev/v1alpha1
  kind: ServiceLevelObjective
  metadata:
    creationTimestamp: "2023-01-01T00:00:00Z"
    generation: 1
    name: api-errors
    namespace: monitoring
    resourceVersion: "123"
    uid: 0b6c6a4e-0000-0000-0000-000000000000
  spec:
    target: "99"
    window: 2w
    indicator:
      ratio:
        errors:
          metric: http_requests_total{job="api",code=~"5.."}
        total:
          metric: http_requests_total{job="api"}
- apiVersion: pyrra.dev/v1alpha1
  kind: ServiceLevelObjective
  metadata:
    name: api-latency
    namespace: monitoring
  spec:
    target: "99.5"
    window: 4w
    indicator:
      latency:
        success:
          metric: http_request_duration_seconds_bucket{job="api",le="0.5"}
        total:
          metric: http_request_duration_seconds_count{job="api"}
"""

SLOTH_LIST = """\
apiVersion: sloth.slok.dev/v1
kind: PrometheusServiceLevelList
metadata: {resourceVersion: ""}
items:
- apiVersion: sloth.slok.dev/v1
  kind: PrometheusServiceLevel
  metadata: {name: shop, namespace: monitoring}
  spec:
    service: shop
    slos:
    - name: availability
      objective: 99.9
      sli:
        events:
          errorQuery: sum(rate(x_total{code="500"}[{{.window}}]))
          totalQuery: sum(rate(x_total[{{.window}}]))
      alerting: {pageAlert: {disable: true}, ticketAlert: {disable: true}}
"""


def test_a_list_of_pyrra_objects_imports_each(tmp_path: Path) -> None:
    source = tmp_path / "slos.yaml"
    source.write_text(PYRRA_LIST, encoding="utf-8")
    plan = plan_import("pyrra", [source], into=tmp_path / "ws")
    assert plan.problems == []
    (planned,) = plan.files
    assert _slos(planned.imported.documents) == ["api-errors", "api-latency"]
    # each item's notes point at its own lines: the namespaces are on lines 12 and 28
    wheres = {n.where for n in planned.imported.notes if n.field == "metadata.namespace"}
    assert wheres == {f"{source}:12", f"{source}:28"}


def test_a_prometheus_service_level_list_imports_each(tmp_path: Path) -> None:
    source = tmp_path / "slos.yaml"
    source.write_text(SLOTH_LIST, encoding="utf-8")
    plan = plan_import("sloth", [source], into=tmp_path / "ws")
    assert plan.problems == []
    (planned,) = plan.files
    assert _slos(planned.imported.documents) == ["availability"]


def _slos(documents: list[dict[str, Any]]) -> list[str]:
    return [d["metadata"]["name"] for d in documents if d["kind"] == "SLO"]
