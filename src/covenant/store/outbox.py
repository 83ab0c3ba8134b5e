"""Reads and writes of the notice outbox (``outbox_tables``): add, claim, mark, list, retry.

Claiming is safe with several senders: on PostgreSQL the due rows are selected ``FOR UPDATE
SKIP LOCKED`` and leased (``claimed_until``, ``claimed_by``) in one short transaction, so two
replicas never take the same row; on SQLite the claim runs in a ``BEGIN IMMEDIATE`` write
transaction (one writer at a time). The lease is given up when the row is marked; a sender that
dies holding one leaves the row to be claimed again once the lease has passed.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, delete, exists, func, or_, select, tuple_, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection
from sqlalchemy.sql.elements import ColumnElement

from covenant.store.outbox_tables import FAILED, PENDING, SENT, notice_outbox

T = notice_outbox.c


@dataclass(frozen=True, slots=True, kw_only=True)
class NewRow:
    notice_key: str
    state: str
    starts_at: datetime
    target: str
    kind: str
    notice: str  # JSON
    target_spec: str | None = None  # JSON: how the target was reached (services.senders)


@dataclass(frozen=True, slots=True, kw_only=True)
class OutboxRow:
    id: int
    notice_key: str
    state: str
    starts_at: datetime
    target: str
    kind: str
    notice: str
    status: str
    attempts: int
    next_attempt_at: datetime
    last_error: str | None
    created_at: datetime
    sent_at: datetime | None
    target_spec: str | None = None


HELD = (
    "not sent: its firing notice to this target was never delivered (the target was not told "
    "the alert fired); `covenant alerts outbox --retry` sends both, the firing first"
)
"""The ``last_error`` of a resolution held back with its firing row, which failed."""


def add(conn: Connection, rows: Sequence[NewRow], *, now: datetime, held: bool = False) -> int:
    """Insert ``rows`` as pending — or, ``held``, as failed (:data:`HELD`: resolutions whose
    firing row failed) — skipping any already there (same notice, state, episode and target);
    the number inserted. Runs in the caller's transaction."""
    if not rows:
        return 0
    values = [
        {
            "notice_key": r.notice_key,
            "state": r.state,
            "starts_at": r.starts_at,
            "target": r.target,
            "kind": r.kind,
            "notice": r.notice,
            "target_spec": r.target_spec,
            "status": FAILED if held else PENDING,
            "attempts": 0,
            "next_attempt_at": now,
            "created_at": now,
            "last_error": HELD if held else None,
        }
        for r in rows
    ]
    keys = ["notice_key", "state", "starts_at", "target"]
    if conn.dialect.name == "postgresql":
        pg = postgresql.insert(notice_outbox).on_conflict_do_nothing(index_elements=keys)
        stmt = pg.returning(T.id)
    else:
        lite = sqlite.insert(notice_outbox).on_conflict_do_nothing(index_elements=keys)
        stmt = lite.returning(T.id)
    return sum(len(conn.execute(stmt.values(**v)).all()) for v in values)


TOLD = (SENT, PENDING)
"""The statuses of a firing row whose target was told of its alert, or is being told (still
tried); a ``failed`` row's target was not: its receiver never took the notice."""


def firing_targets(
    conn: Connection,
    episodes: Sequence[tuple[str, datetime]],
    *,
    statuses: Collection[str] = TOLD,
) -> dict[tuple[str, datetime], dict[str, str | None]]:
    """The targets each (notice key, episode start) was written to as firing with a row of
    ``statuses`` (default: told, :data:`TOLD`), each with how it was reached then
    (``target_spec``; None on a row written before it was kept)."""
    found: dict[tuple[str, datetime], dict[str, str | None]] = {}
    wanted = set(episodes)
    keys = sorted({key for key, _ in episodes})
    for start in range(0, len(keys), 500):
        query = select(T.notice_key, T.starts_at, T.target, T.target_spec).where(
            T.state == "firing",
            T.status.in_(list(statuses)),
            T.notice_key.in_(keys[start : start + 500]),
        )
        for key, starts_at, target, spec in conn.execute(query.order_by(T.id)):
            if (key, starts_at) in wanted:
                found.setdefault((key, starts_at), {})[target] = spec
    return found


