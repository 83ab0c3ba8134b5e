"""``covenant validate``, ``covenant export openslo`` and ``covenant init``."""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from covenant.cli.common import (
    WhenNoPathsOption,
    console,
    definition_sources,
    err_console,
    fail,
)
from covenant.errors import CovenantError, InputError


class OutputFormat(StrEnum):
    TEXT = "text"
    JSON = "json"


def validate(
    ctx: typer.Context,
    paths: Annotated[
        list[Path] | None,
        typer.Argument(help="Workspace folders or definition files (default: --workspace)."),
    ] = None,
    workspace: WhenNoPathsOption = Path(),
    output_format: Annotated[
        OutputFormat, typer.Option("--format", "-f", help="text for people, json for machines.")
    ] = OutputFormat.TEXT,
) -> None:
    """Check definitions: every problem with file:line, field and fix. Exit 1 on errors."""
    from covenant.services import workspace as service

    problems = service.validate_paths(definition_sources(ctx, paths, workspace))
    errors = [p for p in problems if p.severity == "error"]
    if output_format is OutputFormat.JSON:
        typer.echo(json.dumps([service.problem_json(p) for p in problems], indent=2))
    else:
        from covenant.render.tables import tally

        for problem in problems:
            style = "red" if problem.severity == "error" else "yellow"
            prefix = "" if problem.severity == "error" else "warning: "
            console.print(
                f"{prefix}{problem}", style=style, markup=False, highlight=False, soft_wrap=True
            )
        warnings = len(problems) - len(errors)
        verdict = "invalid" if errors else "valid"
        console.print(
            f"{verdict}: {tally(len(errors), warnings)}",
            style="bold red" if errors else "bold green",
            markup=False,
            highlight=False,
        )
        if problems:
            console.print(
                f"run: covenant explain CODE (the code in brackets, e.g. {problems[0].code})",
                style="dim",
                markup=False,
                highlight=False,
            )
    if errors:
        raise typer.Exit(code=1)


def export_openslo(
    ctx: typer.Context,
    path: Annotated[
        Path | None, typer.Argument(help="Workspace folder or file (default: --workspace).")
    ] = None,
    workspace: WhenNoPathsOption = Path(),
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write here instead of stdout.")
    ] = None,
) -> None:
    """Write the workspace as OpenSLO v1 YAML (covenant extensions as annotations)."""
    from covenant.services import workspace as service

    [source] = definition_sources(ctx, [path] if path is not None else None, workspace)
    try:
        text = service.export_openslo(source)
    except CovenantError as exc:
        raise fail(exc) from exc
    if output is None:
        typer.echo(text, nl=False)
        return
    from covenant.services.generated_files import write_replacing

    try:  # whole or not at all: a kill halfway leaves the file that was there
        write_replacing(output, [text])
    except OSError as exc:  # as `report sla -o` says it: a code and the fix
        raise fail(
            InputError(
                f"cannot write {output}: {exc.strerror or exc}",
                hint="check that the folder exists and is writable",
            )
        ) from None
    err_console.print(f"wrote {output}", markup=False, highlight=False)


def init(
    directory: Annotated[Path, typer.Argument(help="Folder for the new workspace.")],
) -> None:
    """Create a starter workspace (README, slos.yaml, sample events) that validates clean."""
    from covenant.services import workspace as service

    try:
        written = service.init_workspace(directory)
    except CovenantError as exc:
        raise fail(exc) from exc
    for path in written:
        console.print(f"created {path}", markup=False, highlight=False)
    console.print(f"next: covenant validate {directory}", markup=False, highlight=False)


def register(app: typer.Typer) -> None:
    """Add this module's commands to ``app``."""
    app.command("validate")(validate)
    app.command("init")(init)
    export_app = typer.Typer(help="Export definitions to other formats.", no_args_is_help=True)
    export_app.command("openslo")(export_openslo)
    app.add_typer(export_app, name="export")
