"""Agreements for the team: every agreement, and one agreement's versions with their
lifecycle (propose a draft, sign a proposed version: editors and admins), the differences
between consecutive versions, this period's levels and credits, and its customer's tickets.

Changes go through ``services.agreement_writes.move_version``, the service the API's lifecycle
routes call, recorded in the audit log as the signed-in user (``user:NAME``) or token.
"""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import Request
from fastapi.responses import RedirectResponse, Response

from covenant.core.access import WRITERS
from covenant.core.agreements import VersionStatus
from covenant.core.alert_rules_sla import crossing_text, period_name
from covenant.core.forecast import BAND
from covenant.errors import (
    ConflictError,
    CovenantError,
    DaySumsOnlyError,
    DefinitionError,
    InputError,
    NotFoundError,
)
from covenant.web.agreement_period import current_period
from covenant.web.amendment_form import (
    AmendmentForm,
    add_problems,
    field_id,
    prefilled,
    read_form,
)
from covenant.web.amendment_yaml import TermsForm, add_terms_problems, prefilled_terms, read_terms
from covenant.web.core import (
    BASE,
    backend,
    page,
    staff,
)
from covenant.web.form_pages import posted_form
from covenant.web.portal import issued_of, periods_of
from covenant.web.routes import pages_router

router = pages_router()
AT_LONGEST = 64  # characters of ``?at=``, as the API's parameter
AMENDABLE = (VersionStatus.ACTIVE, VersionStatus.SIGNED)  # the newest version, when amended


@router.get("/agreements")
def agreements(request: Request) -> Response:
    from covenant.services.portal import visible_agreements

    session = staff(request)
    ctx = backend(request)
    found = visible_agreements(ctx.engine(), principal=session.principal, at=ctx.clock())
    return page(
        "agreements.html",
        session=session,
        title="Agreements",
        agreements=sorted(found, key=lambda s: (s.customer, s.name)),
    )


def _diffs(versions: list[Any]) -> dict[int, list[dict[str, Any]]]:
    """What each version changed against the one before it (field paths, before, after):
    fees by service and commitments by name (``fees.checkout``,
    ``support.enterprise-support.penalty_amount``), so a change reads as what it changes."""
    from covenant.services.agreements import version_document
    from covenant.services.slo_history import changed_fields

    def keyed(version: Any) -> dict[str, Any]:
        doc = version_document(version)
        for key in ("version", "status", "signatories"):
            doc.pop(key, None)
        doc["fees"] = dict(doc.get("fees", []))
        for kind in ("availability", "support"):
            doc[kind] = {c["name"]: c for c in doc.get(kind, [])}
        return doc

    found: dict[int, list[dict[str, Any]]] = {}
    for before, after in itertools.pairwise(versions):
        found[after.version] = changed_fields(keyed(before), keyed(after))
    return found


def _context(ctx: Any, who: Any, summary: Any, versions: list[Any], at: datetime) -> Any:
    """The forecast of its commitments (money at risk), the incidents and maintenance
    windows on its services in this period and the one before, and its alert history."""
    from covenant.render.evaluation import iso
    from covenant.services.exposure import exposure
    from covenant.services.portal import agreement_services, visible_incidents
    from covenant.services.slo_pages import agreement_alert_steps

    try:
        found = exposure(ctx.engine(), workspace=ctx.workspace(), at=at, now=ctx.clock())
        forecast = [
            (customer.customer_name, c)
            for customer in found.customers
            for c in customer.commitments
            if c.agreement == summary.name
        ]
    except DaySumsOnlyError:  # minutes being read: the page says so (``routes.PageRoute``)
        raise
    except CovenantError:
        forecast = []
    services = {s for v in versions for s in agreement_services(v)}
    since = at - timedelta(days=62)
    incidents = [
        i
        for i in visible_incidents(ctx.engine(), principal=who, start=since, end=at, at=at)
        if services & set(i.services) and (not i.customers or summary.customer in i.customers)
    ]
    maintenance = [
        m
        for m in ctx.workspace().maintenance
        if services & set(m.services)
        and m.end >= since
        and (not m.customers or summary.customer in m.customers)
    ]
    return {
        "forecast": [c for _, c in forecast],
        "crossings": {  # per commitment: the sentence (as ``covenant exposure``) and when
            (c.version, c.commitment): [
                (crossing_text(name, c, x), iso(x.at), local_time(x.at, c.zone))
                for x in c.crossings
            ]
            for name, c in forecast
        },
        "incidents": incidents,
        "maintenance": maintenance,
        "alerts": agreement_alert_steps(ctx.engine(), agreement=summary.name),
    }


