"""Evaluation results as a table for people and as stable JSON for machines.

The JSON schema (``covenant.evaluate/v1``) is documented in docs/evaluate-json.md; fields are
only ever added, never renamed or removed, within a schema version.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from fractions import Fraction
from typing import Any

from covenant.core.composite import CompositeObjective
from covenant.core.corrections import Corrected, CorrectionWindow
from covenant.core.elapsed import not_yet_note
from covenant.core.model import CalendarWindow, Objective, RollingWindow
from covenant.core.results import Burn, Evaluation, Stale, Status, TierResult
from covenant.core.timeutil import shorthand

SCHEMA = "covenant.evaluate/v1"

STATUS_STYLE = {
    Status.BREACHED: "bold red",
    Status.PAGING: "red",
    Status.WARNING: "yellow",
    Status.OK: "green",
    Status.NO_DATA: "dim",
}


def iso(instant: datetime) -> str:
    return instant.astimezone(UTC).isoformat().replace("+00:00", "Z")


def minute_text(instant: datetime) -> str:
    """An instant to the minute in UTC, for tables: ``2026-11-27 09:30Z``."""
    return instant.astimezone(UTC).strftime("%Y-%m-%d %H:%MZ")


def exact(value: Fraction | None) -> dict[str, Any]:
    """A ratio as a JSON number (for convenience) and as an exact fraction string."""
    if value is None:
        return {"value": None, "exact": None}
    return {
        "value": float(value),
        "exact": f"{int_text(value.numerator)}/{int_text(value.denominator)}",
    }


SHORT_INT_DIGITS = 4000
"""Integers this long are written by ``str`` (Python refuses more than 4,300 digits)."""


def int_text(n: int) -> str:
    """``str(n)`` for integers of any length: a RatioTimeslices mean over thousands of slices
    with unrelated event counts is a fraction of tens of thousands of digits. Halves are
    written separately (divide and conquer, also faster than ``str``'s quadratic loop)."""
    if n < 0:
        return "-" + int_text(-n)
    if n.bit_length() < SHORT_INT_DIGITS * 3:  # < 10**3600
        return str(n)
    half = (n.bit_length() * 3 // 10) // 2  # about half the digits
    high, low = divmod(n, 10**half)
    return int_text(high) + int_text(low).rjust(half, "0")


def window_json(objective: Objective) -> dict[str, Any]:
    w = objective.window
    if isinstance(w, RollingWindow):
        return {"kind": "rolling", "seconds": w.seconds}
    return {
        "kind": "calendar",
        "unit": w.unit.value,
        "count": w.count,
        "zone": w.zone,
        "anchor": iso(w.anchor) if w.anchor else None,
    }


def burn_json(burn: Burn | None) -> dict[str, Any] | None:
    if burn is None:
        return None
    return {
        "window_seconds": burn.window_s,
        "start": iso(burn.start),
        "end": iso(burn.end),
        "rate": exact(burn.rate),
        "events": burn.events,
        "no_data": burn.no_data,
        "no_data_policy_slices": burn.policy_filled,
        "no_data_policy_note": burn.policy_note,
    }


def tier_json(tier: TierResult) -> dict[str, Any]:
    return {
        "tier": tier.name,
        "severity": tier.severity,
        "threshold": exact(tier.threshold),
        "firing": tier.firing,
        "long": burn_json(tier.long),
        "short": burn_json(tier.short),
    }


def stale_json(stale: Stale | None) -> dict[str, Any] | None:
    if stale is None:
        return None
    return {
        "kind": stale.kind,
        "source": stale.source,
        "code": stale.code,
        "failed_at": None if stale.failed_at is None else iso(stale.failed_at),
        "data_until": None if stale.data_until is None else iso(stale.data_until),
        "query": stale.query,
    }


def evaluation_json(e: Evaluation) -> dict[str, Any]:
    o = e.objective
    budget = None
    if e.budget is not None:
        budget = {
            "unit": e.budget.unit,
            "allowed": exact(e.budget.allowed),
            "consumed": exact(e.budget.consumed),
            "remaining": exact(e.budget.remaining),
            "remaining_ratio": exact(e.budget.remaining_ratio),
        }
    tte = e.time_to_exhaustion
    return {
        "slo": o.slo,
        "objective": o.name,
        "display_name": o.display_name,
        "service": o.service,
        "sli": o.sli,
        "series": o.series,
        "budgeting_method": o.method.value,
        "target": exact(o.target),
        "window": window_json(o),
        "window_start": iso(e.window_start),
        "window_end": iso(e.window_end),
        "period_end": iso(e.period_end),
        "status": e.status.value,
        "no_data": e.no_data,
        "no_data_policy_note": e.policy_note,
        "no_data_policy_slices": e.policy_filled,
        "stale": stale_json(e.stale),
        "data_from": None if e.data_from is None else iso(e.data_from),
        "coverage_note": e.coverage_note,
        "unit": e.unit,
        "good": e.good,
        "total": e.total,
        "sli_value": exact(e.sli),
        "below_target": None if e.sli is None else e.sli < o.target,
        "budget": budget,
        "burn_rate": burn_json(e.burn),
        "time_to_exhaustion_seconds": None if tte is None else int(tte.total_seconds()),
        "time_to_exhaustion_note": e.exhaustion_note,
        "alerts": [tier_json(t) for t in e.tiers],
        "firing": [t.name for t in e.firing],
    }


# Fields of a result that describe the objective rather than its figures: ``corrected`` holds
# the rest (the same shape of figures, after corrections).
_IDENTITY = (
    "slo",
    "objective",
    "display_name",
    "service",
    "sli",
    "series",
    "budgeting_method",
    "target",
    "window",
)

CompositeRow = tuple[CompositeObjective, Evaluation, Corrected]


def figures_json(e: Evaluation) -> dict[str, Any]:
    """An evaluation's figures without the objective's description (for ``corrected``)."""
    data = evaluation_json(e)
    for key in _IDENTITY:
        del data[key]
    return data


def correction_json(w: CorrectionWindow, revisions: Mapping[str, int]) -> dict[str, Any]:
    return {
        "name": w.name,
        "author": w.author,
        "reason": w.reason,
        "start": iso(w.start),
        "end": iso(w.end),
        "revision": revisions.get(w.revision),
        "content_sha256": w.revision,
    }


def composite_json(c: CompositeObjective) -> dict[str, Any]:
    return {
        "method": c.objective.method.value,
        "components": [
            {
                "objective": part.objective.key,
                "sli": part.objective.sli,
                "series": part.objective.series,
                "target": exact(part.objective.target),
                "weight": exact(part.weight),
                "integer_weight": weight,
                "time_slice_target": exact(part.objective.time_slice_target)
                if part.objective.time_slice_target is not None
                else None,
                "no_data_policy": part.objective.no_data.value,
            }
            for part, weight in zip(c.components, c.integer_weights, strict=True)
        ],
    }


def result_json(
    e: Evaluation,
    corrected: Corrected | None = None,
    *,
    composite: CompositeObjective | None = None,
    revisions: Mapping[str, int] | None = None,
) -> dict[str, Any]:
    """One result: the raw figures, the corrected ones (or null), the corrections, the status
    a gate uses (``effective_status``) and, for a composite, its components."""
    fixed = corrected.evaluation if corrected is not None else None
    windows = corrected.windows if corrected is not None else ()
    return {
        **evaluation_json(e),
        "effective_status": (fixed or e).status.value,
        "corrected": None if fixed is None else figures_json(fixed),
        "corrections": [correction_json(w, revisions or {}) for w in windows],
        "composite": None if composite is None else composite_json(composite),
    }


def report_json(
    at: datetime,
    evaluations: tuple[Evaluation, ...],
    *,
    corrected: Sequence[Corrected] = (),
    composites: Sequence[CompositeRow] = (),
    revisions: Mapping[str, int] | None = None,
    measured_until: datetime | None = None,
) -> dict[str, Any]:
    """The report; ``summary`` counts each result by its effective status. ``measured_until``
    is where counting stopped (``at``, or now for an ``at`` after now; None: ``at``)."""
    results = [
        result_json(e, corrected[i] if corrected else None, revisions=revisions)
        for i, e in enumerate(evaluations)
    ]
    results += [result_json(e, k, composite=c, revisions=revisions) for c, e, k in composites]
    until = min(at, measured_until) if measured_until is not None else at
    summary = {s.value: 0 for s in Status}
    for result in results:
        summary[result["effective_status"]] += 1
    return {
        "schema": SCHEMA,
        "at": iso(at),
        "measured_until": iso(until),
        "not_yet_note": not_yet_note(at, until),
        "summary": {"objectives": len(results), **summary},
        "results": results,
    }


def percent(value: Fraction | None, digits: int = 3) -> str:
    """A ratio shown as a percentage for people (display only; decisions use exact values)."""
    if value is None:
        return "—"
    return f"{float(value) * 100:.{digits}f} %"


def target_percent(value: Fraction, digits: int = 6) -> str:
    """A target (or a committed level) as a percentage as written, every digit: 999/1000 →
    ``99.9 %``, 999999999/10^9 → ``99.9999999 %`` — never rounded up to a "100 %" the file
    does not say. A value whose decimals do not end (2/3) is shown to ``digits`` decimals."""
    scaled = value * 100
    rest, places = scaled.denominator, 0
    for prime in (2, 5):
        count = 0
        while rest % prime == 0:
            rest //= prime
            count += 1
        places = max(places, count)
    if rest != 1:
        return f"{f'{float(scaled):.{digits}f}'.rstrip('0').rstrip('.')} %"
    n = abs(scaled.numerator) * 10**places // scaled.denominator  # exact: the decimals end
    text = str(n).rjust(places + 1, "0")
    whole, decimals = text[: len(text) - places], text[len(text) - places :].rstrip("0")
    sign = "-" if scaled < 0 else ""
    return f"{sign}{whole}{'.' + decimals if decimals else ''} %"


def rate_text(value: Fraction | None) -> str:
    return "—" if value is None else f"{float(value):.2f}×"


def duration_text(value: timedelta | None) -> str:
    if value is None:
        return "—"
    seconds = int(value.total_seconds())
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    if days:
        return f"{days}d {hours}h"
    if hours:
        return f"{hours}h {minutes}m"
    return f"{minutes}m"


span_text = shorthand
"""A window length as short as it reads: ``5m``, ``1h``, ``3d``, ``90s`` (``core.timeutil``)."""


def window_text(objective: Objective) -> str:
    w = objective.window
    if isinstance(w, CalendarWindow):
        count = "" if w.count == 1 else f"{w.count} × "
        return f"{count}{w.unit.value.lower()} ({w.zone})"
    return f"rolling {span_text(w.seconds)}"
