"""``covenant tickets list`` and ``covenant incidents list``: the stored records, as
``GET /api/v1/tickets`` and ``/incidents`` list them (``services.record_listing``; ``-f
json`` is the API's answer to an admin)."""

from __future__ import annotations

import json
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from covenant.cli.common import AtOption, WorkspaceOption, console, fail, now, settings_for
from covenant.cli.when import instant_option
from covenant.errors import CovenantError, InputError


class Format(StrEnum):
    TABLE = "table"
    JSON = "json"


FormatOption = Annotated[Format, typer.Option("--format", "-f", help="Output format.")]


def _instant(flag: str, what: str) -> object:
    return typer.Option(
        flag, metavar="INSTANT", help=f"{what}: 2026-11-01T00:00:00Z, -7d, now.", show_default=False
    )


def register(app: typer.Typer) -> None:
    from covenant.cli import record_writes

    tickets = typer.Typer(
        help="Support tickets in the store: list them, record, change, pause or resume one.",
        no_args_is_help=True,
    )
    tickets.command("list")(tickets_command)
    incidents = typer.Typer(
        help="Incidents in the store: list them, record or change (end) one.",
        no_args_is_help=True,
    )
    incidents.command("list")(incidents_command)
    record_writes.register(tickets, incidents)
    app.add_typer(tickets, name="tickets")
    app.add_typer(incidents, name="incidents")


def _json(found: dict[str, Any]) -> str:
    from pydantic_core import to_jsonable_python

    return json.dumps(to_jsonable_python(found), indent=2)


def _utc(value: datetime | None, *, date_only: bool = False) -> str:
    """A UTC instant to the minute (``2026-10-06 14:00``), or its date alone."""
    if value is None:
        return ""
    return value.strftime("%Y-%m-%d" if date_only else "%Y-%m-%d %H:%M")


def _lasted(start: datetime, end: datetime | None) -> str:
    """How long an incident lasted, to the minute (``1h 05m``); ``open`` while it runs."""
    if end is None:
        return "open"
    minutes = int((end - start).total_seconds()) // 60
    days, rest = divmod(minutes, 1440)
    hours, minutes = divmod(rest, 60)
    if days:
        return f"{days}d {hours}h"
    return f"{hours}h {minutes:02d}m" if hours else f"{minutes}m"


def _timer_state(ticket: dict[str, Any], kind: str) -> str:
    states = [x["state"] for x in ticket["timers"] if x["kind"] == kind and not x["superseded"]]
    return states[-1] if states else ""


def tickets_command(
    workspace: WorkspaceOption = Path(),
    at: AtOption = None,
    customer: Annotated[
        str | None,
        typer.Option("--customer", metavar="NAME", help="Only this customer's tickets."),
    ] = None,
    created_from: Annotated[str | None, _instant("--from", "Created at or after")] = None,
    created_to: Annotated[str | None, _instant("--to", "Created before")] = None,
    still_open: Annotated[
        bool, typer.Option("--open", help="Only tickets not resolved yet.", show_default=False)
    ] = False,
    output: FormatOption = Format.TABLE,
) -> None:
    """Stored tickets by creation time, each with its support timers as of --at (what
    GET /api/v1/tickets answers; --open leaves out the resolved ones)."""
    from covenant.render.tables import Col, print_table
    from covenant.services.record_listing import OPERATOR, ticket_listing
    from covenant.services.store import open_existing
    from covenant.services.workspace import load_workspace

    instant = instant_option(at)
    lo = None if created_from is None else instant_option(created_from, option="--from")
    hi = None if created_to is None else instant_option(created_to, option="--to")
    _in_order(lo, hi)
    try:
        engine = open_existing(settings_for(workspace).database_url)
        found = ticket_listing(
            engine,
            workspace=load_workspace(workspace),
            principal=OPERATOR,
            at=instant,
            now=now(),
            customer=customer,
            created_from=lo,
            created_to=hi,
        )
    except CovenantError as error:
        raise fail(error) from None
    if still_open:
        found["items"] = [t for t in found["items"] if t["resolved"] is None]
    if output is Format.JSON:
        typer.echo(_json(found))
        return
    rows = [
        [
            t["id"],
            t["customer"],
            t["priority"],
            _utc(t["created"]),
            _utc(t["resolved"], date_only=True) or "open",
            _timer_state(t, "first-response"),
            _timer_state(t, "resolution"),
        ]
        for t in found["items"]
    ]
    cols = [
        Col("ticket", name=True),
        Col("customer", name=True),
        Col("prio", wrap=False),
        Col("created", wrap=False),
        Col("resolved", wrap=False),
        Col("response", wrap=False),
        Col("resolution", wrap=False),
    ]
    title = f"{len(rows)} ticket(s), times in UTC; timers as of {_utc(found['measured_until'])}"
    print_table(console, cols, rows, title=title)


def incidents_command(
    workspace: WorkspaceOption = Path(),
    start: Annotated[str | None, _instant("--from", "Overlapping from")] = None,
    end: Annotated[str | None, _instant("--to", "Overlapping up to")] = None,
    output: FormatOption = Format.TABLE,
) -> None:
    """Stored incidents overlapping [--from, --to), open ones included, by start (what
    GET /api/v1/incidents answers)."""
    from covenant.render.tables import Col, print_table
    from covenant.services.record_listing import OPERATOR, incident_listing
    from covenant.services.store import open_existing

    lo = None if start is None else instant_option(start, option="--from")
    hi = None if end is None else instant_option(end, option="--to")
    _in_order(lo, hi)
    try:
        engine = open_existing(settings_for(workspace).database_url)
        found = incident_listing(engine, principal=OPERATOR, now=now(), start=lo, end=hi)
    except CovenantError as error:
        raise fail(error) from None
    if output is Format.JSON:
        typer.echo(_json(found))
        return
    rows = []
    for i in found["items"]:
        flags = [
            name
            for name, on in (
                ("customer", i["customer_caused"]),
                ("force-majeure", i["force_majeure"]),
                ("planned", i["planned_maintenance"]),
            )
            if on
        ]
        rows.append(
            [
                i["id"],
                ", ".join(i["services"]),
                i["severity"] or "",
                _utc(i["start"]),
                _lasted(i["start"], i["end"]),
                ", ".join(flags),
            ]
        )
    cols = [
        Col("incident", name=True),
        Col("services"),
        Col("severity", wrap=False),
        Col("start (UTC)", wrap=False),
        Col("lasted", wrap=False),
        Col("caused by"),
    ]
    print_table(console, cols, rows, title=f"{len(rows)} incident(s)")


def _in_order(lo: datetime | None, hi: datetime | None) -> None:
    """--to before --from selects nothing: refused, naming both, rather than an empty list."""
    if lo is not None and hi is not None and hi < lo:
        raise fail(
            InputError(
                f"--to {hi.isoformat()} is before --from {lo.isoformat()}",
                hint="give --from at or before --to (or leave one out)",
            )
        )