def chance_text(probability: float) -> str:
    """A tier's chance to a tenth of a percent; one that would round to 0 or 100 says it does
    not (``< 0.1 %``, ``> 99.9 %``)."""
    if 0 < probability < 0.0005:
        return "< 0.1 %"
    if 0.9995 <= probability < 1:  # not certain: "100.0 %" would say it is
        return "> 99.9 %"
    return f"{probability * 100:.1f} %"


def local_time(instant: datetime, zone: str) -> str:
    """``2026-11-23 04:28 CET``: an instant to the minute on the agreement's wall clock."""
    return instant.astimezone(ZoneInfo(zone)).strftime("%Y-%m-%d %H:%M %Z")


@router.get("/agreements/{name}")
def agreement(request: Request, name: str) -> Response:
    return _agreement_page(request, name, staff(request))


def _agreement_page(
    request: Request,
    name: str,
    session: Any,
    *,
    amending: AmendmentForm | None = None,
    terms: TermsForm | None = None,
    status: int = 200,
) -> Response:
    """The agreement's page; ``amending``: the amendment form as sent (refused), open;
    ``terms``: the "Edit all terms (YAML)" form as sent (refused), open."""
    from covenant.services.portal import agreement_versions, visible_agreement
    from covenant.services.reissue_flags import reissue_flags
    from covenant.web.portal import level_text, money

    ctx = backend(request)
    at = ctx.clock()
    summary = visible_agreement(ctx.engine(), principal=session.principal, name=name, at=at)
    versions = agreement_versions(ctx.engine(), principal=session.principal, name=name, at=at)
    newest = versions[-1] if versions else None
    if amending is None and terms is not None:  # the YAML refused: both forms of its base
        amending = prefilled(next(v for v in versions if v.version == terms.base))
    if amending is None and newest is not None and newest.status in AMENDABLE:
        amending = prefilled(newest)
    can_write = session.principal.role in WRITERS
    as_of = _as_of(ctx, name, request.query_params.get("at"), now=at)
    periods = periods_of(ctx, summary.customer, at, agreement=name)
    if terms is None and amending is not None and can_write:
        terms = _terms_form(ctx, name, amending.base)
    return page(
        "agreement.html",
        session=session,
        status=status,
        title=f"Agreement {name}",
        summary=summary,
        versions=versions,
        diffs=_diffs(versions),
        period=current_period(ctx, summary.customer, name, periods[0], at),
        can_write=can_write,
        amending=amending,
        terms_form=terms,
        field_id=field_id,
        level_text=level_text,
        money=money,
        local_date=local_date,
        periods=periods,
        issued=issued_of(ctx, summary.customer, periods, at),
        reissue=reissue_flags(ctx.engine(), ctx.workspace(), summary.customer, periods, at),
        more=_context(ctx, session.principal, summary, versions, at),
        percent=level_text,
        chance_text=chance_text,
        band=BAND,
        period_name=period_name,
        at=at,
        as_of=as_of,
    )


