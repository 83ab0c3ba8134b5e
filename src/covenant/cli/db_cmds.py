"""``covenant db current`` and ``covenant db upgrade``: the store's schema revision."""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from covenant.cli.common import WorkspaceOption, console, fail, settings_for
from covenant.errors import CovenantError

if TYPE_CHECKING:
    from covenant.services.database import SchemaReport


class Format(StrEnum):
    TEXT = "text"
    JSON = "json"


FormatOption = Annotated[Format, typer.Option("--format", "-f", help="Output format.")]


def register(app: typer.Typer) -> None:
    db = typer.Typer(
        help="The store's schema: its revision, and migrating it to this version's.",
        no_args_is_help=True,
    )
    db.command("current")(current_command)
    db.command("upgrade")(upgrade_command)
    app.add_typer(db, name="db")


def _revisions(revisions: tuple[str, ...]) -> str:
    return ", ".join(revisions) if revisions else "(none: no schema yet)"


def _say(text: str) -> None:
    console.print(text, markup=False, highlight=False, soft_wrap=True)


def current_command(
    workspace: WorkspaceOption = Path(), output: FormatOption = Format.TEXT
) -> None:
    """Print the store's schema revision and whether it is behind this version's.

    The store is the workspace's (.covenant/covenant.db) or COVENANT_DATABASE_URL's; it is
    read, never changed. A store migrated by a newer Covenant is an error (store-newer)."""
    from covenant.services.database import database_current

    try:
        report = database_current(settings_for(workspace).database_url)
    except CovenantError as error:
        raise fail(error) from None
    if output is Format.JSON:
        typer.echo(json.dumps(report.as_json(), indent=2))
        return
    _say(f"store: {report.url}")
    _say(f"revision: {_revisions(report.after)}")
    if report.behind:
        _say(
            f"behind: this version's newest is {_revisions(report.heads)}; "
            "run `covenant db upgrade`"
        )
    else:
        _say("up to date: the newest revision this version knows")


def upgrade_command(
    workspace: WorkspaceOption = Path(), output: FormatOption = Format.TEXT
) -> None:
    """Migrate the store to this version's newest schema, printing the revision before and
    after.

    A new store is created. Safe to run from several places at once (one migrates, the others
    wait and find nothing to do). A store migrated by a newer Covenant is refused, unchanged."""
    from covenant.services.database import database_upgrade

    try:
        report = database_upgrade(settings_for(workspace).database_url)
    except CovenantError as error:
        raise fail(error) from None
    if output is Format.JSON:
        typer.echo(json.dumps(report.as_json(), indent=2))
        return
    _show_upgrade(report)


def _show_upgrade(report: SchemaReport) -> None:
    _say(f"store: {report.url}")
    if report.upgraded:
        _say(f"upgraded from {_revisions(report.before)} to {_revisions(report.after)}")
    else:
        _say(f"already at {_revisions(report.after)}: nothing to do")
