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
