"""Reading the bucket store: dense matrices, cumulative counts at edges, extents, series.

Every function takes the open connection (or ORM session) first; none writes. The chunk reads
(``read_matrix``, ``read_edge_counts``, ``series_extent``) are ``chunk_reads``' plain-SQL ones,
the same code ``evaluate`` runs through ``sqlite3`` (``sqlite_reader``); they are re-exported.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import select

from covenant.store.chunk_reads import read_edge_counts, read_matrix, series_extent
from covenant.store.source_state import ASIDE
from covenant.store.tables import series

__all__ = ["SeriesInfo", "list_series", "read_edge_counts", "read_matrix", "series_extent"]

if TYPE_CHECKING:
    from covenant.store.chunk_layout import Executor


@dataclass(frozen=True, slots=True, kw_only=True)
class SeriesInfo:
    """One stored series."""

    id: int
    key: str
    step: int
    created_at: datetime


def list_series(conn: Executor) -> list[SeriesInfo]:
    """Every stored series in use, by key: not those set aside when their query changed
    (``<key>#<sha>``, store.source_queries), which nothing evaluates."""
    query = (
        select(series.c.id, series.c.key, series.c.step_s, series.c.created_at)
        .where(~series.c.key.contains(ASIDE, autoescape=True))
        .order_by(series.c.key)
    )
    return [
        SeriesInfo(id=int(id_), key=str(key), step=int(step), created_at=created)
        for id_, key, step, created in conn.execute(query)
    ]
