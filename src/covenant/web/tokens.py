"""The API tokens' page (admins): every token without its secret, a form to create one (its
secret shown once, on that form's answer, never in an address), and a revoke with a
confirmation, answered with a redirect (Post/Redirect/Get), as ``GET/POST /api/v1/tokens`` and
``DELETE /api/v1/tokens/{id}`` do: the same services, recorded in the audit log under the
signed-in user (docs/ui.md)."""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import RedirectResponse, Response

from covenant.core.access import Role
from covenant.services.tokens import CreatedToken
from covenant.services.users import Session
from covenant.store.tokens import StoredToken
from covenant.web.core import BASE, admin, backend, page
from covenant.web.form_pages import posted_form
from covenant.web.routes import pages_router

router = pages_router()


def _tokens_page(
    request: Request,
    session: Session,
    *,
    made: CreatedToken | None = None,
    revoked_id: str | None = None,
    confirm: StoredToken | None = None,
) -> Response:
    from covenant.services.tokens import list_tokens

    ctx = backend(request)
    at = ctx.clock()
    tokens = list_tokens(ctx.engine())
    revoked = next(
        (t for t in tokens if revoked_id and t.id == revoked_id and t.state(at) == "revoked"), None
    )
    return page(
        "tokens.html",
        session=session,
        title="API tokens",
        at=at,
        tokens=tokens,
        roles=[r.value for r in Role],
        customers=sorted(c.name for c in ctx.workspace().customers),
        made=made,
        revoked=revoked,
        confirm=confirm,
    )


@router.get("/tokens")
def tokens_page(request: Request) -> Response:
    """The list; after a revoke's redirect (``?revoked=ID``), a note when that token is
    revoked."""
    return _tokens_page(request, admin(request), revoked_id=request.query_params.get("revoked"))


@router.post("/tokens")
async def create_token(request: Request) -> Response:
    """A new token, as ``POST /api/v1/tokens``: its secret is on this answer only."""
    from covenant.services.tokens import create_token as make
    from covenant.services.tokens import parse_expiry

    session, fields = await posted_form(request, admin)
    ctx = backend(request)
    now = ctx.clock()
    customer = fields.get("customer", "").strip() or None
    expires = fields.get("expires", "").strip() or None
    made = make(
        ctx.engine(),
        role=fields.get("role", "").strip(),
        customer=customer,
        expires_at=parse_expiry(expires, at=now),
        at=now,
        customers=[c.name for c in ctx.workspace().customers] if customer else [],
        label=fields.get("label", "").strip(),
        created_by=session.actor,
    )
    return _tokens_page(request, session, made=made)


@router.get("/tokens/{token_id}/revoke")
def confirm_revoke(request: Request, token_id: str) -> Response:
    """The question before a revoke: which token, with a button that sends the revoke."""
    session = admin(request)
    return _tokens_page(request, session, confirm=_token(request, token_id))


@router.post("/tokens/{token_id}/revoke")
async def revoke_token(request: Request, token_id: str) -> Response:
    """Revoke the token from now on, as ``DELETE /api/v1/tokens/{id}``; then back to the list
    (303, Post/Redirect/Get: a reload revokes nothing again) with a note."""
    from covenant.services.tokens import revoke_token as revoke

    session, _ = await posted_form(request, admin)  # the form: its CSRF token only
    ctx = backend(request)
    done = revoke(ctx.engine(), token_id=token_id, at=ctx.clock(), actor=session.actor)
    return RedirectResponse(f"{BASE}/tokens?" + urlencode({"revoked": done.id}), status_code=303)


def _token(request: Request, token_id: str) -> StoredToken:
    from covenant.errors import NotFoundError
    from covenant.services.tokens import list_tokens

    for token in list_tokens(backend(request).engine()):
        if token.id == token_id:
            return token
    raise NotFoundError(
        f"no API token has the id {token_id[:40]!r}", hint="the tokens page lists every token"
    )
