"""``covenant corrections pull`` and ``covenant maintenance pull``: the corrections and
maintenance windows changed over the API, written into the workspace's YAML (ADR 0006)."""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from covenant.cli.common import ActorOption, WorkspaceOption, cli_actor
from covenant.cli.console import console, err_console, fail, now, settings_for
from covenant.errors import CovenantError

NameOption = Annotated[
    list[str] | None, typer.Option("--name", "-n", help="Only this one (repeatable).")
]
DryRunOption = Annotated[
    bool, typer.Option("--dry-run", help="Say what would be written; write nothing.")
]


class Format(StrEnum):
    TABLE = "table"
    JSON = "json"


FormatOption = Annotated[Format, typer.Option("--format", "-f", help="Output format.")]


def _pull(
    kind: str,
    what: str,
    workspace: Path,
    names: list[str] | None,
    dry_run: bool,
    actor: str | None,
    output: Format = Format.TABLE,
) -> None:
    from covenant.services.definition_pull import pull_definitions
    from covenant.services.store import open_existing

    try:
        engine = open_existing(settings_for(workspace).database_url)
        try:
            pulled = pull_definitions(
                engine,
                workspace_dir=workspace,
                kind=kind,
                names=names,
                actor=cli_actor(actor),
                at=now(),
                dry_run=dry_run,
            )
        finally:
            engine.dispose()
    except CovenantError as error:
        raise fail(error) from None
    if output is Format.JSON:
        rows = [
            {
                "name": i.name,
                "action": i.action,
                "file": str(i.file),
                "replaced_edit": i.replaced_edit,
            }
            for i in pulled
        ]
        typer.echo(json.dumps({"dry_run": dry_run, "items": rows}, indent=2))
        return
    for item in pulled:
        verb = {"written": "wrote", "removed": "removed", "confirmed": "has"}[item.action]
        if dry_run and item.action != "confirmed":
            verb = "would " + {"wrote": "write", "removed": "remove"}[verb]
        where = "from" if item.action == "removed" else "in" if verb == "has" else "into"
        console.print(f"{item.name}: {verb} {where} {item.file}", markup=False, highlight=False)
        if item.replaced_edit:
            err_console.print(
                f"warning: {item.name}: the workspace's edit was replaced by the store's "
                "(changed over the API since); make it again if it is still wanted",
                style="yellow",
                markup=False,
                highlight=False,
            )
    console.print(
        f"pulled: {len(pulled)} {what}"
        + ("" if pulled else " — the workspace has every one changed over the API"),
        markup=False,
        highlight=False,
    )


def corrections_pull(
    workspace: WorkspaceOption = Path(),
    name: NameOption = None,
    dry_run: DryRunOption = False,
    actor: ActorOption = None,
    output: FormatOption = Format.TABLE,
) -> None:
    """Write the corrections changed over the API into the workspace's YAML."""
    _pull("Correction", "correction(s)", workspace, name, dry_run, actor, output)


def maintenance_pull(
    workspace: WorkspaceOption = Path(),
    name: NameOption = None,
    dry_run: DryRunOption = False,
    actor: ActorOption = None,
    output: FormatOption = Format.TABLE,
) -> None:
    """Write the maintenance windows changed over the API into the workspace's YAML."""
    _pull("MaintenanceWindow", "maintenance window(s)", workspace, name, dry_run, actor, output)


def register(app: typer.Typer) -> None:
    corrections = typer.Typer(
        help="SLO corrections: pull the ones changed over the API into the workspace.",
        no_args_is_help=True,
    )
    corrections.command("pull")(corrections_pull)
    app.add_typer(corrections, name="corrections")
    maintenance = typer.Typer(
        help="Maintenance windows: pull the ones changed over the API into the workspace.",
        no_args_is_help=True,
    )
    maintenance.command("pull")(maintenance_pull)
    app.add_typer(maintenance, name="maintenance")
