"""``covenant demo``: the example shop with 90 days of generated traffic, evaluated."""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np

from covenant.config import Settings, sqlite_url
from covenant.core.agreements import Incident as IncidentRecord
from covenant.core.availability import period_containing
from covenant.core.backtest import AgreementBacktest, period_label
from covenant.core.evaluate import align_down
from covenant.core.forecast_portfolio import Exposure
from covenant.core.model import DAY, HOUR, MINUTE
from covenant.core.statement import Statement
from covenant.core.tickets import StatusChange, Ticket
from covenant.core.timeutil import from_epoch, to_epoch
from covenant.core.wallclock import first_instant
from covenant.errors import InputError
from covenant.resources import demo_proposals, demo_shop
from covenant.services.backtest import backtest_agreement, load_proposal
from covenant.services.evaluate import EvaluationReport, evaluate_workspace
from covenant.services.exposure import exposure
from covenant.services.ingest import ingest_counts, ingest_matrix, open_store
from covenant.services.leader import sqlite_leader
from covenant.services.serving import rebuilding, refusal
from covenant.services.sla import report_statement
from covenant.services.workspace import load_workspace
from covenant.sources.synthetic import Incident, Profile, generate
from covenant.store.db import write_transaction
from covenant.store.records import save_incidents, save_tickets

STEP = 60


@dataclass(frozen=True, slots=True, kw_only=True)
class DemoSummary:
    series: int
    buckets: int
    events: int
    database: str
    report: EvaluationReport
    statements: tuple[Statement, ...] = ()
    exposure: Exposure | None = None
    backtest: AgreementBacktest | None = None


WORKSPACE = "shop"
PROPOSALS = "proposals"


def write_demo(target: Path, *, force: bool = False) -> Path:
    """Write the example workspace that ships with Covenant into ``target``; return it.

    ``target`` gets ``shop/`` (the workspace) and ``proposals/`` (an amendment under
    negotiation, outside the workspace so it is not loaded with it). A folder that exists and
    is not empty is refused unless ``force`` (:func:`check_target`).
    """
    check_target(target, force=force)
    return copy_demo(target)


def check_target(target: Path, *, force: bool = False) -> None:
    """Refuse a ``target`` the demo may not write into: not a folder, or a folder that is not
    empty without ``force`` (then the shipped files are written over their copies, other files
    are left alone, and the demo rebuilds the workspace's store)."""
    if target.exists() and not target.is_dir():
        raise InputError(
            f"{target} exists and is not a folder", hint="give a new or empty folder for the demo"
        )
    if target.is_dir() and any(target.iterdir()) and not force:
        raise InputError(
            f"{target} is not empty",
            hint="give a new or empty folder, or pass --force to write the demo over it "
            "(its files are replaced and its store rebuilt; other files stay)",
        )


def copy_demo(target: Path) -> Path:
    """Write the shipped files into ``target`` (over their copies); return the workspace."""
    copies = [(demo_shop(), target / WORKSPACE), (demo_proposals(), target / PROPOSALS)]
    try:
        for source, destination in copies:
            for file in sorted(_shipped(source)):
                out = destination / file.relative_to(source)
                out.parent.mkdir(parents=True, exist_ok=True)
                if out.exists() and out.resolve() == file.resolve():
                    continue  # --force onto the source itself (a checkout): nothing to copy
                out.write_bytes(file.read_bytes())
    except OSError as exc:
        raise InputError(
            f"cannot write the demo into {target}: {exc.strerror or exc}",
            hint="choose a folder you can write to",
        ) from None
    return target / WORKSPACE


