"""``covenant agreements``: sync, list, show and history of agreements (SLAs)."""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from covenant.cli.common import (
    AtOption,
    WorkspaceOption,
    console,
    err_console,
    fail,
    now,
    settings_for,
)
from covenant.cli.table_options import (
    AgreementFilter,
    CustomerFilter,
    WideOption,
    check_choices,
    status_filter,
    warn_unmatched,
)
from covenant.cli.when import instant_option
from covenant.errors import CovenantError, TamperedError
from covenant.services.row_states import AGREEMENT_STATES


class Format(StrEnum):
    TABLE = "table"
    JSON = "json"


FormatOption = Annotated[Format, typer.Option("--format", "-f", help="Output format.")]


def sync_command(
    workspace: WorkspaceOption = Path(),
    actor: Annotated[
        str | None, typer.Option("--actor", help="Who applies the change (kept in the history).")
    ] = None,
    output: FormatOption = Format.TABLE,
) -> None:
    """Store the workspace's agreements: new versions, legal status moves; nothing on error."""
    from covenant.services import agreements as service
    from covenant.services.ingest import open_store
    from covenant.services.workspace import load_workspace

    try:
        ws = load_workspace(workspace, applying=True)
        engine = open_store(settings_for(workspace).database_url)
        report = service.sync_agreements(engine, workspace=ws, at=now(), actor=actor)
    except CovenantError as error:
        raise fail(error) from None
    if output is Format.JSON:
        typer.echo(json.dumps(sync_json(report), indent=2))
        return
    for problem in report.warnings:
        err_console.print(f"warning: {problem}", style="yellow", markup=False, highlight=False)
    for change in report.changes:
        version = f" v{change.version}" if change.version is not None else ""
        move = (
            f" {change.from_status or '∅'} → {change.to_status}"
            if change.event in {"status-changed", "created"}
            else ""
        )
        console.print(
            f"{change.agreement}{version}: {change.event}{move}", markup=False, highlight=False
        )
    console.print(
        f"synced: {len(report.changes)} change(s), {report.unchanged} version(s) unchanged",
        markup=False,
        highlight=False,
    )


def sync_json(report: Any) -> dict[str, Any]:
    """``agreements sync --format json``: when, each change, the versions already stored and
    the warnings (as ``validate --format json`` writes a problem)."""
    from covenant.core.timeutil import utc_iso
    from covenant.services.workspace import problem_json

    return {
        "at": utc_iso(report.at),
        "changes": [
            {
                "agreement": c.agreement,
                "version": c.version,
                "event": c.event,
                "from_status": c.from_status,
                "to_status": c.to_status,
            }
            for c in report.changes
        ],
        "unchanged": report.unchanged,
        "warnings": [problem_json(p) for p in report.warnings],
    }


def pull_command(
    workspace: WorkspaceOption = Path(),
    agreement: Annotated[
        list[str] | None,
        typer.Option("--agreement", "-a", help="Only this agreement (repeatable)."),
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Say what would be written; write nothing.")
    ] = False,
    output: FormatOption = Format.TABLE,
) -> None:
    """Write the store's agreement versions (changed over the API) into the workspace's YAML."""
    from covenant.services.agreement_pull import pull_agreements
    from covenant.services.ingest import open_store

    try:
        engine = open_store(settings_for(workspace).database_url)
        pulled = pull_agreements(engine, workspace_dir=workspace, names=agreement, dry_run=dry_run)
    except CovenantError as error:
        raise fail(error) from None
    if output is Format.JSON:
        rows = [
            {
                "agreement": i.agreement,
                "versions": list(i.versions),
                "file": str(i.file),
                "replaced": list(i.replaced),
            }
            for i in pulled
        ]
        typer.echo(json.dumps({"dry_run": dry_run, "items": rows}, indent=2))
        return
    verb = "would write" if dry_run else "wrote"
    for item in pulled:
        versions = ", ".join(f"v{n}" for n in item.versions)
        console.print(
            f"{item.agreement}: {verb} {versions} into {item.file}", markup=False, highlight=False
        )
        for number in item.replaced:
            err_console.print(
                f"warning: {item.agreement} v{number}: the workspace's unsynced copy was "
                "replaced by the store's",
                style="yellow",
                markup=False,
                highlight=False,
            )
    console.print(
        f"pulled: {len(pulled)} agreement(s)"
        + ("" if pulled else " — the workspace already has every stored version"),
        markup=False,
        highlight=False,
    )


