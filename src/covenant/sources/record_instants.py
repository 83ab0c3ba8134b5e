"""Instants of ticket and incident files, a whole column at a time (split from ``records``).

Each value gets a status: OK (an ISO-8601 instant with ``Z`` or an offset, or an epoch number
in the unit its digits tell — ``sources.epoch``, as events — between 1970 and 2200), MISSING
(None or blank), NAIVE (no offset), BAD (anything else), OUT_OF_RANGE (an instant before 1970
or from 2200 on: a typo, not a record) or UNIT_UNCLEAR (an epoch number of a length no unit
has).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, datetime

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from covenant.sources.epoch import epoch_seconds_of

I64 = npt.NDArray[np.int64]
I8 = npt.NDArray[np.int8]

OK, MISSING, NAIVE, BAD, OUT_OF_RANGE, UNIT_UNCLEAR = 0, 1, 2, 3, 4, 5
EARLIEST = 0  # 1970-01-01T00:00:00Z
LATEST = 7_258_118_400  # 2200-01-01T00:00:00Z: later instants are typos, not records
_ISO_ZONED = r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}([.,]\d+)?)?\s*([Zz]|[+-]\d{2}(:?\d{2})?)$"
_NUMBER = r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$"  # as an event's epoch number
ISO_NAIVE = r"^\d{4}-\d{2}-\d{2}([T ]\d{2}(:\d{2}(:\d{2}([.,]\d+)?)?)?)?$"


def _mask(array: pa.Array | pa.ChunkedArray) -> npt.NDArray[np.bool_]:
    return np.asarray(array.fill_null(False).to_numpy(zero_copy_only=False), dtype=bool)


def parse_instants(values: Sequence[object]) -> tuple[I64, I8]:
    """Epoch seconds (floored) and a status per value (see the module).

    Accepted: ISO-8601 text with ``Z`` or an offset, and epoch numbers (JSON numbers or text)
    in the unit their digits tell. Text without an offset is NAIVE; a number of a length no
    unit has is UNIT_UNCLEAR; anything else (other text, booleans, lists) is BAD; None and
    blank text are MISSING.
    """
    n = len(values)
    texts = [_text(v) for v in values]
    not_text = np.fromiter(
        (v is not None and t is None for v, t in zip(values, texts, strict=True)),
        dtype=bool,
        count=n,
    )
    array = pa.array(texts, type=pa.string())
    present = _mask(pc.greater(pc.utf8_length(array), 0))
    zoned = _mask(pc.match_substring_regex(array, _ISO_ZONED))
    naive = _mask(pc.match_substring_regex(array, ISO_NAIVE))
    seconds = np.zeros(n, dtype=np.int64)
    parsed = np.zeros(n, dtype=bool)
    if zoned.any():
        rows = np.flatnonzero(zoned)
        subset = array.take(pa.array(rows))
        try:
            stamps = pc.cast(subset, pa.timestamp("ns", "UTC"))
            ns = np.asarray(stamps.cast(pa.int64()).fill_null(0).to_numpy(zero_copy_only=False))
            seconds[rows] = ns.astype(np.int64) // 1_000_000_000
            parsed[rows] = _mask(stamps.is_valid())
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            # one impossible value (month 13, a lower-case z): parse this column one by one
            for row, text in zip(rows.tolist(), subset.to_pylist(), strict=True):
                epoch = _parse_iso(str(text))
                if epoch is not None:
                    seconds[row], parsed[row] = epoch, True
    numeric = present & _mask(pc.match_substring_regex(array, _NUMBER))
    unclear = np.zeros(n, dtype=bool)
    if numeric.any():
        rows = np.flatnonzero(numeric)
        seconds[rows], unit_unclear = epoch_seconds_of(array.take(pa.array(rows)))
        unclear[rows[unit_unclear]] = True
        parsed[rows[~unit_unclear]] = True
    status = np.full(n, MISSING, dtype=np.int8)
    status[present] = BAD
    status[present & naive] = NAIVE
    status[parsed] = OK
    status[parsed & ((seconds < EARLIEST) | (seconds >= LATEST))] = OUT_OF_RANGE
    status[unclear] = UNIT_UNCLEAR
    status[not_text] = BAD
    return seconds, status


def is_epoch_number(value: object) -> bool:
    """Whether ``value`` is read as an epoch number (a number, or text that writes one)."""
    text = _text(value)
    return text is not None and re.match(_NUMBER, text) is not None


def _text(value: object) -> str | None:
    """A value as the text the column's patterns read (None: neither text nor a number)."""
    if isinstance(value, str):  # RFC 3339 lets "T" and "Z" be lower case (…t09:00:00z)
        return value.strip().upper()
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)  # a JSON number: an epoch number (an int keeps its every digit)
    return None


def _parse_iso(text: str) -> int | None:
    try:
        moment = datetime.fromisoformat(text.replace(",", "."))
    except ValueError:
        return None
    if moment.tzinfo is None:
        return None
    try:
        delta = moment.astimezone(UTC) - datetime(1970, 1, 1, tzinfo=UTC)
    except OverflowError:  # 9999-12-31T23:59:59-14:00 lies past year 9999 in UTC
        return LATEST if moment.year > 1970 else EARLIEST - 1
    return delta.days * 86400 + delta.seconds