def _shipped(folder: Path) -> list[Path]:
    """The files of a shipped folder, without hidden ones (a checkout's ``.covenant`` store)."""
    if not folder.is_dir():
        raise InputError(
            f"the demo workspace is missing from this installation ({folder})",
            hint="reinstall covenant",
        )
    return [
        f
        for f in folder.rglob("*")
        if f.is_file() and not any(part.startswith(".") for part in f.relative_to(folder).parts)
    ]


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
                error_ratio=0.00005,
                incidents=(
                    Incident(start=end - 30 * MINUTE, end=end, error_ratio=0.08),
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
                    *weekly_failovers(end=end),
                ),
            )
        elif sli == "support-response":
            continue  # measured from the generated tickets (see support_response_counts)
        else:
            p = Profile(service=service, peak_per_minute=600, error_ratio=0.00002)
        profiles[key] = p
    return profiles


def weekly_failovers(*, end: int, weeks: int = 14) -> list[Incident]:
    """The card gateway's planned failover: Sundays 02:00–02:20 Berlin time, half the
    authorisations fail (the `payments-weekly-failover` correction leaves it out)."""
    berlin = ZoneInfo("Europe/Berlin")
    last = from_epoch(end).astimezone(berlin).date()
    sunday = last - timedelta(days=(last.weekday() - 6) % 7)
    out = []
    for week in range(weeks):
        day = sunday - timedelta(weeks=week)
        wall = datetime(day.year, day.month, day.day, 2)  # noqa: DTZ001 - Berlin wall clock
        start = to_epoch(first_instant(wall, berlin))
        if start + 20 * MINUTE <= end:
            out.append(Incident(start=start, end=start + 20 * MINUTE, error_ratio=0.5))
    return out


def shop_incidents(*, end: int) -> list[IncidentRecord]:
    """Incident records matching the generated traffic, plus two storefront incidents."""
    return [
        IncidentRecord(
            id="INC-1042",
            services=("checkout",),
            start=from_epoch(end - 30 * MINUTE),
            end=None,
            severity="sev1",
        ),
        IncidentRecord(
            id="INC-0977",
            services=("checkout",),
            start=from_epoch(end - 20 * DAY),
            end=from_epoch(end - 20 * DAY + HOUR),
            severity="sev2",
        ),
        IncidentRecord(
            id="INC-1010",
            services=("storefront",),
            start=from_epoch(end - 6 * DAY),
            end=from_epoch(end - 6 * DAY + 50 * MINUTE),
            severity="sev1",
        ),
        IncidentRecord(
            id="INC-0931",
            services=("storefront",),
            start=from_epoch(end - 40 * DAY),
            end=from_epoch(end - 40 * DAY + 40 * MINUTE),
            severity="sev2",
        ),
        IncidentRecord(
            id="INC-1021",
            services=("storefront",),
            start=from_epoch(end - 3 * DAY),
            end=from_epoch(end - 3 * DAY + 2 * HOUR),
            severity="sev1",
            customer_caused=True,
            customers=("initech",),
        ),
    ]


def shop_tickets(*, end: int, days: int = 45, seed: int = 11) -> list[Ticket]:
    """Globex's support tickets: mostly on time, a few late, some paused, reopened or open."""
    rng = np.random.default_rng(seed)
    start = end - days * DAY
    count = int(rng.poisson(1.3 * days))
    created_all = np.sort(rng.integers(start, end - HOUR, size=count))
    tickets = []
    for n, created in enumerate(created_all.tolist()):
        priority = draw_priority(rng)
        tickets.append(
            drawn_ticket(
                rng, ticket_id=f"GLX-{n + 1:04d}", created=created, end=end, priority=priority
            )
        )
    return tickets


def draw_priority(rng: np.random.Generator) -> str:
    """A ticket's priority as the demo draws it: P1 15 %, P2 40 %, P3 45 %."""
    return str(rng.choice(["P1", "P2", "P3"], p=[0.15, 0.4, 0.45]))


