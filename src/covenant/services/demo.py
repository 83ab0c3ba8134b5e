"""``covenant demo``: the example shop with 90 days of generated traffic, evaluated."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from covenant.config import Settings, sqlite_url
from covenant.core.evaluate import align_down
from covenant.core.model import DAY, HOUR, MINUTE
from covenant.core.timeutil import to_epoch
from covenant.errors import InputError
from covenant.services.evaluate import EvaluationReport, evaluate_objectives
from covenant.services.ingest import ingest_matrix, open_store
from covenant.services.workspace import load_workspace
from covenant.sources.synthetic import Incident, Profile, generate

STEP = 60


@dataclass(frozen=True, slots=True, kw_only=True)
class DemoSummary:
    series: int
    buckets: int
    events: int
    database: str
    report: EvaluationReport


def shop_profiles(series: Sequence[str], *, end: int) -> dict[str, Profile]:
    """Traffic for the example shop's series, with incidents placed relative to ``end``.

    checkout fails right now (a page), checkout latency regressed ten days ago (budget spent),
    search burns slowly all day (a ticket), payments had a short outage two days ago.
    """
    profiles = {}
    for key in series:
        sli = key.split(":", 1)[0]
        service = sli.split("-", 1)[0]
        if sli == "checkout-availability":
            p = Profile(
                service=service,
                peak_per_minute=120,
                error_ratio=0.0002,
                incidents=(
                    Incident(start=end - 40 * MINUTE, end=end, error_ratio=0.03),
                    Incident(start=end - 20 * DAY, end=end - 20 * DAY + HOUR, error_ratio=0.02),
                ),
            )
        elif sli == "checkout-latency":
            p = Profile(
                service=service,
                peak_per_minute=120,
                error_ratio=0.004,
                incidents=(Incident(start=end - 10 * DAY, end=end - 7 * DAY, error_ratio=0.08),),
            )
        elif sli == "search-availability":
            p = Profile(
                service=service,
                peak_per_minute=300,
                error_ratio=0.002,
                incidents=(Incident(start=end - 30 * HOUR, end=end, error_ratio=0.02),),
            )
        elif sli == "payments-availability":
            p = Profile(
                service=service,
                peak_per_minute=600,
                error_ratio=0.0003,
                incidents=(
                    Incident(
                        start=end - 50 * HOUR, end=end - 50 * HOUR + 90 * MINUTE, error_ratio=0.10
                    ),
                ),
            )
        else:
            p = Profile(service=service, peak_per_minute=600, error_ratio=0.0005)
        profiles[key] = p
    return profiles


def run_demo(settings: Settings, *, at: datetime, days: int = 90) -> DemoSummary:
    """Reset the workspace's embedded store, fill it with generated traffic, evaluate at ``at``."""
    workspace = load_workspace(settings.workspace)
    if settings.database_url != sqlite_url(settings.workspace):
        raise InputError(
            "the demo rebuilds the workspace's embedded SQLite store and will not touch "
            f"{settings.database_url}",
            hint="unset COVENANT_DATABASE_URL to run the demo",
        )
    db_file = Path(settings.database_url.removeprefix("sqlite:///"))
    for suffix in ("", "-wal", "-shm"):
        db_file.with_name(db_file.name + suffix).unlink(missing_ok=True)
    engine = open_store(settings.database_url)
    end = align_down(to_epoch(at), STEP)
    series = tuple(dict.fromkeys(o.series for o in workspace.objectives))
    matrix = generate(shop_profiles(series, end=end), start=end - days * DAY, end=end, step=STEP)
    ingest_matrix(engine, matrix=matrix)
    report = evaluate_objectives(engine, objectives=workspace.objectives, at=at)
    engine.dispose()
    return DemoSummary(
        series=len(series),
        buckets=int(matrix.total.size),
        events=int(matrix.total.sum()),
        database=str(db_file),
        report=report,
    )
