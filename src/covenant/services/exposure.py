"""Forecast and exposure: the current period of every agreement in force, projected to its end
and priced — per commitment, per customer and across the portfolio (reads, never writes).

The model lives in ``core.forecast_model`` and ``core.forecast``; this module gathers its
inputs from the store: the current period evaluated up to ``at`` (and up to where its data
ends, when that is well before ``at``), and the same commitment evaluated on the previous
periods that the records cover (the service's history under today's terms).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime, timedelta

import numpy as np
from sqlalchemy import Connection, Engine

from covenant.core.agreements import (
    AgreementVersion,
    AvailabilityCommitment,
    DowntimeSource,
    Incident,
    MaintenanceWindow,
    in_force_at,
    is_binding,
    version_spans,
)
from covenant.core.availability import availability, period_containing
from covenant.core.downtime import run_margin
from covenant.core.elapsed import up_to_now
from covenant.core.forecast import CommitmentExposure, commitment_exposure
from covenant.core.forecast_cap import cap_exposures, in_force_share
from covenant.core.forecast_model import PastPeriod, data_end, episode_lengths, is_stale
from covenant.core.forecast_portfolio import Exposure, portfolio
from covenant.core.forecast_support import SupportExposure
from covenant.core.series import BucketMatrix
from covenant.core.timeutil import from_epoch, require_utc, to_epoch, utc_text
from covenant.definitions.workspace import Workspace
from covenant.errors import InputError
from covenant.services.agreements import with_recorded_agreements
from covenant.services.exposure_support import support_exposures
from covenant.services.recorded_definitions import with_recorded_definitions
from covenant.services.sla import availability_inputs, record_coverage
from covenant.services.sla import first_incident as first_incident_on_record
from covenant.services.sla_clocks import calendar_clocks
from covenant.store.agreements import termination_times

HISTORY_PERIODS = 6
"""How many previous periods the forecast learns from (fewer when the store holds fewer)."""
LOCKED_IN_NOTE = (
    "owed now: the credit at the level the period ends with if every interval not on record "
    "yet has no errors (mean-error-rate has no forecast; its credit cannot fall below this)"
)


def exposure(
    engine: Engine,
    *,
    workspace: Workspace,
    at: datetime,
    history_periods: int = HISTORY_PERIODS,
    now: datetime | None = None,
    support: bool = True,
) -> Exposure:
    """Every binding agreement version in force at ``at``: its current period's forecast.

    ``now`` is the clock: for an ``at`` after it, the period containing ``at`` is measured up
    to ``now`` only and forecast from there, and its history is the periods that ended by
    then (None: ``at`` is taken as having happened). ``support=False`` leaves the support
    penalties out (not measured at all: the worker's forecasts read none of them)."""
    at = require_utc(at, what="--at")
    until = up_to_now(at, now)
    if history_periods < 0:
        raise InputError("history_periods must be >= 0")
    workspace = with_recorded_agreements(engine, workspace)  # signed over the API: counts now
    workspace = with_recorded_definitions(engine, workspace)  # maintenance over the API
    names = {c.name: c.display_name or c.name for c in workspace.customers}
    binding = [v for v in workspace.agreements if is_binding(v)]
    agreements = sorted({v.agreement for v in binding})
    results: list[CommitmentExposure] = []
    penalties: list[SupportExposure] = []
    clock_for = calendar_clocks(workspace)
    with engine.connect() as conn:
        terminated = termination_times(conn, names=agreements)
        for agreement in agreements:
            siblings = [v for v in binding if v.agreement == agreement]
            for version in in_force_at(siblings, at, terminated=terminated):
                start, end = period_containing(version, at)
                in_force = next(
                    (lo, hi)
                    for v, lo, hi in version_spans(
                        siblings, start=start, end=end, terminated=terminated
                    )
                    if v is version
                )
                results.extend(
                    _version_exposure(
                        conn,
                        workspace=workspace,
                        version=version,
                        at=at,
                        until=until,
                        in_force=in_force,
                        history_periods=history_periods,
                    )
                )
                if not support:
                    continue
                penalties.extend(
                    support_exposures(
                        conn,
                        version=version,
                        siblings=siblings,
                        at=at,
                        until=until,
                        terminated=terminated,
                        clock_for=clock_for,
                    )
                )
    found = portfolio(at=at, commitments=results, names=names, support=penalties)
    return replace(found, measured_until=until)


def _version_exposure(
    conn: Connection,
    *,
    workspace: Workspace,
    version: AgreementVersion,
    at: datetime,
    until: datetime,
    in_force: tuple[datetime, datetime],
    history_periods: int,
) -> list[CommitmentExposure]:
    """The forecast of ``version``'s period containing ``at``, measured up to ``until`` (now,
    for an ``at`` after now) and learnt from the ``history_periods`` that ended by ``until``."""
    start, end = period_containing(version, at)
    past: list[tuple[datetime, datetime]] = []
    cursor = min(start, period_containing(version, until)[0])  # periods that have ended
    for _ in range(history_periods):
        cursor, period_end = period_containing(version, cursor - timedelta(seconds=1))
        past.append((cursor, period_end))
    first = past[-1][0] if past else start
    at = until  # from here on: what has happened
    out = []
    for commitment in version.availability:
        incidents, maintenance, data = availability_inputs(
            conn, workspace=workspace, version=version, commitment=commitment, start=first, end=end
        )
        covered, why = record_coverage(conn, version=version, commitment=commitment, at=at)
        so_far = availability(
            version,
            commitment,
            period_start=start,
            at=at,
            incidents=incidents,
            maintenance=maintenance,
            data=data,
            in_force=in_force,
            covered=covered,
            uncovered_reason=why,
        )
        if so_far.level is None and at < so_far.eligible_start:  # the period is after now
            so_far = replace(
                so_far,
                no_data=f"it starts at {utc_text(so_far.eligible_start)}, after now "
                f"({utc_text(at)}): none of it has happened yet",
            )
        first_incident = None
        if commitment.measurement.source is DowntimeSource.INCIDENTS:
            # the records start where the agreement says (recordsFrom), as for a statement
            first_incident = commitment.measurement.records_from or first_incident_on_record(
                conn, version, commitment, at
            )
        history, notes = past_periods(
            version,
            commitment,
            periods=past,
            incidents=incidents,
            maintenance=maintenance,
            data=data,
            until=until,
            first_incident=first_incident,
        )
        known = None
        ends = data_end(data, commitment.measurement.series, at)
        if (
            commitment.measurement.source is DowntimeSource.BAD_INTERVALS
            and ends is not None
            and is_stale(ends, at, commitment.measurement.interval_s)
        ):
            known = availability(
                version,
                commitment,
                period_start=start,
                at=max(ends, start),
                incidents=incidents,
                maintenance=maintenance,
                data=data,
                in_force=in_force,
                covered=covered,
                uncovered_reason=why,
            )
        found = commitment_exposure(
            version,
            commitment,
            so_far=so_far,
            at=at,
            history=history,
            in_force=in_force,
            notes=notes,
            known=known,
            data_end=None if known is None else ends,
        )
        if commitment.measurement.source is DowntimeSource.MEAN_ERROR_RATE:
            # no forecast, but a credit the period cannot go below: every interval not on
            # record yet without errors (the gap before the records start stays out)
            locked = availability(
                version,
                commitment,
                period_start=start,
                at=end,
                incidents=incidents,
                maintenance=maintenance,
                data=data,
                in_force=in_force,
                covered=(covered[0], max(covered[1], end)),
                uncovered_reason=why,
            )
            if so_far.level is not None and locked.level is not None and locked.credit:
                found = replace(
                    found,
                    owed_now=locked.credit.amount,
                    owed_now_percent=locked.credit.percent,
                    notes=(*found.notes, LOCKED_IN_NOTE),
                )
        out.append(found)
    # the agreement-wide cap, across the version's commitments, as ``report sla`` applies it
    return cap_exposures(version, out, share=in_force_share((start, end), in_force))


def past_periods(
    version: AgreementVersion,
    commitment: AvailabilityCommitment,
    *,
    periods: Sequence[tuple[datetime, datetime]],
    incidents: Sequence[Incident],
    maintenance: Sequence[MaintenanceWindow],
    data: BucketMatrix | None,
    until: datetime,
    first_incident: datetime | None = None,
) -> tuple[list[PastPeriod], tuple[str, ...]]:
    """``commitment`` measured on each of ``periods`` that the records cover, with a note on
    the periods left out; each as known at ``until`` (now), up to ``minimumRun − interval``
    after its end, so a run across the end counts as in a statement.

    The records cover a period when it starts at or after the first record: the first bucket
    with requests of the commitment's series (interval-measured), or ``first_incident``, the
    measurement's ``recordsFrom`` or else the start of the first incident ever recorded on its
    services (incident-measured) — months before any record are unknown, not clean. With no
    record at all there is no history.
    """
    if commitment.measurement.source is DowntimeSource.INCIDENTS:
        if first_incident is None:
            services = ", ".join(commitment.services)
            return [], (f"no history on record: no incident was ever recorded for {services}",)
        horizon = first_incident
    else:
        if data is None or commitment.measurement.series not in data.keys:
            return [], ("no history on record: no bucket data for the series",)
        busy = np.flatnonzero(data.total[data.row(commitment.measurement.series)] > 0)
        if not busy.size:
            return [], ("no history on record: no bucket data for the series",)
        horizon = from_epoch(data.start + int(busy[0]) * data.step)
    history = []
    margin = timedelta(seconds=run_margin(commitment.measurement))
    for start, end in periods:
        if start < horizon:
            continue
        result = availability(
            version,
            commitment,
            period_start=start,
            at=min(until, end + margin),  # a run across the end judged whole, as a statement
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