def drawn_ticket(
    rng: np.random.Generator, *, ticket_id: str, created: int, end: int, priority: str
) -> Ticket:
    """One of Globex's tickets created at ``created`` (epoch seconds), as it stands at ``end``:
    answered and resolved within its targets but 8 % late, a quarter waiting on the customer for
    a while, 5 % of the resolved ones reopened for two hours a day later."""
    late = rng.random() < 0.08
    response = {"P1": 20 * MINUTE, "P2": 90 * MINUTE, "P3": 3 * HOUR}[priority]
    response = int(response * (1.8 if late else rng.uniform(0.2, 0.9)))
    resolve = {"P1": 3 * HOUR, "P2": 20 * HOUR, "P3": 2 * DAY}[priority]
    resolve = int(resolve * (1.6 if late else rng.uniform(0.3, 0.9)))
    history = [StatusChange(at=from_epoch(created), status="open")]
    if rng.random() < 0.25:  # waiting on the customer for a while
        pause_at = created + response + int(rng.integers(1, 30)) * MINUTE
        pause_end = pause_at + int(rng.integers(1, 12)) * HOUR
        history += [
            StatusChange(at=from_epoch(pause_at), status="waiting-on-customer"),
            StatusChange(at=from_epoch(pause_end), status="open"),
        ]
        resolve += pause_end - pause_at
    resolved = created + max(resolve, response + MINUTE)
    first_response = created + response
    if resolved <= end:
        history.append(StatusChange(at=from_epoch(resolved), status="resolved"))
        if rng.random() < 0.05 and resolved + DAY + 2 * HOUR <= end:  # reopened
            history += [
                StatusChange(at=from_epoch(resolved + DAY), status="open"),
                StatusChange(at=from_epoch(resolved + DAY + 2 * HOUR), status="resolved"),
            ]
    return Ticket(
        id=ticket_id,
        customer="globex",
        priority=priority,
        created=from_epoch(created),
        history=tuple(history),
        first_response=from_epoch(first_response) if first_response <= end else None,
        resolved=from_epoch(resolved) if resolved <= end else None,
    )


RESPONSE_TARGETS = {"P1": 30 * MINUTE, "P2": 2 * HOUR, "P3": 4 * HOUR}


def support_response_counts(tickets: list[Ticket]) -> tuple[list[int], list[int], list[int]]:
    """The internal SLI behind the support commitments: a first response is good when it came
    within 80 % of the ticket's target (calendar time). Returns bucket starts, good, total."""
    starts, good, total = [], [], []
    for t in tickets:
        if t.first_response is None:
            continue
        waited = to_epoch(t.first_response) - to_epoch(t.created)
        moment = to_epoch(t.first_response)
        starts.append(moment - moment % STEP)
        good.append(int(waited * 5 <= RESPONSE_TARGETS[t.priority] * 4))
        total.append(1)
    return starts, good, total


def run_demo(
    settings: Settings, *, at: datetime, days: int = 90, write_into: Path | None = None
) -> DemoSummary:
    """Reset the workspace's embedded store, fill it with generated traffic, evaluate at ``at``
    (``write_into``: first write the shipped files there, checked by :func:`check_target`).

    The whole rebuild holds the store's serving lock exclusively (``services.serving``): it is
    refused while a ``covenant serve`` uses the store, and no server starts on it meanwhile."""
    if settings.database_url != sqlite_url(settings.workspace):
        raise InputError(
            "the demo rebuilds the workspace's embedded SQLite store and will not touch "
            f"{settings.database_url}",
            hint="unset COVENANT_DATABASE_URL to run the demo",
        )
    db_file = Path(settings.database_url.removeprefix("sqlite:///"))
    into = settings.workspace if write_into is None else write_into
    with rebuilding(db_file, into=into):  # every `covenant serve`, with a worker or not
        leader = sqlite_leader(db_file)  # a worker of a server that took no serving lock
        if leader is not None:  # a server would go on answering from the deleted files
            raise refusal(db_file, f"process {leader}", pid=leader)
        if write_into is not None:
            copy_demo(write_into)
            start = align_down(to_epoch(at), STEP) - days * DAY  # as _rebuild generates
            date_incident_records(write_into / WORKSPACE, start=from_epoch(start))
        return _rebuild(settings, db_file, at=at, days=days)


_RECORDS_FROM = re.compile(r"(recordsFrom: )\d{4}-[^,}\s]+")  # its value, not a comment


