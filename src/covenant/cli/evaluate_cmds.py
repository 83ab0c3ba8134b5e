"""``covenant evaluate`` and ``covenant demo``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from covenant.cli.common import (
    AtOption,
    WorkspaceOption,
    console,
    fail,
    settings_for,
    workspace_folder,
)
from covenant.cli.evaluate_run import (
    CHECK_FAILED,
    NOTHING_CHECKED,
    SLO_STATUSES,
    Format,
    run_evaluate,
    show,
)
from covenant.cli.options import count_option
from covenant.cli.table_options import ServiceFilter, SloFilter, WideOption, status_filter
from covenant.cli.when import instant_option
from covenant.errors import CovenantError

FormatOption = Annotated[Format, typer.Option("--format", "-f", help="Output format.")]
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
    read: Annotated[
        bool | None,
        typer.Option(
            "--read/--no-read",
            help="Before evaluating, read each SLI's Prometheus DataSource up to --at: by "
            "default only the SLIs read before (caught up from their last read); --read "
            "every one (a first read: its whole window); --no-read none (the store as it is).",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Evaluate every SLO of the workspace: budgets, burn rates, firing alerts, status."""
    code = run_evaluate(
        workspace=workspace,
        at=at,
        output=output,
        check=check,
        wide=wide,
        slo=slo,
        service=service,
        status=status,
        read=read,
    )
    if code:
        raise typer.Exit(code=code)


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
            metavar="<dir>",
            callback=workspace_folder,
        ),
    ] = None,
    at: AtOption = None,
    days: Annotated[
        str, typer.Option("--days", metavar="N", help="Days of traffic to generate (1–400).")
    ] = "90",
    output: FormatOption = Format.TABLE,
    wide: WideOption = False,
) -> None:
    """Write the example shop, fill its store with generated traffic, then evaluate it."""
    from covenant.render.backtest import render_backtest_table
    from covenant.render.exposure import render_exposure_table
    from covenant.render.sla import render_statement_table
    from covenant.render.tables import line
    from covenant.services.demo import WORKSPACE, check_target, run_demo

    instant = instant_option(at)
    span = count_option(days, option="--days", example="35", most=400)
    assert span is not None
    if workspace is not None and directory is not None:
        raise typer.BadParameter("give a folder or --workspace, not both", param_hint="DIRECTORY")
    try:
        target = None
        if workspace is None:
            target = directory or DEMO_DIR
            check_target(target, force=force)
            workspace = target / WORKSPACE
        summary = run_demo(settings_for(workspace), at=instant, days=span, write_into=target)
    except CovenantError as error:
        raise fail(error) from None
    if output is Format.TABLE:
        console.print(
            line(
                ("Covenant demo", "bold"),
                f": {summary.series} series, {summary.buckets:,} one-minute "
                f"buckets ({summary.events:,} requests) over {span} days into {summary.database}",
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
            f"covenant report sla -w {workspace} --customer globex \\\n"  # 80 columns
            "    --period last-month --format pdf -o statement.pdf",
            f"covenant explain {ERROR_EXAMPLE}",
        ):
            console.print(f"  {command}", markup=False, highlight=False, soft_wrap=True)


ERROR_EXAMPLE = "invalid-definition"
