"""Agreements, their versions and history, statements and credits.

Staff see every agreement with its full terms; a customer token sees its own agreements, with
the terms a customer signed and nothing internal (``services.portal``), and its statements.
Another customer's agreement or statement is ``not-found``, exactly as one that does not exist.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Query
from fastapi import Path as PathParam
from fastapi.responses import HTMLResponse, JSONResponse, Response

from covenant.api.deps import At, Ctx, Who, allow
from covenant.api.errors import RESPONSES
from covenant.core.access import INTERNAL_READERS, Principal
from covenant.core.agreements import AgreementVersion
from covenant.errors import ForbiddenError, NotFoundError

router = APIRouter(responses=RESPONSES, tags=["agreements"])


def _version(version: AgreementVersion, who: Principal) -> dict[str, Any]:
    from covenant.services.agreements import version_document
    from covenant.services.portal import customer_version_document

    if who.customer is not None:
        return customer_version_document(version)
    return version_document(version)


Patterns = Annotated[
    list[str] | None,
    Query(max_length=100, description="A name or a glob (glob*); repeat it for any of several."),
]


@router.get("/agreements")
def list_agreements(
    ctx: Ctx,
    who: Who,
    at: At,
    customer: Patterns = None,
    agreement: Patterns = None,
    status: Annotated[
        list[str] | None,
        Query(max_length=9, description="The version in force's status, none or tampered."),
    ] = None,
) -> dict[str, Any]:
    """Stored agreements with the version in force at ``at`` (a customer: its own);
    ``customer``, ``agreement`` and ``status`` as `covenant agreements list`'s filters."""
    from covenant.render.agreements import list_json
    from covenant.services.portal import visible_agreements
    from covenant.services.row_states import AGREEMENT_STATES
    from covenant.services.selection import chosen_states, select_agreements

    statuses = chosen_states(status or (), AGREEMENT_STATES)
    found = visible_agreements(ctx.engine(), principal=who, at=at)
    chosen = select_agreements(
        found, customers=customer or (), agreements=agreement or (), statuses=statuses
    )
    return list_json(chosen, at=at, error_text=who.customer is None)


@router.get("/agreements/{name}")
def get_agreement(ctx: Ctx, who: Who, at: At, name: str) -> dict[str, Any]:
    """The version of agreement ``name`` in force at ``at``."""
    from covenant.services.agreements import agreement_in_force
    from covenant.services.portal import visible_agreement

    visible_agreement(ctx.engine(), principal=who, name=name, at=at)
    return _version(agreement_in_force(ctx.engine(), name=name, at=at), who)


@router.get("/agreements/{name}/versions")
def list_versions(ctx: Ctx, who: Who, at: At, name: str) -> dict[str, Any]:
    """Every stored version of agreement ``name``, oldest first."""
    from covenant.services.portal import agreement_versions

    versions = agreement_versions(ctx.engine(), principal=who, name=name, at=at)
    return {"agreement": name, "items": [_version(v, who) for v in versions]}


@router.get("/agreements/{name}/versions/{version}")
def get_version(
    ctx: Ctx, who: Who, at: At, name: str, version: Annotated[int, PathParam(ge=1, le=1_000_000)]
) -> dict[str, Any]:
    """One stored version of agreement ``name``."""
    from covenant.services.portal import agreement_versions

    for v in agreement_versions(ctx.engine(), principal=who, name=name, at=at):
        if v.version == version:
            return _version(v, who)
    raise NotFoundError(f"agreement {name!r} has no version {version}")


@router.get("/agreements/{name}/history", dependencies=[Depends(allow(INTERNAL_READERS))])
def agreement_history(ctx: Ctx, name: str) -> dict[str, Any]:
    """Every recorded event of agreement ``name`` (who, when, what) and whether its hash chain
    is intact (as `covenant agreements history --format json`)."""
    from covenant.render.agreements import history_json
    from covenant.services.agreements import agreement_audit

    events, wrong = agreement_audit(ctx.engine(), name=name)
    if not events:
        raise NotFoundError(f"no agreement named {name!r} is stored")
    return history_json(name, events, wrong)


class StatementFormat(StrEnum):
    JSON = "json"
    HTML = "html"
    PDF = "pdf"


Period = Annotated[
    str,
    Query(
        max_length=16,
        description="A month (2026-11) or a quarter (2026-Q4), or as the CLI's --period: "
        "this-month, last-month, this-quarter, last-quarter, -3M, -1Q (from `at`).",
    ),
]


PeriodPath = Annotated[
    str,
    PathParam(
        max_length=16,
        description="A month (2026-11) or a quarter (2026-Q4), or as the CLI's --period: "
        "this-month, last-month, this-quarter, last-quarter, -3M, -1Q.",
    ),
]


def period_label(ctx: Ctx, customer: str, period: str, reference: datetime) -> str:
    """``period`` as a label: ``services.sla.customer_period`` over the served workspace."""
    from covenant.services.sla import customer_period

    return customer_period(ctx.workspace(), customer, period, reference)


def _statement(
    ctx: Ctx, who: Who, customer: str, period: str, at: Any, live: bool, revision: int | None = None
) -> Any:
    """The statement a reader gets (``services.issued_statements.read_statement``)."""
    from covenant.services.issued_statements import read_statement

    if not who.sees_customer(customer):
        raise NotFoundError(f"no customer named {customer!r} has agreements")
    if live and who.customer is not None:
        raise ForbiddenError(
            "live=true is for staff: a customer gets the statement as issued",
            hint="drop live=true",
        )
    period = period_label(ctx, customer, period, at)
    try:
        return read_statement(
            ctx.engine(),
            workspace=ctx.workspace(),
            customer=customer,
            period=period,
            at=at,
            now=ctx.clock(),  # an ``at`` after now is measured up to now
            staff=who.customer is None,
            live=live,
            revision=revision,
        )
    except NotFoundError:
        if who.customer is None or revision is not None:  # a revision's: the customer's own
            raise
        raise NotFoundError(f"no customer named {customer!r} has agreements") from None


