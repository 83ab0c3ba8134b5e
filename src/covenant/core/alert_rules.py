"""Which alerts hold at an instant, from results the engine already computed (pure).

Each function turns results into :class:`~covenant.core.alert_state.AlertCondition` values —
one per alert that *could* fire, ``active`` when it does now — for ``alert_state.advance``.

- Burn rate: one alert per objective and tier, active while the tier fires (both windows at
  or above its threshold: ``TierResult.firing``, the engine's own decision). Its labels are
  the ones the generated Prometheus rules put on the same alert (``sloth_id``,
  ``sloth_service``, ``sloth_slo``, ``sloth_severity``, ``severity``, ``covenant_tier``,
  ``alertname``), so Alertmanager routes both alike. When a good/bad no-data policy counted
  slices of either window for want of events, the description says how many
  (``Burn.policy_note``): an alert a policy made must not read as if measured.
- No data (OpenSLO ``alertWhenNoData``): one alert per objective and tier that a policy asking
  for it routes, active while the tier has no burn rate — either of its windows holds no events
  (or fewer than the SLO's minimum) — or the SLO's source is stale. No data is never counted
  good or bad: this alert says only that the burn-rate alert cannot be decided.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from covenant.core.alert_state import AlertCondition
from covenant.core.model import Objective
from covenant.core.notices import NoticeKind
from covenant.core.results import Burn, Evaluation, TierResult
from covenant.core.timeutil import shorthand


@dataclass(frozen=True, slots=True, kw_only=True)
class TierSwitches:
    """Which alerts of one tier are wanted: the OpenSLO AlertPolicy switches
    ``alertWhenBreaching``, ``alertWhenNoData`` and ``alertWhenResolved`` (their defaults when
    no policy says; ``definitions.alert_switches``)."""

    breaching: bool = True
    no_data: bool = False
    resolved: bool = True


def slo_label(o: Objective) -> str:
    """The ``sloth_slo`` label: the SLO's name (or ``Objective.sloth_slo``), and its objective's
    name when it has one."""
    slo = o.sloth_slo or o.slo
    if not o.name:
        return slo
    slug = re.sub(r"[^a-z0-9]+", "-", o.name.lower()).strip("-") or "objective"
    return f"{slo}-{slug}"


def service_label(o: Objective) -> str:
    return o.sloth_service or o.service or o.slo


def sloth_ids(o: Objective) -> dict[str, str]:
    """``sloth_id``, ``sloth_service`` and ``sloth_slo`` as Sloth names them."""
    service, slo = service_label(o), slo_label(o)
    return {"sloth_id": f"{service}-{slo}", "sloth_service": service, "sloth_slo": slo}


def alert_name(o: Objective) -> str:
    """``CheckoutAvailabilityBurnRate``: the SLO label in camel case, then ``BurnRate`` (or
    the name its routing gives: a Sloth file's ``alerting.name``)."""
    if o.routing is not None and o.routing.name:
        return o.routing.name
    words = re.split(r"[^A-Za-z0-9]+", slo_label(o))
    return "".join(p[:1].upper() + p[1:] for p in words if p) + "BurnRate"


def no_data_alert_name(o: Objective) -> str:
    """``CheckoutAvailabilityNoData``: the no-data alert of the same SLO."""
    return alert_name(o).removesuffix("BurnRate") + "NoData"


def _percent(value: Fraction) -> str:
    return f"{float(value) * 100:.4g} %"


def _rate(burn: Burn) -> str:
    """The burn rate to three significant digits, written out (``1000``, ``0.00001``): never
    ``1e+03``, which is what ``:.3g`` makes of a rate of 1000 or more."""
    if burn.rate is None:
        return "no data"
    return format(Decimal(f"{float(burn.rate):.3g}"), "f")


def held(e: Evaluation) -> bool:
    """Whether ``e`` is stale because its source stopped answering (``Stale.held``): its tiers
    describe data that stopped arriving, not the service."""
    return e.stale is not None and e.stale.held


def burns(inclusive: bool) -> str:
    """How a tier compares its burn rate with its threshold, in words (``op: gte`` or ``gt``)."""
    return "at or above" if inclusive else "above"


def burn_rate_key(o: Objective, tier: str) -> str:
    return f"burn-rate/{o.key}/{tier}"


def stale_keys(evaluations: Sequence[Evaluation]) -> list[str]:
    """The burn-rate keys of stale evaluations: their alerts keep their state."""
    return [burn_rate_key(e.objective, t.name) for e in evaluations if held(e) for t in e.tiers]


Route = Callable[[Objective, str], "tuple[str, ...] | None"]
"""The delivery targets of an objective's tier (``definitions.routing``; None: not routed)."""


def burn_rate_conditions(
    evaluations: Sequence[Evaluation], *, route: Route | None = None
) -> list[AlertCondition]:
    """The condition of every firing tier (``advance`` treats a key without a condition as not
    holding, so quiet tiers — most of them, most of the time — cost nothing); none for a stale
    evaluation (see :func:`stale_keys`). ``route`` names each alert's delivery targets."""
    out: list[AlertCondition] = []
    for e in evaluations:
        if not any(t.firing for t in e.tiers):
            continue
        if held(e):
            continue
        o = e.objective
        ids = sloth_ids(o)
        pending_s = {t.name: t.for_s for t in o.alert_tiers}
        inclusive = {t.name: t.inclusive for t in o.alert_tiers}
        for tier in e.tiers:
            if not tier.firing:
                continue
            pages = tier.severity.lower() in {"page", "critical"}
            labels = {
                "alertname": alert_name(o),
                **ids,
                "severity": tier.severity,
                "sloth_severity": "page" if pages else "ticket",
                "covenant_tier": tier.name,
            }
            long_w, short_w = tier.long, tier.short
            compared = burns(inclusive.get(tier.name, True))
            summary = (
                f"{o.display_name or o.key}: the error budget burns {compared} the "
                f"{tier.name} threshold over both {shorthand(long_w.window_s)} and "
                f"{shorthand(short_w.window_s)}."
            )
            description = (
                f"Burn rate {_rate(long_w)} over {shorthand(long_w.window_s)} and "
                f"{_rate(short_w)} over {shorthand(short_w.window_s)} "
                f"(threshold {float(tier.threshold):.3g}); objective {_percent(o.target)}."
            )
            if e.budget is not None and e.budget.remaining_ratio is not None:
                description += f" Budget left: {_percent(e.budget.remaining_ratio)}."
            description += _filled(long_w, short_w)
            annotations = {
                "title": f"({labels['sloth_severity']}) {ids['sloth_service']} "
                f"{ids['sloth_slo']} SLO error budget burn rate is too fast.",
                "summary": summary,
                "description": description,
            }
            if o.routing is not None:  # the SLO's labels, a Sloth file's alerting
                labels = o.routing.labels_over(labels, pages=pages, tier=tier.name)
                annotations = o.routing.annotations_over(annotations, pages=pages)
            out.append(
                AlertCondition(
                    key=burn_rate_key(o, tier.name),
                    kind=NoticeKind.BURN_RATE,
                    severity=tier.severity,
                    labels=labels,
                    annotations=annotations,
                    for_s=pending_s.get(tier.name, 0),
                    targets=route(o, tier.name) if route is not None else None,
                )
            )
    return out


def _filled(*windows: Burn) -> str:
    """`` No-data policy: over 1h, 10 of 60 slices had no events and were counted bad by
    noDataPolicy: bad.`` for the windows whose rate a good/bad policy filled (else "")."""
    said = [f"over {shorthand(w.window_s)}, {w.policy_note}" for w in windows if w.policy_note]
    return f" No-data policy: {'; '.join(said)}." if said else ""


def no_data_key(o: Objective, tier: str) -> str:
    return f"no-data/{o.key}/{tier}"


def _no_data_reason(e: Evaluation, tier: TierResult) -> str | None:
    """Why ``tier`` of ``e`` has no burn rate now (None: it has one)."""
    if held(e):
        return e.no_data
    for w in (tier.short, tier.long):
        if w.rate is None:
            return w.no_data or "no events"
    return None


def no_data_conditions(evaluations: Sequence[Evaluation], *, route: Route) -> list[AlertCondition]:
    """The condition of every tier without a burn rate whose ``route`` names targets (a policy
    with ``alertWhenNoData: true``); it waits the tier's ``alertAfter`` like its burn-rate
    alert."""
    out: list[AlertCondition] = []
    for e in evaluations:
        o = e.objective
        pending_s = {t.name: t.for_s for t in o.alert_tiers}
        for tier in e.tiers:
            reason = _no_data_reason(e, tier)
            if reason is None:
                continue
            targets = route(o, tier.name)
            if not targets:
                continue
            ids = sloth_ids(o)
            pages = tier.severity.lower() in {"page", "critical"}
            labels = {
                "alertname": no_data_alert_name(o),
                **ids,
                "severity": tier.severity,
                "sloth_severity": "page" if pages else "ticket",
                "covenant_tier": tier.name,
            }
            minutes = (tier.short.window_s // 60, tier.long.window_s // 60)
            if o.routing is not None:  # routed as its burn-rate alert (its own name kept)
                labels = o.routing.labels_over(labels, pages=pages, tier=tier.name)
            out.append(
                AlertCondition(
                    key=no_data_key(o, tier.name),
                    kind=NoticeKind.NO_DATA,
                    severity=tier.severity,
                    labels=labels,
                    annotations={
                        "title": f"({labels['sloth_severity']}) {ids['sloth_service']} "
                        f"{ids['sloth_slo']} SLO has no data.",
                        "summary": f"{o.display_name or o.key}: no burn rate for the "
                        f"{tier.name} alert over {minutes[0]} min and {minutes[1]} min, so it "
                        "cannot fire.",
                        "description": f"No data: {reason}.",
                    },
                    for_s=pending_s.get(tier.name, 0),
                    targets=targets,
                )
            )
    return out
