"""Evaluate a workspace's objectives against the store at one instant."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine

from covenant.core.evaluate import evaluate, required_range
from covenant.core.model import Objective
from covenant.core.results import Evaluation, Status
from covenant.core.timeutil import require_utc
from covenant.store.buckets import read_matrix

DEFAULT_STEP = 60


@dataclass(frozen=True, slots=True, kw_only=True)
class EvaluationReport:
    at: datetime
    evaluations: tuple[Evaluation, ...]

    @property
    def counts(self) -> dict[Status, int]:
        counted = Counter(e.status for e in self.evaluations)
        return {status: counted.get(status, 0) for status in Status}

    @property
    def checked(self) -> int:
        """Objectives that had data (a gate passing on none checked nothing)."""
        return sum(1 for e in self.evaluations if e.status is not Status.NO_DATA)

    @property
    def needs_attention(self) -> bool:
        """True when any objective is breached or paging (``evaluate --check`` fails then)."""
        return any(e.status in (Status.BREACHED, Status.PAGING) for e in self.evaluations)


def evaluate_objectives(
    engine: Engine, *, objectives: Sequence[Objective], at: datetime, step: int = DEFAULT_STEP
) -> EvaluationReport:
    """Read the buckets every objective needs in one pass and evaluate them all at ``at``."""
    at = require_utc(at, what="--at")
    if not objectives:
        return EvaluationReport(at=at, evaluations=())
    start, end = required_range(objectives, at=at, step=step)
    keys = tuple(dict.fromkeys(o.series for o in objectives))
    with engine.connect() as conn:
        data = read_matrix(conn, keys=keys, start=start, end=end, step=step)
    return EvaluationReport(at=at, evaluations=tuple(evaluate(objectives, data, at=at)))
