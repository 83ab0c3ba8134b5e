"""``covenant exposure``: every agreement's current period, projected, with the money at risk."""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from covenant.cli.common import AtOption, WorkspaceOption, console, err_console, fail, settings_for
from covenant.cli.console import now
from covenant.cli.table_options import (
    AgreementFilter,
    CustomerFilter,
    WideOption,
    check_choices,
    status_filter,
    warn_unmatched,
)
from covenant.cli.when import instant_option
from covenant.errors import CovenantError
from covenant.services.row_states import EXPOSURE_STATES


class ExposureFormat(StrEnum):
    TABLE = "table"
    JSON = "json"


def register(app: typer.Typer) -> None:
    app.command("exposure")(exposure_command)


def exposure_command(
    workspace: WorkspaceOption = Path(),
    at: AtOption = None,
    output_format: Annotated[
        ExposureFormat, typer.Option("--format", "-f", help="Output format.")
    ] = ExposureFormat.TABLE,
    wide: WideOption = False,
    customer: CustomerFilter = None,
    agreement: AgreementFilter = None,
    status: Annotated[
        list[str] | None,
        status_filter(
            EXPOSURE_STATES,
            "commitments (owed: a credit is locked in, or a support penalty is owed so far; "
            "at-risk: one may still come; ok: none even in the worst case; no-forecast: also "
            "support without tickets)",
        ),
    ] = None,
) -> None:
    """Forecast each agreement's current period: level, tier chances, credit at risk, alerts,
    and the support penalties owed so far and if every open ticket timer breached.

    Filters choose the commitments shown (table and JSON); the totals then are left out of
    the table, and the JSON's portfolio totals stay the whole portfolio's."""
    from covenant.cli.day_minutes import with_minutes
    from covenant.render.exposure import exposure_json, not_yet, render_exposure_table
    from covenant.services.exposure import exposure
    from covenant.services.selection import select_exposure
    from covenant.services.store import open_existing
    from covenant.services.workspace import load_workspace

    instant = instant_option(at)
    statuses = check_choices(status, EXPOSURE_STATES)
    selected = bool(customer or agreement or statuses)
    try:
        ws = load_workspace(workspace)
        engine = open_existing(settings_for(workspace).database_url)
        try:
            # days stored as sums only (a first read by days): their minutes read first
            result = with_minutes(
                workspace, lambda: exposure(engine, workspace=ws, at=instant, now=now())
            )
        finally:
            engine.dispose()
    except CovenantError as error:
        raise fail(error) from None
    warn_unmatched(
        "--customer", customer, [n for c in result.customers for n in (c.customer, c.customer_name)]
    )
    warn_unmatched(
        "--agreement",
        agreement,
        [m.agreement for c in result.customers for m in c.commitments]
        + [s.agreement for c in result.customers for s in c.support],
    )
    result = select_exposure(
        result, customers=customer or (), agreements=agreement or (), statuses=statuses
    )
    if note := not_yet(result):  # an --at after now: measured up to now, forecast from there
        err_console.print(
            f"note: {note}",
            style="yellow",
            markup=False,
            highlight=False,
            soft_wrap=True,
        )
    if output_format is ExposureFormat.JSON:
        typer.echo(json.dumps(exposure_json(result), indent=2))
    else:
        render_exposure_table(console, result, wide=wide, selected=selected)
