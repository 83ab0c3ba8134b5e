"""Telling a target of what fires already: the firing notices of alerts a target was never sent.

The worker writes a notice when an alert changes state. A target added to the workspace (or
newly routed to by a policy, a Customer or the Settings) while an alert fires would hear of
it only at its resolution; Alertmanager tells a receiver added to a route the alerts that fire
and match it, and so does Covenant: every tick the worker hands
``Dispatcher.enqueue_unheard`` the alerts firing now (each routed as at this tick), and a
target that takes one but has no firing row of its episode in the outbox is written one —
with the alert's own ``startsAt``, once (the outbox's key: notice, state, episode, target),
then re-sent to Alertmanager and resolved like any firing notice it was sent.

An alert that resolved is never handed here; a target told of the episode (its row sent,
pending or failed, even if it was removed and added back since) is not told again.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from covenant.core.notices import AlertNotice, NoticeState
from covenant.store import outbox

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

    from covenant.definitions.delivery import DeliveryTarget

log = logging.getLogger("covenant.delivery")


def unheard_rows(
    connection: Connection,
    firing: Sequence[AlertNotice],
    *,
    routes: Callable[[AlertNotice], Sequence[DeliveryTarget]],
    row: Callable[[AlertNotice, DeliveryTarget], outbox.NewRow],
) -> list[outbox.NewRow]:
    """The firing rows to write for ``firing`` (the firing notices of alerts that fire now):
    one per target ``routes`` sends the notice to and that was never written its episode's
    firing notice (``outbox.firing_targets``: read in the caller's transaction)."""
    wanted = [n for n in firing if n.state is NoticeState.FIRING]
    if not wanted:
        return []
    told = outbox.firing_targets(connection, [(n.key, n.starts_at) for n in wanted])
    rows: list[outbox.NewRow] = []
    for notice in wanted:
        heard = told.get((notice.key, notice.starts_at), {})
        for target in routes(notice):
            if target.name in heard:
                continue
            log.info(
                "telling %s of %s, firing since %s (it was not told: added or routed to since)",
                target.name,
                notice.key,
                notice.starts_at.isoformat(),
            )
            rows.append(row(notice, target))
    return rows
