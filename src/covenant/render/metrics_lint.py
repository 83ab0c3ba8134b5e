"""``/metrics``: the bridge checks' findings per agreement and severity (``covenant lint``'s,
``services.lint``) — never per finding or commitment (the label set is the workspace's
agreements and the two severities).

``covenant_lint_findings`` has a sample for every agreement of the workspace and both severities
(``error``, ``warning``), 0 when none, so a series does not come and go as a finding is fixed:
``covenant_lint_findings{severity="error"} > 0`` is a commitment not backed by a stricter SLO.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

from covenant.core.lint_findings import Finding, Severity
from covenant.render.prom_text import Family, pairs

SEVERITIES: tuple[Severity, ...] = ("error", "warning")


@dataclass(frozen=True, slots=True, kw_only=True)
class LintCount:
    """One agreement's findings of one severity (every version, drafts included)."""

    agreement: str
    severity: str
    findings: int


def lint_counts(agreements: Iterable[str], findings: Iterable[Finding]) -> tuple[LintCount, ...]:
    """Per agreement named (and any a finding names) and severity, how many findings."""
    counted = Counter((f.agreement, f.severity) for f in findings)
    names = sorted({*agreements, *(a for a, _ in counted)})
    return tuple(
        LintCount(agreement=name, severity=s, findings=counted[(name, s)])
        for name in names
        for s in SEVERITIES
    )


def lint_families(found: Sequence[LintCount]) -> Iterator[Family]:
    """The family (nothing when the workspace has no agreement)."""
    if not found:
        return
    family = Family(
        "covenant_lint_findings",
        "Findings of covenant lint on the agreement's versions (drafts included), by severity: "
        "an error is a commitment not backed by a stricter SLO.",
    )
    for c in found:
        family.add(pairs(("agreement", "severity"), (c.agreement, c.severity)), float(c.findings))
    yield family
