"""The audit log (admins) and an SLO's change history (staff; a customer never sees an SLO)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query

from covenant.api.deps import Ctx, allow, parse_at
from covenant.api.errors import RESPONSES
from covenant.core.access import ADMINS, INTERNAL_READERS

router = APIRouter(responses=RESPONSES, tags=["audit"])

Text = Annotated[str | None, Query(min_length=1, max_length=255)]


@router.get("/audit", dependencies=[Depends(allow(ADMINS))])
def list_audit(
    ctx: Ctx,
    kind: Annotated[str | None, Query(min_length=1, max_length=32)] = None,
    entity: Text = None,
    actor: Text = None,
    action: Annotated[str | None, Query(min_length=1, max_length=64)] = None,
    since: Annotated[str | None, Query(max_length=64)] = None,
    until: Annotated[str | None, Query(max_length=64)] = None,
    after: Annotated[int, Query(ge=0, le=2**62)] = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> dict[str, Any]:
    """Rows of the audit log matching every filter given, oldest first (as `covenant audit
    list --format json`); page on with ``after`` = the answer's ``next_after``."""
    from covenant.services.audit import AuditFilter, entry_json, list_entries

    now = ctx.clock()
    where = AuditFilter(
        entity_kind=kind,
        entity_id=entity,
        actor=actor,
        action=action,
        since=None if since is None else parse_at(since, now=now, name="since"),
        until=None if until is None else parse_at(until, now=now, name="until"),
        after_seq=after,
        limit=limit,
    )
    found = list_entries(ctx.engine(), where=where)
    return {
        "items": [entry_json(e) for e in found],
        "next_after": found[-1].seq if len(found) == limit else None,
    }


@router.get("/audit/verify", dependencies=[Depends(allow(ADMINS))])
def verify_audit(
    ctx: Ctx,
    anchor: Annotated[
        str | None,
        Query(
            max_length=100,
            description="SEQ:HASH, a head an earlier verify answered: it must still be in the "
            "log, unchanged (shows rows deleted from the end).",
        ),
    ] = None,
) -> dict[str, Any]:
    """Check the audit log's hash chain (as `covenant audit verify --format json`): ``ok``,
    the ``rows`` read, the ``head`` (SEQ:HASH: keep it outside the store and pass it later as
    ``anchor``) and the first ``broken`` row with why. A broken chain is answered, not
    refused: ``ok`` is false."""
    from covenant.services.audit import parse_anchor, verify_log

    result = verify_log(ctx.engine(), anchor=parse_anchor(anchor))
    broken = result.broken
    return {
        "ok": broken is None,
        "rows": result.rows,
        "head": None if result.head_seq is None else f"{result.head_seq}:{result.head_hash}",
        "broken": None if broken is None else {"seq": broken.seq, "reason": broken.reason},
    }


@router.get("/slos/{name}/history", dependencies=[Depends(allow(INTERNAL_READERS))], tags=["slos"])
def slo_history(ctx: Ctx, name: str) -> dict[str, Any]:
    """Every recorded change of the SLO ``name``: who, when, why, its definition before and
    after and the fields that differ, oldest first."""
    from covenant.services.slo_history import history_json
    from covenant.services.slo_history import slo_history as compute

    workspace = ctx.workspace()
    known = any(d.kind == "SLO" and d.name == name for d in workspace.documents)
    found = compute(ctx.engine(), name=name, known=known)
    return {"slo": name, "items": [history_json(e) for e in found]}
