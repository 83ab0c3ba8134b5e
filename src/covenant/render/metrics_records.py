"""``/metrics``: incident records open now, per agreement commitment, and series set aside
because their SLI's query changed, per DataSource and SLO (``services.metrics_records``).

``covenant_open_incidents`` has a sample for every availability commitment of every binding
agreement version in force (0 when no incident is open), so a series does not come and go:
``covenant_open_incidents > 0`` is an incident under way on a commitment's services.
``covenant_source_series_set_aside`` (and ``…_days``, the days they hold) has a sample for
every SLO a DataSource fills (0 when none), and one without labels for the series whose key
no SLO reads any more.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from covenant.render.prom_text import Family, pairs


@dataclass(frozen=True, slots=True, kw_only=True)
class OpenIncidents:
    """The incident records open at the instant on one commitment of an agreement."""

    agreement: str
    customer: str
    commitment: str
    count: int


@dataclass(frozen=True, slots=True, kw_only=True)
class AsideCount:
    """The series set aside of one SLO and DataSource (both "" for keys no SLO reads now)."""

    source: str
    slo: str
    series: int
    days: int


def record_families(
    incidents: Sequence[OpenIncidents], aside: Sequence[AsideCount]
) -> Iterator[Family]:
    """The families (nothing when there is nothing to count: no commitment, no source); labels
    in name order, as prometheus_client writes them (tests/api/test_metrics.py)."""
    if incidents:
        family = Family(
            "covenant_open_incidents",
            "Incident records open now (started, not ended) on the commitment's services, for "
            "the agreement's customer or every customer.",
        )
        for i in sorted(incidents, key=lambda i: (i.agreement, i.commitment, i.customer)):
            labels = pairs(
                ("agreement", "commitment", "customer"), (i.agreement, i.commitment, i.customer)
            )
            family.add(labels, float(i.count))
        yield family
    if aside:
        series = Family(
            "covenant_source_series_set_aside",
            "Series set aside because the SLI's query changed: kept, not evaluated "
            "(covenant db prune deletes them).",
        )
        days = Family(
            "covenant_source_series_set_aside_days",
            "UTC days of counts the series set aside hold.",
        )
        for a in sorted(aside, key=lambda a: (a.source, a.slo)):
            labels = pairs(("slo", "source"), (a.slo, a.source)) if a.source or a.slo else ""
            series.add(labels, float(a.series))
            days.add(labels, float(a.days))
        yield from (series, days)
