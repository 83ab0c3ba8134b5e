"""``covenant_open_incidents`` names each commitment of an agreement once, also in the second
before an amendment takes effect — when ``in_force_at`` (over the second that starts at the
instant) gives the version in force and the next one: the version in force at the instant is
counted, the next one is not yet."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy.engine import Engine

from covenant.core.agreements import Incident
from covenant.definitions.workspace import analyse_text
from covenant.services.metrics_records import open_incidents
from covenant.store.db import write_transaction
from covenant.store.records import save_incidents

TEXT = """\
apiVersion: covenant/v1
kind: Customer
metadata: {name: acme}
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
      effectiveFrom: 2026-01-01
      fees: {api: "1000.00"}
      period: {unit: month, timeZone: UTC}
      signatories: [{name: A, signedAt: 2025-12-01}]
      availability:
        - {name: api-uptime, services: [api], level: 99.9, measurement: {source: incidents}}
    - version: 2
      status: signed
      effectiveFrom: 2026-07-01
      reason: a higher level
      fees: {api: "1000.00"}
      period: {unit: month, timeZone: UTC}
      signatories: [{name: A, signedAt: 2026-06-01}]
      availability:
        - {name: api-uptime, services: [api], level: 99.95, measurement: {source: incidents}}
"""
V2_FROM = datetime(2026, 7, 1, tzinfo=UTC)


def test_each_commitment_is_counted_once_just_before_an_amendment(engine: Engine) -> None:
    ws, problems = analyse_text(TEXT)
    assert ws is not None, problems
    at = V2_FROM - timedelta(milliseconds=500)
    with write_transaction(engine) as conn:
        incident = Incident(id="I1", services=("api",), start=at - timedelta(hours=1), end=None)
        save_incidents(conn, incidents=[incident], at=at)
    found = open_incidents(engine, workspace=ws, at=at)
    assert [(o.agreement, o.customer, o.commitment, o.count) for o in found] == [
        ("acme-sla", "acme", "api-uptime", 1)
    ]
    # at the instant v2 takes effect, and a second before: one series all the same
    for moment in (V2_FROM, V2_FROM - timedelta(seconds=1)):
        assert len(open_incidents(engine, workspace=ws, at=moment)) == 1
