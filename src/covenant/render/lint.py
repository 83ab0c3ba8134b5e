"""Lint findings as a table for people and as the ``covenant.lint/v1`` JSON document
(docs/lint.md); fields are only ever added within a schema version.
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction
from itertools import groupby
from typing import Any

from rich.console import Console
from rich.text import Text

from covenant.core.lint import failed
from covenant.core.lint_findings import Finding, points
from covenant.errors import docs_anchor, explain_command
from covenant.render.tables import Col, print_table, tally

SCHEMA = "covenant.lint/v1"


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


def render_lint_table(
    findings: Sequence[Finding],
    *,
    out: Console,
    margin: Fraction,
    strict: bool,
    wide: bool = False,
) -> None:
    """Findings grouped by agreement version: what is wrong, why it matters, what to change
    (``wide``: and the command that explains the code)."""
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
            f"{verdict}: {tally(errors, warnings)}, required margin {points(margin)} points{note}",
            style="bold red" if bad else "bold green",
        )
    )
