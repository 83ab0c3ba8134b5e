"""``covenant report sla --issue``: store a customer's statement for an ended period as issued."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from covenant.cli.common import cli_actor, console, fail, settings_for
from covenant.cli.console import now
from covenant.cli.when import period_option, zone_of
from covenant.errors import CovenantError, InputError


def issue_command(
    workspace: Path,
    customer: str,
    period: str,
    *,
    actor: str | None,
    force: bool,
    reissue: bool,
    reason: str | None,
    live: bool,
    at: str | None,
    as_json: bool = False,
    other: bool = False,
) -> None:
    """Issue the statement as computed now; print the revision stored and its digest (``as_json``:
    as the API's issue route answers). ``other``: --format html|pdf or -o, refused."""
    from covenant.cli.day_minutes import with_minutes
    from covenant.core.timeutil import utc_text
    from covenant.services.issued_statements import issue_statement
    from covenant.services.store import open_store
    from covenant.services.workspace import load_workspace

    if at is not None or live:
        raise fail(
            InputError(
                "--issue issues the statement as it is now: --at and --live do not go with it",
                hint="drop --at and --live",
            )
        )
    if other:
        raise fail(
            InputError(
                "--issue prints the revision it stored (--format json: as JSON); it writes no "
                "HTML, PDF or -o file",
                hint="issue first, then `covenant report sla … --format html|pdf -o FILE` gives "
                "the issued copy",
            )
        )
    instant = now()
    period_option(period, reference=instant)  # a usage error before any work
    try:
        ws = load_workspace(workspace)
        zone = zone_of([v.zone for v in ws.agreements if v.customer == customer])
        period = period_option(period, reference=instant, zone=zone)
        engine = open_store(settings_for(workspace).database_url)
        try:
            made = with_minutes(
                workspace,
                lambda: issue_statement(
                    engine,
                    workspace=ws,
                    customer=customer,
                    period=period,
                    now=instant,
                    actor=cli_actor(actor),
                    force=force,
                    reissue=reissue,
                    reason=reason,
                ),
            )
        finally:
            engine.dispose()
    except CovenantError as error:
        raise fail(error) from None
    issued = made.issued
    if as_json:
        typer.echo(json.dumps(made.json(customer), indent=2))
        return
    state = "" if issued.complete else " (provisional: issued with --force)"
    replaces = "" if made.replaces is None else f", replacing revision {made.replaces.revision}"
    console.print(
        f"issued {customer} {issued.period} revision {issued.revision} at "
        f"{utc_text(issued.issued_at)}{replaces}{state}\nsha256 {issued.digest}",
        markup=False,
        highlight=False,
    )
