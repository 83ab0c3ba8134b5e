"""The worker's own health on ``/metrics``, on SQLite and PostgreSQL: its ticks counted by
outcome, the instant of its latest completed tick and how long its latest tick took — kept in
the store (``store.worker_health``), so every process serves the same samples, a failed tick
shows although it publishes no page, and the counts go on across a restart (a new loop on the
same store) — and, per DataSource, the series reads that failed by error code.

The expected numbers are worked out here from the ticks the test runs and the series the
workspace reads from each source (``SLOS``); nothing listens at the sources' address
(``http://127.0.0.1:9``), so every read of a tick that catches up fails."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.engine import Engine

from covenant.definitions.workspace import Workspace
from covenant.services.metrics import SharedMetrics
from covenant.services.worker import Worker
from covenant.services.worker_loop import WorkerLoop
from tests.services.test_metrics_pipeline import (
    SLOS,
    T0,
    Samples,
    UnreadError,
    no_workspace,
    parsed,
    same_as_generate_latest,
    workspace,
)

__all__ = ["workspace"]  # fixture, used by name

WORKER_FAMILIES = (
    "covenant_worker_ticks_total",
    "covenant_worker_last_success_timestamp_seconds",
    "covenant_worker_tick_duration_seconds",
    "covenant_source_read_errors_total",
    "covenant_source_last_success_timestamp_seconds",
)


def ticks(got: Samples) -> dict[str, float]:
    return {
        dict(k[1])["outcome"]: v for k, v in got.items() if k[0] == "covenant_worker_ticks_total"
    }


def errors(got: Samples) -> dict[tuple[str, str], float]:
    return {
        (dict(k[1])["source"], dict(k[1])["code"]): v
        for k, v in got.items()
        if k[0] == "covenant_source_read_errors_total"
    }


def every_read_error_code() -> set[str]:
    """The code of every kind of failed series read, found by walking the error classes (the
    client's own subclasses too), not from the list ``/metrics`` uses."""
    import covenant.sources.prometheus.client  # noqa: F401, PLC0415  (its subclasses)
    from covenant.errors import SourceError  # noqa: PLC0415

    found, todo = set(), [SourceError]
    while todo:
        cls = todo.pop()
        found.add(cls.code)
        todo.extend(cls.__subclasses__())
    return found


def zeros() -> dict[tuple[str, str], float]:
    """Every source's read-error counter per code, before any read failed: 0 each, so that a
    rule on ``increase()`` sees the very first failure (a series first seen at 1 it cannot)."""
    return {(source, code): 0 for source in SLOS for code in every_read_error_code()}


def health(got: Samples) -> Samples:
    return {k: v for k, v in got.items() if k[0] in WORKER_FAMILIES}


def test_no_tick_yet_counts_zero_with_no_instant(engine: Engine, workspace: Workspace) -> None:
    page = SharedMetrics().page(engine, workspace=lambda: workspace, now=T0)
    got = parsed(page)
    assert ticks(got) == {"ok": 0, "problems": 0, "failed": 0}
    assert ("covenant_worker_last_success_timestamp_seconds", ()) not in got  # not known: no 0
    assert ("covenant_worker_tick_duration_seconds", ()) not in got
    assert errors(got) == zeros()  # every code of every source, before any read failed
    assert not [k for k in got if k[0] == "covenant_source_last_success_timestamp_seconds"]
    assert "# TYPE covenant_worker_ticks_total counter\n" in page.decode()
    same_as_generate_latest(page)


def test_ticks_by_outcome_survive_a_restart_and_every_page_shows_them(
    engine: Engine, workspace: Workspace
) -> None:
    now = [T0]
    # each tick reads the timer at its start and its end: 3.5 s, then 1 s (the failed one)
    timer = iter([100.0, 103.5, 200.0, 201.0])
    definitions = [workspace]

    def current() -> Workspace:
        if not definitions:
            raise UnreadError  # the definitions cannot be read: the tick fails
        return definitions[0]

    first = WorkerLoop(
        Worker(engine, catch_up=False),
        workspace=current,
        clock=lambda: now[0],
        timer=lambda: next(timer),
    )
    assert first.run_once() is not None  # ok: catch-up off, nothing to fail
    scraped = parsed(SharedMetrics().page(engine, workspace=no_workspace, now=T0))
    assert ticks(scraped) == {"ok": 1, "problems": 0, "failed": 0}
    assert scraped[("covenant_worker_last_success_timestamp_seconds", ())] == T0.timestamp()
    assert scraped[("covenant_worker_tick_duration_seconds", ())] == 3.5

    definitions.clear()
    now[0] = T0 + timedelta(minutes=1)
    assert first.run_once() is None  # failed: no page published, the store counts it
    page = SharedMetrics().page(engine, workspace=no_workspace, now=now[0])
    got = parsed(page)
    assert got[("covenant_metrics_snapshot_age_seconds", ())] == 60  # still the first tick's
    assert ticks(got) == {"ok": 1, "problems": 0, "failed": 1}
    assert got[("covenant_worker_last_success_timestamp_seconds", ())] == T0.timestamp()
    assert got[("covenant_worker_tick_duration_seconds", ())] == 1.0  # the latest tick's
    same_as_generate_latest(page)

    # a restarted process (a new loop and worker on the same store) that catches up: every
    # read fails (nothing listens), so the tick completes with problems
    definitions.append(workspace)
    now[0] = T0 + timedelta(minutes=2)
    again = WorkerLoop(
        Worker(engine, catch_up=True),
        workspace=current,
        clock=lambda: now[0],
        timer=iter([300.0, 302.25]).__next__,
    )
    result = again.run_once()
    assert result is not None
    assert result.problems  # each series' failed read
    published = parsed(SharedMetrics().page(engine, workspace=no_workspace, now=now[0]))
    assert ticks(published) == {"ok": 1, "problems": 1, "failed": 1}  # counted on, not reset
    assert published[("covenant_worker_last_success_timestamp_seconds", ())] == (now[0].timestamp())
    assert published[("covenant_worker_tick_duration_seconds", ())] == 2.25
    # one failed read per series the workspace reads from each source
    want = {(source, "source-unreachable"): len(names) for source, names in SLOS.items()}
    assert errors(published) == zeros() | want  # the other codes stay at 0
    # no read of these sources ever returned data: no instant of a success
    assert not [k for k in published if k[0] == "covenant_source_last_success_timestamp_seconds"]
    # the page evaluated at the scrape (the published one too old) says the same
    later = now[0] + timedelta(minutes=11)
    evaluated = parsed(SharedMetrics().page(engine, workspace=lambda: workspace, now=later))
    assert ("covenant_metrics_snapshot_age_seconds", ()) not in evaluated
    assert health(evaluated) == health(published)
    # the per-process figures stay the process's (/api/v1/worker): the new loop ran one
    assert (again.ticks, again.failures, first.ticks, first.failures) == (1, 0, 1, 1)
