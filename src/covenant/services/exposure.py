"""Forecast and exposure: the current period of every agreement in force, projected to its end
and priced — per commitment, per customer and across the portfolio (reads, never writes).

The model lives in ``core.forecast``; this module gathers its inputs from the store: the
current period evaluated up to ``at``, and the same commitment evaluated on the previous
periods (the service's history under today's terms).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

import numpy as np
from sqlalchemy import Connection, Engine

from covenant.core.agreements import (
    AgreementVersion,
    AvailabilityCommitment,
    DowntimeSource,
    Incident,
    MaintenanceWindow,
    is_binding,
    version_spans,
)
from covenant.core.availability import availability, period_containing
from covenant.core.forecast import (
    CommitmentExposure,
    Exposure,
    PastPeriod,
    commitment_exposure,
    episode_lengths,
    portfolio,
)
from covenant.core.series import BucketMatrix
from covenant.core.timeutil import from_epoch, require_utc, to_epoch
from covenant.definitions.workspace import Workspace
from covenant.errors import InputError
from covenant.services.sla import availability_inputs
from covenant.store.agreements import termination_times

HISTORY_PERIODS = 6
"""How many previous periods the forecast learns from (fewer when the store holds fewer)."""


def exposure(
    engine: Engine, *, workspace: Workspace, at: datetime, history_periods: int = HISTORY_PERIODS
) -> Exposure:
    """Every binding agreement version in force at ``at``: its current period's forecast."""
    at = require_utc(at, what="--at")
    if history_periods < 0:
        raise InputError("history_periods must be >= 0")
    names = {c.name: c.display_name or c.name for c in workspace.customers}
    binding = [v for v in workspace.agreements if is_binding(v)]
    agreements = sorted({v.agreement for v in binding})
    results: list[CommitmentExposure] = []
    with engine.connect() as conn:
        terminated = termination_times(conn, names=agreements)
        for agreement in agreements:
            siblings = [v for v in binding if v.agreement == agreement]
            now = version_spans(
                siblings, start=at, end=at + timedelta(seconds=1), terminated=terminated
            )
            for version, _, _ in now:
                start, end = period_containing(version, at)
                in_force = next(
                    (lo, hi)
                    for v, lo, hi in version_spans(
                        siblings, start=start, end=end, terminated=terminated
                    )
                    if v is version
                )
                since = min(v.effective_from for v in siblings)
                results.extend(
                    _version_exposure(
                        conn,
                        workspace=workspace,
                        version=version,
                        at=at,
                        in_force=in_force,
                        history_periods=history_periods,
                        records_since=since,
                    )
                )
    return portfolio(at=at, commitments=results, names=names)


def _version_exposure(
    conn: Connection,
    *,
    workspace: Workspace,
    version: AgreementVersion,
    at: datetime,
    in_force: tuple[datetime, datetime],
    history_periods: int,
    records_since: datetime,
) -> list[CommitmentExposure]:
    start, end = period_containing(version, at)
    past: list[tuple[datetime, datetime]] = []
    cursor = start
    for _ in range(history_periods):
        cursor, period_end = period_containing(version, cursor - timedelta(seconds=1))
        past.append((cursor, period_end))
    first = past[-1][0] if past else start
    out = []
    for commitment in version.availability:
        incidents, maintenance, data = availability_inputs(
            conn, workspace=workspace, version=version, commitment=commitment, start=first, end=end
        )
        so_far = availability(
            version,
            commitment,
            period_start=start,
            at=at,
            incidents=incidents,
            maintenance=maintenance,
            data=data,
            in_force=in_force,
        )
        history, notes = past_periods(
            version,
            commitment,
            periods=past,
            incidents=incidents,
            maintenance=maintenance,
            data=data,
            records_since=records_since,
        )
        out.append(
            commitment_exposure(
                version,
                commitment,
                so_far=so_far,
                at=at,
                history=history,
                in_force=in_force,
                notes=notes,
            )
        )
    return out


def past_periods(
    version: AgreementVersion,
    commitment: AvailabilityCommitment,
    *,
    periods: Sequence[tuple[datetime, datetime]],
    incidents: Sequence[Incident],
    maintenance: Sequence[MaintenanceWindow],
    data: BucketMatrix | None,
    records_since: datetime,
) -> tuple[list[PastPeriod], tuple[str, ...]]:
    """``commitment`` measured on each of ``periods`` that the records cover, with a note on
    the periods left out.

    Interval-measured commitments are covered from the first bucket with requests; incident
    measured ones from the start of the agreement (the incident log is taken to be complete
    since the contract began, as its evidence must be).
    """
    horizon = records_since
    if commitment.measurement.source is not DowntimeSource.INCIDENTS:
        if data is None or commitment.measurement.series not in data.keys:
            return [], ("no bucket data on record for the history",)
        busy = np.flatnonzero(data.total[data.row(commitment.measurement.series)] > 0)
        if not busy.size:
            return [], ("no bucket data on record for the history",)
        horizon = from_epoch(data.start + int(busy[0]) * data.step)
    history = []
    for start, end in periods:
        if start < horizon:
            continue
        result = availability(
            version,
            commitment,
            period_start=start,
            at=end,
            incidents=incidents,
            maintenance=maintenance,
            data=data,
            in_force=(start, end),
        )
        if result.level is None or result.eligible_s == 0:
            continue
        spans = [(to_epoch(e.start), to_epoch(e.end)) for e in result.down]
        history.append(
            PastPeriod(start=start, eligible_s=result.eligible_s, episodes=episode_lengths(spans))
        )
    notes: tuple[str, ...] = ()
    if len(history) < len(periods):
        notes = (
            f"history: {len(history)} of the {len(periods)} previous periods are on record "
            f"(records from {horizon.date().isoformat()})",
        )
    return history, notes
