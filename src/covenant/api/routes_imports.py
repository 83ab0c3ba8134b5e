"""``POST /imports/{tool}``, for staff: another tool's SLO file converted as `covenant import
TOOL --dry-run --format json` converts it into the workspace this server reads — what it
becomes, what is left out and why, the OpenSLO documents it would write — and nothing is
written: the documents go into the workspace's repository as any edit does (docs/import.md)."""

from __future__ import annotations

import os
import re
import tempfile
from enum import StrEnum
from pathlib import Path
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
    workspace = ctx.settings.workspace
    with tempfile.TemporaryDirectory(prefix="covenant-import-") as folder:
        # in a folder of its own: slo-generator's config.yaml is looked for beside and above
        path = Path(folder) / "source" / name
        path.parent.mkdir()
        path.write_text(source, encoding="utf-8")
        plan = plan_import(
            tool.value, [path], into=workspace, options=options, config_given=True, force=True
        )
        report = import_json(plan, [], dry_run=True, texts=True)
        names = {_relative(path, workspace): name, str(path): name}
        names[f"{workspace}{os.sep}"] = ""  # the targets: relative to the workspace
        named: dict[str, Any] = _named(report, names)
        named["into"] = "."  # the workspace served; the targets are relative to it
        return named


def _relative(path: Path, workspace: Path) -> str:
    from covenant.services.importing import origin

    return origin(path, workspace)


def _named(value: Any, names: dict[str, str]) -> Any:
    """``value`` with the temporary file's path, as the report and the header give it,
    replaced by the file's name."""
    if isinstance(value, str):
        for path, name in names.items():
            value = value.replace(path, name)
        return value
    if isinstance(value, list):
        return [_named(v, names) for v in value]
    if isinstance(value, dict):
        return {k: _named(v, names) for k, v in value.items()}
    return value