def date_incident_records(workspace: Path, *, start: datetime) -> None:
    """State in the written ``contracts.yaml`` (``recordsFrom``) that the incident records are
    complete from ``start``, where the generated ones begin: the shipped value (the agreement's
    first day) would make every month before them a whole month without an incident, 100 %.
    The package's own copy (``--force`` onto a checkout's examples) is left as it is."""
    contracts = workspace / "contracts.yaml"
    if contracts.resolve() == (demo_shop() / "contracts.yaml").resolve():
        return
    try:
        text = contracts.read_text(encoding="utf-8")
        stamp = start.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        contracts.write_text(_RECORDS_FROM.sub(rf'\g<1>"{stamp}"', text), encoding="utf-8")
    except OSError as exc:
        raise InputError(
            f"cannot write the demo into {workspace}: {exc.strerror or exc}",
            hint="choose a folder you can write to",
        ) from None


PAUSE_ENV = "COVENANT_TEST_DEMO_PAUSE"
"""For tests only: a FIFO the demo reads to its end once it deleted the store (holding the
lock), so that a test can start another process while a rebuild is under way."""


def _rebuild(settings: Settings, db_file: Path, *, at: datetime, days: int) -> DemoSummary:
    workspace = load_workspace(settings.workspace)
    for suffix in ("", "-wal", "-shm"):
        db_file.with_name(db_file.name + suffix).unlink(missing_ok=True)
    engine = open_store(settings.database_url)
    pause = os.environ.get(PAUSE_ENV)
    if pause:
        Path(pause).read_bytes()  # until the test closes its end
    end = align_down(to_epoch(at), STEP)
    series = tuple(dict.fromkeys(o.series for o in workspace.objectives))
    matrix = generate(shop_profiles(series, end=end), start=end - days * DAY, end=end, step=STEP)
    ingest_matrix(engine, matrix=matrix)
    tickets = shop_tickets(end=end)
    with write_transaction(engine) as conn:
        save_incidents(conn, incidents=shop_incidents(end=end), at=from_epoch(end))
        save_tickets(conn, tickets=tickets, at=from_epoch(end))
    if "support-response" in series:
        starts, good, total = support_response_counts(tickets)
        ingest_counts(
            engine,
            keys=["support-response"] * len(starts),
            bucket_starts=starts,
            good=good,
            total=total,
        )
    report = evaluate_workspace(engine, workspace=workspace, at=at, now=at)  # the demo's now
    statements = []
    for customer in workspace.customers:
        versions = [v for v in workspace.agreements if v.customer == customer.name]
        if versions:
            start, _ = period_containing(versions[0], at)
            statements.append(
                report_statement(
                    engine,
                    workspace=workspace,
                    customer=customer.name,
                    period=period_label(versions[0], start),
                    at=at,
                    now=at,  # the demo's now
                )
            )
    money_at_risk = exposure(engine, workspace=workspace, at=at, now=at)
    proposal = settings.workspace.parent / "proposals" / "initech-premium.yaml"
    negotiation = None
    if proposal.is_file():  # the amendment under negotiation, tried on the last three months
        text = proposal.read_text(encoding="utf-8")
        # periods on the amended agreement's own calendar (its zone), so that just after
        # midnight UTC on the 1st the month in progress in New York is still the last one
        _, versions = load_proposal(settings.workspace, text=text, file=str(proposal))
        terms = versions[-1]
        first, _ = period_containing(terms, at - timedelta(days=62))
        negotiation = backtest_agreement(
            engine,
            workspace_dir=settings.workspace,
            proposal_text=text,
            proposal_file=str(proposal),
            first=period_label(terms, first),
            last=period_label(terms, period_containing(terms, at)[0]),
            at=at,
            now=at,  # the demo's now
        )
    engine.dispose()
    return DemoSummary(
        series=len(series),
        buckets=int(matrix.total.size),
        events=int(matrix.total.sum()),
        database=str(db_file),
        report=report,
        statements=tuple(statements),
        exposure=money_at_risk,
        backtest=negotiation,
    )
