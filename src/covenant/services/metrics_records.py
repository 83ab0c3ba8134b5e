"""The records ``/metrics`` counts beside the evaluations (``render.metrics_records``): the
incident records open at an instant, per commitment of the agreements in force, and the series
set aside because their SLI's query changed, per DataSource and SLO.

Both are read from the store and the workspace alone, with the worker's tick (published with
its page) or, with no page to serve, at the scrape — so every process serves the same samples.

An incident is open at ``at`` when it started at or before it and has not ended by it (no end,
or an end after ``at``); it counts toward an availability commitment of a binding agreement
version in force at ``at`` when it is on one of the commitment's services and for the
agreement's customer (or for every customer) — whatever its severity or exclusion flags (a
statement decides what counts as downtime; an operator wants to see what is under way).

A series set aside (``store.aside_series``) counts toward the DataSource and the SLOs whose
reads fill its key now (one series of a key read by two SLOs counts under each); a key no SLO
reads any more counts under a sample without labels.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from covenant.core.agreements import in_force_at, is_binding
from covenant.core.timeutil import require_utc
from covenant.render.metrics_records import AsideCount, OpenIncidents
from covenant.services.agreements import with_recorded_agreements
from covenant.store.agreements import termination_times
from covenant.store.aside_series import aside_series
from covenant.store.records import load_incidents

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection, Engine

    from covenant.definitions.workspace import Workspace


def open_incidents(
    engine: Engine, *, workspace: Workspace, at: datetime
) -> tuple[OpenIncidents, ...]:
    """Per availability commitment of every binding version in force at ``at``: the incident
    records open at ``at`` that it covers (see the module docstring)."""
    at = require_utc(at)
    workspace = with_recorded_agreements(engine, workspace)
    binding = [v for v in workspace.agreements if v.availability and is_binding(v)]
    if not binding:
        return ()
    names = sorted({v.agreement for v in binding})
    with engine.connect() as conn:
        terminated = termination_times(conn, names=names)
        # open at ``at``: started before the next microsecond, not ended by ``at``
        found = load_incidents(conn, start=at, end=at + timedelta(microseconds=1))
    found = [i for i in found if i.end is None or i.end > at]
    counted: dict[tuple[str, str], OpenIncidents] = {}
    for name in names:
        siblings = [v for v in binding if v.agreement == name]
        # in the second before an amendment takes effect ``in_force_at`` gives the version in
        # force and the next one, in that order: the first wins, one series per commitment
        # (as the live ticket timers and the portal take its first version)
        for version in in_force_at(siblings, at, terminated=terminated):
            for commitment in version.availability:
                if (name, commitment.name) in counted:
                    continue
                services = set(commitment.services)
                count = sum(
                    1
                    for i in found
                    if not services.isdisjoint(i.services)
                    and (not i.customers or version.customer in i.customers)
                )
                counted[name, commitment.name] = OpenIncidents(
                    agreement=name,
                    customer=version.customer,
                    commitment=commitment.name,
                    count=count,
                )
    return tuple(counted.values())


def set_aside(conn: Connection, *, workspace: Workspace) -> tuple[AsideCount, ...]:
    """The series set aside per DataSource and SLO of the workspace's reads (every pair, 0
    when none), and those of keys no SLO reads now (labelled neither; only when there are)."""
    reads = workspace.prometheus.reads if workspace.prometheus else ()
    owners: dict[str, set[tuple[str, str]]] = {}
    for r in reads:
        owners.setdefault(r.series, set()).update((r.source.name, slo) for slo in r.slos)
    series: Counter[tuple[str, str]] = Counter()
    days: Counter[tuple[str, str]] = Counter()
    pairs = {pair for found in owners.values() for pair in found}
    for s in aside_series(conn):
        for pair in owners.get(s.key) or {("", "")}:
            series[pair] += 1
            days[pair] += s.days
            pairs.add(pair)
    return tuple(
        AsideCount(source=source, slo=slo, series=series[(source, slo)], days=days[(source, slo)])
        for source, slo in sorted(pairs)
    )
