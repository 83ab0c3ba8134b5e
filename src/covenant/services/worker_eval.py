"""One tick's evaluation: decisions for every objective, full results when asked for.

The worker's tick needs, to move its alerts, which burn-rate tiers fire and which series are
stale — not every objective's full ``Evaluation`` (exact ``Fraction`` values, datetimes, a
``Burn`` per window: most of a tick's time when built for 10,000 objectives). So
:class:`TickEvaluation` keeps the window answers of the incremental objectives and their
decisions (``core.decisions``: the engine's comparisons as integer array arithmetic), builds
the ``Evaluation`` of the few objectives whose tiers fire (their alerts' text), and assembles
the whole report — the one ``evaluate_workspace`` gives — only when something reads it
(``/metrics``, ``TickResult.report``), from the same answers, once.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from covenant.core.alert_rules import (
    Route,
    burn_rate_conditions,
    burn_rate_key,
    no_data_conditions,
    stale_keys,
)
from covenant.core.alert_state import AlertCondition
from covenant.core.decisions import Decisions, Layout, decide
from covenant.core.evaluate import Assembly, request_edges, slice_phase
from covenant.core.results import Evaluation, Stale
from covenant.core.series import EdgeCounts
from covenant.core.timeutil import to_epoch
from covenant.core.window_answers import answer_requests
from covenant.services.evaluate import EvaluationReport, apply_stale, stale_marked

if TYPE_CHECKING:
    from covenant.core.corrections import Corrected
    from covenant.core.model import Objective


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while the report is built: its ~40 objects per
    objective (none in a cycle) set off collections that walk every object alive, which
    doubled the assembly's time for 10,000 SLOs (measured 1.9–2.9 s against 0.9–1.3 s)."""
    paused = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if paused:
            gc.enable()


@dataclass(frozen=True, slots=True)
class Plan:
    """What the incremental objectives' evaluation keeps between ticks while the workspace's
    objectives stay the same: the decisions' layout, the series keys, each objective's row."""

    layout: Layout
    keys: tuple[str, ...]
    rows: list[int]

    @classmethod
    def of(cls, objectives: Sequence[Objective]) -> Plan:
        keys = tuple(dict.fromkeys(o.series for o in objectives))
        row_of = {k: i for i, k in enumerate(keys)}
        return cls(
            layout=Layout.of(objectives), keys=keys, rows=[row_of[o.series] for o in objectives]
        )

    def edges(self, at: datetime, step: int) -> list[int]:
        """The edges whose counts the evaluation at ``at`` needs (``required_edges``)."""
        end = to_epoch(at) - to_epoch(at) % step
        return [int(e) for e in request_edges(self.layout.requests(end), step)]


@dataclass(frozen=True, slots=True)
class EdgeResults:
    """The incremental objectives at one instant: every decision, any ``Evaluation``."""

    assembly: Assembly
    decisions: Decisions
    layout: Layout

    @classmethod
    def of(cls, plan: Plan, counts: EdgeCounts, at: datetime) -> EdgeResults:
        import numpy as np  # noqa: PLC0415

        end = to_epoch(at) - to_epoch(at) % counts.step
        layout = plan.layout
        bounds = layout.bounds(end)
        objectives = layout.objectives
        phases = [slice_phase(o, b) for o, b in zip(objectives, bounds, strict=True)]
        req = layout.requests(end)
        rows = np.asarray(plan.rows, dtype=np.int64)
        answers = answer_requests(objectives, rows, None, req, phases, edges=counts)
        assembly = Assembly(
            objectives,
            bounds=bounds,
            offsets=layout.offsets,
            phases=phases,
            answers=answers,
            end=end,
        )
        return cls(assembly=assembly, decisions=decide(layout, answers, bounds), layout=layout)

    def firing(self) -> list[int]:
        """Objectives with at least one firing tier."""
        owners = self.layout.tier_obj[self.decisions.firing]
        return sorted(set(owners.tolist()))

    def unrated(self) -> list[int]:
        """Objectives with a tier that has no burn rate in one of its windows."""
        owners = self.layout.tier_obj[~self.decisions.rated]
        return sorted(set(owners.tolist()))