def _as_of(ctx: Any, name: str, given: str | None, *, now: datetime) -> dict[str, Any] | None:
    """``?at=``: the instant asked for (as the CLI's ``--at``) and the version in force then,
    as `covenant agreements show --at` finds it (``version`` None: none was)."""
    from covenant.core.when import parse_instant
    from covenant.services.agreements import agreement_in_force

    text = (given or "").strip()
    if not text:
        return None
    if len(text) > AT_LONGEST:
        raise InputError(
            f"at is longer than {AT_LONGEST} characters", hint="at=2026-10-01T00:00:00Z"
        )
    instant = parse_instant(text, reference=now, option="at")
    try:
        version = agreement_in_force(ctx.engine(), name=name, at=instant)
    except NotFoundError:
        version = None
    return {"text": text, "instant": instant, "version": version}


def _terms_form(ctx: Any, name: str, number: int) -> TermsForm | None:
    """The "Edit all terms (YAML)" form of version ``number``, filled with its recorded terms
    (None when they cannot be read: a version recorded without its definition)."""
    from covenant.services.agreement_amendments import version_terms

    try:
        found = version_terms(ctx.engine(), workspace=ctx.workspace(), name=name, number=number)
    except ConflictError:
        return None
    return prefilled_terms(found, base=number)


@router.get("/agreements/{name}/timers")
def agreement_timers(request: Request, name: str) -> Response:
    """The ticket timers alone: the page's live part, fetched again every 30 s (htmx)."""
    from covenant.services.portal import visible_agreement

    session = staff(request)
    ctx = backend(request)
    at = ctx.clock()
    summary = visible_agreement(ctx.engine(), principal=session.principal, name=name, at=at)
    return page(
        "agreement_timers.html",
        session=session,
        title="Ticket timers",
        period=current_period(
            ctx,
            summary.customer,
            name,
            periods_of(ctx, summary.customer, at, agreement=name)[0],
            at,
        ),
        at=at,
    )


@router.get("/agreements/{name}/versions/{number}/backtest")
def backtest(request: Request, name: str, number: int) -> Response:
    """What version ``number`` (a draft, say) would have paid in each period from ``first`` to
    ``last``, beside the terms in force (``covenant backtest agreement``)."""
    from covenant.services.agreement_writes import recorded_text
    from covenant.services.backtest import backtest_agreement
    from covenant.web.portal import level_text, money, months_back

    session = staff(request)
    ctx = backend(request)
    at = ctx.clock()
    recent = months_back(at)
    first = request.query_params.get("first", recent[-1])[:16]
    last = request.query_params.get("last", recent[0])[:16]
    result = backtest_agreement(
        ctx.engine(),
        workspace_dir=ctx.settings.workspace,
        proposal_text=recorded_text(ctx.engine(), workspace=ctx.workspace(), name=name),
        proposal_file=f"{name} as stored",
        first=first,
        last=last,
        at=at,
        version=number,
        now=at,
    )
    rows = [
        {
            "label": label,
            "proposed_levels": [r for r in result.proposed.rows if r.label == label],
            "current_levels": [r for v in result.current for r in v.rows if r.label == label],
            "proposed": result.proposed.credits(label),
            "current": result.current_credits(label),
            "difference": result.difference(label),
        }
        for label in result.labels
    ]
    return page(
        "backtest.html",
        session=session,
        title=f"Backtest of {name} v{number}",
        name=name,
        number=number,
        first=first,
        last=last,
        bt=result,
        rows=rows,
        monies=lambda items: ", ".join(money(m) for m in items) or "–",
        level_text=level_text,
    )


def local_date(instant: datetime, zone: str) -> str:
    """The date of ``instant`` in the agreement's time zone (effective dates are local days)."""
    return instant.astimezone(ZoneInfo(zone)).strftime("%Y-%m-%d")


@router.post("/agreements/{name}/amend")
async def amend(request: Request, name: str) -> Response:
    """A new draft from a version's terms: a new start, reason, levels, commitment terms,
    credit tiers, caps and minimums, support attainment and penalties, fees and the
    agreement-wide cap. A refused draft gives the page again with the form as typed and each
    problem beside its field."""
    session, fields, ctx, at, versions, number = await _amending(request, name)
    base = next(v for v in versions if v.version == number)
    wanted, shown = read_form(fields, base)
    status = 400
    if not shown.refused:
        try:
            return _drafted(
                ctx, session, name, number, at=at, effective_from=wanted.effective_from,
                reason=wanted.reason, levels=wanted.levels, edits=wanted.edits,
                terms=wanted.terms,
            )  # fmt: skip
        except (InputError, DefinitionError) as error:
            add_problems(shown, error, index=len(versions), base=base)
            status = 409 if isinstance(error, ConflictError) else 400
    return _agreement_page(request, name, session, amending=shown, status=status)


