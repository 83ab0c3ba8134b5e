"""The UI's routers, its static files, and sign-in and sign-out."""

from __future__ import annotations

import secrets
from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import RedirectResponse, Response
from fastapi.routing import APIRoute
from fastapi.staticfiles import StaticFiles
from starlette.concurrency import run_in_threadpool

from covenant.core.access import Role
from covenant.errors import (
    AuthenticationError,
    CovenantError,
    DaySumsOnlyError,
    InputError,
    TooManySignInsError,
)
from covenant.web.core import (
    BASE,
    HERE,
    SESSION_COOKIE,
    SIGN_IN_COOKIE,
    SignInNeededError,
    backend,
    check_csrf,
    current_session,
    error_page,
    form,
    minutes_answer,
    page,
    set_cookie,
)


class PageRoute(APIRoute):
    """A page's route: a domain error is answered with an error page, not the API's JSON."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def answer(request: Request) -> Response:
            try:
                return await handler(request)
            except DaySumsOnlyError as refused:  # minutes of days stored as sums: read them
                return error_page(
                    request, await run_in_threadpool(minutes_answer, request, refused)
                )
            except (CovenantError, SignInNeededError) as error:
                return error_page(request, error)

        return answer


def pages_router() -> APIRouter:
    return APIRouter(prefix=BASE, route_class=PageRoute, include_in_schema=False)


router = pages_router()


def install(app: FastAPI) -> None:
    from covenant.web import (
        agreement_history,
        agreements,
        audit,
        composites,
        corrections,
        error_pages,
        errors_reference,
        exposure,
        imports,
        incidents,
        lint,
        maintenance,
        outbox,
        portal,
        prometheus_read,
        record_upload,
        series_aside,
        sources,
        statements,
        team,
        tickets,
        tokens,
        tuning,
        users,
    )

    error_pages.install(app)  # after the API's handlers: it wraps them for /ui
    pages = (team, composites, portal, agreements, exposure, sources, audit, outbox, tokens, users)
    for module in (
        *pages,
        agreement_history,
        corrections,
        errors_reference,
        imports,
        incidents,
        lint,
        maintenance,
        prometheus_read,
        record_upload,
        series_aside,
        statements,
        tickets,
        tuning,
    ):
        app.include_router(module.router)
    app.include_router(router)
    app.mount(f"{BASE}/static", StaticFiles(directory=HERE / "static"), name="ui-static")

    @app.get("/", include_in_schema=False)
    def root() -> RedirectResponse:
        return RedirectResponse(f"{BASE}/", status_code=307)


def _next(target: str | None) -> str:
    """Where to go after signing in: a path of the UI, never another site."""
    if target and target.startswith(f"{BASE}/") and not target.startswith("//"):
        return target
    return f"{BASE}/"


@router.get("/sign-in")
def sign_in_form(request: Request, next: str | None = None) -> Response:
    token = secrets.token_urlsafe(32)
    answer = page(
        "sign_in.html", session=None, csrf=token, next=_next(next), title="Sign in", error=None
    )
    set_cookie(answer, request, SIGN_IN_COOKIE, token, max_age=3600)
    return answer


@router.post("/sign-in")
async def sign_in(request: Request) -> Response:
    from covenant.services import sign_in_limits as limits
    from covenant.services.tokens import find_token, principal_of
    from covenant.services.users import check_password, start_session

    fields = await form(request)
    check_csrf(request, fields, request.cookies.get(SIGN_IN_COOKIE))
    ctx = backend(request)
    engine, at = ctx.engine(), ctx.clock()
    target = _next(fields.get("next"))
    presented = fields.get("token", "").strip()
    name = fields.get("name", "").strip()
    keys = limits.keys_of(
        name=None if presented else name, address=request.client.host if request.client else None
    )
    wait = 0  # seconds this failure makes the next attempt wait
    try:
        limits.check(engine, keys, at=at)  # before any password is checked
        try:
            if presented:
                token = find_token(engine, presented=presented)
                principal_of(token, at=at)  # refused when revoked or expired
                session_id = start_session(engine, at=at, token_id=token.id)
            else:
                user = check_password(engine, name=name, password=fields.get("password", ""))
                session_id = start_session(engine, at=at, user_name=user.name)
        except AuthenticationError:
            wait = limits.failed(engine, keys, at=at)
            raise
    except TooManySignInsError as error:
        wait_header = {"Retry-After": str(error.retry_after_s)}
        return _sign_in_again(request, target, name, error.message, 429, wait_header)
    except AuthenticationError as error:
        told = f"{error.message}; wait {wait} s before the next attempt" if wait else error.message
        return _sign_in_again(request, target, name, told, 401, {})
    limits.succeeded(engine, keys)
    done = RedirectResponse(target, status_code=303)
    set_cookie(done, request, SESSION_COOKIE, session_id, max_age=12 * 3600)
    done.delete_cookie(SIGN_IN_COOKIE, path=BASE)
    return done


def _sign_in_again(
    request: Request,
    target: str,
    name: str,
    error: str,
    status: int,
    headers: dict[str, str],
) -> Response:
    """The sign-in form again, with what went wrong and a fresh form token."""
    fresh = secrets.token_urlsafe(32)
    answer = page(
        "sign_in.html",
        session=None,
        status=status,
        csrf=fresh,
        next=target,
        title="Sign in",
        error=error,
        name=name,
    )
    answer.headers.update(headers)
    set_cookie(answer, request, SIGN_IN_COOKIE, fresh, max_age=3600)
    return answer


@router.post("/sign-out")
async def sign_out(request: Request) -> Response:
    from covenant.services.users import end_session

    fields = await form(request)
    session = current_session(request)
    if session is not None:
        check_csrf(request, fields, session.csrf)
        end_session(backend(request).engine(), session_id=request.cookies.get(SESSION_COOKIE))
    answer = RedirectResponse(f"{BASE}/sign-in", status_code=303)
    answer.delete_cookie(SESSION_COOKIE, path=BASE)
    return answer


@router.get("/")
def home(request: Request) -> Response:
    session = current_session(request)
    if session is None:
        raise SignInNeededError(f"{BASE}/")
    if session.principal.role is Role.CUSTOMER:
        return RedirectResponse(f"{BASE}/portal", status_code=303)
    return RedirectResponse(f"{BASE}/overview", status_code=303)


def query_list(request: Request, name: str) -> list[str]:
    return [v for v in request.query_params.getlist(name) if v.strip()][:50]


def query_count(request: Request, name: str, *, what: str = "a whole number") -> int | None:
    """``?name=N``, a count a redirect carries back (None: not given); anything but up to 9
    digits is ``invalid-input`` saying it is not ``what``."""
    text = request.query_params.get(name)
    if text is None:
        return None
    if not text.isdigit() or len(text) > 9:
        raise InputError(f"{name} {text[:20]!r} is not {what}", hint=f"{name}=0")
    return int(text)


__all__: list[Any] = ["install", "pages_router", "query_count", "query_list"]
