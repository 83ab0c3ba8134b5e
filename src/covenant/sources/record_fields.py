"""The values of a ticket or incident row (split from ``records``): keys, labels, booleans,
name lists, status histories and a column of instants, each checked, with the row's first
problem raised as :class:`Reject` (the parsers turn it into a ``Problem``)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from fractions import Fraction
from typing import Any

from covenant.core.timeutil import from_epoch
from covenant.sources.epoch import EPOCH_FIX
from covenant.sources.record_instants import (
    MISSING,
    NAIVE,
    OK,
    OUT_OF_RANGE,
    UNIT_UNCLEAR,
    is_epoch_number,
    parse_instants,
)
from covenant.sources.rowvalues import spreadsheet_words
from covenant.sources.unstorable import unstorable, unstorable_words

MAX_KEY_LENGTH = 255  # ids, customers and services (the store's key columns)
MAX_LABEL_LENGTH = 64  # priorities and severities

BOOLEANS = {"true": True, "yes": True, "1": True, "false": False, "no": False, "0": False}
INSTANT_FIX = (
    "write UTC times with Z (2026-10-01T09:00:00Z) or an offset (+02:00), or epoch seconds "
    "(1790845200)"
)
NAIVE_FIX = (
    "write UTC times with Z (2026-10-01T09:00:00Z) or an offset (+02:00), or pass "
    "--time-zone with the zone the export is written in"
)


SERIAL_FIX = (
    "format the column as ISO-8601 before saving the CSV (a custom format such as "
    "yyyy-mm-ddThh:mm:ss, then --time-zone with the spreadsheet's zone), or write UTC times "
    "with Z (2026-10-01T09:00:00Z)"
)
# day 0 of Excel's, LibreOffice's and Sheets' dates (only its wall time is shown)
SERIAL_EPOCH = datetime(1899, 12, 30, tzinfo=UTC)
SERIAL_DAYS = (25569, 109575)  # 1970-01-01 to 2200-01-01, the instants a record may have


def serial_date(value: object) -> str | None:
    """``'46300.5'`` → ``'2026-10-05 12:00'``: the wall time a spreadsheet's serial date
    (days since 1899-12-30, the fraction the time of day) stands for; None for another value."""
    text = str(value).strip()
    whole, _, fraction = text.partition(".")
    if not (whole.isdigit() and len(whole) == 5 and (fraction == "" or fraction.isdigit())):
        return None
    days = Fraction(text)
    if not SERIAL_DAYS[0] <= days < SERIAL_DAYS[1]:
        return None
    minutes = round(days * 1440)  # spreadsheets keep times to the minute in a float
    return (SERIAL_EPOCH + timedelta(minutes=minutes)).strftime("%Y-%m-%d %H:%M")


class Reject(Exception):  # noqa: N818 - a control-flow signal of the record parsers, not an error
    """Raised while building one record: the row's (first) problem."""

    def __init__(self, code: str, field: str, message: str, fix: str = "") -> None:
        super().__init__(message)
        self.code = code
        self.field = field
        self.message = message
        self.fix = fix


# --- values ----------------------------------------------------------------------------------


class Instants:
    """One parsed column of instants: value ``i`` as an aware datetime, or the row's problem."""

    def __init__(self, field: str, values: Sequence[object]) -> None:
        self.field = field
        self.values = values
        seconds, status = parse_instants(values)
        self.seconds: list[int] = seconds.tolist()  # Python ints: read once per row below
        self.status: list[int] = status.tolist()

    def get(self, i: int, *, label: str = "") -> datetime | None:
        """Value ``i`` (None when blank); raises the row's problem when it is not an instant."""
        status = self.status[i]
        if status == OK:
            return from_epoch(self.seconds[i])
        if status == MISSING:
            return None
        field = self.field
        prefix = f"{label}: " if label else ""
        value = self.values[i]
        if status == NAIVE:
            raise Reject(
                "naive-timestamp",
                field,
                f"{prefix}{value!r}: no UTC offset; add Z, or pass --time-zone",
                NAIVE_FIX,
            )
        if status == OUT_OF_RANGE:
            raise Reject(
                "bad-value",
                field,
                f"{prefix}{value!r} lies outside 1970-01-01 to 2200-01-01",
                EPOCH_FIX if is_epoch_number(value) else "check the year",
            )
        if status == UNIT_UNCLEAR and (day := serial_date(value)) is not None:
            raise Reject(
                "bad-value",
                field,
                f"{prefix}{value!r} is a spreadsheet's serial date ({day} in the spreadsheet's "
                "own time zone), not an instant",
                SERIAL_FIX,
            )
        if status == UNIT_UNCLEAR:
            raise Reject(
                "bad-value",
                field,
                f"{prefix}{value!r} is an epoch number whose digits tell no unit",
                EPOCH_FIX,
            )
        said, fix = spreadsheet_words(
            "timestamp", {"value": value}, f"{prefix}{value!r} is not an instant", INSTANT_FIX
        )
        if fix != INSTANT_FIX:  # a spreadsheet's local date: records can be read as they are
            fix += ", or read it as written with --time-format '%d/%m/%Y %H:%M' --time-zone ZONE"
        raise Reject("bad-value", field, said, fix)

    def require(self, i: int, *, label: str = "") -> datetime:
        """Like ``get``, and a blank value is a problem too."""
        moment = self.get(i, label=label)
        if moment is None:
            prefix = f"{label}: " if label else ""
            field = self.field
            raise Reject("missing-value", field, f"{prefix}no {field}", f"fill in {field}")
        return moment


