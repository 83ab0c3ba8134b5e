"""``covenant agreements``: sync, list, show and history of agreements (SLAs)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Table

from covenant.cli.common import WorkspaceOption, console, err_console, fail, settings_for
from covenant.errors import CovenantError

if TYPE_CHECKING:
    from covenant.core.agreements import AgreementVersion


class Format(StrEnum):
    TABLE = "table"
    JSON = "json"


FormatOption = Annotated[Format, typer.Option("--format", "-f", help="Output format.")]
AtOption = Annotated[
    str | None,
    typer.Option("--at", help="ISO-8601 instant with Z or an offset; default now."),
]


def _instant(value: str | None) -> datetime:
    if value is None:
        return datetime.now(UTC).replace(microsecond=0)
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise typer.BadParameter(
            f"{value!r} is not an ISO-8601 instant; write e.g. 2026-10-31T00:00:00Z"
        ) from None
    if parsed.tzinfo is None:
        raise typer.BadParameter(f"{value!r} has no UTC offset; add Z or +HH:MM")
    return parsed.astimezone(UTC)


def sync_command(
    workspace: WorkspaceOption = Path(),
    actor: Annotated[
        str | None, typer.Option("--actor", help="Who applies the change (kept in the history).")
    ] = None,
) -> None:
    """Store the workspace's agreements: new versions, legal status moves; nothing on error."""
    from covenant.services import agreements as service
    from covenant.services.ingest import open_store
    from covenant.services.workspace import load_workspace

    try:
        ws = load_workspace(workspace)
        engine = open_store(settings_for(workspace).database_url)
        report = service.sync_agreements(
            engine, workspace=ws, at=datetime.now(UTC).replace(microsecond=0), actor=actor
        )
    except CovenantError as error:
        raise fail(error) from None
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


def list_command(
    workspace: WorkspaceOption = Path(),
    at: AtOption = None,
    output: FormatOption = Format.TABLE,
) -> None:
    """Stored agreements with the version in force, its status and the customer."""
    from covenant.services import agreements as service
    from covenant.services.ingest import open_store

    instant = _instant(at)
    try:
        engine = open_store(settings_for(workspace).database_url)
        summaries = service.list_agreements(engine, at=instant)
    except CovenantError as error:
        raise fail(error) from None
    if output is Format.JSON:
        rows = [
            {
                "agreement": s.name,
                "customer": s.customer,
                "versions": s.versions,
                "in_force": None if s.in_force is None else s.in_force.version,
                "status": None if s.in_force is None else s.in_force.status.value,
                "latest_status": s.latest_status,
            }
            for s in summaries
        ]
        typer.echo(json.dumps({"at": instant.isoformat(), "agreements": rows}, indent=2))
        return
    table = Table(title=f"Agreements at {instant.isoformat()}", title_justify="left")
    for column in ("agreement", "customer", "in force", "status", "versions"):
        table.add_column(column)
    for s in summaries:
        table.add_row(
            s.name,
            s.customer,
            "—" if s.in_force is None else f"v{s.in_force.version}",
            "—" if s.in_force is None else s.in_force.status.value,
            str(s.versions),
        )
    console.print(table)
    if not summaries:
        console.print(
            "no agreement is recorded in the store yet: run `covenant agreements sync` to "
            "record the workspace's agreements",
            style="yellow",
        )


def show_command(
    name: Annotated[str, typer.Argument(help="Agreement name.")],
    workspace: WorkspaceOption = Path(),
    at: AtOption = None,
    output: FormatOption = Format.TABLE,
) -> None:
    """The version of an agreement in force at --at, with its commitments."""
    from covenant.services import agreements as service
    from covenant.services.ingest import open_store

    instant = _instant(at)
    try:
        engine = open_store(settings_for(workspace).database_url)
        version = service.agreement_in_force(engine, name=name, at=instant)
    except CovenantError as error:
        raise fail(error) from None
    if output is Format.JSON:
        typer.echo(json.dumps(service.version_document(version), indent=2, sort_keys=True))
        return
    _render_version(version)


def _render_version(v: AgreementVersion) -> None:
    from covenant.services import agreements as service

    end = v.effective_to.isoformat() if v.effective_to else "open"
    lines = [
        f"{v.agreement} v{v.version} ({v.status.value}) for {v.customer}",
        f"  in force {v.effective_from.isoformat()} → {end}; {v.period.value}ly periods in "
        f"{v.zone}; {v.currency}",
    ]
    if v.reason:
        lines.append(f"  reason: {v.reason}")
    lines += [f"  fee {svc}: {amount} {v.currency}" for svc, amount in v.fees]
    lines += [f"  signed by {p.name}" + (f", {p.role}" if p.role else "") for p in v.signatories]
    for line in lines:
        console.print(line, markup=False, highlight=False)
    table = Table(title="Availability", title_justify="left")
    for column in ("commitment", "services", "level", "measured by", "credits", "backed by"):
        table.add_column(column)
    for a in v.availability:
        table.add_row(
            a.name,
            ", ".join(a.services),
            service.percent_text(a.level),
            a.measurement.source.value
            + (f" on {a.measurement.series}" if a.measurement.series else ""),
            "; ".join(str(t) for t in a.remedies.tiers),
            ", ".join(a.backing_slos),
        )
    if v.availability:
        console.print(table)
    support = Table(title="Support", title_justify="left")
    for column in ("commitment", "calendar", "targets", "attainment"):
        support.add_column(column)
    for s in v.support:
        support.add_row(
            s.name,
            s.calendar or "24×7",
            "; ".join(service.target_text(t) for t in s.targets),
            service.percent_text(s.attainment),
        )
    if v.support:
        console.print(support)


def history_command(
    name: Annotated[str, typer.Argument(help="Agreement name.")],
    workspace: WorkspaceOption = Path(),
    output: FormatOption = Format.TABLE,
) -> None:
    """Every recorded event of an agreement, oldest first, and whether the chain is intact."""
    from covenant.services import agreements as service
    from covenant.services.ingest import open_store

    try:
        engine = open_store(settings_for(workspace).database_url)
        events, wrong = service.agreement_audit(engine, name=name)
        intact = not wrong
    except CovenantError as error:
        raise fail(error) from None
    if output is Format.JSON:
        rows: list[dict[str, Any]] = [
            {
                "seq": e.seq,
                "version": e.version,
                "event": e.event,
                "from_status": e.from_status,
                "to_status": e.to_status,
                "at": e.at.isoformat(),
                "actor": e.actor,
                "details": e.details,
                "hash": e.hash,
            }
            for e in events
        ]
        document = {"agreement": name, "intact": intact, "problems": wrong, "events": rows}
        typer.echo(json.dumps(document, indent=2))
        if not intact:
            raise typer.Exit(code=1)
        return
    table = Table(title=f"History of {name}", title_justify="left")
    for column in ("#", "at", "version", "event", "status", "actor"):
        table.add_column(column)
    for e in events:
        status = f"{e.from_status or '∅'} → {e.to_status}" if e.to_status else ""
        table.add_row(
            str(e.seq),
            e.at.isoformat(),
            "" if e.version is None else f"v{e.version}",
            e.event,
            status,
            e.actor or "",
        )
    console.print(table)
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
    sub = typer.Typer(help="Agreements (SLAs): sync, list, show, history.", no_args_is_help=True)
    sub.command("sync")(sync_command)
    sub.command("list")(list_command)
    sub.command("show")(show_command)
    sub.command("history")(history_command)
    app.add_typer(sub, name="agreements")
