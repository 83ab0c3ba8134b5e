"""A customer's statement for the team: the document the customer's portal and the API's
statement route give (``render.sla``), with the staff's additions above it — links to every
revision issued of the period (``?revision=N``, as the API's and the CLI's ``revision``), and
what the statement computed now changed against the revision shown.

The customer's portal (``web.portal``) gives the same stored page without either.
"""

from __future__ import annotations

from html import escape
from typing import Any
from urllib.parse import quote

from fastapi import Request
from fastapi.responses import RedirectResponse, Response

from covenant.core.access import ADMINS
from covenant.errors import CovenantError, InputError, NotFoundError
from covenant.web.core import (
    BASE,
    admin,
    backend,
    error_status,
    page,
    staff,
    statement_answer,
)
from covenant.web.form_pages import posted_form
from covenant.web.portal_text import worded
from covenant.web.routes import pages_router

router = pages_router()
LONGEST_REVISION = 1_000_000  # as the API's ``revision`` parameter


def period_page(
    request: Request, ctx: Any, customer: str, period: str, *, base: str
) -> str | Response:
    """``period`` as its label (``2026-11``), or for a relative one (``last-month``, ``-1M``:
    as the CLI's ``--period``, from now in the customer's agreements' zone) a redirect to the
    page of the period it names (``base`` + the label), the query kept; a bad one is
    ``invalid-period-option``."""
    from covenant.services.sla import customer_period

    label = customer_period(ctx.workspace(), customer, period, ctx.clock())
    if label == period:
        return label
    query = f"?{request.url.query}" if request.url.query else ""
    return RedirectResponse(f"{base}/{label}{query}", status_code=303)


def revision_asked(request: Request) -> int | None:
    """``?revision=N``: a whole number from 1 (None when not given)."""
    text = request.query_params.get("revision")
    if text is None:
        return None
    number = int(text) if text.isascii() and text.isdigit() and len(text) <= 7 else 0
    if not 1 <= number <= LONGEST_REVISION:
        raise worded(
            InputError(
                f"revision={text[:20]!r} is not a revision number: a whole number from 1",
                hint="open a revision with its link on the statement's page, or leave out "
                "revision for the statement as the customer is given it",
            ),
            "revision",
        )
    return number


@router.get("/customers/{customer}/statements/{period}")
def statement(request: Request, customer: str, period: str) -> Response:
    """A customer's statement, for the team: an issued period's issued page (the latest, or
    ``?revision=N``; above it links to every revision and, when the statement computed now
    differs, what changed), or with ``?live=true`` the statement computed now."""
    from covenant.services.issued_statements import issued_revisions, read_statement

    session = staff(request)
    ctx = backend(request)
    path = f"{BASE}/customers/{quote(customer, safe='')}/statements"
    label = period_page(request, ctx, customer, period[:16], base=path)
    if isinstance(label, Response):
        return label
    period = label
    revision = revision_asked(request)
    try:
        found = read_statement(
            ctx.engine(),
            workspace=ctx.workspace(),
            customer=customer,
            period=period,
            at=ctx.clock(),
            now=ctx.clock(),
            staff=True,
            live=request.query_params.get("live") == "true",
            revision=revision,
        )
    except NotFoundError as error:
        if revision is None:
            raise
        return no_such_revision(
            request,
            session,
            error,
            customer=customer,
            period=period,
            path=f"{BASE}/customers/{customer}/statements/{period}",
            whole="The statement as the customer is given it",
        )
    every = issued_revisions(ctx.engine(), customer=customer, period=period, at=ctx.clock())
    shown = None if found.issued is None else found.issued.revision
    note = revisions_nav(customer, every, shown=shown) + restated_note(found, every)
    if session.principal.role in ADMINS:  # as the API's issue route: admins only
        note += (
            '<p class="issue-link" style="margin:.5rem 1rem;font:10pt sans-serif">'
            f'<a href="{path}/{quote(period)}/issue">Issue or reissue this statement…</a></p>\n'
        )
    return statement_answer(request, found, note=note)


@router.get("/customers/{customer}/statements/{period}/issue")
def issue_page(request: Request, customer: str, period: str) -> Response:
    """The confirmation before issuing (admins): what issuing does, the revisions issued."""
    return _issue_page(request, admin(request), customer, period[:16])


@router.post("/customers/{customer}/statements/{period}/issue")
async def issue(request: Request, customer: str, period: str) -> Response:
    """Issue the statement as it is now, as ``POST /api/v1/customers/{customer}/statements/
    {period}/issue`` (``force``, ``reissue`` with a ``reason``): the same service, audited
    under the signed-in admin; answered with a redirect to the revision issued. Refused: the
    confirmation page again with the service's words and what was typed (nothing stored)."""
    from covenant.services.issued_statements import issue_statement

    session, fields = await posted_form(request, admin)
    ctx = backend(request)
    try:
        made = issue_statement(
            ctx.engine(),
            workspace=ctx.workspace(),
            customer=customer,
            period=period[:16],
            now=ctx.clock(),
            actor=session.actor,
            force=fields.get("force") == "1",
            reissue=fields.get("reissue") == "1",
            reason=fields.get("reason", "") or None,  # over-long: refused by the service
        )
    except CovenantError as error:  # nothing stored
        if error.code == "not-found":
            raise
        return _issue_page(request, session, customer, period[:16], error=error, typed=fields)
    path = f"{BASE}/customers/{quote(customer, safe='')}/statements/{quote(made.issued.period)}"
    return RedirectResponse(f"{path}?revision={made.issued.revision}", status_code=303)