def retry_firing(
    conn: Connection,
    rows: Iterable[tuple[str, datetime, str]],
    *,
    now: datetime,
    given_up_before: datetime,
) -> int:
    """Put back to pending the failed firing rows of ``rows`` (notice key, episode start,
    target) given up before ``given_up_before`` (their ``next_attempt_at``: ``mark_failed``;
    a row given up lately waits); how many. Their attempts start again from 0."""
    retried = 0
    for key, starts_at, target in rows:
        done = conn.execute(
            update(notice_outbox)
            .where(
                T.notice_key == key,
                T.starts_at == starts_at,
                T.target == target,
                T.state == "firing",
                T.status == FAILED,
                T.next_attempt_at <= given_up_before,
            )
            .values(status=PENDING, next_attempt_at=now, attempts=0, claimed_until=None)
        )
        retried += done.rowcount
    return retried


def _firing_not_sent(*, statuses: Collection[str] = (PENDING, FAILED)) -> ColumnElement[bool]:
    """A resolution row whose target's firing row of the same episode is of ``statuses`` (not
    sent: pending, in backoff or being sent; failed, the target was never told)."""
    firing = notice_outbox.alias("firing")
    F = firing.c  # noqa: N806 - a table's columns
    return and_(
        T.state == "resolved",
        exists().where(
            F.notice_key == T.notice_key,
            F.starts_at == T.starts_at,
            F.target == T.target,
            F.state == "firing",
            F.status.in_(list(statuses)),
        ),
    )


def any_due(conn: Connection, *, now: datetime) -> bool:
    """True when a pending row is due and not leased at ``now`` (what :func:`claim` would
    consider): a read, so that an idle poll asks for no write lock."""
    due = select(T.id).where(
        T.status == PENDING,
        T.next_attempt_at <= now,
        or_(T.claimed_until.is_(None), T.claimed_until < now),
    )
    return conn.execute(due.limit(1)).first() is not None


def claim(
    conn: Connection, *, now: datetime, limit: int, lease: timedelta, owner: str
) -> list[OutboxRow]:
    """Lease up to ``limit`` due pending rows to ``owner`` (oldest first). A resolution waits
    while its target's firing row of the same episode is not sent: a receiver hears an alert
    fire before it hears it end; one whose firing row failed is held with it (:data:`HELD`:
    written by a tick that read the firing as pending while a sender gave it up)."""
    conn.execute(
        update(notice_outbox)
        .where(T.status == PENDING, _firing_not_sent(statuses=(FAILED,)))
        .values(status=FAILED, last_error=HELD)
    )
    due = (
        select(T.id)
        .where(
            T.status == PENDING,
            T.next_attempt_at <= now,
            or_(T.claimed_until.is_(None), T.claimed_until < now),
            ~_firing_not_sent(),
        )
        .order_by(T.id)
        .limit(limit)
    )
    if conn.dialect.name == "postgresql":
        due = due.with_for_update(skip_locked=True)
    ids = [row.id for row in conn.execute(due)]
    if not ids:
        return []
    conn.execute(
        update(notice_outbox)
        .where(T.id.in_(ids))
        .values(claimed_until=now + lease, claimed_by=owner)
    )
    return _rows(conn, and_(T.id.in_(ids)))


def _unresolved_firing(targets: Collection[str]) -> ColumnElement[bool]:
    """Sent firing rows to ``targets`` whose alert has no resolution row yet."""
    resolved = notice_outbox.alias("resolved")
    R = resolved.c  # noqa: N806 - a table's columns
    return and_(
        T.status == SENT,
        T.state == "firing",
        T.target.in_(list(targets)),
        ~exists().where(
            R.notice_key == T.notice_key,
            R.starts_at == T.starts_at,
            R.target == T.target,
            R.state == "resolved",
        ),
    )


def told_of_firing(conn: Connection, targets: Collection[str]) -> set[str]:
    """Those of ``targets`` told of an alert that still fires (its resolution not written)."""
    if not targets:
        return set()
    found = conn.execute(select(T.target).where(_unresolved_firing(targets)).distinct())
    return {row.target for row in found}


