"""``covenant report sla``: a customer's service level statement for one period."""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from covenant.cli.common import AtOption, WorkspaceOption, console, fail, settings_for
from covenant.cli.console import now
from covenant.cli.table_options import AgreementFilter, WideOption, check_choices, status_filter
from covenant.cli.when import instant_option, period_option, zone_of
from covenant.errors import CovenantError, InputError
from covenant.services.row_states import STATEMENT_STATES


class StatementFormat(StrEnum):
    TABLE = "table"
    JSON = "json"
    HTML = "html"
    PDF = "pdf"


def register(app: typer.Typer) -> None:
    report = typer.Typer(help="Reports for customers and finance.", no_args_is_help=True)
    report.command("sla")(sla_command)
    app.add_typer(report, name="report")


def sla_command(
    customer: Annotated[str, typer.Option("--customer", "-c", help="Customer name.")],
    period: Annotated[
        str,
        typer.Option(
            "--period",
            "-p",
            metavar="PERIOD",
            help="Reporting period: 2026-10, 2026-Q4, this-month, last-month, this-quarter, "
            "last-quarter, -3M (relative to --at, in the agreement's time zone).",
        ),
    ],
    workspace: WorkspaceOption = Path(),
    at: AtOption = None,
    output_format: Annotated[
        StatementFormat, typer.Option("--format", "-f", help="Output format.")
    ] = StatementFormat.TABLE,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write to this file instead.")
    ] = None,
    wide: WideOption = False,
    agreement: AgreementFilter = None,
    status: Annotated[
        list[str] | None, status_filter(STATEMENT_STATES, "commitments (table only)")
    ] = None,
) -> None:
    """The customer's statement: levels, downtime and exclusions, credits, support, deadlines.

    --agreement and --status choose the commitments the table shows; the totals stay the whole
    statement's. JSON, HTML and PDF are the whole statement (they are sent to customers); a
    PDF needs -o FILE."""
    from covenant.cli.day_minutes import with_minutes
    from covenant.render.sla import render_statement_table, statement_html, statement_json
    from covenant.services.selection import select_statement
    from covenant.services.sla import report_statement
    from covenant.services.store import open_existing
    from covenant.services.workspace import load_workspace

    instant = instant_option(at)
    if output_format is StatementFormat.PDF and output is None:
        raise fail(
            InputError(
                "a PDF statement is written to a file",
                hint="add -o FILE, e.g. --format pdf -o statement.pdf",
            )
        )
    statuses = check_choices(status, STATEMENT_STATES)
    period_option(period, reference=instant)  # a usage error before any work
    try:
        ws = load_workspace(workspace)
        zone = zone_of([v.zone for v in ws.agreements if v.customer == customer])
        period = period_option(period, reference=instant, zone=zone)
        engine = open_existing(settings_for(workspace).database_url)
        statement = with_minutes(  # days stored as sums only: their minutes read first
            workspace,
            lambda: report_statement(
                engine, workspace=ws, customer=customer, period=period, at=instant, now=now()
            ),
        )
    except CovenantError as error:
        raise fail(error) from None
    if output_format is StatementFormat.TABLE and output is None:
        selected = bool(agreement or statuses)
        shown = select_statement(statement, agreements=agreement or (), statuses=statuses)
        render_statement_table(console, shown, wide=wide, selected=selected)
        return
    if output_format is StatementFormat.PDF:
        from covenant.render.sla import statement_pdf

        content = statement_pdf(statement)
    else:
        text = (
            statement_html(statement)
            if output_format is StatementFormat.HTML
            else json.dumps(statement_json(statement), indent=2)
        )
        if output is None:
            typer.echo(text)
            return
        content = text.encode("utf-8")
    assert output is not None
    try:
        output.write_bytes(content)
    except OSError as exc:
        raise fail(
            InputError(
                f"cannot write {output}: {exc.strerror or exc}",
                hint="check that the folder exists and is writable",
            )
        ) from None
    console.print(f"wrote {output}", markup=False, highlight=False)