def _issue_page(
    request: Request,
    session: Any,
    customer: str,
    period: str,
    *,
    error: CovenantError | None = None,
    typed: dict[str, str] | None = None,
) -> Response:
    from covenant.services.issued_statements import issued_revisions

    ctx = backend(request)
    if customer not in {c.name for c in ctx.workspace().customers}:
        raise NotFoundError(
            f"customer {customer!r} is not defined in the workspace",
            hint="open a statement from its agreement's page",
        )
    every = issued_revisions(ctx.engine(), customer=customer, period=period, at=ctx.clock())
    problem = None
    if error is not None:
        message, hint = error.worded({})
        problem = {"code": error.code, "message": message, "hint": hint}
    return page(
        "statement_issue.html",
        session=session,
        status=200 if error is None else error_status(error),
        title=f"Issue {customer} {period}",
        customer=customer,
        period=period,
        revisions=every,
        problem=problem,
        typed=typed or {},
    )


def no_such_revision(
    request: Request,
    session: Any,
    error: NotFoundError,
    *,
    customer: str,
    period: str,
    path: str,
    whole: str,
) -> Response:
    """The 404 page of a revision that is not there: the message names those there are, a
    link to each and to ``path`` itself (``whole`` its words), for staff and portal alike."""
    from covenant.services.issued_statements import issued_revisions
    from covenant.web.portal_errors import customer_error_page, for_customer

    ctx = backend(request)
    every = issued_revisions(ctx.engine(), customer=customer, period=period, at=ctx.clock())
    if for_customer(request, session):
        return customer_error_page(
            request,
            session=session,
            status=404,
            code=error.code,
            error=worded(error, "no_revision"),
            english=(
                error.message,
                "Open one of the revisions linked below." if every else error.hint,
            ),
            revisions=(path, [r.revision for r in every]),
        )
    links = [(f"{path}?revision={r.revision}", f"Revision {r.revision}") for r in every]
    links.append((path, whole))
    return page(
        "error.html",
        session=session,
        status=404,
        code=error.code,
        message=error.message,
        hint="Open one of the revisions linked below." if every else error.hint,
        title=f"404: {error.code}",
        links=links,
    )


def revisions_nav(customer: str, every: list[Any], *, shown: int | None) -> str:
    """For staff, above the page: each revision issued of the period (a link, when and why it
    was issued), which one the customer is given, and the statement computed now ('' for a
    period not issued). ``shown``: the revision on the page (None: the statement computed)."""
    from covenant.core.timeutil import utc_text

    if not every:
        return ""

    def item(r: Any) -> str:
        current = ' aria-current="page"' if r.revision == shown else ""
        why = f": {escape(r.reason)}" if r.reason else ""
        when = f"issued {utc_text(r.issued_at)}{why}"
        return f'<a href="?revision={r.revision}"{current}>revision {r.revision}</a> ({when})'

    live = ' aria-current="page"' if shown is None else ""
    return (
        '<nav class="revisions" aria-label="Issued revisions" style="padding:.4rem 1rem;'
        'margin:.5rem 1rem;border:1px solid #888;font:10pt sans-serif">'
        f"<strong>Staff view.</strong> Revisions of {escape(customer)} {escape(every[-1].period)}:"
        f" {' · '.join(item(r) for r in every)} — the customer is given revision "
        f'{every[-1].revision} · <a href="?live=true"{live}>computed now</a></nav>\n'
    )


def restated_note(found: Any, every: list[Any] | None = None) -> str:
    """For staff, above an issued statement whose figures computed now differ: the issue, each
    change and a link to the statement computed now ('' when it is the same or not issued).
    ``every``: the period's revisions (to say when the one shown is not the latest)."""
    from covenant.core.timeutil import utc_text
    from covenant.services.restatement import change_text

    restated = getattr(found, "restated", None)
    if found.issued is None or not restated or not restated["differs"]:
        return ""
    items = "".join(f"<li>{escape(change_text(c))}</li>" for c in restated["changes"])
    head = f"Issued {utc_text(found.issued.issued_at)}, revision {found.issued.revision}"
    latest = every[-1].revision if every else found.issued.revision
    given = (
        "the customer gets the issued copy below until a revision is issued "
        "(<code>covenant report sla --issue --reissue --reason</code>)"
        if latest == found.issued.revision
        else f"revision {found.issued.revision} is not the latest: the customer is given "
        f"revision {latest}"
    )
    return (
        '<div class="restated" role="note" style="border:2px solid #b3261e;padding:.4rem 1rem;'
        'margin:.5rem 1rem;font:10pt sans-serif">'
        f"<strong>Staff view. {escape(head)}: the statement computed now differs.</strong>"
        f'<ul>{items}</ul><a href="?live=true">The statement computed now</a> · {given}</div>\n'
    )
