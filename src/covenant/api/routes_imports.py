"""``POST /imports/{tool}``, for staff: another tool's SLO file converted as `covenant import
TOOL --dry-run --format json` converts it into the workspace this server reads — what it
becomes, what is left out and why, the OpenSLO documents it would write — and nothing is
written: the documents go into the workspace's repository as any edit does (docs/import.md).
``POST /imports/{tool}/write``, for editors and admins: the same import written into the
workspace, as `covenant import TOOL` (and the import page's "Write") writes it, audited.

The body is the tool's file (``application/yaml``), or, to give the files the command's
``--alert-windows`` (sloth) and ``--config`` (slo-generator) read as well, a JSON object with
the texts: ``{"source": ..., "alert_windows": ..., "config": ...}``."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, Field, ValidationError
from starlette.concurrency import run_in_threadpool

from covenant.api.deps import Ctx, Who, actor, allow
from covenant.api.errors import RESPONSES
from covenant.core.access import INTERNAL_READERS, WRITERS
from covenant.errors import InputError
from covenant.services.import_request import MOST_OPTION, MOST_SOURCE, too_long

if TYPE_CHECKING:
    from covenant.services.import_request import ImportRequest

router = APIRouter(responses=RESPONSES, dependencies=[Depends(allow(INTERNAL_READERS))])


class Tool(StrEnum):
    SLOTH = "sloth"
    PYRRA = "pyrra"
    SLO_GENERATOR = "slo-generator"


class ImportFiles(BaseModel):
    """The tool's file and the option files the command reads beside it, as texts."""

    source: str = Field(
        max_length=MOST_SOURCE, description="The tool's file (YAML; several documents with ---)."
    )
    alert_windows: str | None = Field(
        default=None,
        max_length=MOST_OPTION,
        description="sloth: a Sloth AlertWindows catalog for the period (as --alert-windows).",
    )
    config: str | None = Field(
        default=None,
        max_length=MOST_OPTION,
        description="slo-generator: its shared config.yaml, or a v1 error_budget_policy.yaml "
        "(as --config).",
    )


_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "application/yaml": {
                "schema": {
                    "type": "string",
                    "maxLength": MOST_SOURCE,
                    "description": "The tool's file (YAML; several documents with ---).",
                }
            },
            "application/json": {"schema": ImportFiles.model_json_schema()},
        },
    }
}


async def _files(request: Request) -> ImportFiles:
    """The body as ``ImportFiles``: a JSON object, or the tool's file alone."""
    raw = await request.body()
    kind = request.headers.get("content-type", "").partition(";")[0].strip().lower()
    if kind == "application/json":
        try:
            return ImportFiles.model_validate_json(raw)
        except ValidationError as exc:
            raise RequestValidationError(
                [{**e, "loc": ("body", *e["loc"])} for e in exc.errors(include_url=False)]
            ) from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise InputError(
            "the request body is not UTF-8 text", hint="send the tool's YAML file as UTF-8"
        ) from None
    if (error := too_long(text, field="the tool's file", most=MOST_SOURCE)) is not None:
        raise error
    return ImportFiles(source=text)


@dataclass(frozen=True, slots=True)
class ImportOptions:
    """The query's options, as the command's."""

    filename: str | None
    datasource: str
    prometheus_url: str | None
    sloth_period: str
    split_groups: bool
    force: bool