@router.get(
    "/customers/{customer}/statements/{period}",
    response_class=JSONResponse,
    responses={200: {"content": {"text/html": {}, "application/pdf": {}}}},
)
def get_statement(
    ctx: Ctx,
    who: Who,
    at: At,
    customer: str,
    period: PeriodPath,
    format: StatementFormat | None = None,
    accept: Annotated[str, Header(max_length=1000)] = "",
    live: Annotated[
        bool, Query(description="Staff: the statement computed now, even if issued.")
    ] = False,
    revision: Annotated[
        int | None,
        Query(ge=1, le=1_000_000, description="That issued revision (1, 2, …), not the latest."),
    ] = None,
) -> Response:
    """The customer's statement for a month (2026-11) or quarter (2026-Q4): levels, downtime
    and exclusions, credits, support, claim deadlines (as `covenant report sla`). ``format``
    (json, html, pdf) wins over the ``Accept`` header (application/pdf, text/html); JSON when
    neither asks for another.

    A period issued at ``at`` (``POST …/issue``) answers with the issued copy as stored: its
    JSON with an ``issued`` block (instant, revision, SHA-256 of the JSON without that block),
    its HTML, that HTML printed; staff get ``restated`` too (how the statement computed now
    differs). ``revision=N``: that revision (issued at or before ``at``; a customer may read
    each of its own), ``not-found`` naming the revisions there are. ``live=true`` (staff
    only): the statement computed now."""
    from covenant.render.sla import statement_html
    from covenant.render.statement_doc import missing_glyphs_header, pdf_and_missing_glyphs

    wanted = format or _accepted(accept)
    found = _statement(ctx, who, customer, period, at, live=live, revision=revision)
    statement = found.live
    if wanted is StatementFormat.HTML:
        return HTMLResponse(statement_html(statement) if statement else found.issued_html())
    if wanted is StatementFormat.PDF:
        number = statement.presentation.number if statement else found.json()["number"]
        name = f"statement-{number}.pdf"
        page = statement_html(statement) if statement else found.issued_html()
        content, missing = pdf_and_missing_glyphs(page)
        return Response(
            content,
            media_type="application/pdf",
            headers={
                "Content-Disposition": f'inline; filename="{name}"',
                **missing_glyphs_header(missing),
            },
        )
    return JSONResponse(found.json())


def _accepted(accept: str) -> StatementFormat:
    """The first of PDF, HTML and JSON that ``accept`` names (media ranges in their order)."""
    for part in accept.split(","):
        media = part.split(";", 1)[0].strip().lower()
        if media == "application/pdf":
            return StatementFormat.PDF
        if media == "text/html":
            return StatementFormat.HTML
        if media == "application/json":
            return StatementFormat.JSON
    return StatementFormat.JSON


@router.get("/customers/{customer}/credits")
def get_credits(ctx: Ctx, who: Who, at: At, customer: str, period: Period) -> dict[str, Any]:
    """The credits and penalties owed to the customer for a period, per commitment (an issued
    period's: as issued, with its ``issued`` block)."""
    from covenant.render.sla import money_json

    found = _statement(ctx, who, customer, period, at, live=False)
    if found.live is None:
        return _issued_credits(found.json())
    st = found.live
    return {
        "customer": st.customer,
        "period": st.period_label,
        "complete": st.complete,
        "credits": [money_json(m) for m in st.credits],
        "penalties": [money_json(m) for m in st.penalties],
        "commitments": [
            {
                "agreement": a.agreement,
                "version": a.version,
                "commitment": a.commitment,
                "met": a.met,
                "credit": None if a.credit is None else money_json(a.credit.amount),
                "claim_deadline": a.claim_deadline,
            }
            for a in st.availability
        ]
        + [
            {
                "agreement": s.agreement,
                "version": s.version,
                "commitment": s.commitment,
                "met": s.met,
                "credit": money_json(s.penalty),
                "claim_deadline": None,
            }
            for s in st.support
        ],
    }


def _issued_credits(doc: dict[str, Any]) -> dict[str, Any]:
    """The credits answer of an issued statement's JSON (``doc``, with its ``issued`` block)."""

    def deadline(text: str | None) -> datetime | None:
        return None if text is None else datetime.fromisoformat(text)

    return {
        "customer": doc["customer"],
        "period": doc["period"],
        "complete": doc["complete"],
        "credits": doc["credits"],
        "penalties": doc["penalties"],
        "commitments": [
            {
                "agreement": a["agreement"],
                "version": a["version"],
                "commitment": a["commitment"],
                "met": a["met"],
                "credit": None if a["credit"] is None else a["credit"]["amount"],
                "claim_deadline": deadline(a["claim_deadline"]),
            }
            for a in doc["availability"]
        ]
        + [
            {
                "agreement": s["agreement"],
                "version": s["version"],
                "commitment": s["commitment"],
                "met": s["met"],
                "credit": s["penalty"],
                "claim_deadline": None,
            }
            for s in doc["support"]
        ],
        "issued": doc["issued"],
    }
