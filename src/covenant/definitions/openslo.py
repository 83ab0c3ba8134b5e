"""Pydantic models of the OpenSLO v1 kinds, field for field as the specification writes them.

Only structure and single-field rules live here (unknown keys, required keys, types, ranges,
durations, time zones); rules that relate several fields or documents are in ``checks`` and
``resolve``. Inline objects (an SLI inside an SLO, a condition inside a policy) and references
(``indicatorRef``, ``conditionRef``…) share one model per place, with every field optional:
"exactly one of a reference or an inline object" is checked afterwards with a precise message.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BeforeValidator, Field

from covenant.definitions.durations import DURATION_HELP, DurationRangeError, parse_duration
from covenant.definitions.fields import (
    DurationText,
    Flag,
    Name,
    Number,
    PauseText,
    PositiveNumber,
    Spec,
    StartTimeText,
    Target,
    TargetPercent,
    TimeSliceTarget,
    TimeZoneText,
    finite,
    problem,
)
from covenant.errors import InputError

Op = Literal["lt", "lte", "gt", "gte"]
BudgetingMethodName = Literal["Occurrences", "Timeslices", "RatioTimeslices"]


def _slice_window(value: Any) -> str:
    """``timeSliceWindow`` is a number of minutes or a fixed-length duration."""
    if isinstance(value, int) and not isinstance(value, bool):
        value = f"{value}m"
    if not isinstance(value, str):
        raise problem("invalid-type", "expected a duration such as 1m or 5m", DURATION_HELP)
    try:
        duration = parse_duration(value)
    except DurationRangeError as exc:
        raise problem(exc.code, exc.message, exc.hint) from exc
    except InputError as exc:
        raise problem("invalid-duration", exc.message, DURATION_HELP) from exc
    if not duration.is_fixed:
        raise problem(
            "invalid-duration",
            f"a time slice of {value} has no fixed length",
            "use minutes, hours or days, e.g. 1m or 5m",
        )
    return value


SliceWindow = Annotated[str, BeforeValidator(_slice_window)]


def _labels(value: Any) -> Any:
    if not isinstance(value, dict):
        return value
    for key, item in value.items():
        items = item if isinstance(item, list) else [item]
        if not all(isinstance(one, str) for one in items):
            raise problem(
                "invalid-type",
                f"label {key!r} must be a string or a list of strings",
                'quote the value, e.g. team: "42"',
            )
    return value


class Metadata(Spec):
    name: Name
    display_name: str | None = None
    labels: Annotated[dict[str, Any] | None, BeforeValidator(_labels)] = None
    annotations: dict[str, str] | None = None


InlineMetadata = Metadata


# --- Service, DataSource ---------------------------------------------------------------------


class ServiceSpec(Spec):
    description: str | None = Field(default=None, max_length=1050)


class DataSourceSpec(Spec):
    description: str | None = Field(default=None, max_length=1050)
    type: str
    connection_details: Any = None


# --- SLI -------------------------------------------------------------------------------------


class MetricSourceSpec(Spec):
    metric_source_ref: str | None = None
    type: str | None = None
    spec: dict[str, Any]


class MetricSpec(Spec):
    metric_source: MetricSourceSpec


class RatioMetric(Spec):
    counter: Flag | None = None
    good: MetricSpec | None = None
    bad: MetricSpec | None = None
    total: MetricSpec | None = None
    raw_type: Literal["success", "failure"] | None = None
    raw: MetricSpec | None = None


class SLISpec(Spec):
    description: str | None = Field(default=None, max_length=1050)
    threshold_metric: MetricSpec | None = None
    ratio_metric: RatioMetric | None = None


class InlineSLI(Spec):
    metadata: InlineMetadata
    spec: SLISpec


# --- AlertCondition, AlertNotificationTarget, AlertPolicy ------------------------------------


def _burn_rate(value: Decimal) -> Decimal:
    if value < 0:  # 0 with op gt is "any bad event" (checks.check_condition: gte 0 is not)
        raise problem(
            "invalid-value",
            f"burn-rate threshold {value} must not be below 0",
            "a burn rate is how fast the error budget is spent (1 = exactly on budget); "
            "write a positive number, e.g. threshold: 14.4",
        )
    return value


BurnRate = Annotated[Decimal, BeforeValidator(finite), AfterValidator(_burn_rate)]


class ConditionSpec(Spec):
    kind: Literal["burnrate"] = "burnrate"
    op: Op | None = None
    threshold: BurnRate
    lookback_window: DurationText
    alert_after: PauseText | None = None


class AlertConditionSpec(Spec):
    description: str | None = Field(default=None, max_length=1050)
    severity: str
    condition: ConditionSpec


class AlertNotificationTargetSpec(Spec):
    description: str | None = Field(default=None, max_length=1050)
    target: str


class ConditionItem(Spec):
    condition_ref: str | None = None
    kind: Literal["AlertCondition"] | None = None
    metadata: InlineMetadata | None = None
    spec: AlertConditionSpec | None = None


class NotificationTargetItem(Spec):
    target_ref: str | None = None
    kind: Literal["AlertNotificationTarget"] | None = None
    metadata: InlineMetadata | None = None
    spec: AlertNotificationTargetSpec | None = None


class AlertPolicySpec(Spec):
    description: str | None = Field(default=None, max_length=1050)
    alert_when_no_data: Flag | None = None
    alert_when_resolved: Flag | None = None
    alert_when_breaching: Flag | None = None
    conditions: list[ConditionItem]
    notification_targets: list[NotificationTargetItem]


class AlertPolicyItem(Spec):
    alert_policy_ref: str | None = None
    kind: Literal["AlertPolicy"] | None = None
    metadata: InlineMetadata | None = None
    spec: AlertPolicySpec | None = None


# --- SLO -------------------------------------------------------------------------------------


class CalendarSpec(Spec):
    # Required on a calendar window; checked in ``timewindows`` (after "a rolling window cannot
    # have a calendar", so that fixing the first message does not lead to a second one).
    start_time: StartTimeText | None = None
    time_zone: TimeZoneText = "UTC"


class TimeWindow(Spec):
    duration: DurationText
    is_rolling: Flag | None = None
    calendar: CalendarSpec | None = None


class ObjectiveSpec(Spec):
    display_name: str | None = None
    op: Op | None = None
    value: Number | None = None
    target: Target | None = None
    target_percent: TargetPercent | None = None
    time_slice_target: TimeSliceTarget | None = None
    time_slice_window: SliceWindow | None = None
    indicator: InlineSLI | None = None
    indicator_ref: str | None = None
    composite_weight: PositiveNumber | None = None


class SLOSpec(Spec):
    description: str | None = Field(default=None, max_length=1050)
    service: str
    indicator: InlineSLI | None = None
    indicator_ref: str | None = None
    time_window: list[TimeWindow] | None = None
    budgeting_method: BudgetingMethodName
    objectives: list[ObjectiveSpec] = Field(min_length=1)
    alert_policies: list[AlertPolicyItem] | None = None


# --- documents -------------------------------------------------------------------------------


class Document(Spec):
    api_version: str
    kind: str
    metadata: Metadata


class ServiceDocument(Document):
    spec: ServiceSpec = Field(default_factory=ServiceSpec)  # optional, as in the reference SDK


class DataSourceDocument(Document):
    spec: DataSourceSpec


class SLIDocument(Document):
    spec: SLISpec


class SLODocument(Document):
    spec: SLOSpec


class AlertPolicyDocument(Document):
    spec: AlertPolicySpec


class AlertConditionDocument(Document):
    spec: AlertConditionSpec


class AlertNotificationTargetDocument(Document):
    spec: AlertNotificationTargetSpec
