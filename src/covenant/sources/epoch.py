"""Epoch numbers as instants, for events, tickets and incidents alike: the digits tell the unit.

A number's whole part of 10 digits is epoch seconds, 13 milliseconds, 16 microseconds and 19
nanoseconds: each unit's numbers for the instants from 2001-09-09T01:46:40Z (10**9 seconds)
to 2286, so no number is read in two units (Honeycomb and Vector guess a unit by magnitude as
well; Loki and OpenTelemetry write nanoseconds, JavaScript milliseconds). A number of any other
length is a bad row: its unit is a guess — 999999999 is 2001-09-09 as seconds and 1970-01-12
as milliseconds — so it is refused with the fix rather than stored at an instant nobody meant.
Instants from 2200 on are refused by the callers' range checks as before.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

F64 = npt.NDArray[np.float64]
I64 = npt.NDArray[np.int64]
Mask = npt.NDArray[np.bool_]

# (smallest whole part, first whole part past the unit, units per second)
UNITS = (
    (10.0**9, 10.0**10, 1.0),
    (10.0**12, 10.0**13, 10.0**3),
    (10.0**15, 10.0**16, 10.0**6),
    (10.0**18, 10.0**19, 10.0**9),
)
# the same in integers: a 19-digit number is past float64's 53 bits, so whole numbers are
# divided exactly (read as a float, the last nanoseconds of a second rounded up into the next)
WHOLE_UNITS = tuple((int(low), int(past), int(per)) for low, past, per in UNITS)
INTEGER_TEXT = r"^[+-]?[0-9]+$"
FAR = 2**62  # the seconds given to an infinite or NaN number: past any range check
EPOCH_WORDS = "epoch seconds (10 digits), milliseconds (13), microseconds (16) or nanoseconds (19)"
EPOCH_FIX = (
    "write epoch seconds with 10 digits, milliseconds with 13, microseconds with 16 or "
    "nanoseconds with 19 (instants from 2001-09-09 on), or ISO-8601 with Z "
    "(2026-10-01T09:00:00Z)"
)


def epoch_seconds(values: F64) -> tuple[I64, Mask]:
    """Epoch seconds (floored) of ``values`` in the unit their digits tell, and which finite
    values tell none (their seconds are 0). An infinite or NaN value gets ``FAR``."""
    whole = np.floor(np.abs(np.where(np.isfinite(values), values, 0.0)))
    seconds = np.zeros(values.shape, dtype=np.float64)
    told = np.zeros(values.shape, dtype=bool)
    for low, past, per in UNITS:
        inside = (whole >= low) & (whole < past)
        seconds = np.where(inside, values / per, seconds)
        told |= inside
    finite = np.isfinite(values)
    result = np.where(finite & told, np.floor(seconds), 0.0).astype(np.int64)
    result[~finite] = FAR
    return result, finite & ~told


def whole_epoch_seconds(values: I64) -> tuple[I64, Mask]:
    """``epoch_seconds`` of whole numbers, divided exactly (floored)."""
    whole = np.abs(values)
    seconds = np.zeros(values.shape, dtype=np.int64)
    told = np.zeros(values.shape, dtype=bool)
    for low, past, per in WHOLE_UNITS:
        inside = (whole >= low) & (whole < past)
        seconds = np.where(inside, values // per, seconds)
        told |= inside
    return seconds, ~told


def epoch_seconds_of(numbers: pa.Array | pa.ChunkedArray) -> tuple[I64, Mask]:
    """``epoch_seconds`` of an Arrow column of numbers or of numeric text (null where
    a row gives none: its seconds are 0). Whole numbers, typed or written as digits, are
    divided exactly; the rest (fractions, exponents, numbers past int64) are read as floats."""
    n = len(numbers)
    kind = numbers.type
    if pa.types.is_floating(kind):
        whole = np.zeros(n, dtype=bool)
    elif pa.types.is_integer(kind):
        whole = np.asarray(numbers.is_valid().to_numpy(zero_copy_only=False), dtype=bool)
    else:
        numbers = pc.utf8_trim_whitespace(numbers.cast(pa.string()))
        found = pc.match_substring_regex(numbers, INTEGER_TEXT).fill_null(False)
        whole = np.asarray(found.to_numpy(zero_copy_only=False), dtype=bool)
    floats = ~whole
    seconds = np.zeros(n, dtype=np.int64)
    unclear = np.zeros(n, dtype=bool)
    if whole.any():
        part = numbers if whole.all() else numbers.take(pa.array(np.flatnonzero(whole)))
        try:
            ints = pc.cast(part, pa.int64())
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):  # past int64: 20 digits or more
            floats = np.ones(n, dtype=bool)
        else:
            values = np.asarray(ints.to_numpy(zero_copy_only=False), dtype=np.int64)
            seconds[whole], unclear[whole] = whole_epoch_seconds(values)
    if floats.any():
        part = numbers if floats.all() else numbers.take(pa.array(np.flatnonzero(floats)))
        values = pc.cast(part, pa.float64(), safe=False).fill_null(0)
        found, unit = epoch_seconds(
            np.asarray(values.to_numpy(zero_copy_only=False), dtype=np.float64)
        )
        seconds[floats], unclear[floats] = found, unit
    return seconds, unclear