def list_command(
    workspace: WorkspaceOption = Path(),
    at: AtOption = None,
    output: FormatOption = Format.TABLE,
    customer: CustomerFilter = None,
    agreement: AgreementFilter = None,
    status: Annotated[
        list[str] | None,
        status_filter(
            AGREEMENT_STATES,
            "agreements whose version in force has a status (none: no version in force; "
            "tampered: the stored agreement disagrees with its history)",
        ),
    ] = None,
) -> None:
    """Stored agreements with the version in force, its status and the customer.

    An agreement altered in the store outside Covenant is listed as tampered (the others as
    usual) and the command exits 1."""
    from covenant.render.agreements import list_json, render_agreement_list
    from covenant.render.tables import text
    from covenant.services import agreements as service
    from covenant.services.selection import select_agreements
    from covenant.services.store import open_existing

    instant = instant_option(at)
    statuses = check_choices(status, AGREEMENT_STATES)
    try:
        engine = open_existing(settings_for(workspace).database_url)
        summaries = service.list_agreements(engine, at=instant)
    except CovenantError as error:
        raise fail(error) from None
    stored = len(summaries)
    tampered = [s.tampered for s in summaries if s.tampered is not None]
    if stored:
        warn_unmatched("--customer", customer, [s.customer for s in summaries])
        warn_unmatched("--agreement", agreement, [s.name for s in summaries])
    summaries = select_agreements(
        summaries, customers=customer or (), agreements=agreement or (), statuses=statuses
    )
    if output is Format.JSON:
        typer.echo(json.dumps(list_json(summaries, at=instant), indent=2))
        from covenant.cli import jsonmode

        jsonmode.shown()  # the list says which are tampered: no second document on stdout
        _refuse_tampered(tampered)
        return
    render_agreement_list(console, instant, summaries)
    if stored and not summaries:
        console.print(text(f"none of the {stored} stored agreement(s) matches the filters"))
    if not stored:
        console.print(
            "no agreement is recorded in the store yet: run `covenant agreements sync` to "
            "record the workspace's agreements",
            style="yellow",
        )
    _refuse_tampered(tampered)


def _refuse_tampered(tampered: list[TamperedError]) -> None:
    """Every stored agreement that disagrees with its history, as a coded error, then exit 1
    (the others were listed): the store was altered outside Covenant."""
    exit_ = None
    for error in tampered:
        exit_ = fail(error)
    if exit_ is not None:
        raise exit_


def show_command(
    name: Annotated[str, typer.Argument(help="Agreement name.")],
    workspace: WorkspaceOption = Path(),
    at: AtOption = None,
    output: FormatOption = Format.TABLE,
    wide: WideOption = False,
) -> None:
    """The version of an agreement in force at --at, with its commitments."""
    from covenant.services import agreements as service
    from covenant.services.store import open_existing

    instant = instant_option(at)
    try:
        engine = open_existing(settings_for(workspace).database_url)
        version = service.agreement_in_force(engine, name=name, at=instant)
    except CovenantError as error:
        raise fail(error) from None
    if output is Format.JSON:
        typer.echo(json.dumps(service.version_document(version), indent=2, sort_keys=True))
        return
    from covenant.render.agreements import render_version

    render_version(console, version, wide=wide)


def history_command(
    name: Annotated[str, typer.Argument(help="Agreement name.")],
    workspace: WorkspaceOption = Path(),
    output: FormatOption = Format.TABLE,
    wide: WideOption = False,
) -> None:
    """Every recorded event of an agreement, oldest first, and whether the chain is intact."""
    from covenant.render.agreements import history_json, render_history
    from covenant.services import agreements as service
    from covenant.services.store import open_existing

    try:
        engine = open_existing(settings_for(workspace).database_url)
        events, wrong = service.agreement_audit(engine, name=name)
        intact = not wrong
    except CovenantError as error:
        raise fail(error) from None
    if output is Format.JSON:
        document = history_json(name, events, wrong)
        typer.echo(json.dumps(document, indent=2))
        if not intact:
            raise typer.Exit(code=1)
        return
    render_history(console, name, events, wide=wide)
    verdict = (
        "hash chain intact"
        if intact
        else "hash chain BROKEN: the store was altered outside Covenant [agreement-tampered]"
    )
    console.print(verdict, style="green" if intact else "bold red", markup=False)
    if not intact:
        for line in wrong:
            console.print(f"  - {line}", style="red", markup=False, highlight=False)
        raise typer.Exit(code=1)


def register(app: typer.Typer) -> None:
    """Add the ``agreements`` sub-app to ``app``."""
    sub = typer.Typer(
        help="Agreements (SLAs): sync, pull, list, show, history.", no_args_is_help=True
    )
    sub.command("sync")(sync_command)
    sub.command("pull")(pull_command)
    sub.command("list")(list_command)
    sub.command("show")(show_command)
    sub.command("history")(history_command)
    app.add_typer(sub, name="agreements")
