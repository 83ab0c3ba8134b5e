"""Issued statements: issue a customer's statement for an ended period, list its revisions.

The statement route itself (``routes_agreements``) answers an issued period with the issued
copy (``services.issued_statements``).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends
from fastapi import Path as PathParam
from pydantic import BaseModel, ConfigDict, Field

from covenant.api.deps import Ctx, Who, actor, allow
from covenant.api.errors import RESPONSES
from covenant.api.routes_agreements import PeriodPath, period_label
from covenant.core.access import ADMINS
from covenant.errors import NotFoundError

router = APIRouter(responses=RESPONSES, tags=["agreements"])


class IssueIn(BaseModel):
    """How to issue: ``force`` a provisional statement too; ``reissue`` (with a ``reason``) a
    new revision of a period issued before whose statement has changed since."""

    model_config = ConfigDict(extra="forbid")
    force: bool = False
    reissue: bool = False
    reason: str | None = Field(default=None, max_length=1000)


@router.post(
    "/customers/{customer}/statements/{period}/issue",
    status_code=201,
    dependencies=[Depends(allow(ADMINS))],
)
def issue(
    ctx: Ctx,
    who: Who,
    customer: Annotated[str, PathParam(max_length=255)],
    period: PeriodPath,
    body: Annotated[IssueIn | None, Body()] = None,
) -> dict[str, Any]:
    """Issue the customer's statement for an ended month or quarter as it is now (as
    `covenant report sla --issue`): stored with its JSON's SHA-256, and from then on what the
    customer gets. ``conflict`` when it is provisional (without ``force``) or issued already
    (unless it changed since and ``reissue`` gives a ``reason``); ``invalid-input`` when the
    period has not ended."""
    from covenant.services.issued_statements import issue_statement

    wanted = body or IssueIn()
    period = period_label(ctx, customer, period, ctx.clock())
    made = issue_statement(
        ctx.engine(),
        workspace=ctx.workspace(),
        customer=customer,
        period=period,
        now=ctx.clock(),
        actor=actor(who),
        force=wanted.force,
        reissue=wanted.reissue,
        reason=wanted.reason,
    )
    return made.json(customer)


@router.get("/customers/{customer}/statements/{period}/revisions")
def revisions(
    ctx: Ctx,
    who: Who,
    customer: Annotated[str, PathParam(max_length=255)],
    period: PeriodPath,
) -> dict[str, Any]:
    """The revisions issued of the customer's statement for a period, oldest first (empty: not
    issued): when, why, complete or not, the SHA-256 of each one's JSON; for staff also who
    issued it. ``not-found`` for a customer the workspace does not name (and never issued)."""
    from covenant.services.issued_statements import issue_json, issued_revisions, revision_json

    if not who.sees_customer(customer):
        raise NotFoundError(f"no customer named {customer!r} has agreements")
    period = period_label(ctx, customer, period, ctx.clock())
    found = issued_revisions(ctx.engine(), customer=customer, period=period)
    known = sorted(c.name for c in ctx.workspace().customers)
    if not found and customer not in known:  # a misspelt name is no "not issued"
        raise NotFoundError(
            f"no customer named {customer!r}",
            hint=f"customers in the workspace: {', '.join(known) or 'none'}",
        )
    shown = issue_json if who.customer is not None else revision_json
    key = found[0].period if found else period
    return {"customer": customer, "period": key, "items": [shown(r) for r in found]}
