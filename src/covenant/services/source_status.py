"""What the API says of the workspace's Prometheus DataSources: how each is reached (no
secret: environment-variable names, header names) and how far each series it fills was read,
whether its latest read failed and why, and which of its queries matched no series in its
newest read (``/api/v1/data-sources``; ``/metrics`` counts the same per source)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from covenant.core.timeutil import from_epoch, utc_text
from covenant.errors import NotFoundError
from covenant.services.no_series import query_text
from covenant.store.source_state import SourceState, every_state
from covenant.store.worker_health import tick_totals

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

    from covenant.core.promql import PrometheusSource, SeriesQueries
    from covenant.definitions.workspace import Workspace
    from covenant.services.worker_loop import WorkerLoop


def data_sources_json(
    engine: Engine, workspace: Workspace, *, name: str | None = None
) -> list[dict[str, Any]]:
    """Every DataSource the workspace reads SLIs from (or the one ``name``d), with its series."""
    reads = workspace.prometheus.reads if workspace.prometheus else ()
    sources: dict[str, PrometheusSource] = {}
    series: dict[str, list[SeriesQueries]] = {}
    for r in reads:
        sources.setdefault(r.source.name, r.source)
        series.setdefault(r.source.name, []).append(r)
    if name is not None and name not in sources:
        raise NotFoundError(
            f"no DataSource {name!r} that an SLI reads from",
            hint="`covenant sources list` (GET /api/v1/data-sources) lists them",
        )
    with engine.connect() as conn:
        states = every_state(conn)
    out = []
    for source in sorted(sources.values(), key=lambda s: s.name):
        if name is not None and source.name != name:
            continue
        mine = [states.get(r.series) for r in series[source.name]]
        rows = [_series_json(r, state) for r, state in zip(series[source.name], mine, strict=True)]
        read = [s.read_until for s in mine if s is not None and s.read_until is not None]
        out.append(
            {
                "name": source.name,
                "url": source.url,
                "auth": _auth(source),
                "headers": sorted(h for h, _ in source.headers),  # names: values may be secret
                "headers_env": dict(source.headers_env),  # header → variable, never its value
                "tenant": source.tenant,
                "timeout_seconds": source.timeout_s,
                "tls_verify": source.tls_verify,
                "series_count": len(rows),
                "states": {
                    state: sum(1 for row in rows if row["state"] == state)
                    for state in ("read", "failing", "never-read")
                },
                "read_until_oldest": utc_text(from_epoch(min(read))) if read else None,
                "unmatched": {
                    query: sum(1 for row in rows for u in row["unmatched"] if u["query"] == query)
                    for query in ("good", "bad", "total")
                },
                "series": sorted(rows, key=lambda row: str(row["series"])),
            }
        )
    return out


def _auth(source: PrometheusSource) -> dict[str, str] | None:
    if source.bearer_token_env:
        return {"kind": "bearer", "env": source.bearer_token_env}
    if source.username_env and source.password_env:
        return {"kind": "basic", "username_env": source.username_env}
    return None


def _series_json(r: SeriesQueries, state: SourceState | None) -> dict[str, Any]:
    until = None if state is None else state.read_until
    failing = state is not None and state.error is not None
    return {
        "series": r.series,
        "sli": r.sli,
        "slos": list(r.slos),
        "state": "failing" if failing else ("read" if until is not None else "never-read"),
        "read_until": None if until is None else utc_text(from_epoch(until)),
        "last_read_at": None
        if state is None or state.updated_at is None
        else utc_text(state.updated_at),
        "unmatched": _unmatched(r, state),
        "error": None
        if state is None or state.error is None
        else {
            "code": state.error_code,
            "message": state.error,
            "at": None if state.error_at is None else utc_text(state.error_at),
        },
    }


def _unmatched(r: SeriesQueries, state: SourceState | None) -> list[dict[str, Any]]:
    """The queries of ``r`` whose newest read matched no series in the source (``/metrics``'
    ``covenant_source_series_unmatched`` counts them): which (``good``, ``bad``, ``total``),
    the selector to try, and since when its reads have matched none."""
    if state is None:
        return []
    first = "good" if r.good is not None else "bad"
    found = []
    for query, template, matched, since in (
        (first, r.good or r.bad, state.first_found, state.first_unmatched_from),
        ("total", r.total, state.total_found, state.total_unmatched_from),
    ):
        if matched is False and template is not None:
            found.append(
                {
                    "query": query,
                    "selector": query_text(template),
                    "since": None if since is None else utc_text(from_epoch(since)),
                }
            )
    return found


def unmatched_json(sources: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Every query whose newest read matched no series, one row per series and query (by
    source, series, query) from ``data_sources_json``'s answer: per source and query, as many
    as its ``unmatched`` counts and ``/metrics``' ``covenant_source_series_unmatched``."""
    return [
        {"source": s["name"], "series": row["series"], "slos": row["slos"], **u}
        for s in sources
        for row in s["series"]
        for u in row["unmatched"]
    ]


def worker_json(
    loop: WorkerLoop | None,
    engine: Engine,
    workspace: Workspace | None,
    *,
    sources: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """This process's worker (``covenant serve``'s): ``{running: false}`` without one; and
    ``store``: every worker's ticks on the store (``store.worker_health``, as ``/metrics``
    counts them), whichever process leads; and ``unmatched``: the queries whose newest read
    matched no series (``unmatched_json``; what the worker logs once per series and query),
    read from the store, so every process answers the same. ``sources``: the
    ``data_sources_json`` answer when the caller has it already. ``workspace`` None (it cannot
    be read: the worker's ``last_error`` says why): ``unmatched`` is None, the rest answered."""
    if sources is None and workspace is not None:
        sources = data_sources_json(engine, workspace)
    found = None if sources is None else unmatched_json(sources)
    with engine.connect() as conn:
        totals = tick_totals(conn)
    store = {
        "ticks": totals.ticks,
        "last_tick_at": None if totals.last_tick_at is None else utc_text(totals.last_tick_at),
        "last_tick_seconds": totals.last_tick_s,
        "last_success_at": None
        if totals.last_success_at is None
        else utc_text(totals.last_success_at),
    }
    if loop is None:
        return {"running": False, "store": store, "unmatched": found}
    return {
        "running": loop.running,
        "leading": loop.leading,
        "interval_seconds": loop.interval_s,
        "ticks": loop.ticks,
        "failures": loop.failures,
        "last_tick_at": None if loop.last_tick_at is None else utc_text(loop.last_tick_at),
        "last_failure_at": None if loop.last_failure_at is None else utc_text(loop.last_failure_at),
        "last_error": loop.last_error,
        "store": store,
        "unmatched": found,
    }