def _options(
    filename: Annotated[
        str | None,
        Query(
            max_length=205,
            description="The file's name (e.g. sloth-checkout.yml): the documents are named "
            "after it and their header cites it (default: TOOL.yaml).",
        ),
    ] = None,
    datasource: Annotated[
        str, Query(max_length=63, description="The Prometheus DataSource's name.")
    ] = "prometheus",
    prometheus_url: Annotated[
        str | None,
        Query(max_length=2000, description="Its URL (default http://localhost:9090)."),
    ] = None,
    sloth_period: Annotated[
        str, Query(max_length=16, description="sloth: the SLO period (Sloth's default).")
    ] = "30d",
    split_groups: Annotated[
        bool,
        Query(
            description="sloth, pyrra: one SLO per group value of a grouped SLI (as "
            "--split-groups), asking the workspace's DataSource `datasource` (else the server "
            "at `prometheus_url`) which values it has over the SLO's window now."
        ),
    ] = False,
    force: Annotated[
        bool,
        Query(
            description="Replacing the file an earlier import of the same `filename` wrote is "
            "accepted (as --force). The preview answers either way: such a file is reported "
            "with `replaces: true` and `change` `replaces` or `unchanged`, and `summary` says "
            "what would change; `needsForce` is true when a file would be replaced without "
            "it. A file an import of another name wrote, or one of the workspace's own, is "
            "never replaced: the target is named -2, -3… beside it. Writing "
            "(`/imports/{tool}/write`) replaces such a file only with it."
        ),
    ] = False,
) -> ImportOptions:
    return ImportOptions(filename, datasource, prometheus_url, sloth_period, split_groups, force)


Options = Annotated[ImportOptions, Depends(_options)]


@router.post("/imports/{tool}", tags=["definitions"], openapi_extra=_BODY)
async def convert(ctx: Ctx, request: Request, tool: Tool, options: Options) -> dict[str, Any]:
    """The file converted, as `covenant import TOOL --dry-run --format json` reports it, with
    each file's ``documents`` (the OpenSLO text it would write) — checked against the
    workspace's definitions (a DataSource or Service it already has is reused; an SLO name it
    has is not taken). With a JSON body, ``alert_windows`` (sloth) and ``config``
    (slo-generator) are read as the command reads ``--alert-windows`` and ``--config``; a
    slo-generator file without ``config`` is read without a shared config. ``split_groups``
    as ``--split-groups``. A preview: what would change is reported (each file's ``change``,
    a ``summary``, ``needsForce``), never refused for want of ``force``. Nothing is
    written."""
    from covenant.services.import_request import import_report

    asked = _asked(tool, await _files(request), options)
    return await run_in_threadpool(import_report, ctx.settings.workspace, asked, at=ctx.clock())


@router.post(
    "/imports/{tool}/write",
    tags=["definitions"],
    status_code=201,
    openapi_extra=_BODY,
    dependencies=[Depends(allow(WRITERS))],
)
async def write(
    ctx: Ctx, who: Who, request: Request, tool: Tool, options: Options
) -> dict[str, Any]:
    """The file converted and written into the workspace, as `covenant import TOOL --format
    json` writes it (all or nothing; the import page's "Write" button does the same), and an
    audit entry under the token (action ``imported``, entity ``workspace-file``): the report
    with ``written``, the files written (relative to the workspace). The same body and options
    as the preview; a file an earlier import of the same `filename` wrote is replaced only
    with ``force`` (else ``400 import-file-exists``). A file with problems, or nothing an SLO
    can be made of, writes nothing: ``400 invalid-input`` (the preview lists each problem)."""
    from covenant.services.import_request import import_into

    asked = _asked(tool, await _files(request), options)
    report = await run_in_threadpool(
        import_into, ctx.engine(), ctx.settings.workspace, asked, at=ctx.clock(), actor=actor(who)
    )
    if not report["written"]:
        raise InputError(
            "the import has problems or nothing to import; nothing was written",
            hint=f"POST /api/v1/imports/{tool.value} (the preview) names each problem",
        )
    ctx.forget_definitions()  # the next answer reads the files written, on this server at once
    return report


def _asked(tool: Tool, files: ImportFiles, options: ImportOptions) -> ImportRequest:
    from covenant.services.import_request import ImportRequest, SourceText

    return ImportRequest(
        tool=tool.value,
        sources=(SourceText(text=files.source, name=options.filename or f"{tool.value}.yaml"),),
        force=options.force,
        alert_windows=files.alert_windows,
        config=files.config,
        datasource=options.datasource,
        prometheus_url=options.prometheus_url,
        sloth_period=options.sloth_period,
        split_groups=options.split_groups,
    )
