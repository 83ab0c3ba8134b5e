"""Instants in the business-time API: aware datetimes or integer epoch seconds, one convention.

Every function of :mod:`covenant.core.business_time` that takes an instant takes it this way:
an aware ``datetime``, integer epoch seconds, or a sequence / numpy array of either. A naive
datetime (or a ``datetime64``, which carries no zone) raises ``NaiveDatetimeError``.
"""

from __future__ import annotations

from datetime import datetime

import numpy as np
import numpy.typing as npt

from covenant.core.timeutil import require_utc, to_epoch
from covenant.errors import InputError, NaiveDatetimeError

Int64Array = npt.NDArray[np.int64]

Instant = datetime | int | np.integer
"""One instant: an aware datetime or integer epoch seconds."""


def epoch_seconds(values: object, *, what: str = "instant") -> Int64Array:
    """Instants as int64 epoch seconds: the one convention of the business-time API.

    Accepts an aware ``datetime``, integer epoch seconds, or a sequence / numpy array of either
    (any shape). Sub-second parts of datetimes are truncated toward the past. A naive datetime
    raises :class:`~covenant.errors.NaiveDatetimeError`; floats, strings and ``datetime64``
    (which carries no zone) raise :class:`~covenant.errors.InputError`.
    """
    if isinstance(values, datetime):
        return np.array(to_epoch(require_utc(values, what=what)), dtype=np.int64)
    try:
        array = np.asarray(values)
    except (OverflowError, ValueError) as exc:
        raise InputError(
            f"{what} cannot be read as instants ({exc})",
            hint=_INSTANT_HINT + "; epoch seconds must fit in int64",
        ) from exc
    if array.dtype.kind in "iu":
        if array.dtype.kind == "u" and array.size and int(array.max()) > np.iinfo(np.int64).max:
            raise InputError(f"{what} is too large for epoch seconds", hint="give int64 values")
        return array.astype(np.int64, copy=False)
    if array.dtype.kind == "O":
        flat = array.reshape(-1)
        out = np.empty(flat.size, dtype=np.int64)
        for i, value in enumerate(flat.tolist()):
            if isinstance(value, datetime):
                out[i] = to_epoch(require_utc(value, what=what))
            elif isinstance(value, int) and not isinstance(value, bool):
                if not -(2**62) <= value <= 2**62:
                    raise InputError(
                        f"{what} {value} is too far from 1970 to be an instant",
                        hint="give epoch seconds within int64 (year 1 to 9999 fits easily)",
                    )
                out[i] = value
            else:
                raise InputError(
                    f"{what} {value!r} is neither an aware datetime nor integer epoch seconds",
                    hint=_INSTANT_HINT,
                )
        return out.reshape(array.shape)
    if array.dtype.kind == "M":
        raise NaiveDatetimeError(
            f"{what} is a numpy datetime64, which has no time zone",
            hint="pass int64 epoch seconds, e.g. values.astype('datetime64[s]').astype('int64') "
            "for UTC values",
        )
    raise InputError(
        f"{what} must be aware datetimes or integer epoch seconds, got dtype {array.dtype}",
        hint=_INSTANT_HINT,
    )


_INSTANT_HINT = (
    "pass aware datetimes (datetime(..., tzinfo=UTC)) or int64 epoch seconds "
    "(covenant.core.business_time.epoch_seconds converts)"
)


def one_instant(value: object, *, what: str) -> int:
    array = epoch_seconds(value, what=what)
    if array.ndim != 0:
        raise InputError(f"{what} must be one instant, got an array", hint=_INSTANT_HINT)
    return int(array)


__all__ = ["Instant", "epoch_seconds", "one_instant"]
