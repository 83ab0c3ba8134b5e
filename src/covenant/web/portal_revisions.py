"""The revisions of a statement issued to a customer, on its portal (``?revision=N``).

A customer may read every revision of its own statements (each one was issued to it, and an
adjustment is read against the revision it replaces: docs/sla.md "Issued statements"), as the
API gives them. The portal reads the signed-in customer's statements only — the URL names no
customer — so another customer's revision cannot be asked for. Above an issued page of a
period issued more than once: a link to each revision, when (and why) it was issued, and which
one stands; none of the staff's additions (what the statement computed now would change).
"""

from __future__ import annotations

from html import escape
from typing import Any

from fastapi import Request

from covenant.core.access import Principal
from covenant.core.timeutil import utc_text
from covenant.errors import NotFoundError
from covenant.web.core import BASE, Backend, backend
from covenant.web.statements import no_such_revision


def customer_revision(request: Request, session: Any, period: str, revision: int) -> Any:
    """Revision ``revision`` of the signed-in customer's ``period`` (issued at or before now),
    or the 404 page naming the revisions there are."""
    from covenant.services.issued_statements import read_statement

    ctx = backend(request)
    customer = session.principal.customer
    assert customer is not None
    try:
        return read_statement(
            ctx.engine(),
            workspace=ctx.workspace(),
            customer=customer,
            period=period,
            at=ctx.clock(),
            now=ctx.clock(),
            staff=False,
            revision=revision,
        )
    except NotFoundError as error:
        return no_such_revision(
            request,
            session,
            error,
            customer=customer,
            period=period,
            path=f"{BASE}/portal/statements/{period}",
            whole="The statement of this period",
        )


def revisions_list(ctx: Backend, who: Principal, period: str, found: Any) -> str:
    """The revisions issued to the customer of ``period``, linked, above the page shown ('' for
    a statement not issued, or issued once: the page is then the only one there is)."""
    from covenant.services.issued_statements import issued_revisions

    issued = getattr(found, "issued", None)
    if issued is None or who.customer is None:
        return ""
    every = issued_revisions(ctx.engine(), customer=who.customer, period=period, at=ctx.clock())
    if len(every) < 2:
        return ""

    def item(r: Any) -> str:
        current = ' aria-current="page"' if r.revision == issued.revision else ""
        why = f": {escape(r.reason)}" if r.reason else ""
        when = f"issued {utc_text(r.issued_at)}{why}"
        return f'<a href="?revision={r.revision}"{current}>revision {r.revision}</a> ({when})'

    return (
        '<nav class="issued-revisions" aria-label="Issued revisions" style="padding:.4rem 1rem;'
        'font:14px system-ui,sans-serif;background:#eef3f8;border-bottom:1px solid #c9d6e3">'
        f"Issued revisions of this statement: {' · '.join(item(r) for r in every)} — "
        f"revision {every[-1].revision} is the one that stands</nav>\n"
    )
