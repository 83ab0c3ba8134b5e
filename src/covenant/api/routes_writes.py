"""Changing data (editor and admin): tickets and incidents one at a time, and batches of
request events, idempotent by a key per batch."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, NoReturn

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi import Path as PathParam
from pydantic import BaseModel, Field, StrictFloat, StrictInt

from covenant.api.deps import Context, Ctx, Who, actor, allow
from covenant.api.errors import RESPONSES, refused_rows
from covenant.api.routes_records import incident_json, tickets_json
from covenant.core.access import WRITERS, Principal
from covenant.services.request_marks import rows_as_lines

router = APIRouter(responses=RESPONSES, dependencies=[Depends(allow(WRITERS))])

Instant = Annotated[
    Annotated[str, Field(max_length=64)] | StrictInt | StrictFloat,
    Field(
        description="ISO-8601 with Z or an offset, or an epoch number (a JSON number or its "
        "digits as text) in the unit its digits tell: 10 seconds, 13 milliseconds, 16 "
        "microseconds, 19 nanoseconds (as ticket and incident files take them); or now, -7d"
    ),
]
Name = Annotated[str, Field(min_length=1, max_length=255)]
Label = Annotated[str, Field(min_length=1, max_length=64)]


class StatusIn(BaseModel):
    at: Instant
    status: Label


class TicketCreate(BaseModel):
    id: Name
    customer: Name
    priority: Label
    created: Instant
    first_response: Instant | None = None
    resolved: Instant | None = None
    history: list[StatusIn] = Field(default_factory=list, max_length=1000)


class TicketUpdate(BaseModel):
    priority: Label | None = None
    first_response: Instant | None = None
    resolved: Instant | None = None
    status: StatusIn | None = None


class TicketPause(BaseModel):
    at: Instant | None = None
    status: Label | None = None


class TicketResume(BaseModel):
    at: Instant | None = None
    status: Label = "open"


class IncidentCreate(BaseModel):
    id: Name
    services: list[Name] = Field(min_length=1, max_length=100)
    start: Instant
    end: Instant | None = None
    # none, as a file row without one (docs/records.md): never a severity nobody gave
    severity: Annotated[str, Field(max_length=64)] = ""
    customer_caused: bool = False
    force_majeure: bool = False
    planned_maintenance: bool = False
    customers: list[Name] = Field(default_factory=list, max_length=1000)


class IncidentUpdate(BaseModel):
    services: list[Name] | None = Field(default=None, min_length=1, max_length=100)
    end: Instant | None = None
    severity: Label | None = None
    customer_caused: bool | None = None
    force_majeure: bool | None = None
    planned_maintenance: bool | None = None
    customers: list[Name] | None = Field(default=None, max_length=1000)


def _versions(ctx: Ctx) -> Any:
    """The agreement versions whose pause states count: the workspace's, and the store's of
    agreements changed over the API (ADR 0005)."""
    from covenant.services.agreements import with_recorded_agreements

    return with_recorded_agreements(ctx.engine(), ctx.workspace()).agreements


def _required(ctx: Ctx, value: str | float, name: str) -> datetime:
    """A record's instant, read as a file's is (``services.record_instant``)."""
    from covenant.services.record_instant import record_instant

    return record_instant(value, now=ctx.clock(), name=name)


def _instant(ctx: Ctx, value: str | float | None, name: str) -> datetime | None:
    """The same for an instant that may be left out (None)."""
    return None if value is None else _required(ctx, value, name)


@router.post("/tickets", status_code=201, tags=["records"])
def create_ticket(ctx: Ctx, who: Who, body: TicketCreate) -> dict[str, Any]:
    """Record a new ticket (its history starts ``open`` at creation unless given)."""
    from covenant.core.tickets import StatusChange, Ticket
    from covenant.services.record_changes import create_ticket as compute
    from covenant.services.record_changes import ticket_label

    now = ctx.clock()
    ticket = Ticket(  # labels checked as given: the ticket strips them
        id=body.id,
        customer=body.customer,
        priority=ticket_label(body.priority, "priority"),
        created=_required(ctx, body.created, "created"),
        first_response=_instant(ctx, body.first_response, "first_response"),
        resolved=_instant(ctx, body.resolved, "resolved"),
        history=tuple(
            StatusChange(
                at=_required(ctx, s.at, f"history[{i}].at"), status=ticket_label(s.status, "status")
            )
            for i, s in enumerate(body.history)
        ),
    )
    customers = [c.name for c in ctx.workspace().customers]
    made = compute(ctx.engine(), ticket=ticket, customers=customers, at=now, actor=actor(who))
    return tickets_json(ctx, [made], now)[0]


@router.patch("/tickets/{ticket_id:path}", tags=["records"])
def update_ticket(ctx: Ctx, who: Who, ticket_id: str, body: TicketUpdate) -> dict[str, Any]:
    """Change a ticket: priority, first response, resolution, or append a status change."""
    from covenant.core.tickets import StatusChange
    from covenant.services.record_changes import ticket_label
    from covenant.services.record_changes import update_ticket as compute

    now = ctx.clock()
    status = None
    if body.status is not None:  # the status checked as given: the change strips it
        status = StatusChange(
            at=_required(ctx, body.status.at, "status.at"),
            status=ticket_label(body.status.status, "status"),
        )
    changed = compute(
        ctx.engine(),
        ticket_id=ticket_id,
        at=now,
        priority=body.priority,
        first_response=_instant(ctx, body.first_response, "first_response"),
        resolved=_instant(ctx, body.resolved, "resolved"),
        status=status,
        actor=actor(who),
    )
    return tickets_json(ctx, [changed], now)[0]


@router.post("/tickets/{ticket_id:path}/pause", tags=["records"])
def pause_ticket(ctx: Ctx, who: Who, ticket_id: str, body: TicketPause) -> dict[str, Any]:
    """Pause a ticket's timers: move it into a pause state of its customer's agreements."""
    from covenant.services.record_changes import pause_ticket as move

    return _moved(ctx, who, ticket_id, body.at, body.status, move)


@router.post("/tickets/{ticket_id:path}/resume", tags=["records"])
def resume_ticket(ctx: Ctx, who: Who, ticket_id: str, body: TicketResume) -> dict[str, Any]:
    """Resume a paused ticket: its timers run again."""
    from covenant.services.record_changes import resume_ticket as move

    return _moved(ctx, who, ticket_id, body.at, body.status, move)


def _moved(
    ctx: Ctx, who: Principal, ticket_id: str, at: str | float | None, status: str | None, move: Any
) -> dict[str, Any]:
    """A ticket moved into or out of a pause state at ``at`` (default now), with its timers
    as of ``max(at, now)``: a move recorded for a past instant counts from that instant (it is
    in the status history) and the timers are measured up to now; one recorded for an instant
    after now is answered up to now with the note that says so (``tickets_json``) — the pause
    has not begun yet."""
    moment = _instant(ctx, at, "at") or ctx.clock()
    found = move(
        ctx.engine(),
        ticket_id=ticket_id,
        at=moment,
        versions=_versions(ctx),
        status=status,
        actor=actor(who),
    )
    return tickets_json(ctx, [found], max(moment, ctx.clock()))[0]


@router.post("/incidents", status_code=201, tags=["records"])
def create_incident(ctx: Ctx, who: Who, body: IncidentCreate) -> dict[str, Any]:
    """Record a new incident (open while it has no end)."""
    from covenant.core.agreements import Incident
    from covenant.services.record_changes import create_incident as compute

    now = ctx.clock()
    incident = Incident(
        id=body.id,
        services=tuple(body.services),
        start=_required(ctx, body.start, "start"),
        end=_instant(ctx, body.end, "end"),
        severity=body.severity,
        customer_caused=body.customer_caused,
        force_majeure=body.force_majeure,
        planned_maintenance=body.planned_maintenance,
        customers=tuple(body.customers),
    )
    customers = [c.name for c in ctx.workspace().customers]
    made = compute(ctx.engine(), incident=incident, customers=customers, at=now, actor=actor(who))
    return incident_json(made)


@router.patch("/incidents/{incident_id:path}", tags=["records"])
def update_incident(ctx: Ctx, who: Who, incident_id: str, body: IncidentUpdate) -> dict[str, Any]:
    """Change an incident: end it, re-rate it, name its services or customers."""
    from covenant.services.record_changes import update_incident as compute

    changed = compute(
        ctx.engine(),
        incident_id=incident_id,
        at=ctx.clock(),
        customers_known=[c.name for c in ctx.workspace().customers],
        actor=actor(who),
        services=None if body.services is None else tuple(body.services),
        end=_instant(ctx, body.end, "end"),
        severity=body.severity,
        customer_caused=body.customer_caused,
        force_majeure=body.force_majeure,
        planned_maintenance=body.planned_maintenance,
        customers=None if body.customers is None else tuple(body.customers),
    )
    return incident_json(changed)


MAX_EVENTS = 10_000
Strict = Annotated[
    bool,
    Query(
        description="All or nothing (as covenant ingest events --strict): a batch with any "
        "refused row is refused whole, 422 rows-rejected with every refused row; nothing of "
        "it stored and its key not recorded (default: refused rows skipped, the others stored)."
    ),
]
BatchKey = Annotated[str, PathParam(min_length=1, max_length=200, pattern=r"^[A-Za-z0-9._:-]+$")]


class EventBatch(BaseModel):
    events: list[dict[str, Any]] = Field(
        max_length=MAX_EVENTS,
        description="Rows as in a JSONL event file (docs/ingest.md): timestamp, sli or "
        "service, and outcome/status/latency_ms, or good and total.",
    )


def batch_rows(raw: bytes) -> list[dict[str, Any]]:
    """The ``events`` of a batch body, checked as ``EventBatch`` would be, parsed by orjson
    (pydantic's check of 10,000 free-form rows took longer than ingesting them)."""
    import orjson
    from fastapi.exceptions import RequestValidationError

    def refuse(where: tuple[str | int, ...], message: str, kind: str) -> NoReturn:
        raise RequestValidationError([{"loc": ("body", *where), "msg": message, "type": kind}])

    from covenant.api.batch_count import first_over

    over = first_over(raw, MAX_EVENTS)  # before orjson builds millions of rows to count them
    if over is not None:
        refuse(
            ("events", MAX_EVENTS),
            f"List should have at most {MAX_EVENTS} items; row {MAX_EVENTS} (0-based) starts "
            f"at byte {over:,}, so the batch was refused before its rows were read — send the "
            "rest in another batch",
            "too_long",
        )
    from covenant.api.body_keys import refuse_repeat
    from covenant.sources.jsonkeys import batch_events, body_as_written, holds_float
    from covenant.sources.repeated_keys import first_repeat

    try:
        body = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        # NaN, Infinity, 1e400: no JSON orjson reads, but a row's bad value in a JSON Lines
        # file; read as written, the row is refused as it is there, not the whole batch
        body = body_as_written(raw)
        if body is None:
            refuse((exc.pos,), "JSON decode error", "json_invalid")
    else:
        again = body_as_written(raw) if holds_float(body) else None  # 2e2 is 200.0 here
        body = body if again is None else again
    if not isinstance(body, dict):
        refuse((), "Input should be a valid dictionary or object", "model_attributes_type")
    if "events" not in body:
        refuse(("events",), "Field required", "missing")
    events = body["events"]
    if not isinstance(events, list):
        refuse(("events",), "Input should be a valid list", "list_type")
    if len(events) > MAX_EVENTS:
        refuse(
            ("events",),
            f"List should have at most {MAX_EVENTS} items, not {len(events)}",
            "too_long",
        )
    for i, row in enumerate(events):
        if not isinstance(row, dict):
            refuse(("events", i), "Input should be a valid dictionary", "dict_type")
    # the body's own keys, as every body's (``api.body_keys``); its rows' as a file's lines
    refuse_repeat(first_repeat(raw, parsed=body, rows="events"))
    rows: list[dict[str, Any]] = batch_events(raw, body)  # a row that writes a key twice
    return rows


@router.put(
    "/event-batches/{key}",
    tags=["events"],
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": EventBatch.model_json_schema()}},
        }
    },
)
@rows_as_lines  # its rows are a file's lines; its own keys: ``batch_rows``
async def ingest_batch(
    ctx: Ctx, who: Who, key: BatchKey, request: Request, response: Response, strict: Strict = False
) -> dict[str, Any]:
    """Ingest one batch of events under ``key``, exactly once: a batch sent again with the same
    key (a retry) changes nothing and is answered 200 with ``duplicate_of``; the first time is
    201. The answer counts the rows accepted and lists each refused row with its reason. A
    batch of which no row is stored is 422 ``nothing-ingested`` with the same counts and rows,
    and is not recorded: the corrected batch sent under the same key is applied. With
    ``strict=true`` (all or nothing) a batch with any refused row is 422 ``rows-rejected`` in
    the same form: nothing of it stored or recorded."""
    from starlette.concurrency import run_in_threadpool

    raw = await request.body()
    return await run_in_threadpool(_ingest, ctx, key, raw, response, actor(who), strict)


