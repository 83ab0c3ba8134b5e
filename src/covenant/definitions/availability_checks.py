"""Field rules of one availability commitment: how its downtime is measured, its minimum
credit, cap and claim deadline, and a fee for every service it credits.

The credit tiers are checked in ``credit_tier_checks``.
"""

from __future__ import annotations

from covenant.definitions.agreements import (
    AmountSpec,
    AvailabilitySpec,
    MeasurementSpec,
    MinimumCreditSpec,
    VersionSpec,
)
from covenant.definitions.credit_tier_checks import committed_level, tier_problems
from covenant.definitions.diagnostics import WARNING, at, conflict
from covenant.definitions.durations import format_seconds, parse_duration
from covenant.definitions.interval_alignment import interval_alignment
from covenant.definitions.yamlsource import PathKey, SourceDocument
from covenant.errors import Problem

INTERVAL_SOURCES = frozenset({"bad-intervals", "mean-error-rate"})


def availability_problems(
    doc: SourceDocument, version: VersionSpec, item: AvailabilitySpec, here: PathKey
) -> list[Problem]:
    m, where = item.measurement, (*here, "measurement")
    # what the source needs and ignores: not said of a source refused (stood in for: partial)
    problems = [] if doc.broken_at((*where, "source")) else _by_source(doc, m, where)
    if not doc.broken_at((*where, "source")):
        problems += interval_alignment(doc, version, m, where)
    level, found = committed_level(doc, item, here)
    problems += found
    if level is not None:
        problems += tier_problems(doc, item, here, level)
    if isinstance(item.minimum_credit, MinimumCreditSpec):
        minimum = item.minimum_credit
        if minimum.at_least is not None and minimum.above is not None:
            problems.append(conflict(doc, (*here, "minimumCredit", "above"), "atLeast", "above"))
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
        problems += amount_problems(doc, item.cap, (*here, "cap"))
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
            problems.append(conflict(doc, (*here, "claimDeadline", given[1]), *given))
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
    fees = (*here[:-2], "fees")  # the version's (here: its availability[j])
    if item.credits and unpriced and not doc.broken_at((*here, "services"), fees):
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


def _by_source(doc: SourceDocument, m: MeasurementSpec, where: PathKey) -> list[Problem]:
    """The measurement's fields its ``source`` needs, and those it ignores."""
    problems: list[Problem] = []
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
        problems.append(conflict(doc, (*where, rates[1]), *rates))
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
    problems += _minimum_run(doc, m, where)
    return problems


def _minimum_run(doc: SourceDocument, m: MeasurementSpec, where: PathKey) -> list[Problem]:
    """``minimumRun``: only runs of consecutive bad intervals at least this long are down."""
    if m.minimum_run is None or doc.broken_at((*where, "minimumRun")):
        return []
    here = (*where, "minimumRun")
    if m.source != "bad-intervals":
        return [
            at(
                doc,
                here,
                code="invalid-minimum-run",
                message=f"minimumRun counts runs of bad intervals; source {m.source} has none",
                fix="use source: bad-intervals with interval: 1m and minimumRun: 5m, or remove "
                "minimumRun",
            )
        ]
    if m.interval is None or doc.broken_at((*where, "interval")):
        return []  # the missing interval is reported on its own
    run, size = parse_duration(m.minimum_run).seconds, parse_duration(m.interval).seconds
    if run <= 0 or run % size:
        return [
            at(
                doc,
                here,
                code="invalid-minimum-run",
                message=f"minimumRun {m.minimum_run} is not a whole number of "
                f"{m.interval} intervals",
                fix=f"write a multiple of interval {m.interval} (e.g. minimumRun: "
                f"{format_seconds(-(-run // size) * size)}), or an interval that divides it",
            )
        ]
    return []


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


def amount_problems(doc: SourceDocument, spec: AmountSpec, here: PathKey) -> list[Problem]:
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
