"""A read from Prometheus as ``covenant ingest prometheus --format json`` prints it and
``POST /api/v1/ingest/prometheus`` answers it (one form for both), and the reads it chooses."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from covenant.core.timeutil import from_epoch
from covenant.errors import CovenantError, InputError
from covenant.services.prometheus_range import select_reads

if TYPE_CHECKING:
    from covenant.core.promql import SeriesQueries
    from covenant.definitions.workspace import Workspace
    from covenant.services.prometheus import ReadReport


def workspace_reads(workspace: Workspace, *, slos: Sequence[str] = ()) -> list[SeriesQueries]:
    """The reads of ``slos`` (all without names) of ``workspace``'s Prometheus SLIs; an SLO
    that cannot be read, or none to read, is an error that says why."""
    found = workspace.prometheus
    unreadable = dict(found.unreadable) if found else {}
    reads = select_reads(found.reads if found else (), slos=slos, unreadable=unreadable)
    if not reads:
        raise nothing_to_read(unreadable)
    return reads


def nothing_to_read(unreadable: dict[str, str]) -> CovenantError:
    """The error when no SLI of the workspace can be read from Prometheus, and why."""
    if unreadable:  # SLIs name a DataSource, but their queries cannot be read
        (slo, why), *more = sorted(unreadable.items())
        return InputError(
            f"no SLI of the workspace can be read from Prometheus: SLO {slo!r} cannot, {why}"
            + (f" (and {len(more)} more: covenant validate lists them)" if more else ""),
            hint="fix the queries covenant validate warns of (prometheus-query-form)",
        )
    return InputError(
        "no SLI of the workspace reads a Prometheus DataSource",
        hint="add a DataSource of type Prometheus and name it in each SLI's metricSourceRef "
        "(docs/prometheus.md)",
    )


def _iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def _iso_epoch(t: int) -> str:
    return _iso(from_epoch(t))


def report_json(r: ReadReport) -> dict[str, Any]:
    """The stable machine form of one series' read."""
    return {
        "series": r.series,
        "slos": list(r.slos),
        "source": r.source,
        "from": _iso(r.start),
        "to": _iso(r.end),
        "read_until": _iso(r.read_until),
        "complete": r.complete,
        "buckets": r.buckets,
        "good": r.good,
        "total": r.total,
        "error": None
        if r.error is None
        else {"code": r.error.code, "message": r.error.message, "fix": r.error.hint},
        # days (hours) of exact sums this read replaced by minutes adding up to other counts
        "replaced_sums": [
            {
                "from": _iso_epoch(c.start),
                "to": _iso_epoch(c.start + c.span),
                "stored": {"good": c.stored_good, "total": c.stored_total},
                "read": {"good": c.read_good, "total": c.read_total},
            }
            for c in r.replaced
        ],
        # the minutes the server had no data for, and the stored events kept there
        "unanswered": None
        if r.unanswered is None
        else {
            "minutes": r.unanswered.minutes,
            "from": _iso_epoch(r.unanswered.first),
            "to": _iso_epoch(r.unanswered.last),
            "kept": {"good": r.unanswered.kept_good, "total": r.unanswered.kept_total},
            "gaps": [  # each run of such minutes
                {"from": _iso_epoch(a), "to": _iso_epoch(b), "minutes": (b - a) // 60}
                for a, b in r.unanswered.spans
            ],
        },
        # the total query (as to try it) when it matched no series over the whole read
        "no_series": r.no_series,
        # the SLI's query had changed since it was read: the old query's counts set aside
        "query_changed": None
        if r.query_changed is None
        else {
            "days_set_aside": r.query_changed.days_aside,
            "restored": r.query_changed.restored,
            "restored_until": None
            if r.query_changed.restored_until is None
            else _iso_epoch(r.query_changed.restored_until),
        },
    }


def failed_text(r: ReadReport, *, fix: bool = True) -> str:
    """What a failed read says: the series, the error (with its fix), what was kept (the CLI's
    red line; the API answers the fix as the hint)."""
    said = str(r.error) if fix or r.error is None else r.error.message
    return f"{r.series}: {said} ({r.kept()}; its SLOs show no data after it)"