class TickEvaluation:
    """Every objective and composite of one tick (see the module docstring).

    ``fast`` are the positions (in ``objectives``) of the incrementally evaluated objectives,
    ``edge`` their results; ``full`` the full engine path's report of the others (positions
    ``slow``) and of the composites; ``stale`` the stale reasons of series read for this tick.
    """

    def __init__(
        self,
        *,
        at: datetime,
        count: int,
        fast: Sequence[int],
        edge: EdgeResults | None,
        slow: Sequence[int],
        full: EvaluationReport | None,
        corrections: bool,
        stale: dict[str, Stale],
        first: Callable[[], Mapping[str, int]] | None = None,
    ) -> None:
        self.at = at
        self.count = count
        self.fast = fast
        self.edge = edge
        self.slow = slow
        self.full = full
        self.corrections = corrections
        self.stale = stale
        self.first = first  # per series, its first stored minute with events (read lazily)
        self._report: EvaluationReport | None = None
        self._lock = threading.Lock()

    @property
    def assembled(self) -> bool:
        """True once the report was assembled (a read finds it ready)."""
        return self._report is not None

    def report(self) -> EvaluationReport:
        """The report ``evaluate_workspace`` gives at ``at``, assembled on the first call."""
        with self._lock:
            if self._report is None:
                with _collector_paused():
                    self._report = self._assemble()
            return self._report

    def _assemble(self) -> EvaluationReport:
        by_position: dict[int, Evaluation] = {}
        if self.edge is not None:
            assembly = self.edge.assembly
            by_position.update((p, assembly.evaluation(j)) for j, p in enumerate(self.fast))
        full = self.full
        if full is not None:
            by_position.update(zip(self.slow, full.evaluations, strict=True))
        corrected: tuple[Corrected, ...] = ()
        if self.corrections:
            from covenant.core.corrections import Corrected  # noqa: PLC0415

            slot = dict(zip(self.slow, full.corrected if full else (), strict=False))
            corrected = tuple(slot.get(i, Corrected(evaluation=None)) for i in range(self.count))
        report = EvaluationReport(
            at=self.at,
            evaluations=tuple(by_position[i] for i in range(self.count)),
            corrected=corrected,
            composites=full.composites if full else (),
            audit=full.audit if full else {},
        )
        report = apply_stale(report, self.stale)
        if self.first is None:
            return report
        from covenant.services.coverage import apply_coverage  # noqa: PLC0415

        return apply_coverage(report, self.first())

    def _others(self) -> list[Evaluation]:
        """The effective evaluations of the full path (objectives, then composites), stale
        marked as in the report."""
        if self.full is None:
            return []
        return list(apply_stale(self.full, self.stale).effective)

    def conditions(self, *, route: Route | None = None) -> list[AlertCondition]:
        """The burn-rate conditions of the report's firing tiers (``burn_rate_conditions``,
        ``route`` naming each alert's delivery targets)."""
        found: list[Evaluation] = []
        if self.edge is not None:
            objectives = self.edge.layout.objectives
            found = [
                self.edge.assembly.evaluation(j)
                for j in self.edge.firing()
                if not self._stale(objectives[j])
            ]
        return burn_rate_conditions(found + self._others(), route=route)

    def no_data_conditions(self, *, route: Route) -> list[AlertCondition]:
        """The no-data conditions (``no_data_conditions``) of the report's tiers without a burn
        rate, or of stale objectives: only those objectives' evaluations are assembled."""
        found: list[Evaluation] = []
        if self.edge is not None:
            objectives = self.edge.layout.objectives
            unrated = set(self.edge.unrated())
            for j, o in enumerate(objectives):
                reason = self.stale.get(o.series)
                if j in unrated or self._stale(o):
                    e = self.edge.assembly.evaluation(j)
                    found.append(e if reason is None else stale_marked(e, reason))
        return no_data_conditions(found + self._others(), route=route)

    def keep(self) -> list[str]:
        """The burn-rate keys of stale evaluations (``stale_keys``): they keep their state."""
        keys: list[str] = []
        if self.edge is not None:
            for o in self.edge.layout.objectives:
                if self._stale(o):
                    keys.extend(burn_rate_key(o, t.name) for t in o.alert_tiers)
        return keys + stale_keys(self._others())

    def _stale(self, o: Objective) -> bool:
        reason = self.stale.get(o.series)
        return reason is not None and reason.held
