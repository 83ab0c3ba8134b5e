"""An objective over its current window, for the SLO page's charts: the evaluation at evenly
spaced instants from the window's start to ``at``.

Each point is what ``covenant evaluate --at T`` reports for the objective at that instant (the
measured figures, before corrections): its SLI, its error budget remaining, and each alert
tier's long-window burn rate beside the tier's threshold. Nothing is interpolated: the charts
draw exactly these evaluations.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.engine import Engine

from covenant.core.model import CalendarWindow, Objective
from covenant.core.results import Evaluation
from covenant.core.timeutil import require_utc
from covenant.definitions.workspace import Workspace
from covenant.errors import InputError, NotFoundError
from covenant.services.evaluate import DEFAULT_STEP, evaluate_objectives

DEFAULT_POINTS = 60
MAX_POINTS = 240


@dataclass(frozen=True, slots=True, kw_only=True)
class Timeline:
    objective: Objective
    now: Evaluation  # at ``at``
    instants: tuple[datetime, ...]
    points: tuple[Evaluation, ...]  # one per instant, in order
    calendar: bool  # a calendar window (the burn-down's ideal line is drawn for these)


def find_objective(workspace: Workspace, key: str) -> Objective:
    try:
        return workspace.objective(key)
    except KeyError:
        raise NotFoundError(
            f"no SLO objective named {key!r} is defined",
            hint="the overview lists every SLO; name one as slo or slo/objective",
        ) from None


def instants(
    start: datetime, at: datetime, points: int, step: int = DEFAULT_STEP
) -> list[datetime]:
    """``points`` instants from just after ``start`` to ``at``, evenly spaced and aligned down
    to the bucket step (the last is ``at`` itself)."""
    span = int((at - start).total_seconds())
    found = []
    for i in range(1, points + 1):
        offset = span * i // points
        if i < points:
            offset -= offset % step
        found.append(start + timedelta(seconds=offset))
    return found


def slo_timeline(
    engine: Engine, *, workspace: Workspace, key: str, at: datetime, points: int = DEFAULT_POINTS
) -> Timeline:
    if not 2 <= points <= MAX_POINTS:
        raise InputError(
            f"points={points} is not between 2 and {MAX_POINTS}", hint="ask for fewer points"
        )
    at = require_utc(at)
    objective = find_objective(workspace, key)
    now = evaluate_objectives(engine, objectives=[objective], at=at).evaluations[0]
    start = now.window_start
    if at - start < timedelta(seconds=points * DEFAULT_STEP):
        start = at - timedelta(seconds=points * DEFAULT_STEP)  # a window that just began
    when = instants(start, at, points)
    found = [evaluate_objectives(engine, objectives=[objective], at=t).evaluations[0] for t in when]
    return Timeline(
        objective=objective,
        now=now,
        instants=tuple(when),
        points=tuple(found),
        calendar=isinstance(objective.window, CalendarWindow),
    )
