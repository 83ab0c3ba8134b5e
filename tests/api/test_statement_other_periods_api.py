"""The statement route names the agreements of another period form it leaves out
(docs/sla.md, "Agreements measured per another period"): Globex has its monthly
globex-enterprise and, from 1 October 2026, a quarterly globex-search; November's statement
holds the monthly one and says the quarterly one is in 2026-Q4's, for staff and for Globex."""

from __future__ import annotations

import shutil

import pytest

from covenant.api.app import create_app
from covenant.config import Settings, sqlite_url
from covenant.services.agreements import sync_agreements
from covenant.services.demo import run_demo
from covenant.services.store import open_store
from covenant.services.workspace import load_workspace
from tests.api.support import AT, CUSTOMERS, Client, role_tokens
from tests.conftest import ROOT

QUARTERLY = """\
apiVersion: covenant/v1
kind: Agreement
metadata: {name: globex-search, displayName: Globex search plan}
spec:
  customer: globex
  versions:
    - version: 1
      status: active
      effectiveFrom: 2026-10-01
      fees: {search: "300.00"}
      period: {unit: quarter, timeZone: Europe/Berlin}
      signatories: [{name: Hank Scorpio, signedAt: 2026-09-01}]
      availability:
        - name: search-uptime
          services: [search]
          level: 99.5
          measurement: {source: incidents, recordsFrom: 2020-01-01}
          credits:
            - {below: 99.5, credit: 10}
"""


@pytest.fixture(scope="module")
def client_tokens(tmp_path_factory: pytest.TempPathFactory) -> tuple[Client, dict[str, str]]:
    folder = tmp_path_factory.mktemp("other-periods")
    shop = folder / "shop"
    shutil.copytree(ROOT / "examples" / "shop", shop, ignore=shutil.ignore_patterns(".covenant"))
    (shop / "quarterly.yaml").write_text(QUARTERLY)
    settings = Settings(workspace=shop, database_url=sqlite_url(shop))
    run_demo(settings, at=AT, days=62)
    engine = open_store(settings.database_url)
    sync_agreements(engine, workspace=load_workspace(shop), at=AT, actor="test")
    tokens = role_tokens(engine, customers=CUSTOMERS)
    engine.dispose()
    return Client(create_app(settings, clock=lambda: AT)), tokens


@pytest.mark.parametrize("role", ["admin", "customer:globex"])
def test_the_months_statement_names_the_quarterly_agreement(
    client_tokens: tuple[Client, dict[str, str]], role: str
) -> None:
    client, tokens = client_tokens
    answer = client.get("/api/v1/customers/globex/statements/2026-11", tokens[role])
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert [a["agreement"] for a in body["agreements"]] == ["globex-enterprise"]
    assert body["not_included"] == [
        {"agreement": "globex-search", "reports_per": "quarter", "periods": ["2026-Q4"]}
    ]
    page = client.get(
        "/api/v1/customers/globex/statements/2026-11", tokens[role], params={"format": "html"}
    )
    assert page.status_code == 200, page.text
    assert (
        "Globex search plan is measured per quarter: its figures are not in this statement but "
        "in the statement for Q4 2026." in page.text
    )
