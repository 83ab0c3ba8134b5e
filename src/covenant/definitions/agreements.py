"""``covenant/v1`` ``Customer``, ``Agreement`` and ``MaintenanceWindow`` as written (pydantic).

Only structure and single-field rules live here (unknown keys, types, ranges, durations,
currency codes); rules relating several fields, versions or documents are in
``agreement_checks`` and ``contracts``, which also build the core model. See
docs/agreements.md for the format and its exact meaning.

Numbers that are percentages (``level: 99.9``, ``credit: 25``) and money (``"1200.00"``) are
read exactly from the YAML text as ``Decimal`` (a plain YAML float is never a binary float here).
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo

from pydantic import AfterValidator, BeforeValidator, Field

from covenant.core.money import MAX_AMOUNT
from covenant.definitions.durations import parse_duration
from covenant.definitions.fields import Spec, TimeZoneText, problem
from covenant.definitions.openslo import Document
from covenant.errors import InputError

FIXED_HELP = "write a whole number and one unit: m, h, d or w (e.g. 30m, 4h, 5d)"
CURRENCY_PATTERN = re.compile(r"^[A-Z]{3}$")
LOCALE_PATTERN = re.compile(r"^[a-z]{2,3}(_[A-Z][a-z]{3})?(_[A-Z]{2}|_[0-9]{3})?$")
INSTANT_HELP = (
    "write a date (2026-01-01: midnight in the period's time zone) or an ISO-8601 date-time, "
    "e.g. 2026-01-01T00:00:00+01:00"
)

# --- field types -----------------------------------------------------------------------------


# A number written as text: ASCII digits with at most one point, an optional sign. Python's
# Decimal also reads "1_000", "5e2", "Infinity" and other scripts' digits ("٣"); a contract's
# amount or level written that way is a typo or an ambiguity, not a number to guess at.
_DECIMAL_TEXT = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)", re.ASCII)


def _decimal_text(text: str, shown: str) -> str:
    if not _DECIMAL_TEXT.fullmatch(text):
        raise problem(
            "invalid-type",
            f"{shown!r} is not a number written with the digits 0-9 and a decimal point",
            'write it as plain decimal text, e.g. "1200.00" or "99.95" (no exponent, digit '
            "separators, spaces or other scripts' digits)",
        )
    return text


def _exact(value: Any) -> Any:
    """A YAML number or text → Decimal, exactly; booleans and binary floats are refused, and
    text must be plain decimal digits (``_DECIMAL_TEXT``)."""
    if isinstance(value, bool):
        raise problem("invalid-type", "expected a number, got a boolean", "write a number")
    if isinstance(value, float):
        return Decimal(repr(value))
    if isinstance(value, str):
        text = value.strip()
        return text if text.endswith("%") else _decimal_text(text, value)
    return value


def _percent_text(value: Any) -> Any:
    """A percentage as a number, or as text with or without a trailing ``%`` (``"99.99%"``)."""
    value = _exact(value)
    if isinstance(value, str) and value.endswith("%"):
        number = value[:-1].strip()
        if not _DECIMAL_TEXT.fullmatch(number):
            raise problem(
                "invalid-value",
                f"{value!r} is not a percentage written with the digits 0-9 and a decimal point",
                'write a number, e.g. 99.9 or "99.9%"',
            )
        return number
    return value


def _not_a_fraction(value: Decimal) -> Decimal:
    """A level below 1 % is a ratio written where a percentage belongs (0.9999 for 99.99)."""
    if value < 1:
        meant = (value * 100).normalize()
        raise problem(
            "level-as-fraction",
            f"level {value} reads as {value} %, which no agreement commits to",
            f"did you mean {meant:f}? write the level as a percentage (level: {meant:f})",
        )
    return value


def _between(low: Decimal, high: Decimal, *, open_low: bool, open_high: bool, what: str) -> Any:
    def check(value: Decimal) -> Decimal:
        if not value.is_finite():
            raise problem("invalid-value", f"{what} must be a finite number", "write a number")
        too_low = value <= low if open_low else value < low
        too_high = value >= high if open_high else value > high
        if too_low or too_high:
            left, right = "(" if open_low else "[", ")" if open_high else "]"
            raise problem(
                "percent-out-of-range",
                f"{what} {value} is outside {left}{low}, {high}{right}",
                f"write a percentage, e.g. {'99.9' if what == 'level' else '25'}",
            )
        return value

    return check


def _money(value: Decimal) -> Decimal:
    if not value.is_finite() or value < 0:
        raise problem(
            "invalid-money",
            f"amount {value} is not a non-negative amount",
            'write the amount as text with its decimals, e.g. "1200.00"',
        )
    if value >= MAX_AMOUNT:
        raise problem(
            "money-out-of-range",
            f"amount {value} is not below {MAX_AMOUNT:,f}",
            "write the real amount (at most 999999999999.99); an agreement's money is a "
            "fee, a cap, a minimum or a penalty per period",
        )
    return value


def _bounded_count(high: int, what: str) -> Any:
    def check(value: int) -> int:
        if value > high:
            raise problem(
                "claim-deadline-out-of-range",
                f"{what} {value} is more than {high}",
                f"write the contract's deadline (at most {high}), e.g. {what}: 2"
                if what == "periodsAfter"
                else f"write the contract's deadline (at most {high}), e.g. {what}: 30",
            )
        return value

    return check


def _currency(value: str) -> str:
    if not CURRENCY_PATTERN.match(value):
        raise problem(
            "invalid-currency",
            f"currency {value!r} is not an ISO 4217 code",
            "use three capital letters such as EUR, USD or GBP",
        )
    return value


def _fixed_duration(value: Any) -> str:
    text = str(value)
    try:
        parse_duration(text).seconds  # noqa: B018  (a fixed length is required)
    except InputError as exc:
        raise problem("invalid-duration", exc.message, FIXED_HELP) from exc
    return text


def _instant_text(value: Any) -> str:
    text = str(value).strip()
    try:
        moment = parse_instant(text, zone="UTC")
    except (ValueError, OverflowError) as exc:
        raise problem(
            "invalid-instant", f"{text!r} is not a date or date-time", INSTANT_HELP
        ) from exc
    if not 1971 <= moment.year <= 8999:  # any zone's offset stays inside datetime's range
        raise problem(
            "invalid-instant", f"{text!r} is outside the years 1971 to 8999", INSTANT_HELP
        )
    return text


def parse_instant(text: str, *, zone: str) -> datetime:
    """A date (midnight in ``zone``) or date-time (naive: in ``zone``) → aware UTC datetime.

    A wall time of ``zone`` is its first instant, as windows and business time read one
    (``core.wallclock.first_instant``): inside a DST gap the gap's end (02:30 on Berlin's
    spring-forward night is 03:00 CEST, not Python's 03:30), inside a fold the first reading.
    """
    wall = written_wall(text)
    if wall is None:
        return datetime.fromisoformat(text.strip().replace("Z", "+00:00")).astimezone(UTC)
    return local_instant(wall, zone)


def written_wall(text: str) -> datetime | None:
    """The wall time a date or date-time without an offset states (a date: its midnight);
    None when an offset is written."""
    value = text.strip()
    if len(value) == 10:
        day = date.fromisoformat(value)
        return datetime(day.year, day.month, day.day)  # noqa: DTZ001 - a wall time
    parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return parsed if parsed.tzinfo is None else None


def local_instant(wall: datetime, zone: str) -> datetime:
    """The first UTC instant ``zone``'s clock reads the naive ``wall``."""
    if zone == "UTC":
        return wall.replace(tzinfo=UTC)
    from covenant.core.wallclock import first_instant  # noqa: PLC0415 - numpy, when needed

    return first_instant(wall, ZoneInfo(zone))


