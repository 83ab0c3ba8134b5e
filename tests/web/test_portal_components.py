"""A customer's list of incidents includes the component services of its k-of-n commitments
(docs/sla.md, "k of n"): the incidents behind its region downtime; never another customer's."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from covenant.core.agreements import Incident
from covenant.services.agreements import sync_agreements
from covenant.services.store import open_store
from covenant.services.workspace import load_workspace
from covenant.store.records import save_incidents
from tests.api.support import AT, Shop, make_shop
from tests.web.pages import Browser
from tests.web.served import add_users

REGION = """\
---
apiVersion: covenant/v1
kind: Agreement
metadata:
  name: initech-region
spec:
  customer: initech
  versions:
    - version: 1
      status: active
      effectiveFrom: 2026-01-01
      fees: {storefront: "100.00"}
      period: {unit: month, timeZone: UTC}
      signatories: [{name: Bill Lumbergh, signedAt: 2025-12-20}]
      availability:
        - name: region
          services: [storefront]
          level: 99.9
          measurement: {source: incidents, components: [edge-a, edge-b], atLeastDown: 2,
                        recordsFrom: 2026-01-01}
          credits: [{below: 99.9, credit: 10}]
"""
# on a component only (no agreement names edge-a among its services or fees), for everyone
ON_COMPONENT = Incident(
    id="INC-EDGE-1",
    services=("edge-a",),
    start=datetime(2026, 11, 10, 8, 0, tzinfo=UTC),
    end=datetime(2026, 11, 10, 9, 0, tzinfo=UTC),
    severity="sev2",
)


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Shop]:
    made = make_shop(tmp_path_factory.mktemp("web-components"))
    add_users(made)
    with (made.workspace / "contracts.yaml").open("a", encoding="utf-8") as out:
        out.write(REGION)
    engine = open_store(made.settings.database_url)
    sync_agreements(engine, workspace=load_workspace(made.workspace), at=AT, actor="test")
    with engine.begin() as conn:
        save_incidents(conn, incidents=[ON_COMPONENT], at=AT)
    engine.dispose()
    return made


def _ids(shop: Shop, role: str) -> set[str]:
    answer = shop.client.get("/api/v1/incidents?start=2026-11-01T00:00:00Z", shop.tokens[role])
    assert answer.status_code == 200, answer.text
    return {i["id"] for i in answer.json()["items"]}


def test_the_component_incident_is_listed_for_its_customer_only(shop: Shop) -> None:
    assert "INC-EDGE-1" in _ids(shop, "customer:initech")
    assert "INC-EDGE-1" not in _ids(shop, "customer:globex")  # not Globex's component
    assert "INC-EDGE-1" in _ids(shop, "viewer")


def test_the_agreement_page_lists_the_component_incident(shop: Shop) -> None:
    browser = Browser(shop.client.app)
    browser.sign_in("vic")
    page = browser.get("/ui/agreements/initech-region")
    assert page.status_code == 200
    assert "INC-EDGE-1" in page.text
    assert "INC-EDGE-1" not in browser.get("/ui/agreements/globex-enterprise").text
