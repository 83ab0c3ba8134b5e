"""``covenant exposure``: every agreement's current period, projected, with the money at risk."""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from covenant.cli.common import WorkspaceOption, console, fail, settings_for
from covenant.cli.evaluate_cmds import AtOption, parse_instant
from covenant.errors import CovenantError


class ExposureFormat(StrEnum):
    TABLE = "table"
    JSON = "json"


def register(app: typer.Typer) -> None:
    app.command("exposure")(exposure_command)


def exposure_command(
    workspace: WorkspaceOption = Path(),
    at: AtOption = None,
    output_format: Annotated[
        ExposureFormat, typer.Option("--format", "-f", help="Output format.")
    ] = ExposureFormat.TABLE,
) -> None:
    """Forecast each agreement's current period: level, tier chances, credit at risk, alerts."""
    from covenant.render.exposure import exposure_json, render_exposure_table
    from covenant.services.exposure import exposure
    from covenant.services.ingest import open_store
    from covenant.services.workspace import load_workspace

    instant = parse_instant(at)
    try:
        ws = load_workspace(workspace)
        engine = open_store(settings_for(workspace).database_url)
        try:
            result = exposure(engine, workspace=ws, at=instant)
        finally:
            engine.dispose()
    except CovenantError as error:
        raise fail(error) from None
    if output_format is ExposureFormat.JSON:
        typer.echo(json.dumps(exposure_json(result), indent=2))
    else:
        render_exposure_table(console, result)
