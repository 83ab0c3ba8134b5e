"""``covenant/v1`` ``Settings``: workspace-wide policy, at most one document per workspace.

```yaml
apiVersion: covenant/v1
kind: Settings
metadata: {name: workspace}
spec:
  requiredMargin: 0.05   # percentage points an SLO must be stricter than the SLA it backs
  notificationTargets: [oncall]  # where notices no alert policy or customer routes go
  outboxRetention: 14d  # how long sent notices stay in the outbox (default 7d)
  issuer:                # who issues the customers' SLA statements (their issuer block)
    name: Shop Example GmbH
    address: [Musterstraße 1, 10115 Berlin, Germany]
    taxId: DE123456789
    registration: Amtsgericht Charlottenburg, HRB 123456 B
    email: billing@shop.example
```
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import TYPE_CHECKING

from pydantic import Field

from covenant.core.parties import Issuer
from covenant.definitions.diagnostics import at
from covenant.definitions.durations import parse_duration
from covenant.definitions.fields import DurationText, Number, Spec
from covenant.definitions.openslo import Document
from covenant.errors import Problem

if TYPE_CHECKING:
    from covenant.definitions.parsed import Parsed


class IssuerSpec(Spec):
    name: str = Field(min_length=1)
    address: list[str] = Field(default_factory=list)
    tax_id: str | None = None
    registration: str | None = None
    email: str | None = None


class SettingsSpec(Spec):
    required_margin: Number | None = Field(default=None, ge=0, lt=100)
    notification_targets: list[str] | None = None  # read by definitions.routing
    outbox_retention: DurationText | None = None
    issuer: IssuerSpec | None = None


class SettingsDocument(Document):
    spec: SettingsSpec


@dataclass(frozen=True, slots=True, kw_only=True)
class WorkspaceSettings:
    """``required_margin`` in percentage points (``Fraction(5, 100)`` = 0.05), None: default."""

    required_margin: Fraction | None = None
    outbox_retention_s: int | None = None  # sent notices are pruned after this (None: 7 days)
    issuer: Issuer | None = None  # None: statements name no issuer (and say so)


def resolve_settings(parsed: Sequence[Parsed]) -> tuple[WorkspaceSettings, list[Problem]]:
    """The workspace's settings; a second Settings document is a problem at its file:line."""
    found = [item for item in parsed if isinstance(item.model, SettingsDocument)]
    problems = [
        at(
            item.source,
            ("kind",),
            code="duplicate-settings",
            message="a workspace has at most one Settings document",
            fix="merge the settings into the first Settings document",
        )
        for item in found[1:]
    ]
    if not found:
        return WorkspaceSettings(), problems
    model = found[0].model
    assert isinstance(model, SettingsDocument)
    margin = model.spec.required_margin
    retention = model.spec.outbox_retention
    retention_s = parse_duration(retention) if retention is not None else None
    if retention_s is not None and not retention_s.is_fixed:
        problems.append(
            at(
                found[0].source,
                ("spec", "outboxRetention"),
                code="invalid-duration",
                message=f"an outbox retention of {retention} has no fixed length",
                fix="use m, h, d or w (e.g. 14d)",
            )
        )
        retention_s = None
    return WorkspaceSettings(
        required_margin=None if margin is None else Fraction(margin),
        outbox_retention_s=retention_s.seconds if retention_s is not None else None,
        issuer=_issuer(model.spec.issuer),
    ), problems


def _issuer(spec: IssuerSpec | None) -> Issuer | None:
    if spec is None:
        return None
    return Issuer(
        name=spec.name.strip(),
        address=tuple(line.strip() for line in spec.address if line.strip()),
        tax_id=(spec.tax_id or "").strip(),
        registration=(spec.registration or "").strip(),
        email=(spec.email or "").strip(),
    )
