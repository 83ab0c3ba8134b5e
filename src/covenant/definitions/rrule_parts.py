"""The RFC 5545 §3.3.10 constraints on an RRULE's parts that dateutil does not enforce.

dateutil expands what it is given: it drops an ordinal on ``BYDAY`` in a ``WEEKLY`` rule
(``BYDAY=2MO`` becomes every Monday), applies ``BYMONTHDAY`` to a ``WEEKLY`` rule, reads
``BYMONTHDAY=0`` as no ``BYMONTHDAY`` at all, keeps the last of two ``INTERVAL`` parts and
accepts its own ``BYEASTER``. RFC 5545 forbids each of these, so a correction refuses them
(``invalid-rrule``) rather than recur on days its author did not write. dateutil also finds no
day at all for a ``BYDAY`` mixing numbered and plain weekdays (``1MO,FR``), which RFC 5545
allows: refused too, with the fix (number every weekday, or write two corrections).

:func:`split_rrule` reads a correction's rule text: UNTIL and COUNT apart, the frequencies and
``INTERVAL`` a correction may use, these constraints, and dateutil's own checks.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

from dateutil.rrule import rrulestr

from covenant.definitions.agreements import local_instant

PARTS = (
    "FREQ",
    "INTERVAL",
    "BYSECOND",
    "BYMINUTE",
    "BYHOUR",
    "BYDAY",
    "BYMONTHDAY",
    "BYYEARDAY",
    "BYWEEKNO",
    "BYMONTH",
    "BYSETPOS",
    "WKST",
)
"""The rule parts RFC 5545 defines (UNTIL and COUNT are read apart)."""
FREQUENCIES = ("YEARLY", "MONTHLY", "WEEKLY", "DAILY", "HOURLY")
"""RRULE frequencies a correction may use: it recurs at most hourly."""
MAX_INTERVAL = 100_000
_UNTIL = re.compile(r"^(\d{8})(?:T(\d{6})(Z?))?$")

# part → (lowest, highest, negative values allowed)
_RANGES = {
    "BYSECOND": (0, 59, False),
    "BYMINUTE": (0, 59, False),
    "BYHOUR": (0, 23, False),
    "BYMONTHDAY": (1, 31, True),
    "BYYEARDAY": (1, 366, True),
    "BYWEEKNO": (1, 53, True),
    "BYMONTH": (1, 12, False),
    "BYSETPOS": (1, 366, True),
}
_WEEKDAY = re.compile(r"^([+-]?)(\d{1,2})?(MO|TU|WE|TH|FR|SA|SU)$")


def check_parts(kept: list[str], freq: str) -> None:
    """Raise ValueError naming the part when ``kept`` (``NAME=value`` texts, UNTIL and COUNT
    removed) breaks RFC 5545: an unknown or repeated part, a value out of its range, or a part
    the rule's ``FREQ`` may not have."""
    seen: dict[str, str] = {}
    for part in kept:
        name, _, value = (s.strip().upper() for s in part.partition("="))
        if name not in PARTS:
            raise ValueError(f"{name} is not an RFC 5545 rule part ({', '.join(PARTS)})")
        if name in seen:
            raise ValueError(f"{name} is given twice (RFC 5545: each part at most once)")
        seen[name] = value
    for name, (low, high, negative) in _RANGES.items():
        for item in seen[name].split(",") if name in seen else ():
            number = int(item) if re.fullmatch(r"[+-]?\d+", item) else None
            if number is None or not (
                low <= number <= high or (negative and -high <= number <= -low)
            ):
                span = f"{low} to {high}" + (f" or -{high} to -{low}" if negative else "")
                raise ValueError(f"{name}={item} is not {span}")
    ordinal, plain = False, False
    for item in seen["BYDAY"].split(",") if "BYDAY" in seen else ():
        match = _WEEKDAY.match(item)
        if match is None or (match.group(1) and not match.group(2)):
            raise ValueError(f"BYDAY={item} is not a weekday (MO…SU) with an optional ±1–53")
        if match.group(2) is not None:
            if not 1 <= int(match.group(2)) <= 53:
                raise ValueError(f"BYDAY={item}: the ordinal must be 1 to 53 (or -53 to -1)")
            ordinal = True
        else:
            plain = True
    if ordinal and plain:
        raise ValueError(
            f"BYDAY={seen['BYDAY']} mixes numbered and plain weekdays, which Covenant's "
            "expander (dateutil) reads as no day at all: number every weekday (1MO,1FR,2FR,…) "
            "or write two corrections"
        )
    _check_combinations(seen, freq, ordinal=ordinal)


def _month_ordinal(item: str) -> int:
    match = _WEEKDAY.match(item)
    return abs(int(match.group(2))) if match is not None and match.group(2) else 0


