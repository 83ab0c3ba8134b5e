"""``covenant db current`` and ``covenant db upgrade``: the store's schema revision."""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from covenant.cli.common import (
    ActorOption,
    WorkspaceOption,
    cli_actor,
    console,
    fail,
    settings_for,
)
from covenant.errors import CovenantError

if TYPE_CHECKING:
    from covenant.services.aside_pruning import AsidePruning
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
    db.command("prune")(prune_command)
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


def prune_command(
    workspace: WorkspaceOption = Path(),
    older_than: Annotated[
        str | None,
        typer.Option(
            "--older-than",
            metavar="DURATION",
            help="Only series last read more than this long ago (e.g. 30d); default: all.",
        ),
    ] = None,
    yes: Annotated[
        bool, typer.Option("--yes", help="Delete them; without it, only list them.")
    ] = False,
    output: FormatOption = Format.TEXT,
    actor: ActorOption = None,
) -> None:
    """List, and with --yes delete, the series set aside because their SLI's query changed.

    When an SLI's Prometheus query changes, the counts read with the old query are kept
    aside, never evaluated, so that changing the query back restores them
    (docs/prometheus.md). Deleting them frees their space; it cannot be undone. The deletion
    is one transaction, recorded in the audit log."""
    from covenant.cli.console import now
    from covenant.definitions.durations import age_option
    from covenant.services.aside_pruning import prune_aside
    from covenant.services.store import open_existing

    try:
        age = age_option(older_than, what="--older-than")
        engine = open_existing(settings_for(workspace).database_url)
        found = prune_aside(engine, now=now(), actor=cli_actor(actor), older_than=age, apply=yes)
    except CovenantError as error:
        raise fail(error) from None
    if output is Format.JSON:
        typer.echo(json.dumps(found.as_json(), indent=2))
        return
    _show_pruning(found)


def _show_pruning(found: AsidePruning) -> None:
    from covenant.core.timeutil import utc_text
    from covenant.render.tables import counted

    for s in found.pruned:
        row = s.as_json()
        span = "no days"
        if row["first_day"] is not None:
            span = f"{counted(s.days, 'day')}, {row['first_day']} to {row['last_day']}"
        read = "never read" if s.last_read is None else f"last read {utc_text(s.last_read)}"
        _say(f"  {s.key}  query {s.query}…  {span}, {read}")
    series = counted(len(found.pruned), "series set aside", "series set aside")
    days = counted(found.days, "day")
    if found.deleted:
        _say(f"deleted {series} ({days} of counts)")
    elif found.pruned:
        _say(
            f"{series} ({days} of counts) would be deleted: run again with --yes to delete "
            "them (until then, changing an SLI's query back restores its series)"
        )
    else:
        _say("no series set aside to prune")
    if found.kept and found.read_before is not None:
        kept = counted(len(found.kept), "series", "series")
        _say(f"kept: {kept} set aside and read since {utc_text(found.read_before)}")
