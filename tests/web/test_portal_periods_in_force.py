"""The portal lists only statements there are: an agreement in force since 1 May 2027 has, on
15 June 2027, the statements of June (so far) and May — not April's, which the portal listed
(the period in progress and the two before, always) and whose link answered `404: there is
no statement for 2027-04 — choose one of the periods listed`."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

from covenant.api.app import create_app
from covenant.config import Settings, sqlite_url
from covenant.services.agreements import sync_agreements
from covenant.services.store import open_store
from covenant.services.tokens import create_token
from covenant.services.workspace import load_workspace
from tests.web.pages import Browser

AT = datetime(2027, 6, 15, tzinfo=UTC)

WORKSPACE = """\
apiVersion: openslo/v1
kind: Service
metadata: {name: api}
spec: {}
---
apiVersion: covenant/v1
kind: Customer
metadata: {name: acme, displayName: ACME Corp}
spec: {currency: EUR}
---
apiVersion: covenant/v1
kind: Agreement
metadata: {name: acme-sla}
spec:
  customer: acme
  versions:
    - version: 1
      status: active
      effectiveFrom: 2027-05-01
      signatories: [{name: Jo, role: CTO, signedAt: 2027-04-20}]
      fees: {api: "1000.00"}
      period: {unit: month, timeZone: UTC}
      availability:
        - name: api-uptime
          services: [api]
          level: 99.5
          measurement: {source: incidents, recordsFrom: 2027-05-01}
          credits: [{below: 99.5, credit: 10}]
"""

LISTED = re.compile(r'href="/ui/portal/statements/([0-9]{4}-[0-9]{2})"')


def test_the_portal_lists_only_the_periods_an_agreement_was_in_force(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    ws.mkdir()
    (ws / "acme.yaml").write_text(WORKSPACE, encoding="utf-8")
    settings = Settings(workspace=ws, database_url=sqlite_url(ws))
    engine = open_store(settings.database_url)
    sync_agreements(engine, workspace=load_workspace(ws), at=AT, actor="test")
    token = create_token(
        engine,
        role="customer",
        customer="acme",
        expires_at=datetime(2028, 1, 1, tzinfo=UTC),
        at=AT,
        customers=("acme",),
    ).text
    engine.dispose()
    browser = Browser(create_app(settings, clock=lambda: AT))
    browser.sign_in_token(token)
    page = browser.get("/ui/portal")
    assert page.status_code == 200, page.text
    assert LISTED.findall(page.text) == ["2027-06", "2027-05"]
    for period in ("2027-06", "2027-05"):
        assert browser.get(f"/ui/portal/statements/{period}").status_code == 200, period
    assert browser.get("/ui/portal/statements/2027-04").status_code == 404
