"""``covenant/v1``: what OpenSLO lacks, as spec fields or as ``covenant.dev/*`` annotations.

A ``covenant/v1`` ``SLO`` is an OpenSLO v1 SLO spec plus ``noDataPolicy``, ``minimumEvents``
and ``alerting``; a ``covenant/v1`` ``SLI`` is an OpenSLO SLI spec plus ``events``. In an
``openslo/v1`` document the same values travel in annotations (so exported OpenSLO stays
valid OpenSLO and loads back losslessly)::

    covenant.dev/no-data-policy: good | bad | skip
    covenant.dev/minimum-events: "100"
    covenant.dev/alerting: '{"defaults": true, "tiers": [...]}'   (JSON or YAML text)
    covenant.dev/events: '{"service": "checkout", "status": {"op": "lt", "value": 500}}'
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from covenant.definitions.fields import DurationText, Flag, Number, PositiveNumber, Spec
from covenant.definitions.openslo import (
    InlineSLI,
    Op,
    SLIDocument,
    SLISpec,
    SLODocument,
    SLOSpec,
)

NO_DATA_KEY = "covenant.dev/no-data-policy"
MINIMUM_EVENTS_KEY = "covenant.dev/minimum-events"
ALERTING_KEY = "covenant.dev/alerting"
EVENTS_KEY = "covenant.dev/events"
SLOTH_SLO_KEY = "covenant.dev/sloth-slo"  # the sloth_slo label, when not the SLO's name
SLOTH_SERVICE_KEY = "covenant.dev/sloth-service"  # sloth_service, when not the service's
SLO_ANNOTATION_KEYS = (NO_DATA_KEY, MINIMUM_EVENTS_KEY, ALERTING_KEY)

DEFAULT_TIER_NAMES = ("page-fast", "page-slow", "ticket-fast", "ticket-slow")

NoDataName = Literal["good", "bad", "skip"]


class ComparisonSpec(Spec):
    op: Op
    value: Number


class EventsSpec(Spec):
    """How raw request events count for an SLI (maps to ``EventRule``)."""

    service: str | None = None
    status: ComparisonSpec | None = None
    latency_ms: ComparisonSpec | None = None


class TierSpec(Spec):
    """One burn-rate alert tier; a tier named like a default overrides it field by field."""

    name: str = Field(min_length=1)
    severity: Literal["page", "ticket"] | None = None
    long_window: DurationText | None = None
    short_window: DurationText | None = None
    budget_percent: PositiveNumber | None = None
    burn_rate: PositiveNumber | None = None
    op: Literal["gte", "gt"] | None = None  # gte: fire at the threshold or above; gt: above it
    enabled: Flag = True


class AlertingSpec(Spec):
    defaults: Flag = True
    tiers: list[TierSpec] = Field(default_factory=list)


class CovenantSLISpec(SLISpec):
    events: EventsSpec | None = None


class CovenantInlineSLI(InlineSLI):
    spec: CovenantSLISpec


class CovenantSLOSpec(SLOSpec):
    indicator: CovenantInlineSLI | None = None
    no_data_policy: NoDataName | None = None
    minimum_events: int | None = Field(default=None, ge=0)
    alerting: AlertingSpec | None = None


class CovenantSLIDocument(SLIDocument):
    spec: CovenantSLISpec


class CovenantSLODocument(SLODocument):
    spec: CovenantSLOSpec


# Covenant spec fields ⇄ annotation keys (export moves them, loading reads either).
SLO_EXTENSION_FIELDS = {
    "noDataPolicy": NO_DATA_KEY,
    "minimumEvents": MINIMUM_EVENTS_KEY,
    "alerting": ALERTING_KEY,
}
SLI_EXTENSION_FIELDS = {"events": EVENTS_KEY}
