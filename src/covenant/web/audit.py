"""The audit log's page (admins): its rows with the filters of `covenant audit list` and ``GET
/api/v1/audit``, a page of rows at a time, and a check of its hash chain as `covenant audit
verify` and ``GET /api/v1/audit/verify`` make it (docs/ui.md)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import orjson
from fastapi import Request
from fastapi.responses import Response

from covenant.errors import InputError
from covenant.web.core import BASE, admin, backend, page
from covenant.web.routes import pages_router

router = pages_router()

PAGE_SIZE = 100
FILTERS = ("kind", "entity", "actor", "action", "since", "until")
LONGEST = {"kind": 32, "action": 64, "since": 64, "until": 64}  # as GET /api/v1/audit allows


def _whole(request: Request, name: str, default: int, *, low: int, high: int) -> int:
    text = request.query_params.get(name, "").strip()
    if not text:
        return default
    try:
        value = int(text)
    except ValueError:
        raise InputError(f"{name} {text[:20]!r} is not a whole number", hint=f"{name}=0") from None
    if not low <= value <= high:
        raise InputError(f"{name} {value} is not between {low} and {high}", hint=f"{name}={low}")
    return value


def _filters(request: Request) -> dict[str, str]:
    chosen: dict[str, str] = {}
    for name in FILTERS:
        value = request.query_params.get(name, "").strip()
        longest = LONGEST.get(name, 255)
        if len(value) > longest:
            raise InputError(f"{name} is longer than {longest} characters", hint=f"shorten {name}")
        if value:
            chosen[name] = value
    return chosen


def _pretty(data: Any) -> str | None:
    return None if data is None else orjson.dumps(data, option=orjson.OPT_INDENT_2).decode()


@router.get("/audit")
def audit_page(request: Request) -> Response:
    from covenant.core.when import parse_instant
    from covenant.services.audit import ENTITY_KINDS, AuditFilter, entry_json, list_entries

    session = admin(request)
    ctx = backend(request)
    now = ctx.clock()
    chosen = _filters(request)
    after = _whole(request, "after", 0, low=0, high=2**62)
    limit = _whole(request, "limit", PAGE_SIZE, low=1, high=1000)

    def instant(name: str) -> Any:
        given = chosen.get(name)
        return None if given is None else parse_instant(given, reference=now, option=name)

    where = AuditFilter(
        entity_kind=chosen.get("kind"),
        entity_id=chosen.get("entity"),
        actor=chosen.get("actor"),
        action=chosen.get("action"),
        since=instant("since"),
        until=instant("until"),
        after_seq=after,
        limit=limit,
    )
    found = list_entries(ctx.engine(), where=where)
    next_after = found[-1].seq if len(found) == limit else None
    kept = {**chosen, **({"limit": str(limit)} if limit != PAGE_SIZE else {})}

    def link(**change: Any) -> str:
        return f"{BASE}/audit?" + urlencode({**kept, **change})

    return page(
        "audit.html",
        session=session,
        title="Audit log",
        rows=[
            {
                **entry_json(e),
                "before_text": _pretty(e.before_data()),
                "after_text": _pretty(e.after_data()),
            }
            for e in found
        ],
        chosen=chosen,
        kinds=ENTITY_KINDS,
        after=after,
        next_link=None if next_after is None else link(after=next_after),
        first_link=link() if after else None,
    )


@router.get("/audit/verify")
def audit_verify_page(request: Request) -> Response:
    from covenant.services.audit import parse_anchor, verify_log

    session = admin(request)
    anchor = request.query_params.get("anchor", "").strip()
    if len(anchor) > 100:
        raise InputError("anchor is longer than 100 characters", hint="give SEQ:HASH")
    result = verify_log(backend(request).engine(), anchor=parse_anchor(anchor or None))
    return page(
        "audit_verify.html",
        session=session,
        title="Audit log: verify the chain",
        anchor=anchor,
        ok=result.broken is None,
        rows=result.rows,
        head=None if result.head_seq is None else f"{result.head_seq}:{result.head_hash}",
        broken=result.broken,
    )
