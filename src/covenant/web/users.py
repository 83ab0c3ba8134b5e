"""The users' page (admins): every web UI user without its password hash, a form to create one
(the password chosen by the admin, or made up and shown once on the answer), and a disable with
a confirmation, as `covenant user list|create|disable` do: the same services, recorded in the
audit log under the signed-in user. A disable answers with a redirect (Post/Redirect/Get), so a
reload sends nothing again (docs/ui.md)."""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import RedirectResponse, Response

from covenant.core.access import Role
from covenant.errors import InputError, NotFoundError
from covenant.services.users import Session
from covenant.store.users import StoredUser
from covenant.web.core import BASE, admin, backend, page
from covenant.web.form_pages import posted_form
from covenant.web.routes import pages_router

router = pages_router()


def _users_page(
    request: Request,
    session: Session,
    *,
    made: StoredUser | None = None,
    password: str | None = None,
    confirm: StoredUser | None = None,
) -> Response:
    from covenant.services.users import list_users, user_json

    ctx = backend(request)
    users = list_users(ctx.engine())
    by_name = {u.name: u for u in users}

    def named(field: str, state: str) -> str | None:
        """The note of a redirect after a change: only for a user in that state now."""
        name = request.query_params.get(field, "")
        found = by_name.get(name)
        return name if found is not None and user_json(found)["state"] == state else None

    return page(
        "users.html",
        session=session,
        title="Users",
        users=[user_json(u) for u in users],
        roles=[r.value for r in Role],
        customers=sorted(c.name for c in ctx.workspace().customers),
        made=made,
        password=password,
        created=named("created", "active"),
        disabled=named("disabled", "disabled"),
        confirm=confirm,
        me=session.actor.removeprefix("user:") if session.actor.startswith("user:") else None,
    )


@router.get("/users")
def users_page(request: Request) -> Response:
    return _users_page(request, admin(request))


@router.post("/users")
async def create_user(request: Request) -> Response:
    """A new user, as `covenant user create`. A password the admin chose: a redirect to the
    list; none chosen: one is made up and shown on this answer only, never in an address."""
    from covenant.services.users import create_user as make
    from covenant.services.users import new_password

    session, fields = await posted_form(request, admin)
    ctx = backend(request)
    chosen = fields.get("password", "")
    if chosen != fields.get("password2", ""):
        raise InputError(
            "the password and its repetition differ",
            hint="type the same password in both fields, or leave both empty for a made-up one",
        )
    password = chosen or new_password()
    customer = fields.get("customer", "").strip() or None
    made = make(
        ctx.engine(),
        name=fields.get("name", "").strip(),
        password=password,
        role=fields.get("role", "").strip(),
        customer=customer,
        customers=[c.name for c in ctx.workspace().customers] if customer else [],
        at=ctx.clock(),
        created_by=session.actor,
    )
    if chosen:
        return _back(created=made.name)
    return _users_page(request, session, made=made, password=password)


@router.get("/users/{name}/disable")
def confirm_disable(request: Request, name: str) -> Response:
    """The question before a disable: which user, with a button that sends it."""
    session = admin(request)
    return _users_page(request, session, confirm=_user(request, name))


@router.post("/users/{name}/disable")
async def disable_user(request: Request, name: str) -> Response:
    """Refuse the user's sign-ins and end its sessions, as `covenant user disable`; then back
    to the list (303) with a note."""
    from covenant.services.users import disable_user as disable

    session, _ = await posted_form(request, admin)  # the form: its CSRF token only
    ctx = backend(request)
    done = disable(ctx.engine(), name=name, at=ctx.clock(), actor=session.actor)
    return _back(disabled=done.name)


def _back(**note: str) -> RedirectResponse:
    return RedirectResponse(f"{BASE}/users?" + urlencode(note), status_code=303)


def _user(request: Request, name: str) -> StoredUser:
    from covenant.services.users import list_users

    for user in list_users(backend(request).engine()):
        if user.name == name:
            return user
    raise NotFoundError(f"no user is named {name[:64]!r}", hint="the users page lists every user")
