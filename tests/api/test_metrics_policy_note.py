"""``/metrics`` counts the slices a good/bad no-data policy filled, per SLO window and burn window.

Months after the demo's events (the app's clock at ``LATER``) payments-availability (Timeslices,
1-minute slices over 30 days, ``noDataPolicy: good``) has no event in any slice: every counted
slice is filled by the policy. The numbers are counted by hand from the windows and the weekly
correction (tests/web/test_policy_note_page.py explains them), not read from the engine.
storefront-availability (RatioTimeslices, ``noDataPolicy: skip``) fills none: 0 for its SLO
window, and no sample for burn windows that have no rate. Occurrences objectives have none.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

from covenant.api.app import create_app
from covenant.services.workspace import load_workspace
from tests.api.support import Client, Shop, make_shop
from tests.events_fed import events_fed
from tests.web.test_policy_note_page import BURN_SLICES, LATER, LEFT

SLO = "covenant_slo_window_no_data_policy_slices"
BURN = "covenant_slo_burn_window_no_data_policy_slices"


@pytest.fixture(scope="module")
def later_shop(tmp_path_factory: pytest.TempPathFactory) -> Shop:
    shop = make_shop(Path(tmp_path_factory.mktemp("metrics-policy")))
    # fed by events: silence the events said, which the policy counts (a Prometheus SLI no
    # read has reached is "not read from Prometheus yet" instead)
    events_fed(shop.workspace, "payments-availability")
    return shop


def test_the_policy_filled_slices_are_counted_per_window(later_shop: Shop) -> None:
    app = create_app(later_shop.settings, clock=lambda: LATER)
    answer = Client(app).get("/metrics", later_shop.tokens["viewer"])
    assert answer.status_code == 200, answer.text
    helps = {}
    found: dict[tuple[str, str, str | None], float] = {}
    for family in text_string_to_metric_families(answer.text):
        helps[family.name] = family.documentation
        for s in family.samples:
            if s.name in (SLO, BURN):
                found[(s.name, s.labels["objective"], s.labels.get("window"))] = s.value
    assert "noDataPolicy" in helps[SLO]
    assert "noDataPolicy" in helps[BURN]
    payments = "payments-availability"
    assert found[(SLO, payments, None)] == LEFT  # the page shows corrected (effective) figures
    for span, count in BURN_SLICES.items():
        assert found[(BURN, payments, span)] == count, span
    assert found[(SLO, "storefront-availability", None)] == 0
    slice_objectives = {
        o.key
        for o in load_workspace(later_shop.workspace).objectives
        if o.method.value != "Occurrences"
    }
    assert {key for _, key, _ in found} == slice_objectives == {payments, "storefront-availability"}
    assert not [k for k in found if k[0] == BURN and k[1] == "storefront-availability"]
