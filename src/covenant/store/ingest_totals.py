"""Every batch of events recorded in the store, summed in one row (``ingest_totals``, id 1).

``add_batch`` adds a batch to the row in the transaction that records the batch (an upsert:
a store created from the schema snapshot has no row until its first batch; a concurrent
first batch updates the row the other inserted), so a rolled-back batch leaves the totals.
``batch_totals`` reads the row by its primary key: what ``/metrics`` shows of ingestion costs
one row whatever the number of batches (``ingest_batches`` is never pruned).
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import case, or_, select

from covenant.store.chunk_layout import upsert_insert
from covenant.store.tables import ingest_totals

if TYPE_CHECKING:
    from covenant.store.chunk_layout import Executor

ROW = 1


def add_batch(
    conn: Executor,
    *,
    rows_ingested: int,
    rows_rejected: int,
    ingested_at: datetime,
    events_max: int | None,
) -> None:
    """Add one recorded batch to the totals (call in the transaction that records it)."""
    insert = upsert_insert(conn)
    t = ingest_totals.c
    statement = insert(ingest_totals).values(
        id=ROW,
        batches=1,
        rows_ingested=rows_ingested,
        rows_rejected=rows_rejected,
        last_batch_at=ingested_at,
        events_max=events_max,
    )
    new = statement.excluded
    conn.execute(
        statement.on_conflict_do_update(
            index_elements=["id"],
            set_={
                "batches": t.batches + 1,
                "rows_ingested": t.rows_ingested + new.rows_ingested,
                "rows_rejected": t.rows_rejected + new.rows_rejected,
                "last_batch_at": case(
                    (
                        or_(t.last_batch_at.is_(None), t.last_batch_at < new.last_batch_at),
                        new.last_batch_at,
                    ),
                    else_=t.last_batch_at,
                ),
                "events_max": case(
                    (new.events_max.is_(None), t.events_max),
                    (or_(t.events_max.is_(None), t.events_max < new.events_max), new.events_max),
                    else_=t.events_max,
                ),
            },
        )
    )


def batch_totals(conn: Executor) -> tuple[int, int, int, datetime | None, int | None]:
    """Every recorded batch summed: how many, rows ingested, rows refused, the newest batch's
    instant and the newest event second (no batch yet: zeros and None)."""
    t = ingest_totals.c
    row = conn.execute(
        select(t.batches, t.rows_ingested, t.rows_rejected, t.last_batch_at, t.events_max).where(
            t.id == ROW
        )
    ).first()
    if row is None:
        return (0, 0, 0, None, None)
    return (
        int(row[0]),
        int(row[1]),
        int(row[2]),
        row[3],
        None if row[4] is None else int(row[4]),
    )
