"""Money at risk across the portfolio, for the team: every agreement's current period as
`covenant exposure` forecasts it (the same service, the same figures as ``GET
/api/v1/exposure``), one row per commitment, with the command's filters (customer, agreement,
status) and the portfolio's totals per currency; the support penalties in a table of their own
(docs/exposure.md "Support")."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import Response

from covenant.web.core import backend, page, staff
from covenant.web.routes import pages_router, query_list

router = pages_router()

STATE_TEXT = {
    "owed": "a credit is locked in",
    "at-risk": "a credit may still come",
    "ok": "no credit even in the worst case",
    "no-forecast": "too early or too little data to project",
}


@router.get("/exposure")
def exposure_page(request: Request) -> Response:
    from covenant.render.exposure import alerts
    from covenant.render.exposure_support import STATE_TEXT as SUPPORT_TEXT
    from covenant.services.exposure import exposure
    from covenant.services.row_states import EXPOSURE_STATES
    from covenant.services.selection import (
        chosen_states,
        exposure_state,
        select_exposure,
        support_exposure_state,
    )
    from covenant.web.portal import level_text, money

    session = staff(request)
    customers = query_list(request, "customer")
    agreements = query_list(request, "agreement")
    statuses = list(chosen_states(query_list(request, "status"), EXPOSURE_STATES))
    ctx = backend(request)
    at = ctx.clock()
    whole = exposure(ctx.engine(), workspace=ctx.workspace(), at=at, now=at)
    shown = select_exposure(whole, customers=customers, agreements=agreements, statuses=statuses)
    rows: list[dict[str, Any]] = [
        {
            "customer": cu.customer,
            "customer_name": cu.customer_name,
            "c": c,
            "state": exposure_state(c),
            "alerts": alerts(cu.customer_name, c),
        }
        for cu in shown.customers
        for c in cu.commitments
    ]
    support: list[dict[str, Any]] = [
        {
            "customer_name": cu.customer_name,
            "s": s,
            "state": support_exposure_state(s),
            "verdict": SUPPORT_TEXT[s.state],
        }
        for cu in shown.customers
        for s in cu.support
    ]
    every = [c for cu in whole.customers for c in cu.commitments]
    # every row the page can show, availability and support, in the terms the filter uses
    states = [exposure_state(c) for c in every] + [
        support_exposure_state(s) for cu in whole.customers for s in cu.support
    ]
    return page(
        "exposure.html",
        session=session,
        title="Exposure",
        at=at,
        rows=rows,
        support=support,
        total=len(states),
        shown=len(rows) + len(support),
        whole=whole,
        counts={s: states.count(s) for s in EXPOSURE_STATES},
        customer_names=sorted({(cu.customer, cu.customer_name) for cu in whole.customers}),
        agreement_names=sorted(
            {c.agreement for c in every}
            | {s.agreement for cu in whole.customers for s in cu.support}
        ),
        states=EXPOSURE_STATES,
        state_text=STATE_TEXT,
        chosen={"customer": customers, "agreement": agreements, "status": statuses},
        selected=bool(customers or agreements or statuses),
        level_text=level_text,
        money=money,
    )
