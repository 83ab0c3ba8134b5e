"""The audit log's hash chain on ``/metrics`` (``covenant_audit_chain_ok`` and its companions,
docs/worker.md#metrics), kept cheap to scrape.

Reading the whole log (``covenant audit verify``) costs a hash per row, too much for every
scrape. So each server process reads it whole at its first scrape and again once
:data:`WHOLE_EVERY` has passed; between those, a scrape reads only the rows appended since the
last head (``store.audit.verify_after``: the head still there with its hash, each new row
chained to it) — one small query when nothing was appended. A chain found broken stays broken
until a whole read finds it whole (the store restored). A check that fails (the store
unreachable) leaves the audit families out of that scrape rather than guess."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy.exc import SQLAlchemyError

from covenant.render.metrics_audit import AuditChain
from covenant.store import audit as repo

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection, Engine

    from covenant.store.audit import Verification

WHOLE_EVERY = timedelta(hours=1)


class AuditWatch:
    """One process's view of the chain, updated at each scrape (see the module)."""

    def __init__(self, whole_every: timedelta = WHOLE_EVERY) -> None:
        self._lock = threading.Lock()
        self._whole_every = whole_every
        self._head: tuple[int, str] | None = None  # the last head checked
        self._chain: AuditChain | None = None

    def chain(self, engine: Engine, *, now: datetime) -> AuditChain | None:
        """The chain as checked at ``now``: whole-log when due, else the rows appended."""
        with self._lock:  # one check at a time: concurrent scrapes wait for it, not repeat it
            try:
                with engine.connect() as conn, conn.begin():  # one snapshot of the log
                    return self._check(conn, now=now)
            except SQLAlchemyError:
                return None

    def _check(self, conn: Connection, *, now: datetime) -> AuditChain:
        kept = self._chain
        whole = kept is None or now - kept.verified_at >= self._whole_every
        if whole:
            found = repo.verify(conn)
            verified_at = now
        elif kept is not None and not kept.ok:  # broken stays broken until a whole read
            return AuditChain(
                ok=False,
                rows=kept.rows,
                verified_at=kept.verified_at,
                checked_at=now,
                broken_seq=kept.broken_seq,
            )
        elif self._head is None:  # an empty log: anything appended is read from its start
            found = repo.verify(conn)
            verified_at = kept.verified_at if kept is not None else now
        else:
            found = repo.verify_after(conn, anchor=self._head)
            verified_at = kept.verified_at if kept is not None else now
        return self._keep(found, verified_at=verified_at, now=now)

    def _keep(self, found: Verification, *, verified_at: datetime, now: datetime) -> AuditChain:
        if found.head_seq is not None and found.head_hash is not None:
            self._head = (found.head_seq, found.head_hash)
        elif found.broken is None:
            self._head = None
        chain = AuditChain(
            ok=found.broken is None,
            rows=found.head_seq or 0,
            verified_at=verified_at,
            checked_at=now,
            broken_seq=None if found.broken is None else found.broken.seq,
        )
        self._chain = chain
        return chain
