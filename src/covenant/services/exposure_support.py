"""The support commitments of exposure: for the current period of an agreement in force, every
version in force in it (an amendment splits a period: each version owes its own
penalty, as on the statement), measured by the statement's own code (``sla.version_support``)
up to now and priced by ``core.forecast_support`` (reads, never writes)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from sqlalchemy import Connection

from covenant.core.agreements import AgreementVersion, version_spans
from covenant.core.availability import period_containing
from covenant.core.forecast_support import SupportExposure, support_exposure, unmeasured
from covenant.core.tickets import Ticket
from covenant.errors import CovenantError
from covenant.services.sla import version_support
from covenant.services.sla_clocks import ClockFactory


def support_exposures(
    conn: Connection,
    *,
    version: AgreementVersion,
    siblings: Sequence[AgreementVersion],
    at: datetime,
    until: datetime,
    terminated: Mapping[tuple[str, int], datetime],
    clock_for: ClockFactory,
) -> list[SupportExposure]:
    """The support exposure of the period of ``version`` containing ``at``: every version of
    the agreement (``siblings``) in force in that period, measured up to ``until`` (now) on the
    tickets created while it was in force, as a statement of the period measures them. A version
    whose support cannot be measured (a calendar it names is missing) gets a ``not-measured`` row
    per commitment saying why, rather than failing the whole exposure."""
    period = period_containing(version, at)
    loaded: dict[tuple[str, datetime, datetime], list[Ticket]] = {}
    out: list[SupportExposure] = []
    for v, lo, hi in version_spans(siblings, start=period[0], end=period[1], terminated=terminated):
        if not v.support:  # one in force later (a period after now): "no tickets" yet
            continue
        try:
            results = version_support(
                conn,
                version=v,
                period=period,
                at=until,
                clock_for=clock_for,
                in_force=(lo, hi),
                loaded=loaded,
            )
        except CovenantError as exc:
            out.extend(
                unmeasured(v, c, period=period, in_force=(lo, hi), at=until, reason=str(exc))
                for c in v.support
            )
            continue
        out.extend(
            support_exposure(v, commitment, result, in_force=(lo, hi), at=until)
            for commitment, result in zip(v.support, results, strict=True)
        )
    return out
