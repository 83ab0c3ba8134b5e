"""The statements due and not issued: per customer, the reporting periods of its binding
agreements that have ended (in the last :data:`LOOKBACK`) without a revision issued for them —
``/metrics``'s ``covenant_statement_periods_unissued`` and
``covenant_statement_unissued_oldest_end_timestamp_seconds``, so an operator can alert on a
statement not issued some days after its period ended (docs/worker.md "Metrics").

A period is a customer's statement period as ``covenant report sla -p`` names it (``2026-11``,
``2026-Q4``, in the agreement's zone); it counts when one of the customer's binding versions
was in force during part of it and it has ended for each of them that has it (its latest end).
Computed from the store and the workspace alone (with the tick, or at the scrape when no
published page is served): every process serves the same samples.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.engine import Engine

from covenant.core.agreements import is_binding, version_spans
from covenant.core.availability import period_containing
from covenant.core.backtest import period_label
from covenant.core.timeutil import require_utc
from covenant.definitions.workspace import Workspace
from covenant.render.metrics_statements import UnissuedStatements
from covenant.store.agreements import termination_times
from covenant.store.issued_statements import issued_periods

LOOKBACK = timedelta(days=366)
"""Periods that ended longer ago than this are not counted: a year of monthly statements (12)
or quarterly ones (4) at most, so a store with years of history before statements were issued
does not count them for ever."""


def unissued_statements(
    engine: Engine, *, workspace: Workspace, now: datetime
) -> tuple[UnissuedStatements, ...]:
    """Per customer with a binding agreement (sorted by name; 0 when every closed period is
    issued), its periods that ended in the ``LOOKBACK`` before ``now`` and were not issued at
    or before ``now``."""
    from covenant.services.agreements import with_recorded_agreements  # noqa: PLC0415

    now = require_utc(now)
    since = now - LOOKBACK
    binding = [v for v in with_recorded_agreements(engine, workspace).agreements if is_binding(v)]
    if not binding:
        return ()
    with engine.connect() as conn:
        terminated = termination_times(conn, names=sorted({v.agreement for v in binding}))
        issued = issued_periods(conn, at=now)
    ends: dict[str, dict[str, datetime]] = {v.customer: {} for v in binding}
    for version, lo, hi in version_spans(binding, start=since, end=now, terminated=terminated):
        instant = lo
        while instant < hi:
            start, end = period_containing(version, instant)
            label = period_label(version, start)
            known = ends[version.customer].get(label)
            ends[version.customer][label] = end if known is None else max(known, end)
            instant = end
    found = []
    for customer in sorted(ends):
        due = [
            end
            for label, end in ends[customer].items()
            if since < end <= now and (customer, label) not in issued
        ]
        found.append(
            UnissuedStatements(
                customer=customer, periods=len(due), oldest_end=min(due) if due else None
            )
        )
    return tuple(found)
