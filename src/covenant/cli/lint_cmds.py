"""``covenant lint``: is every SLA commitment backed by a stricter SLO? (docs/lint.md)

Exit codes: 0 no errors (warnings allowed), 1 at least one error (with ``--strict``: any
finding) or an invalid workspace, 2 usage.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from enum import StrEnum
from fractions import Fraction
from itertools import groupby
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.text import Text

from covenant.cli.common import console, fail
from covenant.cli.table_options import AgreementFilter, WideOption
from covenant.core.lint_findings import DEFAULT_MARGIN, Finding, points
from covenant.errors import CovenantError, docs_anchor, explain_command

SCHEMA = "covenant.lint/v1"


class Format(StrEnum):
    TABLE = "table"
    JSON = "json"


def register(app: typer.Typer) -> None:
    """Add ``covenant lint`` to ``app``."""
    app.command("lint")(lint_command)


def lint_command(
    paths: Annotated[
        list[Path] | None,
        typer.Argument(help="Workspace folders or definition files (default: --workspace)."),
    ] = None,
    workspace: Annotated[
        Path,
        typer.Option(
            "--workspace",
            "-w",
            help="Workspace folder, when no PATH is given.",
            file_okay=False,
            envvar="COVENANT_WORKSPACE",
        ),
    ] = Path(),
    output: Annotated[Format, typer.Option("--format", "-f", help="Output format.")] = (
        Format.TABLE
    ),
    margin: Annotated[
        str | None,
        typer.Option(
            "--margin",
            help="Required margin in percentage points (0.05: an SLO of 99.95 % may back "
            "99.9 %). Default: the workspace's Settings requiredMargin, else "
            f"{points(DEFAULT_MARGIN)}. An Agreement's covenant.dev/required-margin "
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
    from covenant.services.lint import lint_paths, parse_margin
    from covenant.services.selection import matches

    sources = list(paths) if paths else [workspace]
    for source in sources:
        if not source.exists():
            raise typer.BadParameter(f"{source} does not exist", param_hint="PATH")
    try:
        given = None if margin is None else parse_margin(margin)
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--margin") from None
    try:
        findings, required = lint_paths(sources, required_margin=given)
    except CovenantError as exc:
        raise fail(exc) from exc
    findings = [f for f in findings if matches((f.agreement,), agreement or ())]
    if output is Format.JSON:
        typer.echo(json.dumps(lint_json(findings, margin=required, strict=strict), indent=2))
    else:
        render_table(findings, out=console, margin=required, strict=strict, wide=wide)
    if failed(findings, strict=strict):
        raise typer.Exit(code=1)


def failed(findings: Sequence[Finding], *, strict: bool) -> bool:
    """The exit verdict: any error, or (strict) any finding at all."""
    return any(f.severity == "error" or strict for f in findings)


def lint_json(findings: Sequence[Finding], *, margin: Fraction, strict: bool) -> dict[str, Any]:
    """The ``covenant.lint/v1`` document (docs/lint.md); fields are only ever added."""
    errors = sum(f.severity == "error" for f in findings)
    return {
        "schema": SCHEMA,
        "required_margin": {"points": points(margin), "exact": str(margin)},
        "strict": strict,
        "summary": {
            "findings": len(findings),
            "errors": errors,
            "warnings": len(findings) - errors,
            "failed": failed(findings, strict=strict),
        },
        "findings": [finding_json(f) for f in findings],
    }


def finding_json(finding: Finding) -> dict[str, Any]:
    return {
        "code": finding.code,
        "severity": finding.severity,
        "agreement": finding.agreement,
        "version": finding.version,
        "status": finding.status,
        "pending": finding.pending,
        "commitment": finding.commitment,
        "slo": finding.slo,
        "message": finding.message,
        "why": finding.why,
        "fix": finding.fix,
        "where": finding.where,
        "explain": explain_command(finding.code),
        "docs": docs_anchor(finding.code),
    }


def render_table(
    findings: Sequence[Finding],
    *,
    out: Console,
    margin: Fraction,
    strict: bool,
    wide: bool = False,
) -> None:
    """Findings grouped by agreement version: what is wrong, why it matters, what to change
    (``wide``: and the command that explains the code)."""
    from covenant.render.tables import Col, print_table

    for _, group in groupby(findings, key=lambda f: (f.agreement, f.version)):
        items = list(group)
        first = items[0]
        title = Text(first.key, style="bold")
        if first.status:
            title.append(f" ({first.status})", style="dim")
        if first.pending:
            title.append("  not signed yet: fix before signing", style="cyan")
        if first.where:
            title.append(f"  {first.where}", style="dim")
        out.print(title)
        rows = []
        for finding in items:
            style = "red" if finding.severity == "error" else "yellow"
            body = Text(finding.message)
            body.append(f"\nwhy: {finding.why}", style="dim")
            body.append(f"\nfix: {finding.fix}", style="green")
            body.append(f"\n[{finding.code}]", style="dim")
            if wide:
                body.append(f"\nrun: {explain_command(finding.code)}", style="dim")
            commitment = finding.commitment + (f"\n← {finding.slo}" if finding.slo else "")
            rows.append([Text(finding.severity, style=style), Text(commitment), body])
        print_table(
            out,
            [Col("severity", wrap=False), Col("commitment", name=True), Col("finding")],
            rows,
            lines_between=True,
            wide=wide,
        )
    errors = sum(f.severity == "error" for f in findings)
    warnings = len(findings) - errors
    bad = failed(findings, strict=strict)
    verdict = "failed" if bad else "ok"
    note = " (--strict: warnings fail)" if strict else ""
    out.print(
        Text(
            f"{verdict}: {errors} error(s), {warnings} warning(s), required margin "
            f"{points(margin)} points{note}",
            style="bold red" if bad else "bold green",
        )
    )
