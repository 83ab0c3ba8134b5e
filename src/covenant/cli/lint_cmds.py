"""``covenant lint``: is every SLA commitment backed by a stricter SLO? (docs/lint.md)

Exit codes: 0 no errors (warnings allowed), 1 at least one error (with ``--strict``: any
finding) or an invalid workspace, 2 usage.
"""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from covenant.cli.common import (
    WhenNoPathsOption,
    console,
    definition_sources,
    err_console,
    fail,
    usage,
)
from covenant.cli.table_options import AgreementFilter, WideOption
from covenant.errors import CovenantError, OptionValueError

DEFAULT_MARGIN_TEXT = "0.05"
"""``points(core.lint_findings.DEFAULT_MARGIN)``, written out for the help: the lint code
loads when lint runs, not to build the CLI (a test keeps them equal)."""


class Format(StrEnum):
    TABLE = "table"
    JSON = "json"


def register(app: typer.Typer) -> None:
    """Add ``covenant lint`` to ``app``."""
    app.command("lint")(lint_command)


def lint_command(
    ctx: typer.Context,
    paths: Annotated[
        list[Path] | None,
        typer.Argument(help="Workspace folders or definition files (default: --workspace)."),
    ] = None,
    workspace: WhenNoPathsOption = Path(),
    output: Annotated[Format, typer.Option("--format", "-f", help="Output format.")] = (
        Format.TABLE
    ),
    margin: Annotated[
        str | None,
        typer.Option(
            "--margin",
            help="Required margin in percentage points (0.05: an SLO of 99.95 % may back "
            "99.9 %). Default: the workspace's Settings requiredMargin, else "
            f"{DEFAULT_MARGIN_TEXT}. An Agreement's covenant.dev/required-margin "
            "annotation overrides both.",
        ),
    ] = None,
    strict: Annotated[
        bool, typer.Option("--strict", help="Fail (exit 1) on warnings too.")
    ] = False,
    wide: WideOption = False,
    agreement: AgreementFilter = None,
) -> None:
    """Check that every SLA commitment is backed by a stricter SLO. Exit 1 on errors.

    With --agreement only the findings of those agreements are shown and judged."""
    from covenant.core.lint import failed
    from covenant.render.lint import lint_json, render_lint_table
    from covenant.services.lint import lint_paths, parse_margin
    from covenant.services.selection import matches

    sources = definition_sources(ctx, paths, workspace)
    try:
        given = None if margin is None else parse_margin(margin)
    except ValueError as exc:
        raise usage(
            OptionValueError(f"--margin {exc}", hint="write percentage points, e.g. --margin 0.05")
        ) from None
    try:
        findings, required, checked = lint_paths(sources, required_margin=given)
    except CovenantError as exc:
        raise fail(exc) from exc
    if not checked:  # "ok" alone would read as every commitment backed
        where = ", ".join(str(s) for s in sources)
        err_console.print(
            f"warning: no agreement is defined in {where}: nothing to check — give -w the "
            "folder with your covenant/v1 Agreement definitions (docs/agreements.md)",
            style="yellow",
            markup=False,
            highlight=False,
            soft_wrap=True,
        )
    findings = [f for f in findings if matches((f.agreement,), agreement or ())]
    if output is Format.JSON:
        typer.echo(json.dumps(lint_json(findings, margin=required, strict=strict), indent=2))
    else:
        render_lint_table(findings, out=console, margin=required, strict=strict, wide=wide)
    if failed(findings, strict=strict):
        raise typer.Exit(code=1)
