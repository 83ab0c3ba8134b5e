"""The name of an SLO's objective, as docs/definitions.md ("Resolution into the model") says.

The conformance hunt found the page saying a single objective is named by its
``displayName`` while the code names it ``""``. The code is the one every surface agrees on:
the objective's key (``slo``), the evaluate output's ``objective``, the ``sloth_slo`` label,
the alert and rule names all come from the name, and changing it would rename the series and
alerts of existing stores. The page now says what the code does; this pins it.
"""

from __future__ import annotations

from covenant.core.alert_rules import alert_name, sloth_ids
from covenant.core.model import Objective
from tests.definitions.helpers import errors, load_text

HEAD = """\
apiVersion: openslo/v1
kind: Service
metadata: {name: shop}
spec: {}
---
apiVersion: openslo/v1
kind: SLI
metadata: {name: ok-requests}
spec:
  ratioMetric:
    counter: true
    good: {metricSource: {type: events, spec: {}}}
    total: {metricSource: {type: events, spec: {}}}
---
apiVersion: openslo/v1
kind: SLO
metadata: {name: checkout}
spec:
  service: shop
  budgetingMethod: Occurrences
  timeWindow: [{duration: 28d, isRolling: true}]
"""


def objectives(text: str) -> list[Objective]:
    workspace, problems = load_text(HEAD + text)
    assert errors(problems) == []
    assert workspace is not None
    return sorted(workspace.objectives, key=lambda o: o.key)


def test_a_single_objective_is_unnamed_even_with_a_display_name() -> None:
    (o,) = objectives(
        "  indicatorRef: ok-requests\n  objectives: [{displayName: Fast, target: 0.99}]\n"
    )
    assert (o.name, o.display_name, o.key) == ("", "Fast", "checkout")
    assert sloth_ids(o) == {
        "sloth_id": "shop-checkout",
        "sloth_service": "shop",
        "sloth_slo": "checkout",
    }
    assert alert_name(o) == "CheckoutBurnRate"


def test_two_objectives_are_named_by_display_name_else_index() -> None:
    found = objectives(
        "  indicatorRef: ok-requests\n"
        "  objectives:\n"
        "    - {displayName: Fast, target: 0.99}\n"
        "    - {target: 0.9}\n"
    )
    assert [(o.name, o.display_name, o.key) for o in found] == [
        ("Fast", "Fast", "checkout/Fast"),
        ("obj-1", "", "checkout/obj-1"),
    ]
    assert sloth_ids(found[0])["sloth_slo"] == "checkout-fast"


def test_a_single_component_of_a_composite_is_named() -> None:
    """An objective with its own indicator is a component of the SLO's composite, evaluated on
    its own under ``slo/<displayName or obj-i>`` beside the composite's ``slo``."""
    (o,) = objectives(
        "  objectives:\n    - {displayName: Fast, target: 0.99, indicatorRef: ok-requests}\n"
    )
    assert (o.name, o.key) == ("Fast", "checkout/Fast")
