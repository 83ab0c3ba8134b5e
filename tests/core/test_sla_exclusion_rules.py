"""Exclusion rules docs/sla.md ("Exclusions") and docs/agreements.md state that the brute-force
reference (tests/core/sla_reference.py) found unwritten: the defaults of ``customerCaused`` and
``forceMajeure``, maintenance without ``maintenanceNotice``, flagged incidents of a severity
that is not counted, and exclusions on the components of a k-of-n commitment.

November 2026 in UTC: 2 592 000 s. Every figure is worked by hand in the comments.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from fractions import Fraction

from covenant.core.agreements import (
    AvailabilityCommitment,
    DowntimeSource,
    EligibleTime,
    Exclusions,
    Incident,
    MaintenanceWindow,
    Measurement,
    Remedies,
)
from covenant.core.availability import availability
from tests.core.test_contract_edges import AFTER, NOV, TIERS, az_outages, version

DAY10 = datetime(2026, 11, 10, tzinfo=UTC)
MONTH_S = 30 * 86400


def at(hour: int, minute: int = 0) -> datetime:
    return DAY10.replace(hour=hour, minute=minute)


def window(services: tuple[str, ...], start: datetime, end: datetime) -> MaintenanceWindow:
    # announced ten days ahead: enough for a 5-day notice
    return MaintenanceWindow(
        name="mw",
        services=services,
        start=start,
        end=end,
        announced_at=start - timedelta(days=10),
    )


def uptime(
    *,
    exclusions: Exclusions | None = None,
    components: tuple[str, ...] = (),
    k: int = 0,
    severities: frozenset[str] = frozenset(),
    eligible: EligibleTime = EligibleTime.PERIOD,
) -> AvailabilityCommitment:
    return AvailabilityCommitment(
        name="uptime",
        services=("api",),
        level=Fraction(999, 1000),
        measurement=Measurement(
            source=DowntimeSource.INCIDENTS,
            components=components,
            components_down=k,
            severities=severities,
        ),
        exclusions=exclusions or Exclusions(),
        eligible=eligible,
        remedies=Remedies(tiers=TIERS),
    )


def test_flagged_incidents_are_excluded_by_default_and_maintenance_never_without_a_notice() -> None:
    # No `exclusions` written: customerCaused and forceMajeure default to true, and without
    # maintenanceNotice no maintenance window is excluded, however early it was announced.
    c = uptime()
    incidents = [
        Incident(id="CC", services=("api",), start=at(1), end=at(2), customer_caused=True),
        Incident(id="FM", services=("api",), start=at(3), end=at(4), force_majeure=True),
    ]
    mw = window(("api",), at(6), at(7))
    r = availability(
        version(c), c, period_start=NOV, at=AFTER, incidents=incidents, maintenance=[mw]
    )
    # CC 1 h + FM 1 h excluded = 7 200 s; the window 06:00–07:00 is not excluded, and is not
    # downtime either (a maintenance window is not an incident): downtime 0
    assert r.excluded_s == 7200
    assert r.downtime_s == 0
    assert [e.reason for e in r.not_excluded] == [
        "planned maintenance: maintenance is not excluded by this agreement"
    ]
    # both flags switched off: the two incidents are 2 h = 7 200 s of downtime
    off = uptime(exclusions=Exclusions(customer_caused=False, force_majeure=False))
    r = availability(version(off), off, period_start=NOV, at=AFTER, incidents=incidents)
    assert (r.excluded_s, r.downtime_s) == (0, 7200)


def test_a_customer_caused_incident_of_an_uncounted_severity_still_excludes_its_time() -> None:
    # Only sev1 counts as downtime; a sev3 incident flagged customer-caused 01:00–03:00 is not
    # downtime, but its 2 h are still excluded: with period-less-exclusions they leave the
    # denominator, (2 592 000 − 7 200 − 3 600) / (2 592 000 − 7 200) for a sev1 hour 05–06.
    c = uptime(severities=frozenset({"sev1"}), eligible=EligibleTime.PERIOD_LESS_EXCLUSIONS)
    incidents = [
        Incident(
            id="CC",
            services=("api",),
            start=at(1),
            end=at(3),
            severity="sev3",
            customer_caused=True,
        ),
        Incident(id="S1", services=("api",), start=at(5), end=at(6), severity="sev1"),
    ]
    r = availability(version(c), c, period_start=NOV, at=AFTER, incidents=incidents)
    assert (r.excluded_s, r.downtime_s, r.eligible_s) == (7200, 3600, MONTH_S - 7200)
    assert r.level == Fraction(MONTH_S - 7200 - 3600, MONTH_S - 7200)


def test_k_of_n_exclusions_on_a_component_remove_the_time_from_the_region() -> None:
    # az_outages(): A az-a 10:00–11:00, B az-b 10:30–12:00, C az-c 11:30–11:45; two of three
    # down: 10:30–11:00 and 11:30–11:45 = 45 min.
    notice = Exclusions(maintenance_notice_s=5 * 86400)
    c = uptime(exclusions=notice, components=("az-a", "az-b", "az-c"), k=2)
    r = availability(version(c), c, period_start=NOV, at=AFTER, incidents=az_outages())
    assert r.downtime_s == 45 * 60
    # Announced maintenance on component az-b 10:00–11:00 is excluded as maintenance on the
    # commitment's own services is: 10:30–11:00 leaves the downtime, 11:30–11:45 stays (15 min).
    mw = window(("az-b",), at(10), at(11))
    r = availability(
        version(c), c, period_start=NOV, at=AFTER, incidents=az_outages(), maintenance=[mw]
    )
    assert (r.downtime_s, r.excluded_s) == (15 * 60, 3600)
    assert [e.reason for e in r.exclusions] == [
        "planned maintenance: announced 10 d ahead (notice 5 d)"
    ]
    # A customer-caused incident on component az-c 11:00–12:00 is excluded the same way: it
    # removes 11:30–11:45, and with the window nothing is left down.
    flagged = Incident(id="X", services=("az-c",), start=at(11), end=at(12), customer_caused=True)
    r = availability(
        version(c),
        c,
        period_start=NOV,
        at=AFTER,
        incidents=[*az_outages(), flagged],
        maintenance=[mw],
    )
    assert (r.downtime_s, r.excluded_s) == (0, 7200)
