"""``covenant audit verify|list``: check the audit log's hash chain, list its rows; ``covenant
slo record|history``: the SLOs' change history kept in it."""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from covenant.cli.common import WorkspaceOption, cli_actor, console, fail, now, settings_for
from covenant.cli.when import instant_option
from covenant.errors import CovenantError


class Format(StrEnum):
    TABLE = "table"
    JSON = "json"


FormatOption = Annotated[Format, typer.Option("--format", "-f", help="Output format.")]


def register(app: typer.Typer) -> None:
    audit = typer.Typer(
        help="The audit log of every change: verify its hash chain, list its rows.",
        no_args_is_help=True,
    )
    audit.command("verify")(verify_command)
    audit.command("list")(list_command)
    app.add_typer(audit, name="audit")
    slo = typer.Typer(
        help="SLO change history: record changes of the SLO definitions, show them.",
        no_args_is_help=True,
    )
    slo.command("record")(slo_record_command)
    slo.command("history")(slo_history_command)
    app.add_typer(slo, name="slo")


def verify_command(
    workspace: WorkspaceOption = Path(),
    anchor: Annotated[
        str | None,
        typer.Option(
            "--anchor",
            metavar="SEQ:HASH",
            help="A head printed by an earlier verify: it must still be in the log, unchanged "
            "(shows rows deleted from the end).",
        ),
    ] = None,
    output: FormatOption = Format.TABLE,
) -> None:
    """Check the audit log's hash chain; exit 1 naming the first edited, deleted or inserted
    row. Prints the head (SEQ:HASH): keep it elsewhere and pass it as --anchor later."""
    from covenant.services.audit import broken_error, parse_anchor, verify_log
    from covenant.services.store import open_existing

    try:
        expected = parse_anchor(anchor)
        engine = open_existing(settings_for(workspace).database_url)
        try:
            result = verify_log(engine, anchor=expected)
        finally:
            engine.dispose()
    except CovenantError as error:
        raise fail(error) from None
    head = None if result.head_seq is None else f"{result.head_seq}:{result.head_hash}"
    if output is Format.JSON:
        broken = result.broken
        data = {
            "ok": broken is None,
            "rows": result.rows,
            "head": head,
            "broken": None if broken is None else {"seq": broken.seq, "reason": broken.reason},
        }
        typer.echo(json.dumps(data, indent=2))
        if broken is not None:
            raise typer.Exit(code=1)
        return
    if result.broken is not None:
        raise fail(broken_error(result))
    shown = "empty" if head is None else f"head {head}"
    console.print(
        f"audit log intact: {result.rows} row{'' if result.rows == 1 else 's'}, {shown}",
        markup=False,
        highlight=False,
        soft_wrap=True,
    )


def list_command(
    workspace: WorkspaceOption = Path(),
    kind: Annotated[
        str | None,
        typer.Option("--kind", help="Entity kind: slo, agreement, correction, token, ticket…"),
    ] = None,
    entity: Annotated[str | None, typer.Option("--id", help="Entity id (an SLO's name…).")] = None,
    actor: Annotated[str | None, typer.Option("--actor", help="Who made the change.")] = None,
    action: Annotated[
        str | None, typer.Option("--action", help="created, changed, revoked…")
    ] = None,
    since: Annotated[
        str | None, typer.Option("--since", metavar="INSTANT", help="From this instant on.")
    ] = None,
    until: Annotated[
        str | None, typer.Option("--until", metavar="INSTANT", help="Before this instant.")
    ] = None,
    after: Annotated[int, typer.Option("--after", min=0, help="Rows after this seq.")] = 0,
    limit: Annotated[int, typer.Option("--limit", min=1, max=1000, help="At most this many.")] = (
        100
    ),
    output: FormatOption = Format.TABLE,
) -> None:
    """Rows of the audit log matching every filter given, oldest first."""
    from covenant.services.audit import AuditFilter, entry_json, list_entries
    from covenant.services.store import open_existing

    where = AuditFilter(
        entity_kind=kind,
        entity_id=entity,
        actor=actor,
        action=action,
        since=None if since is None else instant_option(since, option="--since"),
        until=None if until is None else instant_option(until, option="--until"),
        after_seq=after,
        limit=limit,
    )
    try:
        engine = open_existing(settings_for(workspace).database_url)
        try:
            found = list_entries(engine, where=where)
        finally:
            engine.dispose()
    except CovenantError as error:
        raise fail(error) from None
    if output is Format.JSON:
        last = found[-1].seq if len(found) == limit else None  # --after of the next page
        typer.echo(
            json.dumps({"items": [entry_json(e) for e in found], "next_after": last}, indent=2)
        )
        return
    if not found:
        console.print("no audit row matches", markup=False, highlight=False)
        return
    from covenant.core.timeutil import utc_text

    for e in found:
        why = f"  ({e.reason})" if e.reason else ""
        console.print(
            f"#{e.seq}  {utc_text(e.at)}  {e.actor}  {e.action} {e.entity_kind} {e.entity_id}{why}",
            markup=False,
            highlight=False,
            soft_wrap=True,
        )