def scalar(row: dict[str, Any], field: str) -> str | None:
    """A text cell (numbers allowed, as ids and priorities often are), stripped; None if blank."""
    value = row.get(field)
    if value is None:
        return None
    if isinstance(value, str):
        return storable(value, field).strip() or None
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    raise Reject("bad-value", field, f"{value!r} is not text", f"write {field} as text")


def storable(value: str, field: str) -> str:
    """``value``, unless it holds a NUL character or a lone surrogate (``\\u0000``,
    ``\\ud800`` in JSON): then the row is refused, on every store alike."""
    code = unstorable(value)
    if code is None:
        return value
    message, fix = unstorable_words(field, code)
    raise Reject("bad-value", field, message, fix)


def key_value(row: dict[str, Any], field: str, *, limit: int = MAX_KEY_LENGTH) -> str:
    value = scalar(row, field)
    if value is None:
        raise Reject("missing-value", field, f"no {field}", f"fill in {field}")
    if len(value) > limit:
        raise Reject(
            "bad-value",
            field,
            f"{value[:40]!r}… is longer than {limit} characters",
            f"shorten {field} to at most {limit} characters",
        )
    return value


def label(row: dict[str, Any], field: str) -> str:
    value = scalar(row, field) or ""
    if len(value) > MAX_LABEL_LENGTH:
        raise Reject(
            "bad-value",
            field,
            f"{value[:40]!r}… is longer than {MAX_LABEL_LENGTH} characters",
            f"shorten {field} to at most {MAX_LABEL_LENGTH} characters",
        )
    return value


def boolean(row: dict[str, Any], field: str) -> bool:
    value = row.get(field)
    if value is None or isinstance(value, bool):
        return bool(value)
    key = str(value).strip().lower() if isinstance(value, str | int) else None
    if key == "":
        return False
    if key in BOOLEANS:
        return BOOLEANS[key]
    raise Reject("bad-value", field, f"{value!r} is not a boolean", "use true/false, yes/no or 1/0")


def names(row: dict[str, Any], field: str) -> tuple[str, ...]:
    """A list of names: a JSON array of text, or text separated by ``;``; blanks dropped."""
    value = row.get(field)
    if value is None:
        return ()
    if isinstance(value, str):
        items: list[object] = list(value.split(";"))
    elif isinstance(value, list):
        items = value
    else:
        raise Reject(
            "bad-value", field, f"{value!r} is not a list", f"write {field} as a;b or a JSON array"
        )
    names: dict[str, None] = {}
    for item in items:
        if not isinstance(item, str):
            raise Reject("bad-value", field, f"{item!r} in {field} is not text")
        name = storable(item, field).strip()
        if len(name) > MAX_KEY_LENGTH:
            raise Reject("bad-value", field, f"{name[:40]!r}… is too long")
        if name:
            names[name] = None
    return tuple(names)


# --- tickets ---------------------------------------------------------------------------------

History = tuple[tuple[tuple[str, object, str], ...], None] | tuple[None, Reject]


def history_entries(value: object) -> History:
    """``((status, at, entry text) …)`` of a history cell, or the reason it cannot be read."""
    try:
        return _history_entries(value)
    except Reject as reject:  # text no store keeps (``storable``)
        return None, reject


def _history_entries(value: object) -> History:
    if value is None or (isinstance(value, str) and not value.strip()):
        return (), None
    entries: list[tuple[str, object, str]] = []
    if isinstance(value, str):
        for part in storable(value, "history").split(";"):
            text = part.strip()
            if not text:
                continue
            status, at_sign, at = text.rpartition("@")
            if not at_sign or not status.strip():
                return None, Reject(
                    "bad-value",
                    "history",
                    f"entry {text!r} is not status@instant",
                    "write entries as open@2026-10-01T09:00:00Z separated by ;",
                )
            entries.append((status.strip().lower(), at, text))
        return tuple(entries), None
    if isinstance(value, list):
        for item in value:
            named = item.get("status") if isinstance(item, dict) else None
            if not isinstance(named, str) or not named.strip() or "at" not in item:
                return None, Reject(
                    "bad-value",
                    "history",
                    f"entry {item!r} is not an object with 'at' and 'status'",
                    'write entries as {"at": "2026-10-01T09:00:00Z", "status": "open"}',
                )
            status = storable(named, "history").strip().lower()
            entries.append((status, item["at"], f"{named}@{item['at']}"))
        return tuple(entries), None
    return None, Reject(
        "bad-value",
        "history",
        f"{value!r} is not a status history",
        "give a list of {at, status} objects (JSON) or status@instant;… (CSV)",
    )
