"""The bridge checks: is every SLA commitment protected by a stricter internal SLO?

Pure rules over the resolved model (``AgreementVersion`` + ``Objective``); no I/O. Each
:class:`Finding` says what is wrong (``message``), why it matters (``why``) and what to change
(``fix``). The codes, documented in docs/errors.md and docs/lint.md:

========================= ======== ==========================================================
code                      severity meaning
========================= ======== ==========================================================
unbacked-commitment       error    an availability or support commitment names no ``backedBy``
backing-slo-unknown       error    ``backedBy`` names no evaluated SLO of the workspace
backing-not-stricter      error    the backing SLO's target is ≤ the commitment's level
margin-too-small          warning  stricter, but by less than the required margin
window-mismatch           warning  the SLO's window cannot see the contract's period
measurement-mismatch      warning  the SLO measures something else than the contract does
support-without-calendar  warning  support targets measured in calendar time (24×7)
========================= ======== ==========================================================

Exact: levels and targets are ``Fraction`` ratios compared as such; the margin is in
percentage points (``Fraction(5, 100)`` = 0.05 points: 99.95 % behind 99.9 % passes exactly).

Which objective backs: an SLO with several objectives is judged by its strictest one (the
highest target) — that is the objective that protects the commitment, if any does. The level of
a support commitment is its attainment share (95 % of tickets within target).

Versions no longer in force (superseded, expired, terminated) are linted too, but an error on
them is reported as a warning: they bind no-one any more and a signed version cannot change.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from fractions import Fraction
from typing import Literal
from zoneinfo import ZoneInfo

from covenant.core.agreements import (
    AgreementVersion,
    AvailabilityCommitment,
    DowntimeSource,
    PeriodUnit,
    SupportCommitment,
    VersionStatus,
)
from covenant.core.model import (
    DAY,
    BudgetingMethod,
    CalendarUnit,
    CalendarWindow,
    Objective,
    RollingWindow,
    Window,
)

Severity = Literal["error", "warning"]

DEFAULT_MARGIN = Fraction(5, 100)
"""The default required margin, in percentage points: an SLO 0.05 points above the level."""

PENDING = frozenset({VersionStatus.DRAFT, VersionStatus.PROPOSED})
"""Versions not yet signed: findings on them are what a negotiator fixes before signing."""

ENDED = frozenset({VersionStatus.SUPERSEDED, VersionStatus.EXPIRED, VersionStatus.TERMINATED})
"""Versions no longer in force: their errors are reported as warnings."""

_PERIOD_MONTHS = {PeriodUnit.MONTH: 1, PeriodUnit.QUARTER: 3}
_SHORTEST_DAYS = {PeriodUnit.MONTH: 28, PeriodUnit.QUARTER: 90}
_LONGEST_DAYS = {PeriodUnit.MONTH: 31, PeriodUnit.QUARTER: 92}
_DURATION = {PeriodUnit.MONTH: "1M", PeriodUnit.QUARTER: "1Q"}
_UNIT_MONTHS = {CalendarUnit.MONTH: 1, CalendarUnit.QUARTER: 3, CalendarUnit.YEAR: 12}
_UNIT_DAYS = {CalendarUnit.DAY: 1, CalendarUnit.WEEK: 7}
_LONG_TARGET_S = DAY


@dataclass(frozen=True, slots=True, kw_only=True)
class Finding:
    """One thing about one commitment of one agreement version that the bridge does not hold.

    ``version`` is 0 for a finding about the agreement as a whole (its annotations);
    ``commitment`` is empty then. ``slo`` is the backing objective's key when the finding is
    about one. ``status`` is the version's status (``draft``, ``active``…).
    """

    code: str
    severity: Severity
    agreement: str
    version: int
    commitment: str
    message: str
    why: str
    fix: str
    where: str = ""
    status: str = ""
    slo: str = ""

    @property
    def pending(self) -> bool:
        """The version is a draft or proposal: not signed yet, so still cheap to change."""
        return self.status in {s.value for s in PENDING}

    @property
    def key(self) -> str:
        return f"{self.agreement}@v{self.version}" if self.version else self.agreement


def percent(value: Fraction) -> str:
    """A ratio as an exact percentage text: ``Fraction(9995, 10000)`` → ``99.95 %``."""
    return f"{points(value * 100)} %"


def points(value: Fraction) -> str:
    """A number of percentage points as short exact-looking text (``0.05``, ``1/3`` → 0.333333)."""
    if value.denominator == 1:
        return str(value.numerator)
    text = f"{float(value):.6f}".rstrip("0").rstrip(".")
    return text or "0"


def lint_versions(
    versions: Sequence[AgreementVersion],
    *,
    objectives: Sequence[Objective],
    margins: Mapping[str, Fraction] | None = None,
    default_margin: Fraction = DEFAULT_MARGIN,
    origins: Mapping[str, str] | None = None,
) -> list[Finding]:
    """Every finding on every version; ``margins`` overrides the margin per agreement name."""
    by_slo: dict[str, list[Objective]] = {}
    for objective in objectives:
        by_slo.setdefault(objective.slo, []).append(objective)
    found: list[Finding] = []
    for version in sorted(versions, key=lambda v: (v.agreement, v.version)):
        margin = (margins or {}).get(version.agreement, default_margin)
        where = (origins or {}).get(version.key, "")
        found += lint_version(
            version,
            objectives=by_slo,
            required_margin=margin,
            where=where,
            all_objectives=objectives,
        )
    return found


def lint_version(
    version: AgreementVersion,
    *,
    objectives: Mapping[str, Sequence[Objective]],
    required_margin: Fraction = DEFAULT_MARGIN,
    where: str = "",
    all_objectives: Sequence[Objective] = (),
) -> list[Finding]:
    """The findings on one version; ``objectives`` maps an SLO name to its objectives."""
    if required_margin < 0:
        raise ValueError("the required margin cannot be negative")
    ctx = _Version(version=version, margin=required_margin, where=where)
    found: list[Finding] = []
    for availability in version.availability:
        found += _commitment(ctx, availability, objectives, all_objectives)
    for support in version.support:
        found += _commitment(ctx, support, objectives, all_objectives)
        found += _support_calendar(ctx, support)
    return found


# --- the rules ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class _Version:
    version: AgreementVersion
    margin: Fraction
    where: str

    def finding(
        self,
        *,
        code: str,
        severity: Severity,
        commitment: str,
        message: str,
        why: str,
        fix: str,
        slo: str = "",
    ) -> Finding:
        status = self.version.status
        if status in ENDED and severity == "error":
            severity = "warning"
            why += f" (v{self.version.version} is {status.value}: no longer in force)"
        return Finding(
            code=code,
            severity=severity,
            agreement=self.version.agreement,
            version=self.version.version,
            commitment=commitment,
            message=message,
            why=why,
            fix=fix,
            where=self.where,
            status=status.value,
            slo=slo,
        )


Commitment = AvailabilityCommitment | SupportCommitment


def _level(commitment: Commitment) -> Fraction:
    if isinstance(commitment, AvailabilityCommitment):
        return commitment.level
    return commitment.attainment


def _what(commitment: Commitment) -> str:
    if isinstance(commitment, AvailabilityCommitment):
        return f"availability {percent(commitment.level)}"
    return f"support attainment {percent(commitment.attainment)}"


def _commitment(
    ctx: _Version,
    commitment: Commitment,
    objectives: Mapping[str, Sequence[Objective]],
    all_objectives: Sequence[Objective],
) -> Iterator[Finding]:
    if not commitment.backing_slos:
        yield _unbacked(ctx, commitment, all_objectives)
        return
    for name in commitment.backing_slos:
        candidates = objectives.get(name, ())
        if not candidates:
            yield ctx.finding(
                code="backing-slo-unknown",
                severity="error",
                commitment=commitment.name,
                slo=name,
                message=f"{commitment.name} is backedBy {name!r}, but the workspace has no "
                "evaluated SLO of that name",
                why="nothing watches this commitment: no budget burns and no alert fires "
                "before the customer's credit is owed",
                fix=f"name an SLO of the workspace in backedBy, or define {name!r} (a composite "
                "SLO is not evaluated: split it into one SLO per indicator)",
            )
            continue
        objective = max(candidates, key=lambda o: o.target)
        yield from _strictness(ctx, commitment, objective)
        yield from _window(ctx, commitment, objective)
        if isinstance(commitment, AvailabilityCommitment):
            yield from _measurement(ctx, commitment, objective)
            if objective.service and objective.service not in commitment.services:
                yield ctx.finding(
                    code="backing-other-service",
                    severity="warning",
                    commitment=commitment.name,
                    slo=objective.key,
                    message=f"backing SLO {objective.key} is about service "
                    f"{objective.service!r}, but {commitment.name} covers "
                    f"{', '.join(commitment.services)}",
                    why="an objective on another service cannot see the outages the contract "
                    "is judged on",
                    fix=f"back {commitment.name} with an SLO of {' or '.join(commitment.services)}",
                )


def _unbacked(
    ctx: _Version, commitment: Commitment, all_objectives: Sequence[Objective]
) -> Finding:
    level = _level(commitment)
    wanted = level + ctx.margin / 100
    if isinstance(commitment, AvailabilityCommitment):
        services = set(commitment.services)
        fitting = sorted(
            {o.slo for o in all_objectives if o.service in services and o.target >= wanted}
        )
        hint = f" (candidates: {', '.join(fitting)})" if fitting else ""
        on = f" on {', '.join(commitment.services)}"
    else:
        hint, on = "", " on ticket response or resolution"
    bound = f"of at least {percent(wanted)}" if wanted < 1 else f"above {percent(level)}"
    return ctx.finding(
        code="unbacked-commitment",
        severity="error",
        commitment=commitment.name,
        message=f"{commitment.name} ({_what(commitment)}) has no backing SLO",
        why="no internal objective watches this promise: nothing burns budget or alerts "
        "before the contract is breached and credits are owed",
        fix=f"add backedBy: [<SLO{on} with a target {bound}>]{hint}",
    )


def _strictness(ctx: _Version, commitment: Commitment, objective: Objective) -> Iterator[Finding]:
    level = _level(commitment)
    margin = (objective.target - level) * 100  # percentage points, exact
    wanted = level + ctx.margin / 100
    name = commitment.name
    if objective.target <= level:
        relation = "equal to" if objective.target == level else "looser than"
        yield ctx.finding(
            code="backing-not-stricter",
            severity="error",
            commitment=name,
            slo=objective.key,
            message=f"backing SLO {objective.key} targets {percent(objective.target)}, "
            f"{relation} the committed {_what(commitment)}",
            why="the SLO's budget is as large as the contract's or larger: by the time the SLO "
            "alerts or runs out, the contract is already breached and credits are owed",
            fix=_raise_fix(objective, level=level, wanted=wanted, margin=ctx.margin)
            + f", or back {name} with a stricter SLO",
        )
    elif margin < ctx.margin:
        yield ctx.finding(
            code="margin-too-small",
            severity="warning",
            commitment=name,
            slo=objective.key,
            message=f"backing SLO {objective.key} targets {percent(objective.target)}, only "
            f"{points(margin)} points above the committed {_what(commitment)}; the required "
            f"margin is {points(ctx.margin)} points",
            why="a thin margin leaves no time to react: the SLO runs out of budget only just "
            "before the contract is breached",
            fix=_raise_fix(objective, level=level, wanted=wanted, margin=ctx.margin)
            + ", or lower the required margin (--margin or the covenant.dev/required-margin "
            "annotation) if this one is deliberate",
        )


def _raise_fix(objective: Objective, *, level: Fraction, wanted: Fraction, margin: Fraction) -> str:
    if wanted < 1:
        return (
            f"raise {objective.slo}'s target to at least {percent(wanted)} (the required margin "
            f"is {points(margin)} points)"
        )
    halfway = level + (1 - level) / 2
    return (
        f"no SLO can be {points(margin)} points stricter than {percent(level)} (100 % leaves no "
        f"error budget): raise {objective.slo}'s target to e.g. {percent(halfway)} and set a "
        "smaller covenant.dev/required-margin on this agreement, or negotiate a lower level"
    )


def _window(ctx: _Version, commitment: Commitment, objective: Objective) -> Iterator[Finding]:
    version = ctx.version
    period, zone = version.period, version.zone
    reasons = _window_reasons(objective.window, period=period, zone=zone, at=version.effective_from)
    if not reasons:
        return
    unit = period.value
    yield ctx.finding(
        code="window-mismatch",
        severity="warning",
        commitment=commitment.name,
        slo=objective.key,
        message=f"backing SLO {objective.key} ({describe_window(objective.window)}) cannot "
        f"protect the calendar {unit} in {zone}: " + "; ".join(reasons),
        why=f"the contract is judged per calendar {unit} in {zone}; an SLO whose budget is not "
        f"spent and reset on the same boundaries can look healthy while the {unit} is "
        "already breached",
        fix=f"give {objective.slo} (or a second backing SLO) the contract's period: timeWindow: "
        f"[{{duration: {_DURATION[period]}, isRolling: false, calendar: {{startTime: "
        f"'2026-01-01 00:00:00', timeZone: {zone}}}}}]",
    )


def describe_window(window: Window) -> str:
    if isinstance(window, RollingWindow):
        return f"rolling {_length(window.seconds)}"
    unit = window.unit.value.lower()
    count = f"{window.count} {unit}s" if window.count != 1 else unit
    return f"calendar {count} in {window.zone}"


def _length(seconds: int) -> str:
    if seconds % DAY == 0:
        return f"{seconds // DAY}d"
    if seconds % 3600 == 0:
        return f"{seconds // 3600}h"
    if seconds % 60 == 0:
        return f"{seconds // 60}m"
    return f"{seconds}s"


def _window_reasons(window: Window, *, period: PeriodUnit, zone: str, at: datetime) -> list[str]:
    unit = period.value
    longest = _LONGEST_DAYS[period]
    if isinstance(window, RollingWindow):
        reasons = [
            f"a rolling window has no {unit} boundary: it mixes the end of one {unit} with the "
            f"start of the next and never resets when the contract's {unit} does"
        ]
        if window.seconds < longest * DAY:
            reasons.append(
                f"{_length(window.seconds)} is shorter than a {longest}-day {unit}: downtime early "
                f"in the {unit} has left the window before the {unit} ends"
            )
        return reasons
    reasons = []
    if _canonical_zone(window.zone) != _canonical_zone(zone):
        reasons.append(
            f"the SLO's periods start at midnight {window.zone}, the contract's at midnight "
            f"{zone}{_offset_note(window.zone, zone, at)}"
        )
    wanted = _PERIOD_MONTHS[period]
    months = _UNIT_MONTHS.get(window.unit)
    if months is None:
        days = _UNIT_DAYS[window.unit] * window.count
        relation = "shorter than" if days < _SHORTEST_DAYS[period] else "not aligned with"
        reasons.append(
            f"a {describe_window(window).split(' in ')[0]} window is {relation} a {unit}"
        )
    elif months * window.count != wanted:
        relation = "shorter" if months * window.count < wanted else "longer"
        reasons.append(
            f"its period is {months * window.count} month(s), {relation} than the contract's "
            f"{unit} ({wanted} month(s))"
        )
    elif not _aligned(window, months=wanted):
        assert window.anchor is not None
        local = window.anchor.astimezone(ZoneInfo(window.zone))
        reasons.append(
            f"its periods start on {local:%Y-%m-%d %H:%M} ({window.zone}), not on the first "
            f"day of a {unit}"
        )
    return reasons


def _aligned(window: CalendarWindow, *, months: int) -> bool:
    """The window's periods start where calendar months (or quarters) do."""
    if window.anchor is None:
        return True  # the natural start: the 1st of the month, January/April/July/October
    local = window.anchor.astimezone(ZoneInfo(window.zone))
    midnight = (local.day, local.hour, local.minute, local.second) == (1, 0, 0, 0)
    return midnight and (local.month - 1) % months == 0


