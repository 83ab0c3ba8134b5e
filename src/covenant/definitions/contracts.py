"""Customers, calendars, agreements and maintenance windows → the model, references followed.

References (errors, ``missing-reference``): an Agreement's ``customer`` names a Customer; a
support commitment's ``calendar`` names a Calendar; ``measurement.slo`` and every ``backedBy``
name an SLO (``measurement.slo`` may be ``slo/objective`` when the SLO has several objectives);
a MaintenanceWindow's ``customers`` name Customers. A window's ``services`` that nothing else
names are warnings (``service_names``). The interval measurements read the bucket
series of the referenced SLO's objective.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from fractions import Fraction

from covenant.core.agreements import (
    AgreementVersion,
    AvailabilityCommitment,
    ClaimDeadline,
    ClaimRule,
    CreditTier,
    DowntimeSource,
    EligibleTime,
    Exclusions,
    MaintenanceWindow,
    Measurement,
    Party,
    PeriodUnit,
    Remedies,
    SupportCommitment,
    SupportTarget,
    VersionStatus,
)
from covenant.core.model import Objective
from covenant.core.money import minor_units
from covenant.definitions.agreement_checks import check_agreement
from covenant.definitions.agreements import (
    AgreementDocument,
    AvailabilitySpec,
    CustomerDocument,
    MaintenanceDocument,
    MinimumCreditSpec,
    PartySpec,
    SupportSpec,
    VersionSpec,
    parse_instant,
)
from covenant.definitions.articles import with_article
from covenant.definitions.calendar_spec import CalendarSpec, WeekSchedule
from covenant.definitions.calendars import CalendarDocument, build_calendar
from covenant.definitions.contract_model import AgreementLabel, Contact, Contracts, Customer
from covenant.definitions.credit_tier_checks import committed_level, tier_of
from covenant.definitions.diagnostics import at
from covenant.definitions.durations import parse_duration
from covenant.definitions.parsed import Parsed
from covenant.definitions.service_names import known_services, unknown_service
from covenant.definitions.yamlsource import PathKey, SourceDocument
from covenant.errors import InputError, Problem


@dataclass(slots=True)
class _Context:
    customers: dict[str, Customer]
    calendars: set[str]
    slos: set[str]
    objectives: Sequence[Objective]
    build: bool
    services: set[str] = field(default_factory=set)
    problems: list[Problem] = field(default_factory=list)
    weeks: dict[str, WeekSchedule] = field(default_factory=dict)  # calendar → weekly hours

    def missing(self, doc: SourceDocument, path: PathKey, kind: str, name: str) -> None:
        self.problems.append(
            at(
                doc,
                path,
                code="missing-reference",
                message=f"no {kind} named {name!r} in the workspace",
                fix=f"add {with_article(kind)} document named {name!r}, or fix the name",
            )
        )


def resolve_contracts(
    parsed: Sequence[Parsed], *, objectives: Sequence[Objective], build: bool
) -> Contracts:
    """Check the contract documents of ``parsed``; with ``build`` also build the model."""
    ctx = _Context(
        customers={},
        calendars=set(),
        slos={p.definition.name for p in parsed if p.definition.kind == "SLO"},
        objectives=objectives,
        build=build,
        services=known_services(p.definition for p in parsed),
    )
    calendars: list[CalendarSpec] = []
    for item in parsed:
        model = item.model
        if isinstance(model, CustomerDocument):
            spec = model.spec
            ctx.customers.setdefault(
                model.metadata.name,
                Customer(
                    name=model.metadata.name,
                    display_name=model.metadata.display_name or model.metadata.name,
                    currency=spec.currency,
                    contacts=tuple(
                        Contact(name=c.name, email=c.email or "", role=c.role or "")
                        for c in spec.contacts
                    ),
                    address=tuple(line.strip() for line in spec.address if line.strip()),
                    tax_id=(spec.tax_id or "").strip(),
                    reference=(spec.reference or "").strip(),
                ),
            )
        elif isinstance(model, CalendarDocument):
            ctx.calendars.add(model.metadata.name)
            calendar, found = build_calendar(item.source, model)
            ctx.problems += found
            if calendar is not None:
                calendars.append(calendar)
                ctx.weeks[calendar.name] = calendar.weekly
        elif item.definition.kind == "Calendar":
            ctx.calendars.add(item.definition.name)
    ctx.customers.update(
        {
            p.definition.name: Customer(name=p.definition.name, display_name="", currency="")
            for p in parsed
            if p.definition.kind == "Customer" and p.model is None
        }
    )
    versions: list[AgreementVersion] = []
    maintenance: list[MaintenanceWindow] = []
    labels: list[AgreementLabel] = []
    origins: dict[str, str] = {}
    for item in parsed:
        model = item.model
        if isinstance(model, AgreementDocument):
            labels.append(
                AgreementLabel(
                    name=model.metadata.name,
                    display_name=(model.metadata.display_name or "").strip(),
                    locale=model.spec.locale or "",
                )
            )
            for path, version in _agreement(item.source, model, ctx):
                versions.append(version)
                origins[version.key] = item.source.where(path)
        elif isinstance(model, MaintenanceDocument):
            window = _maintenance(item.source, model, ctx)
            if window is not None:
                maintenance.append(window)
        elif item.stand_in is not None and isinstance(item.stand_in.model, AgreementDocument):
            _stood_in_customer(item.stand_in.source, item.stand_in.model, ctx)
    return Contracts(
        customers=tuple(c for c in ctx.customers.values() if c.currency),
        calendars=tuple(calendars),
        agreements=tuple(versions),
        maintenance=tuple(maintenance),
        labels=tuple(labels),
        origins=origins,
        problems=ctx.problems,
    )


def _stood_in_customer(doc: SourceDocument, model: AgreementDocument, ctx: _Context) -> None:
    """An Agreement with a schema error (its own checks ran on its stand-in: ``partial``):
    its customer is looked up all the same, unless the schema refused it, so that a missing
    one is said with the error, not on the next run."""
    if not doc.broken_at(("spec", "customer")) and model.spec.customer not in ctx.customers:
        ctx.missing(doc, ("spec", "customer"), "Customer", model.spec.customer)


def _maintenance(
    doc: SourceDocument, model: MaintenanceDocument, ctx: _Context
) -> MaintenanceWindow | None:
    for i, customer in enumerate(model.spec.customers):
        if customer not in ctx.customers:
            ctx.missing(doc, ("spec", "customers", i), "Customer", customer)
    for i, service in enumerate(model.spec.services):
        if service not in ctx.services:
            ctx.problems.append(
                unknown_service(doc, ("spec", "services", i), service, ctx.services)
            )
    window, problems = maintenance_window(doc, model)
    ctx.problems += problems
    return window


def maintenance_window(
    doc: SourceDocument, model: MaintenanceDocument
) -> tuple[MaintenanceWindow | None, list[Problem]]:
    """The window a MaintenanceDocument says (its references not followed), or its problem:
    what the workspace's reader builds, and what the store's recorded windows are built with."""
    spec = model.spec
    zone = spec.time_zone
    try:
        window = MaintenanceWindow(
            name=model.metadata.name,
            services=tuple(spec.services),
            start=parse_instant(spec.start, zone=zone),
            end=parse_instant(spec.end, zone=zone),
            announced_at=parse_instant(spec.announced_at, zone=zone),
            customers=tuple(spec.customers),
            display_name=(model.metadata.display_name or "").strip(),
        )
    except InputError as exc:
        problem = at(
            doc,
            ("spec", "end"),
            code="invalid-maintenance",
            message=exc.message,
            fix="end the window after it starts",
        )
        return None, [problem]
    return window, []


def _agreement(
    doc: SourceDocument, model: AgreementDocument, ctx: _Context
) -> list[tuple[PathKey, AgreementVersion]]:
    spec = model.spec
    before = len(ctx.problems)
    ctx.problems += check_agreement(doc, model, weeks=ctx.weeks)
    customer = ctx.customers.get(spec.customer)
    if customer is None:
        ctx.missing(doc, ("spec", "customer"), "Customer", spec.customer)
    built: list[tuple[PathKey, AgreementVersion]] = []
    for i, version in enumerate(spec.versions):
        here: PathKey = ("spec", "versions", i)
        currency = version.currency or (customer.currency if customer else "")
        if currency:
            ctx.problems += _precision(doc, version, here, currency)
        result = _version(doc, model=model, spec=version, here=here, customer=customer, ctx=ctx)
        if result is not None:
            built.append((here, result))
    if any(p.severity == "error" for p in ctx.problems[before:]) or not ctx.build:
        return []
    return built


def _version(
    doc: SourceDocument,
    *,
    model: AgreementDocument,
    spec: VersionSpec,
    here: PathKey,
    customer: Customer | None,
    ctx: _Context,
) -> AgreementVersion | None:
    zone = spec.period.time_zone
    availability = [
        _availability(doc, item, (*here, "availability", j), ctx, zone)
        for j, item in enumerate(spec.availability)
    ]
    support = [
        _support(doc, item, (*here, "support", j), ctx) for j, item in enumerate(spec.support)
    ]
    currency = spec.currency or (customer.currency if customer else "")
    built_availability = [a for a in availability if a is not None]
    built_support = [s for s in support if s is not None]
    if len(built_availability) < len(availability) or len(built_support) < len(support):
        return None
    try:
        return AgreementVersion(
            agreement=model.metadata.name,
            version=spec.version,
            customer=model.spec.customer,
            status=VersionStatus(spec.status),
            effective_from=parse_instant(spec.effective_from, zone=zone),
            effective_to=parse_instant(spec.effective_to, zone=zone) if spec.effective_to else None,
            currency=currency or "XXX",
            fees=tuple(sorted(spec.fees.items())),
            period=PeriodUnit(spec.period.unit),
            zone=zone,
            availability=tuple(built_availability),
            support=tuple(built_support),
            signatories=tuple(_party(p, zone) for p in spec.signatories),
            approvals=tuple(_party(p, zone) for p in spec.approvals),
            reason=(spec.reason or "").strip(),
            cap_percent=spec.cap.percent if spec.cap else None,
            cap_amount=spec.cap.amount if spec.cap else None,
        )
    except InputError:
        return None  # reported by check_agreement (dates, numbering)


def _amounts(version: VersionSpec, here: PathKey) -> list[tuple[PathKey, Decimal]]:
    """Every amount of money a version states, with where it is written."""
    out: list[tuple[PathKey, Decimal]] = [
        ((*here, "fees", service), fee) for service, fee in version.fees.items()
    ]
    if version.cap is not None and version.cap.amount is not None:
        out.append(((*here, "cap", "amount"), version.cap.amount))
    for j, item in enumerate(version.availability):
        path: PathKey = (*here, "availability", j)
        if item.cap is not None and item.cap.amount is not None:
            out.append(((*path, "cap", "amount"), item.cap.amount))
        minimum = item.minimum_credit
        if isinstance(minimum, MinimumCreditSpec):
            out += [
                ((*path, "minimumCredit", key), value)
                for key, value in (("atLeast", minimum.at_least), ("above", minimum.above))
                if value is not None
            ]
        elif minimum is not None:
            out.append(((*path, "minimumCredit"), minimum))
    for j, support in enumerate(version.support):
        if support.penalty is not None and support.penalty.amount is not None:
            out.append(((*here, "support", j, "penalty", "amount"), support.penalty.amount))
    return out


def _precision(
    doc: SourceDocument, version: VersionSpec, here: PathKey, currency: str
) -> list[Problem]:
    """Amounts with more decimals than ``currency`` has (ISO 4217 minor units)."""
    digits = minor_units(currency)
    problems = []
    for path, amount in _amounts(version, here):
        exponent = amount.normalize().as_tuple().exponent
        if isinstance(exponent, int) and -exponent > digits:
            rounded = amount.quantize(Decimal(1).scaleb(-digits))
            unit = "no decimals" if digits == 0 else f"{digits} decimal(s)"
            problems.append(
                at(
                    doc,
                    path,
                    code="money-precision",
                    message=f"{amount} {currency} has more decimals than {currency} has "
                    f"({unit}, ISO 4217)",
                    fix=f'write the amount in whole {currency} minor units, e.g. "{rounded}"',
                )
            )
    return problems


def _party(spec: PartySpec, zone: str) -> Party:
    signed = parse_instant(spec.signed_at, zone=zone) if spec.signed_at else None
    return Party(name=spec.name, role=spec.role, signed_at=signed)


def _slo_refs(doc: SourceDocument, names: Sequence[str], path: PathKey, ctx: _Context) -> None:
    for i, name in enumerate(names):
        if name not in ctx.slos:
            ctx.missing(doc, (*path, i), "SLO", name)


def _series(doc: SourceDocument, ref: str, path: PathKey, ctx: _Context) -> str | None:
    """The bucket series of the SLO (or ``slo/objective``) named ``ref``."""
    slo = ref.split("/", 1)[0]
    if slo not in ctx.slos:
        ctx.missing(doc, path, "SLO", ref)
        return None
    if not ctx.build:
        return None
    matching = [o for o in ctx.objectives if ref in {o.key, o.slo}]
    series = sorted({o.series for o in matching})
    if len(series) == 1:
        return series[0]
    if not series:
        message = f"SLO {ref!r} has no evaluated objective to measure downtime on"
        fix = "refer to an SLO with a single-indicator objective (not a composite)"
    else:
        message = f"SLO {ref!r} has objectives on different series: {', '.join(series)}"
        fix = "name one objective: " + " or ".join(repr(o.key) for o in matching)
    ctx.problems.append(at(doc, path, code="ambiguous-reference", message=message, fix=fix))
    return None


def _availability(
    doc: SourceDocument, spec: AvailabilitySpec, here: PathKey, ctx: _Context, zone: str = "UTC"
) -> AvailabilityCommitment | None:
    _slo_refs(doc, spec.backed_by, (*here, "backedBy"), ctx)
    m = spec.measurement
    series = None
    if m.slo is not None and m.source != "incidents":
        series = _series(doc, m.slo, (*here, "measurement", "slo"), ctx)
    tiers: list[CreditTier] = []
    for k, tier_spec in enumerate(spec.credits):
        tier, _ = tier_of(doc, tier_spec, (*here, "credits", k))  # problems: check_agreement
        if tier is not None:
            tiers.append(tier)
    level, _ = committed_level(doc, spec, here)  # problems: check_agreement
    if not ctx.build or level is None:
        return None
    rate = m.error_rate_at_least if m.error_rate_at_least is not None else m.error_rate_above
    notice = spec.exclusions.maintenance_notice
    claim = spec.claim_deadline
    cap = spec.cap
    minimum = spec.minimum_credit
    if isinstance(minimum, MinimumCreditSpec):
        minimum_amount = minimum.above if minimum.above is not None else minimum.at_least
        minimum_inclusive = minimum.above is None
    else:
        minimum_amount, minimum_inclusive = minimum, True
    try:
        return AvailabilityCommitment(
            name=spec.name,
            services=tuple(spec.services),
            level=level,
            measurement=Measurement(
                source=DowntimeSource(m.source),
                series=series,
                interval_s=parse_duration(m.interval).seconds if m.interval else 60,
                threshold=None if rate is None else Fraction(rate) / 100,
                threshold_inclusive=m.error_rate_above is None,
                severities=frozenset(m.severities),
                records_from=None
                if m.records_from is None or m.source != "incidents"
                else parse_instant(m.records_from, zone=zone),
                components=tuple(m.components),
                components_down=m.at_least_down or 0,
                minimum_run_s=None
                if m.minimum_run is None or m.source != "bad-intervals"
                else parse_duration(m.minimum_run).seconds,
            ),
            exclusions=Exclusions(
                maintenance_notice_s=parse_duration(notice).seconds if notice else None,
                customer_caused=spec.exclusions.customer_caused,
                force_majeure=spec.exclusions.force_majeure,
            ),
            eligible=EligibleTime(spec.eligible),
            remedies=Remedies(
                tiers=tuple(tiers),
                cap_percent=cap.percent if cap else None,
                cap_amount=cap.amount if cap else None,
                minimum_credit=minimum_amount,
                minimum_inclusive=minimum_inclusive,
                claim=None
                if claim is None
                else ClaimDeadline(rule=ClaimRule.PERIODS_AFTER, count=claim.periods_after)
                if claim.periods_after is not None
                else ClaimDeadline(
                    rule=ClaimRule.DAYS_AFTER_PERIOD, count=claim.days_after_period or 0
                ),
            ),
            backing_slos=tuple(spec.backed_by),
            display_name=(spec.display_name or "").strip(),
            terms=" ".join((spec.terms or "").split()),
        )
    except InputError:
        return None  # the field problem is reported by check_agreement or the SLO lookup


def _support(
    doc: SourceDocument, spec: SupportSpec, here: PathKey, ctx: _Context
) -> SupportCommitment | None:
    _slo_refs(doc, spec.backed_by, (*here, "backedBy"), ctx)
    if spec.calendar is not None and spec.calendar not in ctx.calendars:
        ctx.missing(doc, (*here, "calendar"), "Calendar", spec.calendar)
    if not ctx.build:
        return None
    targets = tuple(
        SupportTarget(
            priority=priority,
            first_response_s=parse_duration(t.first_response).seconds if t.first_response else None,
            resolution_s=parse_duration(t.resolution).seconds if t.resolution else None,
        )
        for priority, t in spec.targets.items()
    )
    penalty = spec.penalty
    commitment = SupportCommitment(
        name=spec.name,
        calendar=spec.calendar,
        targets=targets,
        attainment=Fraction(spec.attainment) / 100,
        penalty_percent=penalty.percent if penalty else None,
        penalty_amount=penalty.amount if penalty else None,
        backing_slos=tuple(spec.backed_by),
        display_name=(spec.display_name or "").strip(),
        terms=" ".join((spec.terms or "").split()),
    )
    if spec.pause_states is not None:
        commitment = replace(commitment, pause_states=frozenset(spec.pause_states))
    return commitment
