"""A chosen range read from Prometheus (``POST /ingest/prometheus`` and the sources page's
form): the range and SLOs read as `covenant ingest prometheus --from --to --slo` reads them,
the series read into the store, and the summary its ``--format json`` prints — one function
for both entry points."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.engine import Engine

from covenant.core.availability import span_text
from covenant.core.timeutil import utc_text
from covenant.core.when import parse_instant
from covenant.definitions.workspace import Workspace
from covenant.errors import RangeLimitError
from covenant.services.prometheus import ingest_prometheus
from covenant.services.read_report import failed_text, report_json, workspace_reads

LONGEST_DAYS = 92
"""The longest range one request reads (a calendar quarter): a request is answered when the
read is done, and one that held a server thread for a year of every SLI's minutes would time out
its client first. `covenant ingest prometheus` reads any range and shows its progress."""


@dataclass(frozen=True, slots=True, kw_only=True)
class RangeRead:
    """The series read (``series``: one row each, as ``report_json``) and, when a read failed,
    the first failure's ``code``, ``message`` (naming its source) and ``hint``."""

    start: datetime
    end: datetime
    series: list[dict[str, Any]]
    code: str | None = None
    message: str | None = None
    hint: str = ""

    @property
    def failed(self) -> bool:
        return self.code is not None


def read_range(
    engine: Engine,
    workspace: Workspace,
    *,
    start: str,
    end: str,
    slos: Sequence[str],
    now: datetime,
) -> RangeRead:
    """Read ``[start, end)`` (instants as the CLI's ``--from``/``--to``: ISO-8601 with Z or an
    offset, ``now``, or relative to ``now``) of the workspace's Prometheus SLIs (those of
    ``slos``; none: every one) into the store. A failed read is reported, not raised: what
    was read before it stays stored, as the command keeps it."""

    first = parse_instant(start, reference=now, option="from")
    last = parse_instant(end, reference=now, option="to")
    _check_length(first, min(last, now))
    reads = workspace_reads(workspace, slos=slos)
    reports = ingest_prometheus(engine, reads=reads, start=first, end=last, now=now)
    rows = [report_json(r) for r in reports]
    failed = [r for r in reports if r.error is not None]
    if not failed:
        return RangeRead(start=first, end=last, series=rows)
    error = failed[0].error
    assert error is not None
    message = f"reading from {failed[0].source} failed: {failed_text(failed[0], fix=False)}"
    if len(failed) > 1:
        message += f" (and {len(failed) - 1} more series failed: see series)"
    return RangeRead(
        start=first, end=last, series=rows, code=error.code, message=message, hint=error.hint
    )


def _check_length(first: datetime, last: datetime) -> None:
    """Refuse a range longer than :data:`LONGEST_DAYS` before anything is read (the part after
    now is not counted: it is not read)."""
    seconds = int((last - first).total_seconds())
    if seconds <= LONGEST_DAYS * 86400:
        return
    raise RangeLimitError.naming(
        "{read_from} ({first}) to {read_to} ({last}) covers {span}; one request "
        "reads at most {limit} days",
        hint="split the range into requests of {limit} days or fewer, or run `covenant ingest "
        "prometheus`, which reads any range and shows its progress",
        first=utc_text(first),
        last=utc_text(last),
        span=span_text(seconds),
        limit=LONGEST_DAYS,
    )