def _ingest(
    ctx: Context, key: str, raw: bytes, response: Response, actor_name: str, strict: bool
) -> dict[str, Any]:
    from covenant.services.event_batches import ingest_event_batch

    rows = batch_rows(raw)
    report = ingest_event_batch(
        ctx.engine(),
        key=key,
        rows=rows,
        rules=ctx.workspace().event_rules,
        actor=actor_name,
        now=ctx.clock(),
        strict=strict,
    )
    response.status_code = 200 if report.duplicate_of is not None else 201
    refused = refused_rows(report.problems)
    return {
        "key": key,
        "rows": report.rows_read,
        "accepted": report.rows_ingested,
        "refused_count": report.rows_rejected,
        "refused": refused,
        "unmatched": dict(report.unmatched),
        "unmatched_count": report.rows_unmatched,
        "duplicate_of": report.duplicate_of,
        "future": _future_json(report.ahead),
    }


def _future_json(ahead: Any) -> dict[str, Any] | None:
    """The accepted rows dated more than the allowed clock skew after now (stored: counted
    once their minutes have passed): how many, the first one's 0-based ``row``, the latest."""
    if ahead is None:
        return None
    from covenant.core.timeutil import utc_text

    line = ahead.first.rpartition(":")[2]
    return {
        "count": ahead.rows,
        "first_row": int(line) - 1 if line.isdigit() else None,
        "latest": utc_text(ahead.latest_instant),
    }
