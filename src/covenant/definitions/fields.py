"""Field-level checks shared by the OpenSLO and covenant models.

Each check raises a ``PydanticCustomError`` whose type is the Covenant problem code and whose
context carries the fix, so pydantic collects every field problem of a document in one pass.
"""

from __future__ import annotations

import json
import re
import unicodedata
from decimal import Decimal
from typing import Annotated, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, ValidationInfo
from pydantic.alias_generators import to_camel
from pydantic_core import PydanticCustomError

from covenant.definitions.durations import DURATION_HELP, DurationRangeError, parse_duration
from covenant.definitions.field_rules import is_name, parse_start_time, start_in_range
from covenant.definitions.yamlsource import YAML11_BOOLEANS
from covenant.errors import InputError


class Spec(BaseModel):
    """Base of every definition model: camelCase keys, unknown keys are errors.

    ``defer_build``: a model's validator is built when it first validates, not when its class
    is defined, so reading a workspace builds only the kinds it holds (faster start-up).
    """

    model_config = ConfigDict(
        extra="forbid", alias_generator=to_camel, frozen=True, defer_build=True
    )


def problem(code: str, message: str, fix: str = "") -> PydanticCustomError:
    # The message is a format template for pydantic: braces must be doubled.
    escaped = message.replace("{", "{{").replace("}", "}}")
    return PydanticCustomError(code, escaped, {"fix": fix})


def _name(value: str) -> str:
    if not is_name(value):
        raise problem(
            "invalid-name", f"name {value!r} is not a DNS label (RFC 1123)", name_fix(value)
        )
    return value


def name_fix(value: str) -> str:
    """The fix of an ``invalid-name`` error: the rule and ``value`` spelt by it."""
    return (
        "use at most 63 lowercase letters, digits and '-', starting and ending with a "
        f"letter or digit, e.g. {dns_label(value, fallback='my-name')!r}"
    )


_SPELLED = str.maketrans({"ß": "ss", "æ": "ae", "ø": "o", "œ": "oe", "ł": "l", "đ": "d"})


def dns_label(text: str, *, fallback: str = "unnamed") -> str:
    """``text`` as an RFC 1123 label: lowercase letters, digits and '-', at most 63; letters
    with accents keep their base letter (``prüfung`` → ``prufung``, not ``pr-fung``)."""
    plain = unicodedata.normalize("NFKD", text.lower().translate(_SPELLED))
    ascii_text = plain.encode("ascii", "ignore").decode("ascii")
    cleaned = re.sub(r"[^a-z0-9]+", "-", ascii_text).strip("-")
    return cleaned[:63].strip("-") or fallback


def _duration(value: str) -> str:
    try:
        parse_duration(value)
    except DurationRangeError as exc:
        raise problem(exc.code, exc.message, exc.hint) from exc
    except InputError as exc:
        raise problem("invalid-duration", str(exc.message), exc.hint or DURATION_HELP) from exc
    return value


ZERO_PAUSE = re.compile(r"0+[mhdw]")
"""``alertAfter: 0m`` (OpenSLO's default, written out): no pending period."""


def _pause(value: str) -> str:
    return value if ZERO_PAUSE.fullmatch(value) else _duration(value)


def pause_seconds(value: str | None) -> int:
    """An ``alertAfter`` in seconds: 0 when it is absent or zero (``0m``)."""
    if value is None or ZERO_PAUSE.fullmatch(value):
        return 0
    return parse_duration(value).seconds


def _time_zone(value: str) -> str:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError, OSError) as exc:
        raise problem(
            "invalid-time-zone",
            f"unknown time zone {value!r}",
            "use an IANA Time Zone Database name such as UTC, Europe/Berlin or America/New_York",
        ) from exc
    return value


WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def weekday_date(text: str) -> str | None:
    """A date (``2024-01-0N``, a week whose 1st was a Monday) on the weekday ``text`` names
    (``Monday``, ``mon``), or None when it names none."""
    word = text.strip().casefold()
    for i, day in enumerate(WEEKDAYS):
        if word in (day.casefold(), day[:3].casefold()):
            return f"2024-01-{i + 1:02d}"
    return None


def _start_time(value: Any) -> str:
    text = str(value)
    try:
        parsed = parse_start_time(text)
    except ValueError as exc:
        day = weekday_date(text)
        if day is not None:
            name = WEEKDAYS[int(day[-2:]) - 1]
            raise problem(
                "invalid-start-time",
                f"start time {text!r} is a day of the week, not a date and time",
                f"write the date and time of a {name} as YYYY-MM-DD HH:MM:SS, e.g. {day} "
                f"00:00:00 (a {name}; 24 h, interpreted in calendar.timeZone): a calendar "
                "week starts on the weekday of its startTime",
            ) from exc
        raise problem(
            "invalid-start-time",
            f"start time {text!r} is not a date and time",
            "write it as YYYY-MM-DD HH:MM:SS (24 h, interpreted in calendar.timeZone)",
        ) from exc
    if not start_in_range(parsed):
        raise problem(
            "start-time-out-of-range",
            f"start time {text!r} is outside 1970-01-01 – 2200-12-31",
            "anchor the calendar on a date between 1970 and 2200, e.g. 2026-01-01 00:00:00 "
            "(only the alignment of periods matters, not how long ago it was)",
        )
    return text


_PERCENT_ALONE = Decimal(50)
"""From here up, a ``target`` above 1 reads as a percentage (99.9 → targetPercent: 99.9);
below it (1.5) that percentage is an implausible SLO, so the budget's reading is given too."""