def claim_resend(
    conn: Connection,
    *,
    now: datetime,
    every: timedelta,
    targets: Collection[str],
    limit: int,
    started: Mapping[str, datetime] | None = None,
) -> list[OutboxRow]:
    """Firing rows sent to ``targets`` at least ``every`` ago — or, for a target of
    ``started``, last sent before that instant (when its Alertmanager started: it lost them)
    — whose alert has no resolution row yet: what Alertmanager must hear again to keep the
    alert firing. Their ``sent_at`` is moved to ``now`` (so a replica claiming next skips
    them: ``SKIP LOCKED`` on PostgreSQL)."""
    if not targets:
        return []
    stale = [T.sent_at <= now - every]
    stale += [and_(T.target == name, T.sent_at < at) for name, at in (started or {}).items()]
    due = select(T.id).where(_unresolved_firing(targets), or_(*stale)).order_by(T.id).limit(limit)
    if conn.dialect.name == "postgresql":
        due = due.with_for_update(of=notice_outbox, skip_locked=True)
    ids = [row.id for row in conn.execute(due)]
    if not ids:
        return []
    conn.execute(update(notice_outbox).where(T.id.in_(ids)).values(sent_at=now))
    return _rows(conn, T.id.in_(ids))


def mark_sent(conn: Connection, row_id: int, *, owner: str, now: datetime) -> bool:
    """The row was delivered; False when ``owner`` no longer held its lease (nothing changed)."""
    done = conn.execute(
        update(notice_outbox)
        .where(T.id == row_id, T.claimed_by == owner, T.status == PENDING)
        .values(
            status=SENT,
            sent_at=now,
            attempts=T.attempts + 1,
            claimed_until=None,
            claimed_by=None,
            last_error=None,
        )
    )
    return done.rowcount == 1


def mark_failed(
    conn: Connection,
    row_id: int,
    *,
    owner: str,
    error: str,
    next_attempt_at: datetime,
    give_up: bool,
) -> bool:
    """A send failed: try again at ``next_attempt_at``, or (``give_up``) mark it failed, its
    ``next_attempt_at`` then the instant it was given up; False when ``owner`` no longer held
    its lease (nothing changed)."""
    done = conn.execute(
        update(notice_outbox)
        .where(T.id == row_id, T.claimed_by == owner, T.status == PENDING)
        .values(
            status=FAILED if give_up else PENDING,
            attempts=T.attempts + 1,
            next_attempt_at=next_attempt_at,
            claimed_until=None,
            claimed_by=None,
            last_error=error[:2000],
        )
    )
    return done.rowcount == 1


def hold_resolution(conn: Connection, row: OutboxRow) -> int:
    """``row``, a firing row, was given up: mark the pending resolution of its episode to its
    target failed with it (:data:`HELD`: a target never told an alert fired is not told it
    ended); how many (0 or 1)."""
    done = conn.execute(
        update(notice_outbox)
        .where(
            T.notice_key == row.notice_key,
            T.starts_at == row.starts_at,
            T.target == row.target,
            T.state == "resolved",
            T.status == PENDING,
        )
        .values(status=FAILED, last_error=HELD, claimed_until=None, claimed_by=None)
    )
    return done.rowcount


def release(conn: Connection, ids: Iterable[int], *, owner: str) -> None:
    """Give back leases without counting an attempt (a sender stopping before it sent)."""
    conn.execute(
        update(notice_outbox)
        .where(T.id.in_(list(ids)), T.claimed_by == owner, T.status == PENDING)
        .values(claimed_until=None, claimed_by=None)
    )