def _offset_note(slo_zone: str, contract_zone: str, at: datetime) -> str:
    offset = at.astimezone(ZoneInfo(slo_zone)).utcoffset()
    other = at.astimezone(ZoneInfo(contract_zone)).utcoffset()
    if offset is None or other is None or offset == other:
        return ""
    hours = Fraction(int(abs((offset - other).total_seconds())), 3600)
    return f" ({points(hours)} h apart on {at:%Y-%m-%d})"


def _canonical_zone(name: str) -> str:
    """UTC under any of its names (UTC, Etc/UTC, Etc/Universal, Zulu…) is one zone."""
    return "UTC" if name in _UTC_NAMES else name


_UTC_NAMES = frozenset(
    {
        "UTC",
        "Etc/UTC",
        "Etc/Universal",
        "Etc/Zulu",
        "Universal",
        "Zulu",
        "Etc/UCT",
        "UCT",
        "Etc/GMT",
        "GMT",
        "Etc/GMT0",
        "Etc/GMT+0",
        "Etc/GMT-0",
        "GMT0",
        "Etc/Greenwich",
    }
)


def _measurement(
    ctx: _Version, commitment: AvailabilityCommitment, objective: Objective
) -> Iterator[Finding]:
    m = commitment.measurement
    method = objective.method
    slo = objective.key

    def finding(message: str, why: str, fix: str) -> Finding:
        return ctx.finding(
            code="measurement-mismatch",
            severity="warning",
            commitment=commitment.name,
            slo=slo,
            message=message,
            why=why,
            fix=fix,
        )

    interval = _length(m.interval_s)
    if m.source is DowntimeSource.INCIDENTS:
        if method is not BudgetingMethod.OCCURRENCES:
            yield finding(
                f"backing SLO {slo} judges time slices by error ratio ({method.value}), but "
                f"{commitment.name} counts downtime from incident records",
                "downtime counts for the customer when an incident is recorded, whatever its "
                "error ratio; slices that pass the SLO can be downtime in the contract, and "
                "the other way round",
                "measure the contract on the SLO's series (measurement: {source: "
                "bad-intervals, slo: ...}) or back it with an SLO that tracks the same outages",
            )
        return
    if m.series is not None and objective.series != m.series:
        yield finding(
            f"backing SLO {slo} reads series {objective.series!r}, but {commitment.name} "
            f"measures downtime on {m.series!r}",
            "the SLO watches other requests than the ones the contract is judged on: its "
            "budget says nothing about the contract's level",
            f"back {commitment.name} with the SLO whose SLI is {m.series!r}, or point "
            "measurement.slo at the backing SLO",
        )
    source = m.source.value
    wanted = (
        BudgetingMethod.TIMESLICES
        if m.source is DowntimeSource.BAD_INTERVALS
        else BudgetingMethod.RATIO_TIMESLICES
    )
    if method is BudgetingMethod.OCCURRENCES:
        yield finding(
            f"backing SLO {slo} budgets events (Occurrences), but {commitment.name} counts "
            f"{interval} intervals ({source})",
            "events and intervals weigh outages differently: a burst at peak traffic spends "
            "much SLO budget but few contract intervals, an outage in a quiet hour spends "
            "little budget but many intervals",
            f"use budgetingMethod: {wanted.value} with timeSliceWindow: {interval}"
            + (
                f" and timeSliceTarget above {percent(1 - m.threshold)}"
                if m.threshold is not None and wanted is BudgetingMethod.TIMESLICES
                else ""
            ),
        )
        return
    if objective.time_slice_window_s != m.interval_s:
        slice_s = objective.time_slice_window_s or 0
        yield finding(
            f"backing SLO {slo} uses {_length(slice_s)} "
            f"time slices, but {commitment.name} counts {interval} intervals",
            "a slice of another length averages a failure differently: a short outage can "
            "fail a contract interval and leave a longer slice good (or the reverse)",
            f"set timeSliceWindow: {interval} on {objective.slo}",
        )
    if method is not wanted:
        yield finding(
            f"backing SLO {slo} is {method.value}, but {commitment.name} is measured as {source}",
            "bad-intervals counts a whole interval down once its error rate crosses the "
            "threshold; mean-error-rate averages the per-interval ratios. An SLO of the other "
            "kind can pass while the contract's level falls",
            f"use budgetingMethod: {wanted.value} for an SLO that backs a {source} commitment",
        )
        return
    if wanted is BudgetingMethod.TIMESLICES and m.threshold is not None:
        slice_target = objective.time_slice_target
        floor = 1 - m.threshold  # the good ratio at which the contract calls an interval down
        if slice_target is not None and (
            slice_target < floor or (slice_target == floor and m.threshold_inclusive)
        ):
            op = "≥" if m.threshold_inclusive else ">"
            yield finding(
                f"backing SLO {slo} counts a slice good at a success ratio ≥ "
                f"{percent(slice_target)}, but {commitment.name} counts an interval down at an "
                f"error rate {op} {percent(m.threshold)}",
                "intervals between the two are down for the customer and good for the SLO: "
                "the SLO does not spend budget on them",
                f"raise timeSliceTarget above {percent(floor)}",
            )


def _support_calendar(ctx: _Version, support: SupportCommitment) -> Iterator[Finding]:
    if support.calendar is not None:
        return
    long_targets = [
        f"{t.priority} {label} {_length(seconds)}"
        for t in support.targets
        for label, seconds in (
            ("first response", t.first_response_s),
            ("resolution", t.resolution_s),
        )
        if seconds is not None and seconds >= _LONG_TARGET_S
    ]
    kind = (
        "looks like a business-hours target"
        if len(long_targets) == 1
        else ("look like business-hours targets")
    )
    looks = f"; {', '.join(long_targets)} {kind}" if long_targets else ""
    yield ctx.finding(
        code="support-without-calendar",
        severity="warning",
        commitment=support.name,
        message=f"{support.name} has no calendar: its targets are measured in calendar time "
        f"24×7{looks}",
        why="nights, weekends and holidays count against the targets: a ticket opened on "
        "Friday evening can breach before anyone is due to work on it, and penalties follow",
        fix="targets are measured in calendar time 24×7; add `calendar:` if the contract "
        "means business hours",
    )
