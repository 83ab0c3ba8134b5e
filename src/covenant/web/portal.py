"""The customer portal (role ``customer``): that customer's agreements, the current period's
levels against the commitments, credits, tickets with their timers, and statements.

Everything comes through ``services.portal`` (the customer's view of agreements, tickets) and
the statement service the API's statement route calls; the statement itself is rendered by
``render.sla`` (the same document as `covenant report sla` and the API). Nothing internal is
shown: no SLO, SLI, target, margin, backing, approval, or another customer. The pages are in
the language, formats and time zone of the customer's statements, or the language chosen with
``?lang=`` (``web.portal_text``).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from fractions import Fraction
from typing import Any
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import Response

from covenant.core.access import Principal, Role
from covenant.core.statement import Statement
from covenant.core.timeutil import utc_iso
from covenant.errors import InputError, NotFoundError
from covenant.store.ticket_pages import Cursor
from covenant.web.core import (
    BASE,
    Backend,
    backend,
    page,
    require,
    statement_answer,
)
from covenant.web.portal_text import (
    PortalText,
    asked_language,
    keep_language,
    page_locale,
    stated_language,
    worded,
)
from covenant.web.routes import pages_router

router = pages_router()
CUSTOMERS = frozenset({Role.CUSTOMER})


def months_back(at: datetime, count: int = 3) -> list[str]:
    """This month and the ``count - 1`` before it, newest first (``2026-11``)."""
    found, year, month = [], at.year, at.month
    for _ in range(count):
        found.append(f"{year:04d}-{month:02d}")
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return found


def statement(ctx: Backend, who: Principal, period: str, at: datetime) -> Statement:
    from covenant.services.sla import report_statement

    assert who.customer is not None
    try:
        return report_statement(
            ctx.engine(),
            workspace=ctx.workspace(),
            customer=who.customer,
            period=period,
            at=at,
            now=ctx.clock(),
        )
    except NotFoundError:  # the customer's words only, as the API answers a customer
        raise worded(
            NotFoundError(
                f"there is no statement for {period}", hint="choose one of the periods listed"
            ),
            "no_statement",
            period=period,
        ) from None


def level_text(value: Fraction | None) -> str:
    """A level as a percentage truncated (never rounded up) to three decimals."""
    if value is None:
        return "–"
    thousandths = value * 100_000 // 1  # 99.9876 % → 99987
    return f"{thousandths / 1000:.3f} %"


def fill(level: Fraction | None, committed: Fraction) -> float:
    """How far a bar fills: the level on a scale from 10 points below the commitment to 100 %."""
    if level is None:
        return 0.0
    floor = max(Fraction(0), committed - Fraction(1, 10))
    share = (level - floor) / (1 - floor) if floor < 1 else Fraction(1)
    return float(min(Fraction(1), max(Fraction(0), share))) * 100


def commitment_title(st: Statement, agreement: str, version: int, commitment: str) -> str:
    """A commitment as its customer knows it: the agreement's and the commitment's display
    names (``Globex enterprise SLA: Checkout service availability``), never the internal
    ``globex-enterprise v1: checkout-uptime`` (a name stands in only where the contract gives
    none)."""
    text = st.presentation.commitment(agreement, version, commitment)
    name = st.presentation.agreement_name(agreement)
    return f"{name}: {text.display_name or commitment}"


def money(m: Any) -> str:
    return "–" if m is None else f"{m.amount} {m.currency}"


def terms_of(st: Statement) -> list[tuple[str, str]]:
    """Each commitment of the statement that the contract words (its ``terms``), with its
    title: the text the statement quotes under "The commitment", once each."""
    found: dict[str, str] = {}
    keys = [(c.agreement, c.version, c.commitment) for c in st.availability]
    keys += [(c.agreement, c.version, c.commitment) for c in st.support]
    for key in keys:
        text = st.presentation.commitment(*key)
        if text.terms.strip():
            found.setdefault(commitment_title(st, *key), text.terms)
    return list(found.items())


def periods_of(
    ctx: Backend, customer: str, at: datetime, agreement: str | None = None
) -> list[str]:
    """The period in progress and the two before, newest first, as the customer's agreements
    (``agreement`` only, when given) report them (month or quarter, in the agreement's zone);
    calendar months (UTC) when none of them is signed."""
    from covenant.services.portal import recent_periods

    found = recent_periods(
        ctx.engine(), workspace=ctx.workspace(), customer=customer, at=at, agreement=agreement
    )
    return found or months_back(at)


def issued_of(ctx: Backend, customer: str, periods: list[str], at: datetime) -> dict[str, str]:
    """Per period listed, what its statement link says: ``issued 2026-12-10 09:00 UTC, revision
    2`` (the copy the customer is given), or ``not issued: computed now`` (its figures may
    still change: docs/sla.md "Issued statements")."""
    from covenant.services.issued_statements import issued_marks

    marks = issued_marks(ctx.engine(), customer=customer, periods=periods, at=at)
    return {
        p: f"issued {m.issued_at:%Y-%m-%d %H:%M} UTC, revision {m.revision}"
        if (m := marks.get(p)) is not None
        else "not issued: computed now"
        for p in periods
    }


def issued_words(
    ctx: Backend, customer: str, periods: list[str], at: datetime, text: PortalText
) -> dict[str, str]:
    """:func:`issued_of` in the portal's language: ``Ausgestellt am 10. Dez. 2026, 10:00,
    Revision 2`` (the statement's words, in the agreement's zone) or ``nicht ausgestellt: jetzt
    berechnet``."""
    from covenant.services.issued_statements import issued_marks

    marks = issued_marks(ctx.engine(), customer=customer, periods=periods, at=at)
    return {
        p: text("issued_short", date=text.when(m.issued_at), revision=m.revision)
        if (m := marks.get(p)) is not None
        else text("portal_not_issued")
        for p in periods
    }


def current_statement(ctx: Backend, who: Principal, period: str, at: datetime) -> Statement | None:
    """The statement of ``period`` (the one in progress), or None when no agreement covers
    it."""
    try:
        return statement(ctx, who, period, at)
    except NotFoundError:
        return None


def portal_text(
    request: Request, ctx: Backend, current: Statement | None, agreements: list[Any]
) -> PortalText:
    """The page's language and zone (``web.portal_text``): the statement's of the period in
    progress, else the first of the customer's ``agreements`` that states a locale (and the
    zone of the first in force); ``?lang=`` or the cookie over the language."""
    if current is not None:
        locale, zone = current.presentation.locale, current.zone
    else:
        locale, zone = stated_language(ctx.workspace().labels, agreements)
    return PortalText(page_locale(locale, asked_language(request)), zone)


def cursor_of(request: Request, name: str) -> Cursor | None:
    """``?older=`` / ``?newer=``: a ticket's place, ``2026-09-01T10:00:00Z~TICKET-ID`` (its
    opening instant and id, as the page's links write them)."""
    text = request.query_params.get(name)
    if text is None:
        return None
    stamp, sep, ticket = text.partition("~")
    try:
        at = datetime.fromisoformat(stamp.replace("Z", "+00:00")) if sep and ticket else None
    except ValueError:
        at = None
    if at is None or at.utcoffset() != timedelta(0):
        raise worded(
            InputError(
                f"?{name}= is not a ticket's place: {text[:80]!r}",
                hint="follow the page's Older and Newer links (an instant in UTC, ~, a ticket id)",
            ),
            "cursor",
            name=name,
        )
    return (at.astimezone(UTC), ticket)


