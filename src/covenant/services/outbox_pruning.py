"""Pruning the notice outbox on request (``POST /api/v1/alerts/outbox/prune``), audited.

The same deletion as the dispatcher's hourly pruning and ``covenant alerts outbox --prune``
(``delivery.prune_sent``: sent rows last sent more than the retention ago, except the firing
rows of an alert whose resolution is not in the outbox yet; pending and failed rows never),
with the same retention (``delivery.configured_retention``: the workspace's ``Settings``
``outboxRetention``, else :data:`delivery.RETENTION`; the answer says which). Asked for by
someone, it is recorded in the audit log in the same transaction; one that deletes nothing
records nothing, as a retry that finds no failed row.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from covenant.core.timeutil import require_utc, shorthand, utc_iso, utc_text
from covenant.services.delivery import RETENTION, configured_retention
from covenant.store import audit, outbox
from covenant.store.db import write_transaction
from covenant.store.outbox_tables import SENT

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

    from covenant.definitions.workspace import Workspace


@dataclass(frozen=True, slots=True, kw_only=True)
class OutboxPruning:
    """What one pruning did: rows deleted, the retention applied (and whether the workspace
    names it), the instant sent rows had to be older than, and the rows per status after."""

    pruned: int
    retention: timedelta
    configured: bool  # False: the workspace's Settings name no outboxRetention (the default)
    sent_before: datetime
    counts: dict[str, int]

    @property
    def message(self) -> str:
        """What the CLI prints for ``--prune``, and where the retention comes from."""
        days = self.retention.total_seconds() / 86400
        source = (
            "the workspace's Settings outboxRetention"
            if self.configured
            else "the default: the workspace's Settings name no outboxRetention"
        )
        return (
            f"{self.pruned} sent notice(s) older than {days:g} days pruned "
            f"(last sent before {utc_text(self.sent_before)}; retention {source})"
        )


def prune_outbox(
    engine: Engine, *, workspace: Workspace, now: datetime, actor: str
) -> OutboxPruning:
    """Delete the sent rows older than ``workspace``'s retention at ``now`` and count what is
    left, in one transaction; the audit log records it (entity ``outbox``, id ``notices``,
    action ``pruned``: how many, the retention and the cut-off before, nothing after) unless
    nothing was deleted."""
    now = require_utc(now, what="pruning instant")
    configured = configured_retention(workspace)
    retention = configured or RETENTION
    sent_before = now - retention
    with write_transaction(engine) as conn:
        pruned = outbox.prune_sent(conn, before=sent_before)
        counts = outbox.counts(conn)
        if pruned:
            audit.append(
                conn,
                actor=actor,
                action="pruned",
                entity_kind="outbox",
                entity_id="notices",
                before={
                    "status": SENT,
                    "count": pruned,
                    "retention_s": int(retention.total_seconds()),
                    "sent_before": sent_before,
                },
                after=None,
                at=now,
            )
    return OutboxPruning(
        pruned=pruned,
        retention=retention,
        configured=configured is not None,
        sent_before=sent_before,
        counts=counts,
    )


def pruning_json(found: OutboxPruning) -> dict[str, Any]:
    """The answer of ``POST /api/v1/alerts/outbox/prune``."""
    seconds = int(found.retention.total_seconds())
    return {
        "pruned": found.pruned,
        "retention": shorthand(seconds),
        "retention_s": seconds,
        "retention_from": "settings" if found.configured else "default",
        "sent_before": utc_iso(found.sent_before),
        "counts": found.counts,
        "message": found.message,
    }
