"""The day-chunk layout of the bucket store, and helpers its read and write paths share.

One ``bucket_chunks`` row per series per UTC day; its blob is the day's ``good`` array then
its ``total`` array, ``86400 / step`` buckets each, little-endian, in the smallest unsigned
dtype that holds the day's largest count (see ``docs/adr/0002-bucket-store.md``).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt
from sqlalchemy import select
from sqlalchemy.engine import Connection

from covenant.errors import InputError, StoreError
from covenant.store.tables import series

DAY = 86400
IN_LIMIT = 900  # bound parameters per IN list (SQLite allows 32766; stay well below)

if TYPE_CHECKING:  # the ORM loads only where a caller passes a Session
    from sqlalchemy.orm import Session

    Executor = Connection | Session
Int64Array = npt.NDArray[np.int64]


def buckets_per_day(step: int) -> int:
    """Buckets in one UTC day chunk; the step must divide a day."""
    if step <= 0 or DAY % step:
        raise InputError(
            f"bucket step {step}s does not divide a day",
            hint="use a step such as 60, 300 or 3600 seconds",
        )
    return DAY // step


def batched(items: Sequence[Any], size: int = IN_LIMIT) -> Iterator[Sequence[Any]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def series_rows(conn: Executor, keys: Sequence[str]) -> dict[str, tuple[int, int]]:
    found: dict[str, tuple[int, int]] = {}
    for part in batched(list(keys)):
        query = select(series.c.key, series.c.id, series.c.step_s).where(series.c.key.in_(part))
        for key, id_, step in conn.execute(query):
            found[key] = (int(id_), int(step))
    return found


def check_step(found: dict[str, tuple[int, int]], step: int) -> None:
    wrong = sorted(key for key, (_, s) in found.items() if s != step)
    if wrong:
        raise StoreError(
            f"series {', '.join(wrong[:5])} are stored with a step other than {step}s",
            hint="read and write a series with the step it was created with",
        )


def dialect(conn: Executor) -> str:
    # a Connection is checked first: a plain ingest never has to import the ORM for this
    bind = conn if isinstance(conn, Connection) else conn.get_bind()
    return str(bind.dialect.name)


def decode_chunk(blob: bytes, itemsize: int, per_day: int) -> npt.NDArray[np.unsignedinteger[Any]]:
    data = np.frombuffer(blob, dtype=np.dtype(f"<u{itemsize}"))
    if data.size != 2 * per_day:
        raise StoreError(
            f"a stored day chunk holds {data.size} values, expected {2 * per_day}",
            hint="the series was written with another step; the store may be corrupt",
        )
    return data.reshape(2, per_day)