def cursor_text(cursor: Cursor) -> str:
    return f"{utc_iso(cursor[0])}~{cursor[1]}"


def _tickets(ctx: Backend, who: Principal, at: datetime, request: Request) -> dict[str, Any]:
    """The customer's tickets with live timers, newest first, as the agreement's Ticket timers
    page shows them (``services.ticket_timers.watched_timers``: the tickets created in the
    period in progress and every one still open, however old; a reopened ticket's latest
    cycle), so the portal and the staff agree; and a page of the others ("Earlier tickets",
    ``services.portal.ticket_page_of``: 50, newest first, from ``?older=``/``?newer=``) with
    their count. The customer's whole history is never read."""
    from covenant.services.portal import ticket_page_of
    from covenant.services.ticket_timers import watched_timers

    timers: dict[str, list[Any]] = {}
    tickets: dict[str, Any] = {}
    watched = watched_timers(ctx.engine(), workspace=ctx.workspace(), at=at, customer=who.customer)
    for ticket, live in watched.timers:
        if ticket.customer == who.customer:
            tickets[ticket.id] = ticket
            timers.setdefault(ticket.id, []).append(live.timer)
    unmeasured = set()  # governed, but created too long ago for its business calendar
    for ticket, _, _ in watched.notes:
        if ticket.customer == who.customer:
            tickets.setdefault(ticket.id, ticket)
            timers.setdefault(ticket.id, [])
            unmeasured.add(ticket.id)
    live_rows = [
        {"ticket": t, "timers": timers[t.id], "unmeasured": t.id in unmeasured}
        for t in tickets.values()
    ]
    places = {name: cursor_of(request, name) for name in ("older", "newer")}
    earlier = ticket_page_of(ctx.engine(), principal=who, leave_out=tickets.keys(), **places)
    asked = {name: cursor_text(place) for name, place in places.items() if place is not None}
    return {
        "live": sorted(
            live_rows, key=lambda t: (t["ticket"].created, t["ticket"].id), reverse=True
        ),
        "earlier": earlier,
        "paged": bool(asked),
        "cursor_text": cursor_text,
        "query": f"?{urlencode(asked)}" if asked else "",  # the page the refresh keeps
    }


