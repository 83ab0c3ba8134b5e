"""``covenant tickets create|update|pause|resume`` and ``covenant incidents create|update``:
one ticket or incident written as the API's write routes write it (``POST``/``PATCH
/api/v1/tickets``, a ticket's ``pause``/``resume``, ``POST``/``PATCH /api/v1/incidents``) —
the same services (``services.record_changes``), each change in the audit log under
``--actor``. Instants are read as the API reads a record's (``services.record_instant``).
``-f json`` prints the API's answer; a refusal names the option it is about and the fix."""

from __future__ import annotations

import re
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from covenant.cli.common import ActorOption, WorkspaceOption, cli_actor, fail, now, settings_for
from covenant.cli.console import usage
from covenant.cli.record_cmds import Format, FormatOption, _json
from covenant.errors import CovenantError, InputError

OPTIONS = {  # a service's field (``CovenantError.field``) → the option that gives it
    "id": "ID",
    "customer": "--customer",
    "priority": "--priority",
    "created": "--created",
    "first_response": "--first-response",
    "resolved": "--resolved",
    "status": "--status",
    "services": "--service",
    "customers": "--customer",
    "start": "--start",
    "end": "--end",
    "severity": "--severity",
}
_API_WORDS = (  # the API's wording in a service's hint → the command that does the same
    (re.compile(r"PATCH /api/v1/(tickets|incidents)/(\S+)"), r"covenant \1 update \2"),
    (re.compile(r"GET /api/v1/(tickets|incidents) lists the \w+"), r"covenant \1 list shows them"),
)


def _inst(flag: str, what: str) -> Any:
    return typer.Option(
        flag,
        metavar="INSTANT",
        help=f"{what}: ISO-8601 with Z or an offset, an epoch number, now, -2h.",
        show_default=False,
    )


IdArg = Annotated[str, typer.Argument(metavar="ID", help="The record's id.", show_default=False)]
Priority = Annotated[str | None, typer.Option("--priority", metavar="LABEL", help="P1, P2…")]
FirstResponse = Annotated[str | None, _inst("--first-response", "First answered")]
Resolved = Annotated[str | None, _inst("--resolved", "Resolved")]
MoveAt = Annotated[str | None, _inst("--at", "When it moved (default now)")]


def register(tickets: typer.Typer, incidents: typer.Typer) -> None:
    tickets.command("create")(ticket_create)
    tickets.command("update")(ticket_update)
    tickets.command("pause")(ticket_pause)
    tickets.command("resume")(ticket_resume)
    incidents.command("create")(incident_create)
    incidents.command("update")(incident_update)


def _refused(error: CovenantError, *, at_option: str = "--at") -> typer.Exit:
    """``fail`` for a service's error, its message led by the option it is about and its hint
    in the command line's words (``covenant tickets update X``, not ``PATCH …``)."""
    option = at_option if error.field == "at" else OPTIONS.get(error.field, "")
    if option and option not in error.message:
        error.message = f"{option}: {error.message}"
        error.args = (error.message,)
    for pattern, words in _API_WORDS:
        error.hint = pattern.sub(words, error.hint)
    error.template = None
    return fail(error)


def _instant(value: str | None, option: str, moment: datetime) -> datetime | None:
    from covenant.services.record_instant import record_instant

    return None if value is None else record_instant(value, now=moment, name=option)


def _engine(workspace: Path) -> Any:
    from covenant.services.store import open_existing

    return open_existing(settings_for(workspace).database_url)


def _ticket_out(engine: Any, workspace: Path, ticket: Any, at: datetime, output: Format) -> None:
    """The API's answer under ``-f json`` (the ticket with its timers as of ``at``), else a
    line that names the ticket and its status."""
    if output is Format.JSON:
        from covenant.services.record_listing import tickets_json
        from covenant.services.workspace import load_workspace

        found = tickets_json(
            engine, workspace=load_workspace(workspace), tickets=[ticket], at=at, now=now()
        )
        typer.echo(_json(found[0]))
        return
    status = ticket.history[-1].status if ticket.history else "open"
    typer.echo(f"ticket {ticket.id} ({ticket.customer}, {ticket.priority}): {status}")


