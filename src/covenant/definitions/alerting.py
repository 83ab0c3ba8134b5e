"""Burn-rate alert tiers of an SLO: defaults, OpenSLO burn-rate conditions, covenant overrides.

The order of application (documented in docs/definitions.md):

1. Start from the four SRE Workbook defaults (``page-fast``, ``page-slow``, ``ticket-fast``,
   ``ticket-slow``) — unless ``alerting.defaults: false``, or the SLO has OpenSLO alert
   policies whose burn-rate conditions give tiers: those conditions replace the defaults.
2. An OpenSLO ``burnrate`` condition becomes a tier named after the condition: long window =
   ``lookbackWindow``, short window = long / 12 rounded down to whole minutes (at least
   one: the engine counts whole minutes, so a 7m30s window would count 7), burn rate =
   ``threshold``, severity = the condition's ``severity``, pending period = ``alertAfter``
   (the condition must hold that long before the alert fires; default 0, as OpenSLO says).
   ``op: lt``/``lte`` conditions are ignored with a warning (a burn-rate alert fires on a high
   burn).
3. ``alerting.tiers`` entries with the name of an existing tier override it field by field
   (``enabled: false`` removes it); other names add a tier and must be complete. ``op: gt``
   fires only strictly above the threshold (Sloth, Pyrra and slo-generator compare so);
   the default ``gte`` fires at it or above.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from decimal import Decimal
from fractions import Fraction

from covenant.core.model import AlertTier, default_alert_tiers
from covenant.definitions.covenant_v1 import AlertingSpec, TierSpec
from covenant.definitions.diagnostics import at
from covenant.definitions.durations import parse_duration
from covenant.definitions.fields import pause_seconds
from covenant.definitions.openslo import AlertConditionSpec
from covenant.definitions.yamlsource import PathKey, SourceDocument
from covenant.errors import InputError, Problem

SHORT_WINDOW_DIVISOR = 12
MINUTE = 60  # the engine's bucket: an alert window is counted in whole minutes


def check_alerting(doc: SourceDocument, alerting: AlertingSpec, path: PathKey) -> list[Problem]:
    """Rules of one ``alerting`` block that need no other document."""
    problems: list[Problem] = []
    seen: dict[str, int] = {}
    for index, tier in enumerate(alerting.tiers):
        here = (*path, "tiers", index)
        named = not doc.broken_at((*here, "name"))  # a refused name stands in for nothing
        if named and tier.name in seen:
            problems.append(
                at(
                    doc,
                    (*here, "name"),
                    code="duplicate-name",
                    message=f"tier {tier.name!r} is also defined at tiers[{seen[tier.name]}]",
                    fix="merge the two entries",
                )
            )
        if named:
            seen.setdefault(tier.name, index)
        if tier.budget_percent is not None and tier.burn_rate is not None:
            problems.append(
                at(
                    doc,
                    (*here, "burnRate"),
                    code="conflicting-fields",
                    message="give budgetPercent or burnRate, not both",
                    fix="keep one of them",
                )
            )
        if tier.budget_percent is not None and tier.budget_percent > 100:
            problems.append(
                at(
                    doc,
                    (*here, "budgetPercent"),
                    code="invalid-value",
                    message=f"budgetPercent {tier.budget_percent} is above 100",
                    fix="write the share of the window's budget in percent, e.g. 2",
                )
            )
        for key, value in (("longWindow", tier.long_window), ("shortWindow", tier.short_window)):
            if value is not None and not parse_duration(value).is_fixed:
                problems.append(
                    at(
                        doc,
                        (*here, key),
                        code="invalid-duration",
                        message=f"an alert window of {value} has no fixed length",
                        fix="use m, h, d or w (e.g. 1h, 5m)",
                    )
                )
    return problems


def tier_from_condition(name: str, spec: AlertConditionSpec) -> AlertTier | None:
    """An OpenSLO burn-rate condition as a tier (None: it cannot be one)."""
    condition = spec.condition
    if condition.op in {"lt", "lte"}:
        return None
    long_s = parse_duration(condition.lookback_window).seconds
    short_s = max(MINUTE, long_s // SHORT_WINDOW_DIVISOR // MINUTE * MINUTE)
    return AlertTier(
        name=name,
        severity=spec.severity,
        long_window_s=long_s,
        short_window_s=short_s,
        burn_rate=Fraction(condition.threshold),
        inclusive=condition.op != "gt",  # gt fires strictly above the threshold
        for_s=pause_seconds(condition.alert_after),
    )


def resolve_tiers(
    doc: SourceDocument,
    *,
    alerting: AlertingSpec | None,
    alerting_path: PathKey,
    from_conditions: Sequence[AlertTier],
) -> tuple[tuple[AlertTier, ...], list[Problem]]:
    """The SLO's tiers after defaults, conditions and overrides (see the module docstring)."""
    use_defaults = (alerting is None or alerting.defaults) and not from_conditions
    tiers: dict[str, AlertTier] = {}
    if use_defaults:
        tiers.update((tier.name, tier) for tier in default_alert_tiers())
    tiers.update((tier.name, tier) for tier in from_conditions)
    problems: list[Problem] = []
    for index, spec in enumerate(alerting.tiers if alerting else ()):
        here = (*alerting_path, "tiers", index)
        if not spec.enabled:
            tiers.pop(spec.name, None)
            continue
        try:
            tiers[spec.name] = _apply(tiers.get(spec.name), spec)
        except InputError as exc:
            problems.append(
                at(doc, here, code="invalid-alert-tier", message=exc.message, fix=exc.hint)
            )
    return tuple(tiers.values()), problems


def _apply(base: AlertTier | None, spec: TierSpec) -> AlertTier:
    if base is None:
        missing = [
            key
            for key, value in (
                ("severity", spec.severity),
                ("longWindow", spec.long_window),
                ("shortWindow", spec.short_window),
            )
            if value is None
        ]
        if spec.budget_percent is None and spec.burn_rate is None:
            missing.append("budgetPercent or burnRate")
        if missing:
            raise InputError(
                f"new alert tier {spec.name!r} needs {', '.join(missing)}",
                hint="give every field, or use a default tier's name (page-fast, page-slow, "
                "ticket-fast, ticket-slow) to override it",
            )
    severity = spec.severity or (base.severity if base else "page")
    long_s = parse_duration(spec.long_window).seconds if spec.long_window else None
    short_s = parse_duration(spec.short_window).seconds if spec.short_window else None
    budget = _fraction(spec.budget_percent, 100)
    rate = _fraction(spec.burn_rate, 1)
    if base is not None:
        if budget is None and rate is None:
            budget, rate = base.budget_fraction, base.burn_rate
        return replace(
            base,
            severity=severity,
            long_window_s=long_s or base.long_window_s,
            short_window_s=short_s or base.short_window_s,
            budget_fraction=budget,
            burn_rate=rate,
            inclusive=base.inclusive if spec.op is None else spec.op == "gte",
        )
    assert long_s is not None
    assert short_s is not None
    return AlertTier(
        name=spec.name,
        severity=severity,
        long_window_s=long_s,
        short_window_s=short_s,
        budget_fraction=budget,
        burn_rate=rate,
        inclusive=spec.op != "gt",
    )


def _fraction(value: Decimal | None, scale: int) -> Fraction | None:
    return None if value is None else Fraction(value) / scale