def fold0_gap_instant(text: str, zone: str) -> datetime | None:
    """The instant Python's ``fold=0`` gives a date or date-time written without an offset that
    ``zone``'s clock skips (a DST gap: 02:30 on Berlin's spring-forward night is 01:30 UTC), the
    reading before stop 41; None for any other text (read the same by both rules)."""
    try:
        wall = written_wall(text)
    except ValueError:
        return None
    if wall is None or zone == "UTC":
        return None
    old = wall.replace(tzinfo=ZoneInfo(zone), fold=0).astimezone(UTC)
    return None if old == local_instant(wall, zone) else old


def wall_readings_of(wall: datetime, zone: str) -> tuple[datetime, datetime] | None:
    """The two UTC instants of a ``wall`` time ``zone``'s clock reads twice (a fold: clocks went
    back), earlier first; None when it reads it once or never."""
    tz = ZoneInfo(zone)
    early = wall.replace(tzinfo=tz, fold=0)
    late = wall.replace(tzinfo=tz, fold=1)
    if early.utcoffset() == late.utcoffset():
        return None
    readings = sorted(
        moment.astimezone(UTC)
        for moment in (early, late)
        if moment.astimezone(UTC).astimezone(tz).replace(tzinfo=None) == wall
    )
    return (readings[0], readings[1]) if len(readings) == 2 else None