def ticket_create(
    ticket_id: IdArg,
    customer: Annotated[
        str, typer.Option("--customer", metavar="NAME", help="A Customer of the workspace.")
    ],
    priority: Annotated[str, typer.Option("--priority", metavar="LABEL", help="P1, P2…")],
    created: Annotated[str, _inst("--created", "Opened")],
    first_response: FirstResponse = None,
    resolved: Resolved = None,
    workspace: WorkspaceOption = Path(),
    actor: ActorOption = None,
    output: FormatOption = Format.TABLE,
) -> None:
    """Record one ticket, as POST /api/v1/tickets: its history starts open at --created."""
    from covenant.core.tickets import Ticket
    from covenant.services.record_changes import create_ticket, ticket_label
    from covenant.services.workspace import load_workspace

    moment = now()
    try:
        ticket = Ticket(  # the priority checked as given: the ticket strips it
            id=ticket_id,
            customer=customer,
            priority=ticket_label(priority, "priority"),
            created=_instant(created, "--created", moment),  # type: ignore[arg-type]
            first_response=_instant(first_response, "--first-response", moment),
            resolved=_instant(resolved, "--resolved", moment),
        )
        engine = _engine(workspace)
        customers = [c.name for c in load_workspace(workspace).customers]
        made = create_ticket(
            engine, ticket=ticket, customers=customers, at=moment, actor=cli_actor(actor)
        )
    except CovenantError as error:  # nothing written
        raise _refused(error) from None
    _ticket_out(engine, workspace, made, moment, output)


def ticket_update(
    ticket_id: IdArg,
    priority: Priority = None,
    first_response: FirstResponse = None,
    resolved: Resolved = None,
    status: Annotated[
        str | None,
        typer.Option("--status", metavar="STATUS", help="Append this status to its history."),
    ] = None,
    status_at: Annotated[str | None, _inst("--status-at", "When --status began (default now)")] = (
        None
    ),
    workspace: WorkspaceOption = Path(),
    actor: ActorOption = None,
    output: FormatOption = Format.TABLE,
) -> None:
    """Change one ticket, as PATCH /api/v1/tickets/ID: what is given is changed, the rest
    kept; --status appends a status change (after its last one)."""
    from covenant.core.tickets import StatusChange
    from covenant.services.record_changes import ticket_label, update_ticket

    if status is None and status_at is not None:
        raise usage(InputError("--status-at without --status", hint="give --status STATUS too"))
    if (priority, first_response, resolved, status) == (None, None, None, None):
        raise usage(
            InputError(
                "nothing to change",
                hint="give --priority, --first-response, --resolved or --status",
            )
        )
    moment = now()
    try:
        change = None
        if status is not None:
            when = _instant(status_at, "--status-at", moment) or moment
            change = StatusChange(at=when, status=ticket_label(status, "status"))
        engine = _engine(workspace)
        changed = update_ticket(
            engine,
            ticket_id=ticket_id,
            at=moment,
            priority=priority,
            first_response=_instant(first_response, "--first-response", moment),
            resolved=_instant(resolved, "--resolved", moment),
            status=change,
            actor=cli_actor(actor),
        )
    except CovenantError as error:  # nothing written
        raise _refused(error, at_option="--status-at") from None
    _ticket_out(engine, workspace, changed, moment, output)


def ticket_pause(
    ticket_id: IdArg,
    status: Annotated[
        str | None,
        typer.Option(
            "--status", metavar="STATUS", help="A pause state (default: the agreements' first)."
        ),
    ] = None,
    at: MoveAt = None,
    workspace: WorkspaceOption = Path(),
    actor: ActorOption = None,
    output: FormatOption = Format.TABLE,
) -> None:
    """Pause one ticket's timers, as POST /api/v1/tickets/ID/pause: into a pause state of
    its customer's agreements (it waits on the customer)."""
    from covenant.services.record_changes import pause_ticket

    _move(pause_ticket, ticket_id, status, at, workspace, actor, output)


def ticket_resume(
    ticket_id: IdArg,
    status: Annotated[
        str, typer.Option("--status", metavar="STATUS", help="The status it moves to.")
    ] = "open",
    at: MoveAt = None,
    workspace: WorkspaceOption = Path(),
    actor: ActorOption = None,
    output: FormatOption = Format.TABLE,
) -> None:
    """Resume one paused ticket, as POST /api/v1/tickets/ID/resume: its timers run again."""
    from covenant.services.record_changes import resume_ticket

    _move(resume_ticket, ticket_id, status, at, workspace, actor, output)


def _move(
    move: Any,
    ticket_id: str,
    status: str | None,
    at: str | None,
    workspace: Path,
    actor: str | None,
    output: Format,
) -> None:
    from covenant.services.agreements import with_recorded_agreements
    from covenant.services.workspace import load_workspace

    current = now()
    try:
        moment = _instant(at, "--at", current) or current
        engine = _engine(workspace)
        versions = with_recorded_agreements(engine, load_workspace(workspace)).agreements
        moved = move(
            engine,
            ticket_id=ticket_id,
            at=moment,
            versions=versions,
            status=status,
            actor=cli_actor(actor),
        )
    except CovenantError as error:  # nothing written
        raise _refused(error) from None
    _ticket_out(engine, workspace, moved, max(moment, current), output)


def _incident_out(incident: Any, output: Format) -> None:
    from covenant.services.record_listing import incident_json

    if output is Format.JSON:
        typer.echo(_json(incident_json(incident)))
        return
    state = "open" if incident.end is None else f"ended {incident.end:%Y-%m-%d %H:%M} UTC"
    typer.echo(f"incident {incident.id} ({', '.join(incident.services)}): {state}")


