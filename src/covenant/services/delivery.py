"""Alert delivery: a durable outbox of notices and a background sender (docs/delivery.md).

The worker hands each tick's notices to :meth:`Dispatcher.enqueue` inside the transaction that
changes the alert states (or to :meth:`Dispatcher.submit`, which opens its own), so a notice
is in the store exactly when its state change is. Writing a row is all the worker's thread
does: a background thread claims due rows (``store.outbox.claim``: ``FOR UPDATE SKIP LOCKED``
on PostgreSQL, so replicas never take the same row), sends each with the target's bounded
timeout from a small pool of threads, and marks it sent — or schedules the next attempt with
exponential backoff and jitter. A slow or dead receiver therefore never delays evaluation, and a
notice not yet sent stays pending across restarts. Each row (notice key, state, firing episode,
target) is sent until it succeeds once; after a target's ``maxAttempts`` (or a 4xx refusal)
the row is marked ``failed`` and kept: ``covenant alerts outbox --retry`` puts it back.

Delivery is at least once: a process killed between a receiver's acceptance and the ``sent``
mark sends that row again after the lease (:data:`LEASE`). Alertmanager deduplicates by labels;
the webhook carries an ``idempotencyKey`` for its receiver to do the same.
"""

from __future__ import annotations

import logging
import os
import random
import socket
import threading
import time
import uuid
from collections.abc import Callable, Collection, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import TYPE_CHECKING, Any

import httpx

from covenant.core.notices import AlertNotice, NoticeState
from covenant.definitions.delivery import DEFAULT_MAX_ATTEMPTS, DeliveryTarget
from covenant.services.delivery_unheard import retry_unheard, unheard_rows
from covenant.services.senders import (
    SendResult,
    alertmanager_started,
    customer_view,
    decode_notice,
    decode_target,
    encode_notice,
    encode_target,
    send,
)
from covenant.services.store_refusals import outage
from covenant.store import audit, outbox
from covenant.store.db import write_transaction
from covenant.store.lock_wait import StoreLockedError
from covenant.store.outbox_tables import FAILED, PENDING

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection, Engine

    from covenant.definitions.workspace import Workspace

log = logging.getLogger("covenant.delivery")

LEASE = timedelta(minutes=2)
"""How long a claimed row is a sender's (longer than the longest timeout, 60 s)."""
RESEND = timedelta(hours=1)
"""How often a firing alert is sent to Alertmanager again (its ``endsAt`` is 4 times this)."""
RETENTION = timedelta(days=7)
"""How long a sent row is kept in the outbox (``covenant alerts outbox`` shows it meanwhile)."""
PRUNE_EVERY_S = 3600.0
"""How often the sending thread deletes sent rows older than the retention."""


@dataclass(frozen=True, slots=True)
class Backoff:
    """The wait before attempt ``n + 1``: ``base · 2ⁿ`` capped at ``cap``, then a random share
    of it between a half and all of it (jitter, so failed rows do not all retry together)."""

    base_s: float = 2.0
    cap_s: float = 600.0

    def delay_s(self, attempts: int, rng: random.Random) -> float:
        full = min(self.cap_s, self.base_s * float(2 ** min(attempts, 30)))
        return full / 2 + rng.random() * full / 2


def utc_now() -> datetime:
    return datetime.now(UTC)


def internal_names(workspace: Workspace) -> frozenset[str]:
    """The names a customer must never read in a notice: SLOs, SLIs, services, objectives."""
    names: set[str] = set()
    for o in workspace.objectives:
        names.update((o.slo, o.key, o.service, o.sli, o.display_name))
    names.update(c.objective.key for c in workspace.composites)
    return frozenset(n for n in names if n)


