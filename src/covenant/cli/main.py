"""The ``covenant`` command: parse, call one service function, render.

Exit codes: 0 ok, 1 error, 2 usage, 3 ``evaluate --check`` found a breached or paging SLO,
4 ``evaluate --check`` had nothing to check (no SLO with data).
"""

from __future__ import annotations

import typer

from covenant.cli import (
    agreement_cmds,
    backtest_cmds,
    definitions_cmds,
    evaluate_cmds,
    exposure_cmds,
    ingest_cmds,
    lint_cmds,
    report_cmds,
)

app = typer.Typer(
    name="covenant",
    help="SLOs and SLAs managed together: error budgets, burn-rate alerts and contracts.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
definitions_cmds.register(app)
ingest_cmds.register(app)
evaluate_cmds.register(app)
agreement_cmds.register(app)
report_cmds.register(app)
lint_cmds.register(app)
backtest_cmds.register(app)
exposure_cmds.register(app)


def main() -> None:
    app()
