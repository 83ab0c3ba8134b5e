"""What a bridge check reports: a :class:`Finding`, and the exact texts the checks write.

:class:`Context` is the version under check; its ``finding`` makes a finding on that version and
reports an error on a version no longer in force as a warning (see :mod:`covenant.core.lint`).
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Literal

from covenant.core.agreements import AgreementVersion, VersionStatus
from covenant.core.timeutil import shorthand

Severity = Literal["error", "warning"]

DEFAULT_MARGIN = Fraction(5, 100)
"""The default required margin, in percentage points: an SLO 0.05 points above the level."""

PENDING = frozenset({VersionStatus.DRAFT, VersionStatus.PROPOSED})
"""Versions not yet signed: findings on them are what a negotiator fixes before signing."""

ENDED = frozenset({VersionStatus.SUPERSEDED, VersionStatus.EXPIRED, VersionStatus.TERMINATED})
"""Versions no longer in force: their errors are reported as warnings."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Finding:
    """One thing about one commitment of one agreement version that the bridge does not hold.

    ``version`` is 0 for a finding about the agreement as a whole (its annotations);
    ``commitment`` is empty then. ``slo`` is the backing objective's key when the finding is
    about one. ``status`` is the version's status (``draft``, ``active``…).
    """

    code: str
    severity: Severity
    agreement: str
    version: int
    commitment: str
    message: str
    why: str
    fix: str
    where: str = ""
    status: str = ""
    slo: str = ""

    @property
    def pending(self) -> bool:
        """The version is a draft or proposal: not signed yet, so still cheap to change."""
        return self.status in {s.value for s in PENDING}

    @property
    def key(self) -> str:
        return f"{self.agreement}@v{self.version}" if self.version else self.agreement


def percent(value: Fraction) -> str:
    """A ratio as an exact percentage text: ``Fraction(9995, 10000)`` → ``99.95 %``."""
    return f"{points(value * 100)} %"


def points(value: Fraction) -> str:
    """A number of percentage points as short exact-looking text (``0.05``, ``1/3`` → 0.333333)."""
    if value.denominator == 1:
        return str(value.numerator)
    text = f"{float(value):.6f}".rstrip("0").rstrip(".")
    return text or "0"


length_text = shorthand
"""A duration in its largest whole unit: ``1d``, ``6h``, ``5m``, ``90s`` (``core.timeutil``)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Context:
    """The agreement version under check, its required margin and where it was read."""

    version: AgreementVersion
    margin: Fraction
    where: str

    def finding(
        self,
        *,
        code: str,
        severity: Severity,
        commitment: str,
        message: str,
        why: str,
        fix: str,
        slo: str = "",
    ) -> Finding:
        status = self.version.status
        if status in ENDED and severity == "error":
            severity = "warning"
            why += f" (v{self.version.version} is {status.value}: no longer in force)"
        return Finding(
            code=code,
            severity=severity,
            agreement=self.version.agreement,
            version=self.version.version,
            commitment=commitment,
            message=message,
            why=why,
            fix=fix,
            where=self.where,
            status=status.value,
            slo=slo,
        )
