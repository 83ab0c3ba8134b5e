"""An objective — or a composite SLO — over its current window, for the SLO page's and the
composite page's charts: the evaluation at evenly spaced instants from the window's start to
``at``. A composite is evaluated as the API evaluates it (the weighted events of its
components over the composite's window), so its charts draw its composite level, its budget
and its tiers' burn rates exactly as for a plain objective.

Each point is what ``covenant evaluate --at T`` (and the API) reports for the objective at that
instant, corrections applied as there (the corrected evaluation where a correction touches the
objective, else the measured one): its SLI, its error budget remaining, and each alert tier's
long-window burn rate beside the tier's threshold. Nothing is interpolated: the charts draw
exactly these evaluations.

The burn-down (``left``) is the budget of the *current* window left at each instant. For a
calendar window that is each point's budget left. A rolling window is the one ending at ``at``:
at an instant ``t`` its budget left is ``1 − consumed in [window start, t] / allowed in the
whole window``, the consumption read by evaluating the objective over ``[window start, t]``
(same corrections). It starts at 100 % and its last point is the budget left now. In both,
spending the budget evenly is a straight line from 100 % at the window's start to 0 % at its
end (a rolling window's end is ``at``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from fractions import Fraction

from sqlalchemy.engine import Engine

from covenant.core.composite import (
    CompositeObjective,
    evaluate_composites,
    evaluate_composites_corrected,
)
from covenant.core.corrections import Corrected, evaluate_corrected
from covenant.core.evaluate import evaluate, required_range
from covenant.core.model import CalendarWindow, Objective, RollingWindow
from covenant.core.results import Evaluation, Stale
from covenant.core.series import BucketMatrix
from covenant.core.timeutil import from_epoch, require_utc
from covenant.definitions.corrections import CorrectionRule
from covenant.definitions.workspace import Workspace
from covenant.errors import InputError, NotFoundError
from covenant.services.corrections import expand_corrections
from covenant.services.evaluate import (
    DEFAULT_STEP,
    changed_stale,
    evaluate_objectives,
    read_stale,
    stale_marked,
)
from covenant.store.chunk_reads import read_matrix
from covenant.store.day_sums import refuse_day_sums

DEFAULT_POINTS = 60
MAX_POINTS = 240

Subject = Objective | CompositeObjective  # what a timeline follows


@dataclass(frozen=True, slots=True, kw_only=True)
class Timeline:
    objective: Objective
    now: Evaluation  # at ``at``
    instants: tuple[datetime, ...]
    points: tuple[Evaluation, ...]  # one per instant, in order
    calendar: bool  # a calendar window (else rolling: the window ending at ``at``)
    left: tuple[Fraction | None, ...]  # the current window's budget left at each instant
    ideal_end: datetime  # where the ideal burn-down reaches 0 %: the window's end
    corrected: bool  # a correction touched the objective now (the figures are corrected)


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


def find_composite(workspace: Workspace, key: str) -> CompositeObjective:
    for c in workspace.composites:
        if c.key == key:
            return c
    raise NotFoundError(
        f"no composite SLO named {key!r} is defined",
        hint="the overview lists every SLO; composites are marked 'composite'",
    )


def slo_timeline(
    engine: Engine, *, workspace: Workspace, key: str, at: datetime, points: int = DEFAULT_POINTS
) -> Timeline:
    """The SLO objective ``key`` (``slo`` or ``slo/objective``) over its current window."""
    return timeline_of(
        engine, workspace=workspace, subject=find_objective(workspace, key), at=at, points=points
    )


def composite_timeline(
    engine: Engine, *, workspace: Workspace, key: str, at: datetime, points: int = DEFAULT_POINTS
) -> Timeline:
    """The composite SLO ``key`` over its current window."""
    return timeline_of(
        engine, workspace=workspace, subject=find_composite(workspace, key), at=at, points=points
    )


def _objective(subject: Subject) -> Objective:
    return subject.objective if isinstance(subject, CompositeObjective) else subject


def _series_of(subject: Subject) -> tuple[str, ...]:
    if isinstance(subject, CompositeObjective):
        return tuple(dict.fromkeys(c.objective.series for c in subject.components))
    return (subject.series,)


def _windowed(subject: Subject, window: RollingWindow) -> Subject:
    if isinstance(subject, CompositeObjective):
        return replace(subject, objective=replace(subject.objective, window=window))
    return replace(subject, window=window)


def timeline_of(
    engine: Engine,
    *,
    workspace: Workspace,
    subject: Subject,
    at: datetime,
    points: int = DEFAULT_POINTS,
) -> Timeline:
    if not 2 <= points <= MAX_POINTS:
        raise InputError(
            f"points={points} is not between 2 and {MAX_POINTS}", hint="ask for fewer points"
        )
    at = require_utc(at)
    objective = _objective(subject)
    rules = tuple(r for r in workspace.corrections if not r.slos or objective.slo in r.slos)
    # the corrections are applied as the API applies them, not recorded again (the API and the
    # overview record them; a write here would also end the page's cached answer each time)
    with engine.connect() as conn:  # every day of sums the instants need, named at once
        lo, end = required_range([objective], at=at, step=DEFAULT_STEP)
        # the first instant's range starts a window before the window's start
        refuse_day_sums(conn, keys=list(_series_of(subject)), start=2 * lo - end, end=end)
    reads = workspace.prometheus.reads if workspace.prometheus else ()
    mine = set(_series_of(subject))
    marks = changed_stale(engine, [r for r in reads if r.series in mine])
    ((now, corrected),) = _evaluations(engine, [(subject, at)], rules, marks)
    if reads:  # no events: its query matched no series, or its series counted none
        from covenant.services.no_series import explain_evaluation  # noqa: PLC0415

        now = explain_evaluation(engine, now, [r for r in reads if r.series in mine])
    start = now.window_start
    if at - start < timedelta(seconds=points * DEFAULT_STEP):
        start = at - timedelta(seconds=points * DEFAULT_STEP)  # a window that just began
    when = instants(start, at, points)
    found = [e for e, _ in _evaluations(engine, [(subject, t) for t in when], rules, marks)]
    calendar = isinstance(objective.window, CalendarWindow)
    if calendar:
        left = tuple(None if p.budget is None else p.budget.remaining_ratio for p in found)
    else:
        left = _rolling_left(engine, subject, now, when, rules, marks)
    return Timeline(
        objective=objective,
        now=now,
        instants=tuple(when),
        points=tuple(found),
        calendar=calendar,
        left=left,
        ideal_end=now.period_end if calendar else at,
        corrected=corrected,
    )


def _evaluations(
    engine: Engine,
    asks: Sequence[tuple[Subject, datetime]],
    rules: Sequence[CorrectionRule],
    marks: Mapping[str, Stale],
) -> list[tuple[Evaluation, bool]]:
    """:func:`_evaluated`, with the evaluations of series in ``marks`` (read with a query that
    has changed since: ``services.evaluate.changed_stale``) "no data" for that reason."""
    found = _evaluated(engine, asks, rules)
    if not marks:
        return found
    out = []
    for (s, _), (e, touched) in zip(asks, found, strict=True):
        reason = next((marks[k] for k in _series_of(s) if k in marks), None)
        out.append((e if reason is None else stale_marked(e, reason), touched))
    return out


def _evaluated(
    engine: Engine, asks: Sequence[tuple[Subject, datetime]], rules: Sequence[CorrectionRule]
) -> list[tuple[Evaluation, bool]]:
    """Each (objective or composite, instant) evaluated as the API would
    (``evaluate_objectives``: corrected where a correction applies, "no data" where a series
    it reads went stale), and whether a correction applied. With corrections the buckets of
    every ask are read once and each instant evaluated from them; without, each takes the
    plain path, which reads only what it needs."""
    if not rules:
        return [(_plain(engine, s, t), False) for s, t in asks]
    ranges = [required_range([_objective(s)], at=t, step=DEFAULT_STEP) for s, t in asks]
    start, end = min(r[0] for r in ranges), max(r[1] for r in ranges)
    keys = tuple(dict.fromkeys(k for s, _ in asks for k in _series_of(s)))
    with engine.connect() as conn:
        data = read_matrix(conn, keys=keys, start=start, end=end, step=DEFAULT_STEP)
    windows = expand_corrections(rules, start=from_epoch(start), end=from_epoch(end))
    found = []
    for (s, t), (lo, hi) in zip(asks, ranges, strict=True):
        part = _columns(data, lo, hi)  # what this instant reads: a view, not a copy
        fixed: Corrected | None = None
        if windows:
            fixed = (
                evaluate_composites_corrected([s], part, windows, at=t)[0]
                if isinstance(s, CompositeObjective)
                else evaluate_corrected([s], part, windows, at=t)[0]
            )
        one = fixed.evaluation if fixed is not None and fixed.evaluation else None
        touched = one is not None
        if one is None:  # no correction touches it here: the measured figures
            one = (
                evaluate_composites([s], part, at=t)[0]
                if isinstance(s, CompositeObjective)
                else evaluate([s], part, at=t)[0]
            )
        stale = read_stale(engine, _series_of(s), at=t)
        reason = next((stale[k] for k in _series_of(s) if k in stale), None)
        found.append((one if reason is None else stale_marked(one, reason), touched))
    return found


def _plain(engine: Engine, subject: Subject, at: datetime) -> Evaluation:
    if isinstance(subject, CompositeObjective):
        report = evaluate_objectives(engine, objectives=[], composites=[subject], at=at, now=at)
        return report.composites[0].evaluation
    # each instant as it was then (the timeline's instants are the page's clock and before)
    return evaluate_objectives(engine, objectives=[subject], at=at, now=at).evaluations[0]


def _columns(data: BucketMatrix, start: int, end: int) -> BucketMatrix:
    first, last = (start - data.start) // data.step, (end - data.start) // data.step
    return BucketMatrix(
        keys=data.keys,
        start=start,
        step=data.step,
        good=data.good[:, first:last],
        total=data.total[:, first:last],
    )


def _rolling_left(
    engine: Engine,
    subject: Subject,
    now: Evaluation,
    when: Sequence[datetime],
    rules: Sequence[CorrectionRule],
    marks: Mapping[str, Stale],
) -> tuple[Fraction | None, ...]:
    """The budget of the rolling window ending now left at each of ``when``: what was consumed
    from the window's start to the instant, against the whole window's allowance."""
    if now.budget is None or now.budget.allowed <= 0:
        return tuple(None for _ in when)
    allowed, start = now.budget.allowed, now.window_start
    asks = [
        (_windowed(subject, RollingWindow(seconds=int((t - start).total_seconds()))), t)
        for t in when
    ]
    parts = [e for e, _ in _evaluations(engine, asks, rules, marks)]
    return tuple(None if p.budget is None else 1 - p.budget.consumed / allowed for p in parts)
