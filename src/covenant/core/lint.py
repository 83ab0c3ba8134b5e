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
resolution-before-        warning  a priority's resolution target is shorter than its first
response                           response target (swapped, or a unit slip)
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
from fractions import Fraction

from covenant.core.agreements import (
    AgreementVersion,
    AvailabilityCommitment,
    SupportCommitment,
)
from covenant.core.lint_findings import (
    DEFAULT_MARGIN,
    Context,
    Finding,
    length_text,
    percent,
    points,
)
from covenant.core.lint_measurement import measurement_findings
from covenant.core.lint_windows import window_findings
from covenant.core.model import DAY, Objective

_LONG_TARGET_S = DAY


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
    ctx = Context(version=version, margin=required_margin, where=where)
    found: list[Finding] = []
    for availability in version.availability:
        found += _commitment(ctx, availability, objectives, all_objectives)
    for support in version.support:
        found += _commitment(ctx, support, objectives, all_objectives)
        found += _support_calendar(ctx, support)
        found += _resolution_first(ctx, support)
    return found


def failed(findings: Sequence[Finding], *, strict: bool) -> bool:
    """The exit verdict: any error, or (strict) any finding at all."""
    return any(f.severity == "error" or strict for f in findings)


# --- the rules ---------------------------------------------------------------------------------


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
    ctx: Context,
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
        yield from window_findings(ctx, commitment.name, objective)
        if isinstance(commitment, AvailabilityCommitment):
            yield from measurement_findings(ctx, commitment, objective)
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


def _unbacked(ctx: Context, commitment: Commitment, all_objectives: Sequence[Objective]) -> Finding:
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


def _strictness(ctx: Context, commitment: Commitment, objective: Objective) -> Iterator[Finding]:
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


def _support_calendar(ctx: Context, support: SupportCommitment) -> Iterator[Finding]:
    if support.calendar is not None:
        return
    long_targets = [
        f"{t.priority} {label} {length_text(seconds)}"
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


def _resolution_first(ctx: Context, support: SupportCommitment) -> Iterator[Finding]:
    """A resolution target shorter than the first-response target of the same priority: a
    ticket resolved in time can still breach its response (``validate`` warns the same)."""
    for target in support.targets:
        response, resolution = target.first_response_s, target.resolution_s
        if response is None or resolution is None or resolution >= response:
            continue
        shorter, longer = length_text(resolution), length_text(response)
        yield ctx.finding(
            code="resolution-before-response",
            severity="warning",
            commitment=support.name,
            message=f"{support.name}: priority {target.priority} resolution {shorter} is "
            f"shorter than its first response {longer}",
            why="a ticket resolved within its target can still breach its first response: "
            "the contract most likely swapped the two, or a unit is wrong",
            fix=f"check the two targets: resolution is usually the longer (firstResponse: "
            f"{shorter}, resolution: {longer} if they were swapped)",
        )
