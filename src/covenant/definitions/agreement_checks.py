"""Rules inside one ``Agreement`` document: numbering, dates, lifecycle, and field combinations.

References to other documents (customer, calendars, SLOs) are checked in ``contracts``.

Lifecycle rules (errors):

- versions are numbered 1..n, each once;
- a version from 2 on is an amendment and needs a ``reason``;
- a signed, active, superseded or expired version needs ``signatories`` (a ``terminated``
  version without signatories is a withdrawn draft and takes no part in the date rules);
- between signed versions, ``effectiveFrom`` increases with the version number and an explicit
  ``effectiveTo`` does not reach past the next signed version's ``effectiveFrom`` (an open
  ``effectiveTo`` ends implicitly where the next signed version starts);
- at most one ``active`` version at any instant (by their written dates);
- a ``superseded`` version has a later signed version.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from fractions import Fraction

from covenant.core.agreements import CreditTier
from covenant.definitions.agreements import (
    AgreementDocument,
    AmountSpec,
    AvailabilitySpec,
    MeasurementSpec,
    MinimumCreditSpec,
    TierSpec,
    VersionSpec,
    parse_instant,
)
from covenant.definitions.diagnostics import WARNING, at
from covenant.definitions.yamlsource import PathKey, SourceDocument
from covenant.errors import Problem

SIGNED_STATUSES = frozenset({"signed", "active", "superseded", "expired"})
INTERVAL_SOURCES = frozenset({"bad-intervals", "mean-error-rate"})


def is_signed(version: VersionSpec) -> bool:
    """Signed at some point: its terms are binding (a terminated draft is not)."""
    return version.status in SIGNED_STATUSES or (
        version.status == "terminated" and bool(version.signatories)
    )


def effective_range(version: VersionSpec) -> tuple[datetime, datetime | None]:
    zone = version.period.time_zone
    start = parse_instant(version.effective_from, zone=zone)
    end = parse_instant(version.effective_to, zone=zone) if version.effective_to else None
    return start, end


def check_agreement(doc: SourceDocument, model: AgreementDocument) -> list[Problem]:
    versions = model.spec.versions
    problems = _numbering(doc, versions)
    dated: list[tuple[int, VersionSpec, datetime, datetime | None]] = []
    for i, version in enumerate(versions):
        here: PathKey = ("spec", "versions", i)
        problems += _version_fields(doc, version, here)
        start, end = effective_range(version)
        if end is not None and end <= start:
            problems.append(
                at(
                    doc,
                    (*here, "effectiveTo"),
                    code="invalid-effective-dates",
                    message=f"v{version.version}: effectiveTo {version.effective_to} is not "
                    f"after effectiveFrom {version.effective_from}",
                    fix="end the version after it starts, or leave effectiveTo out",
                )
            )
            continue
        dated.append((i, version, start, end))
    problems += _signed_order(doc, dated)
    problems += _lifecycle(doc, dated)
    return problems


def _numbering(doc: SourceDocument, versions: Sequence[VersionSpec]) -> list[Problem]:
    problems: list[Problem] = []
    seen: dict[int, int] = {}
    for i, version in enumerate(versions):
        if version.version in seen:
            problems.append(
                at(
                    doc,
                    ("spec", "versions", i, "version"),
                    code="duplicate-version",
                    message=f"version {version.version} is also spec.versions"
                    f"[{seen[version.version]}]",
                    fix="number versions 1, 2, 3…; an amendment is a new version",
                )
            )
        seen.setdefault(version.version, i)
    expected = set(range(1, max(seen, default=0) + 1))
    if set(seen) != expected:
        written = ", ".join(str(n) for n in sorted(seen))
        missing = sorted(expected - set(seen))
        problems.append(
            at(
                doc,
                ("spec", "versions"),
                code="version-gap",
                message=f"versions are numbered {written}"
                + (f"; {', '.join(map(str, missing))} missing" if missing else ""),
                fix="number versions 1..n without gaps (v1 is the original, v2 the first "
                "amendment…)",
            )
        )
    return problems


def _version_fields(doc: SourceDocument, version: VersionSpec, here: PathKey) -> list[Problem]:
    problems: list[Problem] = []
    label = f"v{version.version}"
    if version.version >= 2 and not (version.reason or "").strip():
        problems.append(
            at(
                doc,
                (*here, "reason"),
                code="missing-field",
                message=f"{label} is an amendment and has no reason",
                fix="add reason: why the terms change (e.g. 'raise the level to 99.95 %')",
            )
        )
    if version.status in SIGNED_STATUSES and not version.signatories:
        problems.append(
            at(
                doc,
                (*here, "signatories"),
                code="unsigned-binding-version",
                message=f"{label} is {version.status} but has no signatories",
                fix="list who signed (name, role, signedAt), or keep the status draft/proposed",
            )
        )
    names: dict[str, int] = {}
    labelled = [("availability", j, a.name) for j, a in enumerate(version.availability)]
    labelled += [("support", j, s.name) for j, s in enumerate(version.support)]
    for key, j, name in labelled:
        if name in names:
            problems.append(
                at(
                    doc,
                    (*here, key, j, "name"),
                    code="duplicate-name",
                    message=f"{label}: commitment {name!r} is named twice",
                    fix="give each commitment of a version its own name",
                )
            )
        names.setdefault(name, j)
    for j, item in enumerate(version.availability):
        problems += _availability(doc, version, item, (*here, "availability", j))
    if version.cap is not None:
        problems += _amount(doc, version.cap, (*here, "cap"))
    for j, support in enumerate(version.support):
        path = (*here, "support", j)
        for priority, target in support.targets.items():
            if target.first_response is None and target.resolution is None:
                problems.append(
                    at(
                        doc,
                        (*path, "targets", priority),
                        code="missing-field",
                        message=f"priority {priority} has no target",
                        fix="add firstResponse: 30m and/or resolution: 4h",
                    )
                )
        if support.penalty is not None:
            problems += _amount(doc, support.penalty, (*path, "penalty"))
    return problems


def _availability(
    doc: SourceDocument, version: VersionSpec, item: AvailabilitySpec, here: PathKey
) -> list[Problem]:
    problems: list[Problem] = []
    m, where = item.measurement, (*here, "measurement")
    if m.source in INTERVAL_SOURCES and m.slo is None:
        problems.append(
            at(
                doc,
                (*where, "slo"),
                code="missing-field",
                message=f"{m.source} downtime is measured on a backing SLO's SLI series",
                fix="add slo: <the name of the SLO whose SLI measures this service>",
            )
        )
    rates = [
        k
        for k, v in (
            ("errorRateAtLeast", m.error_rate_at_least),
            ("errorRateAbove", m.error_rate_above),
        )
        if v is not None
    ]
    if m.source == "bad-intervals" and not rates:
        problems.append(
            at(
                doc,
                where,
                code="missing-field",
                message="bad-intervals needs the error rate that makes an interval down",
                fix="add errorRateAtLeast: 5 (≥ 5 %) or errorRateAbove: 5 (> 5 %)",
            )
        )
    if len(rates) == 2:
        problems.append(_conflict(doc, (*where, rates[1]), *rates))
    ignored = [*rates] if m.source != "bad-intervals" else []
    if m.source == "incidents":
        ignored += [k for k, v in (("interval", m.interval), ("slo", m.slo)) if v is not None]
    else:
        ignored += ["severities"] if m.severities else []
        ignored += ["recordsFrom"] if m.records_from is not None else []
    problems.extend(
        at(
            doc,
            (*where, key),
            code="ignored-field",
            message=f"{key} has no effect with source {m.source}",
            fix=f"remove {key}",
            severity=WARNING,
        )
        for key in ignored
    )
    if m.source in INTERVAL_SOURCES and m.interval is None:
        problems.append(
            at(
                doc,
                (*where, "interval"),
                code="missing-field",
                message=f"{m.source} needs the length of its measurement interval",
                fix="add interval: 5m (Amazon S3 and Google Cloud measure five-minute "
                "intervals) or the interval the contract names",
            )
        )
    problems += _components(doc, m, where)
    level, found = committed_level(doc, item, here)
    problems += found
    if level is not None:
        problems += _tiers(doc, item, here, level)
    if isinstance(item.minimum_credit, MinimumCreditSpec):
        minimum = item.minimum_credit
        if minimum.at_least is not None and minimum.above is not None:
            problems.append(_conflict(doc, (*here, "minimumCredit", "above"), "atLeast", "above"))
        elif minimum.at_least is None and minimum.above is None:
            problems.append(
                at(
                    doc,
                    (*here, "minimumCredit"),
                    code="missing-field",
                    message="minimumCredit needs an amount",
                    fix='write {atLeast: "10.00"} (paid from 10.00) or {above: "1.00"} '
                    "(paid only when more than 1.00)",
                )
            )
    if item.cap is not None:
        problems += _amount(doc, item.cap, (*here, "cap"))
    claim = item.claim_deadline
    if claim is not None:
        given = [
            k
            for k, v in (
                ("periodsAfter", claim.periods_after),
                ("daysAfterPeriod", claim.days_after_period),
            )
            if v is not None
        ]
        if len(given) == 2:
            problems.append(_conflict(doc, (*here, "claimDeadline", given[1]), *given))
        elif not given:
            problems.append(
                at(
                    doc,
                    (*here, "claimDeadline"),
                    code="missing-field",
                    message="claimDeadline needs a rule",
                    fix="add periodsAfter: 2 or daysAfterPeriod: 30",
                )
            )
    unpriced = [s for s in item.services if s not in version.fees]
    if item.credits and unpriced:
        problems.append(
            at(
                doc,
                (*here, "services"),
                code="service-without-fee",
                message=f"v{version.version} has no fee for {', '.join(unpriced)}: a credit "
                "on it is a percentage of nothing",
                fix=f'add fees: {{{unpriced[0]}: "0.00"}} or the real monthly fee',
                severity=WARNING,
            )
        )
    return problems


def tier_of(
    doc: SourceDocument, spec: TierSpec, here: PathKey
) -> tuple[CreditTier | None, list[Problem]]:
    """A core tier from ``{below|atMost, atLeast|above, credit}``."""
    problems: list[Problem] = []
    for first, second in (("below", "atMost"), ("atLeast", "above")):
        a, b = getattr(spec, _snake(first)), getattr(spec, _snake(second))
        if a is not None and b is not None:
            problems.append(_conflict(doc, (*here, second), first, second))
    upper = spec.below if spec.below is not None else spec.at_most
    lower = spec.at_least if spec.at_least is not None else spec.above
    if upper is None and lower is None:
        problems.append(
            at(
                doc,
                here,
                code="missing-field",
                message="the credit tier has no bound",
                fix="add below: 99.9 (<), atMost: 99.9 (≤), atLeast: 95 (≥) or above: 95 (>)",
            )
        )
    if problems:
        return None, problems
    tier = CreditTier(
        credit=spec.credit,
        below=None if upper is None else Fraction(upper) / 100,
        below_inclusive=spec.at_most is not None,
        at_least=None if lower is None else Fraction(lower) / 100,
        at_least_inclusive=spec.above is None,
    )
    return tier, []


def _snake(name: str) -> str:
    return "".join(f"_{c.lower()}" if c.isupper() else c for c in name)


def _components(doc: SourceDocument, m: MeasurementSpec, where: PathKey) -> list[Problem]:
    """``components`` with ``atLeastDown``: region downtime while k of n components are down."""
    if not m.components and m.at_least_down is None:
        return []
    n, k = len(m.components), m.at_least_down
    why = ""
    if m.source != "incidents":
        why = f"k-of-n components are counted from incidents, not from {m.source}"
    elif n < 2 or len(set(m.components)) != n:
        why = "components needs two or more distinct component names"
    elif k is None or not 1 <= k <= n:
        why = f"atLeastDown must be between 1 and the {n} components"
    if not why:
        return []
    return [
        at(
            doc,
            where,
            code="invalid-components",
            message=why,
            fix="write {source: incidents, components: [az-a, az-b, az-c], atLeastDown: 2} "
            "(down only while two or more of them are down at once)",
        )
    ]


def committed_level(
    doc: SourceDocument, item: AvailabilitySpec, here: PathKey
) -> tuple[Fraction | None, list[Problem]]:
    """The committed level as a ratio: ``level`` as written, else the highest upper bound
    (``below``) of the credit tiers — the level from which no tier pays."""
    if item.level is not None:
        return Fraction(item.level) / 100, []
    uppers: list[tuple[Decimal, bool]] = []  # (bound, inclusive)
    for spec in item.credits:
        if spec.below is not None:
            uppers.append((spec.below, False))
        elif spec.at_most is not None:
            uppers.append((spec.at_most, True))
    if not uppers:
        return None, [
            at(
                doc,
                (*here, "level"),
                code="missing-field",
                message="the commitment has no level and no credit tier with an upper bound "
                "to take it from",
                fix="add level: 99.9 (the committed uptime, in percent)",
            )
        ]
    highest = max(bound for bound, _ in uppers)
    if any(bound == highest and inclusive for bound, inclusive in uppers):
        return None, [
            at(
                doc,
                (*here, "level"),
                code="missing-field",
                message=f"the highest tier pays at {highest} % (atMost), so the committed "
                "level cannot be taken from it",
                fix=f"add level: the committed uptime (a tier atMost: {highest} pays at "
                f"{highest} %, so the commitment is more than {highest} %)",
            )
        ]
    return Fraction(highest) / 100, []


def _tiers(
    doc: SourceDocument, item: AvailabilitySpec, here: PathKey, level: Fraction
) -> list[Problem]:
    problems: list[Problem] = []
    tiers: list[tuple[int, CreditTier]] = []
    for k, spec in enumerate(item.credits):
        tier, found = tier_of(doc, spec, (*here, "credits", k))
        problems += found
        if tier is not None:
            tiers.append((k, tier))
    if problems or not tiers:
        return problems
    return coverage_problems(doc, (*here, "credits"), tiers, level)


def coverage_problems(
    doc: SourceDocument,
    here: PathKey,
    tiers: Sequence[tuple[int, CreditTier]],
    level: Fraction,
) -> list[Problem]:
    """Warnings where tiers overlap, leave a gap in [0, level), or pay at or above the level.

    Exact: the tiers are tested at every bound and between consecutive bounds.
    """
    bounds = sorted(
        {Fraction(0), Fraction(1), level}
        | {b for _, t in tiers for b in (t.below, t.at_least) if b is not None}
    )
    points = [*bounds, *((a + b) / 2 for a, b in itertools.pairwise(bounds))]
    problems: list[Problem] = []
    overlap: set[tuple[int, int]] = set()
    gaps: list[Fraction] = []
    above = {k for k, t in tiers if t.pays_when_met(level)}
    for point in sorted(points):
        inside = [k for k, t in tiers if t.contains(point)]
        for other in inside[1:]:
            overlap.add((inside[0], other))
        if point < level and not inside:
            gaps.append(point)
    for first, second in sorted(overlap):
        problems.append(
            at(
                doc,
                (*here, second),
                code="credit-tier-overlap",
                message=f"credits[{second}] overlaps credits[{first}]; the first matching tier "
                f"wins, so credits[{second}] does not apply where they overlap",
                fix="make the tiers disjoint, e.g. add atLeast to the milder tier "
                "({below: 99.9, atLeast: 99.0, credit: 10})",
                severity=WARNING,
            )
        )
    if gaps:
        problems.append(
            at(
                doc,
                here,
                code="credit-tier-gap",
                message=f"no credit tier covers a level of {_pct(gaps[0])} (below the committed "
                f"{_pct(level)})",
                fix="extend the tiers down to 0 %, e.g. a last tier {below: 95.0, credit: 100}",
                severity=WARNING,
            )
        )
    tier_of = dict(tiers)
    problems.extend(
        at(
            doc,
            (*here, k),
            code="credit-tier-above-level",
            message=f"credits[{k}] ({tier_of[k]}) pays a credit while the committed "
            f"{_pct(level)} is met" + _at_level(_paying_level(tier_of[k], level)),
            fix=f"bound the tier below the level: add below: {_pct(level)[:-2]} to it "
            f"(e.g. {_suggest(tier_of[k], level)})",
        )
        for k in sorted(above)
    )
    return problems


def _paying_level(tier: CreditTier, level: Fraction) -> Fraction | None:
    """The highest level at or above ``level`` at which ``tier`` pays (None: only levels
    just under an exclusive bound)."""
    points = [Fraction(1), level, *(b for b in (tier.below, tier.at_least) if b is not None)]
    paying = [p for p in points if p >= level and tier.contains(p)]
    return max(paying, default=None)


def _at_level(value: Fraction | None) -> str:
    return "" if value is None else f" (at {_pct(value)} uptime)"


def _suggest(tier: CreditTier, level: Fraction) -> str:
    parts = [f"below: {_pct(level)[:-2]}"]
    if tier.at_least is not None and tier.at_least < level:
        key = "atLeast" if tier.at_least_inclusive else "above"
        parts.append(f"{key}: {_pct(tier.at_least)[:-2]}")
    return "{" + ", ".join(parts) + f", credit: {tier.credit}}}"


def _pct(value: Fraction) -> str:
    text = f"{float(value * 100):.6f}".rstrip("0").rstrip(".")
    return f"{text} %"


def _amount(doc: SourceDocument, spec: AmountSpec, here: PathKey) -> list[Problem]:
    if spec.percent is None and spec.amount is None:
        return [
            at(
                doc,
                here,
                code="missing-field",
                message=f"{here[-1]} needs percent or amount",
                fix='write {percent: 50} (of the period fee) or {amount: "5000.00"}',
            )
        ]
    return []


def _signed_order(
    doc: SourceDocument, dated: Sequence[tuple[int, VersionSpec, datetime, datetime | None]]
) -> list[Problem]:
    signed = sorted((v.version, i, v, s, e) for i, v, s, e in dated if is_signed(v))
    problems: list[Problem] = []
    for (n1, _, v1, s1, e1), (n2, i2, v2, s2, _) in itertools.pairwise(signed):
        here: PathKey = ("spec", "versions", i2, "effectiveFrom")
        if s2 <= s1:
            problems.append(
                at(
                    doc,
                    here,
                    code="overlapping-versions",
                    message=f"v{n2} starts {v2.effective_from}, not after v{n1} "
                    f"({v1.effective_from}); signed versions follow each other in time",
                    fix=f"give v{n2} an effectiveFrom after {v1.effective_from}",
                )
            )
        elif e1 is not None and e1 > s2:
            problems.append(
                at(
                    doc,
                    here,
                    code="overlapping-versions",
                    message=f"v{n1} runs to {v1.effective_to}, past the start of v{n2} "
                    f"({v2.effective_from})",
                    fix=f"start v{n2} on or after {v1.effective_to}",
                )
            )
    return problems


def _lifecycle(
    doc: SourceDocument, dated: Sequence[tuple[int, VersionSpec, datetime, datetime | None]]
) -> list[Problem]:
    problems: list[Problem] = []
    active = sorted((s, v.version, i, e) for i, v, s, e in dated if v.status == "active")
    for (_s1, n1, _, e1), (s2, n2, i2, _) in itertools.pairwise(active):
        if e1 is None or e1 > s2:
            problems.append(
                at(
                    doc,
                    ("spec", "versions", i2, "status"),
                    code="lifecycle-conflict",
                    message=f"v{n1} and v{n2} are both active from {s2:%Y-%m-%d %H:%M} UTC; "
                    "at most one version is active at a time",
                    fix=f"mark v{min(n1, n2)} superseded (or expired) once v{max(n1, n2)} "
                    "takes over",
                )
            )
    numbers = {v.version for _, v, _, _ in dated if is_signed(v)}
    for i, version, _, _ in dated:
        if version.status == "superseded" and not any(n > version.version for n in numbers):
            problems.append(
                at(
                    doc,
                    ("spec", "versions", i, "status"),
                    code="lifecycle-conflict",
                    message=f"v{version.version} is superseded but no later signed version "
                    "supersedes it",
                    fix=f"add the signed amendment v{version.version + 1}, or keep "
                    f"v{version.version} active",
                )
            )
    return problems


def _conflict(doc: SourceDocument, path: PathKey, first: str, second: str) -> Problem:
    return at(
        doc,
        path,
        code="conflicting-fields",
        message=f"give {first} or {second}, not both",
        fix=f"remove one of {first} and {second}",
    )
