"""A covenant/v1 document's schema problems no longer hide its own checks either.

``definitions.partial`` ran the checks of an OpenSLO document (SLO, SLI, AlertPolicy,
AlertCondition) on its valid parts beside its schema errors; an Agreement, Calendar or
MaintenanceWindow with one refused field was left out of the contracts, and with it every check
relating its fields (amendment reasons, version dates, calendar change order, a window ending
before it starts) until the field was fixed. Now one ``validate`` says them all, each once.

The expected problems are read off the documents below, line by line.
"""

from __future__ import annotations

import pytest

from covenant.definitions import documents
from tests.definitions.helpers import errors
from tests.definitions.test_agreements import (
    CALENDAR,
    CUSTOMER,
    MAINTENANCE,
    V1,
    V2,
    agreement,
    line,
    load,
)

V1_ENDS_BEFORE = V1.replace(
    "      effectiveFrom: 2026-01-01\n",
    "      effectiveFrom: 2026-01-01\n      effectiveTo: 2025-06-01\n",
)
V2_NO_REASON_FORTNIGHT = V2.replace("      reason: raise checkout to 99.95 %\n", "").replace(
    "unit: quarter", "unit: fortnight"
)
CALENDAR_BAD = CALENDAR.replace("timeZone: Europe/Berlin", "timeZone: Europe/Berlinn").replace(
    "    - effectiveFrom: 2027-01-01\n",
    "    - effectiveFrom: 2027-01-01\n      weekly: {mon: '09:00-17:00'}\n"
    "    - effectiveFrom: 2026-06-01\n",
)
MAINTENANCE_BAD = MAINTENANCE.replace(
    "end: 2026-03-07T04:00:00+01:00", "end: 2026-03-07T01:00:00+01:00"
).replace("services: [checkout]", "services: checkout")
TEXT = "---\n".join(
    [CUSTOMER, CALENDAR_BAD, MAINTENANCE_BAD, agreement(V1_ENDS_BEFORE + V2_NO_REASON_FORTNIGHT)]
)


def where(needle: str, start: int = 1) -> str:
    return f"ws.yaml:{line(TEXT, needle, start)}"


def said(problems: list) -> list[tuple[str, str, str]]:
    return sorted((p.code, p.where, p.field) for p in errors(problems))


def test_every_problem_of_a_covenant_v1_document_at_once() -> None:
    _, problems = load(TEXT)
    agreement_at = line(TEXT, "kind: Agreement")
    v2_at = line(TEXT, "- version: 2", agreement_at)
    assert said(problems) == sorted(
        [
            # Calendar: its zone refused, and its changes out of date order
            ("invalid-time-zone", where("timeZone: Europe/Berlinn"), "spec.timeZone"),
            (
                "invalid-calendar",
                where("- effectiveFrom: 2026-06-01"),
                "spec.changes[1].effectiveFrom",
            ),
            # MaintenanceWindow: services not a list, and it ends before it starts
            ("invalid-type", where("services: checkout"), "spec.services"),
            ("invalid-maintenance", where("end: 2026-03-07T01"), "spec.end"),
            # Agreement: v2's period unit refused, v2 has no reason, v1 ends before it starts
            (
                "invalid-value",
                where("unit: fortnight", v2_at),
                "spec.versions[1].period.unit",
            ),
            ("missing-field", where("- version: 2", agreement_at), "spec.versions[1].reason"),
            (
                "invalid-effective-dates",
                where("effectiveTo: 2025-06-01"),
                "spec.versions[0].effectiveTo",
            ),
        ]
    )


def test_an_invalid_name_alone_is_checked_once() -> None:
    """An Agreement whose only schema problem is its name is checked by the contracts, as
    before (its checks are not run twice)."""
    text = "---\n".join([CUSTOMER, CALENDAR, agreement(V1_ENDS_BEFORE + V2)]).replace(
        "name: acme-sla", "name: ACME-sla"
    )
    _, problems = load(text)
    assert sorted(p.code for p in errors(problems)) == [
        "invalid-effective-dates",
        "invalid-name",
    ]


def test_a_check_that_reads_a_refused_field_says_nothing_more() -> None:
    """v2's refused ``period`` stands in as a valid one: nothing is said of it twice, and no
    problem is made up at or under it."""
    _, problems = load(TEXT)
    assert [p.field for p in problems if (p.field or "").startswith("spec.versions[1].period")] == [
        "spec.versions[1].period.unit"
    ]


