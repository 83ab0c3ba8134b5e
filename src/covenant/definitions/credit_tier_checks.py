"""Credit tier rules of an availability commitment: each tier's bounds, the committed level
they imply, and how the tiers together cover the levels below the commitment.

Exact: bounds are ``Fraction`` ratios; the tiers are tested at every bound and between
consecutive bounds. A tier that pays while the committed level is met is an error; overlaps and
gaps are warnings.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from decimal import Decimal
from fractions import Fraction

from covenant.core.agreements import CreditTier
from covenant.definitions.agreements import AvailabilitySpec, TierSpec
from covenant.definitions.diagnostics import WARNING, at, conflict
from covenant.definitions.yamlsource import PathKey, SourceDocument
from covenant.errors import Problem


def tier_of(
    doc: SourceDocument, spec: TierSpec, here: PathKey
) -> tuple[CreditTier | None, list[Problem]]:
    """A core tier from ``{below|atMost, atLeast|above, credit}``."""
    problems: list[Problem] = []
    for first, second in (("below", "atMost"), ("atLeast", "above")):
        a, b = getattr(spec, _snake(first)), getattr(spec, _snake(second))
        if a is not None and b is not None:
            problems.append(conflict(doc, (*here, second), first, second))
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


def tier_problems(
    doc: SourceDocument, item: AvailabilitySpec, here: PathKey, level: Fraction
) -> list[Problem]:
    problems: list[Problem] = []
    tiers: list[tuple[int, CreditTier]] = []
    for k, spec in enumerate(item.credits):
        tier, found = tier_of(doc, spec, (*here, "credits", k))
        problems += found
        if tier is not None:
            tiers.append((k, tier))
    if problems or not tiers or doc.broken_at((*here, "credits"), (*here, "level")):
        # a tier in error, or a tier or level stood in for (partial): none is compared
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
