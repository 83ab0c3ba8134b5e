"""A Pyrra objective whose indicator is written under another key.

Pyrra's Go type names the field ``ServiceLevelIndicator`` and tags it ``json:"indicator"``;
the CRD's schema holds ``indicator`` only, so Kubernetes drops ``serviceLevelIndicator`` and
then refuses the object (``indicator`` is required). Seen in a public write-up's example
(``spec.serviceLevelIndicator.prometheus: {errorQuery, totalQuery}``): the refusal said only
"indicator needs exactly one of …", not that the block was there under another name.
"""

from __future__ import annotations

from pathlib import Path

from tests.definitions.test_import_found_shapes import planned

OBJECTIVE = """\
apiVersion: pyrra.dev/v1alpha1
kind: ServiceLevelObjective
metadata: {{name: orders, namespace: shop}}
spec:
  target: "99.9"
  window: 30d
  {key}:
    ratio:
      errors:
        metric: http_requests_total{{job="orders",code=~"5.."}}
      total:
        metric: http_requests_total{{job="orders"}}
"""


def test_an_indicator_under_its_go_field_name_is_named(tmp_path: Path) -> None:
    for index, key in enumerate(("serviceLevelIndicator", "indicators")):
        plan = planned(tmp_path / str(index), "pyrra", {"p.yaml": OBJECTIVE.format(key=key)})
        (problem,) = plan.problems
        assert problem.code == "import-missing-field"
        assert problem.field == f"spec.{key}"
        assert problem.where.endswith("p.yaml:7")
        assert problem.message == (
            f"indicator is missing: {key} is not a field of a Pyrra objective (Kubernetes "
            "drops it and refuses the object without indicator)"
        )
        assert problem.fix == (
            f"rename {key} to indicator, holding one of ratio, latency, latencyNative, bool_gauge"
        )


def test_no_indicator_at_all_keeps_its_message(tmp_path: Path) -> None:
    text = OBJECTIVE.format(key="labels").replace("    ratio:", "    x:")
    plan = planned(tmp_path, "pyrra", {"p.yaml": text})
    (problem,) = plan.problems
    assert problem.field == "spec.indicator"
    assert problem.message == (
        "indicator needs exactly one of ratio, latency, latencyNative, bool_gauge"
    )
