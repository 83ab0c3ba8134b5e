"""The period in progress as an agreement reports it (``services.portal.recent_periods``: the
portal's and the agreement page's "this period" and statement links): its unit and its zone,
not the calendar month in UTC."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.engine import Engine

from covenant.definitions.workspace import analyse_text
from covenant.services.portal import recent_periods

WORKSPACE = """\
apiVersion: covenant/v1
kind: Customer
metadata: {name: acme}
spec: {currency: JPY}
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
      fees: {desk: "100000"}
      period: {unit: quarter, timeZone: Asia/Tokyo}
      signatories: [{name: A, signedAt: 2025-12-01}]
      support:
        - name: desk
          targets:
            P1: {firstResponse: 30m, resolution: 4h}
"""


def test_the_period_is_the_agreements_quarter_in_its_zone(engine: Engine) -> None:
    ws, problems = analyse_text(WORKSPACE)
    assert ws is not None, problems
    # 31 December 2026 16:00 UTC is 1 January 2027 01:00 in Tokyo (UTC+9): the first quarter
    # of 2027 has begun there, though it is still December in UTC
    at = datetime(2026, 12, 31, 16, 0, tzinfo=UTC)
    assert recent_periods(engine, workspace=ws, customer="acme", at=at) == [
        "2027-Q1",
        "2026-Q4",
        "2026-Q3",
    ]
    # 14:59 UTC is 23:59 on 31 December in Tokyo: still the fourth quarter of 2026
    before = datetime(2026, 12, 31, 14, 59, tzinfo=UTC)
    assert recent_periods(engine, workspace=ws, customer="acme", at=before, count=1) == ["2026-Q4"]
    assert recent_periods(engine, workspace=ws, customer="nobody", at=at) == []
