"""An alert name Prometheus refuses is said at the source's ``alerting.name``.

Prometheus takes an alert name of letters, digits, ``_`` and ``:`` (not starting with a digit);
a real Pyrra objective names its alert ``test-missing-latency-native``. The importers kept it in
the alert-routing annotation they wrote, and ``covenant validate`` then warned about the
annotation ("write it as covenant import sloth does") — a file the import itself had just
written. The name is now left out of the annotation and noted at ``alerting.name`` with why.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from covenant.services.importing import plan_import

PYRRA = """\
apiVersion: pyrra.dev/v1alpha1
kind: ServiceLevelObjective
metadata: {name: api, namespace: monitoring}
spec:
  target: "99"
  window: 4w
  indicator:
    ratio:
      errors: {metric: 'x_total{code="500"}'}
      total: {metric: x_total}
  alerting:
    name: api-error-budget
"""

SLOTH = """\
version: prometheus/v1
service: shop
slos:
  - name: availability
    objective: 99.9
    sli:
      events:
        error_query: sum(rate(x_total{code="500"}[{{.window}}]))
        total_query: sum(rate(x_total[{{.window}}]))
    alerting:
      name: shop-availability
      labels: {team: shop}
"""


@pytest.mark.parametrize(
    ("tool", "text", "field", "name"),
    [
        ("pyrra", PYRRA, "spec.alerting.name", "api-error-budget"),
        ("sloth", SLOTH, "slos[0].alerting.name", "shop-availability"),
    ],
)
def test_an_invalid_alert_name_is_noted_at_the_source(
    tmp_path: Path, tool: str, text: str, field: str, name: str
) -> None:
    source = tmp_path / "slo.yaml"
    source.write_text(text, encoding="utf-8")
    plan = plan_import(tool, [source], into=tmp_path / "ws")
    assert plan.problems == []
    assert [w.code for w in plan.warnings] == []
    (note,) = [n for f in plan.files for n in f.imported.notes if n.field == field]
    assert "not a Prometheus alert name" in note.reason
    written = "".join(t for _, t in plan.writes)
    assert f'"name":"{name}"' not in written
