"""``covenant evaluate`` and ``covenant demo``."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from covenant.cli.common import WorkspaceOption, console, err_console, fail, settings_for
from covenant.cli.table_options import (
    ServiceFilter,
    SloFilter,
    WideOption,
    check_choices,
    status_filter,
    warn_unmatched,
)
from covenant.cli.when import AtOption, instant_option
from covenant.errors import CovenantError

if TYPE_CHECKING:
    from covenant.core.results import Evaluation
    from covenant.services.evaluate import EvaluationReport

CHECK_FAILED = 3
NOTHING_CHECKED = 4


class Format(StrEnum):
    TABLE = "table"
    JSON = "json"


FormatOption = Annotated[Format, typer.Option("--format", "-f", help="Output format.")]
SLO_STATUSES = ("breached", "paging", "warning", "ok", "no_data")
SloStatusFilter = Annotated[list[str] | None, status_filter(SLO_STATUSES, "SLOs")]


def register(app: typer.Typer) -> None:
    app.command("evaluate")(evaluate_command)
    app.command("demo")(demo_command)


def evaluate_command(
    workspace: WorkspaceOption = Path(),
    at: AtOption = None,
    output: FormatOption = Format.TABLE,
    check: Annotated[
        bool,
        typer.Option(
            "--check",
            help=f"Exit {CHECK_FAILED} if any SLO is breached or paging (after corrections), "
            f"{NOTHING_CHECKED} if there is nothing to check (no SLOs, or no data for any); "
            "the reasons go to stderr, one line per SLO. With filters, only the SLOs shown "
            "are checked.",
        ),
    ] = False,
    wide: WideOption = False,
    slo: SloFilter = None,
    service: ServiceFilter = None,
    status: SloStatusFilter = None,
) -> None:
    """Evaluate every SLO of the workspace: budgets, burn rates, firing alerts, status."""
    from covenant.services.evaluate import evaluate_workspace
    from covenant.services.selection import select_report
    from covenant.services.store import empty_store, open_existing, open_reader, store_missing
    from covenant.services.workspace import load_workspace

    instant = instant_option(at)
    statuses = check_choices(status, SLO_STATUSES)
    try:
        ws = load_workspace(workspace)
        url = settings_for(workspace).database_url
        # corrections are audited in the store (a write, skipped on a read-only store);
        # otherwise only bucket counts are read. No store is created: before any data every
        # SLO is no data (docs/errors.md#no-store).
        missing = store_missing(url)
        engine = (
            empty_store()
            if missing
            else (open_existing(url) if ws.corrections else open_reader(url))
        )
        report = evaluate_workspace(engine, workspace=ws, at=instant)
    except CovenantError as error:
        raise fail(error) from None
    if missing:
        err_console.print(
            f"note: no store yet at {url.removeprefix('sqlite:///')}: nothing has been "
            "ingested, so there is no data to evaluate (a command that only reads creates no "
            "store)",
            style="yellow",
            markup=False,
            highlight=False,
            soft_wrap=True,
        )
    if not ws.objectives and not ws.composites:
        err_console.print(
            f"warning: no SLO is defined in {workspace} — give -w the folder with your "
            "definitions, or run `covenant init DIR` for a starter workspace",
            style="yellow",
            markup=False,
            highlight=False,
            soft_wrap=True,
        )
    objectives = [e.objective for e in report.evaluations] + [
        c.evaluation.objective for c in report.composites
    ]
    warn_unmatched("--slo", slo, [n for o in objectives for n in (o.slo, o.key)])
    warn_unmatched("--service", service, [o.service for o in objectives])
    report = select_report(report, slos=slo or (), services=service or (), statuses=statuses)
    show(report.at, report.evaluations, output, report=report, wide=wide)
    if check and report.needs_attention:
        from covenant.render.evaluation_table import check_reasons, shown_rows

        rows = shown_rows(
            report.evaluations,
            corrected=report.corrected,
            composites=[(c.composite, c.evaluation, c.corrected) for c in report.composites],
        )
        for reason in check_reasons(rows):
            err_console.print(reason, markup=False, highlight=False, soft_wrap=True)
        raise typer.Exit(code=CHECK_FAILED)
    if check and report.checked == 0:
        err_console.print(
            "nothing was checked: no SLO "
            + ("matches the filters" if not report.effective else "has data at this instant")
            + f" (exit {NOTHING_CHECKED})",
            style="yellow",
            markup=False,
            highlight=False,
            soft_wrap=True,
        )
        raise typer.Exit(code=NOTHING_CHECKED)


def show(
    at: datetime,
    evaluations: tuple[Evaluation, ...],
    output: Format,
    *,
    report: EvaluationReport | None = None,
    wide: bool = False,
) -> None:
    corrected = report.corrected if report else ()
    composites = (
        [(c.composite, c.evaluation, c.corrected) for c in report.composites] if report else []
    )
    if output is Format.JSON:
        from covenant.render.evaluation import report_json
        from covenant.render.jsonout import write_json

        revisions = {}
        if report and report.audit:  # only corrections have revisions to name
            from covenant.services.corrections import revisions_by_hash

            revisions = revisions_by_hash(report.audit)
        write_json(
            report_json(
                at,
                evaluations,
                corrected=corrected,
                composites=composites,
                revisions=revisions,
            )
        )
    else:
        from covenant.render.evaluation_table import render_table  # rich loads for tables only

        render_table(
            console, at, evaluations, corrected=corrected, composites=composites, wide=wide
        )


DEMO_DIR = Path("covenant-demo")


def demo_command(
    directory: Annotated[
        Path | None,
        typer.Argument(
            help="Folder to write the example workspace into (shop/ and proposals/); "
            f"default ./{DEMO_DIR}.",
            show_default=False,
        ),
    ] = None,
    force: Annotated[
        bool,
        typer.Option(
            "--force", help="Write into a folder that is not empty (the demo's files are replaced)."
        ),
    ] = False,
    workspace: Annotated[
        Path | None,
        typer.Option(
            "--workspace",
            "-w",
            help="Instead of writing one, use this copy of the example workspace in place "
            "(its embedded store is rebuilt).",
            file_okay=False,
        ),
    ] = None,
    at: AtOption = None,
    days: Annotated[int, typer.Option(min=1, max=400, help="Days of traffic to generate.")] = 90,
    output: FormatOption = Format.TABLE,
    wide: WideOption = False,
) -> None:
    """Write the example shop, fill its store with generated traffic, then evaluate it."""
    from covenant.render.backtest import render_backtest_table
    from covenant.render.exposure import render_exposure_table
    from covenant.render.sla import render_statement_table
    from covenant.render.tables import line
    from covenant.services.demo import run_demo, write_demo

    instant = instant_option(at)
    if workspace is not None and directory is not None:
        raise typer.BadParameter("give a folder or --workspace, not both", param_hint="DIRECTORY")
    try:
        if workspace is None:
            workspace = write_demo(directory or DEMO_DIR, force=force)
        summary = run_demo(settings_for(workspace), at=instant, days=days)
    except CovenantError as error:
        raise fail(error) from None
    if output is Format.TABLE:
        console.print(
            line(
                ("Covenant demo", "bold"),
                f": {summary.series} series, {summary.buckets:,} one-minute "
                f"buckets ({summary.events:,} requests) over {days} days into {summary.database}",
            )
        )
    show(summary.report.at, summary.report.evaluations, output, report=summary.report, wide=wide)
    if output is Format.TABLE:
        for statement in summary.statements:
            console.print()
            render_statement_table(console, statement, wide=wide)
        if summary.exposure is not None:
            console.print()
            render_exposure_table(console, summary.exposure, wide=wide)
        if summary.backtest is not None:
            console.print()
            console.print(
                line(("Under negotiation", "bold"), ": Initech's premium amendment, backtested")
            )
            render_backtest_table(console, summary.backtest, wide=wide)
        console.print("\nNext, try:", style="bold")
        for command in (
            f"covenant evaluate -w {workspace}",
            f"covenant report sla -w {workspace} --customer globex --period this-month "
            "--format html -o statement.html",
            f"covenant explain {ERROR_EXAMPLE}",
        ):
            console.print(f"  {command}", markup=False, highlight=False, soft_wrap=True)


ERROR_EXAMPLE = "invalid-definition"