Services = Annotated[
    list[str] | None,
    typer.Option("--service", metavar="NAME", help="A service it hit (repeatable)."),
]
Customers = Annotated[
    list[str] | None,
    typer.Option("--customer", metavar="NAME", help="Only these customers (repeatable)."),
]


class YesNo(StrEnum):
    YES = "yes"
    NO = "no"


def _flag(name: str, what: str) -> Any:
    return typer.Option(f"--{name}", help=what)


def _yes_no(name: str, what: str) -> Any:
    return typer.Option(f"--{name}", metavar="yes|no", help=what, show_default=False)


def _answer(given: YesNo | None) -> bool | None:
    return None if given is None else given is YesNo.YES


def incident_create(
    incident_id: IdArg,
    service: Services = None,
    start: Annotated[str | None, _inst("--start", "Began")] = None,
    end: Annotated[str | None, _inst("--end", "Ended (none: still open)")] = None,
    severity: Annotated[
        str,
        typer.Option(
            "--severity",
            metavar="LABEL",
            help="sev1, sev2… (none unless given, as a file row).",
            show_default=False,
        ),
    ] = "",
    customer_caused: Annotated[bool, _flag("customer-caused", "The customer caused it.")] = False,
    force_majeure: Annotated[bool, _flag("force-majeure", "Force majeure.")] = False,
    planned: Annotated[bool, _flag("planned-maintenance", "Planned maintenance.")] = False,
    customer: Customers = None,
    workspace: WorkspaceOption = Path(),
    actor: ActorOption = None,
    output: FormatOption = Format.TABLE,
) -> None:
    """Record one incident, as POST /api/v1/incidents (open while it has no --end)."""
    from covenant.core.agreements import Incident
    from covenant.services.record_changes import create_incident
    from covenant.services.workspace import load_workspace

    if not service:
        raise usage(InputError("no --service", hint="name a service it hit: --service NAME"))
    if start is None:
        raise usage(InputError("no --start", hint="give when it began: --start INSTANT"))
    moment = now()
    try:
        incident = Incident(
            id=incident_id,
            services=tuple(service),
            start=_instant(start, "--start", moment),  # type: ignore[arg-type]
            end=_instant(end, "--end", moment),
            severity=severity,
            customer_caused=customer_caused,
            force_majeure=force_majeure,
            planned_maintenance=planned,
            customers=tuple(customer or ()),
        )
        engine = _engine(workspace)
        customers = [c.name for c in load_workspace(workspace).customers]
        made = create_incident(
            engine, incident=incident, customers=customers, at=moment, actor=cli_actor(actor)
        )
    except CovenantError as error:  # nothing written
        raise _refused(error) from None
    _incident_out(made, output)


def incident_update(
    incident_id: IdArg,
    end: Annotated[str | None, _inst("--end", "Ended")] = None,
    severity: Annotated[
        str | None, typer.Option("--severity", metavar="LABEL", help="Re-rate it: sev1, sev2…")
    ] = None,
    service: Annotated[
        list[str] | None,
        typer.Option("--service", metavar="NAME", help="Its services, all (repeatable)."),
    ] = None,
    customer_caused: Annotated[
        YesNo | None, _yes_no("customer-caused", "The customer caused it.")
    ] = None,
    force_majeure: Annotated[YesNo | None, _yes_no("force-majeure", "Force majeure.")] = None,
    planned: Annotated[YesNo | None, _yes_no("planned-maintenance", "Planned maintenance.")] = None,
    customer: Annotated[
        list[str] | None,
        typer.Option("--customer", metavar="NAME", help="Its customers, all (repeatable)."),
    ] = None,
    workspace: WorkspaceOption = Path(),
    actor: ActorOption = None,
    output: FormatOption = Format.TABLE,
) -> None:
    """Change one incident, as PATCH /api/v1/incidents/ID: end it (--end), re-rate it, name
    its services or customers; what is not given is kept."""
    from covenant.services.record_changes import update_incident
    from covenant.services.workspace import load_workspace

    given = (end, severity, service, customer_caused, force_majeure, planned, customer)
    if all(x is None for x in given):
        raise usage(InputError("nothing to change", hint="give --end, --severity or another"))
    moment = now()
    try:
        engine = _engine(workspace)
        changed = update_incident(
            engine,
            incident_id=incident_id,
            at=moment,
            customers_known=[c.name for c in load_workspace(workspace).customers],
            actor=cli_actor(actor),
            services=None if not service else tuple(service),
            end=_instant(end, "--end", moment),
            severity=severity,
            customer_caused=_answer(customer_caused),
            force_majeure=_answer(force_majeure),
            planned_maintenance=_answer(planned),
            customers=None if customer is None else tuple(customer),
        )
    except CovenantError as error:  # nothing written
        raise _refused(error) from None
    _incident_out(changed, output)
