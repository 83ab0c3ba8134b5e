"""Alert state between ticks: pending → firing → resolved, one record per alert key (pure).

The worker computes, every tick, the *conditions* that hold (``AlertCondition``: an alert key
with its labels and text, active or not); :func:`advance` moves the previous records to the new
ones and says which notices to send:

- a condition that becomes active is **pending** from that instant; it **fires** once it has
  been active for its ``for_s`` (at once when ``for_s`` is 0 — burn-rate tiers: their short
  window does the job of a ``for``, as in the generated Prometheus rules) — one firing notice;
- a firing alert whose condition no longer holds **resolves** — one resolved notice, once;
- a pending alert whose condition no longer holds is dropped without a notice (it never fired);
- a resolved alert whose condition holds again starts a new episode (pending, then firing).

Keys of kinds in ``unknown`` (their inputs could not be evaluated this tick), and ``keep`` keys
(an SLO whose source read failed: its numbers are stale), keep their state: an alert never
resolves, nor fires, because its data went missing. Labels never change while an alert
fires (receivers group by them); the text (annotations) follows the latest evaluation, and
so do its targets — a held alert's from ``reroute`` (the routing of now, as Alertmanager
routes each notification against its current configuration), not its last evaluation's.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum

from covenant.core.notices import AlertNotice, NoticeKind, NoticeState
from covenant.core.timeutil import require_utc


class AlertPhase(StrEnum):
    PENDING = "pending"
    FIRING = "firing"
    RESOLVED = "resolved"


@dataclass(frozen=True, slots=True, kw_only=True)
class AlertCondition:
    """One alert as evaluated now: ``active`` when its condition holds at this tick."""

    key: str
    kind: NoticeKind
    severity: str
    labels: Mapping[str, str]
    annotations: Mapping[str, str]
    active: bool = True
    for_s: int = 0
    targets: tuple[str, ...] | None = None  # where its notices go (None: not routed)

    def __post_init__(self) -> None:
        if self.for_s < 0:
            raise ValueError(f"alert {self.key}: for_s must be >= 0")


@dataclass(frozen=True, slots=True, kw_only=True)
class AlertRecord:
    """What the store remembers of one alert key."""

    key: str
    kind: NoticeKind
    phase: AlertPhase
    severity: str
    labels: Mapping[str, str]
    annotations: Mapping[str, str]
    pending_since: datetime
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    targets: tuple[str, ...] | None = None

    def notice(self) -> AlertNotice:
        """The notice of this record's transition (firing, or resolved)."""
        if self.phase is AlertPhase.PENDING or self.starts_at is None:
            raise ValueError(f"alert {self.key} is pending: there is nothing to notify")
        return AlertNotice(
            key=self.key,
            kind=self.kind,
            state=NoticeState.FIRING if self.phase is AlertPhase.FIRING else NoticeState.RESOLVED,
            severity=self.severity,
            labels=dict(self.labels),
            annotations=dict(self.annotations),
            starts_at=self.starts_at,
            ends_at=self.ends_at,
            targets=self.targets,
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class Transition:
    """The outcome of one tick: records to write, keys to delete, notices to send."""

    records: tuple[AlertRecord, ...]  # every record after the tick (pending/firing/resolved)
    changed: tuple[AlertRecord, ...]  # records written (new phase or new text)
    dropped: tuple[str, ...]  # keys of pending alerts whose condition ended
    notices: tuple[AlertNotice, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class PhaseChange:
    """One transition of one alert, as the alert history keeps it: it became ``pending``,
    ``firing`` or ``resolved``, or was ``dropped`` (pending, its condition ended unfired)."""

    key: str
    kind: NoticeKind
    from_state: str | None  # None: the alert had no record before
    to_state: str
    at: datetime  # the tick's instant
    severity: str
    labels: Mapping[str, str]
    annotations: Mapping[str, str]
    starts_at: datetime | None = None  # the episode's first firing instant, once it fired


DROPPED = "dropped"


def phase_changes(
    previous: Mapping[str, AlertRecord], transition: Transition, *, now: datetime
) -> tuple[PhaseChange, ...]:
    """The transitions of a tick at ``now`` (``advance(previous, …)`` gave ``transition``):
    one per record whose phase changed, one per dropped key; a record whose text alone
    changed is none."""
    found: list[PhaseChange] = []
    for after in transition.changed:
        before = previous.get(after.key)
        if before is not None and before.phase is after.phase:
            continue
        found.append(_change(after, before, after.phase.value, now))
    found.extend(_change(previous[k], previous[k], DROPPED, now) for k in transition.dropped)
    return tuple(found)


def _change(record: AlertRecord, before: AlertRecord | None, to: str, now: datetime) -> PhaseChange:
    return PhaseChange(
        key=record.key,
        kind=record.kind,
        from_state=None if before is None else before.phase.value,
        to_state=to,
        at=now,
        severity=record.severity,
        labels=dict(record.labels),
        annotations=dict(record.annotations),
        starts_at=record.starts_at,
    )


def advance(
    previous: Mapping[str, AlertRecord],
    conditions: Sequence[AlertCondition],
    *,
    now: datetime,
    unknown: Collection[NoticeKind] = (),
    keep: Collection[str] = (),
    reroute: Callable[[AlertRecord], tuple[str, ...] | None] | None = None,
) -> Transition:
    """The records after a tick at ``now`` given the conditions evaluated in it.

    Records of ``unknown`` kinds and ``keep`` keys without a condition keep their phase and
    text; with ``reroute``, their targets become ``reroute(record)`` (where the alert's
    notices go now: a held alert follows the routing like an evaluated one)."""
    kept = set(keep)
    now = require_utc(now, what="now")
    seen: dict[str, AlertCondition] = {}
    for c in conditions:
        if c.key in seen:
            raise ValueError(f"alert key {c.key} is given twice")
        seen[c.key] = c
    records: list[AlertRecord] = []
    changed: list[AlertRecord] = []
    dropped: list[str] = []
    notices: list[AlertNotice] = []
    for key in sorted(set(previous) | set(seen)):
        before = previous.get(key)
        cond = seen.get(key)
        if cond is None and before is not None and (before.kind in unknown or key in kept):
            held = before if reroute is None else replace(before, targets=reroute(before))
            records.append(held)
            if held != before:
                changed.append(held)
            continue
        after = _next(before, cond, now)
        if after is None:
            if before is not None:
                dropped.append(key)
            continue
        records.append(after)
        if after != before:
            changed.append(after)
            if after.phase is not AlertPhase.PENDING and (
                before is None or before.phase is not after.phase
            ):
                notices.append(after.notice())
    return Transition(
        records=tuple(records),
        changed=tuple(changed),
        dropped=tuple(dropped),
        notices=tuple(notices),
    )


def _next(
    before: AlertRecord | None, cond: AlertCondition | None, now: datetime
) -> AlertRecord | None:
    active = cond is not None and cond.active
    if not active:
        if before is None or before.phase is AlertPhase.PENDING:
            return None
        if before.phase is AlertPhase.FIRING:
            return replace(before, phase=AlertPhase.RESOLVED, ends_at=now)
        return before  # resolved stays resolved
    assert cond is not None
    if before is None or before.phase is AlertPhase.RESOLVED:
        before = AlertRecord(
            key=cond.key,
            kind=cond.kind,
            phase=AlertPhase.PENDING,
            severity=cond.severity,
            labels=dict(cond.labels),
            annotations=dict(cond.annotations),
            pending_since=now,
            targets=cond.targets,
        )
    if before.phase is AlertPhase.FIRING:
        return replace(before, annotations=dict(cond.annotations), targets=cond.targets)
    text = replace(
        before,
        severity=cond.severity,
        labels=dict(cond.labels),
        annotations=dict(cond.annotations),
        targets=cond.targets,
    )
    if now - before.pending_since >= timedelta(seconds=cond.for_s):
        return replace(text, phase=AlertPhase.FIRING, starts_at=now, ends_at=None)
    return text
