"""A rejected row's value as its file wrote it (the words of an event row's problem)."""

from __future__ import annotations

import math
import re
from typing import Any


class Written(str):
    """A number's text as the file wrote it: quoted bare, as a number is (``!r`` too)."""

    __slots__ = ()

    def __repr__(self) -> str:
        return str(self)


_WORDS = frozenset({"nan", "inf", "infinity"})
"""How a file writes a NaN or an infinity in words (shown as those quoted words)."""


def shown(value: Any, written: str | None = None) -> Any:
    """A number column's value as the file wrote it where a float can say so: a whole number
    without ``.0`` (``-200``, ``good=5``; exact up to 2^53), NaN and infinities as words; past
    2^53 a float no longer holds every whole number, and a number too large for one
    (``2e308``) is no infinity, so the text ``written`` is shown. A JSON number's text
    (``written`` a :class:`Written`) is shown as written, also when its column was read as
    text (a column of mixed types: ``good=5``, not ``good='5'``)."""
    if isinstance(written, Written) and value is not None:
        return Written(written.strip())
    if not isinstance(value, float):
        return value
    if not math.isfinite(value):
        number = written.strip() if written is not None else ""
        if number and number.lstrip("+-").lower() not in _WORDS:
            return Written(number)  # a number too large for a float (2e308): as written
        return "NaN" if math.isnan(value) else ("inf" if value > 0 else "-inf")
    if abs(value) >= 2**53 and written is not None and written.strip():
        return Written(written.strip())
    if value.is_integer() and abs(value) <= 2**53:
        return int(value)
    return value


_GROUPED = re.compile(r"[+-]?\d{1,3}(?:([,' \u00a0\u202f])\d{3})(?:\1\d{3})*(?:\.\d+)?")
"""A number written with a thousands separator (``1,234``, ``1 234``, ``1'234``), as a
spreadsheet formats it."""

_SHEET_DATE = re.compile(
    r"\d{1,2}([./-])\d{1,2}\1\d{2,4}"
    r"(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?(?:\s?[AaPp]\.?[Mm]\.?)?)?"
)
"""A date as a spreadsheet shows it in its locale (``05/12/2026 14:03``, ``5.12.26``)."""

_PLAIN = "before saving the CSV"


def spreadsheet_words(
    column: str, values: dict[str, Any], message: str, fix: str
) -> tuple[str, str]:
    """A rejected value's ``message`` and ``fix`` said for what a spreadsheet made of it: a
    number with a thousands separator, a date in the sheet's local form (``values``: the
    row's values by the names its message uses; unchanged when neither applies)."""
    if column == "timestamp":
        value = values.get("value")
        if isinstance(value, str) and _SHEET_DATE.fullmatch(value.strip()):
            return (
                f"{message}: it is a spreadsheet's local date, which says neither which number "
                "is the day nor the time zone",
                "format the column as ISO-8601 with Z or an offset (2026-10-01T09:00:00Z) "
                + _PLAIN,
            )
        return message, fix
    names = ("good", "total") if column == "good" else ("value",)
    texts = [values.get(name) for name in names]
    if not any(isinstance(t, str) and _GROUPED.fullmatch(t.strip()) for t in texts):
        return message, fix
    plain = [_ungrouped(t) if isinstance(t, str) else str(t) for t in texts]
    if len(plain) == 1:
        said = f"write it without the thousands separator: {plain[0]}"
    else:
        said = f"write them without the thousands separator: {' and '.join(plain)}"
    return message, f"{said} (format the column as a plain number {_PLAIN})"


def _ungrouped(text: str) -> str:
    match = _GROUPED.fullmatch(text.strip())
    if match is None or match.group(1) is None:
        return text
    return text.strip().replace(match.group(1), "")
