"""What every page shares: the backend, the session, CSRF checks, templates, error pages.

Sessions live in the store (``services.users``); the browser holds only the session id in an
HttpOnly, SameSite=Lax cookie, marked Secure when the page was served over https (or always
with ``COVENANT_COOKIE_SECURE=1``, for a TLS proxy that does not say so). Every form POST
carries the session's CSRF token in a hidden field, compared in constant time; a POST whose
``Origin`` names another host is refused as well.
"""

from __future__ import annotations

import hmac
import os
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, TypeVar
from urllib.parse import parse_qs, urlsplit

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2 import Environment, FileSystemLoader, select_autoescape
from sqlalchemy.engine import Engine

from covenant.config import Settings
from covenant.core.access import ADMINS, INTERNAL_READERS, WRITERS, Role
from covenant.core.timeutil import utc_iso
from covenant.definitions.articles import with_article
from covenant.definitions.workspace import Workspace
from covenant.errors import (
    HTTP_NAMES,
    AuthenticationError,
    BodyTooLargeError,
    ConflictError,
    CovenantError,
    DaySumsOnlyError,
    ForbiddenError,
    InputError,
    MinutesPendingError,
    NotFoundError,
    SourceError,
    StoreError,
)
from covenant.render.statement_doc import PdfUnavailableError
from covenant.services.users import Session

if TYPE_CHECKING:
    from covenant.services.day_minutes_serve import MinutesReader
    from covenant.services.worker_loop import WorkerLoop

T = TypeVar("T")
HERE = Path(__file__).parent
BASE = "/ui"
SESSION_COOKIE = "covenant_session"
SIGN_IN_COOKIE = "covenant_sign_in"  # the sign-in form's CSRF token (double-submit)
# an amendment re-sends every commitment's terms (CJK text: 9 bytes a character, form-encoded)
MAX_FORM = 1024 * 1024


class Backend(Protocol):
    """What the UI uses of the API's ``Context``."""

    clock: Callable[[], datetime]
    settings: Settings
    worker: WorkerLoop | None  # this process's worker (``covenant serve``), when it runs one

    def engine(self) -> Engine: ...
    def workspace(self) -> Workspace: ...
    def files_workspace(self) -> Workspace: ...
    def forget_definitions(self) -> None: ...
    def remembered(self, question: Hashable, compute: Callable[[Workspace], T]) -> T: ...
    def minutes_reader(self) -> MinutesReader: ...


def backend(request: Request) -> Backend:
    found: Backend = request.app.state.covenant
    return found


@cache
def templates() -> Environment:
    env = Environment(
        loader=FileSystemLoader(HERE / "templates"),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals["BASE"] = BASE
    env.filters["utc_iso"] = utc_iso  # an instant in a <time datetime=…>: UTC with Z
    return env


SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}


# a statement carries its own <style> (it is also saved and printed alone); nothing else runs
STATEMENT_POLICY = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; "
    "frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
)


def statement_answer(request: Request, statement: Any, *, note: str = "") -> Response:
    """A statement as ``render.sla`` makes it for the CLI and the API: its HTML page, or with
    ``?format=pdf`` the PDF (a download named by the statement's number). ``statement``: a
    ``Statement``, or a ``services.issued_statements.StatementAnswer`` (an issued period's
    stored page, as issued); ``note``: HTML put at the top of the page (staff only)."""
    from covenant.render.sla import statement_html
    from covenant.render.statement_doc import missing_glyphs_header, pdf_and_missing_glyphs

    computed = getattr(statement, "live", statement)
    wanted = request.query_params.get("format", "html")
    if wanted == "pdf":
        if computed is None:
            number, page = statement.json()["number"], statement.issued_html()
        else:
            number, page = computed.presentation.number, statement_html(computed)
        content, missing = pdf_and_missing_glyphs(page)
        name = f"statement-{number}.pdf"
        return Response(
            content,
            media_type="application/pdf",
            headers={
                **SECURITY_HEADERS,
                "Content-Disposition": f'attachment; filename="{name}"',
                **missing_glyphs_header(missing),
            },
        )
    if wanted != "html":
        raise InputError(f"format={wanted[:20]!r} is not html or pdf", hint="format=pdf")
    headers = {**SECURITY_HEADERS, "Content-Security-Policy": STATEMENT_POLICY}
    html = statement.issued_html() if computed is None else statement_html(computed)
    if note:  # staff only: after the page's <body>
        html = html.replace("<body>\n", f"<body>\n{note}", 1)
    return HTMLResponse(html, headers=headers)


