"""``covenant lint``: the SLA↔SLO bridge checks over a loaded workspace.

The required margin (percentage points an SLO must be stricter than the commitment it backs)
is, per agreement, the Agreement document's ``covenant.dev/required-margin`` annotation when it
has one, else the caller's ``required_margin`` (the CLI's ``--margin``), else 0.05 points.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from pathlib import Path

from covenant.core.lint import lint_versions
from covenant.core.lint_findings import DEFAULT_MARGIN, Finding
from covenant.definitions import workspace as definitions
from covenant.definitions.workspace import Workspace

MARGIN_ANNOTATION = "covenant.dev/required-margin"


def workspace_margin(workspace: Workspace, given: Fraction | None = None) -> Fraction:
    """The margin in force: ``given`` (``--margin``), else the workspace's Settings
    ``requiredMargin``, else DEFAULT_MARGIN (an agreement's annotation still wins over it)."""
    if given is not None:
        return given
    configured = workspace.settings.required_margin
    return DEFAULT_MARGIN if configured is None else configured


def lint_workspace(
    workspace: Workspace, *, required_margin: Fraction | None = None
) -> list[Finding]:
    """Every bridge finding on every agreement version of ``workspace`` (drafts included)."""
    default = workspace_margin(workspace, required_margin)
    margins, found = agreement_margins(workspace)
    found += lint_versions(
        workspace.agreements,
        objectives=workspace.objectives,
        margins=margins,
        default_margin=default,
        origins=workspace.origins,
    )
    return found


def lint_paths(
    paths: Sequence[Path], *, required_margin: Fraction | None = None
) -> tuple[list[Finding], Fraction, int]:
    """Load the workspace under ``paths`` (DefinitionError if invalid) and lint it; also the
    workspace-wide margin that was used and how many agreement versions were checked (none:
    nothing to check, which is not the same as all backed)."""
    workspace = definitions.load_workspace(*paths)
    margin = workspace_margin(workspace, required_margin)
    findings = lint_workspace(workspace, required_margin=margin)
    return findings, margin, len(workspace.agreements)


def parse_margin(text: str) -> Fraction:
    """Percentage points as written (``"0.05"``) → an exact Fraction; ValueError if not one."""
    try:
        value = Decimal(text.strip().removesuffix("pp").strip())
    except InvalidOperation as exc:
        raise ValueError(f"{text!r} is not a number of percentage points") from exc
    if not value.is_finite() or value < 0 or value >= 100:
        raise ValueError(f"{text!r} is not a margin between 0 and 100 percentage points")
    return Fraction(value)


def agreement_margins(workspace: Workspace) -> tuple[dict[str, Fraction], list[Finding]]:
    """The per-agreement margins from annotations, and a finding for each unreadable one."""
    margins: dict[str, Fraction] = {}
    found: list[Finding] = []
    for document in workspace.documents:
        if document.kind != "Agreement":
            continue
        metadata = document.raw.get("metadata")
        annotations = metadata.get("annotations") if isinstance(metadata, Mapping) else None
        if not isinstance(annotations, Mapping) or MARGIN_ANNOTATION not in annotations:
            continue
        text = str(annotations[MARGIN_ANNOTATION])
        try:
            margins[document.name] = parse_margin(text)
        except ValueError as exc:
            found.append(
                Finding(
                    code="invalid-required-margin",
                    severity="error",
                    agreement=document.name,
                    version=0,
                    commitment="",
                    message=f"annotation {MARGIN_ANNOTATION}: {exc}",
                    why="without a readable margin the agreement is linted with the default "
                    "margin, which may not be what the contract's owners agreed",
                    fix=f'write percentage points as text, e.g. {MARGIN_ANNOTATION}: "0.05"',
                    where=f"{document.file}:{document.line}",
                )
            )
    return margins, found


def lint_chosen(
    workspace: Workspace, *, margin: str | None, agreements: Sequence[str] = ()
) -> tuple[list[Finding], Fraction]:
    """`covenant lint [--margin M] [--agreement PATTERN…]` over a loaded workspace: the
    findings of the agreements ``agreements`` match (every one when none is given) and the
    workspace-wide margin used. A margin that is no number of points is ``invalid-input``
    naming ``margin``."""
    from covenant.errors import InputError  # noqa: PLC0415
    from covenant.services.selection import matches  # noqa: PLC0415

    try:
        given = None if margin is None else parse_margin(margin)
    except ValueError as exc:
        raise InputError(f"margin: {exc}", hint="write percentage points, e.g. 0.05") from None
    required = workspace_margin(workspace, given)
    findings = lint_workspace(workspace, required_margin=required)
    return [f for f in findings if matches((f.agreement,), agreements)], required
