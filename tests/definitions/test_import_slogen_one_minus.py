"""slo-generator ``query_sli`` written as one minus the error ratio.

``1 - (sum(rate(bad[window])) / sum(rate(valid[window])))`` is the share of good events that
slo-generator's Prometheus backend takes as the SLI, read as two counts: the numerator is the
bad events and the denominator all of them (1 - bad / valid = good / valid). Before, it was
left out as "a ratio Covenant cannot split into two counts"; Sloth's raw ``1 - good / total``
was already split. The fixture is written here; expected queries by hand.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from covenant.services.importing import ImportPlan, plan_import

SLO = """\
apiVersion: sre.google.com/v2
kind: ServiceLevelObjective
metadata:
  name: cart-availability
  labels: {{service_name: cart}}
spec:
  backend: prometheus
  method: query_sli
  service_level_indicator:
    expression: >
      {expression}
  goal: 0.999
"""


def planned(tmp_path: Path, expression: str) -> ImportPlan:
    source = tmp_path / "cart.yaml"
    source.write_text(SLO.format(expression=expression), encoding="utf-8")
    return plan_import("slo-generator", [source], into=tmp_path / "ws")


def ratio(plan: ImportPlan) -> dict[str, Any]:
    (slo,) = [d for f in plan.files for d in f.imported.documents if d["kind"] == "SLO"]
    found: dict[str, Any] = slo["spec"]["indicator"]["spec"]["ratioMetric"]
    return found


BAD = 'sum(increase(cart_requests_total{code=~"5.."}[{{.window}}]))'
ALL = "sum(increase(cart_requests_total[{{.window}}]))"


@pytest.mark.parametrize(
    "expression",
    [
        '1 - (sum(rate(cart_requests_total{code=~"5.."}[window])) / '
        "sum(rate(cart_requests_total[window])))",
        '1 - sum(rate(cart_requests_total{code=~"5.."}[window])) / '
        "sum(rate(cart_requests_total[window]))",
    ],
)
def test_one_minus_an_error_ratio_is_imported_as_bad_and_total(
    tmp_path: Path, expression: str
) -> None:
    plan = planned(tmp_path, expression)
    assert plan.problems == []
    found = ratio(plan)
    assert set(found) == {"counter", "bad", "total"}
    assert found["bad"]["metricSource"]["spec"]["query"] == BAD
    assert found["total"]["metricSource"]["spec"]["query"] == ALL
    notes = [n.reason for f in plan.files for n in f.imported.notes]
    assert any("1 minus" in n and "bad events" in n for n in notes)


def test_one_minus_a_ratio_that_is_no_share_is_still_left_out(tmp_path: Path) -> None:
    # the numerator matches code="500", the denominator code="200": no share of it
    plan = planned(
        tmp_path,
        '1 - (sum(rate(cart_requests_total{code="500"}[window])) / '
        'sum(rate(cart_requests_total{code="200"}[window])))',
    )
    (file,) = plan.files
    assert file.imported.slos == []
    (note,) = [n for n in file.imported.notes if n.skipped]
    assert "count different series" in note.reason