def page(
    template: str, *, session: Session | None, status: int = 200, **values: Any
) -> HTMLResponse:
    html = templates().get_template(template).render(session=session, **values)
    return HTMLResponse(html, status_code=status, headers=SECURITY_HEADERS)


def secure_cookies(request: Request) -> bool:
    return request.url.scheme == "https" or os.environ.get("COVENANT_COOKIE_SECURE") == "1"


def set_cookie(response: Response, request: Request, name: str, value: str, max_age: int) -> None:
    response.set_cookie(
        name,
        value,
        max_age=max_age,
        path=BASE,
        httponly=True,
        samesite="lax",
        secure=secure_cookies(request),
    )


def current_session(request: Request) -> Session | None:
    from covenant.services.users import find_session

    found = getattr(request.state, "session", None)  # session_gate's, for a form's body
    if isinstance(found, Session):
        return found
    ctx = backend(request)
    return find_session(
        ctx.engine(), session_id=request.cookies.get(SESSION_COOKIE), at=ctx.clock()
    )


@dataclass(frozen=True, slots=True)
class SignInNeededError(Exception):
    """No live session: the page answers with a redirect to the sign-in form."""

    path: str


def require(request: Request, roles: frozenset[Role] | None = None) -> Session:
    """The request's session, its role among ``roles``; else a redirect or a 403 page."""
    session = current_session(request)
    if session is None:
        raise SignInNeededError(request.url.path)
    if roles is not None and session.principal.role not in roles:
        raise ForbiddenError(
            f"{with_article(session.principal.role.value)} may not use this page",
            hint="sign in as a user with one of the roles: "
            + ", ".join(r.value for r in Role if r in roles),
        )
    return session


OPEN_FORMS = frozenset({f"{BASE}/sign-in", f"{BASE}/sign-out"})  # no session needed


async def session_gate(request: Request, route: Any) -> Response | None:
    """A form sent to a page (a POST under /ui, but signing in and out) without a live
    session: answered as the page would (the sign-in form) before a byte of the form is read
    (``api.body_limit``); with one, the session is left in ``request.state`` for the page."""
    from starlette.concurrency import run_in_threadpool

    path = getattr(route, "path_format", None) or ""
    if request.method != "POST" or not path.startswith(f"{BASE}/") or path in OPEN_FORMS:
        return None
    try:
        session = await run_in_threadpool(current_session, request)
    except CovenantError as error:  # the store does not answer: the page's 503
        return error_page(request, error)
    if session is None:
        return error_page(request, SignInNeededError(request.url.path))
    request.state.session = session
    return None


def staff(request: Request) -> Session:
    return require(request, INTERNAL_READERS)


def writer(request: Request) -> Session:
    return require(request, WRITERS)


def admin(request: Request) -> Session:
    return require(request, ADMINS)


async def form(request: Request) -> dict[str, str]:
    """An urlencoded form body (its first value per field); a bad one is ``invalid-input``."""
    return {k: v[0] for k, v in (await form_lists(request)).items()}