def _plain(value: Decimal) -> str:
    return format(value.normalize(), "f")


def _two_readings(value: Decimal) -> str:
    """The fix for ``target: 1.5``: 1.5 % of events good, or 1.5 % the error budget?"""
    good = 100 - value
    return (
        f"target is the ratio of good events, strictly between 0 and 1 (0.999 is 99.9 %): "
        f"if {_plain(value)} % of events must be good, write targetPercent: {_plain(value)} "
        f"(target: {_plain(value / 100)}); if {_plain(value)} % is the error budget (the bad "
        f"events allowed), write targetPercent: {_plain(good)} (target: {_plain(good / 100)})"
    )


def _ratio_open(value: Decimal) -> Decimal:
    if not 0 < value < 1:
        fix = "write a ratio strictly between 0 and 1, e.g. 0.999"
        if value == 1:
            fix = "a target of 1 (100 %) leaves no error budget; use e.g. 0.9999"
        elif _PERCENT_ALONE <= value < 100:
            fix = f"write a ratio, e.g. 0.999; for a percentage use targetPercent: {value}"
        elif 1 < value < 100:  # a low percentage, or the error budget's: both readings
            fix = _two_readings(value)
        elif value >= 100:  # no percentage either
            fix = "write a ratio strictly between 0 and 1, e.g. 0.999 (99.9 %)"
        raise problem("target-out-of-range", f"target {value} is outside (0, 1)", fix)
    return value


def _percent_open(value: Decimal) -> Decimal:
    if not 0 < value < 100:
        fix = "write a percentage strictly between 0 and 100, e.g. 99.9"
        if value == 100:
            fix = "100 % leaves no error budget; use e.g. 99.99"
        raise problem("target-out-of-range", f"targetPercent {value} is outside (0, 100)", fix)
    return value


def _ratio_half_open(value: Decimal) -> Decimal:
    if not 0 < value <= 1:
        raise problem(
            "target-out-of-range",
            f"timeSliceTarget {value} is outside (0, 1]",
            "write the share of good events that makes a slice good, e.g. 0.95",
        )
    return value


def finite(value: Any) -> Any:
    if isinstance(value, bool):
        raise problem("invalid-type", "expected a number, got a boolean", "write a number")
    if isinstance(value, float):
        return Decimal(repr(value))
    return value


def _positive(value: Decimal) -> Decimal:
    if value <= 0:
        raise problem("invalid-value", f"{value} must be positive", "write a number above 0")
    return value


Name = Annotated[str, AfterValidator(_name)]
DurationText = Annotated[str, AfterValidator(_duration)]
PauseText = Annotated[str, AfterValidator(_pause)]  # a duration, or zero (0m)
TimeZoneText = Annotated[str, AfterValidator(_time_zone)]
StartTimeText = Annotated[str, BeforeValidator(_start_time)]
Number = Annotated[Decimal, BeforeValidator(finite)]
Target = Annotated[Decimal, BeforeValidator(finite), AfterValidator(_ratio_open)]
TargetPercent = Annotated[Decimal, BeforeValidator(finite), AfterValidator(_percent_open)]
TimeSliceTarget = Annotated[Decimal, BeforeValidator(finite), AfterValidator(_ratio_half_open)]
PositiveNumber = Annotated[Decimal, BeforeValidator(finite), AfterValidator(_positive)]


YAML11_WORDS = frozenset({"yes", "no", "on", "off", "y", "n"})


YAML11_CONTEXT = {"yaml11": True}
"""The validation context of an OpenSLO document, whose plain YAML 1.1 booleans were read as
booleans before it is validated (``field_rules.with_yaml11_flags``): a word such as ``yes``
still found in a flag was written quoted."""


def _flag(value: Any, info: ValidationInfo) -> bool:
    """A YAML boolean only. Pydantic's lax mode took ``yes``, ``"true"``, ``1``… as booleans
    while the readers of the file's own values (the export, the worker's alert switches) did
    not, so one file meant two things. (An OpenSLO document's plain YAML 1.1 spellings are
    read as booleans before it is validated: ``field_rules.with_yaml11_flags``.)"""
    if isinstance(value, bool):
        return value
    fix = "write true or false"
    if isinstance(value, str):
        found = f"the string {json.dumps(value, ensure_ascii=False)}"
        word = value.strip().lower()
        if value in YAML11_BOOLEANS and (info.context or {}).get("yaml11"):
            fix = (
                f"write {str(YAML11_BOOLEANS[value]).lower()} without quotes (a quoted value "
                "is text in every YAML version)"
            )
        elif value in YAML11_BOOLEANS:
            fix += (
                f" ({value} is a boolean in YAML 1.1, read as one in OpenSLO documents; a "
                "covenant/v1 document is YAML 1.2, where it is text)"
            )
        elif word in YAML11_WORDS:
            fix += (
                f" ({value!r} is no boolean in YAML 1.1 either: it writes {word}, "
                f"{word.capitalize()} or {word.upper()})"
            )
        elif word in {"true", "false"}:
            fix = f"write {word} without quotes (a quoted value is text)"
    elif isinstance(value, int | float | Decimal):
        found = f"the number {value}"
    elif isinstance(value, dict):
        found = "a mapping"
    elif isinstance(value, list):
        found = "a list"
    else:
        found = str(value)
    raise problem("invalid-type", f"expected a boolean (true/false), got {found}", fix)


Flag = Annotated[bool, BeforeValidator(_flag)]
"""A boolean field: ``true`` or ``false`` as YAML 1.2 writes them, nothing else."""