async def _amending(request: Request, name: str) -> tuple[Any, dict[str, str], Any, Any, Any, int]:
    """An amendment form's post, checked (an editor's session, its CSRF token): the session,
    the fields, the backend, now, the agreement's versions and the number of the one amended."""
    from covenant.services.portal import agreement_versions

    session, fields = await posted_form(request)
    ctx = backend(request)
    at = ctx.clock()
    versions = agreement_versions(ctx.engine(), principal=session.principal, name=name, at=at)
    return session, fields, ctx, at, versions, _base(fields, versions, name)


def _drafted(ctx: Any, session: Any, name: str, number: int, **changes: Any) -> Response:
    """The draft amending version ``number`` with ``changes``; the page of its version."""
    from covenant.services.agreement_writes import amend_version

    _, made = amend_version(
        ctx.engine(),
        workspace=ctx.workspace(),
        name=name,
        base=number,
        actor=session.actor,
        **changes,
    )
    return RedirectResponse(f"{BASE}/agreements/{name}#v{made.version}", status_code=303)


def _base(fields: dict[str, str], versions: list[Any], name: str) -> int:
    """The number of the version a form amends (one of ``versions``)."""
    try:
        number = int(fields.get("base", ""))
    except ValueError:
        raise InputError("the form does not say which version to amend", hint="reload") from None
    if not any(v.version == number for v in versions):
        raise NotFoundError(f"agreement {name!r} has no version {number}", hint="reload")
    return number


@router.post("/agreements/{name}/amend-terms")
async def amend_terms(request: Request, name: str) -> Response:
    """A new draft whose terms are the whole YAML the "Edit all terms" form sends (any term
    of the version: claim deadlines, measurement, targets, commitments added or removed). A
    refused draft gives the page again with the YAML as typed, each problem with its line."""
    session, fields, ctx, at, versions, number = await _amending(request, name)
    whole, source, shown = read_terms(fields, base=number)
    status = 400
    if whole is not None:
        try:
            return _drafted(
                ctx, session, name, number, at=at,
                effective_from=shown.values["effective_from"].strip(),
                reason=shown.values["reason"], levels={}, whole=whole,
            )  # fmt: skip
        except (InputError, DefinitionError) as error:
            add_terms_problems(shown, error, index=len(versions), source=source)
            status = 409 if isinstance(error, ConflictError) else 400
    return _agreement_page(request, name, session, terms=shown, status=status)


_MOVES = {"propose": VersionStatus.PROPOSED, "sign": VersionStatus.SIGNED}


@router.post("/agreements/{name}/versions/{number}/{move}")
async def move(request: Request, name: str, number: int, move: str) -> Response:
    from covenant.services.agreement_writes import move_version

    session, fields = await posted_form(request)
    if move not in _MOVES:
        raise InputError(f"{move!r} is not a move the UI makes", hint="propose or sign")
    people: list[dict[str, str]] = []
    if move == "sign":
        signer = fields.get("signatory", "").strip()
        if not signer:
            raise InputError(
                "signing needs the signatory's name", hint="fill in who signs for the customer"
            )
        people = [{"name": signer[:255], "role": fields.get("role", "").strip()[:255]}]
    ctx = backend(request)
    move_version(
        ctx.engine(),
        workspace=ctx.workspace(),
        name=name,
        number=number,
        status=_MOVES[move],
        signatories=people,
        at=ctx.clock(),
        actor=session.actor,
    )
    return RedirectResponse(f"{BASE}/agreements/{name}#v{number}", status_code=303)
