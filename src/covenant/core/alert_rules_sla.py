"""Which agreement-side alerts hold at an instant (pure): credit forecasts, ticket timers,
claim deadlines. The other side of the bridge from ``core.alert_rules`` (burn rates).

- **Forecast credit**: one alert per commitment and reporting period, active while the
  period's forecast (``core.forecast``) projects a crossing into a credit tier above what is
  already owed — "at this rate, Globex's November credit becomes 10 % on the 27th".
- **Ticket at risk / breached**: per running ticket timer (first response, or resolution of
  the ticket's latest cycle) of an agreement's support commitment: at risk while 75 % or more
  of its target is used (and still running, breached included), breached while past its target
  and running — or while a reopened ticket runs again after an earlier cycle breached (a breach
  stands, ``core.support``). Both resolve when the timer stops (the ticket is answered or
  resolved: resolving an unanswered ticket stops its first-response timer too). A ticket
  opened under an agreement that has expired or been terminated since is still watched, under
  the version in force when it was opened, until it is resolved.
- **Claim deadline**: per commitment and past period with a credit owed, active from 7 days
  before the claim deadline until it passes.

Every one of them carries the same routing labels — ``agreement`` (the agreement's name),
``customer`` (the customer's name: its id in the workspace and the API, ``globex``) and
``commitment`` (the availability or support commitment's name) — and the
customer's display name as the ``customer_display_name`` annotation: labels identify and route
(an Alertmanager route matches ``customer="globex"``), annotations carry the human text, as in
Sloth's alerts.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from covenant.core.alert_state import AlertCondition
from covenant.core.availability import AvailabilityResult, span_text
from covenant.core.forecast import CommitmentExposure, TierCrossing
from covenant.core.forecast_lengths import PRIOR_MEDIAN_S
from covenant.core.forecast_model import MIN_HISTORY
from covenant.core.forecast_portfolio import Exposure
from covenant.core.money import Money
from covenant.core.notices import NoticeKind
from covenant.core.support import TicketTimer, TimerState

CLAIM_WARNING = timedelta(days=7)
"""A claim deadline alerts from this long before it."""
DISPLAY_NAME = "customer_display_name"
"""The annotation that holds the customer's display name (the ``customer`` label is its id)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class AlertCustomer:
    """The customer an agreement's alerts name: ``name`` is its id (``globex``, the
    ``customer`` label), ``display_name`` what people call it (``Globex Corporation``)."""

    name: str
    display_name: str


def routing_labels(agreement: str, customer: AlertCustomer | None) -> dict[str, str]:
    """``agreement`` and ``customer`` (the customer's id; absent when it is not known)."""
    if customer is None:
        return {"agreement": agreement}
    return {"agreement": agreement, "customer": customer.name}


def customer_annotations(customer: AlertCustomer | None) -> dict[str, str]:
    """``customer_display_name`` (absent when the customer is not known)."""
    return {} if customer is None else {DISPLAY_NAME: customer.display_name}


def _ordinal(day: int) -> str:
    suffix = "th" if 11 <= day % 100 <= 13 else {1: "st", 2: "nd", 3: "rd"}.get(day % 10, "th")
    return f"{day}{suffix}"


def _money(m: Money) -> str:
    return f"{m.amount} {m.currency}"


def period_name(c: CommitmentExposure) -> str:
    """``November`` for a month, ``2026-Q4`` for a quarter (in the agreement's zone)."""
    local = c.period_start.astimezone(ZoneInfo(c.zone))
    end = c.period_end.astimezone(ZoneInfo(c.zone))
    if (end.year - local.year) * 12 + end.month - local.month > 1:
        return f"{local.year}-Q{(local.month - 1) // 3 + 1}"
    return local.strftime("%B")


def crossing_text(customer_name: str, c: CommitmentExposure, x: TierCrossing) -> str:
    """``at this rate, Globex's November credit becomes 10 % on the 23rd`` (local date)."""
    local: datetime = x.at.astimezone(ZoneInfo(c.zone))
    when = f"on the {_ordinal(local.day)}"
    if local.month != c.period_start.astimezone(ZoneInfo(c.zone)).month:
        when = f"on {local.strftime('%B')} {_ordinal(local.day)}"
    head = f"{customer_name}'s {period_name(c)} credit"
    if not x.projected:
        return f"{head} became {x.percent} % {when}"
    if c.downtime_so_far_s > 0:
        return f"at this rate, {head} becomes {x.percent} % {when}"
    return f"{assumed_rate(c)}, under which {head} would become {x.percent} % {when}"


