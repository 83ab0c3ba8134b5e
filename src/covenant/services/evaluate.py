"""Evaluate a workspace's objectives against the store at one instant.

With corrections, every objective is evaluated twice from the same buckets: *raw* (what was
measured) and *corrected* (the correction windows removed, docs/corrections.md). Composite SLOs
are evaluated alongside. The status a gate uses (``effective_status``, ``evaluate --check``) is
the corrected one where a correction touched the objective, else the raw one.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from covenant.core.composite import (
    CompositeObjective,
    evaluate_composites,
    evaluate_composites_corrected,
)
from covenant.core.corrections import Corrected, evaluate_corrected
from covenant.core.elapsed import NOT_BEGUN, measured_end, not_yet_note
from covenant.core.evaluate import (
    evaluate,
    required_edges,
    required_range,
    slice_phase,
)
from covenant.core.model import Objective
from covenant.core.results import Evaluation, Stale, Status
from covenant.core.timeutil import from_epoch, require_utc, to_epoch
from covenant.core.window_answers import needs_buckets
from covenant.core.windows import window_bounds
from covenant.services.threshold_hint import explain_new_thresholds
from covenant.store.chunk_reads import read_edge_counts, read_matrix, series_extent
from covenant.store.source_state import read_states, stale_reasons
from covenant.store.sqlite_reader import SqliteReader

if TYPE_CHECKING:  # imported when used: a plain evaluation never loads them
    from sqlalchemy import Engine

    from covenant.core.promql import SeriesQueries
    from covenant.definitions.corrections import CorrectionRule
    from covenant.definitions.workspace import Workspace
    from covenant.services.day_retries import DayFailure
    from covenant.store.corrections import CorrectionRecord

DEFAULT_STEP = 60


@dataclass(frozen=True, slots=True, kw_only=True)
class CompositeResult:
    """A composite SLO evaluated raw and (where a correction touched it) corrected."""

    composite: CompositeObjective
    evaluation: Evaluation
    corrected: Corrected = field(default_factory=lambda: Corrected(evaluation=None))


def effective(raw: Evaluation, corrected: Corrected | None) -> Evaluation:
    """The evaluation a gate uses: the corrected one when a correction touched it."""
    if corrected is not None and corrected.evaluation is not None:
        return corrected.evaluation
    return raw


@dataclass(frozen=True, slots=True, kw_only=True)
class EvaluationReport:
    at: datetime
    evaluations: tuple[Evaluation, ...]  # raw, one per objective
    corrected: tuple[Corrected, ...] = ()  # aligned with evaluations; () without corrections
    composites: tuple[CompositeResult, ...] = ()
    audit: Mapping[str, CorrectionRecord] = field(default_factory=dict)  # by correction name
    measured_until: datetime | None = None
    """Where counting stopped: ``at``, or the wall clock when ``at`` is after it (None: not
    said, taken as ``at``)."""

    @property
    def not_yet_note(self) -> str | None:
        """What a report at an instant after now says: the windows are only partly elapsed
        (None when ``at`` is not after now)."""
        return None if self.measured_until is None else not_yet_note(self.at, self.measured_until)

    @property
    def effective(self) -> tuple[Evaluation, ...]:
        """Corrected where a correction applies, else raw; objectives then composites."""
        plain = tuple(
            effective(e, self.corrected[i] if self.corrected else None)
            for i, e in enumerate(self.evaluations)
        )
        return plain + tuple(effective(c.evaluation, c.corrected) for c in self.composites)

    @property
    def counts(self) -> dict[Status, int]:
        counted = Counter(e.status for e in self.effective)
        return {status: counted.get(status, 0) for status in Status}

    @property
    def checked(self) -> int:
        """Objectives that had data (a gate passing on none checked nothing)."""
        return sum(1 for e in self.effective if e.status is not Status.NO_DATA)

    @property
    def needs_attention(self) -> bool:
        """True when any objective is breached or paging (``evaluate --check`` fails then)."""
        return any(e.status in (Status.BREACHED, Status.PAGING) for e in self.effective)

    def with_objectives(self, change: Callable[[Evaluation], Evaluation]) -> EvaluationReport:
        """This report with ``change`` applied to every objective's evaluation, the raw one
        and the corrected one (composites as they are)."""
        return replace(
            self,
            evaluations=tuple(change(e) for e in self.evaluations),
            corrected=tuple(
                k if k.evaluation is None else replace(k, evaluation=change(k.evaluation))
                for k in self.corrected
            ),
        )


def evaluate_objectives(
    engine: Engine | SqliteReader,
    *,
    objectives: Sequence[Objective],
    at: datetime,
    step: int = DEFAULT_STEP,
    composites: Sequence[CompositeObjective] = (),
    corrections: Sequence[CorrectionRule] = (),
    seen_at: datetime | None = None,
    day_sums_stale: bool = False,
    waits: Mapping[str, DayFailure] | None = None,
    now: datetime | None = None,
) -> EvaluationReport:
    """Read the buckets every objective needs in one pass and evaluate them all at ``at``.

    ``now`` is the wall clock (default: read here). With ``at`` after it the windows are
    counted up to now only (``core.evaluate.measured_end``): the minutes after now have not
    happened, and no no-data policy counts them good or bad; ``EvaluationReport.measured_until``
    says where counting stopped.

    ``corrections`` are applied to every evaluation and audited in the store as seen at
    ``seen_at`` (default: the wall clock now — not ``at``, which may be in the past). An
    objective whose series a metrics source failed to read up to ``at`` is "no data" with the
    source's error as the reason (``mark_stale``).

    The minutes of a day stored as its sums only (``store.day_sums``) that an objective needs
    are refused (``DaySumsOnlyError``: the caller reads them, ``services.day_minutes``); with
    ``day_sums_stale`` (``covenant evaluate`` and the worker, whose catch-up read what it
    could) that series' objectives are "no data (stale)" with the days as the reason (and
    the worker's remembered failure of the series, ``waits``), and the others evaluate.

    A threshold objective with no events ever under its threshold while its SLI's other
    thresholds hold some says so in its reason (``services.threshold_hint``).
    """
    unread: dict[int, set[int]] | None = {} if day_sums_stale else None
    report = _evaluate_objectives(
        engine,
        objectives=objectives,
        at=at,
        step=step,
        composites=composites,
        corrections=corrections,
        seen_at=seen_at,
        unread=unread,
        now=datetime.now(UTC) if now is None else require_utc(now, what="now"),
    )
    report = mark_stale(engine, report, unread=unread, waits=waits)
    from covenant.services.coverage import apply_coverage, first_stored  # noqa: PLC0415

    first = first_stored(engine, (e.objective.series for e in report.evaluations))
    report = apply_coverage(report, first)
    return explain_new_thresholds(engine, report)


def mark_stale(
    engine: Engine | SqliteReader,
    report: EvaluationReport,
    *,
    unread: Mapping[int, set[int]] | None = None,
    waits: Mapping[str, DayFailure] | None = None,
) -> EvaluationReport:
    """Evaluations of series whose source read failed before ``at`` become "no data (stale)":
    their numbers would describe data that stopped arriving, not the service. So do those of
    series whose evaluation needed the minutes of days stored as sums only (``unread``: the
    days per series id, ``services.day_minutes``)."""
    series = {e.objective.series for e in report.evaluations}
    series |= {p.objective.series for c in report.composites for p in c.composite.components}
    stale = read_stale(engine, series, at=report.at)
    if unread:
        stale |= unread_stale(engine, unread, waits=waits)
    return apply_stale(report, stale)


def unread_stale(
    engine: Engine | SqliteReader,
    unread: Mapping[int, set[int]],
    *,
    waits: Mapping[str, DayFailure] | None = None,
) -> dict[str, Stale]:
    """The stale reason of each series whose day-sum days an evaluation left out (with the
    worker's remembered failure of its days, ``waits``)."""
    from covenant.services.day_minutes import unread_reasons  # noqa: PLC0415

    with engine.connect() as conn:
        return unread_reasons(conn, unread, waits=waits)


def read_stale(
    engine: Engine | SqliteReader, series: Collection[str], *, at: datetime
) -> dict[str, Stale]:
    """The stale reason of each of ``series`` whose source read failed before ``at``."""
    if not series:
        return {}
    with engine.connect() as conn:
        epoch = to_epoch(at)
        return stale_reasons(conn, keys=sorted(series), at=epoch - epoch % DEFAULT_STEP)


NEVER_READ = (
    "not read from Prometheus yet: `covenant evaluate --read` reads its window (or `covenant "
    "ingest prometheus --from … --to …` a range)"
)
QUERY_CHANGED = (
    "its query changed since its counts were read from Prometheus: the next read sets them "
    "aside and reads it with the new query (`covenant evaluate`, `covenant ingest "
    "prometheus`, or the worker of `covenant serve`)"
)


def mark_unread(
    engine: Engine | SqliteReader, report: EvaluationReport, reads: Sequence[SeriesQueries]
) -> EvaluationReport:
    """``report`` with the evaluations of series read from Prometheus that the store cannot
    answer for yet as "no data" saying why: read with a query that has changed since
    (:data:`QUERY_CHANGED`: their counts are another query's), or, where they have no data,
    never reached by a read (:data:`NEVER_READ`, not "no events in the window"); those read
    without events saying whether their query matched no series or their series counted
    none (``services.no_series``)."""
    evaluated = {e.objective.series for e in report.evaluations}
    evaluated |= {p.objective.series for c in report.composites for p in c.composite.components}
    wanted = [r for r in reads if r.series in evaluated]
    if not wanted:
        return report
    from covenant.services.never_read import silent_by_policy, unfilled  # noqa: PLC0415

    quiet = {
        e.objective.series
        for e in report.evaluations
        if _unexplained(e.no_data) or silent_by_policy(e)
    }
    quiet |= {
        p.objective.series
        for c in report.composites
        if _unexplained(c.evaluation.no_data)
        for p in c.composite.components
    }
    from covenant.services.no_series import explain_quiet  # noqa: PLC0415

    marks = _unread_marks(engine, wanted, quiet=quiet)
    never = {k for k, m in marks.items() if m.kind == "never-read"}
    report = report.with_objectives(  # a policy's figures for minutes never read: none
        lambda e: (
            unfilled(e, NEVER_READ) if e.objective.series in never and silent_by_policy(e) else e
        )
    )
    report = apply_stale(report, marks)
    return explain_quiet(engine, report, wanted)


def _unexplained(no_data: str | None) -> bool:
    """Whether a "no data" may be for want of a read: not a window that starts after now
    (``core.elapsed.not_begun``: no read can fill it, and its reason already says why)."""
    return no_data is not None and not no_data.endswith(NOT_BEGUN)


def changed_stale(
    engine: Engine | SqliteReader, reads: Sequence[SeriesQueries]
) -> dict[str, Stale]:
    """:data:`QUERY_CHANGED` for each of ``reads`` read with another query (the worker of
    ``serve --no-catch-up``, whose store another process reads into)."""
    return _unread_marks(engine, reads, quiet=())


def _unread_marks(
    engine: Engine | SqliteReader, reads: Sequence[SeriesQueries], *, quiet: Collection[str]
) -> dict[str, Stale]:
    """Per series of ``reads``: :data:`QUERY_CHANGED`, or for one of ``quiet`` (no data)
    that no read has reached, :data:`NEVER_READ`."""
    from covenant.services.read_claims import query_changed  # noqa: PLC0415

    with engine.connect() as conn:
        states = read_states(conn, keys=sorted({r.series for r in reads}))
    marks: dict[str, Stale] = {}
    for r in reads:
        state = states.get(r.series)
        if query_changed(state, r):
            marks[r.series] = Stale(
                kind="query-changed", reason=QUERY_CHANGED, source=r.source.name
            )
        elif r.series in quiet and (
            state is None or (state.read_until is None and not state.error)
        ):
            marks[r.series] = Stale(kind="never-read", reason=NEVER_READ, source=r.source.name)
    return marks


def stale_marked(e: Evaluation, stale: Stale) -> Evaluation:
    """``e`` as "no data" for ``stale``'s reason (its source has not answered for ``at``)."""
    return replace(e, status=Status.NO_DATA, no_data=stale.reason, stale=stale)


def apply_stale(report: EvaluationReport, stale: Mapping[str, Stale]) -> EvaluationReport:
    """``report`` with the evaluations of ``stale`` series "no data" for that reason."""
    if not stale:
        return report

    def marked(e: Evaluation, reason: Stale | None) -> Evaluation:
        return e if reason is None else stale_marked(e, reason)

    def of(c: CompositeResult) -> Stale | None:
        """A stale component's reason: one whose source stopped first (its alerts held)."""
        found = [
            stale[p.objective.series] for p in c.composite.components if p.objective.series in stale
        ]
        return next((s for s in found if s.held), found[0] if found else None)

    return replace(
        report.with_objectives(lambda e: marked(e, stale.get(e.objective.series))),
        composites=tuple(
            replace(
                c,
                evaluation=marked(c.evaluation, of(c)),
                corrected=c.corrected
                if c.corrected.evaluation is None
                else replace(c.corrected, evaluation=marked(c.corrected.evaluation, of(c))),
            )
            for c in report.composites
        ),
    )


def _evaluate_objectives(
    engine: Engine | SqliteReader,
    *,
    objectives: Sequence[Objective],
    at: datetime,
    step: int,
    composites: Sequence[CompositeObjective],
    corrections: Sequence[CorrectionRule],
    seen_at: datetime | None,
    unread: dict[int, set[int]] | None,
    now: datetime,
) -> EvaluationReport:
    at = require_utc(at, what="--at")
    until = from_epoch(measured_end(at=at, now=now, step=step))
    audit: dict[str, CorrectionRecord] = {}
    if corrections:
        from covenant.services.corrections import record_corrections  # noqa: PLC0415
        from covenant.store.db import is_read_only  # noqa: PLC0415

        if isinstance(engine, SqliteReader):  # the audit is written: open it with open_store
            raise TypeError("corrections need a store opened for writing (services.store)")
        if not is_read_only(engine):  # a read-only store is read, its audit left as it is
            seen = now if seen_at is None else require_utc(seen_at, what="seen_at")
            audit = record_corrections(engine, rules=corrections, seen_at=seen)
    everything = [*objectives, *(c.objective for c in composites)]
    if not everything:
        return EvaluationReport(at=at, evaluations=(), audit=audit, measured_until=until)
    if not corrections and not composites:
        return EvaluationReport(
            at=at,
            evaluations=_evaluate_plain(
                engine, objectives, at=at, step=step, unread=unread, now=now
            ),
            audit=audit,
            measured_until=until,
        )
    start, end = required_range(everything, at=at, step=step)
    series = [o.series for o in objectives]
    series += [part.objective.series for c in composites for part in c.components]
    keys = tuple(dict.fromkeys(series))
    with engine.connect() as conn:
        start = _clip_to_data(conn, keys=keys, objectives=everything, start=start, end=end)
        data = read_matrix(conn, keys=keys, start=start, end=end, step=step, unread=unread)
    from covenant.services.corrections import expand_corrections  # noqa: PLC0415

    windows = expand_corrections(corrections, start=from_epoch(start), end=from_epoch(end))
    raw = tuple(evaluate(objectives, data, at=at, now=now))
    corrected = (
        tuple(evaluate_corrected(objectives, data, windows, at=at, now=now)) if windows else ()
    )
    composite_raw = evaluate_composites(composites, data, at=at, now=now)
    composite_corrected = (
        evaluate_composites_corrected(composites, data, windows, at=at, now=now)
        if windows
        else [Corrected(evaluation=None) for _ in composites]
    )
    return EvaluationReport(
        at=at,
        evaluations=raw,
        corrected=corrected,
        composites=tuple(
            CompositeResult(composite=c, evaluation=e, corrected=k)
            for c, e, k in zip(composites, composite_raw, composite_corrected, strict=True)
        ),
        audit=audit,
        measured_until=until,
    )


def evaluate_workspace(
    engine: Engine | SqliteReader,
    *,
    workspace: Workspace,
    at: datetime,
    now: datetime | None = None,
) -> EvaluationReport:
    """Every objective, composite and correction of ``workspace`` evaluated at ``at``; the
    series whose days of sums could not be read are "no data (stale)", and so are those read
    from Prometheus that no read has reached or that were read with another query
    (:func:`mark_unread`); the others evaluate."""
    report = evaluate_objectives(
        engine,
        objectives=workspace.objectives,
        at=at,
        composites=workspace.composites,
        corrections=workspace.corrections,
        day_sums_stale=True,
        now=now,
    )
    if workspace.prometheus is None:
        return report
    return mark_unread(engine, report, workspace.prometheus.reads)


def _evaluate_plain(
    engine: Engine | SqliteReader,
    objectives: Sequence[Objective],
    *,
    at: datetime,
    step: int,
    unread: dict[int, set[int]] | None,
    now: datetime,
) -> tuple[Evaluation, ...]:
    """Objectives without corrections or composites, each read the cheapest way it allows.

    Event-based objectives need only the cumulative counts at their window edges, which the
    store sums from its per-day totals (``read_edge_counts``); time-slice objectives need every
    bucket of their windows (``read_matrix``). Results keep the objectives' order.
    """
    sliced_at = [i for i, o in enumerate(objectives) if needs_buckets(o)]
    edged_at = [i for i, o in enumerate(objectives) if not needs_buckets(o)]
    sliced = [objectives[i] for i in sliced_at]
    edged = [objectives[i] for i in edged_at]
    by_position: dict[int, Evaluation] = {}
    with engine.connect() as conn:
        if edged:
            keys = tuple(dict.fromkeys(o.series for o in edged))
            edges = required_edges(edged, at=at, step=step, now=now)
            counts = read_edge_counts(conn, keys=keys, edges=edges, step=step, unread=unread)
            by_position.update(zip(edged_at, evaluate(edged, counts, at=at, now=now), strict=True))
        if sliced:
            start, end = required_range(sliced, at=at, step=step)
            keys = tuple(dict.fromkeys(o.series for o in sliced))
            start = _clip_to_data(conn, keys=keys, objectives=sliced, start=start, end=end)
            data = read_matrix(conn, keys=keys, start=start, end=end, step=step, unread=unread)
            by_position.update(zip(sliced_at, evaluate(sliced, data, at=at, now=now), strict=True))
    return tuple(by_position[i] for i in range(len(objectives)))


def _clip_to_data(
    conn: Any, *, keys: Sequence[str], objectives: Sequence[Objective], start: int, end: int
) -> int:
    """Start reading where the stored data starts, not where a (possibly years-long) window does.

    Buckets before the first stored one have no events either way, and the engine counts the
    time slices it is not given by their no-data policy, so the results are the same; the
    start stays aligned to the bucket step and to every objective's slice layout.
    """
    extents = [e for e in series_extent(conn, keys=keys).values() if e is not None]
    if not extents:
        return max(start, end - 86400)  # nothing stored: a day of empty buckets is enough
    first = min(lo for lo, _ in extents)
    if first <= start:
        return start
    clipped = first
    for o in objectives:
        if o.time_slice_window_s:
            size = o.time_slice_window_s
            phase = slice_phase(o, window_bounds(o.window, at=end))
            clipped = min(clipped, first - (first - phase) % size)
    return max(start, min(clipped, end))