def _check_combinations(seen: dict[str, str], freq: str, *, ordinal: bool) -> None:
    if ordinal and freq not in ("MONTHLY", "YEARLY"):
        raise ValueError(
            f"BYDAY={seen['BYDAY']}: a numbered weekday (2MO, -1FR) needs FREQ=MONTHLY or "
            f"YEARLY, not {freq}"
        )
    in_month = freq == "MONTHLY" or (freq == "YEARLY" and "BYMONTH" in seen)
    beyond = [d for d in seen.get("BYDAY", "").split(",") if in_month and _month_ordinal(d) > 5]
    if beyond:
        raise ValueError(
            f"BYDAY={','.join(beyond)}: a month has at most 5 of each weekday, so it selects "
            "no day (and dateutil can fail on it): number within -5 to 5, or drop BYMONTH to "
            "number within the year"
        )
    if ordinal and "BYWEEKNO" in seen:
        raise ValueError("BYDAY with a numbered weekday cannot be used with BYWEEKNO")
    if "BYMONTHDAY" in seen and freq == "WEEKLY":
        raise ValueError("BYMONTHDAY cannot be used with FREQ=WEEKLY")
    if "BYYEARDAY" in seen and freq in ("DAILY", "WEEKLY", "MONTHLY"):
        raise ValueError(f"BYYEARDAY cannot be used with FREQ={freq}")
    if "BYWEEKNO" in seen and freq != "YEARLY":
        raise ValueError(f"BYWEEKNO needs FREQ=YEARLY, not {freq}")
    if "BYSETPOS" in seen and not [n for n in seen if n.startswith("BY") and n != "BYSETPOS"]:
        raise ValueError("BYSETPOS needs another BYxxx part to pick from (e.g. BYDAY)")


def rule_parts(text: str) -> dict[str, str]:
    """``FREQ=WEEKLY;BYDAY=SU`` → ``{"FREQ": "WEEKLY", "BYDAY": "SU"}`` (names upper-cased)."""
    parts: dict[str, str] = {}
    for part in (p for p in text.split(";") if p.strip()):
        key, _, value = part.partition("=")
        parts[key.strip().upper()] = value.strip().upper()
    return parts


def split_rrule(
    text: str, *, zone: str, dtstart: datetime | None = None
) -> tuple[str, datetime | None, int | None]:
    """``text`` without its UNTIL and COUNT parts, and those parts (UNTIL as a UTC instant);
    ``dtstart`` (the first occurrence's wall time) is the start the rule is checked from.

    Raises ValueError with a readable message for a malformed rule.
    """
    body = text.strip()
    if body.upper().startswith("RRULE:"):
        body = body[len("RRULE:") :]
    if "\n" in body or "DTSTART" in body.upper():
        raise ValueError("the rule must be a single RRULE line without DTSTART")
    kept: list[str] = []
    until: datetime | None = None
    count: int | None = None
    for part in (p for p in body.split(";") if p):
        key, _, value = part.partition("=")
        name = key.strip().upper()
        if name == "UNTIL":
            match = _UNTIL.match(value.strip())
            if match is None:
                raise ValueError(f"UNTIL={value} is not YYYYMMDD or YYYYMMDDTHHMMSS[Z]")
            day, clock, utc = match.groups()
            local = datetime.strptime(day + (clock or "235959"), "%Y%m%d%H%M%S")  # noqa: DTZ007
            until = local.replace(tzinfo=UTC) if utc else local_instant(local, zone)
        elif name == "COUNT":
            if not value.strip().isdigit() or int(value) < 1:
                raise ValueError(f"COUNT={value} is not a positive whole number")
            count = int(value)
        else:
            kept.append(part.strip())
    rest = ";".join(kept)
    if "FREQ=" not in rest.upper():
        raise ValueError("the rule has no FREQ (e.g. FREQ=WEEKLY)")
    parts = rule_parts(rest)
    if parts["FREQ"] not in FREQUENCIES:
        raise ValueError(
            f"FREQ={parts['FREQ']} is not allowed: a correction recurs at most hourly "
            f"({', '.join(FREQUENCIES)})"
        )
    check_parts(kept, parts["FREQ"])
    interval = parts.get("INTERVAL", "1")
    if not interval.isdigit() or not 1 <= int(interval) <= MAX_INTERVAL:
        raise ValueError(f"INTERVAL={interval} is not a whole number from 1 to {MAX_INTERVAL:,}")
    first = dtstart or datetime(2000, 1, 1)  # noqa: DTZ001 - a wall time
    try:
        rrulestr(rest, dtstart=first)
    except (TypeError, KeyError, OverflowError) as exc:
        raise ValueError(str(exc)) from exc
    except ValueError as exc:
        if "empty set" not in str(exc) or "BYHOUR" not in parts:
            raise
        raise ValueError(
            f"it never occurs: BYHOUR={parts['BYHOUR']} is never reached every {interval} "
            f"hour(s) from the start's {first:%H}:00"
        ) from exc
    return rest, until, count
