"""The web UI's users (admin only), as ``covenant user list|create|disable``: list, create (the
password given once, kept only as its Argon2id hash, never answered), disable. Creating and
disabling are audited under the token that did it (``token:ID``), as tokens are."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path
from pydantic import BaseModel, Field

from covenant.api.deps import Ctx, Who, actor, allow
from covenant.api.errors import RESPONSES
from covenant.core.access import ADMINS

router = APIRouter(responses=RESPONSES, tags=["users"], dependencies=[Depends(allow(ADMINS))])

Name = Annotated[str, Path(max_length=64, description="The user's sign-in name.")]


class UserCreate(BaseModel):
    name: str = Field(max_length=64, description="The sign-in name (alice, ops.team).")
    role: str = Field(max_length=16, description="admin, editor, viewer or customer")
    customer: str | None = Field(
        default=None, max_length=255, description="The customer a customer user is bound to."
    )
    password: str = Field(
        max_length=4096, description="12 to 1024 characters; kept only as an Argon2id hash."
    )


@router.get("/users")
def list_users(ctx: Ctx) -> dict[str, Any]:
    """Every web UI user, as `covenant user list --format json` prints them (never a password
    or its hash), under ``items`` and ``users``: name, role, customer, created_at, created_by,
    disabled_at, state."""
    from covenant.services.users import list_users as compute
    from covenant.services.users import users_json

    return users_json(compute(ctx.engine()))


@router.post("/users", status_code=201)
def create_user(ctx: Ctx, who: Who, body: UserCreate) -> dict[str, Any]:
    """A new web UI user (`covenant user create`), answered as the list shows it (the
    password is not); ``409 conflict`` when the name is taken."""
    from covenant.services.users import create_user as compute
    from covenant.services.users import user_json

    customers = [c.name for c in ctx.workspace().customers] if body.customer else []
    made = compute(
        ctx.engine(),
        name=body.name,
        password=body.password,
        role=body.role,
        customer=body.customer,
        customers=customers,
        at=ctx.clock(),
        created_by=actor(who),
    )
    return user_json(made)


@router.post("/users/{name}/disable")
def disable_user(ctx: Ctx, who: Who, name: Name) -> dict[str, Any]:
    """Disable a user (`covenant user disable`): its sign-ins are refused and its sessions end
    now; a user disabled already is answered as it is (nothing audited again)."""
    from covenant.services.users import disable_user as compute
    from covenant.services.users import user_json

    return user_json(compute(ctx.engine(), name=name, at=ctx.clock(), actor=actor(who)))
