"""``covenant_agreements`` on ``/metrics`` over HTTP: the stored agreements per status of the
version in force, as ``covenant agreements list`` and ``GET /agreements?status=`` name it
(``none``: none in force; ``tampered``: the store disagrees with the agreement's history).

By hand: the shop stores two agreements, globex-enterprise and initech-standard, each with one
version, active at the app's instant (2026-11-20). Changing initech's stored version behind
Covenant's back (its status set to ``draft`` in the table) makes it disagree with its
hash-chained history: 1 active, 1 tampered. Every status is on the page, 0 when none; and the
rest of the page is still served — every SLO objective's figures — where a tampered agreement
used to make the whole scrape a ``409 agreement-tampered``.
"""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from prometheus_client.parser import text_string_to_metric_families

from covenant.services.store import open_store
from covenant.services.worker import Worker
from covenant.services.worker_loop import WorkerLoop
from covenant.services.workspace import load_workspace
from tests.api.support import AT, Shop, make_shop

STATUSES = ("draft", "proposed", "signed", "active", "superseded", "expired", "terminated")
# examples/shop/slos.yaml: seven SLOs of one objective each, and the composite shopping-journey
# (its own objective and one per component: storefront, checkout)
SHOP_OBJECTIVES = {
    "checkout-availability",
    "checkout-latency",
    "checkout-monthly",
    "payments-availability",
    "search-availability",
    "storefront-availability",
    "support-response",
    "shopping-journey",
    "shopping-journey/storefront",
    "shopping-journey/checkout",
}
NONE = dict.fromkeys((*STATUSES, "none", "tampered"), 0.0)


def _counts(shop: Shop) -> dict[str, float]:
    answer = shop.client.get("/metrics", shop.tokens["viewer"])
    assert answer.status_code == 200, answer.text
    found = {}
    for family in text_string_to_metric_families(answer.text):
        for s in family.samples:
            if s.name == "covenant_agreements":
                assert set(s.labels) == {"status"}  # bounded: nothing per agreement
                found[s.labels["status"]] = s.value
    return found


def _objectives(shop: Shop) -> set[str]:
    """The objectives with a target on the page (an SLO's figures, whatever its agreements)."""
    answer = shop.client.get("/metrics", shop.tokens["viewer"])
    return {
        s.labels["objective"]
        for family in text_string_to_metric_families(answer.text)
        for s in family.samples
        if s.name == "covenant_slo_objective_ratio"
    }


def test_the_agreements_per_status_and_a_tampered_one(tmp_path: Path) -> None:
    shop = make_shop(tmp_path)
    assert _counts(shop) == NONE | {"active": 2.0}
    objectives = _objectives(shop)
    assert objectives == SHOP_OBJECTIVES

    engine = open_store(shop.settings.database_url)
    try:
        with engine.begin() as conn:
            changed = conn.execute(
                sa.text(
                    "UPDATE agreement_versions SET status = 'draft' WHERE content LIKE '%initech%'"
                )
            )
            assert changed.rowcount == 1
        assert _counts(shop) == NONE | {"active": 1.0, "tampered": 1.0}  # at the scrape
        # the SLOs' figures are still served (a tampered agreement used to fail the scrape, 409)
        assert _objectives(shop) == objectives

        workspace = load_workspace(shop.workspace)
        loop = WorkerLoop(Worker(engine), workspace=lambda: workspace, clock=lambda: AT)
        assert loop.run_once() is not None
    finally:
        engine.dispose()
    answer = shop.client.get("/metrics", shop.tokens["viewer"])
    assert "covenant_metrics_snapshot_age_seconds 0.0" in answer.text  # the tick's page
    assert _counts(shop) == NONE | {"active": 1.0, "tampered": 1.0}
    assert _objectives(shop) == objectives