@router.get("/portal")
def portal(request: Request) -> Response:
    from covenant.services.portal import visible_agreements

    session = require(request, CUSTOMERS)
    who = session.principal
    ctx = backend(request)
    at = ctx.clock()
    assert who.customer is not None
    periods = periods_of(ctx, who.customer, at)
    current = current_statement(ctx, who, periods[0], at)
    agreements = visible_agreements(ctx.engine(), principal=who, at=at)
    name = current.customer_name if current is not None else who.customer
    titles = {label.name: label.display_name for label in ctx.workspace().labels}
    text = portal_text(request, ctx, current, agreements)
    answer = page(
        "portal.html",
        session=session,
        t=text,
        title=text("portal_title", name=name),
        name=name,
        at=at,
        st=current,
        agreements=agreements,
        periods=periods,
        issued=issued_words(ctx, who.customer, periods, at, text),
        agreement_title=lambda agreement: titles.get(agreement) or agreement,
        commitment_title=commitment_title,
        terms_of=terms_of,
        fill=fill,
        **_tickets(ctx, who, at, request),
    )
    return keep_language(request, answer)


@router.get("/portal/tickets")
def portal_tickets(request: Request) -> Response:
    """The tickets table alone: the page's live part, fetched again every 30 s (htmx), in the
    page's language (the statement is not computed again: the customer's agreements say it)."""
    from covenant.services.portal import visible_agreements

    session = require(request, CUSTOMERS)
    ctx = backend(request)
    at = ctx.clock()
    agreements = visible_agreements(ctx.engine(), principal=session.principal, at=at)
    text = portal_text(request, ctx, None, agreements)
    answer = page(
        "portal_tickets.html",
        session=session,
        t=text,
        title=text("portal_tickets"),
        at=at,
        **_tickets(ctx, session.principal, at, request),
    )
    return keep_language(request, answer)


@router.get("/portal/statements/{period}")
def portal_statement(request: Request, period: str) -> Response:
    """The customer's statement of ``period``: the copy issued to it (or computed, when not
    issued), or with ``?revision=N`` that revision issued to it; above an issued page with
    several revisions, a link to each (``web.portal_revisions``)."""
    from covenant.web.portal_revisions import customer_revision, revisions_list
    from covenant.web.statements import period_page, revision_asked

    session = require(request, CUSTOMERS)
    ctx = backend(request)
    who = session.principal
    assert who.customer is not None
    base = f"{BASE}/portal/statements"
    label = period_page(request, ctx, who.customer, period[:16], base=base)
    if isinstance(label, Response):
        return label
    period = label
    revision = revision_asked(request)
    if revision is None:
        found = issued_or_computed(ctx, who, period)
    else:
        found = customer_revision(request, session, period, revision)
        if isinstance(found, Response):  # not one issued to it: the 404 page
            return found
    return statement_answer(request, found, note=revisions_list(ctx, who, period, found))


def issued_or_computed(ctx: Backend, who: Principal, period: str) -> Any:
    """The customer's statement of ``period`` as the portal gives it: the copy issued to the
    customer, else the statement computed now (``services.issued_statements.read_statement``)."""
    from covenant.services.issued_statements import read_statement

    assert who.customer is not None
    try:
        return read_statement(
            ctx.engine(),
            workspace=ctx.workspace(),
            customer=who.customer,
            period=period,
            at=ctx.clock(),
            now=ctx.clock(),
            staff=False,
        )
    except NotFoundError:  # the customer's words only, as the API answers a customer
        raise worded(
            NotFoundError(
                f"there is no statement for {period}", hint="choose one of the periods listed"
            ),
            "no_statement",
            period=period,
        ) from None
