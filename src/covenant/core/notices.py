"""Alert notices: what the worker hands to delivery when an alert starts firing or resolves.

A notice is plain data. The worker decides *when* (alert state: pending, firing, resolved,
deduplicated by ``key``); delivery decides *how* (Alertmanager, webhook, Slack) from the
workspace's ``AlertNotificationTarget`` documents named in ``targets``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class NoticeKind(StrEnum):
    """What an alert is about, on either side of the bridge."""

    BURN_RATE = "burn-rate"  # an SLO's multi-window burn-rate tier
    NO_DATA = "no-data"  # an SLO tier without a burn rate (OpenSLO alertWhenNoData)
    TICKET_AT_RISK = "ticket-at-risk"  # a ticket past 75 % of its response or resolution time
    TICKET_BREACHED = "ticket-breached"  # a ticket past its response or resolution time
    FORECAST_CREDIT = "forecast-credit"  # an agreement's forecast crosses into a credit tier
    CLAIM_DEADLINE = "claim-deadline"  # a credit's claim deadline is 7 days away or less


class NoticeState(StrEnum):
    FIRING = "firing"
    RESOLVED = "resolved"


@dataclass(frozen=True, slots=True, kw_only=True)
class AlertNotice:
    """One alert's transition to firing, or its resolution.

    ``key`` is stable across ticks and replicas for the same alert (e.g.
    ``burn-rate/checkout-availability/page``), so a receiver and the outbox can deduplicate.
    ``labels`` route the alert (Alertmanager's matchers; Sloth's names where they mean the same:
    ``alertname``, ``sloth_id``, ``sloth_service``, ``sloth_slo``, ``sloth_severity``) and never
    change while it fires; ``annotations`` carry the human text (``summary``, ``description``).
    ``starts_at`` is when it started firing; ``ends_at`` is set on a resolution.
    """

    key: str
    kind: NoticeKind
    state: NoticeState
    severity: str
    labels: Mapping[str, str]
    annotations: Mapping[str, str]
    starts_at: datetime
    ends_at: datetime | None = None
    targets: tuple[str, ...] | None = None  # None: not routed (every internal target)
    # a resolution's targets whose policies say alertWhenResolved: false (not sent it even
    # where its firing notice went, except to Alertmanager, which must hear the end)
    unresolved: tuple[str, ...] = ()
