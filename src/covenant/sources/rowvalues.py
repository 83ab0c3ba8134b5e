"""A rejected row's value as its file wrote it (the words of an event row's problem)."""

from __future__ import annotations

import math
from typing import Any


class Written(str):
    """A number's text as the file wrote it: quoted bare, as a number is (``!r`` too)."""

    __slots__ = ()

    def __repr__(self) -> str:
        return str(self)


def shown(value: Any, written: str | None = None) -> Any:
    """A number column's value as the file wrote it where a float can say so: a whole number
    without ``.0`` (``-200``, ``good=5``; exact up to 2^53), NaN and infinities as words; past
    2^53 a float no longer holds every whole number, so the text ``written`` is quoted."""
    if not isinstance(value, float):
        return value
    if not math.isfinite(value):
        return "NaN" if math.isnan(value) else ("inf" if value > 0 else "-inf")
    if abs(value) >= 2**53 and written is not None and written.strip():
        return Written(written.strip())
    if value.is_integer() and abs(value) <= 2**53:
        return int(value)
    return value
