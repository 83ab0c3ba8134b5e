"""``covenant db prune``: the series set aside because their SLI's query changed
(``store.aside_series``), listed, and deleted for good on request, audited.

A series set aside keeps the counts read with an SLI's earlier query, so that changing the
query back restores them; nothing evaluates it. Pruning deletes the ones last read more than
``older_than`` ago (all of them without it) in one transaction, recorded in the audit log
(entity ``series``, id ``set-aside``, action ``pruned``: the names and days deleted, nothing
after); a dry run, or a prune that finds nothing, changes nothing and records nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from covenant.core.timeutil import require_utc, utc_iso
from covenant.store import audit
from covenant.store.aside_series import AsideSeries, aside_series, delete_series
from covenant.store.db import write_transaction

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine


@dataclass(frozen=True, slots=True, kw_only=True)
class AsidePruning:
    """The series pruned (or, in a dry run, that would be), those kept because they were read
    more recently than the cut-off, and whether anything was deleted."""

    pruned: list[AsideSeries]
    kept: list[AsideSeries]
    read_before: datetime | None  # None: every series set aside, however recently read
    deleted: bool

    @property
    def days(self) -> int:
        return sum(s.days for s in self.pruned)

    def as_json(self) -> dict[str, object]:
        return {
            "deleted": self.deleted,
            "read_before": None if self.read_before is None else utc_iso(self.read_before),
            "pruned": [s.as_json() for s in self.pruned],
            "kept": [s.as_json() for s in self.kept],
            "days": self.days,
        }


def prune_aside(
    engine: Engine,
    *,
    now: datetime,
    actor: str,
    older_than: timedelta | None = None,
    apply: bool = False,
) -> AsidePruning:
    """The series set aside that were last read before ``now - older_than`` (every one
    without it; one never read counts as old); deleted, and the deletion audited, when
    ``apply``."""
    from sqlalchemy.exc import SQLAlchemyError  # noqa: PLC0415 - with the engine's driver

    from covenant.services.store import store_failure  # noqa: PLC0415

    now = require_utc(now, what="pruning instant")
    before = None if older_than is None else now - older_than
    try:
        return _prune(engine, now=now, actor=actor, before=before, apply=apply)
    except SQLAlchemyError as exc:  # a read-only file, a server gone
        raise store_failure("prune the series set aside", exc) from exc


def _prune(
    engine: Engine, *, now: datetime, actor: str, before: datetime | None, apply: bool
) -> AsidePruning:
    if not apply:
        with engine.connect() as conn:
            return _split(aside_series(conn), before, deleted=False)
    with write_transaction(engine) as conn:
        found = _split(aside_series(conn, lock=True), before, deleted=True)
        if found.pruned:
            delete_series(conn, [s.series_id for s in found.pruned])
            audit.append(
                conn,
                actor=actor,
                action="pruned",
                entity_kind="series",
                entity_id="set-aside",
                before={"series": [s.name for s in found.pruned], "days": found.days},
                after=None,
                at=now,
            )
        return found


def _split(found: list[AsideSeries], before: datetime | None, *, deleted: bool) -> AsidePruning:
    def old(s: AsideSeries) -> bool:
        return before is None or s.last_read is None or s.last_read < before

    pruned = [s for s in found if old(s)]
    kept = [s for s in found if not old(s)]
    return AsidePruning(
        pruned=pruned, kept=kept, read_before=before, deleted=deleted and bool(pruned)
    )