async def form_lists(request: Request) -> dict[str, list[str]]:
    """An urlencoded form body, every value of each field (a multiple select's)."""
    kind = request.headers.get("content-type", "").split(";")[0].strip()
    if kind != "application/x-www-form-urlencoded":
        raise InputError("the form was not sent as application/x-www-form-urlencoded")
    body = await request.body()
    if len(body) > MAX_FORM:
        raise BodyTooLargeError(
            f"the form is larger than {MAX_FORM:,} bytes (1 MiB)",
            hint="shorten what was typed or pasted into it",
        )
    try:
        return parse_qs(body.decode("utf-8"), keep_blank_values=True, max_num_fields=2000)
    except (UnicodeDecodeError, ValueError):
        raise InputError("the form is not UTF-8 urlencoded text") from None


def same_origin(request: Request) -> None:
    origin = request.headers.get("origin")
    if origin and origin != "null" and urlsplit(origin).netloc != request.headers.get("host"):
        raise ForbiddenError("the form was sent from another site", hint="use this site's form")


def check_csrf(request: Request, fields: dict[str, str], expected: str | None) -> None:
    same_origin(request)
    given = fields.get("csrf", "")
    if not expected or not hmac.compare_digest(given.encode(), expected.encode()):
        raise ForbiddenError(
            "the form's CSRF token is missing or not this session's",
            hint="reload the page and send the form again",
        )


PAGE_NAMES = {
    **HTTP_NAMES,
    "user_list": "the users page (/ui/users)",
    "user_disable": "the users page's Disable button",
    "import_replace": "tick “Replace the files an earlier import of these files wrote”",
    "import_elsewhere": "import the file under another file name",
    "strict": "“All or nothing”",
}
"""How a page names the inputs and commands a message cites: the API's field names, and this
UI's pages where the API would name its routes."""


_STATUS: tuple[tuple[type[CovenantError], int], ...] = (
    (AuthenticationError, 401),
    (ForbiddenError, 403),
    (NotFoundError, 404),
    (ConflictError, 409),
    (BodyTooLargeError, 413),
    (InputError, 400),
    (SourceError, 502),
    (StoreError, 503),
    (PdfUnavailableError, 503),
)


def error_status(error: CovenantError) -> int:
    """The HTTP status of a page answering ``error`` (400 unless its kind says otherwise)."""
    return next((s for kind, s in _STATUS if isinstance(error, kind)), 400)


def minutes_answer(request: Request, refused: DaySumsOnlyError) -> CovenantError:
    """What a page that needs the minutes of days stored as sums answers: they are being read
    (``minutes-pending``) or could not be (``minutes-unread``), ``services.day_minutes_serve``;
    a customer's page names no SLO or source. Run off the event loop (it reads the store)."""
    from covenant.services.day_minutes_serve import answer_for

    customer = request.url.path.startswith(f"{BASE}/portal")
    return answer_for(backend(request).minutes_reader(), refused, customer=customer)


def error_page(request: Request, error: Exception) -> Response:
    """A CovenantError as a page (its code, message and hint: they never name internal things
    to a customer, as in the API); no session: the sign-in form."""
    if isinstance(error, SignInNeededError):
        target = error.path if error.path.startswith(BASE) else BASE + "/"
        return RedirectResponse(f"{BASE}/sign-in?next={target}", status_code=303)
    assert isinstance(error, CovenantError)
    status = error_status(error)
    try:
        session = current_session(request)
    except CovenantError:
        session = None
    retry = (
        {"Retry-After": str(error.retry_after_s)} if isinstance(error, MinutesPendingError) else {}
    )
    message, hint = error.worded(PAGE_NAMES)  # the page's fields, not the CLI's --at
    from covenant.web.portal_errors import customer_error_page, for_customer

    if for_customer(request, session):  # in the portal's language
        return customer_error_page(
            request,
            session=session,
            status=status,
            code=error.code,
            error=error,
            english=(message, hint),
            headers=retry,
        )
    answer = page(
        "error.html",
        session=session,
        status=status,
        code=error.code,
        message=message,
        hint=hint,
        title=f"{status}: {error.code}",
    )
    if isinstance(error, MinutesPendingError):  # the minutes are being read: reload soon
        answer.headers["Retry-After"] = str(error.retry_after_s)
    return answer
