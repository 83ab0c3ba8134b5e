"""Telling a target of what fires already: the firing notices of alerts a target was never sent.

The worker writes a notice when an alert changes state. A target added to the workspace (or
newly routed to by a policy, a Customer or the Settings) while an alert fires would hear of
it only at its resolution; Alertmanager tells a receiver added to a route the alerts that fire
and match it, and so does Covenant: every tick the worker hands
``Dispatcher.enqueue_unheard`` the alerts firing now (each routed as at this tick), and a
target that takes one but has no firing row of its episode in the outbox is written one —
with the alert's own ``startsAt``, once (the outbox's key: notice, state, episode, target),
then re-sent to Alertmanager and resolved like any firing notice it was sent.

An alert that resolved is never handed here; a target told of the episode (its row sent or
pending, even if it was removed and added back since) is not told again. A target whose
firing row *failed* (its receiver never took it, after every attempt) was not told: while the
alert fires on and is routed to it, its row is tried again from the start once it has been
given up for the dispatcher's re-send interval (``Dispatcher.resend``, an hour: how often
Alertmanager hears a firing alert again) — as Alertmanager, whose notification log keeps only
the notifications a receiver accepted, tries a failed one again at its next flush.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from covenant.core.notices import AlertNotice, NoticeState
from covenant.store import outbox
from covenant.store.outbox_tables import FAILED

if TYPE_CHECKING:
    from datetime import datetime, timedelta

    from sqlalchemy.engine import Connection

    from covenant.definitions.delivery import DeliveryTarget

log = logging.getLogger("covenant.delivery")


@dataclass(frozen=True, slots=True)
class Unheard:
    """What to write for the alerts that fire: new firing rows, and the failed firing rows
    (notice key, episode start, target) to try again."""

    rows: list[outbox.NewRow]
    failed: list[tuple[str, datetime, str]]


def unheard_rows(
    connection: Connection,
    firing: Sequence[AlertNotice],
    *,
    routes: Callable[[AlertNotice], Sequence[DeliveryTarget]],
    row: Callable[[AlertNotice, DeliveryTarget], outbox.NewRow],
) -> Unheard:
    """The firing rows to write for ``firing`` (the firing notices of alerts that fire now):
    one per target ``routes`` sends the notice to and that was never written its episode's
    firing notice; and, of those targets, the ones whose firing row failed (they were not
    told: ``outbox.firing_targets``, read in the caller's transaction)."""
    wanted = [n for n in firing if n.state is NoticeState.FIRING]
    if not wanted:
        return Unheard([], [])
    episodes = [(n.key, n.starts_at) for n in wanted]
    told = outbox.firing_targets(connection, episodes)
    failed = outbox.firing_targets(connection, episodes, statuses=(FAILED,))
    found = Unheard([], [])
    for notice in wanted:
        episode = (notice.key, notice.starts_at)
        heard, refused = told.get(episode, {}), failed.get(episode, {})
        for target in routes(notice):
            if target.name in heard:
                continue
            if target.name in refused:
                found.failed.append((notice.key, notice.starts_at, target.name))
                continue
            log.info(
                "telling %s of %s, firing since %s (it was not told: added or routed to since)",
                target.name,
                notice.key,
                notice.starts_at.isoformat(),
            )
            found.rows.append(row(notice, target))
    return found


def retry_unheard(
    connection: Connection,
    failed: Sequence[tuple[str, datetime, str]],
    *,
    now: datetime,
    wait: timedelta,
) -> int:
    """Put back to pending the failed firing rows of ``failed`` given up at least ``wait``
    before ``now`` (``outbox.retry_firing``); how many."""
    if not failed:
        return 0
    again = outbox.retry_firing(connection, failed, now=now, given_up_before=now - wait)
    if again:
        log.info("telling %d targets again of alerts whose firing notice failed", again)
    return again