def assumed_rate(c: CommitmentExposure) -> str:
    """What a projection rests on when nothing has gone down this period (its rate so far is
    zero, so not "at this rate"): the past periods' rate, or — with fewer than
    ``MIN_HISTORY`` of them — the Jeffreys prior's half an outage over the time with data
    (``core.forecast_model.rate_model``), and the outages that expects by the period's end."""
    if c.history_periods >= MIN_HISTORY:
        periods = c.history_periods
        return f"no downtime so far: the forecast assumes the rate of the {periods} past periods"
    on_record = (
        "no past period" if not c.history_periods else f"only {c.history_periods} past period(s)"
    )
    seen = max(c.eligible_so_far_s, 1)
    median = PRIOR_MEDIAN_S // 60
    lengths = (
        f"lengths around {median} minutes"
        if not c.history_periods
        else f"lengths from those on record and a {median}-minute prior median"
    )
    more = 0.5 * max(c.eligible_total_s - c.eligible_so_far_s, 0) / seen
    return (
        f"no downtime so far and {on_record} on record: the forecast assumes half an outage "
        f"per {span_text(c.eligible_so_far_s)} of data ({more:.1f} more by the period's end, "
        f"{lengths})"
    )


def _period_key(start: datetime, zone: str) -> str:
    return start.astimezone(ZoneInfo(zone)).strftime("%Y-%m")


def forecast_conditions(exposure: Exposure) -> list[AlertCondition]:
    """One condition per commitment in force: active when its forecast projects a credit
    tier above what is owed now."""
    return [
        _forecast(c, AlertCustomer(name=c.customer, display_name=customer.customer_name))
        for customer in exposure.customers
        for c in customer.commitments
    ]


def _forecast(c: CommitmentExposure, customer: AlertCustomer) -> AlertCondition:
    customer_name = customer.display_name
    owed = c.owed_now_percent or 0
    ahead = [x for x in c.crossings if x.projected and x.percent > owed]
    first = min(ahead, key=lambda x: x.at) if ahead else None
    labels = {
        "alertname": "AgreementCreditForecast",
        **routing_labels(c.agreement, customer),
        "commitment": c.commitment,
        "severity": "warning",
    }
    annotations = customer_annotations(customer)
    if first is not None:
        text = crossing_text(customer_name, c, first)
        annotations |= {
            "title": f"{customer_name}: {period_name(c)} credit projected at {first.percent} %",
            "summary": text[:1].upper() + text[1:] + ".",
            "description": f"Agreement {c.agreement} v{c.version}, commitment {c.commitment}: "
            f"measured so far {_level(c.level_so_far)}, projected {_level(c.projected_level)} "
            f"against {_level(c.committed)}; the credit would be {_money(first.credit)}.",
        }
    return AlertCondition(
        key=f"{NoticeKind.FORECAST_CREDIT.value}/{c.agreement}/{c.commitment}/"
        f"{_period_key(c.period_start, c.zone)}",
        kind=NoticeKind.FORECAST_CREDIT,
        severity="warning",
        labels=labels,
        annotations=annotations,
        active=first is not None,
    )


def _level(value: object) -> str:
    if value is None:
        return "no data"
    return f"{float(value) * 100:.4f} %"  # type: ignore[arg-type]