class Dispatcher:
    """Persists notices in the outbox and sends them from a background thread."""

    def __init__(
        self,
        engine: Engine,
        targets: Sequence[DeliveryTarget],
        *,
        internal: Collection[str] = (),
        clock: Callable[[], datetime] = utc_now,
        backoff: Backoff = Backoff(),
        poll_s: float = 1.0,
        batch: int = 50,
        senders: int = 4,
        generator_url: str = "",
        resend: timedelta = RESEND,
        retention: timedelta = RETENTION,
        seed: int | None = None,
    ) -> None:
        self.engine = engine
        self.targets = {t.name: t for t in targets}
        self.internal = frozenset(internal)
        self.customer_of: dict[str, str] = {}  # agreement → its customer (Customer name)
        self.clock = clock
        self.backoff = backoff
        self.poll_s = poll_s
        self.batch = batch
        self.generator_url = generator_url
        self.resend = resend
        self.retention = retention
        self._retention = retention  # when the workspace's Settings name none
        self._next_resend = 0.0  # time.monotonic() of the next re-send round
        self._next_prune = 0.0  # time.monotonic() of the next pruning
        self._seen: Workspace | None = None  # the workspace ``refresh`` last read
        self._load: Callable[[], Workspace] | None = None  # the files, for the sending thread
        # targets removed from the workspace, kept to send the resolutions of alerts they were
        # told fired (a process started later finds them in the outbox rows: ``_target``)
        self.retired: dict[str, DeliveryTarget] = {}
        self.owner = f"{socket.gethostname()[:32]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self._senders = senders
        self._rng = random.Random(seed)
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self._client: httpx.Client | None = None

    def refresh(self, workspace: Workspace) -> None:
        """Use ``workspace``'s targets and names from now on (it was read again). A target
        that is gone is kept aside (``retired``) for the resolutions of what it was told."""
        targets = {t.name: t for t in workspace.delivery}
        if self._seen is not None:
            self.retired.update((n, t) for n, t in self.targets.items() if n not in targets)
        for name in targets:
            self.retired.pop(name, None)
        self.targets = targets
        self.internal = internal_names(workspace)
        self.customer_of = {v.agreement: v.customer for v in workspace.agreements}
        self.retention = configured_retention(workspace) or self._retention
        self._seen = workspace

    def following(self, load: Callable[[], Workspace]) -> Callable[[], Workspace]:
        """``load`` that also refreshes this dispatcher whenever it returns a workspace read
        again (the worker loop's workspace, so targets follow the files)."""

        def loaded() -> Workspace:
            workspace = load()
            if workspace is not self._seen:
                self.refresh(workspace)
            return workspace

        return loaded

    @classmethod
    def for_workspace(cls, engine: Engine, workspace: Workspace, **options: Any) -> Dispatcher:
        """A dispatcher for the workspace's targets, keeping its internal names from customers."""
        dispatcher = cls(engine, (), **options)
        dispatcher.refresh(workspace)
        return dispatcher

    # --- writing ---------------------------------------------------------------------------

    def routes(self, notice: AlertNotice, *, quiet: bool = False) -> list[DeliveryTarget]:
        """The targets ``notice`` goes to: those it names (the worker routes every notice,
        ``definitions.routing``), or every internal target when it is not routed
        (``targets is None``); a target that does not take its kind (or customer) is left
        out. A name that is no deliverable target is logged (not when ``quiet``)."""
        if notice.targets is not None:
            named = [self.targets[n] for n in notice.targets if n in self.targets]
            unknown = [n for n in notice.targets if n not in self.targets]
            if unknown and not quiet:
                log.warning("notice %s: no deliverable target %s", notice.key, unknown)
        else:
            named = [t for t in self.targets.values() if t.audience == "internal"]
        return [t for t in named if t.takes(notice.kind) and self._customer_fits(t, notice)]

    def _customer_fits(self, target: DeliveryTarget, notice: AlertNotice) -> bool:
        """An internal target takes any customer's notice; a customer's only that customer's:
        the customer of the notice's ``agreement`` label, else its ``customer`` label."""
        if target.audience != "customer":
            return True
        agreement = notice.labels.get("agreement")
        customer = self.customer_of.get(agreement or "") or notice.labels.get("customer")
        return customer == target.customer

    def enqueue(self, connection: Connection, notices: Sequence[AlertNotice]) -> int:
        """Write ``notices`` into the outbox in the caller's transaction; rows added (a notice
        already there for a target is not added again). A resolution also goes to every
        target its firing notice went to, even if the routing changed since or the target was
        removed (a receiver hears the end of an alert it was told about; an alert that fired
        before routing existed has no targets of its own), except those whose policies say
        ``alertWhenResolved: false`` — but always to Alertmanager, which must hear the end.
        A target whose firing row *failed* was never told: it is sent no resolution (Alertmanager
        sends none of an alert a receiver was never notified of) — its resolution row is written
        held (failed, ``outbox.HELD``), for a retry to send after the firing. Rows written to
        be sent (a held one is not counted)."""
        resolved = [(n.key, n.starts_at) for n in notices if n.state is NoticeState.RESOLVED]
        fired = outbox.firing_targets(connection, resolved) if resolved else {}
        failed = outbox.firing_targets(connection, resolved, statuses=(FAILED,)) if resolved else {}
        rows: list[outbox.NewRow] = []
        held: list[outbox.NewRow] = []
        for n in notices:
            refused = failed.get((n.key, n.starts_at), {})  # never told: no end to hear
            reach = {t.name: t for t in self.routes(n) if t.name not in refused}
            for name, spec in {**fired.get((n.key, n.starts_at), {}), **refused}.items():
                known = reach.get(name) or self._target(name, n.state.value, spec)
                if known is not None and (name not in n.unresolved or known.kind == "alertmanager"):
                    reach[name] = known
            rows += [_row(n, t) for t in reach.values() if t.name not in refused]
            held += [_row(n, t) for t in reach.values() if t.name in refused]
        outbox.add(connection, held, now=self.clock(), held=True)
        return self._add(connection, rows)

    def enqueue_unheard(self, connection: Connection, firing: Sequence[AlertNotice]) -> int:
        """Write each alert of ``firing`` (firing now, routed as at this tick) for every target
        that takes it but was never written its episode — one added while it fires — with its
        own ``startsAt``, and put back to pending a failed firing row of one given up at least
        ``resend`` ago (it was never told), in the caller's transaction
        (``services.delivery_unheard``). Rows written or put back."""
        routes = partial(self.routes, quiet=True)  # a name not deliverable was logged before
        found = unheard_rows(connection, firing, routes=routes, row=_row)
        again = retry_unheard(connection, found.failed, now=self.clock(), wait=self.resend)
        if again:
            self._wake.set()
        return self._add(connection, found.rows) + again

    def _add(self, connection: Connection, rows: Sequence[outbox.NewRow]) -> int:
        added = outbox.add(connection, rows, now=self.clock())
        if added:
            self._wake.set()
        return added

    def submit(self, notices: Sequence[AlertNotice]) -> int:
        """Write ``notices`` into the outbox in a transaction of its own; never sends."""
        if not notices:
            return 0
        with write_transaction(self.engine) as conn:
            return self.enqueue(conn, notices)

    # --- sending ---------------------------------------------------------------------------

    def start(self, load: Callable[[], Workspace] | None = None) -> None:
        """Start the sending thread (idempotent). With ``load`` (the workspace, read again when
        a file changed), the thread follows the files itself before each round: every process
        sends with the targets the files name now, not only the one whose worker ticks."""
        if load is not None:
            self._load = load
        if self._thread is not None and self._thread.is_alive():
            return
        self._stopping.clear()
        self._client = httpx.Client(follow_redirects=False)
        self._thread = threading.Thread(target=self._run, name="covenant-delivery", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> bool:
        """Stop sending; True when the thread ended within ``timeout`` s. Rows not sent stay
        pending (a send under way ends within its target's timeout)."""
        self._stopping.set()
        self._wake.set()
        thread, self._thread = self._thread, None
        if thread is None:
            return True
        thread.join(timeout)
        stopped = not thread.is_alive()
        if stopped and self._client is not None:
            self._client.close()
            self._client = None
        return stopped

    def send_due(self) -> int:
        """Claim the due rows once and send them; how many were claimed."""
        now = self.clock()
        # a read first: an idle poll (every second) takes no write lock, so it never waits
        # behind a long tick's transaction nor logs "database is locked" while it runs
        with self.engine.connect() as conn:
            if not outbox.any_due(conn, now=now):
                return 0
        with write_transaction(self.engine) as conn:
            rows = outbox.claim(conn, now=now, limit=self.batch, lease=LEASE, owner=self.owner)
        if not rows:
            return 0
        client = self._client or httpx.Client()
        try:
            with ThreadPoolExecutor(max_workers=self._senders) as pool:
                results = list(pool.map(lambda row: self._send_row(client, row), rows))
        finally:
            if client is not self._client:
                client.close()
        for row, result in zip(rows, results, strict=True):
            self._mark(row, result)
        return len(rows)

    def resend_due(self) -> int:
        """Send firing alerts to Alertmanager again (each at most every ``resend``, and at once
        to an Alertmanager that started since it was last told: it keeps no alerts across a
        restart) until their resolution is in the outbox; how many. A failure waits for the
        next round."""
        managers = [t for t in self.targets.values() if t.kind == "alertmanager"]
        if not managers:
            return 0
        with self.engine.connect() as conn:  # only those told of what still fires are asked
            told = outbox.told_of_firing(conn, [t.name for t in managers])
        client = self._client or httpx.Client()
        try:
            started = {
                t.name: at
                for t in managers
                if t.name in told and (at := alertmanager_started(client, t))
            }
            with write_transaction(self.engine) as conn:
                rows = outbox.claim_resend(
                    conn,
                    now=self.clock(),
                    every=self.resend,
                    targets=[t.name for t in managers],
                    limit=self.batch,
                    started=started,
                )
            for row in rows:
                result = self._send_row(client, row)
                if not result.ok:
                    log.warning("re-sending %s to %s: %s", row.notice_key, row.target, result.error)
        finally:
            if client is not self._client:
                client.close()
        return len(rows)

    def prune(self) -> int:
        """Delete sent rows older than the retention (``prune_sent``); how many."""
        pruned = prune_sent(self.engine, now=self.clock(), retention=self.retention)
        if pruned:
            log.info("pruned %d sent notices older than %s", pruned, self.retention)
        return pruned

    def _target(self, name: str, state: str, spec: str | None = None) -> DeliveryTarget | None:
        """The target a row goes to: the workspace's own by that name; for a resolution, one
        removed since — as this process last read it (``retired``), else as it was reached when
        the row was routed (``spec``, kept in the outbox: a process started after the removal
        still sends the end of what the target was told)."""
        found = self.targets.get(name)
        if found is None and state == NoticeState.RESOLVED.value:
            found = self.retired.get(name)
            if found is None and spec is not None:
                found = decode_target(spec)
        return found

    def _send_row(self, client: httpx.Client, row: outbox.OutboxRow) -> SendResult:
        target = self._target(row.target, row.state, row.target_spec)
        if target is None:  # unknown here: this process's files are older, or it was removed
            return SendResult(False, f"target {row.target!r} is not in this process's workspace")
        notice = decode_notice(row.notice)
        link = self.generator_url
        if target.audience == "customer":
            notice, link = customer_view(notice, self.internal), ""
        hold = 4 * self.resend
        return send(client, target, notice, now=self.clock(), generator_url=link, hold=hold)

    def _mark(self, row: outbox.OutboxRow, result: SendResult) -> None:
        now = self.clock()
        with write_transaction(self.engine) as conn:
            if result.ok:
                outbox.mark_sent(conn, row.id, owner=self.owner, now=now)
                log.info("sent %s %s to %s", row.state, row.notice_key, row.target)
                return
            target = self._target(row.target, row.state, row.target_spec)
            limit = target.max_attempts if target else DEFAULT_MAX_ATTEMPTS
            give_up = result.permanent or row.attempts + 1 >= limit
            delay = self.backoff.delay_s(row.attempts, self._rng)
            marked = outbox.mark_failed(
                conn,
                row.id,
                owner=self.owner,
                error=result.error,
                # a row given up keeps the instant it was (outbox.retry_firing waits from it)
                next_attempt_at=now if give_up else now + timedelta(seconds=delay),
                give_up=give_up,
            )
            if marked and give_up and row.state == NoticeState.FIRING.value:
                outbox.hold_resolution(conn, row)  # never told it fired: not told it ended
        log.warning(
            "%s %s to %s: %s (%s)",
            row.state,
            row.notice_key,
            row.target,
            result.error,
            "gave up: covenant alerts outbox --retry" if give_up else f"next in {delay:.1f} s",
        )

    def _follow(self) -> None:
        """Read the workspace's targets again when a file changed (``start``'s ``load``)."""
        if self._load is None:
            return
        try:
            workspace = self._load()
        except Exception as exc:  # a file being edited: keep sending with the targets in use
            log.debug("delivery: definitions not read again: %s", exc)
            return
        if workspace is not self._seen:
            self.refresh(workspace)

    def _run(self) -> None:
        while not self._stopping.is_set():
            try:
                self._follow()
                claimed = self.send_due()
                if time.monotonic() >= self._next_resend:
                    self._next_resend = time.monotonic() + min(60.0, self.resend.total_seconds())
                    self.resend_due()
                if time.monotonic() >= self._next_prune:
                    self._next_prune = time.monotonic() + PRUNE_EVERY_S
                    self.prune()
            except StoreLockedError as exc:  # another writer held it past the wait: no fault
                log.warning(
                    "delivery: the outbox was not read or marked (tried again at the next "
                    "round): %s",
                    exc.message,
                )
                claimed = 0
            except Exception as exc:  # the store is unreachable: keep the thread, try again later
                lost = outage("read or mark the outbox", exc)
                if lost is None:
                    log.exception("delivery: cannot read or mark the outbox")
                else:  # the connection lost: said, no traceback; the notices stay in the outbox
                    log.warning(
                        "delivery: the outbox was not read or marked (tried again at the next "
                        "round): %s",
                        lost.message,
                    )
                claimed = 0
            if claimed == 0 and not self._stopping.is_set():
                self._wake.wait(self.poll_s)
                self._wake.clear()


def _row(notice: AlertNotice, target: DeliveryTarget) -> outbox.NewRow:
    """The outbox row of ``notice`` to ``target`` (with how the target is reached now)."""
    return outbox.NewRow(
        notice_key=notice.key,
        state=notice.state.value,
        starts_at=notice.starts_at,
        target=target.name,
        kind=notice.kind.value,
        notice=encode_notice(notice),
        target_spec=encode_target(target),
    )


def configured_retention(workspace: Workspace) -> timedelta | None:
    """The workspace's ``Settings`` ``outboxRetention`` (None: it names none, and sent rows
    are kept :data:`RETENTION`)."""
    kept = workspace.settings.outbox_retention_s
    return timedelta(seconds=kept) if kept else None


def prune_sent(engine: Engine, *, now: datetime, retention: timedelta) -> int:
    """Delete sent rows last sent more than ``retention`` before ``now`` (``outbox.prune_sent``:
    an alert still firing keeps its firing rows); how many. Pending and failed rows stay."""
    with write_transaction(engine) as conn:
        return outbox.prune_sent(conn, before=now - retention)


def retry_failed(engine: Engine, *, now: datetime, actor: str, ids: Sequence[int] = ()) -> int:
    """Put failed rows (all, or those of ``ids``) back to pending; a running dispatcher (this
    process's or a replica's) sends them on its next claim. How many. The audit log records
    it (entity ``outbox``, action ``retried``, the rows' ids) in the same transaction; a retry
    that finds no failed row changes nothing and records nothing."""
    with write_transaction(engine) as conn:
        retried = outbox.retry_rows(conn, now=now, ids=ids)
        if retried:
            audit.append(
                conn,
                actor=actor,
                action="retried",
                entity_kind="outbox",
                entity_id="notices",
                before={"status": FAILED, "ids": retried},
                after={"status": PENDING, "ids": retried},
                at=now,
            )
    return len(retried)
