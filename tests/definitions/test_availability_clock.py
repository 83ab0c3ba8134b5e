"""Availability is measured around the clock, and a `recordsFrom` date is midnight in the
period's zone (docs/agreements.md "Meaning, field by field"; docs/sla.md "Availability").

A contract that measures availability only in business hours cannot be written: a
`calendar` on an availability commitment is refused with why and what to do, never
"remove it" (which would silently measure 24×7 what the contract measures in office hours).
"""

from __future__ import annotations

from datetime import UTC, datetime

from tests.definitions.helpers import errors, load_text

AGREEMENT = """\
apiVersion: covenant/v1
kind: Customer
metadata: {name: acme}
spec: {currency: EUR}
---
apiVersion: covenant/v1
kind: Calendar
metadata: {name: office}
spec:
  timeZone: Europe/Berlin
  weekly: {mon: "09:00-17:00"}
---
apiVersion: covenant/v1
kind: Agreement
metadata: {name: acme-sla}
spec:
  customer: acme
  versions:
    - version: 1
      status: draft
      effectiveFrom: 2026-01-01
      fees: {api: "100.00"}
      period: {unit: month, timeZone: America/New_York}
      availability:
        - name: up
          services: [api]
          level: 99.9
EXTRA          measurement: {source: incidents, recordsFrom: 2026-07-01}
          credits:
            - {below: 99.9, credit: 10}
"""


def test_a_calendar_on_an_availability_commitment_says_business_hours_are_not_supported() -> None:
    _, problems = load_text(AGREEMENT.replace("EXTRA", "          calendar: office\n"))
    (problem,) = errors(problems)
    assert problem.code == "unknown-field"
    assert problem.field == "spec.versions[0].availability[0].calendar"
    assert "24×7" in problem.fix
    assert "not supported" in problem.fix
    assert "support commitments" in problem.fix
    assert "remove it;" not in problem.fix


def test_records_from_written_as_a_date_is_midnight_in_the_periods_zone() -> None:
    workspace, problems = load_text(AGREEMENT.replace("EXTRA", ""))
    assert not errors(problems)
    assert workspace is not None
    (version,) = workspace.agreements
    # 1 July 2026 00:00 in New York (EDT, UTC−4) is 04:00 UTC
    assert version.availability[0].measurement.records_from == datetime(2026, 7, 1, 4, tzinfo=UTC)
