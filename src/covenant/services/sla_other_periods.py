"""The agreements a statement leaves out because they report per another period form.

A customer may have a monthly and a quarterly agreement. The statement of a month holds the
monthly ones; a quarterly one in force during that month is named with the quarter whose
statement holds it, and a quarter's statement names each monthly agreement in force in it with
its months (docs/sla.md, "Agreements measured per another period"). Nothing is left out
silently.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import Connection

from covenant.core.agreements import AgreementVersion, PeriodUnit, version_spans
from covenant.core.availability import period_containing
from covenant.core.statement import NotIncluded
from covenant.core.wallclock import first_instant
from covenant.definitions.workspace import Workspace
from covenant.store.agreements import termination_times


def version_periods(
    versions: Sequence[AgreementVersion],
    *,
    year: int,
    month: int,
    terminated: Mapping[tuple[str, int], datetime],
) -> list[tuple[AgreementVersion, tuple[datetime, datetime], tuple[datetime, datetime]]]:
    """For each version: its reporting period (in its own zone) and the part of it the version
    was in force. Versions of one agreement never overlap (``core.agreements.version_spans``)."""
    out = []
    for version in versions:
        local_start = datetime(year, month, 1)  # noqa: DTZ001 - wall-clock time in the zone
        period = period_containing(version, first_instant(local_start, ZoneInfo(version.zone)))
        siblings = [v for v in versions if v.agreement == version.agreement]
        for v, lo, hi in version_spans(
            siblings, start=period[0], end=period[1], terminated=terminated
        ):
            if v is version:
                out.append((version, period, (lo, hi)))
    return out


def _month_span(version: AgreementVersion, year: int, month: int) -> tuple[datetime, datetime]:
    """The calendar month in ``version``'s zone, as UTC instants."""
    zone = ZoneInfo(version.zone)
    after = (year + month // 12, month % 12 + 1)
    return (
        first_instant(datetime(year, month, 1), zone),  # noqa: DTZ001 - wall-clock time in zone
        first_instant(datetime(*after, 1), zone),  # noqa: DTZ001 - wall-clock time in zone
    )


def not_included(
    conn: Connection,
    *,
    workspace: Workspace,
    others: Sequence[AgreementVersion],
    year: int,
    month: int,
    unit: PeriodUnit,
) -> tuple[NotIncluded, ...]:
    """``others`` (binding versions of the customer reporting per the other period form) that
    were in force during the period asked for (``year``, ``month``, ``unit``), each with the
    periods of its own form that hold its figures."""
    if not others:
        return ()
    terminated = termination_times(conn, names=sorted({v.agreement for v in others}))
    found: dict[str, list[str]] = {}
    if unit is PeriodUnit.MONTH:  # quarterly agreements: the quarter holding this month
        first = (month - 1) // 3 * 3 + 1
        for version, _, (lo, hi) in version_periods(
            others, year=year, month=first, terminated=terminated
        ):
            start, end = _month_span(version, year, month)
            if lo < end and hi > start and lo < hi:
                label = f"{year}-Q{(month - 1) // 3 + 1}"
                found.setdefault(version.agreement, []).append(label)
    else:  # monthly agreements: each month of the quarter in which one was in force
        for m in range(month, month + 3):
            for version, _, (lo, hi) in version_periods(
                others, year=year, month=m, terminated=terminated
            ):
                if lo < hi:
                    found.setdefault(version.agreement, []).append(f"{year}-{m:02d}")
    labels = {label.name: label.display_name for label in workspace.labels}
    other = PeriodUnit.QUARTER if unit is PeriodUnit.MONTH else PeriodUnit.MONTH
    return tuple(
        NotIncluded(
            agreement=name,
            display_name=labels.get(name) or name,
            reports_per=other.value,
            periods=tuple(dict.fromkeys(periods)),
        )
        for name, periods in sorted(found.items())
    )