def test_a_check_raising_on_a_stand_in_hides_no_other_check(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A check misled by a stand-in value (here: made to raise) says nothing, but the other
    checks of the document still run: the SLO's objective check is kept though its
    extensions' check raised."""
    text = """\
apiVersion: openslo/v1
kind: SLO
metadata: {name: web-slo}
spec:
  service: web
  indicatorRef: avail
  budgetingMethod: Timeslices
  timeWindow: [{duration: 28d, isRolling: true}]
  objectives:
    - displayName: fast
      target: 1.5
    - displayName: slow
      target: 0.9
      timeSliceTarget: 0.9
      timeSliceWindow: 1m
"""

    def raising(*_: object) -> list:
        raise ValueError("misled by a stand-in")

    monkeypatch.setattr(documents.checks, "check_slo_extensions", raising)
    from covenant.definitions.workspace import analyse_text  # noqa: PLC0415

    _, problems = analyse_text(text, file="ws.yaml")
    fields = {(p.code, p.field) for p in errors(problems)}
    assert ("target-out-of-range", "spec.objectives[0].target") in fields
    # objective 0 (target refused) is Timeslices without timeSliceWindow: its own check
    assert any(f == "spec.objectives[0].timeSliceWindow" for _, f in fields), fields


@pytest.mark.parametrize(
    ("written", "refused", "field"),
    [
        # a stand-in mapping of fees has no fee for the services: not "no fee for checkout"
        (
            '      fees: {checkout: "1200.00", search: 300.10}\n',
            "      fees: abc\n",
            "spec.versions[0].fees",
        ),
        # a stand-in service "x" has no fee either: not "no fee for x"
        (
            "          services: [search]\n",
            "          services: [1]\n",
            "spec.versions[0].availability[1].services[0]",
        ),
        # the source stood in for (incidents) ignores slo and interval: not said of it
        (
            "            source: bad-intervals\n",
            "            source: abc\n",
            "spec.versions[0].availability[0].measurement.source",
        ),
        # a tier's bound stood in for is not compared with the other tiers
        (
            "            - {below: 99.9, atLeast: 99.0, credit: 10}\n",
            "            - {below: 99.9, atLeast: abc, credit: 10}\n",
            "spec.versions[0].availability[0].credits[0].atLeast",
        ),
    ],
)
def test_a_refused_field_makes_up_no_problem_of_the_others(
    written: str, refused: str, field: str
) -> None:
    full = "---\n".join([CUSTOMER, CALENDAR, MAINTENANCE, agreement(V1 + V2)])
    assert errors(load(full)[1]) == []
    assert written in full
    _, problems = load(full.replace(written, refused, 1))
    assert [p.field for p in problems] == [field]


CORRECTION = """\
apiVersion: covenant/v1
kind: Correction
metadata: {name: failover}
spec:
  slos: [no-such-slo]
  start: 2026-01-04T02:00:00Z
  end: 2026-01-04T01:00:00Z
  count: 0
  reason: failover
  author: jane
"""


def test_a_correction_says_its_dates_beside_its_schema_error() -> None:
    """``count: 0`` refused, and the end before the start: both at once. Its SLO reference
    waits until it is valid (it is checked against the workspace's SLOs then)."""
    from covenant.definitions.workspace import analyse_text  # noqa: PLC0415

    _, problems = analyse_text(CORRECTION, file="ws.yaml")
    assert said(problems) == [
        ("invalid-correction", "ws.yaml:7", "spec.end"),
        ("invalid-value", "ws.yaml:8", "spec.count"),
    ]


def test_a_refused_start_makes_up_no_end_before_it() -> None:
    from covenant.definitions.workspace import analyse_text  # noqa: PLC0415

    # the start's stand-in (2020-01-01) is after this end: not "end is not after start"
    text = (
        CORRECTION.replace("  count: 0\n", "")
        .replace("start: 2026-01-04T02:00:00Z", "start: abc")
        .replace("end: 2026-01-04T01:00:00Z", "end: 2019-01-04T01:00:00Z")
    )
    _, problems = analyse_text(text, file="ws.yaml")
    assert [p.field for p in errors(problems) if p.code != "missing-reference"] == ["spec.start"]


def test_a_refused_version_date_or_number_makes_up_no_order_problem() -> None:
    for written, refused in (
        ("      effectiveFrom: 2026-07-01\n", "      effectiveFrom: abc\n"),
        ("    - version: 2\n", "    - version: two\n"),
        ("      status: signed\n", "      status: sined\n"),
    ):
        full = "---\n".join([CUSTOMER, CALENDAR, MAINTENANCE, agreement(V1 + V2)])
        assert written in full
        _, problems = load(full.replace(written, refused, 1))
        assert len(problems) == 1, (refused, [(p.code, p.field) for p in problems])
