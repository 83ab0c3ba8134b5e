"""Another tool's SLO files imported (staff see what they become; editors and admins write
them): Sloth, Pyrra or slo-generator files uploaded (several at once) or one pasted, with the
options of `covenant import TOOL`, converted by ``services.import_request`` — the function
``POST /api/v1/imports/{tool}`` calls — and shown first as that route answers it (what would be
written, and per file what could not be carried over and why, and which files an earlier
import of the same names wrote); confirmed, the files are written into the workspace as the
command writes them (all or nothing; an earlier import's file replaced only when its box is
ticked), recorded in the audit log under the signed-in user, and the page answers with a
redirect (Post/Redirect/Get) (docs/ui.md)."""

from __future__ import annotations

import json
import logging
from typing import Any
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from covenant.core.access import WRITERS
from covenant.errors import CovenantError, DefinitionError, InputError
from covenant.services.import_request import (
    FILE_NAME,
    ImportRequest,
    SourceText,
    import_into,
    import_report,
)
from covenant.services.importing import TOOLS, ImportWriteError
from covenant.services.request_marks import raw_body
from covenant.sources.unstorable import escaped_unstorable
from covenant.web.core import BASE, PAGE_NAMES, backend, check_csrf, page, staff, writer
from covenant.web.multipart import MultipartForm, Upload, uploaded_form
from covenant.web.routes import pages_router

router = pages_router()
log = logging.getLogger("covenant.web")
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
    "force": "",
}
CARRIED_APART = ("source", "filename", "force")  # the write form's files and its own box


def _values(sent: MultipartForm) -> tuple[dict[str, str], list[SourceText]]:
    """The form's values as typed, and the tool's files: the ones uploaded (each named after
    its file; one alone by the file name typed, if any), else the write form's (a ``source``
    and a ``filename`` per file, as the preview put them), else the text pasted, else the files
    of the preview before (``kept_source`` and ``kept_filename``, which its form carries). One
    file is shown again in the text box (it carries it to the next preview); several are kept
    in hidden fields, so a second preview (an option changed, a problem fixed) and the write
    need no file chosen again. Kept files are checked as chosen ones (at most 50, 5,000,000
    characters in all, each name a file name, no name twice: ``services.import_request``)."""
    for key in (*EMPTY, "kept_source", "kept_filename"):
        for text in sent.every(key):
            _refuse_unstorable(text.encode(), key, f"the form's field {key}")
    values = {key: sent.get(key, default).strip() for key, default in EMPTY.items()}
    for key in TEXTS:
        values[key] = sent.get(key).replace("\r\n", "\n")
    uploads = sent.files.get("file", [])
    texts = [text.replace("\r\n", "\n") for text in sent.every("source")]
    names = [name.strip() for name in sent.every("filename")]
    kept = [text.replace("\r\n", "\n") for text in sent.every("kept_source")]
    kept_names = [name.strip() for name in sent.every("kept_filename")]
    if uploads:
        if any(text.strip() for text in texts):
            raise _FieldError(
                "file", "a file was chosen and a text pasted", "give one of them, not both"
            )
        if len(uploads) > 1 and values["filename"]:
            raise _FieldError(
                "filename",
                f"a file name names one file; {len(uploads)} files were chosen",
                "leave the file name empty: each file written is named after its own",
            )
        files = [
            SourceText(
                text=_text_of(upload),
                name=values["filename"]
                if len(uploads) == 1 and values["filename"]
                else _base(upload.filename),
            )
            for upload in uploads
        ]
    elif len(texts) > 1:  # the write form's files
        files = _paired(texts, names)
    elif texts and texts[0].strip():
        files = [SourceText(text=texts[0], name=values["filename"] or None)]
    elif kept:  # the files of the preview before, kept in its form (checked as any files)
        files = _paired(kept, kept_names)
    else:
        raise _FieldError(
            "file", "no file was chosen and no text pasted", "choose the tool's file or paste it"
        )
    if len(files) == 1:
        values["source"], values["filename"] = files[0].text, files[0].name or ""
    else:
        values["source"] = values["filename"] = ""
    return values, files


def _paired(texts: list[str], names: list[str]) -> list[SourceText]:
    """Files a form carries as texts, each beside its name (hidden fields)."""
    if len(names) != len(texts):
        raise _FieldError(
            "file", "the form's files and file names do not pair up", "send the page's form"
        )
    return [SourceText(text=t, name=n or None) for t, n in zip(texts, names, strict=True)]


def _base(filename: str) -> str:
    """An uploaded file's name without the folders some browsers send."""
    return filename.rsplit("/", 1)[-1].rsplit("\\", 1)[-1]


def _text_of(upload: Upload) -> str:
    """An uploaded file's text, read from where it was written as it arrived."""
    if not upload.size:
        raise _FieldError(
            "file",
            f"{_base(upload.filename)} is empty (0 bytes)",
            "choose the tool's file itself: one of 0 bytes holds no SLO",
        )
    data = upload.path.read_bytes()
    _refuse_unstorable(data, "file", _base(upload.filename))
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise _FieldError(
            "file", f"{_base(upload.filename)} is not UTF-8 text", "save it as UTF-8"
        ) from None


