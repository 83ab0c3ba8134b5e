"""Who am I, and API tokens (admin only): create (the token is in the answer, once), list,
revoke."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field

from covenant.api.deps import Ctx, Who, actor, allow
from covenant.api.errors import RESPONSES
from covenant.core.access import ADMINS
from covenant.store.tokens import StoredToken

router = APIRouter(responses=RESPONSES, tags=["tokens"])
Admin = [Depends(allow(ADMINS))]


class TokenCreate(BaseModel):
    role: str = Field(max_length=16, description="admin, editor, viewer or customer")
    customer: str | None = Field(default=None, max_length=255)
    expires: str | None = Field(
        default=None, max_length=64, description="12h, 90d, 8w, a date or an instant (default 90d)"
    )
    label: str = Field(default="", max_length=255)


def token_json(t: StoredToken, *, at: Any) -> dict[str, Any]:
    return {
        "id": t.id,
        "role": t.role.value,
        "customer": t.customer,
        "label": t.label,
        "created_at": t.created_at,
        "created_by": t.created_by,
        "expires_at": t.expires_at,
        "revoked_at": t.revoked_at,
        "state": t.state(at),
    }


@router.get("/me")
def me(who: Who) -> dict[str, Any]:
    """The token's id, role and (for a customer token) customer."""
    return {"token": who.token_id, "role": who.role.value, "customer": who.customer}


@router.get("/tokens", dependencies=Admin)
def list_tokens(ctx: Ctx) -> dict[str, Any]:
    """Every token (never a secret), oldest first."""
    from covenant.services.tokens import list_tokens as compute

    now = ctx.clock()
    return {"items": [token_json(t, at=now) for t in compute(ctx.engine())]}


@router.post("/tokens", dependencies=Admin, status_code=201)
def create_token(ctx: Ctx, who: Who, body: TokenCreate) -> dict[str, Any]:
    """A new token; ``token`` in the answer is the only time it is shown."""
    from covenant.services.tokens import create_token as compute
    from covenant.services.tokens import parse_expiry

    now = ctx.clock()
    customers = [c.name for c in ctx.workspace().customers] if body.customer else []
    made = compute(
        ctx.engine(),
        role=body.role,
        customer=body.customer,
        expires_at=parse_expiry(body.expires, at=now),
        at=now,
        customers=customers,
        label=body.label,
        created_by=actor(who),
    )
    return {**token_json(made.token, at=now), "token": made.text}


@router.delete("/tokens/{token_id}", dependencies=Admin)
def revoke_token(ctx: Ctx, who: Who, token_id: str) -> dict[str, Any]:
    """Revoke a token from now on."""
    from covenant.services.tokens import revoke_token as compute

    now = ctx.clock()
    revoked = compute(ctx.engine(), token_id=token_id, at=now, actor=actor(who))
    return token_json(revoked, at=now)
