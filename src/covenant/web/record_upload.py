"""A ticket or incident export uploaded from the sources page (editors, admins): the file and
the options of `covenant ingest tickets|incidents` (``--column`` one FIELD=HEADER a line,
``--time-zone``, ``--time-format``, ``--refuse-future``, ``--strict``), ingested by
``services.record_upload`` as ``POST /api/v1/ingest/tickets`` ingests it, and answered with
the file's report: read, inserted, updated, unchanged, rejected, and each rejected row with
its ``file:line`` (docs/ui.md). A file refused whole (with "all or nothing", one bad row is
enough) stores nothing and is answered beside the form with the command's code and message.
The file is written to a private temporary folder as it arrives, never held in memory whole."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import Response

from covenant.errors import (
    CovenantError,
    IngestError,
    InputError,
    NothingIngestedError,
)
from covenant.services.request_marks import raw_body
from covenant.web.core import PAGE_NAMES, backend, check_csrf, page, writer
from covenant.web.multipart import uploaded_form
from covenant.web.routes import pages_router

router = pages_router()
KINDS = ("tickets", "incidents")
MOST_COLUMNS = 20  # as the API's ``column``


def form_values(sent: Any = None) -> dict[str, Any]:
    """The form's fields as sent (empty on the sources page)."""
    get = (lambda name, default="": default) if sent is None else sent.get
    return {
        "kind": get("kind", "tickets"),
        "columns": get("columns"),
        "time_zone": get("time_zone"),
        "time_format": get("time_format"),
        "refuse_future": bool(get("refuse_future")),
        "strict": bool(get("strict")),
    }


@router.post("/sources/records")
@raw_body  # text no store keeps is a bad row, as in the command
async def upload_records(request: Request) -> Response:
    """Ingest the uploaded export; answered with this page (the report, or why nothing was
    stored), the form below it as sent."""
    from starlette.concurrency import run_in_threadpool

    from covenant.services.record_upload import (
        ingest_upload,
        upload_name,
        upload_reading,
    )

    session = writer(request)
    async with uploaded_form(request) as sent:  # the file written as it arrives
        check_csrf(request, {"csrf": sent.get("csrf")}, session.csrf)
        values = form_values(sent)

        def answer(status: int, **more: Any) -> Response:
            return page(
                "record_upload.html",
                session=session,
                status=status,
                title="Ingest a ticket or incident export",
                records=values,
                **more,
            )

        kind = values["kind"]
        files = sent.files.get("file", [])
        columns = [c.strip() for c in values["columns"].splitlines() if c.strip()]
        problem = _refused(kind, len(files), len(columns))
        if problem is not None:
            return answer(400, problem=problem)
        upload = files[0]
        ctx = backend(request)
        try:
            name = upload_name(kind, upload.filename.rpartition("/")[2].rpartition("\\")[2], None)
            how = upload_reading(
                kind,
                columns=columns,
                time_zone=values["time_zone"].strip() or None,
                time_format=values["time_format"].strip() or None,
            )
            path = upload.path.rename(upload.path.with_name(name))  # its name says the format
            report = await run_in_threadpool(
                lambda: ingest_upload(
                    ctx.engine(),
                    kind=kind,
                    path=path,
                    how=how,
                    workspace=ctx.workspace() if kind == "tickets" else None,
                    now=ctx.clock(),
                    refuse_future=values["refuse_future"],
                    strict=values["strict"],
                    actor=session.actor,
                )
            )
        except NothingIngestedError as refused:  # rows-rejected too (all or nothing)
            return answer(422, problem=_problem(refused), rejected=list(refused.refused))
        except (InputError, IngestError) as refused:  # a bad option, an unreadable file
            return answer(400, problem=_problem(refused))
    return answer(200 if report.duplicate else 201, report=report, name=name)


def _problem(error: CovenantError) -> dict[str, str]:
    message, hint = error.worded(PAGE_NAMES)
    return {"code": error.code, "message": message, "hint": hint}


def _refused(kind: str, files: int, columns: int) -> dict[str, str] | None:
    if kind not in KINDS:
        return {
            "code": "invalid-input",
            "message": f"kind {kind!r} is neither tickets nor incidents",
            "hint": "choose tickets or incidents",
        }
    if files != 1:
        return {
            "code": "invalid-input",
            "message": "no file chosen" if not files else f"{files} files chosen",
            "hint": "choose the export file (.csv, .jsonl or .json, optionally .gz)",
        }
    if columns > MOST_COLUMNS:
        return {
            "code": "invalid-input",
            "message": f"{columns} column mappings; at most {MOST_COLUMNS}",
            "hint": "one FIELD=HEADER a line, for the fields the file names otherwise",
        }
    return None
