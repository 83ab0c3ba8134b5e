"""Another tool's SLO file imported (staff see what it becomes; editors and admins write it):
a Sloth, Pyrra or slo-generator file uploaded or pasted with the options of `covenant import
TOOL`, converted by ``services.import_request`` — the function ``POST /api/v1/imports/{tool}``
calls — and shown first as that route answers it (what would be written, and per file what
could not be carried over and why); confirmed, the files are written into the workspace as
the command writes them, recorded in the audit log under the signed-in user, and the page
answers with a redirect (Post/Redirect/Get) (docs/ui.md)."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from covenant.core.access import WRITERS
from covenant.errors import CovenantError, DefinitionError, InputError
from covenant.services.import_request import FILE_NAME, ImportRequest, import_into, import_report
from covenant.services.importing import TOOLS
from covenant.web.core import BASE, backend, check_csrf, page, staff, writer
from covenant.web.multipart import MultipartForm, multipart_form
from covenant.web.routes import pages_router

router = pages_router()
TEXTS = ("source", "alert_windows", "config")  # pasted texts: line breaks as LF
EMPTY = {
    "tool": "sloth",
    "source": "",
    "filename": "",
    "alert_windows": "",
    "config": "",
    "datasource": "prometheus",
    "prometheus_url": "",
    "sloth_period": "30d",
    "split_groups": "",
}


def _values(sent: MultipartForm) -> dict[str, str]:
    """The form's values as typed; an uploaded file becomes the source and names it."""
    values = {key: sent.get(key, default).strip() for key, default in EMPTY.items()}
    for key in TEXTS:
        values[key] = sent.get(key).replace("\r\n", "\n")
    upload = sent.files.get("file")
    if upload is not None and upload.data:
        if values["source"].strip():
            raise _FieldError(
                "file", "a file was chosen and a text pasted", "give one of them, not both"
            )
        try:
            values["source"] = upload.data.decode("utf-8")
        except UnicodeDecodeError:
            raise _FieldError(
                "file", f"{upload.filename} is not UTF-8 text", "save it as UTF-8"
            ) from None
        if not values["filename"]:
            values["filename"] = upload.filename.rsplit("/", 1)[-1].rsplit("\\", 1)[-1]
    if not values["source"].strip():
        raise _FieldError(
            "file", "no file was chosen and no text pasted", "choose the tool's file or paste it"
        )
    return values


def _asked(values: dict[str, str]) -> ImportRequest:
    return ImportRequest(
        tool=values["tool"],
        source=values["source"],
        name=values["filename"] or None,
        alert_windows=values["alert_windows"] or None,
        config=values["config"] or None,
        datasource=values["datasource"],
        prometheus_url=values["prometheus_url"] or None,
        sloth_period=values["sloth_period"],
        split_groups=values["split_groups"] == "1",
    )


class _FieldError(InputError):
    def __init__(self, field: str, message: str, hint: str) -> None:
        super().__init__(message, hint=hint)
        self.field = field


def _field_of(error: CovenantError) -> str:
    """The form's field an error is about (``services.import_request.about`` names it), else
    the source's: a problem of the tool's file itself."""
    return error.field or "source"


def _problems(error: CovenantError) -> list[dict[str, str]]:
    if isinstance(error, DefinitionError):
        return [
            {"code": p.code, "message": f"{p.where}: {p.message}", "hint": p.fix or ""}
            for p in error.problems
            if p.severity == "error"
        ]
    return [{"code": error.code, "message": str(error.message), "hint": error.hint}]


def _page(
    request: Request,
    session: Any,
    values: dict[str, str],
    *,
    status: int = 200,
    report: dict[str, Any] | None = None,
    errors: dict[str, list[dict[str, str]]] | None = None,
    written: list[str] | None = None,
) -> Response:
    return page(
        "import.html",
        session=session,
        status=status,
        title="Import another tool's SLOs",
        tools=TOOLS,
        values=values,
        report=report,
        report_json=json.dumps(report).replace("<", "\\u003c") if report is not None else "",
        errors=errors or {},
        may_write=session.principal.role in WRITERS,
        written=written or [],
        writes=[f for f in (report or {}).get("files", []) if f["target"]],
        refused=any(f["problems"] for f in (report or {}).get("files", [])),
    )


async def _sent(request: Request, session: Any) -> tuple[MultipartForm, dict[str, str]]:
    """The form sent (its CSRF token checked) and its values as typed, to show again beside
    an error that comes before ``_values`` reads them."""
    sent = await multipart_form(request)
    check_csrf(request, {"csrf": sent.get("csrf")}, session.csrf)
    return sent, dict(EMPTY) | {k: sent.get(k, v) for k, v in EMPTY.items()}


@router.get("/import")
def import_form(request: Request) -> Response:
    """The form; ``?written=a.yaml,b.yaml``: the note of a write just done (only the files
    that are in the workspace)."""
    session = staff(request)
    folder = backend(request).settings.workspace
    named = (request.query_params.get("written") or "").split(",")
    written = [n for n in named if FILE_NAME.fullmatch(n) and (folder / n).is_file()]
    return _page(request, session, dict(EMPTY), written=written)


@router.post("/import")
async def import_preview(request: Request) -> Response:
    """What the file becomes, as ``POST /api/v1/imports/{tool}`` answers it; nothing written."""
    session = staff(request)
    sent, values = await _sent(request, session)
    ctx = backend(request)
    try:
        values = _values(sent)
        report = await run_in_threadpool(
            import_report, ctx.settings.workspace, _asked(values), at=ctx.clock()
        )
    except CovenantError as error:
        return _page(
            request, session, values, status=400, errors={_field_of(error): _problems(error)}
        )
    return _page(request, session, values, report=report)


@router.post("/import/write")
async def import_write(request: Request) -> Response:
    """The files written into the workspace, as `covenant import TOOL` writes them, and an
    audit entry; then back to the form (303) naming them. A file with problems writes
    nothing: the report again (400)."""
    session = writer(request)
    sent, values = await _sent(request, session)
    ctx = backend(request)
    try:
        values = _values(sent)
        report = await run_in_threadpool(
            import_into,
            ctx.engine(),
            ctx.settings.workspace,
            _asked(values),
            at=ctx.clock(),
            actor=session.actor,
        )
    except CovenantError as error:
        return _page(
            request, session, values, status=400, errors={_field_of(error): _problems(error)}
        )
    if not report["written"]:
        return _page(request, session, values, status=400, report=report)
    query = urlencode({"written": ",".join(report["written"])})
    return RedirectResponse(f"{BASE}/import?{query}", status_code=303)
