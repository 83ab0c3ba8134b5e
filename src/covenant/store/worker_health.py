"""The worker's ticks, kept in the store (``worker_health``, one row, id 1): counted by
outcome, with the latest tick's instant and duration and the latest completed tick's instant.

``record_tick`` adds a tick in a transaction of its own, right after it (an upsert: the first
tick inserts the row). The leader records its ticks; every process reads the row
(``tick_totals``) at each scrape, so ``/metrics`` answers the same samples whichever process
takes it, a failed tick (which publishes no page) shows at once, and the counts go on across
restarts and leader changes: they start at 0 with the store (migration ``0022_worker_health``)
and never go back.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, Literal

from sqlalchemy import case, or_, select

from covenant.store.chunk_layout import upsert_insert
from covenant.store.worker_tables import worker_health

if TYPE_CHECKING:
    from covenant.store.chunk_layout import Executor

ROW = 1
Outcome = Literal["ok", "problems", "failed"]
OUTCOMES: tuple[Outcome, ...] = ("ok", "problems", "failed")
"""``ok``: the tick completed; ``problems``: it completed, but a part could not be evaluated
or a read failed (its alerts kept their state; the log names each); ``failed``: it raised,
nothing moved."""


@dataclass(frozen=True, slots=True, kw_only=True)
class TickTotals:
    """Every recorded tick, summed (no tick yet: zeros and None)."""

    ticks: dict[str, int]  # per outcome, every outcome present
    last_tick_at: datetime | None = None
    last_tick_s: float | None = None
    last_success_at: datetime | None = None  # the latest tick that completed (ok or problems)


def record_tick(conn: Executor, *, outcome: Outcome, at: datetime, took_s: float) -> None:
    """Add one tick of ``outcome`` at ``at`` that took ``took_s`` seconds."""
    insert = upsert_insert(conn)
    t = worker_health.c
    done = outcome != "failed"
    statement = insert(worker_health).values(
        id=ROW,
        ticks_ok=int(outcome == "ok"),
        ticks_problems=int(outcome == "problems"),
        ticks_failed=int(outcome == "failed"),
        last_tick_at=at,
        last_tick_s=took_s,
        last_success_at=at if done else None,
    )
    new = statement.excluded
    success: Any = t.last_success_at
    if done:
        success = case(
            (
                or_(t.last_success_at.is_(None), t.last_success_at < new.last_success_at),
                new.last_success_at,
            ),
            else_=t.last_success_at,
        )
    conn.execute(
        statement.on_conflict_do_update(
            index_elements=["id"],
            set_={
                "ticks_ok": t.ticks_ok + new.ticks_ok,
                "ticks_problems": t.ticks_problems + new.ticks_problems,
                "ticks_failed": t.ticks_failed + new.ticks_failed,
                "last_tick_at": new.last_tick_at,
                "last_tick_s": new.last_tick_s,
                "last_success_at": success,
            },
        )
    )


def tick_totals(conn: Executor) -> TickTotals:
    """The row, read by its primary key."""
    t = worker_health.c
    row = conn.execute(
        select(
            t.ticks_ok,
            t.ticks_problems,
            t.ticks_failed,
            t.last_tick_at,
            t.last_tick_s,
            t.last_success_at,
        ).where(t.id == ROW)
    ).first()
    if row is None:
        return TickTotals(ticks=dict.fromkeys(OUTCOMES, 0))
    return TickTotals(
        ticks={"ok": int(row[0]), "problems": int(row[1]), "failed": int(row[2])},
        last_tick_at=row[3],
        last_tick_s=float(row[4]),
        last_success_at=row[5],
    )