Percent = Annotated[
    Decimal,
    BeforeValidator(_percent_text),
    AfterValidator(
        _between(Decimal(0), Decimal(100), open_low=False, open_high=False, what="percentage")
    ),
]
Level = Annotated[
    Decimal,
    BeforeValidator(_percent_text),
    AfterValidator(_between(Decimal(0), Decimal(100), open_low=True, open_high=True, what="level")),
    AfterValidator(_not_a_fraction),
]
PositivePercent = Annotated[
    Decimal,
    BeforeValidator(_percent_text),
    AfterValidator(
        _between(Decimal(0), Decimal(100), open_low=True, open_high=False, what="percentage")
    ),
]
Money = Annotated[Decimal, BeforeValidator(_exact), AfterValidator(_money)]
Currency = Annotated[str, AfterValidator(_currency)]


def _locale(value: str) -> str:
    """A locale Babel has data for (``de_DE``, ``en_GB``, ``ja_JP``, ``zh_CN``): statements
    format money, numbers and dates by it. Babel resolves the usual aliases (``zh_CN`` is
    ``zh_Hans_CN``), as its formatting does."""
    from babel import Locale, UnknownLocaleError  # noqa: PLC0415 - only where one is written
    from babel.localedata import exists  # noqa: PLC0415

    known = bool(LOCALE_PATTERN.match(value)) and exists(value)
    if not known and LOCALE_PATTERN.match(value):
        try:  # an alias (zh_CN → zh_Hans_CN), not a guess (en_ZZ → en_US)
            found = Locale.parse(value)
            written = value.split("_")
            known = found.language == written[0] and found.territory in (None, written[-1])
            known = known and exists(str(found))
        except (ValueError, UnknownLocaleError):
            known = False
    if not known:
        raise problem(
            "invalid-locale",
            f"locale {value!r} is not a known locale",
            "write a language and region code such as en_GB, en_US, de_DE or ja_JP",
        )
    return value


LocaleText = Annotated[str, AfterValidator(_locale)]
FixedDuration = Annotated[str, BeforeValidator(_fixed_duration)]
InstantText = Annotated[str, BeforeValidator(_instant_text)]
StatusName = Literal["draft", "proposed", "signed", "active", "superseded", "expired", "terminated"]

# --- Customer --------------------------------------------------------------------------------


class ContactSpec(Spec):
    name: str = Field(min_length=1)
    email: str | None = None
    role: str | None = None


class CustomerSpec(Spec):
    currency: Currency
    contacts: list[ContactSpec] = Field(default_factory=list)
    notification_targets: list[str] | None = None  # where its agreements' alerts go
    # the customer block of its statements: postal address lines, tax/VAT id, customer number
    address: list[str] = Field(default_factory=list)
    tax_id: str | None = None
    reference: str | None = None


class CustomerDocument(Document):
    spec: CustomerSpec


# --- MaintenanceWindow -----------------------------------------------------------------------


class MaintenanceSpec(Spec):
    services: list[str] = Field(min_length=1)
    start: InstantText
    end: InstantText
    announced_at: InstantText
    time_zone: TimeZoneText = "UTC"
    customers: list[str] = Field(default_factory=list)
    description: str | None = None


class MaintenanceDocument(Document):
    spec: MaintenanceSpec


# --- Agreement -------------------------------------------------------------------------------


class PartySpec(Spec):
    name: str = Field(min_length=1)
    role: str = ""
    signed_at: InstantText | None = None


class PeriodSpec(Spec):
    unit: Literal["month", "quarter"] = "month"
    time_zone: TimeZoneText = "UTC"


