"""Corrections and maintenance windows written over the API (editor, admin): create, change,
delete; a maintenance window in progress is ended. Recorded in the store (docs/adr/0006), they
apply at once to every evaluation, statement and page; ``covenant corrections pull`` and
``covenant maintenance pull`` write them into the workspace's YAML.

A body is ``{"name": ..., "spec": {...}}`` (create) or ``{"spec": {...}}`` (change), the spec
as the YAML writes it (camelCase keys), in JSON or YAML; it is validated by the workspace
readers' own code, with every other definition.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query

from covenant.api.deps import Ctx, Who, actor, allow
from covenant.api.errors import RESPONSES
from covenant.api.routes_lifecycle import Text, _body
from covenant.core.access import WRITERS
from covenant.errors import InputError

router = APIRouter(responses=RESPONSES, dependencies=[Depends(allow(WRITERS))])

CORRECTION_SPEC: dict[str, Any] = {
    "type": "object",
    "description": "A Correction's spec as in YAML (docs/corrections.md): slos, start, end or "
    "duration, rrule, until, count, timeZone, reason (required), author (default: the token), "
    "createdAt (default: now).",
    "example": {
        "slos": ["checkout-availability"],
        "start": "2026-11-18T09:00:00Z",
        "duration": "2h",
        "reason": "the load balancer's health checks failed, not checkout",
    },
}
MAINTENANCE_SPEC: dict[str, Any] = {
    "type": "object",
    "description": "A MaintenanceWindow's spec as in YAML (docs/agreements.md): services, "
    "start, end, timeZone, customers, description, announcedAt (default: now).",
    "example": {
        "services": ["checkout"],
        "start": "2026-12-06T02:00:00Z",
        "end": "2026-12-06T03:00:00Z",
        "description": "order database failover test",
    },
}
Reason = Annotated[
    str | None, Query(max_length=1000, description="Why (recorded in the audit log)")
]


def _created(kind_schema: dict[str, Any]) -> dict[str, Any]:
    return _body(
        {
            "type": "object",
            "required": ["name", "spec"],
            "properties": {
                "name": {"type": "string"},
                "displayName": {"type": "string"},
                "spec": kind_schema,
            },
        }
    )


def _changed(kind_schema: dict[str, Any]) -> dict[str, Any]:
    return _body(
        {
            "type": "object",
            "required": ["spec"],
            "properties": {
                "spec": kind_schema,
                "displayName": {"type": "string"},
                "reason": {"type": "string"},
            },
        }
    )


@dataclass(frozen=True, slots=True)
class Body:
    name: str
    spec: dict[str, Any]
    reason: str | None
    display_name: str | None  # metadata.displayName (None: none given)


def _read(text: str, *, creating: bool) -> Body:
    from covenant.services.agreement_body import read_body

    body = read_body(text, what="definition")
    known = {"name", "displayName", "spec"} if creating else {"displayName", "spec", "reason"}
    extra = sorted(set(body) - known)
    if extra:
        raise InputError(
            f"`{extra[0]}` is not a field of this request",
            hint="send " + (", ".join(f"`{k}`" for k in sorted(known))),
        )
    name = body.get("name")
    if creating and (not isinstance(name, str) or not 1 <= len(name) <= 63):
        raise InputError("`name` must be a text of 1 to 63 characters (a DNS label)")
    spec = body.get("spec")
    if not isinstance(spec, dict):
        raise InputError("`spec` must be an object: the definition's spec as the YAML has it")
    reason = body.get("reason")
    if reason is not None and (not isinstance(reason, str) or len(reason) > 1000):
        raise InputError("`reason` must be a text of at most 1,000 characters")
    from covenant.services.definition_writes import checked_display_name

    display_name = checked_display_name(body.get("displayName"))
    return Body(
        name=name if isinstance(name, str) else "",
        spec=spec,
        reason=reason,
        display_name=display_name,
    )


def _write(
    ctx: Ctx,
    who: Who,
    *,
    kind: str,
    name: str,
    spec: dict[str, Any] | None,
    creating: bool = False,
    reason: str | None = None,
    ending: bool = False,
    display_name: str | None = None,
) -> dict[str, Any]:
    from covenant.services.definition_writes import write_definition

    written = write_definition(
        ctx.engine(),
        workspace=ctx.files_workspace(),
        kind=kind,
        name=name,
        spec=spec,
        creating=creating,
        at=ctx.clock(),
        actor=actor(who),
        reason=reason,
        ending=ending,
        display_name=display_name,
    )
    ctx.forget_definitions()  # the next answer applies it, on this server at once
    change = written.change
    return {
        "kind": kind,
        "name": name,
        "event": {
            "seq": change.seq,
            "action": "ended" if ending else change.action,
            "actor": change.actor,
            "at": change.at,
            "reason": change.reason,
        },
        "before": written.before,
        "document": written.document,
    }


# --- corrections ------------------------------------------------------------------------------


@router.post(
    "/corrections", status_code=201, openapi_extra=_created(CORRECTION_SPEC), tags=["corrections"]
)
def create_correction(ctx: Ctx, who: Who, text: Text) -> dict[str, Any]:
    """A new correction: `{name, spec}`; applied at once, retroactively, to every evaluation."""
    body = _read(text, creating=True)
    return _write(
        ctx,
        who,
        kind="Correction",
        name=body.name,
        spec=body.spec,
        creating=True,
        display_name=body.display_name,
    )


@router.put("/corrections/{name}", openapi_extra=_changed(CORRECTION_SPEC), tags=["corrections"])
def replace_correction(ctx: Ctx, who: Who, name: str, text: Text) -> dict[str, Any]:
    """New terms for a correction (the workspace's or one made here): `{spec}`, whole."""
    body = _read(text, creating=False)
    return _write(
        ctx,
        who,
        kind="Correction",
        name=name,
        spec=body.spec,
        reason=body.reason,
        display_name=body.display_name,
    )


@router.delete("/corrections/{name}", tags=["corrections"])
def delete_correction(ctx: Ctx, who: Who, name: str, reason: Reason = None) -> dict[str, Any]:
    """Delete a correction: the time it left out counts again, in every evaluation."""
    return _write(ctx, who, kind="Correction", name=name, spec=None, reason=reason)


# --- maintenance windows ----------------------------------------------------------------------


@router.post(
    "/maintenance-windows",
    status_code=201,
    openapi_extra=_created(MAINTENANCE_SPEC),
    tags=["maintenance windows"],
)
def create_maintenance(ctx: Ctx, who: Who, text: Text) -> dict[str, Any]:
    """A new maintenance window, announced now (unless `announcedAt` says when): it must
    start after now and overlap no other window on its services for the same customers."""
    body = _read(text, creating=True)
    return _write(
        ctx,
        who,
        kind="MaintenanceWindow",
        name=body.name,
        spec=body.spec,
        creating=True,
        display_name=body.display_name,
    )


@router.put(
    "/maintenance-windows/{name}",
    openapi_extra=_changed(MAINTENANCE_SPEC),
    tags=["maintenance windows"],
)
def replace_maintenance(ctx: Ctx, who: Who, name: str, text: Text) -> dict[str, Any]:
    """Move or change a window that has not started (moved or grown: announced anew, now); one
    in progress may only end earlier (not before now); an ended one is history (409)."""
    body = _read(text, creating=False)
    return _write(
        ctx,
        who,
        kind="MaintenanceWindow",
        name=name,
        spec=body.spec,
        reason=body.reason,
        display_name=body.display_name,
    )


@router.delete("/maintenance-windows/{name}", tags=["maintenance windows"])
def cancel_maintenance(ctx: Ctx, who: Who, name: str, reason: Reason = None) -> dict[str, Any]:
    """Cancel a window that has not started (one in progress: end it; 409)."""
    return _write(ctx, who, kind="MaintenanceWindow", name=name, spec=None, reason=reason)


@router.post("/maintenance-windows/{name}/end", tags=["maintenance windows"])
def end_maintenance(ctx: Ctx, who: Who, name: str, reason: Reason = None) -> dict[str, Any]:
    """End a window in progress now (its `end` becomes now)."""
    return _write(
        ctx,
        who,
        kind="MaintenanceWindow",
        name=name,
        spec={},  # replaced by the window's own spec, ended now
        reason=reason,
        ending=True,
    )
