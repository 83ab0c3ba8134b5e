"""The maintenance page (staff): every maintenance window — the workspace files' and those
recorded over HTTP (docs/adr/0006) — with its state now; for editors and admins the forms that
announce one, cancel one not started and end one in progress, as ``POST
/api/v1/maintenance-windows``, ``DELETE`` and ``.../end`` do: the same service
(``services.definition_writes``), recorded in the audit log under the signed-in user. A form
answers with a redirect (Post/Redirect/Get) and a note (docs/ui.md)."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import Response

from covenant.errors import CovenantError
from covenant.web.core import backend
from covenant.web.definition_forms import items, write_definition_form
from covenant.web.form_pages import FormPage, audit_reason, posted_form
from covenant.web.routes import pages_router

router = pages_router()
NOTES = {"created": "Announced", "cancelled": "Cancelled", "ended": "Ended"}


def _listed(request: Request) -> list[dict[str, Any]]:
    """Every window, latest start first, with its state at the page's instant."""
    from covenant.services.workspace import definitions_of

    ctx = backend(request)
    workspace, now = ctx.workspace(), ctx.clock()
    raw = {d.name: d.raw for d in definitions_of(workspace, "MaintenanceWindow")}
    rows = []
    for m in sorted(workspace.maintenance, key=lambda m: (m.start, m.name), reverse=True):
        state = "upcoming" if now < m.start else "in progress" if now < m.end else "ended"
        spec = raw.get(m.name, {}).get("spec", {})
        rows.append(
            {
                "window": m,
                "state": state,
                "description": spec.get("description", "") if isinstance(spec, dict) else "",
            }
        )
    return rows


PAGE = FormPage(
    "maintenance",
    "maintenance.html",
    "Maintenance",
    NOTES,
    lambda request: {"windows": _listed(request)},
)


@router.get("/maintenance")
def maintenance_page(request: Request) -> Response:
    return PAGE.asked(request)


@router.post("/maintenance")
async def announce(request: Request) -> Response:
    """A new window, as ``POST /api/v1/maintenance-windows``: announced now; it must start
    after now and overlap no other window on its services for the same customers."""
    session, fields = await posted_form(request)
    spec: dict[str, Any] = {
        "services": items(fields.get("services", "")),
        "start": fields.get("start", "").strip(),
        "end": fields.get("end", "").strip(),
    }
    customers = items(fields.get("customers", ""))
    if customers:
        spec["customers"] = customers
    description = fields.get("description", "").strip()
    if description:
        spec["description"] = description
    from covenant.services.definition_writes import checked_display_name

    name = fields.get("name", "").strip()
    try:
        write_definition_form(
            request,
            session.actor,
            "MaintenanceWindow",
            name=name,
            spec=spec,
            creating=True,
            display_name=checked_display_name(fields.get("display_name", "").strip() or None),
        )
    except CovenantError as error:  # nothing written: the form again, as typed
        return PAGE.shown(request, session, refused=error, typed=fields)
    return PAGE.done(created=name)


@router.post("/maintenance/{name}/cancel")
async def cancel(request: Request, name: str) -> Response:
    """Cancel a window not started, as ``DELETE /api/v1/maintenance-windows/{name}``."""
    session, fields = await posted_form(request)
    reason = audit_reason(fields)
    write_definition_form(
        request, session.actor, "MaintenanceWindow", name=name, spec=None, reason=reason
    )
    return PAGE.done(cancelled=name)


@router.post("/maintenance/{name}/end")
async def end(request: Request, name: str) -> Response:
    """End a window in progress now, as ``POST /api/v1/maintenance-windows/{name}/end``."""
    session, fields = await posted_form(request)
    reason = audit_reason(fields)
    write_definition_form(
        request, session.actor, "MaintenanceWindow", name=name, spec={}, reason=reason, ending=True
    )
    return PAGE.done(ended=name)