def slo_record_command(
    workspace: WorkspaceOption = Path(),
    actor: Annotated[
        str | None,
        typer.Option("--actor", help="Who made the change (default: cli:<your user name>)."),
    ] = None,
    reason: Annotated[
        str | None,
        typer.Option(
            "--reason",
            help="Why (default: each SLO's covenant.dev/change-reason annotation).",
        ),
    ] = None,
    output: FormatOption = Format.TABLE,
) -> None:
    """Record each SLO created, changed or removed since the last recording in the audit log
    (who, when, why); nothing when the definitions did not change."""
    from covenant.services.slo_history import record_slo_changes
    from covenant.services.store import open_store
    from covenant.services.workspace import load_workspace

    try:
        ws = load_workspace(workspace, applying=True)
        engine = open_store(settings_for(workspace).database_url)
        try:
            changes = record_slo_changes(
                engine, workspace=ws, actor=cli_actor(actor), at=now(), reason=reason
            )
        finally:
            engine.dispose()
    except CovenantError as error:
        raise fail(error) from None
    if output is Format.JSON:
        rows = [
            {"slo": c.slo, "action": c.action, "seq": c.seq, "reason": c.reason} for c in changes
        ]
        typer.echo(json.dumps({"items": rows}, indent=2))
        return
    for change in changes:
        why = f" ({change.reason})" if change.reason else ""
        console.print(
            f"#{change.seq} {change.slo}: {change.action}{why}",
            markup=False,
            highlight=False,
            soft_wrap=True,
        )
    console.print(f"recorded {len(changes)} SLO change(s)", markup=False, highlight=False)


def slo_history_command(
    name: Annotated[str, typer.Argument(help="The SLO's metadata.name.")],
    workspace: WorkspaceOption = Path(),
    output: FormatOption = Format.TABLE,
) -> None:
    """Every recorded change of an SLO: who, when, why and the fields that changed."""
    from covenant.services.slo_history import history_json, slo_history
    from covenant.services.store import open_existing
    from covenant.services.workspace import load_workspace

    try:
        ws = load_workspace(workspace)
        known = any(d.kind == "SLO" and d.name == name for d in ws.documents)
        engine = open_existing(settings_for(workspace).database_url)
        try:
            found = [history_json(e) for e in slo_history(engine, name=name, known=known)]
        finally:
            engine.dispose()
    except CovenantError as error:
        raise fail(error) from None
    if output is Format.JSON:
        typer.echo(json.dumps({"slo": name, "items": found}, indent=2))
        return
    if not found:
        console.print(f"{name}: no change recorded yet (`covenant slo record`)", markup=False)
        return
    for item in found:
        why = f"  ({item['reason']})" if item["reason"] else ""
        console.print(
            f"#{item['seq']}  {item['at']}  {item['actor']}  {item['action']}{why}",
            markup=False,
            highlight=False,
            soft_wrap=True,
        )
        for change in item["changes"] if item["action"] == "changed" else []:
            console.print(
                f"    {change['path']}: {json.dumps(change['before'])} → "
                f"{json.dumps(change['after'])}",
                markup=False,
                highlight=False,
                soft_wrap=True,
            )