def ticket_conditions(
    timers: Iterable[tuple[str, int, str, TicketTimer]],
    customers: Mapping[str, AlertCustomer],
    *,
    lapsed: Collection[str] = (),
) -> list[AlertCondition]:
    """At-risk and breached conditions of every timer, given with the agreement and version
    that govern its ticket (the version in force when it was opened) and the support
    commitment whose target it measures (the ``commitment`` label, as the forecast and
    claim-deadline alerts name theirs) — the timers that count
    (``core.support.counted``: a reopened ticket's latest cycle, breached when an earlier
    cycle breached); ``customers`` maps an agreement to its customer; ``lapsed`` names the
    agreements no longer in force (expired or terminated since the ticket was opened: they
    govern it until it is resolved, and the summary says so). The ``agreement_version``
    annotation names the governing version (an annotation, not a label: it is text, and a
    firing alert's labels never change)."""
    timers = list(timers)
    measuring: dict[tuple[str, str], set[str]] = {}
    for agreement, _, commitment, t in timers:
        measuring.setdefault((agreement, t.ticket), set()).add(commitment)
    out: dict[str, AlertCondition] = {}
    for agreement, version, commitment, t in timers:
        customer = customers.get(agreement)
        running = t.stopped is None
        used = t.state in (TimerState.AT_RISK_75, TimerState.BREACHED)
        # The key names no commitment while one commitment measures the ticket — the key it
        # always had, so an upgrade re-fires none of the open ticket alerts. Two commitments
        # with a target for its priority measure it twice: each timer is its own alert, keyed
        # by its commitment too (one key would let the second overwrite the first).
        base = f"{agreement}/{t.ticket}/{t.kind.value}/{t.cycle}"
        if len(measuring[(agreement, t.ticket)]) > 1:
            base += f"/{commitment}"
        labels = {
            **routing_labels(agreement, customer),
            "commitment": commitment,
            "ticket": t.ticket,
            "priority": t.priority,
            "timer": t.kind.value,
        }
        what = "first response" if t.kind.value == "first-response" else "resolution"
        earlier = (
            ""
            if t.breached_cycle is None
            else f" (reopened after cycle {t.breached_cycle} breached its target: the "
            "resolution stays breached)"
        )
        governs = f"{agreement} v{version}"
        ended = (
            f" Governed by {governs}, in force when the ticket was opened and no longer in "
            "force: it governs the ticket until it is resolved."
            if agreement in lapsed
            else ""
        )
        text = {
            **customer_annotations(customer),
            "summary": f"Ticket {t.ticket} ({t.priority}): {what} due "
            f"{t.deadline.isoformat()}, {t.elapsed_s // 60} of {t.target_s // 60} min used"
            f"{earlier}.{ended}",
            "agreement_version": governs,
        }
        for kind, name, severity, active in (
            (NoticeKind.TICKET_AT_RISK, "TicketAtRisk", "warning", running and used),
            (
                NoticeKind.TICKET_BREACHED,
                "TicketBreached",
                "critical",
                running and t.state is TimerState.BREACHED,
            ),
        ):
            key = f"{kind.value}/{base}"
            out[key] = AlertCondition(
                key=key,
                kind=kind,
                severity=severity,
                labels={"alertname": name, **labels, "severity": severity},
                annotations={"title": f"{name}: {t.ticket}", **text},
                active=active,
            )
    return list(out.values())


def claim_conditions(
    results: Sequence[AvailabilityResult],
    *,
    now: datetime,
    customers: Mapping[str, AlertCustomer],
) -> list[AlertCondition]:
    """A condition per past period with a credit owed, active within 7 days of its deadline."""
    out: dict[str, AlertCondition] = {}
    for r in results:
        if r.claim_deadline is None or r.credit is None or r.credit.amount.amount <= 0:
            continue
        if r.claim_deadline <= now - CLAIM_WARNING:
            continue
        key = (
            f"{NoticeKind.CLAIM_DEADLINE.value}/{r.agreement}/{r.commitment}/"
            f"{r.period_start.isoformat()}"
        )
        customer = customers.get(r.agreement)
        name = customer.display_name if customer is not None else r.agreement
        out[key] = AlertCondition(
            key=key,
            kind=NoticeKind.CLAIM_DEADLINE,
            severity="warning",
            labels={
                "alertname": "CreditClaimDeadline",
                **routing_labels(r.agreement, customer),
                "commitment": r.commitment,
                "severity": "warning",
            },
            annotations={
                **customer_annotations(customer),
                "title": f"{name}: credit claim deadline {r.claim_deadline.date().isoformat()}",
                "summary": f"A credit of {_money(r.credit.amount)} ({r.credit.percent} %) "
                f"for the period from {r.period_start.date().isoformat()} can be claimed until "
                f"{r.claim_deadline.isoformat()}.",
            },
            active=now < r.claim_deadline <= now + CLAIM_WARNING,
        )
    return list(out.values())
