"""``POST /imports/{tool}``, for staff: another tool's SLO file converted as `covenant import
TOOL --dry-run --format json` converts it into the workspace this server reads — what it
becomes, what is left out and why, the OpenSLO documents it would write — and nothing is
written: the documents go into the workspace's repository as any edit does (docs/import.md)."""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Query

from covenant.api.deps import Ctx, allow
from covenant.api.errors import RESPONSES
from covenant.core.access import INTERNAL_READERS

router = APIRouter(responses=RESPONSES, dependencies=[Depends(allow(INTERNAL_READERS))])

_FILE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,199}\.ya?ml")


class Tool(StrEnum):
    SLOTH = "sloth"
    PYRRA = "pyrra"
    SLO_GENERATOR = "slo-generator"


@router.post("/imports/{tool}", tags=["definitions"])
def convert(
    ctx: Ctx,
    tool: Tool,
    source: Annotated[
        str,
        Body(
            media_type="application/yaml",
            max_length=5_000_000,
            description="The tool's file (YAML; several documents with ---).",
        ),
    ],
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
) -> dict[str, Any]:
    """The file converted, as `covenant import TOOL --dry-run --format json` reports it, with
    each file's ``documents`` (the OpenSLO text it would write) — checked against the
    workspace's definitions (a DataSource or Service it already has is reused; an SLO name it
    has is not taken). A slo-generator file is read without a shared ``config.yaml``
    (`covenant import slo-generator --config` reads one). Nothing is written."""
    from covenant.definitions.fields import dns_label
    from covenant.definitions.importers.base import Options
    from covenant.services.import_report import import_json
    from covenant.services.import_sources import Pasted
    from covenant.services.importing import ImportOptionError, fixed_duration, plan_import

    name = filename or f"{tool.value}.yaml"
    if not _FILE_NAME.fullmatch(name):
        raise ImportOptionError(
            f"filename {name!r} is not a file name ending .yaml or .yml",
            hint="letters, digits, '.', '_' and '-', e.g. sloth-checkout.yml",
        )
    if datasource != dns_label(datasource):
        raise ImportOptionError(
            f"datasource {datasource!r} is not a DNS label",
            hint=f"use lowercase letters, digits and '-', e.g. {dns_label(datasource)}",
        )
    if tool is Tool.SLOTH:
        fixed_duration(sloth_period, option="sloth_period")
    url: dict[str, Any] = {}
    if prometheus_url is not None:
        url = {"prometheus_url": prometheus_url, "prometheus_url_given": True}
    options = Options(datasource=datasource, sloth_period=sloth_period, **url)
    plan = plan_import(
        tool.value,
        [Pasted(name=name, text=source)],
        into=ctx.settings.workspace,
        options=options,
        force=True,
    )
    return import_json(plan, [], dry_run=True, texts=True, relative=True)
