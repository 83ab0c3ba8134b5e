"""Use cases that fill the bucket store: event files and ready-made counts.

One file is one transaction: its counts, its new series and its ``ingest_batches`` record
are written together or not at all. A file whose bytes were ingested before (same sha256)
is skipped and reported as a duplicate.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from threading import Event
from typing import Any

import numpy as np
import numpy.typing as npt
import orjson
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from covenant.core.model import EventRule
from covenant.core.series import BucketMatrix
from covenant.core.timeutil import from_epoch, to_epoch
from covenant.errors import InputError, Problem, StoreError
from covenant.services.ingest_ahead import FUTURE_SKEW_S, ahead_text, refuse_ahead
from covenant.services.nothing_ingested import (
    refuse_batch_if_nothing_ingested,
    refuse_batch_if_rows_rejected,
    refuse_if_nothing_ingested,
    refuse_if_rows_rejected,
)
from covenant.services.store import open_store
from covenant.services.store_refusals import store_errors
from covenant.sources.eventcounts import Ahead
from covenant.sources.eventfiles import (
    DEFAULT_BLOCK_BYTES,
    file_format,
    file_sha256,
    missing_file,
)
from covenant.sources.events import ClassifiedEvents, EventTotals, iter_classified
from covenant.store import audit, buckets
from covenant.store.audit import UNKNOWN_ACTOR
from covenant.store.db import write_transaction

__all__ = ["IngestReport", "Progress", "open_store"]  # open_store: callers open the store here too

_WRITE_ATTEMPTS = 3  # a unique-key race (another writer's new row) is retried, then reported

Progress = Callable[[Path, str, float], None]
"""``progress(file, stage, fraction_done)``; stages: read, classify, write, done."""


@dataclass(frozen=True, slots=True, kw_only=True)
class IngestReport:
    """What ingesting one file did (or, for a duplicate, what the earlier ingestion did)."""

    path: Path
    sha256: str
    rows_read: int
    rows_ingested: int
    rows_rejected: int
    rows_unmatched: int = 0
    unmatched: tuple[tuple[str, int], ...] = ()
    problems: tuple[Problem, ...] = ()
    series_touched: tuple[str, ...] = ()
    first_event: datetime | None = None
    last_event: datetime | None = None
    duplicate_of: datetime | None = None  # when set: skipped, ingested before at this instant
    precounted: bool = False
    ahead: Ahead | None = None  # rows dated after now (past the skew): stored, warned of

    @property
    def ahead_warning(self) -> str | None:
        """What the ingest says of the rows dated after now (None: none)."""
        return None if self.ahead is None else ahead_text(self.ahead, stored=True)

    @property
    def duplicate(self) -> bool:
        return self.duplicate_of is not None


def ingest_event_files(
    engine: Engine,
    *,
    files: Sequence[Path],
    rules: Sequence[EventRule],
    progress: Progress | None = None,
    step: int = 60,
    block_bytes: int = DEFAULT_BLOCK_BYTES,
    actor: str = UNKNOWN_ACTOR,
    now: datetime | None = None,
    refuse_future: bool = False,
    strict: bool = False,
) -> list[IngestReport]:
    """Ingest each file in its own transaction; return one report per file, in order.
    With ``strict`` a file with any rejected row raises ``RowsRejectedError``: nothing of it
    is stored or recorded (all or nothing; rows matching no SLI are not rejected rows).

    Rows dated more than :data:`FUTURE_SKEW_S` after ``now`` (default: the wall clock) are
    stored and accounted for in the report's ``ahead``; with ``refuse_future`` a file with
    any such row raises ``FutureEventsError`` and nothing of it is stored.

    A file is read in batches of about ``block_bytes`` and only its counts per bucket are
    kept, so memory does not grow with the file. Raises ``IngestError`` for a file that
    cannot be read at all (files before it stay ingested; nothing of it is written), its
    ``NothingIngestedError`` for a file of which no row would be stored (every row rejected
    or matching no SLI, or none: it is not recorded, so it is read again when run again) and
    ``StoreError`` when the store refuses the write (nothing of that file stays).
    """
    return [
        ingest_one_file(
            engine,
            path=Path(path),
            rules=rules,
            progress=progress,
            step=step,
            block_bytes=block_bytes,
            actor=actor,
            now=now,
            refuse_future=refuse_future,
            strict=strict,
        )
        for path in files
    ]


def _notify(progress: Progress | None, path: Path, stage: str, fraction: float) -> None:
    if progress is not None:
        progress(path, stage, fraction)


def _duplicate_report(path: Path, sha256: str, batch: buckets.BatchRecord) -> IngestReport:
    kept: dict[str, Any] = orjson.loads(batch.outcome) if batch.outcome else {}
    return IngestReport(
        problems=tuple(Problem(**p) for p in kept.get("problems", ())),
        unmatched=tuple((str(k), int(n)) for k, n in kept.get("unmatched", ())),
        rows_unmatched=int(kept.get("rows_unmatched", 0)),
        path=path,
        sha256=sha256,
        rows_read=batch.rows_read,
        rows_ingested=batch.rows_ingested,
        rows_rejected=batch.rows_rejected,
        first_event=None if batch.events_min is None else from_epoch(batch.events_min),
        last_event=None if batch.events_max is None else from_epoch(batch.events_max),
        duplicate_of=batch.ingested_at,
    )


def _store_errors(
    engine: Engine, path: Path, batch_key: str | None
) -> AbstractContextManager[None]:
    """The store's refusals of one file's write named by the file, or a keyed batch's by its
    key (its file is a temporary one the client does not know), with how to send it again."""
    if batch_key is None:
        return store_errors(engine, file=path.name)
    return store_errors(
        engine,
        subject=f"batch {batch_key!r}",
        nothing="none of the batch's events was stored",
        again=f"send the batch again under the same key {batch_key!r}: it is stored once",
    )


def ingest_one_file(
    engine: Engine,
    *,
    path: Path,
    rules: Sequence[EventRule],
    progress: Progress | None,
    step: int,
    block_bytes: int,
    batch_sha256: str | None = None,
    batch_key: str | None = None,
    actor: str = UNKNOWN_ACTOR,
    now: datetime | None = None,
    refuse_future: bool = False,
    strict: bool = False,
) -> IngestReport:
    """One file in one transaction (``ingest_event_files``); ``batch_key`` and
    ``batch_sha256``: the rows of a keyed batch, written to ``path`` and recorded under the
    key (``services.event_batches``), whose refusals name the batch and its rows."""
    _notify(progress, path, "read", 0.0)
    clock = datetime.now(UTC) if now is None else now
    ahead_from = to_epoch(clock) + FUTURE_SKEW_S
    file_format(path)  # a name we cannot read is refused before any work
    if not path.is_file():
        raise missing_file(path)
    stop = Event()
    with (
        ThreadPoolExecutor(max_workers=1) as pool,
        _store_errors(engine, path, batch_key),
        _stopping(stop),
    ):
        # a batch named by its sender is known by its name, not its bytes (no thread for it)
        digest = (
            _known(batch_sha256)
            if batch_sha256 is not None
            else pool.submit(file_sha256, path, stop=stop)
        )
        checked = False
        totals = EventTotals(keys=tuple(dict.fromkeys(rule.series for rule in rules)), step=step)
        batches = iter_classified(
            path,
            rules=rules,
            step=step,
            block_bytes=block_bytes,
            into=totals,
            ahead_from=ahead_from,
        )
        for events, done in batches:
            totals.add(events)
            _notify(progress, path, "classify", 0.9 * done)
            if not checked and digest.done():
                checked = True
                earlier = _earlier(engine, digest.result())
                if earlier is not None:  # the same bytes were ingested before: stop reading
                    batches.close()
                    _notify(progress, path, "done", 1.0)
                    return _duplicate_report(path, digest.result(), earlier)
        sha256 = digest.result()
        if not checked:
            earlier = _earlier(engine, sha256)
            if earlier is not None:
                _notify(progress, path, "done", 1.0)
                return _duplicate_report(path, sha256, earlier)
        chunks = totals.day_chunks()
        events = totals.result(counts=chunks is None)
        # a file or batch of which no row is stored is refused, not recorded: sent again
        # (fixed, or once the workspace has its SLI), it is read afresh, not a duplicate
        refuse = (
            partial(refuse_if_nothing_ingested, path)
            if batch_key is None
            else partial(refuse_batch_if_nothing_ingested, batch_key)
        )
        refuse(
            rows_read=events.rows_read,
            rows_ingested=events.rows_ingested,
            rows_rejected=events.rows_rejected,
            problems=events.problems,
            rows_unmatched=events.rows_unmatched,
            unmatched=events.unmatched,
        )
        if strict:  # all or nothing: checked before a count is written
            (
                partial(refuse_if_rows_rejected, path)
                if batch_key is None
                else partial(refuse_batch_if_rows_rejected, batch_key)
            )(
                rows_read=events.rows_read,
                rows_rejected=events.rows_rejected,
                problems=events.problems,
            )
        if refuse_future:
            refuse_ahead(events.ahead)
        _notify(progress, path, "write", 0.9)
        for attempt in range(1, _WRITE_ATTEMPTS + 1):
            try:
                touched = _write(
                    engine,
                    path=path,
                    sha256=sha256,
                    events=events,
                    chunks=chunks,
                    step=step,
                    audited=(actor, batch_key or path.name),
                    at=clock,
                )
                break
            except IntegrityError as exc:
                # nothing of this file was written (the transaction rolled back)
                with engine.connect() as conn:
                    earlier = buckets.find_batch(conn, sha256=sha256)
                if earlier is not None:  # the same bytes were ingested concurrently
                    _notify(progress, path, "done", 1.0)
                    return _duplicate_report(path, sha256, earlier)
                if attempt == _WRITE_ATTEMPTS:
                    raise StoreError(
                        f"{path.name}: the store refused the write {attempt} times because a "
                        f"key already existed ({getattr(exc, 'orig', None) or exc})",
                        hint="nothing of this file was written; another writer may be changing "
                        "the store in a way Covenant does not (check for other tools), then retry",
                    ) from exc
    _notify(progress, path, "done", 1.0)
    return IngestReport(
        path=path,
        sha256=sha256,
        rows_read=events.rows_read,
        rows_ingested=events.rows_ingested,
        rows_rejected=events.rows_rejected,
        rows_unmatched=events.rows_unmatched,
        unmatched=events.unmatched,
        problems=events.problems,
        series_touched=touched,
        first_event=None if events.events_min is None else from_epoch(events.events_min),
        last_event=None if events.events_max is None else from_epoch(events.events_max),
        precounted=events.precounted,
        ahead=events.ahead,
    )


@contextmanager
def _stopping(stop: Event) -> Iterator[None]:
    """Set ``stop`` as the block ends, before the thread pool around it waits for its thread:
    a Ctrl-C or an error while the rows are read ends the file's hash at its next piece
    instead of after the whole file (by then the ingest has its hash, or wants none)."""
    try:
        yield
    finally:
        stop.set()


def _known(value: str) -> Future[str]:
    done: Future[str] = Future()
    done.set_result(value)
    return done


def _earlier(engine: Engine, sha256: str) -> buckets.BatchRecord | None:
    with engine.connect() as conn:
        return buckets.find_batch(conn, sha256=sha256)


def _write(
    engine: Engine,
    *,
    path: Path,
    sha256: str,
    events: ClassifiedEvents,
    chunks: tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], npt.NDArray[np.int32 | np.int64]]
    | None,
    step: int,
    audited: tuple[str, str],
    at: datetime,
) -> tuple[str, ...]:
    """One transaction: the counts (as day chunks, or as bucket entries), the batch record,
    and one audit row for the batch (``audited``: who, and the batch's key or file name)."""
    counts = events.counts
    which = counts.series if chunks is None else chunks[0]
    used = np.unique(which) if which.size else np.zeros(0, dtype=np.int64)
    touched = tuple(counts.keys[i] for i in used.tolist())
    with write_transaction(engine) as conn:
        if touched:
            ids = buckets.ensure_series(conn, keys=touched, step=step)
            id_of = np.zeros(len(counts.keys), dtype=np.int64)
            for key, id_ in ids.items():
                id_of[counts.keys.index(key)] = id_
            if chunks is None:
                buckets.add_counts(
                    conn,
                    series_ids=id_of[counts.series],
                    bucket_starts=counts.bucket_starts,
                    good=counts.good,
                    total=counts.total,
                    step=step,
                )
            else:
                buckets.add_chunks(
                    conn, series_ids=id_of[chunks[0]], days=chunks[1], chunks=chunks[2], step=step
                )
        batch = buckets.BatchRecord(
            sha256=sha256,
            filename=path.name,
            rows_read=events.rows_read,
            rows_ingested=events.rows_ingested,
            rows_rejected=events.rows_rejected,
            events_min=events.events_min,
            events_max=events.events_max,
            ingested_at=at,
            outcome=_outcome(events),
        )
        buckets.record_batch(conn, batch=batch)
        audit.append(  # last: the audit lock is held only to the commit
            conn,
            actor=audited[0],
            action="ingested",
            entity_kind="event-batch",
            entity_id=audited[1][:255],
            before=None,
            after={
                "sha256": sha256,
                "rows_read": batch.rows_read,
                "rows_ingested": batch.rows_ingested,
                "rows_rejected": batch.rows_rejected,
                "events_min": batch.events_min,
                "events_max": batch.events_max,
                "series": len(touched),
            },
            at=batch.ingested_at,
        )
    return tuple(sorted(touched))


def _outcome(events: ClassifiedEvents) -> str:
    """What the batch refused, kept with it: its problems (the first MAX_PROBLEMS) and the
    unmatched counts, so a repeat of a keyed batch answers with the same rows."""
    problems = [
        {"code": p.code, "message": p.message, "where": p.where, "field": p.field,
         "fix": p.fix, "severity": p.severity}
        for p in events.problems
    ]  # fmt: skip
    unmatched = [[key, count] for key, count in events.unmatched]
    kept = {"problems": problems, "unmatched": unmatched, "rows_unmatched": events.rows_unmatched}
    return orjson.dumps(kept).decode()


def ingest_counts(
    engine: Engine,
    *,
    keys: Sequence[str] | npt.NDArray[np.str_],
    bucket_starts: npt.ArrayLike,
    good: npt.ArrayLike,
    total: npt.ArrayLike,
    series: npt.ArrayLike | None = None,
    step: int = 60,
) -> int:
    """Merge ready-made counts into the store in one transaction; return day chunks written.

    Either ``keys`` names the series of every entry (same length as the counts), or ``keys``
    lists distinct series and ``series`` holds each entry's index into it (much faster for
    millions of entries). ``bucket_starts`` are epoch seconds aligned to ``step``.
    """
    starts = np.asarray(bucket_starts, dtype=np.int64)
    if series is None:
        names, inverse = np.unique(np.asarray(keys, dtype=np.str_), return_inverse=True)
        distinct = [str(name) for name in names.tolist()]
        index = inverse.astype(np.int64).reshape(-1)
    else:
        distinct = [str(key) for key in keys]
        index = np.asarray(series, dtype=np.int64)
        if index.size and (index.min() < 0 or index.max() >= len(distinct)):
            raise InputError("series indices must point into keys")
    if index.shape != starts.shape:
        raise InputError("keys (or series) and bucket_starts must have the same length")
    with store_errors(engine), write_transaction(engine) as conn:
        ids = buckets.ensure_series(conn, keys=distinct, step=step)
        id_of = np.array([ids[key] for key in distinct], dtype=np.int64)
        return buckets.add_counts(
            conn,
            series_ids=id_of[index] if index.size else index,
            bucket_starts=starts,
            good=good,
            total=total,
            step=step,
        )


def ingest_matrix(engine: Engine, *, matrix: BucketMatrix) -> int:
    """Merge a dense bucket matrix (e.g. generated traffic) into the store in one transaction."""
    rows, cols = np.nonzero(matrix.total)
    return ingest_counts(
        engine,
        keys=list(matrix.keys),
        series=rows.astype(np.int64),
        bucket_starts=matrix.start + cols.astype(np.int64) * matrix.step,
        good=matrix.good[rows, cols],
        total=matrix.total[rows, cols],
        step=matrix.step,
    )