def _refuse_unstorable(data: bytes, key: str, what: str) -> None:
    """Text no store keeps, escaped (``\\u0000``, a lone ``\\ud800``), refused as the API's
    import refuses it in its body (``api.body_text``; the page's routes are ``raw_body``: their
    body is read as it arrives, never whole before the route)."""
    escape = escaped_unstorable(data)
    if escape is None:
        return
    field = {"kept_source": "file", "kept_filename": "file"}.get(key, key)
    if escape == "\\u0000":
        raise _FieldError(
            field,
            f"{what} holds an escaped NUL character (\\u0000), which no text field takes",
            "remove it",
        )
    raise _FieldError(
        field,
        f"{what} escapes a lone UTF-16 surrogate ({escape}), which is not Unicode text",
        "write the character as UTF-8, or escape one beyond U+FFFF as a surrogate pair",
    )


def _asked(values: dict[str, str], files: list[SourceText], *, force: bool) -> ImportRequest:
    return ImportRequest(
        tool=values["tool"],
        sources=tuple(files),
        force=force,
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
    if isinstance(error, ImportWriteError):  # the server's folder is for its log, not the page
        log.warning("import page: %s", error)
        hint = (
            "ask the server's admin to let it write into its workspace (the server's log "
            "names the folder), then write again"
        )
        return [{"code": error.code, "message": error.in_workspace, "hint": hint}]
    if isinstance(error, DefinitionError):
        return [
            {"code": p.code, "message": f"{p.where}: {p.message}", "hint": p.fix or ""}
            for p in error.problems
            if p.severity == "error"
        ]
    message, hint = error.worded(PAGE_NAMES)  # the page's words, not the command's --force
    return [{"code": error.code, "message": message, "hint": hint}]


def _page(
    request: Request,
    session: Any,
    values: dict[str, str],
    *,
    status: int = 200,
    report: dict[str, Any] | None = None,
    errors: dict[str, list[dict[str, str]]] | None = None,
    written: list[str] | None = None,
    files: list[SourceText] | None = None,
) -> Response:
    files_in_report = (report or {}).get("files", [])
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
        writes=[f for f in files_in_report if f["target"]],
        replacing=[f["target"] for f in files_in_report if f["target"] and f["replaces"]],
        refused=any(f["problems"] for f in files_in_report),
        files=files or [],
        carried=[key for key in EMPTY if key not in CARRIED_APART],
    )


async def _sent(
    request: Request, session: Any
) -> tuple[dict[str, str], list[SourceText], CovenantError | None]:
    """The form's values and the tool's files (``_values``; the files uploaded are written to
    a private temporary folder as they arrive, read from there, and deleted with it before
    this returns), its CSRF token checked; or, when ``_values`` refuses them, the values as
    typed, to show again beside the error."""
    async with uploaded_form(request) as sent:
        check_csrf(request, {"csrf": sent.get("csrf")}, session.csrf)
        typed = dict(EMPTY) | {k: sent.get(k, v) for k, v in EMPTY.items()}
        try:
            values, files = await run_in_threadpool(_values, sent)
        except CovenantError as error:
            return typed, [], error
    return values, files, None


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
@raw_body  # read as it arrives (``web.multipart``); text no store keeps: ``_refuse_unstorable``
async def import_preview(request: Request) -> Response:
    """What the files become, as ``POST /api/v1/imports/{tool}`` answers it with ``force``: a
    file an earlier import of the same name wrote is shown replaced (the write form then asks
    whether to replace it); nothing written."""
    session = staff(request)
    values, files, refused = await _sent(request, session)
    ctx = backend(request)
    try:
        if refused is not None:
            raise refused
        report = await run_in_threadpool(
            import_report,
            ctx.settings.workspace,
            _asked(values, files, force=True),
            at=ctx.clock(),
        )
    except CovenantError as error:
        errors = {_field_of(error): _problems(error)}
        return _page(request, session, values, status=400, errors=errors, files=files)
    return _page(request, session, values, report=report, files=files)


@router.post("/import/write")
@raw_body  # as the preview
async def import_write(request: Request) -> Response:
    """The files written into the workspace, as `covenant import TOOL` writes them (all or
    nothing), and an audit entry; then back to the form (303) naming them. A file with
    problems writes nothing: the report again (400); so does a file an earlier import wrote
    when "replace" is not ticked, the problem beside that box."""
    session = writer(request)
    values, files, refused = await _sent(request, session)
    ctx = backend(request)
    try:
        if refused is not None:
            raise refused
        report = await run_in_threadpool(
            import_into,
            ctx.engine(),
            ctx.settings.workspace,
            _asked(values, files, force=values["force"] == "1"),
            at=ctx.clock(),
            actor=session.actor,
        )
    except CovenantError as error:
        errors = {_field_of(error): _problems(error)}
        if error.field != "force":
            return _page(request, session, values, status=400, errors=errors, files=files)
        try:  # the report again, the refusal beside the box that would replace the files
            shown = await run_in_threadpool(
                import_report,
                ctx.settings.workspace,
                _asked(values, files, force=True),
                at=ctx.clock(),
            )
        except CovenantError:
            return _page(request, session, values, status=400, errors=errors)
        return _page(request, session, values, status=400, report=shown, errors=errors, files=files)
    if not report["written"]:
        return _page(request, session, values, status=400, report=report, files=files)
    query = urlencode({"written": ",".join(report["written"])})
    return RedirectResponse(f"{BASE}/import?{query}", status_code=303)