class MeasurementSpec(Spec):
    source: Literal["incidents", "bad-intervals", "mean-error-rate"]
    slo: str | None = None
    interval: FixedDuration | None = None
    error_rate_at_least: PositivePercent | None = None
    error_rate_above: Percent | None = None
    severities: list[str] = Field(default_factory=list)
    records_from: InstantText | None = None  # incidents: the records are complete from here
    components: list[str] = Field(default_factory=list)  # k-of-n: down while k of these are
    at_least_down: int | None = None
    minimum_run: FixedDuration | None = None  # bad-intervals: shorter runs of down intervals


class ExclusionsSpec(Spec):
    maintenance_notice: FixedDuration | None = None
    customer_caused: bool = True
    force_majeure: bool = True


class TierSpec(Spec):
    """Bounds as the contract writes them: below ``<``, atMost ``≤``, atLeast ``≥``, above ``>``."""

    below: Percent | None = None
    at_most: Percent | None = None
    at_least: Percent | None = None
    above: Percent | None = None
    credit: Percent


class AmountSpec(Spec):
    """``{percent: 50}`` of the period's fee and/or ``{amount: "5000.00"}``: as a cap the lower
    of the two wins; as a support penalty their sum is owed (docs/sla.md "Support")."""

    percent: PositivePercent | None = None
    amount: Money | None = None


MAX_PERIODS_AFTER = 120
MAX_DAYS_AFTER = 3660


class ClaimDeadlineSpec(Spec):
    periods_after: (
        Annotated[int, AfterValidator(_bounded_count(MAX_PERIODS_AFTER, "periodsAfter"))] | None
    ) = Field(default=None, ge=0)
    days_after_period: (
        Annotated[int, AfterValidator(_bounded_count(MAX_DAYS_AFTER, "daysAfterPeriod"))] | None
    ) = Field(default=None, ge=0)


class MinimumCreditSpec(Spec):
    """``{atLeast: "1.00"}``: paid when the credit is at least 1.00; ``{above: "1.00"}``: only
    when it is more than 1.00 ("only if more than $1")."""

    at_least: Money | None = None
    above: Money | None = None


class AvailabilitySpec(Spec):
    name: str = Field(min_length=1)
    services: list[str] = Field(min_length=1)
    level: Level | None = None  # absent: the highest upper bound of the credit tiers
    measurement: MeasurementSpec
    exclusions: ExclusionsSpec = Field(default_factory=ExclusionsSpec)
    eligible: Literal["period", "period-less-exclusions"] = "period"
    credits: list[TierSpec] = Field(default_factory=list)
    cap: AmountSpec | None = None
    minimum_credit: Money | MinimumCreditSpec | None = None
    claim_deadline: ClaimDeadlineSpec | None = None
    backed_by: list[str] = Field(default_factory=list)
    display_name: str | None = None  # what the contract calls it; statements show it
    terms: str | None = None  # the commitment in the contract's own words; statements quote it


class TargetSpec(Spec):
    first_response: FixedDuration | None = None
    resolution: FixedDuration | None = None


class SupportSpec(Spec):
    name: str = Field(min_length=1)
    calendar: str | None = None
    targets: dict[str, TargetSpec] = Field(min_length=1)
    pause_states: list[str] | None = None
    attainment: PositivePercent = Decimal(95)
    penalty: AmountSpec | None = None
    backed_by: list[str] = Field(default_factory=list)
    display_name: str | None = None
    terms: str | None = None


class VersionSpec(Spec):
    version: int = Field(ge=1)
    status: StatusName
    effective_from: InstantText
    effective_to: InstantText | None = None
    reason: str | None = None
    currency: Currency | None = None
    fees: dict[str, Money] = Field(default_factory=dict)
    period: PeriodSpec = Field(default_factory=PeriodSpec)
    signatories: list[PartySpec] = Field(default_factory=list)
    approvals: list[PartySpec] = Field(default_factory=list)
    availability: list[AvailabilitySpec] = Field(default_factory=list)
    support: list[SupportSpec] = Field(default_factory=list)
    cap: AmountSpec | None = None  # on all the version's credits of a period together


class AgreementSpec(Spec):
    customer: str
    description: str | None = None
    locale: LocaleText | None = None  # the statements' language and formats (default en_GB)
    versions: list[VersionSpec] = Field(min_length=1)


class AgreementDocument(Document):
    spec: AgreementSpec
