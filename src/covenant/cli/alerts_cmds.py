"""``covenant alerts outbox``: the alert notices waiting, sent and failed; retry the failed.
``covenant alerts history``: an SLO's or an agreement's alerts and their transitions."""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from covenant.cli.common import (
    ActorOption,
    WorkspaceOption,
    cli_actor,
    console,
    fail,
    now,
    settings_for,
)
from covenant.errors import CovenantError


class Format(StrEnum):
    TABLE = "table"
    JSON = "json"


class Status(StrEnum):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"


def register(app: typer.Typer) -> None:
    alerts = typer.Typer(
        help="Alerts: their history, and the outbox of notices.", no_args_is_help=True
    )
    alerts.command("outbox")(outbox_command)
    alerts.command("history")(history_command)
    app.add_typer(alerts, name="alerts")


def outbox_command(
    workspace: WorkspaceOption = Path(),
    status: Annotated[
        Status | None, typer.Option("--status", help="Only rows of this status.")
    ] = None,
    limit: Annotated[int, typer.Option("--limit", min=1, max=10000, help="Rows shown.")] = 20,
    retry: Annotated[
        bool, typer.Option("--retry", help="Put every failed notice back to pending first.")
    ] = False,
    prune: Annotated[
        bool,
        typer.Option(
            "--prune",
            help="Delete sent notices older than the retention first (what a running "
            "dispatcher does every hour; for a store no worker serves).",
        ),
    ] = False,
    output: Annotated[Format, typer.Option("--format", "-f", help="Output format.")] = (
        Format.TABLE
    ),
    actor: ActorOption = None,
) -> None:
    """The notice outbox (docs/delivery.md): counts per status and the newest rows.

    The delivery dispatcher sends them; a failed one stays here until --retry. A retry and a
    prune that changed rows are recorded in the audit log."""
    from covenant.services.delivery import retry_failed
    from covenant.services.delivery_outbox import outbox_row_json, outbox_view
    from covenant.services.outbox_pruning import OutboxPruning, prune_outbox
    from covenant.services.store import open_existing
    from covenant.services.workspace import load_workspace

    pruning: OutboxPruning | None = None
    try:
        engine = open_existing(settings_for(workspace).database_url)
        retried = retry_failed(engine, now=now(), actor=cli_actor(actor)) if retry else 0
        if prune:
            pruning = prune_outbox(
                engine, workspace=load_workspace(workspace), now=now(), actor=cli_actor(actor)
            )
        view = outbox_view(engine, status=status.value if status else None, limit=limit)
    except CovenantError as error:
        raise fail(error) from None
    rows = [outbox_row_json(r) for r in view.rows]
    if output is Format.JSON:
        pruned = pruning.pruned if pruning is not None else 0
        found = {"counts": view.counts, "retried": retried, "pruned": pruned, "rows": rows}
        typer.echo(json.dumps(found, indent=2))
        return
    if retry:
        console.print(f"{retried} failed notice(s) put back to pending", highlight=False)
    if pruning is not None:
        console.print(pruning.message, highlight=False, markup=False, soft_wrap=True)
    counts = ", ".join(f"{n} {s}" for s, n in view.counts.items())
    console.print(f"outbox: {counts}", highlight=False, markup=False)
    for r in rows:
        last = f"  last error: {r['last_error']}" if r["last_error"] else ""
        console.print(
            f"#{r['id']}  {r['status']}  {r['state']}  {r['notice_key']} → {r['target']}  "
            f"attempts {r['attempts']}{last}",
            markup=False,
            highlight=False,
            soft_wrap=True,
        )


def history_command(
    workspace: WorkspaceOption = Path(),
    slo: Annotated[
        str | None, typer.Option("--slo", help="The burn-rate alerts of this SLO.", metavar="NAME")
    ] = None,
    agreement: Annotated[
        str | None,
        typer.Option("--agreement", help="The alerts of this stored agreement.", metavar="NAME"),
    ] = None,
    limit: Annotated[
        int, typer.Option("--limit", min=1, max=1000, help="The newest transitions shown.")
    ] = 50,
    output: Annotated[Format, typer.Option("--format", "-f", help="Output format.")] = (
        Format.TABLE
    ),
) -> None:
    """An SLO's or an agreement's alerts: each one's state now, and its transitions on
    record, newest first (as their web pages and GET /api/v1/.../alerts list them)."""
    from covenant.services.slo_pages import (
        alert_history_json,
        slo_alert_history,
        stored_agreement_alert_history,
    )
    from covenant.services.store import open_existing
    from covenant.services.workspace import load_workspace

    if (slo is None) == (agreement is None):
        raise typer.BadParameter(
            "give --slo NAME or --agreement NAME, not both", param_hint="--slo"
        )
    try:
        engine = open_existing(settings_for(workspace).database_url)
        if slo is not None:
            defined = load_workspace(workspace).documents
            known = any(d.kind == "SLO" and d.name == slo for d in defined)
            found = slo_alert_history(
                engine, slo=slo, known=known, limit=limit, listed_by="`covenant evaluate`"
            )
            answer: dict[str, Any] = {"slo": slo, **alert_history_json(found)}
        else:
            assert agreement is not None
            found = stored_agreement_alert_history(
                engine, agreement=agreement, at=now(), limit=limit
            )
            answer = {"agreement": agreement, **alert_history_json(found)}
    except CovenantError as error:
        raise fail(error) from None
    if output is Format.JSON:
        typer.echo(json.dumps(answer, indent=2))
        return
    what = f"SLO {slo}" if slo is not None else f"agreement {agreement}"
    alerts: list[dict[str, Any]] = answer["alerts"]
    items: list[dict[str, Any]] = answer["items"]
    _print(f"alerts of {what}: {len(alerts)} on record")
    for a in alerts:
        since = a["ends_at"] or a["starts_at"] or a["pending_since"]
        _print(f"  {a['key']}  {a['state']}  {a['severity']}  since {since}")
    _print(f"transitions, newest first ({len(items)}):")
    for i in items:
        _print(f"{i['at']}  {i['state']}  {i['key']}  ({i['source']})")


def _print(line: str) -> None:
    console.print(line, markup=False, highlight=False, soft_wrap=True)
