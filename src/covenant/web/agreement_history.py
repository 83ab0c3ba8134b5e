"""An agreement's history page (staff): every recorded event of the agreement, oldest first,
and whether its hash chain is intact, as `covenant agreements history` and ``GET
/api/v1/agreements/{name}/history`` give them (docs/ui.md)."""

from __future__ import annotations

import orjson
from fastapi import Request
from fastapi.responses import Response

from covenant.web.core import backend, page, staff
from covenant.web.routes import pages_router

router = pages_router()


@router.get("/agreements/{name}/history")
def agreement_history(request: Request, name: str) -> Response:
    from covenant.render.agreements import history_json
    from covenant.services.agreements import agreement_audit

    session = staff(request)
    events, wrong = agreement_audit(backend(request).engine(), name=name)  # none: not-found
    found = history_json(name, events, wrong)
    rows = [
        {
            **e,
            "details_text": orjson.dumps(
                e["details"], option=orjson.OPT_SORT_KEYS | orjson.OPT_INDENT_2
            ).decode()
            if e["details"]
            else "",
        }
        for e in found["events"]
    ]
    return page(
        "agreement_history.html",
        session=session,
        title=f"History of {name}",
        name=name,
        intact=found["intact"],
        problems=found["problems"],
        events=rows,
    )
