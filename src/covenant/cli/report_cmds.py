"""``covenant report sla``: a customer's service level statement for one period."""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from covenant.cli.common import (
    ActorOption,
    AtOption,
    WorkspaceOption,
    console,
    err_console,
    fail,
    settings_for,
)
from covenant.cli.console import now
from covenant.cli.table_options import AgreementFilter, WideOption, check_choices, status_filter
from covenant.cli.when import instant_option, period_option, zone_of
from covenant.errors import CovenantError, InputError
from covenant.services.row_states import STATEMENT_STATES

if TYPE_CHECKING:
    from datetime import datetime

    from sqlalchemy import Engine

    from covenant.core.statement import Statement


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
    issue: Annotated[
        bool,
        typer.Option("--issue", help="Issue it: store it as the customer's copy (ended period)."),
    ] = False,
    force: Annotated[
        bool, typer.Option("--force", help="With --issue: issue a provisional statement too.")
    ] = False,
    reissue: Annotated[
        bool,
        typer.Option("--reissue", help="With --issue: a new revision of a changed statement."),
    ] = False,
    reason: Annotated[
        str | None, typer.Option("--reason", help="Why it is reissued (with --reissue).")
    ] = None,
    actor: ActorOption = None,
    live: Annotated[
        bool,
        typer.Option("--live", help="The statement computed now, even for an issued period."),
    ] = False,
    revision: Annotated[
        int | None,
        typer.Option(
            "--revision", min=1, metavar="N", help="That issued revision, not the latest."
        ),
    ] = None,
) -> None:
    """The customer's statement: levels, downtime and exclusions, credits, support, deadlines.

    --agreement and --status choose the commitments the table shows; the totals stay the whole
    statement's. JSON, HTML and PDF are the whole statement (they are sent to customers); a
    PDF needs -o FILE.

    An issued period (--issue) gives the issued copy (JSON: with `issued` and `restated`, how
    the statement computed now differs; the table: the figures computed now, the issue and
    its differences noted); --revision N that revision; --live the statement computed now."""
    from covenant.cli.day_minutes import with_minutes
    from covenant.render.sla import render_statement_table, statement_html
    from covenant.services.issued_statements import read_statement
    from covenant.services.selection import select_statement
    from covenant.services.store import open_existing
    from covenant.services.workspace import load_workspace

    if revision is not None and (issue or live):
        raise fail(
            InputError(
                "--revision reads an issued copy: it does not go with --issue or --live",
                hint="drop --revision, or --issue and --live",
            )
        )
    if issue:
        from covenant.cli.report_issue import issue_command

        issue_command(
            workspace,
            customer,
            period,
            actor=actor,
            force=force,
            reissue=reissue,
            reason=reason,
            live=live,
            at=at,
            as_json=output_format is StatementFormat.JSON,
            other=output is not None
            or output_format in (StatementFormat.HTML, StatementFormat.PDF),
        )
        return
    if force or reissue or reason is not None:
        raise fail(
            InputError(
                "--force, --reissue and --reason go with --issue",
                hint="add --issue, or drop them to read the statement",
            )
        )
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
        found = with_minutes(  # days stored as sums only: their minutes read first
            workspace,
            lambda: read_statement(
                engine,
                workspace=ws,
                customer=customer,
                period=period,
                at=instant,
                now=now(),
                staff=True,
                live=live or (output_format is StatementFormat.TABLE and output is None),
                revision=None if output_format is StatementFormat.TABLE else revision,
            ),
        )
    except CovenantError as error:
        raise fail(error) from None
    statement = found.live
    if output_format is StatementFormat.TABLE and output is None:
        assert statement is not None
        selected = bool(agreement or statuses)
        shown = select_statement(statement, agreements=agreement or (), statuses=statuses)
        render_statement_table(console, shown, wide=wide, selected=selected)
        issued_note(engine, statement, live=live, revision=revision, at=instant)
        return
    missing = ""  # characters no installed font draws in the PDF
    if output_format is StatementFormat.PDF:
        from covenant.render.statement_doc import pdf_and_missing_glyphs

        page = statement_html(statement) if statement else found.issued_html()
        try:
            content, missing = pdf_and_missing_glyphs(page)
        except CovenantError as error:  # pdf-unavailable: no Pango; nothing written
            raise fail(error) from None
    else:
        text = (
            (statement_html(statement) if statement else found.issued_html())
            if output_format is StatementFormat.HTML
            else json.dumps(found.json(), indent=2)
        )
        if output is None:
            typer.echo(text)
            return
        content = text.encode("utf-8")
    assert output is not None
    from covenant.services.generated_files import write_replacing

    try:  # whole or not at all: a kill halfway never leaves half a statement to send
        write_replacing(output, [content])
    except OSError as exc:
        raise fail(
            InputError(
                f"cannot write {output}: {exc.strerror or exc}",
                hint="check that the folder exists and is writable",
            )
        ) from None
    # on stderr, as export openslo says it: stdout is for the documents
    err_console.print(f"wrote {output}", markup=False, highlight=False, soft_wrap=True)
    if missing:
        from covenant.render.statement_doc import missing_glyphs_warning

        err_console.print(missing_glyphs_warning(missing), markup=False, highlight=False)


def issued_note(
    engine: Engine, statement: Statement, *, live: bool, revision: int | None, at: datetime
) -> None:
    """Below the table: the period's revision issued at or before ``at`` (``revision``: that
    one), if any, as the JSON gives it, and how the figures above (as computed) differ from
    it; nothing for a period not issued by then or with --live."""
    from covenant.core.timeutil import utc_text
    from covenant.services.issued_statements import issued_revisions, numbered, restatement_of
    from covenant.services.restatement import change_text

    if live:
        return
    try:
        found = issued_revisions(  # as the JSON: the revision issued at or before --at
            engine,
            customer=statement.customer,
            period=statement.period_label,
            at=None if revision is not None else at,
        )
        if revision is not None:
            which = f"{statement.customer} {statement.period_label}"
            found = [numbered(found, revision, at=at, which=which)]
    except CovenantError as error:
        raise fail(error) from None
    if not found:
        return
    last = found[-1]
    restated = restatement_of(last, statement)
    head = f"issued {utc_text(last.issued_at)}, revision {last.revision}, sha256 {last.digest}"
    if not restated["differs"]:
        console.print(f"{head}: the figures above are the issued ones", markup=False)
        return
    console.print(
        f"{head}; the figures above are computed now and differ from it "
        "(--format json gives the issued copy):",
        markup=False,
    )
    for change in restated["changes"]:
        console.print(f"  {change_text(change)}", markup=False, highlight=False)
