"""A read over a server whose data has several gaps says each gap — the first three with
their exact instants and lengths, then how many more — not only the first gap's start and the
last one's end (which read as one gap over everything between).

The gaps are holes cut in the samples of ``test_prometheus_gaps``'s data; the minutes the
server has no data for are worked out from the scrapes kept (``unknown``), as there."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from covenant.core.timeutil import from_epoch, utc_text
from covenant.services.read_report import report_json
from covenant.services.read_warnings import unanswered
from covenant.services.store import open_store
from tests import promdata
from tests.promserver import Server, openmetrics_text
from tests.services.test_prometheus_gaps import SERVICE, _ingest
from tests.services.test_prometheus_unaligned import END, START, samples, scrapes

HOLES = [(30, 50), (90, 96), (150, 190), (250, 262), (300, 320)]  # minutes after START


def _cut(t: float) -> bool:
    return any(START + a * 60 <= t < START + b * 60 for a, b in HOLES)


def unknown(series: str) -> list[int]:
    """The minutes of [START, END) with no kept scrape at the minute's start or in the 5
    minutes before it."""
    taken = [t for t in scrapes(SERVICE[series]) if not _cut(t)]
    return [m for m in range(START, END, 60) if not any(m - 300 < t <= m for t in taken)]


def iso(t: int) -> str:
    return from_epoch(t).isoformat().replace("+00:00", "Z")


def runs(minutes: list[int]) -> list[tuple[int, int]]:
    """Consecutive minutes as [start, end) spans."""
    out: list[tuple[int, int]] = []
    for m in minutes:
        if out and out[-1][1] == m:
            out[-1] = (out[-1][0], m + 60)
        else:
            out.append((m, m + 60))
    return out


def test_each_gap_is_said(tmp_path: Path, prometheus: Callable[..., Server]) -> None:
    every = samples(promdata.events(START, 360))
    holed = prometheus(
        openmetrics=openmetrics_text(
            [s for s in every if not _cut(s.timestamp)], counters=["http_requests"]
        )
    )
    ws = promdata.workspace(tmp_path / "ws", holed.url)
    engine = open_store(f"sqlite:///{tmp_path / 'store.db'}")
    reports = _ingest(engine, ws, holed.url)
    lines = {line.split(": ")[0]: line for line in unanswered(reports)}
    for series in ("api-availability", "api-latency:lte300"):
        lost = unknown(series)
        spans = runs(lost)
        assert len(spans) == len(HOLES)  # each hole longer than the 5-minute lookback
        shown = ", ".join(
            f"{utc_text(from_epoch(a))} to {utc_text(from_epoch(b))} ({(b - a) // 60} minutes)"
            for a, b in spans[:3]
        )
        assert (
            f"has no data for {len(lost):,} of the minutes read, in {len(spans)} gaps: "
            f"{shown} and {len(spans) - 3} more (before its retention, or a gap in its data)"
        ) in lines[series]
        (said,) = [report_json(r)["unanswered"] for r in reports if r.series == series]
        assert said["gaps"] == [
            {"from": iso(a), "to": iso(b), "minutes": (b - a) // 60} for a, b in spans
        ]
