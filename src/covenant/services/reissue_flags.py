"""Which issued statements would change if reissued now: for the staff's agreement page, per
issued period, what the statement computed now changes in the revision the customer is given
(docs/sla.md "Issued statements")."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.engine import Engine

from covenant.definitions.workspace import Workspace
from covenant.errors import CovenantError
from covenant.services.issued_statements import issued_marks, read_statement
from covenant.services.restatement import change_text

FLAGGED = ("level", "met", "credit", "penalty", "commitment")
"""The figures a statement link's flag names (the statement page lists every change)."""


def reissue_flags(
    engine: Engine, workspace: Workspace, customer: str, periods: list[str], at: datetime
) -> dict[str, Any]:
    """For staff, per issued period of ``periods`` whose statement computed now differs from
    the revision the customer is given: that revision, what would change if it were reissued
    (each commitment's level, met, credit and penalty; ``others``: how many other changes —
    downtime, totals, evidence — the statement page lists), the command and the API route that
    reissue it. A period not issued, or the same as issued, is absent; one whose statement
    cannot be computed now says why (``error``). Never for a customer's page."""
    marks = issued_marks(engine, customer=customer, periods=periods, at=at)
    flags: dict[str, Any] = {}
    for period in (p for p in periods if p in marks):
        try:
            found = read_statement(
                engine,
                workspace=workspace,
                customer=customer,
                period=period,
                at=at,
                now=at,
                staff=True,
            )
        except CovenantError as error:
            flags[period] = {"revision": marks[period].revision, "error": error.message}
            continue
        restated = found.restated
        if found.issued is None or not restated or not restated["differs"]:
            continue
        shown = [change_text(c) for c in restated["changes"] if c["field"] in FLAGGED]
        flags[period] = {
            "revision": found.issued.revision,
            "changes": shown,
            "others": len(restated["changes"]) - len(shown),
            "command": f"covenant report sla -c {customer} -p {period} --issue --reissue "
            '--reason "why"',
            "route": f"POST /api/v1/customers/{customer}/statements/{period}/issue",
        }
    return flags