def prune_sent(conn: Connection, *, before: datetime) -> int:
    """Delete sent rows last sent before ``before``, except a firing row whose alert has no
    resolution row yet (it may still fire: Alertmanager is told again from it, and its
    resolution goes to its target); how many. Pending and failed rows are kept."""
    resolved = notice_outbox.alias("resolved")
    R = resolved.c  # noqa: N806 - a table's columns
    still_firing = and_(
        T.state == "firing",
        ~exists().where(
            R.notice_key == T.notice_key,
            R.starts_at == T.starts_at,
            R.target == T.target,
            R.state == "resolved",
        ),
    )
    old = select(T.id).where(T.status == SENT, T.sent_at < before, ~still_firing)
    ids = [row.id for row in conn.execute(old)]
    for start in range(0, len(ids), 500):
        conn.execute(delete(notice_outbox).where(T.id.in_(ids[start : start + 500])))
    return len(ids)


def rows(conn: Connection, *, status: str | None = None, limit: int = 100) -> list[OutboxRow]:
    """The newest ``limit`` rows (of ``status``), newest first."""
    where = T.status == status if status else None
    return _rows(conn, where, newest_first=True, limit=limit)


def counts(conn: Connection) -> dict[str, int]:
    """Rows per status (every status present, zero when none)."""
    found: dict[str, int] = {
        str(status): int(n)
        for status, n in conn.execute(select(T.status, func.count()).group_by(T.status))
    }
    return {status: int(found.get(status, 0)) for status in (PENDING, SENT, FAILED)}


def oldest_pending_at(conn: Connection) -> datetime | None:
    """When the oldest pending row was written (None when none is pending)."""
    found: datetime | None = conn.execute(
        select(func.min(T.created_at)).where(T.status == PENDING)
    ).scalar()
    return found


def retry(conn: Connection, *, now: datetime, ids: Sequence[int] = ()) -> int:
    """Put failed rows (all, or those of ``ids``) back to pending, due now; how many."""
    return len(retry_rows(conn, now=now, ids=ids))


def retry_rows(conn: Connection, *, now: datetime, ids: Sequence[int] = ()) -> list[int]:
    """:func:`retry`, answering the ids of the rows it put back (ascending). A row of ``ids``
    brings its failed pair with it (the firing and the resolution of one episode to one
    target): the firing goes first (:func:`claim`), then the end the receiver must hear."""
    where = [T.status == FAILED]
    if ids:
        chosen = select(T.notice_key, T.starts_at, T.target).where(T.id.in_(list(ids)))
        where.append(tuple_(T.notice_key, T.starts_at, T.target).in_(chosen))
    done = conn.execute(
        update(notice_outbox)
        .where(*where)
        .values(status=PENDING, next_attempt_at=now, attempts=0, claimed_until=None)
        .returning(T.id)
    )
    return sorted(int(row.id) for row in done)


def _rows(
    conn: Connection, where: object, *, newest_first: bool = False, limit: int | None = None
) -> list[OutboxRow]:
    query = select(notice_outbox)
    if where is not None:
        query = query.where(where)  # type: ignore[arg-type]
    query = query.order_by(T.id.desc() if newest_first else T.id)
    if limit is not None:
        query = query.limit(limit)
    return [
        OutboxRow(
            id=r.id,
            notice_key=r.notice_key,
            state=r.state,
            starts_at=r.starts_at,
            target=r.target,
            kind=r.kind,
            notice=r.notice,
            status=r.status,
            attempts=r.attempts,
            next_attempt_at=r.next_attempt_at,
            last_error=r.last_error,
            created_at=r.created_at,
            sent_at=r.sent_at,
            target_spec=r.target_spec,
        )
        for r in conn.execute(query)
    ]


def notices_of(conn: Connection, *, key_prefix: str, limit: int = 200) -> list[tuple[str, str]]:
    """The distinct notices (firing, resolved) whose key starts with ``key_prefix``, newest
    first, as (state, notice JSON): one per episode and state, whatever its targets. Sent rows
    are deleted after the delivery's retention, so this reaches back that far."""
    pattern = key_prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    newest = (
        select(func.max(T.id).label("id"))
        .where(T.notice_key.like(pattern, escape="\\"))
        .group_by(T.notice_key, T.state, T.starts_at)
        .subquery()
    )
    query = (
        select(T.state, T.notice)
        .join(newest, T.id == newest.c.id)
        .order_by(T.id.desc())
        .limit(limit)
    )
    return [(str(r.state), str(r.notice)) for r in conn.execute(query)]
