"""``POST /ingest/tickets`` and ``POST /ingest/incidents``, for writers: a help desk's export
(CSV, JSON Lines or a JSON array, optionally gzipped) ingested as ``covenant ingest tickets|
incidents FILE`` ingests it, with the command's options as query parameters (``column``,
``time_zone``, ``time_format``, ``refuse_future``, ``strict``), answered with what its
``--format json`` prints for the file (``services.record_upload``: the same code reads, checks
and reports it).

The body is the file's bytes (at most the server's ``--max-body-bytes``, ``api.body_limit``:
a larger export is sent in parts, or ingested with the command), streamed piece by piece to a
private temporary file — never held in memory whole — that the command's code reads as it
reads a file given to it (a body over the limit is refused 413 as it arrives, the file deleted,
nothing stored). Exactly once
by content: the file's SHA-256 (with the kind and the options it is read with) is recorded
with its records, so the same file sent again changes nothing and is answered 200 with
``duplicate: true``; the first time is 201."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from covenant.api.deps import Context, Ctx, Who, actor, allow
from covenant.api.errors import RESPONSES, body, status_of
from covenant.core.access import WRITERS
from covenant.errors import HTTP_NAMES, NothingIngestedError
from covenant.services.record_upload import CONTENT_TYPES, MOST_NAME
from covenant.services.records import RecordKind
from covenant.services.request_marks import raw_body

router = APIRouter(responses=RESPONSES, dependencies=[Depends(allow(WRITERS))], tags=["records"])

_FILE = {"type": "string", "format": "binary", "description": "The export file's bytes."}
_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            **{media: {"schema": _FILE} for media in CONTENT_TYPES},
            "application/gzip": {"schema": _FILE},
            "application/octet-stream": {"schema": _FILE},
        },
    }
}

Filename = Annotated[
    str | None,
    Query(
        max_length=MOST_NAME,
        description="The file's name: its extension says the format (.csv, .jsonl, .ndjson, "
        ".json, optionally .gz), and messages and the report name it. Default: the kind with "
        "the extension of the Content-Type (text/csv, application/x-ndjson, "
        "application/json).",
    ),
]
Column = Annotated[
    list[str] | None,
    Query(
        max_length=20,
        description="FIELD=HEADER, repeatable: read the file's column (or JSON key) HEADER as "
        "FIELD, as --column does (e.g. column=id=Issue key).",
    ),
]
TimeZone = Annotated[
    str | None,
    Query(
        max_length=64,
        description="Read instants without an offset in this IANA zone (as --time-zone).",
    ),
]
TimeFormat = Annotated[
    str | None,
    Query(
        max_length=200,
        description="Read instants in this strptime format (as --time-format), e.g. "
        "'%d/%b/%y %I:%M %p'.",
    ),
]
RefuseFuture = Annotated[
    bool,
    Query(
        description="Refuse a file with records dated over 5 minutes after now (as "
        "--refuse-future; default: stored, with a warning)."
    ),
]
Strict = Annotated[
    bool,
    Query(
        description="All or nothing (as --strict): a file with any rejected row is refused "
        "whole, 422 rows-rejected with every rejected row in problems; nothing of it stored "
        "or recorded (default: bad rows skipped, the others stored)."
    ),
]


@router.post("/ingest/tickets", status_code=201, openapi_extra=_BODY)
@raw_body  # text no store keeps is a bad row, as in the command
async def ingest_tickets(
    ctx: Ctx,
    who: Who,
    request: Request,
    response: Response,
    filename: Filename = None,
    column: Column = None,
    time_zone: TimeZone = None,
    time_format: TimeFormat = None,
    refuse_future: RefuseFuture = False,
    strict: Strict = False,
) -> Any:
    """Insert or update tickets (by id) from a ticket-tool export, as `covenant ingest
    tickets FILE` does, answered with what its ``--format json`` prints: ``{files: [{file,
    kind, sha256, duplicate, previously_ingested_at, rows_read, rows_ingested, rows_rejected,
    inserted, updated, unchanged, problems, warnings}]}``. A bad row is reported in
    ``problems`` (its ``file:line``, field, message and fix) and skipped, the others stored;
    a file that cannot be read, or of which every row is bad, is refused whole with the
    command's code (``ingest-error`` 400, ``nothing-ingested`` 422): nothing stored. With
    ``strict=true`` a file with any bad row is refused whole (``rows-rejected`` 422, its
    ``problems`` listed): nothing stored or recorded, so the fixed file is taken. 201 the
    first time, 200 for a file ingested before (same bytes, kind and options): nothing
    changed."""
    return await _ingest(
        ctx,
        who,
        request,
        response,
        "tickets",
        filename,
        column,
        time_zone,
        time_format,
        refuse_future,
        strict,
    )


@router.post("/ingest/incidents", status_code=201, openapi_extra=_BODY)
@raw_body  # text no store keeps is a bad row, as in the command
async def ingest_incidents(
    ctx: Ctx,
    who: Who,
    request: Request,
    response: Response,
    filename: Filename = None,
    column: Column = None,
    time_zone: TimeZone = None,
    time_format: TimeFormat = None,
    refuse_future: RefuseFuture = False,
    strict: Strict = False,
) -> Any:
    """Insert or update incidents (by id) from an export, as `covenant ingest incidents
    FILE` does; answered, refused and deduplicated as ``POST /ingest/tickets``."""
    return await _ingest(
        ctx,
        who,
        request,
        response,
        "incidents",
        filename,
        column,
        time_zone,
        time_format,
        refuse_future,
        strict,
    )


def _nothing_stored(error: NothingIngestedError) -> JSONResponse:
    """``422 nothing-ingested`` (or ``rows-rejected``, strict) for a file: the counts and each
    refused row as the command's ``--format json`` lists a file's ``problems`` (``where`` is
    ``file:line``), not an event batch's ``refused`` rows."""
    from covenant.services.report_json import problem_json

    message, hint = error.worded(HTTP_NAMES)  # strict=true, not --strict
    return JSONResponse(
        body(
            error.code,
            message,
            hint,
            rows_read=error.rows_read,
            rows_rejected=error.rows_rejected,
            problems=[problem_json(p) for p in error.refused],
        ),
        status_code=status_of(error),
    )


async def _ingest(
    ctx: Context,
    who: Any,
    request: Request,
    response: Response,
    kind: RecordKind,
    filename: str | None,
    column: list[str] | None,
    time_zone: str | None,
    time_format: str | None,
    refuse_future: bool,
    strict: bool,
) -> Any:
    from covenant.services.record_upload import (
        ingest_upload,
        record_report_json,
        save_chunks,
        upload_folder,
        upload_name,
        upload_reading,
    )

    name = upload_name(kind, filename, request.headers.get("content-type"))
    how = upload_reading(kind, columns=column or (), time_zone=time_zone, time_format=time_format)
    with upload_folder() as folder:
        path = folder / name
        await save_chunks(request.stream(), path)  # over the body limit: 413, nothing stored
        try:
            report = await run_in_threadpool(
                lambda: ingest_upload(
                    ctx.engine(),
                    kind=kind,
                    path=path,
                    how=how,
                    workspace=ctx.workspace() if kind == "tickets" else None,
                    now=ctx.clock(),
                    refuse_future=refuse_future,
                    strict=strict,
                    actor=actor(who),
                )
            )
        except NothingIngestedError as error:
            return _nothing_stored(error)
    response.status_code = 200 if report.duplicate else 201
    return {"files": [record_report_json(report, file=name)]}
